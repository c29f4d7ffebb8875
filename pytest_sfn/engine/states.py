"""The handlers of the eight state types: one function per ``Type``, dispatched by ``HANDLERS``.

Each takes the interpreter, the state, its raw input and where it runs, and returns a
:class:`~pytest_sfn.engine.runtime.Done` (output, next state, attempts, assignments).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from pytest_sfn._types import JSON
from pytest_sfn.engine.choice import evaluate_condition
from pytest_sfn.engine.clock import DeadlineReached
from pytest_sfn.engine.dataflow import (
    apply_input_path,
    apply_output_path,
    apply_result_path,
    apply_template,
)
from pytest_sfn.engine.failure import GraphFailure
from pytest_sfn.engine.fibers import Child, Scheduler, drive, fibers_of
from pytest_sfn.engine.history import payload
from pytest_sfn.engine.map_state import run_distributed, run_inline
from pytest_sfn.engine.runtime import (
    Done,
    Frame,
    Progress,
    Thread,
    Visit,
    child_error,
    data_limit_cause,
    take_progress,
    too_large,
)
from pytest_sfn.engine.task import new_task_token, run_task
from pytest_sfn.engine.wait import run_wait
from pytest_sfn.errors import StatesError
from pytest_sfn.expressions.payload import evaluate_template
from pytest_sfn.model.states import (
    ChoiceState,
    FailState,
    MapState,
    ParallelState,
    PassState,
    SucceedState,
    TaskState,
)

if TYPE_CHECKING:
    from pytest_sfn.engine.run import Interpreter

__all__ = ["HANDLERS"]

_Handler = Callable[["Interpreter", Any, JSON, Thread, Frame, Visit], Done]


def _pass(
    it: Interpreter, state: PassState, value: JSON, thread: Thread, frame: Frame, visit: Visit
) -> Done:
    effective = apply_input_path(state.input_path, it.scope(value, visit, frame))
    if state.parameters is not None:
        effective = apply_template(state.parameters, it.scope(effective, visit, frame))
    result = state.result if state.has_result else effective
    combined = apply_result_path(state.result_path, value, result)
    output = apply_output_path(state.output_path, it.scope(combined, visit, frame))
    return Done(output, state.next, 1, it.assign(state.assign, result, visit, frame))


def _succeed(
    it: Interpreter, state: SucceedState, value: JSON, thread: Thread, frame: Frame, visit: Visit
) -> Done:
    effective = apply_input_path(state.input_path, it.scope(value, visit, frame))
    return Done(apply_output_path(state.output_path, it.scope(effective, visit, frame)), None)


def _choice(
    it: Interpreter, state: ChoiceState, value: JSON, thread: Thread, frame: Frame, visit: Visit
) -> Done:
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
    return Done(output, target, 1, it.assign(assign, effective, visit, frame))


def _fail(
    it: Interpreter, state: FailState, value: JSON, thread: Thread, frame: Frame, visit: Visit
) -> Done:
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


def _task(
    it: Interpreter, state: TaskState, value: JSON, thread: Thread, frame: Frame, visit: Visit
) -> Done:
    effective = apply_input_path(state.input_path, it.scope(value, visit, frame))

    def attempt() -> Done:
        # Parameters are evaluated per attempt: $$.State.RetryCount and $$.Task.Token change.
        visit.task_token = new_task_token(it, state)
        parameters = apply_template(state.parameters, it.scope(effective, visit, frame))
        if state.parameters is not None:
            _check_size(parameters, state.name)
        result = run_task(it, state, parameters, effective, thread, frame, visit)
        return it.finish(state, value, result, visit, frame)

    return it.with_retry(state, value, visit, frame, thread, attempt)


def _check_size(value: JSON, name: str) -> None:
    if too_large(payload(value)):
        raise StatesError("States.DataLimitExceeded", data_limit_cause(name))


def _parallel(
    it: Interpreter,
    state: ParallelState,
    value: JSON,
    thread: Thread,
    frame: Frame,
    visit: Visit,
) -> Done:
    effective = apply_input_path(state.input_path, it.scope(value, visit, frame))

    def attempt() -> Done:
        branch_input = apply_template(state.parameters, it.scope(effective, visit, frame))
        outputs = run_branches(it, state, branch_input, thread, frame, visit)
        return it.finish(state, value, outputs, visit, frame)

    return it.with_retry(state, value, visit, frame, thread, attempt)


def run_branches(
    it: Interpreter, state: ParallelState, branch_input: JSON, thread: Thread, frame: Frame,
    visit: Visit | None = None,
) -> list[JSON]:  # fmt: skip
    """Run every branch of a Parallel state, in order; returns the outputs in branch order.

    On a redrive (``visit.redrive``), branches that succeeded keep their output and do not
    run; a failed branch resumes at its failed state.
    """
    progress = take_progress(visit)
    started = it.add("ParallelStateStarted", thread.last)
    thread.last = started
    scheduler = fibers_of(it.tasks)
    if scheduler is not None:
        return _run_branches_together(it, scheduler, state, branch_input, thread, frame, progress)
    outputs = []
    last = started
    for index, branch in enumerate(state.branches):
        resume = None
        if progress is not None:
            if index in progress.done:
                outputs.append(progress.done[index])
                continue
            resume = progress.failed.get(index)
        branch_thread = Thread(started)
        child = Frame((*frame.scope, state.name, index), dict(frame.variables))
        try:
            outputs.append(it.run_graph(branch, branch_input, branch_thread, child, resume))
        except GraphFailure as failure:
            thread.last = branch_thread.last
            error = child_error(failure, "ParallelStateFailed")
            error.redrive_child = _progress(outputs, index, failure)  # type: ignore[attr-defined]
            raise error from None
        except DeadlineReached as reached:
            reached.redrive_child = _progress(outputs, index, reached)  # type: ignore[attr-defined]
            raise
        last = branch_thread.last
    # AWS-recorded: ParallelStateExited links, like ParallelStateSucceeded, to the last
    # branch event.
    it.add("ParallelStateSucceeded", last)
    thread.last = last
    return outputs


def _run_branches_together(
    it: Interpreter, scheduler: Scheduler, state: ParallelState, branch_input: JSON,
    thread: Thread, frame: Frame, progress: Progress | None,
) -> list[JSON]:  # fmt: skip
    """:func:`run_branches` of a started execution: branches that wait do so together."""
    started = thread.last
    done = dict(progress.done) if progress is not None else {}
    last = [started]

    def jobs() -> Iterator[tuple[int, Thread, Callable[[], JSON]]]:
        for index, branch in enumerate(state.branches):
            if index in done:
                continue
            resume = progress.failed.get(index) if progress is not None else None
            chain = Thread(started)
            child = Frame((*frame.scope, state.name, index), dict(frame.variables))
            yield (
                index,
                chain,
                functools.partial(it.run_graph, branch, branch_input, chain, child, resume),
            )

    def finished(child: Child) -> None:
        if child.error is None:
            last[0] = child.chain.last

    driven = drive(scheduler, jobs(), 0, state.name, finished, lambda child: None)
    # AWS-recorded: ParallelStateSucceeded (and Exited) link to the last branch event.
    return driven.conclude(done, len(state.branches), thread, last[0], "Parallel", it.add)


def _progress(outputs: list[JSON], index: int, failure: BaseException) -> Progress:
    """Branches before ``index`` succeeded (``outputs``); ``index`` failed where it stopped."""
    return Progress(dict(enumerate(outputs)), {index: getattr(failure, "redrive_point", None)})


def _map(
    it: Interpreter, state: MapState, value: JSON, thread: Thread, frame: Frame, visit: Visit
) -> Done:
    effective = apply_input_path(state.input_path, it.scope(value, visit, frame))
    runner = run_distributed if state.mode == "DISTRIBUTED" else run_inline

    def attempt() -> Done:
        result = runner(it, state, effective, thread, frame, visit)
        return it.finish(state, value, result, visit, frame)

    return it.with_retry(state, value, visit, frame, thread, attempt)


HANDLERS: dict[str, _Handler] = {
    "Pass": _pass,
    "Task": _task,
    "Choice": _choice,
    "Wait": run_wait,
    "Succeed": _succeed,
    "Fail": _fail,
    "Parallel": _parallel,
    "Map": _map,
}
