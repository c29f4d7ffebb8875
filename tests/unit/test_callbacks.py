"""``StateMachine.start()``: executions that wait for task tokens, answered from the test."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_sfn import Return, StateMachine, UnmockedTaskError
from pytest_sfn.engine.callbacks import RunningExecution
from pytest_sfn.engine.ports import pending_task
from pytest_sfn.errors import ExecutionWaitingError, MockError, TaskTokenError

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
SQS = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"


def callback_machine(**task: Any) -> StateMachine:
    """Notify (a callback task) then Done (Pass)."""
    notify = {
        "Type": "Task",
        "Resource": SQS,
        "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
        "Next": "Done",
        **task,
    }
    return StateMachine.from_definition(
        {"StartAt": "Notify", "States": {"Notify": notify, "Done": {"Type": "Pass", "End": True}}}
    )


def worker_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("pytest-sfn execution")]


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    yield
    gc.collect()
    assert worker_threads() == []


def types(handle_or_history: Any) -> list[str]:
    history = getattr(handle_or_history, "history", handle_or_history)
    return [e.type for e in history]


# --- the happy path -------------------------------------------------------------------------


def test_a_callback_waits_until_answered_then_runs_on() -> None:
    handle = callback_machine().start({"order": 7})
    assert handle.status == "RUNNING" and handle.running
    [pending] = handle.pending
    assert pending.state_name == "Notify" and pending.kind == "callback"
    assert pending.resource == SQS
    assert pending.parameters == {"QueueUrl": "q", "MessageBody": {"token": pending.token}}
    assert handle.pending_tokens == [pending.token]
    assert types(handle) == [
        "ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted",
    ]  # fmt: skip
    handle.send_task_success(pending.token, {"approved": True})
    execution = handle.wait()
    assert execution.status == handle.status == "SUCCEEDED"
    assert execution.output == {"approved": True}
    assert [(e.id, e.previous_event_id, e.type) for e in execution.history[4:]] == [
        (5, 4, "TaskSubmitted"),
        (6, 5, "TaskSucceeded"),
        (7, 6, "TaskStateExited"),
        (8, 7, "PassStateEntered"),
        (9, 8, "PassStateExited"),
        (10, 9, "ExecutionSucceeded"),
    ]
    assert execution.history[5].details == {
        "resourceType": "sqs",
        "resource": "sendMessage.waitForTaskToken",
        "output": '{"approved":true}',
        "outputDetails": {"truncated": False},
    }
    assert handle.pending == [] and handle.execution is execution


def test_the_running_snapshot_describes_a_running_execution() -> None:
    handle = callback_machine().start({})
    snapshot = handle.snapshot()
    assert snapshot.status == "RUNNING" and snapshot.output is None
    assert snapshot.execution_arn == handle.execution_arn
    assert "RUNNING" in repr(handle) and "Notify" in repr(handle)
    with pytest.raises(ExecutionWaitingError, match="Notify"):
        _ = handle.execution
    handle.stop()


@pytest.mark.parametrize(
    ("error", "cause", "caught"),
    [
        ("Rejected", "nope", {"Error": "Rejected", "Cause": "nope"}),
        (None, None, {"Error": None, "Cause": None}),  # AWS: caught by States.ALL
    ],
)
def test_a_task_failure_is_seen_by_catch(error: str | None, cause: str | None, caught: Any) -> None:
    sm = callback_machine(
        Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Done"}]
    )
    handle = sm.start({})
    handle.send_task_failure(handle.pending_tokens[0], error, cause)
    execution = handle.wait()
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"error": caught}
    failed = execution.events("TaskFailed")[0]
    assert (failed.id, failed.previous_event_id) == (6, 5)
    expected: dict[str, Any] = {"resourceType": "sqs", "resource": "sendMessage.waitForTaskToken"}
    if error is not None:
        expected.update(error=error, cause=cause)
    assert failed.details == expected


def test_an_uncaught_failure_fails_the_execution() -> None:
    handle = callback_machine().start({})
    handle.send_task_failure(handle.pending_tokens[0], "Boom", "bad")
    execution = handle.wait()
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "Boom", "bad")


# --- virtual time ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("steps", "status", "timed_out_after"),
    [
        ([9.999], "RUNNING", None),
        ([10], "FAILED", 10),  # a deadline reached exactly has passed
        ([25], "FAILED", 10),  # fires at its own time, not at the end of the step
        ([6, "beat", 6, "beat", 9], "RUNNING", None),
        ([6, "beat", 6, "beat", 10], "FAILED", 22),
        ([6, "beat", 6, "beat", 6, "beat", 6, "beat", 7], "FAILED", 30),  # TimeoutSeconds
    ],
)
def test_heartbeat_and_task_timeouts_fire_exactly(
    steps: list[Any], status: str, timed_out_after: float | None
) -> None:
    handle = callback_machine(HeartbeatSeconds=10, TimeoutSeconds=30).start({})
    token = handle.pending_tokens[0]
    for step in steps:
        if step == "beat":
            handle.send_task_heartbeat(token)
        else:
            handle.advance(step)
    assert handle.status == status
    if timed_out_after is None:
        handle.stop()
        return
    execution = handle.execution
    assert types(execution)[-2:] == ["TaskTimedOut", "ExecutionFailed"]
    timed_out, failed = execution.history[-2:]
    assert timed_out.timestamp == T0 + timedelta(seconds=timed_out_after)
    assert timed_out.details == {
        "resourceType": "sqs",
        "resource": "sendMessage.waitForTaskToken",
        "error": "States.Timeout",
    }
    assert (timed_out.id, timed_out.previous_event_id) == (6, 5)
    assert failed.details == {"error": "States.Timeout"}  # AWS-recorded: no cause
    assert (execution.error, execution.cause) == ("States.Timeout", None)
    with pytest.raises(TaskTokenError) as info:
        handle.send_task_success(token, {})
    assert info.value.code == "TaskTimedOut"


@pytest.mark.parametrize("matcher", ["States.HeartbeatTimeout", "States.Timeout"])
def test_a_heartbeat_timeout_can_be_retried_with_a_new_token(matcher: str) -> None:
    sm = callback_machine(
        HeartbeatSeconds=5,
        Retry=[{"ErrorEquals": [matcher], "IntervalSeconds": 2, "MaxAttempts": 1}],
    )
    handle = sm.start({})
    first = handle.pending_tokens[0]
    handle.advance(5)
    [retry] = handle.pending
    assert retry.token != first
    assert retry.since == T0 + timedelta(seconds=7)  # timeout at 5 + IntervalSeconds 2
    assert handle.snapshot().history[-1].type == "TaskSubmitted"
    handle.send_task_success(retry.token, "late")
    assert handle.wait().output == "late"
    assert handle.execution.state("Notify").attempts == 2


def test_time_left_over_counts_for_the_next_waiting_task() -> None:
    sm = callback_machine(
        HeartbeatSeconds=5,
        Retry=[{"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 1, "MaxAttempts": 1}],
    )
    handle = sm.start({})
    handle.advance(8)  # times out at 5, retried at 6, which has waited 2 of its 5 seconds
    [retry] = handle.pending
    assert retry.waited == pytest.approx(2) and retry.now == T0 + timedelta(seconds=8)
    handle.advance(3)
    assert handle.status == "FAILED"
    assert handle.execution.history[-2].timestamp == T0 + timedelta(seconds=11)


def test_the_execution_timeout_ends_a_waiting_execution() -> None:
    sm = StateMachine.from_definition(
        {
            "TimeoutSeconds": 100,
            "StartAt": "Notify",
            "States": {"Notify": {"Type": "Task", "Resource": SQS, "Parameters": {}, "End": True}},
        }
    )
    handle = sm.start({})
    assert handle.pending[0].deadline == T0 + timedelta(seconds=100)
    execution = handle.wait()
    assert execution.status == "TIMED_OUT"
    assert execution.stop_time == T0 + timedelta(seconds=100)
    assert types(execution)[-1] == "ExecutionTimedOut"


def test_wait_lets_a_task_with_a_deadline_time_out() -> None:
    execution = callback_machine(TimeoutSeconds=60).start({}).wait()
    assert execution.status == "FAILED" and execution.error == "States.Timeout"
    assert execution.stop_time == T0 + timedelta(seconds=60)


def test_wait_refuses_to_wait_forever_and_says_how_to_answer() -> None:
    handle = callback_machine().start({})
    token = handle.pending_tokens[0]
    with pytest.raises(ExecutionWaitingError) as info:
        handle.wait()
    message = str(info.value)
    assert "'Notify'" in message and token in message and "send_task_success" in message
    assert handle.status == "RUNNING"
    handle.stop()


def test_advance_needs_a_waiting_task_and_a_non_negative_amount() -> None:
    handle = callback_machine().start({})
    with pytest.raises(ValueError, match="negative"):
        handle.advance(-1)
    handle.send_task_success(handle.pending_tokens[0], {})
    with pytest.raises(ExecutionWaitingError, match="no waiting task"):
        handle.advance(1)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.just("beat"), st.integers(0, 12)), max_size=12))
def test_timeouts_match_a_reference_model(steps: list[Any]) -> None:
    """The task times out at the first moment 10 s pass without heartbeat, or at 40 s."""
    handle = callback_machine(HeartbeatSeconds=10, TimeoutSeconds=40).start({})
    token = handle.pending_tokens[0]
    now, last_beat, expected = 0, 0, None
    for step in steps:
        if step == "beat":
            now_beat = now
            handle.send_task_heartbeat(token)
            last_beat = now_beat
            continue
        deadline = min(last_beat + 10, 40)
        if now + step >= deadline:
            expected = deadline
            handle.advance(step)
            break
        now += step
        handle.advance(step)
    if expected is None:
        assert handle.status == "RUNNING"
        handle.stop()
    else:
        assert handle.status == "FAILED"
        assert handle.execution.stop_time == T0 + timedelta(seconds=expected)


# --- stop -----------------------------------------------------------------------------------


def test_stop_aborts_a_waiting_execution() -> None:
    handle = callback_machine().start({})
    token = handle.pending_tokens[0]
    handle.advance(3)
    execution = handle.stop("Cancelled", "by the test")
    assert execution.status == handle.status == "ABORTED"
    assert (execution.error, execution.cause) == ("Cancelled", "by the test")
    aborted = execution.history[-1]
    assert (aborted.id, aborted.previous_event_id, aborted.type) == (6, 0, "ExecutionAborted")
    assert aborted.details == {"error": "Cancelled", "cause": "by the test"}
    assert execution.stop_time == T0 + timedelta(seconds=3)
    assert execution.describe()["status"] == "ABORTED"
    assert handle.stop() is execution  # a finished execution is unchanged
    with pytest.raises(TaskTokenError) as info:
        handle.send_task_success(token, {})
    assert info.value.code == "TaskTimedOut"


def test_a_context_manager_stops_what_the_test_left_running() -> None:
    with callback_machine().start({}) as handle:
        assert handle.running
    assert handle.status == "ABORTED" and handle.execution.history[-1].details == {}


def test_a_forgotten_execution_ends_its_thread_when_collected() -> None:
    handle = callback_machine().start({})
    assert len(worker_threads()) == 1
    del handle
    gc.collect()
    assert worker_threads() == []


def test_the_garbage_collector_is_left_as_it_was() -> None:
    assert gc.isenabled()
    handle = callback_machine().start({})
    assert gc.isenabled()
    handle.stop()
    assert gc.isenabled()


# --- tokens ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "code", "message"),
    [
        ("not-a-token", "InvalidToken", "Invalid Token: 'Invalid token'"),
        ("AQC" + "0" * 64, "TaskDoesNotExist", "Task Does Not Exist: 'AQC" + "0" * 64 + "'"),
    ],
)
def test_tokens_the_execution_did_not_issue_are_refused(
    token: str, code: str, message: str
) -> None:
    handle = callback_machine().start({})
    sends: tuple[Callable[[], None], ...] = (
        lambda: handle.send_task_success(token, {}),
        lambda: handle.send_task_failure(token),
        lambda: handle.send_task_heartbeat(token),
    )
    for send in sends:
        with pytest.raises(TaskTokenError) as info:
            send()
        assert (info.value.code, info.value.message) == (code, message)
    assert handle.running
    handle.stop()


def test_an_answered_token_is_closed() -> None:
    handle = callback_machine().start({})
    token = handle.pending_tokens[0]
    handle.send_task_success(token, 1)
    with pytest.raises(TaskTokenError) as info:
        handle.send_task_heartbeat(token)
    assert info.value.code == "TaskTimedOut"
    assert info.value.message == "Task Timed Out: 'Provided task does not exist anymore'"
    assert handle.tokens == {token}


def test_output_that_is_not_json_is_refused() -> None:
    handle = callback_machine().start({})
    with pytest.raises(TaskTokenError) as info:
        handle.send_task_success(handle.pending_tokens[0], {"x": object()})
    assert info.value.code == "InvalidOutput"
    assert handle.running
    handle.stop()


def test_same_seed_same_tokens_and_the_token_is_in_the_context() -> None:
    sm = callback_machine()
    first, again, other = sm.start({}, seed=3), sm.start({}, seed=3), sm.start({}, seed=4)
    assert first.pending_tokens == again.pending_tokens != other.pending_tokens
    assert first.execution_arn == again.execution_arn
    executed = sm.execute({}, seed=3, results={"Notify": lambda request: request.task_token})
    assert executed.output == first.pending_tokens[0]
    for handle in (first, again, other):
        handle.stop()


# --- declarative answers and execute() ------------------------------------------------------


def test_a_result_answers_the_callback_at_once() -> None:
    handle = callback_machine().start({}, results={"Notify": Return({"ok": 1}, submitted={"M": 1})})
    assert handle.status == "SUCCEEDED" and not handle.running
    assert handle.execution.events("TaskSubmitted")[0].details["output"] == '{"M":1}'
    assert worker_threads() == []


def test_pending_task_waits_and_records_the_submitted_response() -> None:
    sm = callback_machine()
    handle = sm.start({}, results={"Notify": pending_task({"MessageId": "m-1"})})
    assert handle.history[-1].details["output"] == '{"MessageId":"m-1"}'
    handle.send_task_success(handle.pending_tokens[0], {})
    assert handle.wait().succeeded
    with pytest.raises(UnmockedTaskError, match=r"StateMachine\.start\(\)"):
        sm.execute({}, results={"Notify": pending_task()})


def test_execute_still_refuses_an_unanswered_callback() -> None:
    sm = callback_machine()
    with pytest.raises(UnmockedTaskError, match="Notify"):
        sm.execute({})
    failed = sm.execute({}, mock_errors="fail")
    assert (failed.status, failed.error) == ("FAILED", "pytest_sfn.UnmockedTask")


def test_only_token_tasks_can_wait() -> None:
    sm = StateMachine.from_definition(
        {
            "StartAt": "L",
            "States": {
                "L": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}
            },
        }
    )
    with pytest.raises(UnmockedTaskError, match="'L'"):
        sm.start({})
    with pytest.raises(MockError, match="only .waitForTaskToken and activity"):
        sm.start({}, results={"L": pending_task()})
    assert sm.start({}, mock_errors="fail").execution.error == "pytest_sfn.UnmockedTask"


def test_results_and_tasks_are_exclusive() -> None:
    with pytest.raises(ValueError, match="either"):
        callback_machine().start({}, results={}, tasks=lambda request: None)  # type: ignore[arg-type]


# --- Map, Parallel, JSONata -----------------------------------------------------------------


def test_map_iterations_wait_together() -> None:
    sm = StateMachine.from_definition(
        {
            "StartAt": "Each",
            "States": {
                "Each": {
                    "Type": "Map",
                    "ItemsPath": "$.items",
                    "ItemProcessor": {
                        "StartAt": "Ask",
                        "States": {
                            "Ask": {
                                "Type": "Task",
                                "Resource": SQS,
                                "Parameters": {"item.$": "$"},
                                "End": True,
                            }
                        },
                    },
                    "End": True,
                }
            },
        }
    )
    handle = sm.start({"items": ["a", "b"]})
    # As on AWS, both iterations wait at once (in the order they started waiting).
    assert [p.parameters["item"] for p in handle.pending] == ["a", "b"]
    first, second = handle.pending_tokens
    handle.send_task_success(second, "B")
    assert handle.pending_tokens == [first]
    handle.send_task_success(first, "A")
    assert handle.execution.output == ["A", "B"]


def test_a_jsonata_callback_sees_the_token_in_states_context() -> None:
    sm = StateMachine.from_definition(
        {
            "QueryLanguage": "JSONata",
            "StartAt": "Notify",
            "States": {
                "Notify": {
                    "Type": "Task",
                    "Resource": SQS,
                    "Arguments": {
                        "QueueUrl": "q",
                        "MessageBody": "{% $states.context.Task.Token %}",
                    },
                    "TimeoutSeconds": 5,
                    "End": True,
                }
            },
        }
    )
    handle = sm.start({})
    [pending] = handle.pending
    assert pending.parameters["MessageBody"] == pending.token
    assert handle.wait().error == "States.Timeout"


def test_running_execution_is_the_public_type() -> None:
    handle = callback_machine().start({})
    assert isinstance(handle, RunningExecution)
    handle.stop()
