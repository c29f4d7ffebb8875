"""inspectionData key sets per state type and level (aws-spec §1.3, §1.5), context, variables."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_sfn import StateMock, Throw, run_state
from pytest_sfn.teststate.mocks import StateMock as _StateMock

LAMBDA = "arn:aws:states:::lambda:invoke"
PROCESSOR = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
BASE = ("input",)
JP_TASK = (
    "input",
    "afterInputPath",
    "afterParameters",
    "result",
    "afterResultSelector",
    "afterResultPath",
)

KEY_SETS: list[tuple[str, dict[str, Any], Any, dict[str, Any], tuple[str, ...]]] = [
    ("Pass", {"Type": "Pass", "End": True}, {}, {},
     ("input", "afterInputPath", "afterParameters", "afterResultSelector", "afterResultPath")),
    ("Pass with Result", {"Type": "Pass", "InputPath": "$", "Parameters": {"a": 1}, "Result": 1, "End": True},
     {}, {}, ("input", "result", "afterResultSelector", "afterResultPath")),
    ("Pass JSONata", {"QueryLanguage": "JSONata", "Type": "Pass", "End": True}, {}, {}, BASE),
    ("Pass JSONata Assign", {"QueryLanguage": "JSONata", "Type": "Pass", "Assign": {"x": 1}, "End": True},
     {}, {}, ("input", "variables")),
    ("Fail", {"Type": "Fail", "Error": "E"}, {}, {}, ("input", "afterInputPath")),
    ("Fail JSONata", {"QueryLanguage": "JSONata", "Type": "Fail", "Error": "E"}, {}, {}, BASE),
    ("Succeed", {"Type": "Succeed"}, {}, {}, ("input", "afterInputPath")),
    ("Wait", {"Type": "Wait", "Seconds": 1, "End": True}, {}, {}, ("input", "afterInputPath")),
    ("Choice", {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsPresent": False, "Next": "X"}]},
     {}, {}, ("input", "afterInputPath")),
    ("Choice JSONata", {"QueryLanguage": "JSONata", "Type": "Choice",
                        "Choices": [{"Condition": "{% true %}", "Next": "X"}]}, {}, {}, BASE),
    ("Task", {"Type": "Task", "Resource": LAMBDA, "End": True}, {}, {"mock": StateMock(result={"v": 1})}, JP_TASK),
    ("Task error", {"Type": "Task", "Resource": LAMBDA, "End": True}, {},
     {"mock": StateMock(error_output=("E", "c"))}, ("input", "afterInputPath", "afterParameters")),
    ("Task JSONata", {"QueryLanguage": "JSONata", "Type": "Task", "Resource": LAMBDA, "End": True}, {},
     {"mock": StateMock(result={"v": 1})}, ("input", "afterArguments", "result")),
    ("Task JSONata error", {"QueryLanguage": "JSONata", "Type": "Task", "Resource": LAMBDA, "End": True,
                            "Retry": [{"ErrorEquals": ["E"]}]}, {},
     {"mock": StateMock(error_output=("E", "c"))}, ("input", "afterArguments", "errorDetails")),
    ("Parallel", {"Type": "Parallel", "InputPath": "$", "ResultPath": "$.r", "Branches": [PROCESSOR],
                  "End": True}, {}, {"mock": StateMock(result=[1])},
     ("input", "afterResultSelector", "afterResultPath")),
    ("Parallel JSONata", {"QueryLanguage": "JSONata", "Type": "Parallel", "Branches": [PROCESSOR],
                          "End": True}, {}, {"mock": StateMock(result=[1])}, BASE),
    ("Map ItemsPath", {"Type": "Map", "ItemsPath": "$.items", "ToleratedFailureCount": 1,
                       "ItemProcessor": {**PROCESSOR, "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}},
                       "End": True}, {"items": [1]}, {"mock": StateMock(result=[1])},
     ("input", "afterInputPath", "afterResultSelector", "afterResultPath", "afterItemsPath",
      "toleratedFailureCount", "maxConcurrency")),
    ("Map ItemSelector ItemBatcher", {"Type": "Map", "ItemSelector": {"v.$": "$$.Map.Item.Value"},
                                      "ItemBatcher": {"MaxItemsPerBatch": 2},
                                      "ItemProcessor": {**PROCESSOR, "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}},
                                      "End": True}, [1, 2, 3], {"mock": StateMock(result=[1])},
     ("input", "afterInputPath", "afterResultSelector", "afterResultPath", "afterItemSelector",
      "afterItemBatcher", "maxConcurrency")),
    ("Map JSONata", {"QueryLanguage": "JSONata", "Type": "Map", "ItemProcessor": PROCESSOR, "End": True},
     [1], {"mock": StateMock(result=[1])}, ("input", "maxConcurrency")),
]  # fmt: skip


@pytest.mark.parametrize("level", ["DEBUG", "TRACE"])
@pytest.mark.parametrize(
    ("definition", "input_", "options", "keys"),
    [c[1:] for c in KEY_SETS],
    ids=[c[0] for c in KEY_SETS],
)
def test_key_sets(level: str, definition: dict[str, Any], input_: Any, options: dict[str, Any],
                  keys: tuple[str, ...]) -> None:  # fmt: skip
    result = run_state(definition, input=input_, inspection_level=level, **options)
    assert result.inspection_data is not None
    assert set(result.inspection_data) == set(keys)


@pytest.mark.parametrize(("definition", "input_", "options"), [c[1:4] for c in KEY_SETS],
                         ids=[c[0] for c in KEY_SETS])  # fmt: skip
def test_info_has_no_inspection_data(definition: dict[str, Any], input_: Any,
                                     options: dict[str, Any]) -> None:  # fmt: skip
    result = run_state(definition, input=input_, **options)
    assert result.inspection_data is None
    assert "inspectionData" not in result.to_api()


def test_map_item_processing_members() -> None:
    definition = {
        "Type": "Map",
        "ItemSelector": {"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"},
        "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"b": 1}},
        "MaxConcurrency": 5,
        "ToleratedFailurePercentage": 50,
        "ItemProcessor": {
            **PROCESSOR,
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        },
        "End": True,
    }
    result = run_state(definition, input=["a", "b", "c"], inspection_level="DEBUG",
                       mock=StateMock(result=[1, 2, 3]))  # fmt: skip
    assert result.inspection("afterItemSelector") == [
        {"v": "a", "i": 0}, {"v": "b", "i": 1}, {"v": "c", "i": 2}
    ]  # fmt: skip
    assert result.inspection("afterItemBatcher") == [
        {"BatchInput": {"b": 1}, "Items": [{"v": "a", "i": 0}, {"v": "b", "i": 1}]},
        {"BatchInput": {"b": 1}, "Items": [{"v": "c", "i": 2}]},
    ]
    assert result.inspection_data is not None
    assert result.inspection_data["maxConcurrency"] == 5
    assert result.inspection_data["toleratedFailurePercentage"] == 50.0


def test_map_item_reader_data_and_items_pointer() -> None:
    definition = {
        "Type": "Map",
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON", "ItemsPointer": "/rows"},
                       "Parameters": {"Bucket": "b", "Key": "k"}},
        "ItemProcessor": {**PROCESSOR, "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}},
        "End": True,
    }  # fmt: skip
    result = run_state(definition, inspection_level="DEBUG", mock={"result": "[1, 4, 9]"},
                       state_configuration={"mapItemReaderData": '{"rows": [1, 2, 3]}'})  # fmt: skip
    assert result.output_json == "[1, 4, 9]"  # the mock's own text (aws-spec §1.2)
    assert result.inspection("afterItemsPointer") == [1, 2, 3]


def test_variables_are_provided_plus_assigned() -> None:
    definition = {"Type": "Pass", "Assign": {"total.$": "States.MathAdd($base, 1)"}, "End": True}
    result = run_state(definition, variables={"base": 41}, inspection_level="DEBUG")
    assert result.inspection("variables") == {"base": 41, "total": 42}


def test_synthesised_context() -> None:
    definition = {"Type": "Pass", "Parameters": {"ctx.$": "$$"}, "End": True}
    ctx = run_state(definition, input={"a": 1}).output["ctx"]
    assert list(ctx) == ["Execution", "StateMachine", "State"]
    assert ctx["Execution"]["Input"] == {"a": 1}
    assert ctx["Execution"]["RoleArn"] is None
    assert ctx["Execution"]["Id"].startswith("arn:aws:states:us-east-1:123456789012:express:")
    assert ctx["State"] == {"Name": "StateName", "EnteredTime": "2024-01-01T00:00:00.000Z"}


def test_task_context_has_retry_count_from_configuration() -> None:
    definition = {
        "Type": "Task",
        "Resource": LAMBDA,
        "Parameters": {"n.$": "$$.State.RetryCount"},
        "End": True,
    }
    result = run_state(definition, mock=StateMock(result={}), inspection_level="DEBUG",
                       state_configuration={"retrierRetryCount": 2})  # fmt: skip
    assert result.inspection("afterParameters") == {"n": 2}


def test_given_context_replaces_the_synthesised_one() -> None:
    definition = {"Type": "Task", "Resource": LAMBDA, "Parameters": {"ctx.$": "$$"}, "End": True}
    result = run_state(definition, mock=StateMock(result={}), inspection_level="DEBUG", context={})
    assert result.inspection("afterParameters") == {"ctx": {}}


def test_state_inside_a_map_sees_map_item() -> None:
    machine = {
        "StartAt": "M",
        "States": {"M": {"Type": "Map", "End": True, "ItemProcessor": {"StartAt": "Inner", "States": {
            "Inner": {"Type": "Pass", "Parameters": {"item.$": "$$.Map.Item"}, "End": True}}}}},
    }  # fmt: skip
    result = run_state(machine, state_name="Inner", input={"x": 1})
    assert result.output == {"item": {"Index": 0, "Value": {"x": 1}}}


def test_unmocked_task_uses_results_and_keeps_the_state_name() -> None:
    machine = {"StartAt": "Charge", "States": {"Charge": {"Type": "Task", "Resource": LAMBDA,
               "Parameters": {"FunctionName": "f"}, "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"]}],
               "End": True}}}  # fmt: skip
    role = "arn:aws:iam::123456789012:role/r"
    ok = run_state(machine, state_name="Charge", role_arn=role, results={"Charge": {"Payload": 7}})
    assert (ok.status, ok.output) == ("SUCCEEDED", {"Payload": 7})
    thrown = run_state(machine, state_name="Charge", role_arn=role,
                       results={"Charge": Throw("Lambda.TooManyRequestsException", "slow")})  # fmt: skip
    assert (thrown.status, thrown.error, thrown.cause) == (
        "RETRIABLE",
        "Lambda.TooManyRequestsException",
        "slow",
    )


def test_state_mock_api_shape() -> None:
    assert _StateMock(result=[1], field_validation_mode="NONE").to_api() == {
        "result": "[1]", "fieldValidationMode": "NONE"
    }  # fmt: skip


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=8,
)
CHOICE = {
    "Type": "Choice",
    "Choices": [{"Variable": "$.k", "IsPresent": True, "Next": "Has"}],
    "Default": "Not",
}


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.sampled_from(["k", "j"]), JSON_VALUES, max_size=2))
def test_info_and_debug_agree_for_pass_and_choice(value: dict[str, Any]) -> None:
    for definition in ({"Type": "Pass", "End": True}, CHOICE):
        info = run_state(definition, input=value)
        debug = run_state(definition, input=value, inspection_level="DEBUG")
        assert (info.status, info.output_json, info.next_state) == (
            debug.status, debug.output_json, debug.next_state
        )  # fmt: skip
        assert debug.inspection("input") == value
        assert info.output == value  # neither state changes its input


def test_field_validation_of_a_mocked_result() -> None:
    from pytest_sfn import StateTestError

    task = {"Type": "Task", "Resource": "arn:aws:states:::events:putEvents", "End": True}
    with pytest.raises(StateTestError) as info:
        run_state(task, mock=StateMock(result={"Entries": 1}))
    assert (
        info.value.message
        == "Mock result schema validation error: Field 'Entries' must be an array"
    )
    relaxed = run_state(task, mock=StateMock(result={"Entries": 1}, field_validation_mode="NONE"))
    assert relaxed.output == {"Entries": 1}
