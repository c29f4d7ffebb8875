"""Runtime records of one execution: configuration, causal chains, frames and visits.

Shared by the interpreter (:mod:`pytest_sfn.engine.run`) and the state handlers.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pytest_sfn._types import JSON
from pytest_sfn.engine.failure import GraphFailure, MockFailure
from pytest_sfn.errors import StatesError

PAYLOAD_LIMIT = 262_144
RETRYABLE = frozenset({"Task", "Parallel", "Map"})
NOT_TRUNCATED = {"truncated": False}
YEAR = 365 * 24 * 3600
EXPRESS_MAX = 5 * 60


@dataclass(frozen=True, slots=True)
class RunConfig:
    """The stable facts of one execution."""

    execution_arn: str
    execution_name: str
    state_machine_arn: str
    state_machine_name: str
    role_arn: str
    region: str
    account: str
    machine_type: str = "STANDARD"
    history_limit: int | None = 25_000
    redrive_count: int = 0
    fail_on_mock_error: bool = False


class HistoryLimit(Exception):
    pass


class Thread:
    """The id of the last event on one causal chain (for ``previousEventId``)."""

    __slots__ = ("last",)

    def __init__(self, last: int) -> None:
        self.last = last


@dataclass(slots=True)
class Frame:
    """Where a graph runs: record address and visible variables."""

    scope: tuple[Any, ...]
    variables: dict[str, JSON]


@dataclass(slots=True)
class Visit:
    """Per-visit mutable facts (retry count for ``$$.State.RetryCount``)."""

    name: str
    entered_at: datetime
    entered_id: int
    retryable: bool = False
    retry_count: int = 0
    slot: int = 0
    map_item: dict[str, JSON] | None = None
    task_token: str | None = None
    #: On a redrive: what this Parallel/Map had done before it failed (:class:`Progress`).
    redrive: Progress | None = None


@dataclass(frozen=True, slots=True)
class ResumePoint:
    """Where a graph (the machine, a Parallel branch, a Map iteration) stopped unsuccessfully.

    Attributes:
        state: the state that did not exit.
        input: its raw input.
        variables: the variables in scope when it was entered.
        children: for a Parallel or Map, which branches/iterations/children succeeded and
            where the others stopped (``None``: the state re-runs entirely).
    """

    state: str
    input: JSON
    variables: dict[str, JSON]
    children: Progress | None = None


@dataclass(frozen=True, slots=True)
class Progress:
    """What a Parallel or Map state had done when it failed.

    Attributes:
        done: outputs of the branches / iterations / child executions that succeeded.
        failed: where each failed one stopped (``None``: it re-runs from its first state).
            Indexes in neither map never ran and run from the start.
        map_run_arn: the Map Run of a Distributed Map (redriven, not started anew).
        map_run_redrives: how many times that Map Run was redriven so far.
    """

    done: dict[int, JSON]
    failed: dict[int, ResumePoint | None]
    map_run_arn: str | None = None
    map_run_redrives: int = 0


@dataclass(frozen=True, slots=True)
class RedriveData:
    """What an :class:`~pytest_sfn.engine.execution.Execution` keeps to be redriven."""

    graph: Any
    config: RunConfig
    point: ResumePoint | None


def resume_point(
    name: str, value: JSON, variables: dict[str, JSON], exc: BaseException, error: str | None
) -> ResumePoint:
    """The point of failure of a state; its children's progress unless data was too large."""
    children = getattr(exc, "redrive_child", None)
    if children is not None:
        exc.redrive_child = None  # type: ignore[attr-defined]
    if error == "States.DataLimitExceeded":
        children = None  # AWS: the whole Parallel / Map re-runs
    return ResumePoint(name, value, dict(variables), children)


def take_progress(visit: Visit | None) -> Progress | None:
    """The visit's redrive progress, once: a retry of the state runs it entirely."""
    if visit is None or visit.redrive is None:
        return None
    progress, visit.redrive = visit.redrive, None
    return progress


@dataclass(slots=True)
class Done:
    output: JSON
    next: str | None
    attempts: int = 1
    assigned: dict[str, JSON] | None = None
    error: str | None = None
    cause: str | None = None


@dataclass(slots=True)
class IntrinsicEnv:
    rng: random.Random
    uuid4: Callable[[], str]


_LOCATED_ERRORS = frozenset({"States.Runtime", "States.QueryEvaluationError"})


def locate_error(err: StatesError, state: str, entered: int) -> tuple[str | None, str | None]:
    """AWS prefixes runtime and JSONata errors with the state and its entered event id."""
    if err.error in _LOCATED_ERRORS and not getattr(err, "located", False):
        return err.error, (
            f"An error occurred while executing the state '{state}' "
            f"(entered at the event id #{entered}). {err.cause or ''}"
        ).rstrip()
    return err.error, err.cause


def error_details(error: str | None, cause: str | None) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if error is not None:
        details["error"] = error
    if cause is not None:
        details["cause"] = cause
    return details


def child_error(failure: GraphFailure, final_event: str | None = None) -> Exception:
    """What a Parallel/Map raises when a branch or iteration failed.

    A :class:`StatesError` its Retry and Catch can see, except for a
    :class:`MockFailure`, which passes through unchanged.
    """
    if isinstance(failure, MockFailure):
        return failure
    err = StatesError(failure.error, failure.cause)
    err.located = True  # type: ignore[attr-defined]
    err.final_event = final_event  # type: ignore[attr-defined]
    return err


# --- state handlers ---------------------------------------------------------------------


def too_large(text: str) -> bool:
    """Whether JSON text exceeds 256 KiB of UTF-8 (cheap for the common small payload)."""
    return len(text) * 4 > PAYLOAD_LIMIT and len(text.encode()) > PAYLOAD_LIMIT


def data_limit_cause(name: str) -> str:
    return (
        f"The state/task '{name}' returned a result with a size exceeding the maximum "
        "number of bytes service limit."
    )
