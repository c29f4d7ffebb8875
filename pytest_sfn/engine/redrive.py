"""Redrive: resume an unsuccessful execution from its point of failure (``RedriveExecution``).

An :class:`~pytest_sfn.engine.execution.Execution` keeps its compiled graph, its
configuration and the :class:`~pytest_sfn.engine.runtime.ResumePoint` where it stopped.
A redrive re-enters that state with the input and variables it had; inside a Parallel or
Map, only the branches / iterations / Map Run children that did not succeed run again. The
definition and input are the execution's own: AWS always reuses them, even after
``UpdateStateMachine``.

FAILED, TIMED_OUT and ABORTED executions can be redriven; an execution stopped (or timed
out) while a callback or activity Task waited resumes at that Task, which is scheduled
again with a new token. :func:`redrive_execution` runs the attempt to its end, as
``execute()``; :func:`start_redrive` runs it in a worker thread, as ``start()``, so that
it can wait for callbacks again.
"""

from __future__ import annotations

import gc
import random
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from pytest_sfn.engine.clock import VirtualClock
from pytest_sfn.engine.ports import TaskHandler
from pytest_sfn.engine.runtime import YEAR, RedriveData, ResumePoint
from pytest_sfn.errors import ExecutionNotRedrivable

if TYPE_CHECKING:
    from pytest_sfn.engine.callbacks import RunningExecution
    from pytest_sfn.engine.execution import Execution
    from pytest_sfn.model.states import Graph

__all__ = [
    "REDRIVABLE",
    "REDRIVE_LAUNCH",
    "REDRIVE_WINDOW",
    "RedriveAttempt",
    "check_redrivable",
    "check_same_definition",
    "prepare_redrive",
    "redrive_execution",
    "redrive_status",
    "start_redrive",
]

REDRIVABLE = "REDRIVABLE"
NOT_REDRIVABLE = "NOT_REDRIVABLE"
#: Executions started before this cannot be redriven (the launch of RedriveExecution).
REDRIVE_LAUNCH = datetime(2023, 11, 15, tzinfo=timezone.utc)
#: How long after it closed an execution can be redriven.
REDRIVE_WINDOW = timedelta(days=14)
_MAX_OPEN = timedelta(seconds=YEAR)

# AWS's redriveStatusReason values, also the ExecutionNotRedrivable messages (API reference).
_RUNNING = "Execution is RUNNING and cannot be redriven."
_SUCCEEDED = "Execution is SUCCEEDED and cannot be redriven."
_BEFORE_LAUNCH = "Execution was started before the launch of RedriveExecution."
_HISTORY = "Execution history event limit exceeded."
_MAX_TIME = "Execution has exceeded the max execution time."
_PERIOD = "Execution redrivable period exceeded."
# Ours (UNCONFIRMED wording): AWS does not describe Express executions at all.
_EXPRESS = "Executions of EXPRESS state machines cannot be redriven."


def redrive_status(execution: Execution, now: datetime | None = None) -> tuple[str, str | None]:
    """``(redriveStatus, redriveStatusReason)`` of ``execution`` at time ``now``.

    Without ``now`` the time-based rules (14-day window, 1-year maximum) are not checked.
    """
    reason = _refusal(execution, now)
    return (REDRIVABLE, None) if reason is None else (NOT_REDRIVABLE, reason)


def _refusal(execution: Execution, now: datetime | None) -> str | None:
    status = execution.status
    if status == "RUNNING":
        return _RUNNING
    if status == "SUCCEEDED":
        return _SUCCEEDED
    if execution.state_machine_type == "EXPRESS":
        return _EXPRESS
    if execution.start_time < REDRIVE_LAUNCH:
        return _BEFORE_LAUNCH
    data: RedriveData | None = execution._redrive
    limit = data.config.history_limit if data is not None else None
    # AWS: fewer than 24,999 events leave room for ExecutionRedriven and one more event.
    if execution.history_limit_reached or (
        limit is not None and len(execution.history) >= limit - 1
    ):
        return _HISTORY
    if now is not None:
        if now - execution.start_time > _MAX_OPEN:
            return _MAX_TIME
        if now - execution.stop_time > REDRIVE_WINDOW:
            return _PERIOD
    return None


def check_redrivable(execution: Execution, at: datetime) -> RedriveData:
    """The redrive data of ``execution``, or :class:`ExecutionNotRedrivable` as AWS refuses."""
    reason = _refusal(execution, at)
    if reason is not None:
        raise ExecutionNotRedrivable(reason)
    data: RedriveData | None = execution._redrive
    if data is None or data.point is None:
        raise ExecutionNotRedrivable(
            "pytest-sfn kept no point of failure for this execution, so it cannot redrive it."
        )
    return data


def check_same_definition(execution: Execution, graph: Graph, label: str) -> None:
    """Refuse to redrive ``execution`` as the machine whose compiled definition is ``graph``
    when that is not the definition the execution ran.

    A redrive always re-runs the definition the execution started with (AWS keeps it even
    after ``UpdateStateMachine``), so a test that hands a changed definition to a redrive
    would silently test the old one.

    Raises:
        ExecutionNotRedrivable: the definitions differ.
    """
    data = execution._redrive
    if data is not None and data.graph is not graph and data.graph != graph:
        raise ExecutionNotRedrivable(
            f"{label} does not have the definition execution {execution.name!r} ran. A redrive "
            "re-runs the execution's own definition (as on AWS, even after the state machine "
            "is updated); start a new execution to run the changed definition."
        )


def redrive_execution(
    execution: Execution,
    *,
    results: Mapping[str, Any] | None = None,
    tasks: TaskHandler | None = None,
    mock_errors: str = "raise",
    at: datetime | None = None,
    seed: int | None = None,
) -> Execution:
    """Redrive ``execution`` (see :meth:`Execution.redrive`); returns the new view of it."""
    attempt = prepare_redrive(
        execution, _handler(results, tasks), mock_errors=mock_errors, at=at, seed=seed
    )
    return attempt.run()


def start_redrive(
    execution: Execution,
    *,
    results: Mapping[str, Any] | None = None,
    tasks: TaskHandler | None = None,
    activities: Mapping[str, Any] | None = None,
    mock_errors: str = "raise",
    at: datetime | None = None,
    seed: int | None = None,
) -> RunningExecution:
    """Redrive ``execution`` in a worker thread (see :meth:`Execution.start_redrive`)."""
    from pytest_sfn.engine.callbacks import RunningExecution
    from pytest_sfn.integrations.activities import ActivityWorkers

    handler = _handler(results, tasks)
    if activities is not None:
        handler = ActivityWorkers(activities, fallback=handler)
    return RunningExecution.launch_redrive(
        execution, handler, mock_errors=mock_errors, at=at, seed=seed
    )


def _handler(results: Mapping[str, Any] | None, tasks: TaskHandler | None) -> TaskHandler:
    from pytest_sfn.mocks.results import ResultProvider

    if results is not None and tasks is not None:
        raise ValueError("pass either results= or tasks=, not both")
    return tasks if tasks is not None else ResultProvider(results)


@dataclass(frozen=True, slots=True)
class RedriveAttempt:
    """A redrive checked and ready to run: the interpreter of the new attempt.

    Attributes:
        execution: the execution being redriven (as it stopped).
        interpreter: the :class:`~pytest_sfn.engine.run.Interpreter` of the new attempt.
        point: where the execution stopped (the state re-entered).
        at: the redrive time (``redriveDate``).
    """

    execution: Execution
    interpreter: Any
    point: ResumePoint
    at: datetime

    def run(self) -> Execution:
        """Run the attempt to its end; returns the new view of the execution."""
        collecting = gc.isenabled()
        gc.disable()
        try:
            result: Execution = self.interpreter.redrive(self.execution, self.point, self.at)
            return result
        finally:
            if collecting:
                gc.enable()


def prepare_redrive(
    execution: Execution,
    tasks: TaskHandler,
    *,
    mock_errors: str = "raise",
    at: datetime | None = None,
    seed: int | None = None,
) -> RedriveAttempt:
    """Check that ``execution`` can be redriven at ``at`` and build the new attempt.

    Raises:
        ExecutionNotRedrivable: AWS would refuse the redrive.
        ValueError: a bad ``mock_errors`` or ``at``.
    """
    from pytest_sfn.engine.run import Interpreter, deadline_for

    if mock_errors not in ("raise", "fail"):
        raise ValueError(f"mock_errors must be 'raise' or 'fail', not {mock_errors!r}")
    moment = execution.stop_time + timedelta(seconds=1) if at is None else at
    if moment.tzinfo is None:
        raise ValueError("at= must be a timezone-aware datetime")
    moment = moment.astimezone(timezone.utc)
    if moment < execution.stop_time:
        raise ValueError(
            f"at= ({moment.isoformat()}) is before the execution stopped "
            f"({execution.stop_time.isoformat()})"
        )
    data = check_redrivable(execution, moment)
    assert data.point is not None  # checked above
    count = execution.redrive_count + 1
    config = replace(data.config, redrive_count=count, fail_on_mock_error=mock_errors == "fail")
    rng = random.Random(f"{config.execution_arn}:redrive:{count}" if seed is None else seed)
    graph = data.graph
    interpreter = Interpreter(
        graph=graph,
        config=config,
        tasks=tasks,
        # AWS: the execution's TimeoutSeconds clock restarts with the redrive.
        clock=VirtualClock(
            moment, deadline_for(moment, graph.timeout_seconds, config.machine_type)
        ),
        rng=rng,
    )
    return RedriveAttempt(execution, interpreter, data.point, moment)
