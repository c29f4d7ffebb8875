"""Nested state machines: ``states:startExecution`` (request/response, .sync, .sync:2)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from pytest_sfn import StateMachine
from pytest_sfn.engine.ports import TaskOutcome, TaskRequest
from pytest_sfn.errors import MockError, UnmockedTaskError
from pytest_sfn.integrations.nested import NestedExecutions, parse_state_machine_arn

ACCOUNT = "123456789012"
CHILD_ARN = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:Child"
RESOURCE = "arn:aws:states:::states:startExecution"

CHILD = {
    "StartAt": "Wait",
    "States": {
        "Wait": {"Type": "Wait", "Seconds": 30, "Next": "Echo"},
        "Echo": {"Type": "Pass", "Parameters": {"got.$": "$"}, "End": True},
    },
}
FAILING_CHILD = {
    "StartAt": "Wait",
    "States": {
        "Wait": {"Type": "Wait", "Seconds": 5, "Next": "Boom"},
        "Boom": {"Type": "Fail", "Error": "Child.Broken", "Cause": "it broke"},
    },
}


def child(definition: dict[str, Any] = CHILD, name: str = "Child") -> StateMachine:
    return StateMachine.from_definition(definition, name=name)


def parent(suffix: str = "", parameters: dict[str, Any] | None = None, **task: Any) -> StateMachine:
    params = (
        parameters if parameters is not None else {"StateMachineArn": CHILD_ARN, "Input": {"a": 1}}
    )
    states: dict[str, Any] = {
        "Start": {"Type": "Task", "Resource": RESOURCE + suffix, "Parameters": params, "End": True}
    }
    states["Start"].update(task)
    if "Catch" in task:
        states["Caught"] = {"Type": "Pass", "End": True}
    return StateMachine.from_definition({"StartAt": "Start", "States": states}, name="Parent")


# -- the three patterns ----------------------------------------------------------------


def test_request_response_returns_start_execution_response_at_once() -> None:
    execution = parent().execute({}, tasks=NestedExecutions({"Child": child()}))

    execution.assert_succeeded()
    out = execution.output
    assert set(out) == {"ExecutionArn", "SdkHttpMetadata", "SdkResponseMetadata", "StartDate"}
    assert out["ExecutionArn"].startswith(f"arn:aws:states:us-east-1:{ACCOUNT}:execution:Child:")
    assert out["StartDate"] == int(execution.start_time.timestamp() * 1000)
    rid = out["SdkResponseMetadata"]["RequestId"]
    assert out["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert out["SdkHttpMetadata"]["HttpHeaders"]["x-amzn-RequestId"] == rid
    assert out["SdkHttpMetadata"]["AllHttpHeaders"]["x-amzn-RequestId"] == [rid]
    # The child's 30 s Wait is not awaited.
    assert execution.stop_time == execution.start_time


@pytest.mark.parametrize(
    ("suffix", "expected_output"),
    [
        (".sync", '{"got":{"a":1}}'),
        (".sync:2", {"got": {"a": 1}}),
    ],
)
def test_sync_patterns_return_the_child_description(suffix: str, expected_output: Any) -> None:
    execution = parent(suffix).execute({}, tasks=NestedExecutions({"Child": child()}))

    execution.assert_succeeded()
    out = execution.output
    assert out["Output"] == expected_output
    assert list(out) == sorted(out)
    start = int(execution.start_time.timestamp() * 1000)
    assert out == {
        "ExecutionArn": out["ExecutionArn"],
        "Input": '{"a":1}',
        "InputDetails": {"Included": True},
        "Name": out["Name"],
        "Output": expected_output,
        "OutputDetails": {"Included": True},
        "RedriveCount": 0,
        "RedriveStatus": "NOT_REDRIVABLE",
        "RedriveStatusReason": "Execution is SUCCEEDED and cannot be redriven",
        "StartDate": start,
        "StateMachineArn": CHILD_ARN,
        "Status": "SUCCEEDED",
        "StopDate": start + 30_000,
    }
    assert (
        out["ExecutionArn"] == f"arn:aws:states:us-east-1:{ACCOUNT}:execution:Child:{out['Name']}"
    )


@pytest.mark.parametrize(("suffix", "advance"), [("", 0), (".sync", 30), (".sync:2", 30)])
def test_child_wait_advances_the_parent_clock_only_when_synchronous(
    suffix: str, advance: int
) -> None:
    execution = parent(suffix).execute({}, tasks=NestedExecutions({"Child": child()}))

    assert execution.stop_time - execution.start_time == timedelta(seconds=advance)
    record = execution.state("Start")
    assert record.exited_at is not None
    assert record.exited_at - record.entered_at == timedelta(seconds=advance)


def test_sync_child_longer_than_task_timeout_times_out_the_task() -> None:
    execution = parent(".sync", TimeoutSeconds=10).execute(
        {}, tasks=NestedExecutions({"Child": child()})
    )

    execution.assert_failed("States.Timeout")


# -- parameters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "child_input"),
    [
        ({"x": [1, 2]}, {"x": [1, 2]}),
        ('{"x": [1, 2]}', {"x": [1, 2]}),
        ("[1]", [1]),
        (None, {}),
    ],
)
def test_input_object_json_text_or_absent(given: Any, child_input: Any) -> None:
    params: dict[str, Any] = {"StateMachineArn": CHILD_ARN}
    if given is not None:
        params["Input"] = given
    execution = parent(".sync:2", params).execute({}, tasks=NestedExecutions({"Child": child()}))

    assert execution.output["Output"] == {"got": child_input}
    assert json.loads(execution.output["Input"]) == child_input


def test_started_by_execution_id_is_kept_in_the_child_input() -> None:
    params = {
        "StateMachineArn": CHILD_ARN,
        "Input": {"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id"},
    }
    execution = parent(".sync:2", params).execute({}, tasks=NestedExecutions({"Child": child()}))

    assert execution.output["Output"] == {
        "got": {"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID": execution.execution_arn}
    }


def test_name_parameter_names_the_child_execution() -> None:
    params = {"StateMachineArn": CHILD_ARN, "Name": "run-1"}
    execution = parent(".sync", params).execute({}, tasks=NestedExecutions({"Child": child()}))

    assert execution.output["Name"] == "run-1"
    assert (
        execution.output["ExecutionArn"]
        == f"arn:aws:states:us-east-1:{ACCOUNT}:execution:Child:run-1"
    )


def test_default_child_names_are_deterministic_and_differ_per_parent_execution() -> None:
    nested = NestedExecutions({"Child": child()})
    first = parent(".sync").execute({}, tasks=nested, name="p1").output["Name"]
    again = parent(".sync").execute({}, tasks=nested, name="p1").output["Name"]
    other = parent(".sync").execute({}, tasks=nested, name="p2").output["Name"]

    assert first == again
    assert first != other


@pytest.mark.parametrize(
    "key",
    [CHILD_ARN, "Child", f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:Child"],
)
def test_machine_keys_by_arn_or_name_bind_the_requested_arn(key: str) -> None:
    # The loaded machine's own name ("other") does not matter: the requested ARN does.
    nested = NestedExecutions({key: child(name="other")})
    execution = parent(".sync").execute({}, tasks=nested)

    assert execution.output["StateMachineArn"] == CHILD_ARN


def test_version_qualified_arn_runs_the_machine() -> None:
    params = {"StateMachineArn": CHILD_ARN + ":1"}
    execution = parent(".sync", params).execute({}, tasks=NestedExecutions({"Child": child()}))

    assert execution.output["Status"] == "SUCCEEDED"


def test_definition_path_is_loaded(tmp_path: Path) -> None:
    path = tmp_path / "child.asl.json"
    path.write_text(json.dumps(CHILD))
    execution = parent(".sync:2").execute({}, tasks=NestedExecutions({"Child": path}))

    assert execution.output["Output"] == {"got": {"a": 1}}


# -- failures --------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".sync", ".sync:2"])
def test_child_failure_is_task_failed_caught_with_the_child_description(suffix: str) -> None:
    catch = [{"ErrorEquals": ["States.TaskFailed"], "Next": "Caught", "ResultPath": "$.err"}]
    execution = parent(suffix, Catch=catch).execute(
        {}, tasks=NestedExecutions({"Child": child(FAILING_CHILD)})
    )

    execution.assert_succeeded()
    assert execution.path == ["Start", "Caught"]
    assert execution.output["err"]["Error"] == "States.TaskFailed"
    cause = json.loads(execution.output["err"]["Cause"])
    assert cause["Status"] == "FAILED"
    assert cause["Error"] == "Child.Broken"
    assert cause["Cause"] == "it broke"
    assert cause["StateMachineArn"] == CHILD_ARN
    assert cause["StopDate"] - cause["StartDate"] == 5_000
    assert "Output" not in cause
    # The child's time still passes for the parent.
    assert execution.stop_time - execution.start_time == timedelta(seconds=5)


def test_child_timeout_is_task_failed() -> None:
    slow = dict(CHILD, TimeoutSeconds=10)
    execution = parent(".sync").execute({}, tasks=NestedExecutions({"Child": child(slow)}))

    execution.assert_failed("States.TaskFailed")
    cause = json.loads(execution.cause or "null")
    assert cause["Status"] == "TIMED_OUT"
    assert "Error" not in cause


def test_request_response_ignores_the_child_failure() -> None:
    execution = parent().execute({}, tasks=NestedExecutions({"Child": child(FAILING_CHILD)}))

    execution.assert_succeeded()


@pytest.mark.parametrize("suffix", ["", ".sync", ".sync:2"])
def test_unknown_machine_fails_with_state_machine_does_not_exist(suffix: str) -> None:
    arn = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:Missing"
    execution = parent(suffix, {"StateMachineArn": arn}).execute(
        {}, tasks=NestedExecutions({"Child": child()})
    )

    execution.assert_failed("StepFunctions.StateMachineDoesNotExistException")
    assert execution.cause is not None
    assert execution.cause.startswith(
        f"State Machine Does Not Exist: '{arn}' (Service: AWSStepFunctions; Status Code: 400; "
        "Error Code: StateMachineDoesNotExist; Request ID: "
    )
    assert execution.cause.endswith("; Proxy: null)")


def test_arn_key_does_not_match_another_region() -> None:
    arn = f"arn:aws:states:eu-west-1:{ACCOUNT}:stateMachine:Child"
    execution = parent(".sync", {"StateMachineArn": arn}).execute(
        {}, tasks=NestedExecutions({CHILD_ARN: child()})
    )

    execution.assert_failed("StepFunctions.StateMachineDoesNotExistException")


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"StateMachineArn": "Child"}, "StepFunctions.InvalidArnException"),
        ({"StateMachineArn": CHILD_ARN, "Input": "{not json"},
         "StepFunctions.InvalidExecutionInputException"),
    ],
)  # fmt: skip
def test_bad_parameters_fail_with_service_errors(params: dict[str, Any], error: str) -> None:
    execution = parent(".sync", params).execute({}, tasks=NestedExecutions({"Child": child()}))

    execution.assert_failed(error)


def test_missing_state_machine_arn_is_a_mock_error() -> None:
    with pytest.raises(MockError, match="StateMachineArn"):
        parent(".sync", {"Input": {}}).execute({}, tasks=NestedExecutions({"Child": child()}))


# -- child tasks, fallback ------------------------------------------------------------

TASK_CHILD = {
    "StartAt": "Work",
    "States": {"Work": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                        "Parameters": {"QueueUrl": "q", "MessageBody": "m"}, "End": True}},
}  # fmt: skip


def test_child_task_without_child_tasks_fails_the_child_as_unmocked() -> None:
    execution = parent(".sync").execute({}, tasks=NestedExecutions({"Child": child(TASK_CHILD)}))

    execution.assert_failed("States.TaskFailed")
    assert json.loads(execution.cause or "null")["Error"] == "pytest_sfn.UnmockedTask"


def test_child_tasks_answer_the_child_task_states() -> None:
    seen: list[str] = []

    def answer(request: TaskRequest) -> TaskOutcome:
        seen.append(request.state_name)
        return TaskOutcome(output={"MessageId": "m-1"}, duration=7)

    nested = NestedExecutions({"Child": child(TASK_CHILD)}, child_tasks=answer)
    execution = parent(".sync:2").execute({}, tasks=nested)

    assert seen == ["Work"]
    assert execution.output["Output"] == {"MessageId": "m-1"}
    assert execution.stop_time - execution.start_time == timedelta(seconds=7)


def test_grandchildren_run_through_the_same_handler() -> None:
    middle = {
        "StartAt": "Call",
        "States": {"Call": {"Type": "Task", "Resource": RESOURCE + ".sync:2",
                            "Parameters": {"StateMachineArn": CHILD_ARN, "Input": {"b": 2}},
                            "OutputPath": "$.Output", "End": True}},
    }  # fmt: skip
    middle_arn = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:Middle"
    nested = NestedExecutions({"Child": child(), "Middle": child(middle, "Middle")})
    execution = parent(".sync:2", {"StateMachineArn": middle_arn}).execute({}, tasks=nested)

    assert execution.output["Output"] == {"got": {"b": 2}}
    assert execution.stop_time - execution.start_time == timedelta(seconds=30)


def test_other_resources_go_to_fallback_or_raise() -> None:
    sm = StateMachine.from_definition(TASK_CHILD, name="Other")
    nested = NestedExecutions({"Child": child()})
    with pytest.raises(UnmockedTaskError, match="NestedExecutions"):
        sm.execute({}, tasks=nested)

    with_fallback = NestedExecutions(
        {"Child": child()}, fallback=lambda request: TaskOutcome(output={"via": "fallback"})
    )
    assert sm.execute({}, tasks=with_fallback).output == {"via": "fallback"}


@pytest.mark.parametrize(
    ("machines", "match"),
    [
        ({"bad key:x/y": "x.json"}, "neither a state machine ARN nor a name"),
        ({"Child": 42}, "must be a StateMachine or a definition path"),
    ],
)
def test_invalid_registrations_raise(machines: dict[str, Any], match: str) -> None:
    with pytest.raises(MockError, match=match):
        NestedExecutions(machines)


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        (CHILD_ARN, ("aws", "us-east-1", ACCOUNT, "Child", None)),
        (CHILD_ARN + ":prod", ("aws", "us-east-1", ACCOUNT, "Child", "prod")),
        ("arn:aws-cn:states:cn-north-1:123456789012:stateMachine:X",
         ("aws-cn", "cn-north-1", ACCOUNT, "X", None)),
        ("Child", None),
        (f"arn:aws:states:us-east-1:{ACCOUNT}:activity:Child", None),
    ],
)  # fmt: skip
def test_parse_state_machine_arn(text: str, parsed: tuple[Any, ...] | None) -> None:
    ref = parse_state_machine_arn(text)
    if parsed is None:
        assert ref is None
    else:
        assert ref is not None
        assert (ref.partition, ref.region, ref.account, ref.name, ref.qualifier) == parsed
