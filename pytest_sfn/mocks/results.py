"""The minimal result provider: a mapping of Task state name to what it returns.

Values of the mapping:

* any JSON value: the task's raw result;
* :class:`Return`: a result with options (virtual duration, heartbeats);
* :class:`Throw` (or a :class:`~pytest_sfn.errors.StatesError`): the task fails;
* :class:`InOrder`: one answer per invocation of that state (retries and Map iterations
  consume the next one), like Step Functions Local mocks;
* a callable ``(TaskRequest) -> answer``: computed per invocation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pytest_sfn._types import JSON
from pytest_sfn.engine.ports import TaskOutcome, TaskRequest
from pytest_sfn.errors import StatesError, UnmockedTaskError, did_you_mean

__all__ = ["InOrder", "ResultProvider", "Return", "Throw"]


@dataclass(frozen=True, slots=True)
class Return:
    """A successful task result.

    Args:
        value: the raw integration result.
        duration: virtual seconds the task takes (checked against ``TimeoutSeconds``).
        heartbeats: virtual offsets at which the task sends heartbeats.
        submitted: for ``.waitForTaskToken`` tasks, the initial API response.
    """

    value: JSON = None
    duration: float = 0.0
    heartbeats: tuple[float, ...] = ()
    submitted: JSON = None


@dataclass(frozen=True, slots=True)
class Throw:
    """A task failure with ``error`` and ``cause``; ``duration`` as for :class:`Return`."""

    error: str | None
    cause: str | None = None
    duration: float = 0.0


class InOrder:
    """One answer per invocation: the n-th call of the state gets the n-th answer."""

    __slots__ = ("answers",)

    def __init__(self, *answers: Any) -> None:
        self.answers = answers

    def __repr__(self) -> str:
        return f"InOrder{self.answers!r}"


def outcome_of(answer: Any, request: TaskRequest) -> TaskOutcome:
    """Turn one answer of the mapping into a :class:`TaskOutcome`."""
    if isinstance(answer, TaskOutcome):
        return answer
    if isinstance(answer, Return):
        return TaskOutcome(
            output=answer.value,
            duration=answer.duration,
            heartbeats=answer.heartbeats,
            submitted=answer.submitted,
        )
    if isinstance(answer, Throw):
        return TaskOutcome(
            failed=True, error=answer.error, cause=answer.cause, duration=answer.duration
        )
    if isinstance(answer, StatesError):
        return TaskOutcome(failed=True, error=answer.error, cause=answer.cause)
    if isinstance(answer, InOrder):
        if request.invocation >= len(answer.answers):
            raise UnmockedTaskError(
                f"Task state {request.state_name!r} was invoked {request.invocation + 1} times "
                f"but only {len(answer.answers)} answers were given"
            )
        return outcome_of(answer.answers[request.invocation], request)
    if callable(answer):
        return outcome_of(answer(request), request)
    return TaskOutcome(output=answer)


class ResultProvider:
    """A :class:`~pytest_sfn.engine.ports.TaskHandler` backed by a mapping of state names."""

    __slots__ = ("_answers", "calls")

    def __init__(self, answers: Mapping[str, Any] | None = None) -> None:
        self._answers = dict(answers or {})
        #: Every request received, in order.
        self.calls: list[TaskRequest] = []

    def __call__(self, request: TaskRequest) -> TaskOutcome:
        self.calls.append(request)
        try:
            answer = self._answers[request.state_name]
        except KeyError:
            known = sorted(self._answers)
            raise UnmockedTaskError(
                f"Task state {request.state_name!r} (resource {request.resource.arn}) has no "
                f"result{did_you_mean(request.state_name, known)}. Results exist for: "
                f"{', '.join(known) if known else 'no state'}. Pass results={{...}} naming it."
            ) from None
        return outcome_of(answer, request)
