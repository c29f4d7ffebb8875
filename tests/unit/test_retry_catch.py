from __future__ import annotations

import random
from datetime import timedelta

import pytest

from pytest_sfn import InOrder, Return, Throw
from pytest_sfn.engine.retry import error_matches, find_handler, retry_delay
from pytest_sfn.model.states import Retrier

from ..conftest import machine

LAMBDA = "arn:aws:states:::lambda:invoke"


def task(**fields: object) -> dict[str, object]:
    return {"Type": "Task", "Resource": LAMBDA, "End": True, **fields}


@pytest.mark.parametrize(
    ("equals", "error", "heartbeat", "expected"),
    [
        (["States.ALL"], "Anything", False, True),
        (["States.ALL"], "States.Timeout", False, True),
        (["States.TaskFailed"], "Lambda.Unknown", False, True),
        (["States.TaskFailed"], "States.Timeout", False, False),
        (["States.Timeout"], "States.Timeout", False, True),
        (["States.HeartbeatTimeout"], "States.Timeout", True, True),
        (["States.HeartbeatTimeout"], "States.Timeout", False, False),
        (["A", "B"], "B", False, True),
        (["A"], "a", False, False),
        (["States.ALL"], None, False, True),
    ],
)
def test_error_matches(
    equals: list[str], error: str | None, heartbeat: bool, expected: bool
) -> None:
    assert error_matches(equals, error, heartbeat=heartbeat) is expected


def test_runtime_errors_never_find_a_handler() -> None:
    assert find_handler([Retrier(("States.ALL",))], "States.Runtime") is None


@pytest.mark.parametrize(
    ("retrier", "n", "expected"),
    [
        (Retrier(("X",)), 1, 1.0),
        (Retrier(("X",)), 3, 4.0),
        (Retrier(("X",), interval_seconds=3, backoff_rate=1.5), 3, 6.75),
        (Retrier(("X",), interval_seconds=10, backoff_rate=2, max_delay_seconds=15), 3, 15.0),
    ],
)
def test_retry_delay(retrier: Retrier, n: int, expected: float) -> None:
    assert retry_delay(retrier, n, random.Random(0)) == expected


def test_full_jitter_is_seeded_and_bounded() -> None:
    retrier = Retrier(("X",), interval_seconds=8, jitter="FULL")
    first = [retry_delay(retrier, n, random.Random(7)) for n in (1, 2, 3)]
    again = [retry_delay(retrier, n, random.Random(7)) for n in (1, 2, 3)]
    assert first == again
    assert all(0 <= d <= 8 * 2 ** (n - 1) for d, n in zip(first, (1, 2, 3), strict=True))


def test_retry_then_succeed_advances_virtual_time_by_backoff() -> None:
    sm = machine(
        {"T": task(Retry=[{"ErrorEquals": ["Boom"], "IntervalSeconds": 2, "BackoffRate": 3}])}
    )
    execution = sm.execute({}, results={"T": InOrder(Throw("Boom"), Throw("Boom"), {"ok": True})})
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"ok": True}
    assert execution.state("T").attempts == 3
    assert execution.stop_time - execution.start_time == timedelta(seconds=2 + 6)
    types = [e.type for e in execution.history]
    assert types.count("TaskScheduled") == 3 and types.count("TaskFailed") == 2
    # A retry's TaskScheduled follows the TaskFailed directly.
    failed = execution.events("TaskFailed")[0]
    scheduled = execution.events("TaskScheduled")[1]
    assert scheduled.previous_event_id == failed.id


def test_retries_exhausted_then_caught_with_result_path() -> None:
    sm = machine(
        {
            "T": task(
                Retry=[{"ErrorEquals": ["Boom"], "MaxAttempts": 2}],
                Catch=[{"ErrorEquals": ["Boom"], "ResultPath": "$.err", "Next": "Recover"}],
            ),
            "Recover": {"Type": "Pass", "End": True},
        }
    )
    execution = sm.execute({"in": 1}, results={"T": Throw("Boom", "it broke")})
    assert execution.path == ["T", "Recover"]
    assert execution.output == {"in": 1, "err": {"Error": "Boom", "Cause": "it broke"}}
    assert execution.state("T").attempts == 3
    assert execution.state("T").error == "Boom"
    exited = execution.events("TaskStateExited")[0]
    assert exited.previous_event_id == execution.events("TaskFailed")[-1].id


def test_max_attempts_zero_never_retries() -> None:
    sm = machine({"T": task(Retry=[{"ErrorEquals": ["States.ALL"], "MaxAttempts": 0}])})
    execution = sm.execute({}, results={"T": Throw("Boom")})
    assert execution.status == "FAILED"
    assert execution.state("T").attempts == 1


def test_per_retrier_counters_follow_the_aws_documented_example() -> None:
    # ErrorA, ErrorB, ErrorC, ErrorB with retriers [A,B max 2][C]: waits 1, 2, 5, then catch.
    sm = machine(
        {
            "T": task(
                Retry=[
                    {
                        "ErrorEquals": ["ErrorA", "ErrorB"],
                        "IntervalSeconds": 1,
                        "BackoffRate": 2,
                        "MaxAttempts": 2,
                    },
                    {"ErrorEquals": ["ErrorC"], "IntervalSeconds": 5},
                ],
                Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
            ),
            "Caught": {"Type": "Pass", "End": True},
        }
    )
    answers = InOrder(Throw("ErrorA"), Throw("ErrorB"), Throw("ErrorC"), Throw("ErrorB"))
    execution = sm.execute({}, results={"T": answers})
    assert execution.path == ["T", "Caught"]
    assert execution.stop_time - execution.start_time == timedelta(seconds=1 + 2 + 5)
    assert execution.output == {"Error": "ErrorB", "Cause": None}


def test_first_matching_catcher_wins() -> None:
    sm = machine(
        {
            "T": task(
                Catch=[
                    {"ErrorEquals": ["Other"], "Next": "A"},
                    {"ErrorEquals": ["States.TaskFailed"], "Next": "B"},
                    {"ErrorEquals": ["States.ALL"], "Next": "A"},
                ]
            ),
            "A": {"Type": "Succeed"},
            "B": {"Type": "Succeed"},
        }
    )
    assert sm.execute({}, results={"T": Throw("Custom.Error", "c")}).path == ["T", "B"]


def test_retry_count_in_context_object() -> None:
    sm = machine(
        {"T": task(Parameters={"try.$": "$$.State.RetryCount"}, Retry=[{"ErrorEquals": ["X"]}])}
    )
    seen = []

    def answer(request):
        seen.append(request.parameters["try"])
        return Throw("X") if len(seen) < 3 else {"done": True}

    assert sm.execute({}, results={"T": answer}).status == "SUCCEEDED"
    assert seen == [0, 1, 2]


def test_task_timeout() -> None:
    sm = machine(
        {
            "T": task(
                TimeoutSeconds=30,
                Catch=[
                    {"ErrorEquals": ["States.TaskFailed"], "Next": "Wrong"},
                    {"ErrorEquals": ["States.Timeout"], "Next": "Slow"},
                ],
            ),
            "Wrong": {"Type": "Fail"},
            "Slow": {"Type": "Succeed"},
        }
    )
    execution = sm.execute({}, results={"T": Return({"x": 1}, duration=31)})
    assert execution.path == ["T", "Slow"]
    assert execution.stop_time - execution.start_time == timedelta(seconds=30)
    timed_out = execution.events("TaskTimedOut")[0]
    assert timed_out.details == {
        "resourceType": "lambda",
        "resource": "invoke",
        "error": "States.Timeout",
    }
    scheduled = execution.events("TaskScheduled")[0]
    assert scheduled.details["timeoutInSeconds"] == 30


def test_task_within_timeout_succeeds_and_takes_its_duration() -> None:
    sm = machine({"T": task(TimeoutSecondsPath="$.limit")})
    execution = sm.execute({"limit": 60}, results={"T": Return({"x": 1}, duration=59)})
    assert execution.status == "SUCCEEDED"
    assert execution.stop_time - execution.start_time == timedelta(seconds=59)


@pytest.mark.parametrize(
    ("heartbeats", "expected_status", "elapsed"),
    [
        ((), "FAILED", 10),
        ((8.0, 16.0), "SUCCEEDED", 20),
        ((8.0,), "FAILED", 18),
    ],
)
def test_heartbeat_timeout(
    heartbeats: tuple[float, ...], expected_status: str, elapsed: int
) -> None:
    sm = machine(
        {
            "T": task(
                Resource="arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                HeartbeatSeconds=10,
                TimeoutSeconds=100,
            )
        }
    )
    execution = sm.execute({}, results={"T": Return({"ok": 1}, duration=20, heartbeats=heartbeats)})
    assert execution.status == expected_status
    assert execution.stop_time - execution.start_time == timedelta(seconds=elapsed)
    if expected_status == "FAILED":
        assert execution.error == "States.Timeout"
        assert execution.cause is None


def test_heartbeat_timeout_is_matched_by_heartbeat_matcher() -> None:
    sm = machine(
        {
            "T": task(
                Resource="arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                HeartbeatSeconds=5,
                Catch=[{"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "Done"}],
            ),
            "Done": {"Type": "Succeed"},
        }
    )
    assert sm.execute({}, results={"T": Return(None, duration=6)}).path == ["T", "Done"]


def test_execution_timeout() -> None:
    sm = machine(
        {"W": {"Type": "Wait", "Seconds": 100, "Next": "Done"}, "Done": {"Type": "Succeed"}},
        TimeoutSeconds=10,
    )
    execution = sm.execute({})
    assert execution.status == "TIMED_OUT"
    assert execution.error == "States.Timeout"
    assert execution.stop_time - execution.start_time == timedelta(seconds=10)
    assert [e.type for e in execution.history] == [
        "ExecutionStarted",
        "WaitStateEntered",
        "ExecutionTimedOut",
    ]


def test_retry_backoff_counts_against_execution_timeout() -> None:
    sm = machine(
        {"T": task(Retry=[{"ErrorEquals": ["X"], "IntervalSeconds": 50}])}, TimeoutSeconds=60
    )
    execution = sm.execute({}, results={"T": Throw("X")})
    assert execution.status == "TIMED_OUT"


def test_parallel_and_map_retry_rerun_their_children() -> None:
    sm = machine(
        {
            "M": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "T", "States": {"T": task()}},
                "Retry": [{"ErrorEquals": ["Flaky"], "MaxAttempts": 1}],
                "End": True,
            }
        }
    )
    execution = sm.execute([1, 2], results={"T": InOrder(1, Throw("Flaky"), 1, 2)})
    assert execution.output == [1, 2]
    assert execution.state("M").attempts == 2
    assert len(execution.events("MapStateStarted")) == 2


def test_every_task_call_is_recorded() -> None:
    sm = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Parameters": {"n.$": "$.n"},
                "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": 5}],
                "Next": "Slow",
            },
            "Slow": {
                "Type": "Task",
                "Resource": LAMBDA,
                "TimeoutSeconds": 1,
                "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "Done"}],
                "End": True,
            },
            "Done": {"Type": "Succeed"},
        }
    )
    answers = {"T": InOrder(Throw("Boom", "first"), {"ok": 1}), "Slow": Return(None, duration=10)}
    execution = sm.execute({"n": 7}, results=answers)
    first, second = execution.calls("T")
    assert (first.attempt, first.failed, first.error, first.cause) == (0, True, "Boom", "first")
    assert (second.attempt, second.succeeded, second.result) == (1, True, {"ok": 1})
    assert first.parameters == second.parameters == {"n": 7}
    assert second.started_at - first.finished_at == timedelta(seconds=5)
    (slow,) = execution.calls("Slow")
    assert (slow.error, slow.finished_at - slow.started_at) == (
        "States.Timeout",
        timedelta(seconds=1),
    )
    assert [c.state for c in execution.calls()] == ["T", "T", "Slow"]
