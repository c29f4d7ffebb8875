"""``local_client()`` driven through the real botocore client, as a user (or AWS) sees it."""

from __future__ import annotations

import json
import socket
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError

from pytest_sfn import MockError, local_client
from pytest_sfn.service import SfnBackend

ROLE = "arn:aws:iam::123456789012:role/sfn-role"
PREFIX = "arn:aws:states:us-east-1:123456789012"
T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
PASS = {
    "Comment": "BASE_PASS_RESULT",
    "StartAt": "State_1",
    "States": {"State_1": {"Type": "Pass", "Result": {"Arg1": "argument1"}, "End": True}},
}
TASK = {
    "StartAt": "Charge",
    "States": {
        "Charge": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}
    },
}


def body(response: dict[str, Any]) -> dict[str, Any]:
    """The response without botocore's ResponseMetadata."""
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def ms(milliseconds: int) -> datetime:
    """The service clock ``milliseconds`` after 2024-01-01T00:00:00Z."""
    return T0 + timedelta(milliseconds=milliseconds)


@pytest.fixture
def client() -> Any:
    return local_client()


def create(client: Any, definition: Any = PASS, name: str = "sm", **extra: Any) -> str:
    text = definition if isinstance(definition, str) else json.dumps(definition)
    response = client.create_state_machine(name=name, definition=text, roleArn=ROLE, **extra)
    arn: str = response["stateMachineArn"]
    return arn


def start(client: Any, arn: str, **extra: Any) -> str:
    execution_arn: str = client.start_execution(stateMachineArn=arn, **extra)["executionArn"]
    return execution_arn


def error_of(call: Any) -> dict[str, str]:
    with pytest.raises(ClientError) as info:
        call()
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return {"Code": info.value.response["Error"]["Code"], "Message": info.value.response["Error"]["Message"]}  # fmt: skip


# --- state machines ---------------------------------------------------------------------


def test_create_and_describe_state_machine(client: Any) -> None:
    text = json.dumps(PASS, indent=2)
    created = client.create_state_machine(name="sm", definition=text, roleArn=ROLE)
    assert body(created) == {"stateMachineArn": f"{PREFIX}:stateMachine:sm", "creationDate": ms(1)}
    assert body(client.describe_state_machine(stateMachineArn=created["stateMachineArn"])) == {
        "stateMachineArn": f"{PREFIX}:stateMachine:sm",
        "name": "sm",
        "status": "ACTIVE",
        "definition": text,  # the text as given, formatting included
        "roleArn": ROLE,
        "type": "STANDARD",
        "creationDate": ms(1),
        "loggingConfiguration": {"level": "OFF", "includeExecutionData": False},
        "tracingConfiguration": {"enabled": False},
        "encryptionConfiguration": {"type": "AWS_OWNED_KEY"},
    }


def test_create_is_idempotent_for_the_same_definition_and_rejects_another(client: Any) -> None:
    first = client.create_state_machine(name="sm", definition=json.dumps(PASS), roleArn=ROLE)
    again = client.create_state_machine(
        name="sm", definition=json.dumps(PASS), roleArn=ROLE + "-other"
    )
    assert body(again) == body(first)
    other = {**PASS, "Comment": "changed"}
    assert error_of(lambda: create(client, other)) == {
        "Code": "StateMachineAlreadyExists",
        "Message": f"State Machine Already Exists: '{PREFIX}:stateMachine:sm'",
    }


def test_create_keeps_logging_tracing_and_tags(client: Any) -> None:
    group = "arn:aws:logs:us-east-1:123456789012:log-group:sfn:*"
    logging = {
        "level": "ALL",
        "includeExecutionData": True,
        "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": group}}],
    }
    arn = create(
        client, tracingConfiguration={"enabled": True}, loggingConfiguration=logging,
        tags=[{"key": "team", "value": "payments"}], type="EXPRESS",
    )  # fmt: skip
    described = client.describe_state_machine(stateMachineArn=arn)
    assert described["loggingConfiguration"] == logging
    assert described["tracingConfiguration"] == {"enabled": True}
    assert described["type"] == "EXPRESS"
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == [
        {"key": "team", "value": "payments"}
    ]


def test_list_state_machines_is_sorted_by_name(client: Any) -> None:
    for name in ("b", "a", "c_10", "c_1"):
        create(client, name=name)
    listed = client.list_state_machines()["stateMachines"]
    assert [m["name"] for m in listed] == ["a", "b", "c_1", "c_10"]
    assert listed[0] == {
        "stateMachineArn": f"{PREFIX}:stateMachine:a",
        "name": "a",
        "type": "STANDARD",
        "creationDate": ms(2),
    }


def test_update_state_machine_changes_revision_only_when_something_changes(client: Any) -> None:
    arn = create(client)
    old = start(client, arn, name="before")
    changed = json.dumps({**PASS, "Comment": "v2"})
    first = body(client.update_state_machine(stateMachineArn=arn, definition=changed))
    assert set(first) == {"updateDate", "revisionId"}
    same = body(client.update_state_machine(stateMachineArn=arn, definition=changed))
    assert same["revisionId"] == first["revisionId"]
    assert same["updateDate"] > first["updateDate"]
    described = client.describe_state_machine(stateMachineArn=arn)
    assert described["definition"] == changed
    assert described["revisionId"] == first["revisionId"]
    # The old execution still describes the revision it ran.
    for_old = body(client.describe_state_machine_for_execution(executionArn=old))
    assert for_old["definition"] == json.dumps(PASS)
    assert for_old["updateDate"] == ms(1)
    assert "revisionId" not in for_old and "status" not in for_old and "type" not in for_old
    new = start(client, arn, name="after")
    for_new = client.describe_state_machine_for_execution(executionArn=new)
    assert for_new["revisionId"] == first["revisionId"]
    assert for_new["updateDate"] == first["updateDate"]


def test_update_state_machine_needs_something_to_update(client: Any) -> None:
    arn = create(client)
    assert error_of(lambda: client.update_state_machine(stateMachineArn=arn)) == {
        "Code": "MissingRequiredParameter",
        "Message": "Either the definition, the role ARN, the LoggingConfiguration, or the "
        "TracingConfiguration must be specified",
    }


def test_delete_state_machine(client: Any) -> None:
    arn = create(client)
    assert body(client.delete_state_machine(stateMachineArn=arn)) == {}
    assert error_of(lambda: client.describe_state_machine(stateMachineArn=arn)) == {
        "Code": "StateMachineDoesNotExist",
        "Message": f"State Machine Does Not Exist: '{arn}'",
    }
    # Deleting what does not exist succeeds, as on AWS.
    assert body(client.delete_state_machine(stateMachineArn=arn)) == {}


def test_tags_round_trip(client: Any) -> None:
    arn = create(client, tags=[{"key": "a", "value": "1"}])
    client.tag_resource(
        resourceArn=arn, tags=[{"key": "b", "value": "2"}, {"key": "a", "value": "3"}]
    )
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == [
        {"key": "a", "value": "3"},
        {"key": "b", "value": "2"},
    ]
    client.untag_resource(resourceArn=arn, tagKeys=["a", "missing"])
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "b", "value": "2"}]


# --- executions -------------------------------------------------------------------------


def test_start_execution_runs_to_completion(client: Any) -> None:
    arn = create(client)
    started = client.start_execution(stateMachineArn=arn, name="run-1", input='{"a": 1}')
    execution = f"{PREFIX}:execution:sm:run-1"
    assert body(started) == {"executionArn": execution, "startDate": ms(2)}
    assert body(client.describe_execution(executionArn=execution)) == {
        "executionArn": execution,
        "stateMachineArn": arn,
        "name": "run-1",
        "status": "SUCCEEDED",
        "startDate": ms(2),
        "stopDate": ms(2),
        "input": '{"a": 1}',
        "inputDetails": {"included": True},
        "output": '{"Arg1":"argument1"}',
        "outputDetails": {"included": True},
        "redriveCount": 0,
        "redriveStatus": "NOT_REDRIVABLE",
        "redriveStatusReason": "Execution is SUCCEEDED and cannot be redriven",
    }


def test_history_of_a_pass_execution_is_the_aws_sequence(client: Any) -> None:
    execution = start(client, create(client), input="{}")
    events = client.get_execution_history(executionArn=execution)["events"]
    assert events == [
        {
            "timestamp": ms(2), "type": "ExecutionStarted", "id": 1, "previousEventId": 0,
            "executionStartedEventDetails": {
                "input": "{}", "inputDetails": {"truncated": False}, "roleArn": ROLE,
            },
        },
        {
            "timestamp": ms(2), "type": "PassStateEntered", "id": 2, "previousEventId": 0,
            "stateEnteredEventDetails": {
                "name": "State_1", "input": "{}", "inputDetails": {"truncated": False},
            },
        },
        {
            "timestamp": ms(2), "type": "PassStateExited", "id": 3, "previousEventId": 2,
            "stateExitedEventDetails": {
                "name": "State_1", "output": '{"Arg1":"argument1"}',
                "outputDetails": {"truncated": False},
            },
        },
        {
            "timestamp": ms(2), "type": "ExecutionSucceeded", "id": 4, "previousEventId": 3,
            "executionSucceededEventDetails": {
                "output": '{"Arg1":"argument1"}', "outputDetails": {"truncated": False},
            },
        },
    ]  # fmt: skip
    reverse = client.get_execution_history(executionArn=execution, reverseOrder=True)["events"]
    assert reverse == events[::-1]


def test_history_without_execution_data(client: Any) -> None:
    execution = start(client, create(client), input='{"secret": 1}')
    events = client.get_execution_history(executionArn=execution, includeExecutionData=False)
    started, entered, exited, succeeded = events["events"]
    assert started["executionStartedEventDetails"] == {
        "inputDetails": {"truncated": False},
        "roleArn": ROLE,
    }
    assert entered["stateEnteredEventDetails"] == {
        "name": "State_1",
        "inputDetails": {"truncated": False},
    }
    assert "output" not in exited["stateExitedEventDetails"]
    assert "output" not in succeeded["executionSucceededEventDetails"]


@pytest.mark.parametrize("text", ["1", '"hello"', "null", "[1, 2]", ' {"a": [true]} '])
def test_any_json_value_is_a_valid_input_and_is_kept_verbatim(client: Any, text: str) -> None:
    execution = start(client, create(client), input=text)
    described = client.describe_execution(executionArn=execution)
    assert described["status"] == "SUCCEEDED"
    assert described["input"] == text
    first = client.get_execution_history(executionArn=execution)["events"][0]
    assert first["executionStartedEventDetails"]["input"] == text


def test_missing_input_is_an_empty_object(client: Any) -> None:
    execution = start(client, create(client))
    assert client.describe_execution(executionArn=execution)["input"] == "{}"


def test_duplicate_execution_name_is_refused_since_executions_are_closed(client: Any) -> None:
    arn = create(client)
    first = start(client, arn, name="once", input='{"n": 1}')
    described = body(client.describe_execution(executionArn=first))
    expected = {"Code": "ExecutionAlreadyExists", "Message": f"Execution Already Exists: '{first}'"}
    # AWS is idempotent only while the first execution is RUNNING; ours always finished.
    assert error_of(lambda: start(client, arn, name="once", input='{"n": 1}')) == expected
    assert error_of(lambda: start(client, arn, name="once", input='{"n": 2}')) == expected
    assert body(client.describe_execution(executionArn=first)) == described
    assert len(client.list_executions(stateMachineArn=arn)["executions"]) == 1


def test_generated_execution_names_are_uuids_and_deterministic() -> None:
    def names() -> list[str]:
        client = local_client()
        arn = create(client)
        return [start(client, arn).rsplit(":", 1)[1] for _ in range(3)]

    first = names()
    assert first == names()
    assert len(set(first)) == 3
    assert all(len(n) == 36 and n[14] == "4" for n in first)


def test_list_executions_newest_first_and_status_filter(client: Any) -> None:
    ok = create(client)
    runs = [start(client, ok, name=f"r{i}") for i in range(3)]
    listed = client.list_executions(stateMachineArn=ok)["executions"]
    assert [e["executionArn"] for e in listed] == runs[::-1]
    assert listed[0] == {
        "executionArn": runs[2],
        "stateMachineArn": ok,
        "name": "r2",
        "status": "SUCCEEDED",
        "startDate": ms(4),
        "stopDate": ms(4),
        "redriveCount": 0,
    }
    assert client.list_executions(stateMachineArn=ok, statusFilter="FAILED")["executions"] == []
    redriven = client.list_executions(stateMachineArn=ok, redriveFilter="REDRIVEN")
    assert redriven["executions"] == []


def test_failed_execution_is_redrivable_and_shows_error_and_cause(client: Any) -> None:
    fail = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom", "Cause": "why"}}}
    execution = start(client, create(client, fail))
    described = client.describe_execution(executionArn=execution)
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED",
        "Boom",
        "why",
    )
    assert described["redriveStatus"] == "REDRIVABLE"
    assert "redriveStatusReason" not in described and "output" not in described
    assert client.list_executions(stateMachineArn=described["stateMachineArn"], statusFilter="FAILED")[
        "executions"
    ][0]["executionArn"] == execution  # fmt: skip


def test_timed_out_execution_shows_no_error_in_describe(client: Any) -> None:
    slow = {"StartAt": "W", "TimeoutSeconds": 3, "States": {"W": {"Type": "Wait", "Seconds": 25, "End": True}}}  # fmt: skip
    execution = start(client, create(client, slow))
    described = client.describe_execution(executionArn=execution)
    assert described["status"] == "TIMED_OUT"
    assert described["stopDate"] - described["startDate"] == timedelta(seconds=3)
    assert "error" not in described and "cause" not in described
    last = client.get_execution_history(executionArn=execution)["events"][-1]
    assert last["executionTimedOutEventDetails"] == {"error": "States.Timeout"}


def test_the_service_clock_moves_past_each_execution(client: Any) -> None:
    wait = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 10, "End": True}}}
    arn = create(client, wait)
    first = client.describe_execution(executionArn=start(client, arn))
    second = client.describe_execution(executionArn=start(client, arn))
    assert first["stopDate"] == first["startDate"] + timedelta(seconds=10)
    assert second["startDate"] == first["stopDate"] + timedelta(milliseconds=1)


def test_stop_execution_of_a_closed_execution_changes_nothing(client: Any) -> None:
    execution = start(client, create(client))
    before = body(client.describe_execution(executionArn=execution))
    stopped = client.stop_execution(executionArn=execution, error="E", cause="C")
    assert stopped["stopDate"] == before["stopDate"]
    assert body(client.describe_execution(executionArn=execution)) == before


def test_express_machines_run_asynchronously_and_synchronously(client: Any) -> None:
    arn = create(client, type="EXPRESS")
    execution = start(client, arn, name="fast")
    assert execution.startswith(f"{PREFIX}:express:sm:fast:")
    express = {"Code": "InvalidArn", "Message": "Invalid Arn: 'Resource type not valid in this context: express'"}  # fmt: skip
    assert error_of(lambda: client.describe_execution(executionArn=execution)) == express
    assert error_of(lambda: client.get_execution_history(executionArn=execution)) == express
    assert error_of(lambda: client.stop_execution(executionArn=execution)) == express
    not_supported = {
        "Code": "StateMachineTypeNotSupported",
        "Message": "This operation is not supported by this type of state machine",
    }
    assert error_of(lambda: client.list_executions(stateMachineArn=arn)) == not_supported
    sync = body(client.start_sync_execution(stateMachineArn=arn, name="sync", input='{"x": 1}'))
    assert sync.pop("executionArn").startswith(f"{PREFIX}:express:sm:sync:")
    assert sync == {
        "stateMachineArn": arn,
        "name": "sync",
        "startDate": ms(3),
        "stopDate": ms(3),
        "status": "SUCCEEDED",
        "input": '{"x": 1}',
        "inputDetails": {"included": True},
        "output": '{"Arg1":"argument1"}',
        "outputDetails": {"included": True},
        "billingDetails": {"billedMemoryUsedInMB": 64, "billedDurationInMilliseconds": 100},
    }


def test_start_sync_execution_bills_whole_100ms_and_reports_failures(client: Any) -> None:
    definition = {
        "StartAt": "W",
        "States": {
            "W": {"Type": "Wait", "Seconds": 1, "Next": "F"},
            "F": {"Type": "Fail", "Error": "Nope", "Cause": "bad"},
        },
    }
    arn = create(client, definition, type="EXPRESS")
    sync = client.start_sync_execution(stateMachineArn=arn, includedData="METADATA_ONLY")
    assert (sync["status"], sync["error"], sync["cause"]) == ("FAILED", "Nope", "bad")
    assert sync["billingDetails"]["billedDurationInMilliseconds"] == 1000
    assert "input" not in sync and sync["inputDetails"] == {"included": False}
    standard = create(client, name="std")
    assert error_of(lambda: client.start_sync_execution(stateMachineArn=standard))["Code"] == (
        "StateMachineTypeNotSupported"
    )


# --- Task states --------------------------------------------------------------------------


def test_results_answer_task_states() -> None:
    client = local_client(results={"Charge": {"Payload": {"ok": True}}})
    execution = start(client, create(client, TASK))
    described = client.describe_execution(executionArn=execution)
    assert json.loads(described["output"]) == {"Payload": {"ok": True}}


def test_an_unanswered_task_fails_the_execution_past_any_catch(client: Any) -> None:
    caught = {
        "StartAt": "Charge",
        "States": {
            "Charge": {
                "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 3}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}], "End": True,
            },
            "Done": {"Type": "Succeed"},
        },
    }  # fmt: skip
    execution = start(client, create(client, caught))
    described = client.describe_execution(executionArn=execution)
    assert described["status"] == "FAILED"
    assert described["error"] == "pytest_sfn.UnmockedTask"
    assert "'Charge'" in described["cause"] and "results=" in described["cause"]
    events = client.get_execution_history(executionArn=execution)["events"]
    assert [e["type"] for e in events] == [
        "ExecutionStarted", "TaskStateEntered", "TaskScheduled", "ExecutionFailed",
    ]  # fmt: skip
    assert events[-1]["previousEventId"] == 3
    assert events[-1]["executionFailedEventDetails"] == {
        "error": "pytest_sfn.UnmockedTask",
        "cause": described["cause"],
    }


# --- ValidateStateMachineDefinition --------------------------------------------------------


def test_validate_a_valid_definition(client: Any) -> None:
    response = client.validate_state_machine_definition(definition=json.dumps(PASS))
    assert body(response) == {"result": "OK", "diagnostics": [], "truncated": False}


@pytest.mark.parametrize(
    ("definition", "diagnostic"),
    [
        (
            "not a definition",
            {
                "severity": "ERROR",
                "code": "INVALID_JSON_DESCRIPTION",
                "message": "Unrecognized token 'not': was expecting (JSON String, Number, Array, "
                "Object or token 'null', 'true' or 'false')\n at [Source: (String)\"not a "
                'definition"; line: 1, column: 4]',
                "location": '[Source: (String)"not a definition"; line: 1, column: 4]',
            },
        ),
        (
            " ",
            {
                "severity": "ERROR",
                "code": "SCHEMA_VALIDATION_FAILED",
                "message": "Definition must be a valid JSON object",
            },
        ),
        (
            "{}",
            {
                "severity": "ERROR",
                "code": "SCHEMA_VALIDATION_FAILED",
                "message": "These fields are required: [States, StartAt]",
                "location": "/",
            },
        ),
    ],
    ids=["not-json", "blank", "empty-object"],
)
def test_validate_reports_aws_diagnostics(
    client: Any, definition: str, diagnostic: dict[str, str]
) -> None:
    response = client.validate_state_machine_definition(definition=definition)
    assert body(response) == {"result": "FAIL", "diagnostics": [diagnostic], "truncated": False}


def test_validate_express_rejects_callbacks(client: Any) -> None:
    definition = {
        "StartAt": "SendMessageWithWait",
        "States": {
            "SendMessageWithWait": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": "q", "MessageBody": {"t.$": "$$.Task.Token"}},
                "End": True,
            }
        },
    }
    text = json.dumps(definition)
    assert client.validate_state_machine_definition(definition=text)["result"] == "OK"
    express = client.validate_state_machine_definition(definition=text, type="EXPRESS")
    assert express["diagnostics"] == [
        {
            "severity": "ERROR",
            "code": "SCHEMA_VALIDATION_FAILED",
            "message": "Express state machine does not support '.waitForTaskToken' service "
            "integration ",
            "location": "/States/SendMessageWithWait/Resource",
        }
    ]
    assert error_of(lambda: create(client, definition, type="EXPRESS")) == {
        "Code": "InvalidDefinition",
        "Message": "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express state "
        "machine does not support '.waitForTaskToken' service integration  at "
        "/States/SendMessageWithWait/Resource'",
    }


def test_validate_severity_and_max_results(client: Any) -> None:
    broken = {
        "StartAt": "A",
        "States": {f"S{i}": {"Type": "Pass", "Next": f"Missing{i}"} for i in range(3)},
    }
    text = json.dumps(broken)
    everything = client.validate_state_machine_definition(definition=text)
    assert everything["result"] == "FAIL" and everything["truncated"] is False
    count = len(everything["diagnostics"])
    assert count >= 3
    capped = client.validate_state_machine_definition(definition=text, maxResults=2)
    assert capped["diagnostics"] == everything["diagnostics"][:2]
    assert capped["truncated"] is True


# --- errors ------------------------------------------------------------------------------

MISSING_SM = f"{PREFIX}:stateMachine:missing"
MISSING_EXEC = f"{PREFIX}:execution:missing:run"


@pytest.mark.parametrize(
    ("operation", "params", "code", "message"),
    [
        ("describe_state_machine", {"stateMachineArn": "not_a_valid_arn"}, "InvalidArn",
         "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'"),
        ("describe_state_machine", {"stateMachineArn": MISSING_SM}, "StateMachineDoesNotExist",
         f"State Machine Does Not Exist: '{MISSING_SM}'"),
        ("describe_state_machine", {"stateMachineArn": MISSING_EXEC}, "InvalidArn",
         "Invalid Arn: 'Resource type not valid in this context: execution'"),
        ("start_execution", {"stateMachineArn": MISSING_EXEC}, "InvalidArn",
         "Invalid Arn: 'Resource type not valid in this context: execution'"),
        ("start_execution", {"stateMachineArn": MISSING_SM}, "StateMachineDoesNotExist",
         f"State Machine Does Not Exist: '{MISSING_SM}'"),
        ("list_executions", {"stateMachineArn": "invalid_state_machine_arn"}, "InvalidArn",
         "Invalid Arn: 'Invalid ARN prefix: invalid_state_machine_arn'"),
        ("list_executions", {"stateMachineArn": MISSING_SM}, "StateMachineDoesNotExist",
         f"State Machine Does Not Exist: '{MISSING_SM}'"),
        ("list_executions", {"stateMachineArn": MISSING_SM, "statusFilter": "succeeded"},
         "ValidationException",
         "1 validation error detected: Value 'succeeded' at 'statusFilter' failed to satisfy "
         "constraint: Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, "
         "PENDING_REDRIVE, ABORTED, FAILED, RUNNING]"),
        ("describe_execution", {"executionArn": "invalid_state_machine_arn"}, "InvalidArn",
         "Invalid Arn: 'Invalid ARN prefix: invalid_state_machine_arn'"),
        ("describe_execution", {"executionArn": MISSING_EXEC}, "ExecutionDoesNotExist",
         f"Execution Does Not Exist: '{MISSING_EXEC}'"),
        ("get_execution_history", {"executionArn": MISSING_EXEC}, "ExecutionDoesNotExist",
         f"Execution Does Not Exist: '{MISSING_EXEC}'"),
        ("get_execution_history", {"executionArn": MISSING_SM}, "InvalidArn",
         "Invalid Arn: 'Resource type not valid in this context: stateMachine'"),
        ("stop_execution", {"executionArn": MISSING_EXEC}, "ExecutionDoesNotExist",
         f"Execution Does Not Exist: '{MISSING_EXEC}'"),
        ("describe_state_machine_for_execution", {"executionArn": MISSING_EXEC},
         "ExecutionDoesNotExist", f"Execution Does Not Exist: '{MISSING_EXEC}'"),
        ("update_state_machine", {"stateMachineArn": MISSING_SM, "roleArn": ROLE},
         "StateMachineDoesNotExist", f"State Machine Does Not Exist: '{MISSING_SM}'"),
        ("list_state_machines", {"maxResults": 1001}, "ValidationException",
         "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy "
         "constraint: Member must have value less than or equal to 1000"),
        ("list_state_machines", {"nextToken": "x" * 1025}, "ValidationException",
         f"1 validation error detected: Value '{'x' * 1025}' at 'nextToken' failed to satisfy "
         "constraint: Member must have length less than or equal to 1024"),
        ("list_state_machines", {"nextToken": "garbage"}, "InvalidToken",
         "Invalid Token: 'Invalid token'"),
        ("create_state_machine", {"name": "n" * 81, "definition": "{}", "roleArn": ROLE},
         "ValidationException",
         f"1 validation error detected: Value '{'n' * 81}' at 'name' failed to satisfy "
         "constraint: Member must have length less than or equal to 80"),
        ("create_state_machine", {"name": "a b", "definition": "{}", "roleArn": ROLE},
         "InvalidName", "Invalid Name: 'a b'"),
        ("create_state_machine", {"name": "ok", "definition": json.dumps(PASS), "roleArn": ROLE,
                                  "type": "BATCH"}, "ValidationException",
         "1 validation error detected: Value 'BATCH' at 'type' failed to satisfy constraint: "
         "Member must satisfy enum value set: [STANDARD, EXPRESS]"),
        ("create_state_machine", {"name": "ok", "roleArn": ROLE,
                                  "definition": '{"States": {"A": {"Type": "Succeed"}}}'},
         "InvalidDefinition",
         "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are "
         "required: [StartAt] at /'"),
        ("create_state_machine", {"name": "ok", "definition": "{'a': 1}", "roleArn": ROLE},
         "InvalidDefinition",
         "Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: Unexpected character "
         "(''' (code 39)): was expecting double-quote to start field name\n at [Source: "
         "(String)\"{'a': 1}\"; line: 1, column: 3]'"),
        ("create_state_machine", {"name": "ok", "definition": json.dumps(PASS), "roleArn": ROLE,
                                  "loggingConfiguration": {"level": "ALL"}},
         "InvalidLoggingConfiguration",
         "Invalid Logging Configuration: Must specify exactly one Log Destination."),
        ("tag_resource", {"resourceArn": MISSING_SM, "tags": []}, "ResourceNotFound",
         f"Resource not found: '{MISSING_SM}'"),
        ("list_tags_for_resource", {"resourceArn": "nope"}, "InvalidArn",
         "Invalid Arn: 'Invalid ARN prefix: nope'"),
    ],
)  # fmt: skip
def test_errors_have_aws_codes_and_messages(
    client: Any, operation: str, params: dict[str, Any], code: str, message: str
) -> None:
    assert error_of(lambda: getattr(client, operation)(**params)) == {
        "Code": code,
        "Message": message,
    }


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("not json", "Unrecognized token 'not': was expecting (JSON String, Number, Array, "
         "Object or token 'null', 'true' or 'false')"),
        ("{'a': 1}", "Unexpected character (''' (code 39)): was expecting double-quote to start "
         "field name"),
        ("", "Invalid execution input."),
        ("NaN", "Non-standard token 'NaN': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to "
         "allow"),
    ],
)  # fmt: skip
def test_invalid_execution_input(client: Any, text: str, problem: str) -> None:
    arn = create(client)
    assert error_of(lambda: start(client, arn, input=text)) == {
        "Code": "InvalidExecutionInput",
        "Message": f"Invalid State Machine Execution Input: '{problem}'",
    }


def test_errors_are_botocore_modeled_exceptions(client: Any) -> None:
    with pytest.raises(client.exceptions.StateMachineDoesNotExist) as info:
        client.describe_state_machine(stateMachineArn=MISSING_SM)
    assert info.value.response["message"] == f"State Machine Does Not Exist: '{MISSING_SM}'"


def test_invalid_execution_name(client: Any) -> None:
    arn = create(client)
    assert error_of(lambda: start(client, arn, name="a/b")) == {
        "Code": "InvalidName",
        "Message": "Invalid Name: 'a/b'",
    }


def test_input_over_256_kib_is_a_validation_error_without_the_value(client: Any) -> None:
    arn = create(client)
    assert error_of(lambda: start(client, arn, input='"' + "x" * 262_144 + '"')) == {
        "Code": "ValidationException",
        "Message": "1 validation error detected: Value at 'input' failed to satisfy constraint: "
        "Member must have length less than or equal to 262144",
    }


# --- the client itself ------------------------------------------------------------------


def test_no_socket_is_ever_opened(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("local_client opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    client = local_client()
    arn = create(client, type="EXPRESS")
    client.start_sync_execution(stateMachineArn=arn)  # uses the "sync-" host prefix
    standard = create(client, name="std")
    execution = start(client, standard)
    client.get_execution_history(executionArn=execution)
    client.list_state_machines()
    client.validate_state_machine_definition(definition="{}")
    with pytest.raises(ClientError):
        client.describe_state_machine(stateMachineArn=MISSING_SM)


def test_environment_and_aws_config_files_are_ignored(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    broken = tmp_path / "config"
    broken.write_text("[profile x\nnot ini at all")
    monkeypatch.setenv("AWS_PROFILE", "does-not-exist")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(broken))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(broken))
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "not-a-number")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    client = local_client()
    signatures: list[bytes] = []
    client.meta.events.register(
        "before-send.sfn", lambda request, **_: signatures.append(request.headers["Authorization"])
    )
    assert client.meta.region_name == "us-east-1"
    assert create(client) == f"{PREFIX}:stateMachine:sm"
    assert len(signatures) == 1
    assert signatures[0].startswith(b"AWS4-HMAC-SHA256 Credential=testing/")


def test_clients_share_a_backend_within_their_region_and_account() -> None:
    backend = SfnBackend()
    first = local_client(backend=backend)
    second = local_client(backend=backend)
    elsewhere = local_client(backend=backend, region_name="eu-west-1")
    other_account = local_client(backend=backend, account_id="210987654321")
    arn = create(first)
    assert second.describe_state_machine(stateMachineArn=arn)["name"] == "sm"
    assert elsewhere.list_state_machines()["stateMachines"] == []
    assert other_account.list_state_machines()["stateMachines"] == []
    assert create(elsewhere) == "arn:aws:states:eu-west-1:123456789012:stateMachine:sm"
    assert error_of(lambda: elsewhere.describe_state_machine(stateMachineArn=arn))["Code"] == (
        "StateMachineDoesNotExist"
    )
    assert [e.execution_arn for e in backend.executions()] == []
    execution = start(second, arn)
    assert [e.execution_arn for e in backend.executions()] == [execution]


def test_a_whole_session_is_reproducible() -> None:
    def session() -> list[Any]:
        client = local_client()
        arn = create(client)
        execution = start(client, arn, input='{"k": [1, 2]}')
        return [
            body(client.describe_state_machine(stateMachineArn=arn)),
            body(client.describe_execution(executionArn=execution)),
            body(client.get_execution_history(executionArn=execution)),
            body(client.list_executions(stateMachineArn=arn)),
        ]

    assert session() == session()


def test_botocore_paginators_work(client: Any) -> None:
    arn = create(client)
    runs = [start(client, arn, name=f"r{i}") for i in range(5)]
    pages = client.get_paginator("list_executions").paginate(
        stateMachineArn=arn, PaginationConfig={"PageSize": 2}
    )
    assert [e["executionArn"] for p in pages for e in p["executions"]] == runs[::-1]


def test_unsupported_operations_say_so(client: Any) -> None:
    machine = f"{PREFIX}:stateMachine:x"
    error = error_of(lambda: client.list_state_machine_aliases(stateMachineArn=machine))
    assert error["Code"] == "pytest_sfn.Unsupported"
    assert "ListStateMachineAliases" in error["Message"]


def test_express_executions_may_share_a_name(client: Any) -> None:
    arn = create(client, type="EXPRESS")
    first, second = start(client, arn, name="same"), start(client, arn, name="same")
    assert first != second
    assert first.rsplit(":", 1)[0] == second.rsplit(":", 1)[0] == f"{PREFIX}:express:sm:same"


def test_trace_header_is_kept(client: Any) -> None:
    header = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
    execution = start(client, create(client), traceHeader=header)
    assert client.describe_execution(executionArn=execution)["traceHeader"] == header
    assert "traceHeader" not in client.describe_execution(executionArn=start(client, create(client, name="b")))  # fmt: skip


def test_an_unanswered_task_inside_a_map_fails_the_execution(client: Any) -> None:
    mapped = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "Charge", "States": TASK["States"]},
                "End": True,
            }
        },
    }
    execution = start(client, create(client, mapped), input="[1, 2]")
    described = client.describe_execution(executionArn=execution)
    assert (described["status"], described["error"]) == ("FAILED", "pytest_sfn.UnmockedTask")
    types = [e["type"] for e in client.get_execution_history(executionArn=execution)["events"]]
    assert types[-1] == "ExecutionFailed" and "MapIterationStarted" in types


def test_other_mock_errors_fail_the_execution_as_mock_errors() -> None:
    def broken(request: Any) -> Any:
        raise MockError("the fixture is broken")

    client = local_client(results={"Charge": broken})
    described = client.describe_execution(executionArn=start(client, create(client, TASK)))
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED",
        "pytest_sfn.MockError",
        "the fixture is broken",
    )
