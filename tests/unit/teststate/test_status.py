"""The status decision of aws-spec §1.4, as a table over Retry/Catch and the retry count."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_sfn import StateMock, run_state
from pytest_sfn.model.states import Catcher, Retrier
from pytest_sfn.teststate.status import ErrorDecision, decide

R = Retrier(("Boom",), interval_seconds=2, max_attempts=3, backoff_rate=2.0)
R_ALL = Retrier(("States.ALL",), interval_seconds=1, max_attempts=1)
R_CAPPED = Retrier(("Boom",), interval_seconds=10, max_attempts=9, max_delay_seconds=15)
R_JITTER = Retrier(("Boom",), interval_seconds=3, max_attempts=9, jitter="FULL")
C = Catcher(("Boom",), "Handle", None)
C_TASK = Catcher(("States.TaskFailed",), "Any", None)


@pytest.mark.parametrize(
    ("error", "retry", "catch", "count", "expected"),
    [
        ("Boom", (), (), 0, ErrorDecision("FAILED")),
        ("Boom", (R,), (), 0, ErrorDecision("RETRIABLE", 0, 2)),
        ("Boom", (R,), (), 2, ErrorDecision("RETRIABLE", 0, 8)),
        ("Boom", (R,), (), 3, ErrorDecision("FAILED", 0)),
        ("Boom", (R,), (C,), 0, ErrorDecision("RETRIABLE", 0, 2)),  # retry wins over catch
        ("Boom", (R,), (C,), 3, ErrorDecision("CAUGHT_ERROR", 0, catch_index=0)),
        ("Other", (R,), (C, C_TASK), 0, ErrorDecision("CAUGHT_ERROR", catch_index=1)),
        ("Other", (R, R_ALL), (), 0, ErrorDecision("RETRIABLE", 1, 1)),
        ("States.Timeout", (), (C_TASK,), 0, ErrorDecision("FAILED")),  # TaskFailed excludes it
        ("States.Runtime", (R_ALL,), (), 0, ErrorDecision("FAILED")),  # terminal error
        ("Boom", (R_CAPPED,), (), 3, ErrorDecision("RETRIABLE", 0, 15)),
        ("Boom", (R_JITTER,), (), 1, ErrorDecision("RETRIABLE", 0, 6)),  # jitter not shown
    ],
)
def test_decide(
    error: str, retry: tuple[Retrier, ...], catch: tuple[Catcher, ...], count: int,
    expected: ErrorDecision,
) -> None:  # fmt: skip
    assert decide(error, retry, catch, count) == expected


@pytest.mark.parametrize(
    ("decision", "details"),
    [
        (ErrorDecision("FAILED"), {}),
        (ErrorDecision("FAILED", 2), {"retryIndex": 2}),
        (ErrorDecision("RETRIABLE", 0, 4), {"retryBackoffIntervalSeconds": 4, "retryIndex": 0}),
        (ErrorDecision("CAUGHT_ERROR", 1, catch_index=0), {"retryIndex": 1, "catchIndex": 0}),
    ],
)
def test_error_details(decision: ErrorDecision, details: dict[str, int]) -> None:
    assert decision.error_details() == details


@given(st.integers(min_value=0, max_value=12), st.integers(min_value=1, max_value=12))
def test_retriable_exactly_while_retries_remain(count: int, max_attempts: int) -> None:
    retrier = Retrier(("Boom",), interval_seconds=1, max_attempts=max_attempts)
    decision = decide("Boom", (retrier,), (), count)
    assert decision.status == ("RETRIABLE" if count < max_attempts else "FAILED")
    assert decision.retry_index == 0
    if decision.status == "RETRIABLE":
        assert decision.backoff_seconds == 2**count


TASK: dict[str, Any] = {
    "Type": "Task",
    "Resource": "arn:aws:states:::lambda:invoke",
    "Parameters": {"FunctionName": "f"},
    "Catch": [{"ErrorEquals": ["Boom"], "ResultPath": None, "Next": "Recover"}],
    "Next": "After",
}


@pytest.mark.parametrize(
    ("mock", "status", "next_state", "output"),
    [
        (StateMock(result={"ok": 1}), "SUCCEEDED", "After", {"ok": 1}),
        (StateMock(error_output=("Boom", "c")), "CAUGHT_ERROR", "Recover", {"in": 1}),
        (StateMock(error_output=("Other", "c")), "FAILED", None, None),
    ],
)
def test_status_of_a_task(
    mock: StateMock, status: str, next_state: str | None, output: Any
) -> None:
    result = run_state(TASK, input={"in": 1}, mock=mock)
    assert (result.status, result.next_state, result.output) == (status, next_state, output)
    if status != "SUCCEEDED":
        assert result.error == mock.error_output[0]  # type: ignore[index]


def test_fail_and_no_choice_match_are_failed() -> None:
    choice = {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "X"}]}
    result = run_state(choice, input={})
    assert (result.status, result.error, result.cause) == (
        "FAILED",
        "States.NoChoiceMatched",
        "No Matches!",
    )
    assert result.output_json is None and result.next_state is None


def test_runtime_error_is_failed_with_the_located_cause() -> None:
    result = run_state({"Type": "Pass", "InputPath": "$.missing", "End": True}, input={})
    assert result.status == "FAILED"
    assert result.error == "States.Runtime"
    assert result.cause == (
        "An error occurred while executing the state 'StateName' (entered at the event id #1). "
        "Invalid path '$.missing' : No results for path: $['missing']"
    )
