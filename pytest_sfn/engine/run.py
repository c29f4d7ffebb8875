"""The state loop: run a compiled definition under a virtual clock and record what happened.

One :class:`Interpreter` runs one execution. States are dispatched through ``HANDLERS``
(one function per state type). Map iterations and Parallel branches run one after another
in a deterministic order; history ``previousEventId`` links follow the causal chains AWS
records.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pytest_sfn._types import JSON
from pytest_sfn.engine.choice import evaluate_condition, parse_timestamp
from pytest_sfn.engine.clock import DeadlineReached, VirtualClock, iso_timestamp
from pytest_sfn.engine.dataflow import (
    apply_input_path,
    apply_output_path,
    apply_result_path,
    apply_template,
)
from pytest_sfn.engine.execution import Execution, StateRecord
from pytest_sfn.engine.failure import GraphFailure
from pytest_sfn.engine.history import HistoryEvent, payload
from pytest_sfn.engine.ports import TaskHandler, TaskOutcome, TaskRequest
from pytest_sfn.engine.retry import find_handler, retry_delay
from pytest_sfn.errors import SfnError, StatesError
from pytest_sfn.expressions.jsonpath import CompiledPath, PathNotFound
from pytest_sfn.expressions.payload import Scope, Template, evaluate_template, resolve_path
from pytest_sfn.model.states import (
    ChoiceState,
    FailState,
    Graph,
    MapState,
    ParallelState,
    PassState,
    State,
    SucceedState,
    TaskState,
    WaitState,
)

__all__ = ["Interpreter", "RunConfig"]

PAYLOAD_LIMIT = 262_144
_RETRYABLE = frozenset({"Task", "Parallel", "Map"})
_NOT_TRUNCATED = {"truncated": False}
_YEAR = 365 * 24 * 3600
_EXPRESS_MAX = 5 * 60


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


class _HistoryLimit(Exception):
    pass


class _Thread:
    """The id of the last event on one causal chain (for ``previousEventId``)."""

    __slots__ = ("last",)

    def __init__(self, last: int) -> None:
        self.last = last


@dataclass(slots=True)
class _Frame:
    """Where a graph runs: record address and visible variables."""

    scope: tuple[Any, ...]
    variables: dict[str, JSON]


@dataclass(slots=True)
class _Visit:
    """Per-visit mutable facts (retry count for ``$$.State.RetryCount``)."""

    name: str
    entered_at: datetime
    entered_id: int
    retryable: bool = False
    retry_count: int = 0
    slot: int = 0
    map_item: dict[str, JSON] | None = None
    task_token: str | None = None


@dataclass(slots=True)
class _Done:
    output: JSON
    next: str | None
    attempts: int = 1
    assigned: dict[str, JSON] | None = None
    error: str | None = None
    cause: str | None = None


@dataclass(slots=True)
class _IntrinsicEnv:
    rng: random.Random
    uuid4: Callable[[], str]


@dataclass
class Interpreter:
    """Runs one execution of ``graph``. Use :meth:`run`; an instance is single-use."""

    graph: Graph
    config: RunConfig
    tasks: TaskHandler
    clock: VirtualClock
    rng: random.Random
    events: list[HistoryEvent] = field(default_factory=list)
    records: list[StateRecord | None] = field(default_factory=list)
    invocations: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.env = _IntrinsicEnv(self.rng, self.uuid4)
        self._execution_context: dict[str, JSON] = {}
        self._machine_context = {
            "Id": self.config.state_machine_arn,
            "Name": self.config.state_machine_name,
        }

    # --- helpers ------------------------------------------------------------------------

    def uuid4(self) -> str:
        """A version 4 UUID from the seeded generator."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def add(self, type_: str, prev: int, details: dict[str, Any] | None = None) -> int:
        """Record a history event; returns its id."""
        event_id = len(self.events) + 1
        limit = self.config.history_limit
        if limit is not None and event_id >= limit:  # the last slot is the failure event
            raise _HistoryLimit
        self.events.append(HistoryEvent(event_id, prev, type_, self.clock.now(), details or {}))
        return event_id

    def context(self, visit: _Visit) -> dict[str, JSON]:
        """The Context object as the state being visited sees it."""
        state: dict[str, JSON] = {
            "Name": visit.name,
            "EnteredTime": iso_timestamp(visit.entered_at),
        }
        if visit.retryable:  # AWS-recorded: Pass/Choice/Wait contexts carry no RetryCount
            state["RetryCount"] = visit.retry_count
        ctx: dict[str, JSON] = {
            "Execution": self._execution_context,
            "State": state,
            "StateMachine": self._machine_context,
        }
        if visit.task_token is not None:
            ctx["Task"] = {"Token": visit.task_token}
        if visit.map_item is not None:
            ctx["Map"] = {"Item": visit.map_item}
        return ctx

    def scope(self, value: JSON, visit: _Visit, frame: _Frame) -> Scope:
        return Scope(value, lambda: self.context(visit), frame.variables, self.env)

    # --- the execution ------------------------------------------------------------------

    def run(self, input_value: JSON, start: datetime) -> Execution:
        """Run to completion and return the :class:`Execution`."""
        cfg = self.config
        self._execution_context = {
            "Id": cfg.execution_arn,
            "Input": input_value,
            "StartTime": iso_timestamp(start),
            "Name": cfg.execution_name,
            "RoleArn": cfg.role_arn,
            "RedriveCount": cfg.redrive_count,
        }
        self.add(
            "ExecutionStarted",
            0,
            {
                "input": payload(input_value),
                "inputDetails": _NOT_TRUNCATED,
                "roleArn": cfg.role_arn,
            },
        )
        thread = _Thread(0)
        status, output, error, cause = "SUCCEEDED", None, None, None
        try:
            output = self.run_graph(self.graph, input_value, thread, _Frame((), {}))
            self.add(
                "ExecutionSucceeded",
                thread.last,
                {"output": payload(output), "outputDetails": _NOT_TRUNCATED},
            )
        except GraphFailure as failure:
            status, error, cause = "FAILED", failure.error, failure.cause
            self.add("ExecutionFailed", thread.last, _error_details(error, cause))
        except DeadlineReached:
            status, error = "TIMED_OUT", "States.Timeout"
            self.add("ExecutionTimedOut", thread.last, {"error": error})
        except _HistoryLimit:
            status, error = "FAILED", "States.Runtime"
            cause = (
                f"The execution reached the maximum number of history events ({cfg.history_limit})."
            )
            self.config_history_overflow(error, cause, thread)
        return Execution(
            execution_arn=cfg.execution_arn,
            name=cfg.execution_name,
            state_machine_arn=cfg.state_machine_arn,
            state_machine_type=cfg.machine_type,
            status=status,
            input=input_value,
            output=output,
            error=error,
            cause=cause,
            start_time=start,
            stop_time=self.clock.now(),
            states=tuple(r for r in self.records if r is not None),
            history=tuple(self.events) if cfg.machine_type == "STANDARD" else (),
            redrive_count=cfg.redrive_count,
        )

    def config_history_overflow(self, error: str, cause: str, thread: _Thread) -> None:
        """Record the final event even though the limit is reached."""
        event_id = len(self.events) + 1
        self.events.append(
            HistoryEvent(
                event_id,
                thread.last,
                "ExecutionFailed",
                self.clock.now(),
                {"error": error, "cause": cause},
            )
        )

    def run_graph(self, graph: Graph, value: JSON, thread: _Thread, frame: _Frame) -> JSON:
        """Run states from ``StartAt`` until one ends the graph; raises :class:`GraphFailure`."""
        name: str | None = graph.start_at
        states = graph.states
        while name is not None:
            value, name = self.run_state(states[name], value, thread, frame)
        return value

    def run_state(
        self, state: State, value: JSON, thread: _Thread, frame: _Frame
    ) -> tuple[JSON, str | None]:
        """Enter, run and exit one state; returns its output and the next state's name."""
        type_ = state.type
        entered_at = self.clock.now()
        entered = self.add(
            type_ + "StateEntered",
            thread.last,
            {"name": state.name, "input": payload(value), "inputDetails": _NOT_TRUNCATED},
        )
        thread.last = entered
        visit = _Visit(state.name, entered_at, entered, type_ in _RETRYABLE)
        visit.slot = len(self.records)
        self.records.append(None)  # filled when the visit ends: records are in entry order
        try:
            done = HANDLERS[type_](self, state, value, thread, frame, visit)
        except StatesError as err:
            error, cause = _located(err, state.name, entered)
            self._record(state, frame, value, None, entered_at, None, visit, error, cause)
            raise GraphFailure(error, cause) from None
        except GraphFailure as failure:
            self._record(
                state, frame, value, None, entered_at, None, visit, failure.error, failure.cause
            )
            raise
        output_text = payload(done.output)
        if _too_large(output_text):
            # AWS-recorded: an oversized state output fails the execution, no StateExited.
            error, cause = "States.DataLimitExceeded", _data_limit_cause(state.name)
            self._record(state, frame, value, None, entered_at, None, visit, error, cause)
            raise GraphFailure(error, cause)
        if done.assigned:
            frame.variables.update(done.assigned)
        details: dict[str, Any] = {
            "name": state.name,
            "output": output_text,
            "outputDetails": _NOT_TRUNCATED,
        }
        if done.assigned is not None:
            details["assignedVariables"] = {k: payload(v) for k, v in done.assigned.items()}
            details["assignedVariablesDetails"] = _NOT_TRUNCATED
        thread.last = self.add(type_ + "StateExited", thread.last, details)
        self._record(
            state, frame, value, done.output, entered_at, self.clock.now(), visit,
            done.error, done.cause, done.attempts, done.assigned,
        )  # fmt: skip
        return done.output, done.next

    def _record(
        self,
        state: State,
        frame: _Frame,
        value: JSON,
        output: JSON,
        entered_at: datetime,
        exited_at: datetime | None,
        visit: _Visit,
        error: str | None,
        cause: str | None,
        attempts: int | None = None,
        assigned: dict[str, JSON] | None = None,
    ) -> None:
        self.records[visit.slot] = StateRecord(
            name=state.name,
            type=state.type,
            scope=frame.scope,
            input=value,
            output=output,
            entered_at=entered_at,
            exited_at=exited_at,
            attempts=attempts if attempts is not None else visit.retry_count + 1,
            error=error,
            cause=cause,
            assigned=assigned,
        )

    # --- shared pieces ------------------------------------------------------------------

    def assign(
        self, template: Template | None, value: JSON, visit: _Visit, frame: _Frame
    ) -> dict[str, JSON] | None:
        """Evaluate a JSONPath ``Assign`` block (``$`` is ``value``)."""
        if template is None:
            return None
        result = evaluate_template(template, self.scope(value, visit, frame))
        return dict(result) if isinstance(result, dict) else {}

    def finish(
        self,
        state: TaskState | ParallelState | MapState,
        raw_input: JSON,
        result: JSON,
        visit: _Visit,
        frame: _Frame,
    ) -> _Done:
        """ResultSelector -> ResultPath -> OutputPath -> Assign for a state with a result."""
        selected = apply_template(state.result_selector, self.scope(result, visit, frame))
        combined = apply_result_path(state.result_path, raw_input, selected)
        output = apply_output_path(state.output_path, self.scope(combined, visit, frame))
        assigned = self.assign(state.assign, selected, visit, frame)
        return _Done(output, state.next, visit.retry_count + 1, assigned)

    def with_retry(
        self,
        state: TaskState | ParallelState | MapState,
        raw_input: JSON,
        visit: _Visit,
        frame: _Frame,
        thread: _Thread,
        attempt: Callable[[], _Done],
    ) -> _Done:
        """Run ``attempt`` under the state's Retry and Catch.

        A Map or Parallel whose children failed records ``MapStateFailed`` /
        ``ParallelStateFailed`` only when the error is final (not before a retry), as AWS.
        """
        counters = [0] * len(state.retry)
        while True:
            try:
                return attempt()
            except StatesError as err:
                heartbeat = bool(getattr(err, "heartbeat", False))
                index = find_handler(state.retry, err.error, heartbeat=heartbeat)
                if index is not None and counters[index] < state.retry[index].max_attempts:
                    counters[index] += 1
                    visit.retry_count += 1
                    self.clock.advance(retry_delay(state.retry[index], counters[index], self.rng))
                    continue
                final_event = getattr(err, "final_event", None)
                if final_event is not None:
                    thread.last = self.add(final_event, thread.last)
                catch_index = find_handler(state.catch, err.error, heartbeat=heartbeat)
                if catch_index is None:
                    raise
                catcher = state.catch[catch_index]
                error_output = {"Error": err.error, "Cause": err.cause}
                output = apply_result_path(catcher.result_path, raw_input, error_output)
                assigned = self.assign(catcher.assign, error_output, visit, frame)
                return _Done(
                    output, catcher.next, visit.retry_count + 1, assigned, err.error, err.cause
                )

    def resolve_number(
        self, literal: JSON, path: CompiledPath | None, field_name: str, value: JSON,
        visit: _Visit, frame: _Frame,
    ) -> JSON:  # fmt: skip
        """A numeric field given literally or through its ``...Path`` variant."""
        if path is None:
            return literal
        try:
            return resolve_path(path, self.scope(value, visit, frame))
        except PathNotFound:
            raise StatesError(
                "States.Runtime",
                f"The {field_name}Path field references a path that could not be found: "
                f"{path.text}",
            ) from None


def _located(err: StatesError, state: str, entered: int) -> tuple[str | None, str | None]:
    """AWS prefixes runtime errors with the state and the id of its entered event."""
    if err.error == "States.Runtime" and not getattr(err, "located", False):
        return err.error, (
            f"An error occurred while executing the state '{state}' "
            f"(entered at the event id #{entered}). {err.cause or ''}"
        ).rstrip()
    return err.error, err.cause


def _error_details(error: str | None, cause: str | None) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if error is not None:
        details["error"] = error
    if cause is not None:
        details["cause"] = cause
    return details


def _child_error(failure: GraphFailure, final_event: str | None = None) -> StatesError:
    """The error of a failed branch/iteration, raised by its Parallel/Map state."""
    err = StatesError(failure.error, failure.cause)
    err.located = True  # type: ignore[attr-defined]
    err.final_event = final_event  # type: ignore[attr-defined]
    return err


# --- state handlers ---------------------------------------------------------------------

_Handler = Callable[[Interpreter, Any, JSON, _Thread, _Frame, _Visit], _Done]


def _pass(
    it: Interpreter, state: PassState, value: JSON, thread: _Thread, frame: _Frame, visit: _Visit
) -> _Done:
    effective = apply_input_path(state.input_path, it.scope(value, visit, frame))
    if state.parameters is not None:
        effective = apply_template(state.parameters, it.scope(effective, visit, frame))
    result = state.result if state.has_result else effective
    combined = apply_result_path(state.result_path, value, result)
    output = apply_output_path(state.output_path, it.scope(combined, visit, frame))
    return _Done(output, state.next, 1, it.assign(state.assign, result, visit, frame))


def _succeed(
    it: Interpreter, state: SucceedState, value: JSON, thread: _Thread, frame: _Frame, visit: _Visit
) -> _Done:
    effective = apply_input_path(state.input_path, it.scope(value, visit, frame))
    return _Done(apply_output_path(state.output_path, it.scope(effective, visit, frame)), None)


def _choice(
    it: Interpreter, state: ChoiceState, value: JSON, thread: _Thread, frame: _Frame, visit: _Visit
) -> _Done:
    effective = apply_input_path(state.input_path, it.scope(value, visit, frame))
    scope = it.scope(effective, visit, frame)
    target: str | None = None
    assign = state.assign
    for rule in state.choices:
        if evaluate_condition(rule.condition, scope):
            target = rule.next
            if rule.assign is not None:
                assign = rule.assign
            break
    else:
        target = state.default
        if target is None:
            raise StatesError("States.NoChoiceMatched", "No Matches!")
    output = apply_output_path(state.output_path, scope)
    return _Done(output, target, 1, it.assign(assign, effective, visit, frame))


def _fail(
    it: Interpreter, state: FailState, value: JSON, thread: _Thread, frame: _Frame, visit: _Visit
) -> _Done:
    scope = it.scope(value, visit, frame)
    error = state.error
    cause = state.cause
    if state.error_path is not None:
        error = evaluate_template(state.error_path, scope)
    if state.cause_path is not None:
        cause = evaluate_template(state.cause_path, scope)
    raise GraphFailure(_as_text(error), _as_text(cause))


def _as_text(value: JSON) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return payload(value)


def _wait(
    it: Interpreter, state: WaitState, value: JSON, thread: _Thread, frame: _Frame, visit: _Visit
) -> _Done:
    effective = apply_input_path(state.input_path, it.scope(value, visit, frame))
    scope = it.scope(effective, visit, frame)
    limit = _EXPRESS_MAX if it.config.machine_type == "EXPRESS" else _YEAR
    now = it.clock.now()
    if state.seconds is not None or state.seconds_path is not None:
        seconds = (
            state.seconds
            if state.seconds_path is None
            else _seconds_from(state.seconds_path, scope)
        )
        if seconds > limit:
            raise StatesError("States.Runtime", "Wait state delay is too long.")
        it.clock.advance(seconds)
    else:
        moment = _timestamp_from(state, scope)
        if (moment - now).total_seconds() > limit:
            raise StatesError("States.Runtime", "Wait state delay is too long.")
        it.clock.advance_to(moment)
    return _Done(apply_output_path(state.output_path, scope), state.next)


def _seconds_from(path: CompiledPath, scope: Scope) -> int:
    try:
        found = resolve_path(path, scope)
    except PathNotFound:
        raise StatesError(
            "States.Runtime",
            f"The SecondsPath parameter does not reference an input value: {path.text}",
        ) from None
    if isinstance(found, bool) or not isinstance(found, (int, float)) or int(found) != found:
        raise StatesError(
            "States.Runtime",
            "The SecondsPath parameter cannot be parsed as a long value: "
            f"{path.text} == {_show(found)}",
        )
    if found < 0:
        raise StatesError(
            "States.Runtime",
            f"The SecondsPath parameter references a negative value: {path.text} == {_show(found)}",
        )
    return int(found)


def _show(value: JSON) -> str:
    return value if isinstance(value, str) else payload(value)


def _timestamp_from(state: WaitState, scope: Scope) -> datetime:
    if state.timestamp_path is None:
        parsed = parse_timestamp(state.timestamp)
        if parsed is None:  # validation rejects this; keep a clear error anyway
            raise StatesError("States.Runtime", f"Invalid Timestamp: {state.timestamp}")
        return parsed
    path = state.timestamp_path
    try:
        found = resolve_path(path, scope)
    except PathNotFound:
        raise StatesError(
            "States.Runtime",
            f"The TimestampPath parameter does not reference an input value: {path.text}",
        ) from None
    parsed = parse_timestamp(found) if isinstance(found, str) else None
    if parsed is None:
        raise StatesError(
            "States.Runtime",
            "The TimestampPath parameter does not reference a valid ISO-8601 extended offset "
            f"date-time format string: {path.text} == {_show(found)}",
        )
    return parsed


def _task(
    it: Interpreter, state: TaskState, value: JSON, thread: _Thread, frame: _Frame, visit: _Visit
) -> _Done:
    from pytest_sfn.engine.task import new_task_token, run_task

    effective = apply_input_path(state.input_path, it.scope(value, visit, frame))

    def attempt() -> _Done:
        # Parameters are evaluated per attempt: $$.State.RetryCount and $$.Task.Token change.
        visit.task_token = new_task_token(it, state)
        parameters = apply_template(state.parameters, it.scope(effective, visit, frame))
        if state.parameters is not None:
            _check_size(parameters, state.name)
        result = run_task(it, state, parameters, effective, thread, frame, visit)
        return it.finish(state, value, result, visit, frame)

    return it.with_retry(state, value, visit, frame, thread, attempt)


def _too_large(text: str) -> bool:
    """Whether JSON text exceeds 256 KiB of UTF-8 (cheap for the common small payload)."""
    return len(text) * 4 > PAYLOAD_LIMIT and len(text.encode()) > PAYLOAD_LIMIT


def _data_limit_cause(name: str) -> str:
    return (
        f"The state/task '{name}' returned a result with a size exceeding the maximum "
        "number of bytes service limit."
    )


def _check_size(value: JSON, name: str) -> None:
    if _too_large(payload(value)):
        raise StatesError("States.DataLimitExceeded", _data_limit_cause(name))


def _parallel(
    it: Interpreter,
    state: ParallelState,
    value: JSON,
    thread: _Thread,
    frame: _Frame,
    visit: _Visit,
) -> _Done:
    effective = apply_input_path(state.input_path, it.scope(value, visit, frame))

    def attempt() -> _Done:
        branch_input = apply_template(state.parameters, it.scope(effective, visit, frame))
        started = it.add("ParallelStateStarted", thread.last)
        thread.last = started
        outputs = []
        last = started
        for index, branch in enumerate(state.branches):
            branch_thread = _Thread(started)
            child = _Frame((*frame.scope, state.name, index), dict(frame.variables))
            try:
                outputs.append(it.run_graph(branch, branch_input, branch_thread, child))
            except GraphFailure as failure:
                thread.last = branch_thread.last
                raise _child_error(failure, "ParallelStateFailed") from None
            last = branch_thread.last
        # AWS-recorded: ParallelStateExited links, like ParallelStateSucceeded, to the last
        # branch event.
        it.add("ParallelStateSucceeded", last)
        thread.last = last
        return it.finish(state, value, outputs, visit, frame)

    return it.with_retry(state, value, visit, frame, thread, attempt)


def _map(
    it: Interpreter, state: MapState, value: JSON, thread: _Thread, frame: _Frame, visit: _Visit
) -> _Done:
    from pytest_sfn.engine.map_state import run_distributed, run_inline

    effective = apply_input_path(state.input_path, it.scope(value, visit, frame))
    runner = run_distributed if state.mode == "DISTRIBUTED" else run_inline

    def attempt() -> _Done:
        result = runner(it, state, effective, thread, frame, visit)
        return it.finish(state, value, result, visit, frame)

    return it.with_retry(state, value, visit, frame, thread, attempt)


HANDLERS: dict[str, _Handler] = {
    "Pass": _pass,
    "Task": _task,
    "Choice": _choice,
    "Wait": _wait,
    "Succeed": _succeed,
    "Fail": _fail,
    "Parallel": _parallel,
    "Map": _map,
}


def as_sfn_error(exc: Exception) -> SfnError | None:
    """``exc`` if it is one of ours (a test misconfiguration to surface), else ``None``."""
    return exc if isinstance(exc, SfnError) and not isinstance(exc, StatesError) else None


def deadline_for(
    start: datetime, timeout_seconds: int | None, machine_type: str
) -> datetime | None:
    """When an execution started at ``start`` times out."""
    limit = _EXPRESS_MAX if machine_type == "EXPRESS" else None
    seconds = timeout_seconds if timeout_seconds is not None else limit
    if timeout_seconds is not None and limit is not None:
        seconds = min(timeout_seconds, limit)
    return start + timedelta(seconds=seconds) if seconds is not None else None


def task_outcome_failed(outcome: TaskOutcome) -> bool:
    """Whether an outcome is a failure."""
    return outcome.failed


def make_request(**kwargs: Any) -> TaskRequest:
    """Build a :class:`TaskRequest` (kept here so task.py stays about events)."""
    return TaskRequest(**kwargs)
