"""Requests AWS refuses: exception codes and messages (aws-spec §1.1, §1.7, §1.9)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from pytest_sfn import StateMock, StateTestError, local_client, run_state

PASS = '{"Type":"Pass","End":true}'
TASK = '{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f"},"End":true}'
MAP = json.dumps(
    {
        "Type": "Map",
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
        "End": True,
    }
)
PARALLEL = json.dumps(
    {
        "Type": "Parallel",
        "Branches": [{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}],
        "End": True,
    }
)
MACHINE = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
RESULT = {"result": "{}"}
ERROR = {"errorOutput": {"error": "E", "cause": "c"}}

CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("unknown stateName", {"definition": MACHINE, "stateName": "B"}, "ValidationException",
     "State not found in definition"),
    ("invalid Type", {"definition": '{"StartAt":"A","States":{"A":{"Type":"Nope","End":true}}}',
                      "stateName": "A"}, "InvalidDefinition",
     "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The field 'Type' should have "
     "one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map] at /States/A/Type'"),
    ("lone state problems are at /States/StateName", {"definition": '{"Type":"Nope"}'},
     "InvalidDefinition",
     "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The field 'Type' should have "
     "one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map] at "
     "/States/StateName/Type'"),
    ("empty Branches", {"definition": '{"Type":"Parallel","Branches":[],"End":true}', "mock": {"result": "[]"}},
     "InvalidDefinition",
     "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Value cannot be empty at "
     "/States/StateName/Branches'"),
    ("Task without role or mock", {"definition": TASK}, "ValidationException",
     "RoleArn must be specified when testing a Task state"),
    ("Map without mock", {"definition": MAP}, "InvalidDefinition",
     "TestState API does not support Map or Parallel states. Supported state types include: "
     "[Task, Wait, Pass, Succeed, Fail, Choice]"),
    ("Parallel without mock", {"definition": PARALLEL}, "InvalidDefinition",
     "TestState API does not support Map or Parallel states. Supported state types include: "
     "[Task, Wait, Pass, Succeed, Fail, Choice]"),
    ("mocked Pass", {"definition": PASS, "mock": RESULT}, "ValidationException",
     "State type 'Pass' is not supported when a mock is specified"),
    ("mocked Fail", {"definition": '{"Type":"Fail"}', "mock": RESULT}, "ValidationException",
     "State type 'Fail' is not supported when a mock is specified"),
    ("mocked Succeed", {"definition": '{"Type":"Succeed"}', "mock": RESULT}, "ValidationException",
     "State type 'Succeed' is not supported when a mock is specified"),
    ("revealSecrets with mock", {"definition": TASK, "mock": RESULT, "revealSecrets": True},
     "ValidationException", "TestState does not support RevealSecrets when a mock is specified."),
    ("both mock fields", {"definition": TASK, "mock": {**RESULT, **ERROR}}, "ValidationException",
     "A test mock should have only one of the following fields: [result, errorOutput]."),
    ("result not JSON", {"definition": TASK, "mock": {"result": "{nope", "fieldValidationMode": "NONE"}},
     "ValidationException", "Mocked result must be valid JSON"),
    ("Map result not array", {"definition": MAP, "mock": RESULT}, "ValidationException",
     "Mocked result must be an array."),
    ("ResultWriter Map result not object",
     {"definition": json.dumps({**json.loads(MAP), "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "b", "Prefix": "p"}},
                                "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}),
      "mock": {"result": "[]"}},
     "ValidationException", "Mocked result must be a JSON object."),
    ("Parallel result not array", {"definition": PARALLEL, "mock": RESULT}, "ValidationException",
     "Mocked result must be an array."),
    ("Parallel result of wrong length", {"definition": PARALLEL, "mock": {"result": "[1,2]"}},
     "ValidationException",
     "Mocked result must contain the same number of items as number of Parallel branches."),
    ("failure count without mock", {"definition": PASS, "stateConfiguration": {"mapIterationFailureCount": 1}},
     "ValidationException",
     "TestState does not support MapIterationFailureCount when a mock is not specified."),
    ("failure count above iterations", {"definition": MAP, "input": "[1]", "mock": {"result": "[1]"},
                                        "stateConfiguration": {"mapIterationFailureCount": 2}},
     "ValidationException",
     "Map iteration failure count must be less than or equal to the number of Map iterations"),
    ("context Map", {"definition": TASK, "mock": RESULT, "context": '{"Map":{}}'}, "ValidationException",
     "Invalid Context object provided: 'Map' field is not supported when mocking a Context object"),
    ("context unknown key", {"definition": TASK, "mock": RESULT, "context": '{"Pokedex":{}}'},
     "ValidationException", "Invalid Context object provided: Field 'Pokedex' is not allowed"),
    ("context unknown nested key", {"definition": TASK, "mock": RESULT,
                                    "context": '{"Execution":{"pokemon":1}}'},
     "ValidationException", "Invalid Context object provided: Field 'pokemon' is not allowed"),
    ("context Execution.Id type", {"definition": TASK, "mock": RESULT, "context": '{"Execution":{"Id":1}}'},
     "ValidationException", "Invalid Context object provided: Execution.Id must be a string"),
    ("context Task for a plain Task", {"definition": TASK, "mock": RESULT,
                                       "context": '{"Task":{"Token":"t"}}'},
     "ValidationException",
     "Invalid Context object provided: Context object contains 'Task' when state is not a Task "
     "state with a '.sync' or '.waitForTaskToken' service integration pattern"),
    ("input not JSON", {"definition": PASS, "input": "{nope"}, "InvalidExecutionInput",
     "Invalid State Machine Execution Input: 'Unexpected character ('n' (code 110)): was expecting "
     "double-quote to start field name'"),
]  # fmt: skip


def _ids() -> list[str]:
    return [case[0] for case in CASES]


@pytest.mark.parametrize(("request_", "code", "message"), [c[1:] for c in CASES], ids=_ids())
def test_local_client_refuses(request_: dict[str, Any], code: str, message: str) -> None:
    with pytest.raises(ClientError) as info:
        local_client().test_state(**request_)
    assert info.value.response["Error"] == {"Code": code, "Message": message}


def _kwargs(request: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "input" in request:
        out["input"] = json.loads(request["input"])
    for key, name in (("mock", "mock"), ("stateName", "state_name"), ("revealSecrets", "reveal_secrets"),
                      ("stateConfiguration", "state_configuration")):  # fmt: skip
        if key in request:
            out[name] = request[key]
    if "context" in request:
        out["context"] = json.loads(request["context"])
    return out


def _json_input(case: tuple[Any, ...]) -> bool:
    try:
        json.loads(case[1].get("input", "{}"))
    except ValueError:
        return False  # run_state takes the input as a value: it cannot be invalid JSON
    return True


@pytest.mark.parametrize(
    ("request_", "code", "message"),
    [c[1:] for c in CASES if _json_input(c)],
    ids=[c[0] for c in CASES if _json_input(c)],
)
def test_run_state_raises_the_same(request_: dict[str, Any], code: str, message: str) -> None:
    with pytest.raises(StateTestError) as info:
        run_state(request_["definition"], **_kwargs(request_))
    assert (info.value.code, info.value.message) == (code, message)


def test_bad_inspection_level_is_the_model_check() -> None:
    with pytest.raises(StateTestError) as info:
        run_state(PASS, inspection_level="LOUD")
    assert info.value.code == "ValidationException"
    assert info.value.message == (
        "1 validation error detected: Value 'LOUD' at 'inspectionLevel' failed to satisfy "
        "constraint: Member must satisfy enum value set: [INFO, DEBUG, TRACE]"
    )


def test_state_mock_needs_one_field() -> None:
    with pytest.raises(StateTestError, match=r"only one of the following fields"):
        run_state(TASK, mock=StateMock())


def test_results_and_tasks_are_exclusive() -> None:
    with pytest.raises(ValueError, match="either results= or tasks="):
        run_state(PASS, results={}, tasks=lambda request: None)  # type: ignore[arg-type,return-value]
