"""Redrive meets callbacks: aborted and timed-out waiting executions, redrives that wait."""

from __future__ import annotations

import gc
import json
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError

from pytest_sfn import StateMachine, Throw, UnmockedTaskError, local_client
from pytest_sfn.engine.callbacks import RunningExecution
from pytest_sfn.engine.execution import Execution
from pytest_sfn.errors import ExecutionNotRedrivable, TaskTokenError

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
SQS = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
LAMBDA = "arn:aws:states:::lambda:invoke"
REVIEW = "arn:aws:states:us-east-1:123456789012:activity:review"
ROLE = "arn:aws:iam::123456789012:role/sfn-role"


def approve(next_or_end: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """A callback Task state named by the caller (its token goes into the message)."""
    return {
        "Type": "Task",
        "Resource": SQS,
        "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
        **(next_or_end or {"End": True}),
        **extra,
    }


def worker_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("pytest-sfn execution")]


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    yield
    gc.collect()
    assert worker_threads() == []


def chain_ok(history: tuple[Any, ...]) -> None:
    """Ids run 1..n and every previousEventId points back (0 starts a chain)."""
    assert [e.id for e in history] == list(range(1, len(history) + 1))
    assert all(0 <= e.previous_event_id < e.id for e in history)


def answer_all(handle: RunningExecution, output: Any) -> list[str]:
    """Answer every token the handle waits for until it ends; returns the state names.

    Tokens are answered in the order their tasks started waiting (several can wait at once).
    """
    answered = []
    while handle.running:
        pending = handle.pending[0]
        answered.append(pending.state_name)
        handle.send_task_success(pending.token, output)
    return answered


# --- ABORTED executions are redrivable -------------------------------------------------------

SIMPLE_JSONPATH = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Result": "ready", "ResultPath": "$.prep", "Next": "Approve"},
        "Approve": approve({"Next": "Done"}, ResultPath="$.approval"),
        "Done": {"Type": "Pass", "End": True},
    },
}
SIMPLE_JSONATA = {
    "QueryLanguage": "JSONata",
    "StartAt": "Prepare",
    "States": {
        "Prepare": {
            "Type": "Pass",
            "Output": "{% $merge([$states.input, {'prep': 'ready'}]) %}",
            "Next": "Approve",
        },  # fmt: skip
        "Approve": {
            "Type": "Task",
            "Resource": SQS,
            "Arguments": {
                "QueueUrl": "q",
                "MessageBody": {"token": "{% $states.context.Task.Token %}"},
            },
            "Output": "{% $merge([$states.input, {'approval': $states.result}]) %}",
            "Next": "Done",
        },
        "Done": {"Type": "Pass", "End": True},
    },
}


@pytest.mark.parametrize(
    "definition", [SIMPLE_JSONPATH, SIMPLE_JSONATA], ids=["jsonpath", "jsonata"]
)
def test_a_stopped_execution_is_redriven_from_its_waiting_task(definition: dict[str, Any]) -> None:
    handle = StateMachine.from_definition(definition, name="order").start({"id": 1})
    first_token = handle.pending_tokens[0]
    handle.advance(5)
    aborted = handle.stop("Halt", "by the test")
    assert aborted.status == "ABORTED"
    described = aborted.describe()
    assert described["redriveStatus"] == "REDRIVABLE" and "redriveStatusReason" not in described
    assert (described["error"], described["cause"]) == ("Halt", "by the test")

    redriven = aborted.redrive(results={"Approve": {"ok": True}})

    assert redriven.status == "SUCCEEDED"
    assert redriven.output == {"id": 1, "prep": "ready", "approval": {"ok": True}}
    assert [r.name for r in redriven.kept_states] == ["Prepare"]
    assert [r.name for r in redriven.redriven_states] == ["Approve", "Done"]
    assert redriven.redrive_date == aborted.stop_time + timedelta(seconds=1)
    chain_ok(redriven.history)
    new = redriven.history[len(aborted.history) :]
    assert [(e.type, e.previous_event_id) for e in new[:2]] == [
        ("ExecutionRedriven", aborted.history[-1].id),
        ("TaskStateEntered", new[0].id),
    ]
    assert aborted.history[-1].type == "ExecutionAborted"
    assert redriven.calls("Approve")[-1].parameters["MessageBody"]["token"] != first_token


def test_redrive_cannot_wait_so_an_unanswered_callback_is_unmocked() -> None:
    aborted = StateMachine.from_definition(SIMPLE_JSONPATH).start({}).stop()
    with pytest.raises(UnmockedTaskError, match="Approve"):
        aborted.redrive()


def test_a_context_manager_close_leaves_a_redrivable_execution() -> None:
    with StateMachine.from_definition(SIMPLE_JSONPATH).start({}) as handle:
        pass
    assert handle.execution.status == "ABORTED"
    assert handle.execution.redrive(results={"Approve": 1}).status == "SUCCEEDED"


WAIT_IN_PARALLEL = {
    "StartAt": "Fan",
    "States": {
        "Fan": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": "Stock",
                    "States": {"Stock": {"Type": "Pass", "Result": "s", "End": True}},
                },
                {"StartAt": "Approve", "States": {"Approve": approve()}},
                {"StartAt": "Ship", "States": {"Ship": approve()}},
            ],
            "End": True,
        }
    },
}
WAIT_IN_MAP = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "ItemProcessor": {"StartAt": "Approve", "States": {"Approve": approve()}},
            "End": True,
        }
    },
}
MAP_IN_PARALLEL = {
    "StartAt": "Fan",
    "States": {
        "Fan": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": "Stock",
                    "States": {"Stock": {"Type": "Pass", "Result": "s", "End": True}},
                },
                {"StartAt": "Each", "States": {"Each": WAIT_IN_MAP["States"]["Each"]}},
            ],
            "End": True,
        }
    },
}


@pytest.mark.parametrize(
    ("definition", "answers_before_stop", "stopped_in", "answered_after", "output"),
    [
        # Branch 0 succeeded, branches 1 and 2 both wait (both stopped, both wait again).
        (WAIT_IN_PARALLEL, 0, "Approve", ["Approve", "Ship"], ["s", "ok", "ok"]),
        # Branch 1 answered, branch 2 stopped: only branch 2 runs again.
        (WAIT_IN_PARALLEL, 1, "Ship", ["Ship"], ["s", "ok", "ok"]),
        # Iteration 0 answered, iterations 1 and 2 stopped while waiting: both run again.
        (WAIT_IN_MAP, 1, "Approve", ["Approve", "Approve"], ["ok", "ok", "ok"]),
        (MAP_IN_PARALLEL, 2, "Approve", ["Approve"], ["s", ["ok", "ok", "ok"]]),
    ],
    ids=["parallel-first-wait", "parallel-second-wait", "map", "map-in-parallel"],
)
def test_only_what_did_not_finish_waits_again_after_a_stop(
    definition: dict[str, Any],
    answers_before_stop: int,
    stopped_in: str,
    answered_after: list[str],
    output: Any,
) -> None:
    handle = StateMachine.from_definition(definition).start([1, 2, 3])
    for _ in range(answers_before_stop):
        handle.send_task_success(handle.pending_tokens[0], "ok")
    assert handle.pending[0].state_name == stopped_in
    aborted = handle.stop()

    again = aborted.start_redrive()

    assert again.status == "RUNNING"
    assert answer_all(again, "ok") == answered_after
    done = again.execution
    assert done.status == "SUCCEEDED" and done.output == output
    assert done.calls()[:answers_before_stop] == aborted.calls()  # kept, not re-run
    assert len(done.calls()) == answers_before_stop + len(answered_after)
    chain_ok(done.history)


# --- a redrive that waits for a callback ------------------------------------------------------


def test_start_redrive_waits_for_a_callback_again() -> None:
    aborted = StateMachine.from_definition(SIMPLE_JSONPATH).start({"id": 2}).stop()
    at = aborted.stop_time + timedelta(hours=1)

    handle = aborted.start_redrive(at=at)

    assert handle.status == "RUNNING" and handle.running
    [pending] = handle.pending
    assert pending.state_name == "Approve" and pending.since == at
    [scheduled] = aborted.events("TaskScheduled")
    old_token = json.loads(scheduled.details["parameters"])["MessageBody"]["token"]
    assert pending.token != old_token and handle.tokens == {pending.token}
    running = handle.snapshot()
    assert (running.status, running.redrive_count, running.redrive_date) == ("RUNNING", 1, at)
    assert [r.name for r in running.redriven_states] == []  # Approve still runs
    assert running.describe()["redriveStatus"] == "NOT_REDRIVABLE"
    with pytest.raises(ExecutionNotRedrivable, match="Execution is RUNNING"):
        running.redrive()
    assert running.history[-1].type == "TaskSubmitted"

    handle.send_task_success(pending.token, {"approved": True})

    done = handle.execution
    assert done.status == "SUCCEEDED" and done.output["approval"] == {"approved": True}
    assert (done.redrive_count, done.redrive_date) == (1, at)
    assert [r.name for r in done.redriven_states] == ["Approve", "Done"]
    chain_ok(done.history)


def test_a_redrive_that_waits_can_be_stopped_and_redriven_again() -> None:
    first = StateMachine.from_definition(SIMPLE_JSONPATH).start({}).stop("One")
    second = first.start_redrive().stop("Two")
    assert (second.status, second.error, second.redrive_count) == ("ABORTED", "Two", 1)
    assert second.describe()["redriveStatus"] == "REDRIVABLE"

    third = second.start_redrive()
    answer_all(third, 3)

    done = third.execution
    assert done.status == "SUCCEEDED" and done.redrive_count == 2
    assert [e.details for e in done.events("ExecutionRedriven")] == [
        {"redriveCount": 1},
        {"redriveCount": 2},
    ]
    assert [e.details.get("error") for e in done.events("ExecutionAborted")] == ["One", "Two"]
    assert [r.name for r in done.redriven_states] == ["Approve", "Done"]
    assert done.redrive_transitions == 2
    chain_ok(done.history)


def test_a_failed_redrive_can_be_caught_by_the_waiting_tasks_catch() -> None:
    definition = {
        "StartAt": "Approve",
        "States": {
            "Approve": approve(
                {"Next": "Done"},
                Catch=[{"ErrorEquals": ["Rejected"], "Next": "Refused"}],
            ),
            "Done": {"Type": "Pass", "End": True},
            "Refused": {"Type": "Fail", "Error": "Refused"},
        },
    }
    handle = StateMachine.from_definition(definition).start({}).stop().start_redrive()
    handle.send_task_failure(handle.pending_tokens[0], "Rejected", "no")
    assert (handle.status, handle.execution.error) == ("FAILED", "Refused")


def test_start_redrive_without_a_wait_equals_redrive() -> None:
    sm = StateMachine.from_definition(
        {
            "StartAt": "Charge",
            "States": {"Charge": {"Type": "Task", "Resource": LAMBDA, "End": True}},
        }
    )
    failed = sm.execute({}, results={"Charge": Throw("Card.Declined")})
    handle = failed.start_redrive(results={"Charge": {"id": 1}})
    assert not handle.running and handle.status == "SUCCEEDED"
    assert handle.execution == failed.redrive(results={"Charge": {"id": 1}})


def test_start_redrive_with_activity_workers() -> None:
    sm = StateMachine.from_definition(
        {
            "StartAt": "Review",
            "States": {"Review": {"Type": "Task", "Resource": REVIEW, "End": True}},
        }
    )
    aborted = sm.start({"doc": "d"}).stop()
    handle = aborted.start_redrive(activities={REVIEW: lambda doc: {"reviewed": doc["doc"]}})
    assert handle.status == "SUCCEEDED" and handle.execution.output == {"reviewed": "d"}


@pytest.mark.parametrize(
    ("execution_of", "message"),
    [
        (lambda sm: sm.execute({}, results={"Approve": 1}), "Execution is SUCCEEDED"),
        (lambda sm: sm.start({}).snapshot(), "Execution is RUNNING"),
    ],
    ids=["succeeded", "running"],
)
def test_start_redrive_refuses_before_starting_a_thread(execution_of: Any, message: str) -> None:
    sm = StateMachine.from_definition(SIMPLE_JSONPATH)
    execution: Execution = execution_of(sm)
    threads = len(worker_threads())
    with pytest.raises(ExecutionNotRedrivable, match=message):
        execution.start_redrive()
    assert len(worker_threads()) == threads


def test_old_tokens_are_closed_in_the_redriven_attempt() -> None:
    handle = StateMachine.from_definition(SIMPLE_JSONPATH).start({})
    old = handle.pending_tokens[0]
    again = handle.stop().start_redrive()
    with pytest.raises(TaskTokenError) as info:
        again.send_task_success(old, {})
    assert info.value.code == "TaskDoesNotExist"
    again.stop()


# --- executions that timed out while waiting ---------------------------------------------------


def test_an_execution_that_timed_out_while_waiting_is_redriven_at_the_task() -> None:
    sm = StateMachine.from_definition({**SIMPLE_JSONPATH, "TimeoutSeconds": 60})
    timed_out = sm.start({}).wait()
    assert timed_out.status == "TIMED_OUT"
    assert timed_out.stop_time == T0 + timedelta(seconds=60)
    assert timed_out.describe()["redriveStatus"] == "REDRIVABLE"
    # The waiting Task was entered and never exited: it is in the path, unfinished.
    assert timed_out.path[-1] == "Approve"
    waiting = timed_out.state("Approve")
    assert (waiting.exited_at, waiting.output, waiting.error) == (None, None, None)
    assert not waiting.succeeded
    assert timed_out.transitions == (len(timed_out.path),)

    handle = timed_out.start_redrive()
    [pending] = handle.pending
    assert pending.state_name == "Approve"
    # The execution's TimeoutSeconds clock restarts with the redrive.
    assert pending.deadline == timed_out.stop_time + timedelta(seconds=61)
    handle.send_task_success(pending.token, "late but fine")
    assert handle.execution.status == "SUCCEEDED"
    assert handle.execution.output["approval"] == "late but fine"


def test_a_redrive_that_waits_too_long_times_out_again() -> None:
    sm = StateMachine.from_definition({**SIMPLE_JSONPATH, "TimeoutSeconds": 60})
    handle = sm.start({}).wait().start_redrive()
    again = handle.wait()
    assert again.status == "TIMED_OUT" and again.redrive_count == 1
    assert again.history[-1].type == "ExecutionTimedOut"
    assert again.redrive(results={"Approve": 1}).status == "SUCCEEDED"


# --- the local client ------------------------------------------------------------------------


@pytest.fixture
def client() -> Iterator[Any]:
    made = local_client()
    yield made
    for machine in made.list_state_machines()["stateMachines"]:
        listed = made.list_executions(
            stateMachineArn=machine["stateMachineArn"], statusFilter="RUNNING"
        )
        for execution in listed["executions"]:
            made.stop_execution(executionArn=execution["executionArn"])


def create(client: Any, definition: dict[str, Any] = SIMPLE_JSONPATH) -> str:
    return str(
        client.create_state_machine(name="m", definition=json.dumps(definition), roleArn=ROLE)[
            "stateMachineArn"
        ]
    )


def events(client: Any, arn: str) -> list[dict[str, Any]]:
    return list(client.get_execution_history(executionArn=arn)["events"])


def waiting_token(client: Any, arn: str) -> str:
    scheduled = [e for e in events(client, arn) if e["type"] == "TaskScheduled"][-1]
    parameters = json.loads(scheduled["taskScheduledEventDetails"]["parameters"])
    return str(parameters["MessageBody"]["token"])


def error_of(call: Any) -> dict[str, str]:
    with pytest.raises(ClientError) as info:
        call()
    return dict(info.value.response["Error"])


def test_local_client_redrives_an_aborted_execution_that_waits_again(client: Any) -> None:
    arn = client.start_execution(stateMachineArn=create(client), input='{"id": 3}')["executionArn"]
    old_token = waiting_token(client, arn)
    client.stop_execution(executionArn=arn, error="Halt")
    described = client.describe_execution(executionArn=arn)
    assert (described["status"], described["redriveStatus"]) == ("ABORTED", "REDRIVABLE")
    aborted_events = events(client, arn)

    redrive_date = client.redrive_execution(executionArn=arn)["redriveDate"]

    described = client.describe_execution(executionArn=arn)
    assert described["status"] == "RUNNING" and "stopDate" not in described
    assert (described["redriveCount"], described["redriveDate"]) == (1, redrive_date)
    assert described["redriveStatus"] == "NOT_REDRIVABLE"
    listed = client.list_executions(stateMachineArn=described["stateMachineArn"],
                                    statusFilter="RUNNING")["executions"]  # fmt: skip
    assert [e["executionArn"] for e in listed] == [arn]
    assert error_of(lambda: client.redrive_execution(executionArn=arn)) == {
        "Code": "ExecutionNotRedrivable",
        "Message": "Execution is RUNNING and cannot be redriven.",
    }
    assert error_of(lambda: client.send_task_success(taskToken=old_token, output="{}"))["Code"] == (
        "TaskTimedOut"
    )

    client.send_task_success(taskToken=waiting_token(client, arn), output='{"approved": true}')

    described = client.describe_execution(executionArn=arn)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {
        "id": 3, "prep": "ready", "approval": {"approved": True},
    }  # fmt: skip
    history = events(client, arn)
    assert history[: len(aborted_events)] == aborted_events
    assert [e["id"] for e in history] == list(range(1, len(history) + 1))
    redriven = history[len(aborted_events)]
    assert (redriven["type"], redriven["previousEventId"]) == (
        "ExecutionRedriven", aborted_events[-1]["id"],
    )  # fmt: skip
    assert [e["type"] for e in history[-3:]] == ["PassStateEntered", "PassStateExited",
                                                 "ExecutionSucceeded"]  # fmt: skip


def test_local_client_stops_a_waiting_redrive_and_redrives_it_again(client: Any) -> None:
    arn = client.start_execution(stateMachineArn=create(client))["executionArn"]
    client.stop_execution(executionArn=arn)
    client.redrive_execution(executionArn=arn, clientToken="first")
    # The same client token answers the same redrive while it runs.
    again = client.redrive_execution(executionArn=arn, clientToken="first")
    assert client.describe_execution(executionArn=arn)["redriveCount"] == 1
    stopped = client.stop_execution(executionArn=arn, error="Again")
    described = client.describe_execution(executionArn=arn)
    assert (described["status"], described["error"], described["stopDate"]) == (
        "ABORTED", "Again", stopped["stopDate"],
    )  # fmt: skip
    assert described["redriveStatus"] == "REDRIVABLE"
    assert client.redrive_execution(executionArn=arn)["redriveDate"] > again["redriveDate"]
    assert client.describe_execution(executionArn=arn)["redriveCount"] == 2


@pytest.mark.parametrize(
    ("first", "second", "idempotent"),
    [
        ('{"a": 1}', '{"a": 1}', True),
        (None, "{}", True),  # an omitted input is "{}"
        ('{"a": 1}', '{"a": 2}', False),
        ('{"a": 1}', None, False),
    ],
)
def test_start_execution_is_idempotent_for_a_running_execution_with_the_same_input(
    client: Any, first: str | None, second: str | None, idempotent: bool
) -> None:
    machine = create(client)
    with_input = lambda text: {} if text is None else {"input": text}  # noqa: E731
    started = client.start_execution(stateMachineArn=machine, name="e1", **with_input(first))
    start = lambda: client.start_execution(stateMachineArn=machine, name="e1", **with_input(second))  # noqa: E731
    if idempotent:
        repeated = start()
        assert (repeated["executionArn"], repeated["startDate"]) == (
            started["executionArn"], started["startDate"],
        )  # fmt: skip
    else:
        assert error_of(start) == {
            "Code": "ExecutionAlreadyExists",
            "Message": f"Execution Already Exists: '{started['executionArn']}'",
        }
    listed = client.list_executions(stateMachineArn=machine)["executions"]
    assert [e["executionArn"] for e in listed] == [started["executionArn"]]
    assert len(events(client, started["executionArn"])) == 7  # nothing ran twice


def test_start_execution_with_the_name_of_a_closed_execution_is_refused(client: Any) -> None:
    machine = create(client)
    arn = client.start_execution(stateMachineArn=machine, name="e1", input="{}")["executionArn"]
    client.stop_execution(executionArn=arn)
    error = error_of(lambda: client.start_execution(stateMachineArn=machine, name="e1", input="{}"))
    assert error["Code"] == "ExecutionAlreadyExists"
