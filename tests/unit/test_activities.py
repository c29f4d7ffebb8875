"""Activity Task states: in-process workers, and activities taken and answered by the test."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from pytest_sfn import StatesError, UnmockedTaskError
from pytest_sfn.engine.ports import pending_task
from pytest_sfn.integrations.activities import ActivityWorkers
from pytest_sfn.machine import StateMachine
from pytest_sfn.mocks.results import ResultProvider

REVIEW = "arn:aws:states:us-east-1:123456789012:activity:review"
OTHER = "arn:aws:states:us-east-1:123456789012:activity:other"


def activity_machine(**task: Any) -> StateMachine:
    return StateMachine.from_definition(
        {
            "StartAt": "Review",
            "States": {
                "Review": {
                    "Type": "Task",
                    "Resource": REVIEW,
                    "Parameters": {"doc.$": "$.doc"},
                    "Next": "Done",
                    **task,
                },
                "Done": {"Type": "Pass", "End": True},
            },
        }
    )


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    yield
    gc.collect()
    assert [t for t in threading.enumerate() if t.name.startswith("pytest-sfn execution")] == []


def test_a_worker_answers_with_the_task_parameters_as_input() -> None:
    workers = ActivityWorkers({REVIEW: lambda task: {"approved": task["doc"] == "ok"}})
    execution = activity_machine().execute({"doc": "ok"}, tasks=workers)
    assert execution.output == {"approved": True}
    assert [(e.id, e.previous_event_id, e.type) for e in execution.history[2:5]] == [
        (3, 2, "ActivityScheduled"),
        (4, 3, "ActivityStarted"),
        (5, 4, "ActivitySucceeded"),
    ]
    assert execution.history[2].details == {
        "resource": REVIEW,
        "input": '{"doc":"ok"}',
        "inputDetails": {"truncated": False},
    }
    assert execution.history[4].details == {
        "output": '{"approved":true}',
        "outputDetails": {"truncated": False},
    }
    assert [r.parameters for r in workers.calls] == [{"doc": "ok"}]


@pytest.mark.parametrize(
    ("raised", "error", "cause"),
    [
        (ValueError("bad document"), "ValueError", "bad document"),
        (StatesError("Review.Rejected", "too long"), "Review.Rejected", "too long"),
        (KeyError("doc"), "KeyError", "'doc'"),
    ],
)
def test_a_worker_exception_is_an_activity_failure(
    raised: Exception, error: str, cause: str
) -> None:
    def worker(task: Any) -> Any:
        raise raised

    execution = activity_machine().execute({"doc": 1}, tasks=ActivityWorkers({REVIEW: worker}))
    assert (execution.status, execution.error, execution.cause) == ("FAILED", error, cause)
    failed = execution.events("ActivityFailed")[0]
    assert failed.details == {"error": error, "cause": cause}  # no resourceType for activities


def test_other_tasks_and_unworked_activities_go_to_the_fallback() -> None:
    workers = ActivityWorkers({OTHER: lambda task: 1}, fallback=ResultProvider({"Review": "fb"}))
    assert activity_machine().execute({"doc": 1}, tasks=workers).output == "fb"
    assert workers.calls == []


def test_an_activity_without_worker_is_unmocked_in_execute() -> None:
    with pytest.raises(UnmockedTaskError, match="has no worker") as info:
        activity_machine().execute({"doc": 1}, tasks=ActivityWorkers({OTHER: lambda task: 1}))
    assert OTHER in str(info.value)


def test_workers_are_keyed_by_activity_arns() -> None:
    with pytest.raises(ValueError, match="not an activity ARN"):
        ActivityWorkers({"arn:aws:lambda:us-east-1:123456789012:function:f": lambda task: 1})


def test_a_worker_can_leave_the_task_waiting() -> None:
    workers = ActivityWorkers({REVIEW: lambda task: pending_task()})
    handle = activity_machine().start({"doc": 1}, tasks=workers)
    assert handle.pending[0].kind == "activity"
    handle.stop()


# --- activities the test takes and answers --------------------------------------------------


def test_an_unanswered_activity_waits_until_a_worker_takes_it() -> None:
    handle = activity_machine().start({"doc": "d"})
    [pending] = handle.pending
    assert (pending.kind, pending.resource, pending.started) == ("activity", REVIEW, False)
    assert handle.history[-1].type == "ActivityScheduled"  # AWS: no worker yet
    assert handle.get_activity_task(OTHER) == {}
    task = handle.get_activity_task(REVIEW, worker_name="w-1")
    assert task == {"taskToken": pending.token, "input": '{"doc":"d"}'}
    assert handle.get_activity_task(REVIEW) == {}  # taken already
    started = handle.history[-1]
    assert (started.type, started.previous_event_id, started.details) == (
        "ActivityStarted", 3, {"workerName": "w-1"},
    )  # fmt: skip
    assert handle.pending[0].started
    handle.send_task_success(task["taskToken"], {"ok": True})
    execution = handle.wait()
    assert execution.output == {"ok": True}
    assert [e.type for e in execution.history[2:6]] == [
        "ActivityScheduled", "ActivityStarted", "ActivitySucceeded", "TaskStateExited",
    ]  # fmt: skip


def test_answering_an_activity_nobody_took_records_a_nameless_worker() -> None:
    handle = activity_machine().start({"doc": "d"})
    handle.send_task_failure(handle.pending_tokens[0], "Denied", "no")
    execution = handle.execution
    assert [(e.type, e.details) for e in execution.history[3:5]] == [
        ("ActivityStarted", {}),
        ("ActivityFailed", {"error": "Denied", "cause": "no"}),
    ]


def test_an_activity_heartbeat_timeout_is_activity_timed_out() -> None:
    handle = activity_machine(HeartbeatSeconds=30, TimeoutSeconds=300).start({"doc": 1})
    assert handle.history[-1].details["heartbeatInSeconds"] == 30
    handle.get_activity_task(REVIEW)
    handle.advance(20)
    handle.send_task_heartbeat(handle.pending_tokens[0])
    handle.advance(30)
    execution = handle.execution
    timed_out = execution.events("ActivityTimedOut")[0]
    assert timed_out.details == {"error": "States.Timeout"}
    assert (timed_out.timestamp - execution.start_time).total_seconds() == 50


def test_start_takes_activity_workers() -> None:
    sm = activity_machine()
    execution = sm.start({"doc": 2}, activities={REVIEW: lambda task: task["doc"] * 2}).wait()
    assert execution.output == 4
    waiting = sm.start({"doc": 2}, activities={OTHER: lambda task: 0})
    assert waiting.pending[0].resource == REVIEW
    waiting.stop()
