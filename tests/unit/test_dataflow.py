"""InputPath -> Parameters -> ResultSelector -> ResultPath -> OutputPath, through whole runs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_sfn import StateMachine

from ..conftest import machine

INPUT = {
    "order": {"id": "o-1", "lines": [{"sku": "a", "qty": 2}, {"sku": "b", "qty": 1}]},
    "meta": 1,
}


def run_pass(state: dict[str, object], value: object = INPUT) -> object:
    execution = machine({"P": {"Type": "Pass", "End": True, **state}}).execute(value)
    assert execution.status == "SUCCEEDED", execution.cause
    return execution.output


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ({}, INPUT),
        ({"InputPath": "$.order.id"}, "o-1"),
        ({"InputPath": None}, {}),
        ({"OutputPath": None}, {}),
        ({"Result": {"r": 1}}, {"r": 1}),
        ({"Result": {"r": 1}, "ResultPath": "$.res"}, {**INPUT, "res": {"r": 1}}),
        ({"Result": {"r": 1}, "ResultPath": None}, INPUT),
        (
            {"Result": 7, "ResultPath": "$.order.id"},
            {**INPUT, "order": {**INPUT["order"], "id": 7}},
        ),
        ({"Result": 7, "ResultPath": "$.a.b.c"}, {**INPUT, "a": {"b": {"c": 7}}}),
        ({"Result": {"r": 1}, "ResultPath": "$.res", "OutputPath": "$.res"}, {"r": 1}),
        (
            {"InputPath": "$.order", "Parameters": {"first.$": "$.lines[0].sku", "fixed": 1}},
            {"first": "a", "fixed": 1},
        ),
        ({"Parameters": {"skus.$": "$.order.lines[*].sku"}}, {"skus": ["a", "b"]}),
        ({"Parameters": {"big.$": "$.order.lines[?(@.qty > 1)].sku"}}, {"big": ["a"]}),
        (
            {"Parameters": {"nested": {"id.$": "$.order.id", "list": [{"m.$": "$.meta"}]}}},
            {"nested": {"id": "o-1", "list": [{"m": 1}]}},
        ),
        ({"Parameters": {"n.$": "States.ArrayLength($.order.lines)"}}, {"n": 2}),
        (
            {
                "Parameters": {
                    "s.$": "States.Format('order {} has {} lines', $.order.id, States.ArrayLength($.order.lines))"
                }
            },
            {"s": "order o-1 has 2 lines"},
        ),
        (
            {"Parameters": {"name.$": "$$.State.Name", "sm.$": "$$.StateMachine.Name"}},
            {"name": "P", "sm": "Test"},
        ),
        ({"Parameters": {"in.$": "$$.Execution.Input.meta"}}, {"in": 1}),
        ({"Parameters": {"k.$": "$"}, "ResultPath": "$.copy", "OutputPath": "$.copy.k.meta"}, 1),
    ],
)
def test_pass_dataflow(state: dict[str, object], expected: object) -> None:
    assert run_pass(state) == expected


def test_pass_result_ignores_parameters() -> None:
    assert run_pass({"Parameters": {"x": 1}, "Result": {"y": 2}}) == {"y": 2}


def test_task_dataflow_order() -> None:
    sm = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "InputPath": "$.order",
                "Parameters": {"FunctionName": "f", "Payload": {"id.$": "$.id"}},
                "ResultSelector": {"body.$": "$.Payload.body", "code.$": "$.StatusCode"},
                "ResultPath": "$.result",
                "OutputPath": "$.result",
                "End": True,
            }
        }
    )
    seen = []

    def lambda_answer(request):
        seen.append(request.parameters)
        return {"StatusCode": 200, "Payload": {"body": "ok"}}

    execution = sm.execute(INPUT, results={"T": lambda_answer})
    assert seen == [{"FunctionName": "f", "Payload": {"id": "o-1"}}]
    assert execution.output == {"body": "ok", "code": 200}
    record = execution.state("T")
    assert record.input == INPUT and record.output == {"body": "ok", "code": 200}


@pytest.mark.parametrize(
    ("state", "cause"),
    [
        (
            {"InputPath": "$.missing"},
            "Invalid path '$.missing' : No results for path: $['missing']",
        ),
        (
            {"OutputPath": "$.missing.deeper"},
            "Invalid path '$.missing.deeper' : Missing property in path $['missing']",
        ),
        (
            {"Parameters": {"value.$": "$.no_such_jsonpath"}},
            "The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{\"meta\":1}'",
        ),
    ],
)
def test_path_failures_are_runtime_errors_with_aws_wording(
    state: dict[str, object], cause: str
) -> None:
    execution = machine({"P": {"Type": "Pass", "End": True, **state}}).execute({"meta": 1})
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert execution.cause == (
        f"An error occurred while executing the state 'P' (entered at the event id #2). {cause}"
    )
    assert [e.type for e in execution.history] == [
        "ExecutionStarted",
        "PassStateEntered",
        "ExecutionFailed",
    ]
    assert execution.history[-1].previous_event_id == 2


def test_result_path_on_non_object_input() -> None:
    execution = machine(
        {"P": {"Type": "Pass", "Result": 1, "ResultPath": "$.x", "End": True}}
    ).execute("foo")
    assert execution.error == "States.ResultPathMatchFailure"


def test_runtime_errors_are_not_caught() -> None:
    sm = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "OutputPath": "$.missing",
                "Catch": [
                    {"ErrorEquals": ["States.Runtime"], "Next": "Caught"},
                    {"ErrorEquals": ["States.ALL"], "Next": "Caught"},
                ],
                "Retry": [{"ErrorEquals": ["States.ALL"]}],
                "End": True,
            },
            "Caught": {"Type": "Succeed"},
        }
    )
    execution = sm.execute({}, results={"T": {"ok": 1}})
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert execution.state("T").attempts == 1


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=8,
)
PASS_DISCARD = StateMachine.from_definition(
    {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Result": {"r": 1}, "ResultPath": None, "End": True}},
    }
)
PASS_REPLACE = StateMachine.from_definition(
    {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"r": 1}, "End": True}}}
)


@given(value=json_values)
def test_result_path_null_discards_and_dollar_replaces(value: object) -> None:
    value = {} if value is None else value
    assert PASS_DISCARD.execute(value).output == value
    assert PASS_REPLACE.execute(value).output == {"r": 1}


def test_values_are_not_shared_between_executions() -> None:
    sm = machine({"P": {"Type": "Pass", "Result": {"list": [1]}, "ResultPath": "$.r", "End": True}})
    first = sm.execute({"a": {"b": 1}})
    second = sm.execute({"a": {"b": 2}})
    assert first.output == {"a": {"b": 1}, "r": {"list": [1]}}
    assert second.output == {"a": {"b": 2}, "r": {"list": [1]}}
