"""The state loop: run a compiled definition under a virtual clock and record what happened.

One :class:`Interpreter` runs one execution. States are dispatched through ``HANDLERS``
(one function per state type). Map iterations and Parallel branches run one after another
in a deterministic order (in a started execution, those that wait for a callback wait
together, see :mod:`pytest_sfn.engine.fibers`); history ``previousEventId`` links follow
the causal chains AWS records.
"""

from __future__ import annotations

import contextlib
import functools
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from pytest_sfn._types import JSON
from pytest_sfn.engine.clock import DeadlineReached, VirtualClock, iso_timestamp
from pytest_sfn.engine.dataflow import apply_output_path, apply_result_path, apply_template
from pytest_sfn.engine.execution import Execution, StateRecord, TaskCall
from pytest_sfn.engine.failure import GraphFailure
from pytest_sfn.engine.fibers import BranchAborted
from pytest_sfn.engine.history import HistoryEvent, payload
from pytest_sfn.engine.jsonata_states import (
    JSONATA_HANDLERS,
    evaluate_field,
    is_absent,
    states_bindings,
)
from pytest_sfn.engine.ports import TaskHandler
from pytest_sfn.engine.retry import find_handler, retry_delay
from pytest_sfn.engine.runtime import (
    EXPRESS_MAX,
    NOT_TRUNCATED,
    PAYLOAD_LIMIT,
    RETRYABLE,
    Done,
    Frame,
    HistoryLimit,
    IntrinsicEnv,
    Progress,
    RedriveData,
    ResumePoint,
    RunConfig,
    Thread,
    Visit,
    data_limit_cause,
    error_details,
    locate_error,
    resume_point,
    too_large,
)
from pytest_sfn.engine.states import HANDLERS
from pytest_sfn.errors import StatesError
from pytest_sfn.expressions.jsonpath import CompiledPath, PathNotFound
from pytest_sfn.expressions.payload import Scope, Template, evaluate_template, resolve_path
from pytest_sfn.model.states import Graph, MapState, ParallelState, State, TaskState

__all__ = ["ExecutionStopped", "Interpreter", "RunConfig", "deadline_for"]

#: State types whose visit can be cut short by a failing sibling (``<Type>StateAborted``).
_ABORTABLE = frozenset({"Task", "Wait", "Pass", "Parallel", "Map"})


class ExecutionStopped(DeadlineReached):
    """``StopExecution`` while a task waits: the run ends ``ABORTED``.

    It unwinds the run as an execution timeout does (no Retry or Catch sees it), so every
    state on the way records where it stopped and the aborted execution can be redriven
    from the waiting state.
    """

    def __init__(self, error: str | None, cause: str | None) -> None:
        super().__init__(error)
        self.error = error
        self.cause = cause


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
    calls: list[TaskCall] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.env = IntrinsicEnv(self.rng, self.uuid4)
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
            raise HistoryLimit
        self.events.append(HistoryEvent(event_id, prev, type_, self.clock.now(), details or {}))
        return event_id

    def context(self, visit: Visit) -> dict[str, JSON]:
        """The Context object as the state being visited sees it."""
        state: dict[str, JSON] = {
            "Name": visit.name,
            "EnteredTime": iso_timestamp(visit.entered_at),
        }
        if visit.retryable:  # AWS-recorded: Pass/Choice/Wait contexts carry no RetryCount
            state["RetryCount"] = visit.retry_count
        # AWS-recorded key order: Execution, StateMachine, State (then Task, Map).
        ctx: dict[str, JSON] = {
            "Execution": self._execution_context,
            "StateMachine": self._machine_context,
            "State": state,
        }
        if visit.task_token is not None:
            ctx["Task"] = {"Token": visit.task_token}
        if visit.map_item is not None:
            ctx["Map"] = {"Item": visit.map_item}
        return ctx

    def scope(self, value: JSON, visit: Visit, frame: Frame) -> Scope:
        return Scope(value, lambda: self.context(visit), frame.variables, self.env)

    # --- the execution ------------------------------------------------------------------

    def _set_execution_context(self, input_value: JSON, start: datetime) -> None:
        cfg = self.config
        self._execution_context = {
            "Id": cfg.execution_arn,
            "Input": input_value,
            "StartTime": iso_timestamp(start),
            "Name": cfg.execution_name,
            "RoleArn": cfg.role_arn,
            "RedriveCount": cfg.redrive_count,
        }

    def run(self, input_value: JSON, start: datetime) -> Execution:
        """Run to completion and return the :class:`Execution`."""
        cfg = self.config
        self._set_execution_context(input_value, start)
        self.add(
            "ExecutionStarted",
            0,
            {
                "input": payload(input_value),
                "inputDetails": NOT_TRUNCATED,
                "roleArn": cfg.role_arn,
            },
        )
        execution = self._conclude(input_value, start, Thread(0), None)
        if cfg.redrive_count:  # a simulated redrive count: tag the visits with it
            execution = _tag_attempt(execution, 0, 0, cfg.redrive_count)
        return execution

    def redrive(self, previous: Execution, point: ResumePoint, at: datetime) -> Execution:
        """Resume ``previous`` from ``point`` (``RedriveExecution``); returns the new view.

        The history continues (``ExecutionRedriven``, then the re-run states), the visits
        and task calls of earlier attempts are kept, and ``config.redrive_count`` is the
        new redrive count.
        """
        cfg = self.config
        self.events = list(previous.history)
        self.records = list(previous.states)
        self.calls = list(previous.task_calls)
        kept_records, kept_calls = len(self.records), len(self.calls)
        self._set_execution_context(previous.input, previous.start_time)
        self._execution_context["RedriveTime"] = iso_timestamp(at)
        thread = Thread(0)
        if cfg.machine_type == "STANDARD":
            # UNCONFIRMED: linked to the last event of the previous attempt.
            thread.last = self.add(
                "ExecutionRedriven", len(self.events), {"redriveCount": cfg.redrive_count}
            )
        execution = self._conclude(previous.input, previous.start_time, thread, point)
        execution = replace(execution, redrive_date=at)
        return _tag_attempt(execution, kept_records, kept_calls, cfg.redrive_count)

    def _conclude(
        self, input_value: JSON, start: datetime, thread: Thread, point: ResumePoint | None
    ) -> Execution:
        """Run the machine (from ``point`` on a redrive) and build the :class:`Execution`."""
        cfg = self.config
        status, output, error, cause = "SUCCEEDED", None, None, None
        overflow = False
        resume: ResumePoint | None = None
        try:
            output = self.run_graph(self.graph, input_value, thread, Frame((), {}), point)
            self.add(
                "ExecutionSucceeded",
                thread.last,
                {"output": payload(output), "outputDetails": NOT_TRUNCATED},
            )
        except GraphFailure as failure:
            status, error, cause = "FAILED", failure.error, failure.cause
            resume = getattr(failure, "redrive_point", None)
            self.add("ExecutionFailed", thread.last, error_details(error, cause))
        except DeadlineReached as reached:
            resume = getattr(reached, "redrive_point", None)
            if isinstance(reached, ExecutionStopped):
                status, error, cause = "ABORTED", reached.error, reached.cause
                # UNCONFIRMED for a waiting Task; AWS-recorded for a Wait state:
                # ExecutionAborted starts a new causal chain (previousEventId 0).
                with contextlib.suppress(HistoryLimit):  # no room left to record it
                    self.add("ExecutionAborted", 0, error_details(error, cause))
            else:
                status, error = "TIMED_OUT", "States.Timeout"
                self.add("ExecutionTimedOut", thread.last, {"error": error})
        except HistoryLimit:
            status, error, overflow = "FAILED", "States.Runtime", True
            cause = (
                f"The execution reached the maximum number of history events ({cfg.history_limit})."
            )
            self._record_history_overflow(error, cause, thread)
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
            task_calls=tuple(self.calls),
            history_limit_reached=overflow,
            _redrive=RedriveData(self.graph, cfg, resume),
        )

    def _record_history_overflow(self, error: str, cause: str, thread: Thread) -> None:
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

    def run_graph(
        self, graph: Graph, value: JSON, thread: Thread, frame: Frame,
        resume: ResumePoint | None = None,
    ) -> JSON:  # fmt: skip
        """Run states from ``StartAt`` until one ends the graph; raises :class:`GraphFailure`.

        On a redrive, ``resume`` names the state that failed: the graph starts there, with
        the input and variables that state had.
        """
        name: str | None = graph.start_at
        states = graph.states
        if resume is not None:
            frame.variables = dict(resume.variables)
            value, name = self.run_state(
                states[resume.state], resume.input, thread, frame, resume.children
            )
        while name is not None:
            value, name = self.run_state(states[name], value, thread, frame)
        return value

    def run_state(
        self, state: State, value: JSON, thread: Thread, frame: Frame,
        progress: Progress | None = None,
    ) -> tuple[JSON, str | None]:  # fmt: skip
        """Enter, run and exit one state; returns its output and the next state's name.

        ``progress`` (on a redrive) is what a Parallel/Map had done before it failed.
        """
        type_ = state.type
        entered_at = self.clock.now()
        entered_prev = thread.last
        entered = self.add(
            type_ + "StateEntered",
            entered_prev,
            {"name": state.name, "input": payload(value), "inputDetails": NOT_TRUNCATED},
        )
        thread.last = entered
        visit = Visit(state.name, entered_at, entered, type_ in RETRYABLE)
        visit.slot = len(self.records)
        if progress is not None:
            visit.redrive = progress
        self.records.append(None)  # filled when the visit ends: records are in entry order
        try:
            handler = JSONATA_HANDLERS[type_] if state.jsonata else HANDLERS[type_]
            done = handler(self, state, value, thread, frame, visit)
        except StatesError as err:
            error, cause = locate_error(err, state.name, entered)
            if error == "States.QueryEvaluationError":
                # AWS-recorded: an EvaluationFailed event precedes the failure, linked like
                # the state's entered event (to the event before it).
                thread.last = self.add(
                    "EvaluationFailed",
                    entered_prev,
                    {
                        "error": error,
                        "cause": cause,
                        "location": getattr(err, "location", ""),
                        "state": state.name,
                    },
                )
            self._record(state, frame, value, None, entered_at, None, visit, error, cause)
            failure = GraphFailure(error, cause)
            failure.redrive_point = resume_point(  # type: ignore[attr-defined]
                state.name, value, frame.variables, err, error
            )
            raise failure from None
        except GraphFailure as failure:
            self._record(
                state, frame, value, None, entered_at, None, visit, failure.error, failure.cause
            )
            failure.redrive_point = resume_point(  # type: ignore[attr-defined]
                state.name, value, frame.variables, failure, failure.error
            )
            raise
        except DeadlineReached as reached:
            if isinstance(reached, BranchAborted) and type_ in _ABORTABLE:
                # A sibling branch or iteration failed while this state waited.
                thread.last = self.add(type_ + "StateAborted", thread.last)
            # Entered, never exited (the execution timed out or was stopped meanwhile).
            self._record(state, frame, value, None, entered_at, None, visit, None, None)
            reached.redrive_point = resume_point(  # type: ignore[attr-defined]
                state.name, value, frame.variables, reached, None
            )
            raise
        output_text = payload(done.output)
        assigned_text = (
            {k: payload(v) for k, v in done.assigned.items()} if done.assigned is not None else None
        )
        problem = _size_problem(state.name, output_text, assigned_text)
        if problem is not None:
            # An oversized output or variable fails the execution, no StateExited.
            self._record(state, frame, value, None, entered_at, None, visit, *problem)
            oversized = GraphFailure(*problem)
            oversized.redrive_point = ResumePoint(  # type: ignore[attr-defined]
                state.name, value, dict(frame.variables)
            )
            raise oversized
        if done.assigned:
            frame.variables.update(done.assigned)
        details: dict[str, Any] = {
            "name": state.name,
            "output": output_text,
            "outputDetails": NOT_TRUNCATED,
        }
        if assigned_text is not None:
            details["assignedVariables"] = assigned_text
            details["assignedVariablesDetails"] = NOT_TRUNCATED
        thread.last = self.add(type_ + "StateExited", thread.last, details)
        self._record(
            state, frame, value, done.output, entered_at, self.clock.now(), visit,
            done.error, done.cause, done.attempts, done.assigned,
        )  # fmt: skip
        return done.output, done.next

    def _record(
        self,
        state: State,
        frame: Frame,
        value: JSON,
        output: JSON,
        entered_at: datetime,
        exited_at: datetime | None,
        visit: Visit,
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
        self, template: Template | None, value: JSON, visit: Visit, frame: Frame
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
        visit: Visit,
        frame: Frame,
    ) -> Done:
        """ResultSelector -> ResultPath -> OutputPath -> Assign for a state with a result."""
        selected = apply_template(state.result_selector, self.scope(result, visit, frame))
        combined = apply_result_path(state.result_path, raw_input, selected)
        output = apply_output_path(state.output_path, self.scope(combined, visit, frame))
        assigned = self.assign(state.assign, selected, visit, frame)
        return Done(output, state.next, visit.retry_count + 1, assigned)

    def with_retry(
        self,
        state: TaskState | ParallelState | MapState,
        raw_input: JSON,
        visit: Visit,
        frame: Frame,
        thread: Thread,
        attempt: Callable[[], Done],
    ) -> Done:
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
                if state.jsonata:
                    output, assigned = self._jsonata_catch(
                        catcher.jsonata_fields, raw_input, error_output, visit, frame
                    )
                else:
                    output = apply_result_path(catcher.result_path, raw_input, error_output)
                    assigned = self.assign(catcher.assign, error_output, visit, frame)
                return Done(
                    output, catcher.next, visit.retry_count + 1, assigned, err.error, err.cause
                )

    def _jsonata_catch(
        self,
        fields: Any,
        raw_input: JSON,
        error_output: JSON,
        visit: Visit,
        frame: Frame,
    ) -> tuple[JSON, dict[str, JSON] | None]:
        """A JSONata catcher's ``Output`` (default: the error output) and ``Assign``."""
        bindings = states_bindings(self, visit, frame, raw_input, errorOutput=error_output)
        output = evaluate_field(self, fields, "Output", bindings)
        assign = evaluate_field(self, fields, "Assign", bindings)
        return (
            error_output if is_absent(output) else output,
            None if is_absent(assign) else (dict(assign) if isinstance(assign, dict) else {}),
        )

    @functools.cached_property
    def jsonata_env(self) -> Any:
        """Seeded ``$random`` / ``$uuid`` and virtual ``$now`` / ``$millis`` (made on first use)."""
        from pytest_sfn.expressions.jsonata import JsonataEnv

        clock = self.clock
        return JsonataEnv(self.rng, self.uuid4, lambda: int(clock.now().timestamp() * 1000))

    def resolve_number(
        self, literal: JSON, path: CompiledPath | None, field_name: str, value: JSON,
        visit: Visit, frame: Frame,
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


def _tag_attempt(execution: Execution, records: int, calls: int, attempt: int) -> Execution:
    """Mark the visits and task calls from index ``records`` / ``calls`` on with ``attempt``."""
    states = execution.states
    task_calls = execution.task_calls
    return replace(
        execution,
        states=(*states[:records], *(replace(r, redrive=attempt) for r in states[records:])),
        task_calls=(
            *task_calls[:calls],
            *(replace(c, redrive=attempt) for c in task_calls[calls:]),
        ),
    )


def deadline_for(
    start: datetime, timeout_seconds: int | None, machine_type: str
) -> datetime | None:
    """When an execution started at ``start`` times out."""
    limit = EXPRESS_MAX if machine_type == "EXPRESS" else None
    seconds = timeout_seconds if timeout_seconds is not None else limit
    if timeout_seconds is not None and limit is not None:
        seconds = min(timeout_seconds, limit)
    return start + timedelta(seconds=seconds) if seconds is not None else None


def _size_problem(
    name: str, output_text: str, assigned: dict[str, str] | None
) -> tuple[str, str] | None:
    """``(error, cause)`` when a state's output or variables exceed 256 KiB, else ``None``.

    The output rule is AWS-recorded; the variable limits (256 KiB per variable and per
    ``Assign``) are AWS-documented, their error text is ours.
    """
    if too_large(output_text):
        return "States.DataLimitExceeded", data_limit_cause(name)
    if not assigned:
        return None
    for variable, text in assigned.items():
        if too_large(text):
            return "States.DataLimitExceeded", (
                f"The variable '{variable}' assigned by the state '{name}' exceeds the maximum "
                "size of 256 KiB."
            )
    total = sum(len(text.encode()) for text in assigned.values())
    if total > PAYLOAD_LIMIT:
        return "States.DataLimitExceeded", (
            f"The variables assigned by the state '{name}' together exceed the maximum size of "
            "256 KiB."
        )
    return None
