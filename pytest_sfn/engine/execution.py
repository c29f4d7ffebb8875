"""The result of running a state machine: status, output, path, per-state records, history."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pytest_sfn._json import dump_compact as _dump
from pytest_sfn._types import JSON
from pytest_sfn.engine.history import HistoryEvent
from pytest_sfn.engine.ports import TaskHandler

if TYPE_CHECKING:
    from pytest_sfn.engine.callbacks import RunningExecution

__all__ = ["Execution", "StateRecord", "TaskCall"]

#: Address of a state inside Map iterations / Parallel branches: ``("Process", 3)`` is
#: iteration 3 of the Map state ``Process``; ``()`` is the top level.
Scope = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class StateRecord:
    """One visit of one state.

    Attributes:
        name: the state's name.
        type: ``Task``, ``Pass``...
        scope: where it ran: ``()`` at top level, ``("MapName", index)`` in a Map iteration,
            ``("ParallelName", branch)`` in a Parallel branch (nesting appends).
        input: the state's raw input.
        output: its output, ``None`` if it failed (see ``error``).
        entered_at, exited_at: virtual times (``exited_at`` is ``None`` if it failed).
        attempts: how many times its work ran (1 + retries).
        error, cause: the error that left the state, if any (caught or not).
        assigned: variables the state assigned.
        redrive: the execution's redrive count when the visit ran: 0 for the original
            attempt, ``n`` for the ``n``-th redrive.
    """

    name: str
    type: str
    scope: Scope
    input: JSON
    output: JSON
    entered_at: datetime
    exited_at: datetime | None
    attempts: int = 1
    error: str | None = None
    cause: str | None = None
    assigned: dict[str, JSON] | None = None
    redrive: int = 0

    @property
    def succeeded(self) -> bool:
        """Whether the state exited normally (a caught error still exits)."""
        return self.exited_at is not None


@dataclass(frozen=True, slots=True)
class TaskCall:
    """One invocation of a Task state, as the integration (or mock) saw it.

    Attributes:
        state: the Task state's name.
        scope: where it ran (see :class:`StateRecord`).
        attempt: 0 for the first call of a state visit, then 1, 2... for retries.
        parameters: the effective parameters sent (after InputPath/Parameters or Arguments).
        resource: the ``Resource`` ARN.
        result: the raw result, when it succeeded.
        error, cause: the failure (``States.Timeout`` for a timeout), when it failed.
        started_at, finished_at: virtual times.
        failed: whether it failed.
        redrive: the execution's redrive count when the call was made (0: original attempt).
    """

    state: str
    scope: Scope
    attempt: int
    parameters: JSON
    resource: str
    result: JSON
    error: str | None
    cause: str | None
    started_at: datetime
    finished_at: datetime
    #: Whether the call failed (a failure may carry no error name, as a callback can).
    failed: bool = False
    redrive: int = 0

    @property
    def succeeded(self) -> bool:
        """Whether the call returned a result."""
        return not self.failed


@dataclass(frozen=True, slots=True)
class Execution:
    """A finished execution.

    Attributes:
        status: ``SUCCEEDED``, ``FAILED``, ``TIMED_OUT`` or ``ABORTED``.
        output: the decoded output (``None`` unless SUCCEEDED).
        error, cause: why it did not succeed.
        states: every state visit in order, including those inside Map/Parallel.
        history: the events as ``GetExecutionHistory`` returns them (empty for EXPRESS).
        redrive_count: how many times it was redriven (``$$.Execution.RedriveCount``).
        redrive_date: when it was last redriven (``None`` if never).
    """

    execution_arn: str
    name: str
    state_machine_arn: str
    state_machine_type: str
    status: str
    input: JSON
    output: JSON
    error: str | None
    cause: str | None
    start_time: datetime
    stop_time: datetime
    states: tuple[StateRecord, ...]
    history: tuple[HistoryEvent, ...]
    redrive_count: int = 0
    task_calls: tuple[TaskCall, ...] = ()
    #: Whether the execution failed because it reached the history event limit.
    history_limit_reached: bool = False
    redrive_date: datetime | None = None
    #: What :meth:`redrive` needs (compiled graph, configuration, point of failure).
    _redrive: Any = field(default=None, repr=False, compare=False)

    @property
    def succeeded(self) -> bool:
        """``status == "SUCCEEDED"``."""
        return self.status == "SUCCEEDED"

    @property
    def input_json(self) -> str:
        """The input as the API returns it (compact JSON text)."""
        return _dump(self.input)

    @property
    def output_json(self) -> str | None:
        """The output as the API returns it (compact JSON text), ``None`` unless SUCCEEDED."""
        return _dump(self.output) if self.status == "SUCCEEDED" else None

    @property
    def path(self) -> list[str]:
        """Names of the top-level states entered, in order."""
        return [r.name for r in self.states if not r.scope]

    def path_in(self, *scope: Any) -> list[str]:
        """Names of the states entered directly inside ``scope``.

        ``execution.path_in("ProcessItems", 2)`` is the path of iteration 2 of the Map
        state ``ProcessItems``; ``path_in("Fanout", 0)`` the path of branch 0 of a Parallel.
        """
        return [r.name for r in self.states if r.scope == scope]

    def visits(self, name: str) -> list[StateRecord]:
        """Every visit of the state called ``name`` (any scope), in order."""
        return [r for r in self.states if r.name == name]

    def state(self, name: str) -> StateRecord:
        """The last visit of the state called ``name``.

        Raises:
            KeyError: the state never ran; the message lists the states that did.
        """
        for record in reversed(self.states):
            if record.name == name:
                return record
        ran = ", ".join(dict.fromkeys(r.name for r in self.states)) or "none"
        raise KeyError(f"state {name!r} did not run in this execution (states that ran: {ran})")

    def calls(self, state: str | None = None) -> list[TaskCall]:
        """Task invocations in order, optionally only those of the Task state ``state``.

        ``execution.calls("Charge")[0].parameters`` is what the first call of ``Charge`` sent.
        """
        return [c for c in self.task_calls if state is None or c.state == state]

    def events(self, *types: str) -> list[HistoryEvent]:
        """History events, optionally only those of the given types."""
        return [e for e in self.history if not types or e.type in types]

    def describe(self, now: datetime | None = None) -> dict[str, Any]:
        """The ``DescribeExecution`` response for this execution.

        ``now`` (default: the stop time) decides whether the 14-day redrive window and the
        one-year maximum open time have passed (``redriveStatus``).
        """
        out: dict[str, Any] = {
            "executionArn": self.execution_arn,
            "stateMachineArn": self.state_machine_arn,
            "name": self.name,
            "status": self.status,
            "startDate": self.start_time,
            "stopDate": self.stop_time,
            "input": self.input_json,
            "inputDetails": {"included": True},
        }
        if self.status == "SUCCEEDED":
            out["output"] = self.output_json
            out["outputDetails"] = {"included": True}
        # AWS-recorded: a TIMED_OUT execution is described without error or cause.
        if self.status != "TIMED_OUT":
            if self.error is not None:
                out["error"] = self.error
            if self.cause is not None:
                out["cause"] = self.cause
        out["redriveCount"] = self.redrive_count
        if self.redrive_date is not None:
            out["redriveDate"] = self.redrive_date
        from pytest_sfn.engine.redrive import redrive_status

        status, reason = redrive_status(self, now)
        out["redriveStatus"] = status
        if reason is not None:
            # AWS's DescribeExecution (DOC example) words this one without the final period.
            out["redriveStatusReason"] = (
                reason.rstrip(".") if self.status == "SUCCEEDED" else reason
            )
        return out

    # --- redrive ----------------------------------------------------------------------------

    def redrive(
        self,
        *,
        results: Mapping[str, Any] | None = None,
        tasks: TaskHandler | None = None,
        mock_errors: str = "raise",
        at: datetime | None = None,
        seed: int | None = None,
    ) -> Execution:
        """Redrive this execution from its point of failure (``RedriveExecution``).

        FAILED, TIMED_OUT and ABORTED executions can be redriven (an execution stopped or
        timed out while a callback task waited resumes at that task; see
        :meth:`start_redrive` to let it wait again). Returns a new :class:`Execution`: the
        same execution (ARN, name, input, definition) after one more attempt. States that
        succeeded are not re-run; the failed state is re-entered with the input and
        variables it had; in a Parallel only the failed branches, in a Map only the failed
        iterations (or Map Run children) re-run. Retry counters and the execution
        ``TimeoutSeconds`` clock restart. This object is left unchanged.

        Args:
            results: the (fixed) Task answers for this attempt, as in
                :meth:`~pytest_sfn.StateMachine.execute`.
            tasks: a task handler instead of ``results``.
            mock_errors: ``"raise"`` or ``"fail"``, as in ``execute``.
            at: when the redrive happens (default: one second after :attr:`stop_time`);
                the redrive window (14 days after the stop) is checked against it.
            seed: seeds UUIDs and jitter of this attempt (default: derived from the ARN
                and the redrive count).

        Raises:
            ExecutionNotRedrivable: AWS would refuse (SUCCEEDED, EXPRESS, history limit,
                redrive window or maximum open time exceeded); ``.message`` is AWS's text.
            MockError: a Task has no answer (with ``mock_errors="raise"``).
        """
        from pytest_sfn.engine.redrive import redrive_execution

        return redrive_execution(
            self, results=results, tasks=tasks, mock_errors=mock_errors, at=at, seed=seed
        )

    def start_redrive(
        self,
        *,
        results: Mapping[str, Any] | None = None,
        tasks: TaskHandler | None = None,
        activities: Mapping[str, Any] | None = None,
        mock_errors: str = "raise",
        at: datetime | None = None,
        seed: int | None = None,
    ) -> RunningExecution:
        """Redrive this execution in a worker thread; returns while a task waits.

        :meth:`redrive` is to :meth:`StateMachine.execute
        <pytest_sfn.machine.StateMachine.execute>` what this is to :meth:`StateMachine.start
        <pytest_sfn.machine.StateMachine.start>`: the redriven attempt runs until a
        ``.waitForTaskToken`` or activity Task has no answer, then the returned
        :class:`~pytest_sfn.engine.callbacks.RunningExecution` (``RUNNING``) answers its
        token, moves time, stops it or waits for the end. An ABORTED execution that was
        stopped while a task waited resumes at that task, which waits again with a new
        token. This object is left unchanged.

        Args:
            results, tasks, mock_errors, at, seed: as for :meth:`redrive`.
            activities: activity workers by activity ARN, as for ``StateMachine.start``.

        Raises:
            ExecutionNotRedrivable: AWS would refuse (checked before anything runs).
            MockError: a Task that cannot wait has no answer (``mock_errors="raise"``).
        """
        from pytest_sfn.engine.redrive import start_redrive

        return start_redrive(
            self, results=results, tasks=tasks, activities=activities,
            mock_errors=mock_errors, at=at, seed=seed,
        )  # fmt: skip

    @property
    def redriven_states(self) -> list[StateRecord]:
        """The state visits the last redrive ran (empty if never redriven)."""
        if self.redrive_date is None:
            return []
        return [r for r in self.states if r.redrive == self.redrive_count]

    @property
    def kept_states(self) -> list[StateRecord]:
        """Visits of earlier attempts that exited normally: kept, not re-run, by the last
        redrive (empty if never redriven)."""
        if self.redrive_date is None:
            return []
        return [r for r in self.states if r.redrive < self.redrive_count and r.succeeded]

    @property
    def transitions(self) -> tuple[int, ...]:
        """State transitions (states entered, Map/Parallel insides included) per attempt:
        ``transitions[0]`` the original run, ``transitions[n]`` the ``n``-th redrive."""
        counts = [0] * (self.redrive_count + 1)
        for record in self.states:
            if record.redrive < len(counts):
                counts[record.redrive] += 1
        return tuple(counts)

    @property
    def redrive_transitions(self) -> int:
        """State transitions the last redrive cost (0 if never redriven)."""
        return self.transitions[-1] if self.redrive_date is not None else 0

    # --- assertion helpers (delegates of pytest_sfn.testing.assertions) -------------------

    def assert_succeeded(self) -> Execution:
        """Assert that the execution ended ``SUCCEEDED``; returns it (for chaining).

        See :func:`pytest_sfn.testing.assertions.assert_succeeded`.
        """
        __tracebackhide__ = True
        from pytest_sfn.testing import assertions

        return assertions.assert_succeeded(self)

    def assert_failed(
        self, error: str | None = None, cause: str | re.Pattern[str] | None = None
    ) -> Execution:
        """Assert that it ended ``FAILED`` (with this ``error`` / ``cause`` when given).

        See :func:`pytest_sfn.testing.assertions.assert_failed`.
        """
        __tracebackhide__ = True
        from pytest_sfn.testing import assertions

        return assertions.assert_failed(self, error, cause)

    def assert_path(self, expected: Sequence[str], *scope: Any) -> Execution:
        """Assert the states entered in order (top level, or inside ``scope``).

        See :func:`pytest_sfn.testing.assertions.assert_path`.
        """
        __tracebackhide__ = True
        from pytest_sfn.testing import assertions

        return assertions.assert_path(self, expected, *scope)

    def assert_called_with(self, state: str, parameters: JSON, exact: bool = False) -> TaskCall:
        """Assert the parameters of the last call of Task state ``state``; returns the call.

        See :func:`pytest_sfn.testing.assertions.assert_called_with`.
        """
        __tracebackhide__ = True
        from pytest_sfn.testing import assertions

        return assertions.assert_called_with(self, state, parameters, exact=exact)

    def assert_output(self, expected: JSON, *, exact: bool = True) -> Execution:
        """Assert the output (equal, or containing ``expected`` with ``exact=False``).

        See :func:`pytest_sfn.testing.assertions.assert_output`.
        """
        __tracebackhide__ = True
        from pytest_sfn.testing import assertions

        return assertions.assert_output(self, expected, exact=exact)

    def assert_redrive(
        self,
        *,
        rerun: Sequence[str] | None = None,
        kept: Sequence[str] | None = None,
        transitions: int | None = None,
    ) -> Execution:
        """Assert what the last redrive re-ran, kept and cost (distinct state names in
        first-entry order).

        See :func:`pytest_sfn.testing.assertions.assert_redrive`.
        """
        __tracebackhide__ = True
        from pytest_sfn.testing import assertions

        return assertions.assert_redrive(self, rerun=rerun, kept=kept, transitions=transitions)
