"""Callbacks and activities through the botocore client of ``local_client()``."""

from __future__ import annotations

import gc
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from pytest_sfn import local_client

ROLE = "arn:aws:iam::123456789012:role/sfn-role"
PREFIX = "arn:aws:states:us-east-1:123456789012"
ACTIVITY = f"{PREFIX}:activity:review"
CALLBACK = {
    "StartAt": "Notify",
    "States": {
        "Notify": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
            "End": True,
        }
    },
}
ACTIVITY_TASK = {
    "StartAt": "Review",
    "States": {"Review": {"Type": "Task", "Resource": ACTIVITY, "End": True}},
}


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    yield
    gc.collect()
    assert [t for t in threading.enumerate() if t.name.startswith("pytest-sfn execution")] == []


@pytest.fixture
def client() -> Iterator[Any]:
    made = local_client()
    yield made
    # Executions still waiting are stopped, as a test ending would leave them.
    for arn in list_running(made):
        made.stop_execution(executionArn=arn)


def list_running(client: Any) -> list[str]:
    arns = []
    for machine in client.list_state_machines()["stateMachines"]:
        listed = client.list_executions(
            stateMachineArn=machine["stateMachineArn"], statusFilter="RUNNING"
        )
        arns += [e["executionArn"] for e in listed["executions"]]
    return arns


def start(client: Any, definition: dict[str, Any], name: str = "m", **kwargs: Any) -> str:
    arn = client.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)[
        "stateMachineArn"
    ]
    return str(client.start_execution(stateMachineArn=arn, **kwargs)["executionArn"])


def history(client: Any, arn: str) -> list[dict[str, Any]]:
    return list(client.get_execution_history(executionArn=arn)["events"])


def token_of(client: Any, arn: str) -> str:
    scheduled = [e for e in history(client, arn) if e["type"] == "TaskScheduled"][-1]
    return str(
        json.loads(scheduled["taskScheduledEventDetails"]["parameters"])["MessageBody"]["token"]
    )


def error_of(call: Any) -> dict[str, str]:
    with pytest.raises(ClientError) as info:
        call()
    return dict(info.value.response["Error"])


def test_a_waiting_execution_is_running(client: Any) -> None:
    arn = start(client, CALLBACK)
    described = client.describe_execution(executionArn=arn)
    assert described["status"] == "RUNNING"
    assert "stopDate" not in described and "output" not in described
    assert described["redriveStatus"] == "NOT_REDRIVABLE"
    assert [e["type"] for e in history(client, arn)] == [
        "ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted",
    ]  # fmt: skip
    [listed] = client.list_executions(
        stateMachineArn=described["stateMachineArn"], statusFilter="RUNNING"
    )["executions"]
    assert listed["executionArn"] == arn and "stopDate" not in listed


def test_send_task_success_finishes_the_execution(client: Any) -> None:
    arn = start(client, CALLBACK, input='{"a": 1}')
    response = client.send_task_success(taskToken=token_of(client, arn), output='{"ok": true}')
    assert {k: v for k, v in response.items() if k != "ResponseMetadata"} == {}
    described = client.describe_execution(executionArn=arn)
    assert (described["status"], described["output"]) == ("SUCCEEDED", '{"ok":true}')
    assert described["stopDate"] >= described["startDate"]
    events = history(client, arn)
    assert [(e["id"], e["previousEventId"], e["type"]) for e in events[4:]] == [
        (5, 4, "TaskSubmitted"),
        (6, 5, "TaskSucceeded"),
        (7, 6, "TaskStateExited"),
        (8, 7, "ExecutionSucceeded"),
    ]
    assert events[0]["executionStartedEventDetails"]["input"] == '{"a": 1}'


def test_send_task_failure_fails_the_execution(client: Any) -> None:
    arn = start(client, CALLBACK)
    client.send_task_failure(taskToken=token_of(client, arn), error="Denied", cause="no")
    described = client.describe_execution(executionArn=arn)
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED", "Denied", "no",
    )  # fmt: skip
    assert history(client, arn)[5]["taskFailedEventDetails"] == {
        "resourceType": "sqs",
        "resource": "sendMessage.waitForTaskToken",
        "error": "Denied",
        "cause": "no",
    }


def test_heartbeats_keep_a_task_alive(client: Any) -> None:
    definition = json.loads(json.dumps(CALLBACK))
    definition["States"]["Notify"]["HeartbeatSeconds"] = 60
    arn = start(client, definition)
    token = token_of(client, arn)
    client.send_task_heartbeat(taskToken=token)
    assert client.describe_execution(executionArn=arn)["status"] == "RUNNING"
    client.send_task_success(taskToken=token, output="1")
    assert client.describe_execution(executionArn=arn)["status"] == "SUCCEEDED"


@pytest.mark.parametrize(
    ("token", "code", "message"),
    [
        ("garbage", "InvalidToken", "Invalid Token: 'Invalid token'"),
        ("AQC" + "1" * 64, "TaskDoesNotExist", "Task Does Not Exist: 'AQC" + "1" * 64 + "'"),
    ],
)
def test_unknown_tokens_are_refused(client: Any, token: str, code: str, message: str) -> None:
    for call in (
        lambda: client.send_task_success(taskToken=token, output="{}"),
        lambda: client.send_task_failure(taskToken=token),
        lambda: client.send_task_heartbeat(taskToken=token),
    ):
        assert error_of(call) == {"Code": code, "Message": message}


def test_a_closed_task_answers_task_timed_out(client: Any) -> None:
    arn = start(client, CALLBACK)
    token = token_of(client, arn)
    client.send_task_success(taskToken=token, output="{}")
    assert error_of(lambda: client.send_task_success(taskToken=token, output="{}")) == {
        "Code": "TaskTimedOut",
        "Message": "Task Timed Out: 'Provided task does not exist anymore'",
    }


def test_output_must_be_json(client: Any) -> None:
    arn = start(client, CALLBACK)
    error = error_of(lambda: client.send_task_success(taskToken=token_of(client, arn), output="{"))
    assert error["Code"] == "InvalidOutput"
    assert client.describe_execution(executionArn=arn)["status"] == "RUNNING"


def test_stop_execution_aborts_a_running_execution(client: Any) -> None:
    arn = start(client, CALLBACK)
    token = token_of(client, arn)
    stopped = client.stop_execution(executionArn=arn, error="Halt", cause="by test")
    described = client.describe_execution(executionArn=arn)
    assert (described["status"], described["error"], described["cause"]) == (
        "ABORTED", "Halt", "by test",
    )  # fmt: skip
    assert described["stopDate"] == stopped["stopDate"]
    last = history(client, arn)[-1]
    assert (last["type"], last["previousEventId"]) == ("ExecutionAborted", 0)
    assert last["executionAbortedEventDetails"] == {"error": "Halt", "cause": "by test"}
    assert error_of(lambda: client.send_task_success(taskToken=token, output="{}"))["Code"] == (
        "TaskTimedOut"
    )


def test_results_answer_a_callback_at_once() -> None:
    client = local_client(results={"Notify": {"done": True}})
    arn = start(client, CALLBACK)
    assert client.describe_execution(executionArn=arn)["status"] == "SUCCEEDED"


# --- activities -----------------------------------------------------------------------------


def test_activities_are_created_described_listed_and_deleted(client: Any) -> None:
    created = client.create_activity(name="review")
    assert created["activityArn"] == ACTIVITY
    again = client.create_activity(name="review")  # idempotent
    assert again["creationDate"] == created["creationDate"]
    described = client.describe_activity(activityArn=ACTIVITY)
    assert {k: v for k, v in described.items() if k != "ResponseMetadata"} == {
        "activityArn": ACTIVITY,
        "name": "review",
        "creationDate": created["creationDate"],
        "encryptionConfiguration": {"type": "AWS_OWNED_KEY"},
    }
    client.create_activity(name="audit")
    listed = client.list_activities()["activities"]
    assert [a["name"] for a in listed] == ["audit", "review"]
    page = client.list_activities(maxResults=1)
    assert len(page["activities"]) == 1 and "nextToken" in page
    client.delete_activity(activityArn=ACTIVITY)
    client.delete_activity(activityArn=ACTIVITY)  # deleting twice is fine
    assert error_of(lambda: client.describe_activity(activityArn=ACTIVITY)) == {
        "Code": "ActivityDoesNotExist",
        "Message": f"Activity Does Not Exist: '{ACTIVITY}'",
    }


def test_activity_arns_are_checked(client: Any) -> None:
    error = error_of(lambda: client.describe_activity(activityArn=f"{PREFIX}:stateMachine:x"))
    assert error == {
        "Code": "InvalidArn",
        "Message": "Invalid Arn: 'Resource type not valid in this context: stateMachine'",
    }
    assert error_of(lambda: client.get_activity_task(activityArn=ACTIVITY))["Code"] == (
        "ActivityDoesNotExist"
    )
    assert error_of(lambda: client.create_activity(name="a b"))["Code"] == "InvalidName"


def test_a_worker_loop_takes_and_answers_activity_tasks(client: Any) -> None:
    client.create_activity(name="review")
    arns = [start(client, ACTIVITY_TASK, name="m", input='{"n": 1}')]
    machine = client.describe_execution(executionArn=arns[0])["stateMachineArn"]
    arns.append(client.start_execution(stateMachineArn=machine, input='{"n": 2}')["executionArn"])
    answered = []
    while True:
        task = client.get_activity_task(activityArn=ACTIVITY, workerName="worker-1")
        if "taskToken" not in task:
            break
        payload = json.loads(task["input"])
        answered.append(payload["n"])
        client.send_task_success(taskToken=task["taskToken"], output=json.dumps(payload["n"] * 10))
    assert answered == [1, 2]  # oldest first
    for arn, expected in zip(arns, ["10", "20"], strict=True):
        described = client.describe_execution(executionArn=arn)
        assert (described["status"], described["output"]) == ("SUCCEEDED", expected)
    events = history(client, arns[0])
    assert [e["type"] for e in events[2:5]] == [
        "ActivityScheduled", "ActivityStarted", "ActivitySucceeded",
    ]  # fmt: skip
    assert events[3]["activityStartedEventDetails"] == {"workerName": "worker-1"}


def test_an_activity_that_does_not_exist_fails_the_state(client: Any) -> None:
    arn = start(client, ACTIVITY_TASK)
    described = client.describe_execution(executionArn=arn)
    assert (described["status"], described["error"]) == ("FAILED", "States.Runtime")
    assert described["cause"] == (
        "An error occurred while executing the state 'Review' (entered at the event id #2). "
        f"The activity {ACTIVITY} does not exist."
    )
    assert [(e["id"], e["previousEventId"], e["type"]) for e in history(client, arn)] == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "TaskStateEntered"),
        (3, 2, "ExecutionFailed"),
    ]
