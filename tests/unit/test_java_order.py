"""Java HashMap key order, checked against orders AWS recorded (LocalStack AWS snapshots)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_sfn import StateMachine
from pytest_sfn.expressions.java_order import hashmap_order, java_string_hash


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", 0), ("a", 97), ("ab", 97 * 31 + 98), ("hello", 99162322), ("polygenelubricants", 2**31)],
)
def test_java_string_hash(text: str, expected: int) -> None:
    assert java_string_hash(text) == expected


@pytest.mark.parametrize(
    ("keys", "aws_order"),
    [
        (
            ["original_input", "iteration_input_value", "iteration_index", "from_input_constant"],
            ["iteration_input_value", "from_input_constant", "iteration_index", "original_input"],
        ),
        (["Iterations", "Values"], ["Values", "Iterations"]),
        (["mapValue", "fromInput"], ["mapValue", "fromInput"]),
        (["ThisContextObject", "ThisState"], ["ThisContextObject", "ThisState"]),
        (
            ["constant_in_literal", "constant_input_field"],
            ["constant_input_field", "constant_in_literal"],
        ),
    ],
)
def test_orders_recorded_on_aws(keys: list[str], aws_order: list[str]) -> None:
    assert hashmap_order(keys) == aws_order


@given(st.lists(st.text(max_size=6), unique=True, max_size=40))
def test_hashmap_order_is_a_permutation(keys: list[str]) -> None:
    assert sorted(hashmap_order(keys)) == sorted(keys)


def test_payload_literal_fields_first_then_dynamic_fields() -> None:
    definition = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {
                    "FunctionName.$": "$.FunctionName",
                    "Payload": {"RetryAttempt.$": "$$.State.RetryCount"},
                },
                "End": True,
            }
        },
    }
    execution = StateMachine.from_definition(definition).execute(
        {"FunctionName": "f"}, results={"T": {}}
    )
    scheduled = execution.events("TaskScheduled")[0]
    assert scheduled.details["parameters"] == '{"Payload":{"RetryAttempt":0},"FunctionName":"f"}'


def test_json_merge_key_order() -> None:
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Pass",
                "Parameters": {"m.$": "States.JsonMerge($.a, $.b, false)"},
                "End": True,
            }
        },
    }
    execution = StateMachine.from_definition(definition).execute(
        {"a": {"constant_in_literal": "false"}, "b": {"constant_input_field": 1}}
    )
    assert execution.output_json == '{"m":{"constant_input_field":1,"constant_in_literal":"false"}}'
