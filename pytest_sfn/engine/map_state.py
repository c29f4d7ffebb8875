"""Map states: inline iterations, and Distributed mode as a Map Run of child executions."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from pytest_sfn._json import dump_compact as _dump
from pytest_sfn._types import JSON
from pytest_sfn.engine.clock import DeadlineReached
from pytest_sfn.engine.dataflow import apply_template
from pytest_sfn.engine.failure import GraphFailure, MockFailure
from pytest_sfn.engine.fibers import BranchAborted, Child, Scheduler, drive, fibers_of
from pytest_sfn.engine.result_writer import (
    ChildRun,
    MapRunIdentity,
    export,
    transform,
    writer_target,
)
from pytest_sfn.engine.runtime import (
    Frame,
    Progress,
    ResumePoint,
    Thread,
    Visit,
    child_error,
    take_progress,
)
from pytest_sfn.errors import StatesError
from pytest_sfn.expressions.jsonpath import PathNotFound
from pytest_sfn.expressions.payload import resolve_path
from pytest_sfn.model.states import MapState

if TYPE_CHECKING:
    from pytest_sfn.engine.run import Interpreter

_THRESHOLD = "States.ExceedToleratedFailureThreshold"
_THRESHOLD_CAUSE = "The specified tolerated failure threshold was exceeded"


def _items(
    it: Interpreter, state: MapState, effective: JSON, visit: Visit, frame: Frame
) -> list[JSON]:
    if state.jsonata:
        return _jsonata_items(it, state, effective, visit, frame)
    path = state.items_path
    if path is None or (path.root == "input" and path.steps == ()):
        items = effective
    else:
        try:
            items = resolve_path(path, it.scope(effective, visit, frame))
        except PathNotFound as exc:
            raise StatesError(
                "States.Runtime", f"Invalid path '{path.text}' : {exc.jayway_message}"
            ) from None
    if not isinstance(items, list):
        if state.has_items_path:
            raise StatesError(
                "States.Runtime",
                f'Reference path "{path.text if path else "$"}" must point to array.',
            )
        raise StatesError(
            "States.Runtime", f"Map state input must be an array but was: {_dump(items)}"
        )
    return items


def _integer(it: Interpreter, state: MapState, literal: JSON, path: Any, name: str, effective: JSON,
             visit: Visit, frame: Frame, kind: str = "integer") -> JSON:  # fmt: skip
    if state.jsonata:
        return _jsonata_number(it, state, literal, name, effective, visit, frame, kind)
    if path is None:
        return literal
    try:
        value = resolve_path(path, it.scope(effective, visit, frame))
    except PathNotFound:
        value = None
    number = _as_number(value)  # AWS-recorded: a numeric string such as "1" is accepted
    ok = number is not None and (kind != "integer" or int(number) == number)
    if not ok or number is None:
        shown = value if isinstance(value, str) else _dump(value)
        word = "a valid integer" if kind == "integer" else "a valid float"
        raise StatesError(
            "States.Runtime",
            f'The {name}Path field refers to value "{shown}" which is not {word}: {path.text}',
        )
    return int(number) if kind == "integer" else float(number)


def _as_number(value: JSON) -> float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return None
    return None


def _item_input(it: Interpreter, state: MapState, effective: JSON, index: int, item: JSON,
                visit: Visit, frame: Frame) -> JSON:  # fmt: skip
    if state.jsonata:
        return _jsonata_item_input(it, state, effective, index, item, visit, frame)
    if state.item_selector is None:
        return item
    visit.map_item = {"Index": index, "Value": item}
    try:
        return apply_template(state.item_selector, it.scope(effective, visit, frame))
    finally:
        visit.map_item = None


def run_inline(it: Interpreter, state: MapState, effective: JSON, thread: Thread, frame: Frame,
               visit: Visit) -> JSON:  # fmt: skip
    """Run every item through the processor, in order; returns the outputs in item order.

    On a redrive (``visit.redrive``), iterations that succeeded keep their output and do not
    run; a failed iteration resumes at its failed state.
    """
    progress = take_progress(visit)
    items = _items(it, state, effective, visit, frame)
    concurrency = _integer(it, state, state.max_concurrency, state.max_concurrency_path,
                           "MaxConcurrency", effective, visit, frame)  # fmt: skip
    if concurrency is not None and concurrency < 0:
        # AWS never starts such a Map (the execution hangs); fail clearly instead.
        raise StatesError(
            "States.Runtime",
            f"MaxConcurrency must not be negative, got {concurrency} (on AWS an execution "
            "with a negative MaxConcurrency never progresses).",
        )
    started = it.add("MapStateStarted", thread.last, {"length": len(items)})
    thread.last = started
    scheduler = fibers_of(it.tasks)
    if scheduler is not None:
        return _run_inline_together(
            it, scheduler, state, effective, items, concurrency, thread, frame, visit, progress
        )
    # AWS-recorded links: MapIteration{Succeeded,Failed} hang off the iteration's last event
    # without advancing the Map's own chain; with MaxConcurrency 1 the next iteration starts
    # from the previous iteration's last state event. MapStateSucceeded and MapStateExited
    # both link to the final MapIterationSucceeded.
    previous = started
    last_done = started
    outputs = []
    for index, item in enumerate(items):
        resume = None
        if progress is not None:
            if index in progress.done:
                outputs.append(progress.done[index])
                continue
            resume = progress.failed.get(index)
        item_input = _item_input(it, state, effective, index, item, visit, frame)
        details = {"name": state.name, "index": index}
        link = previous if concurrency == 1 else started
        iteration = Thread(it.add("MapIterationStarted", link, details))
        child = Frame((*frame.scope, state.name, index), dict(frame.variables))
        try:
            outputs.append(it.run_graph(state.processor, item_input, iteration, child, resume))
        except GraphFailure as failure:
            it.add("MapIterationFailed", iteration.last, details)
            thread.last = iteration.last
            error = child_error(failure, "MapStateFailed")
            error.redrive_child = _progress(outputs, index, failure)  # type: ignore[attr-defined]
            raise error from None
        except DeadlineReached as reached:
            reached.redrive_child = _progress(outputs, index, reached)  # type: ignore[attr-defined]
            raise
        last_done = it.add("MapIterationSucceeded", iteration.last, details)
        previous = iteration.last
    it.add("MapStateSucceeded", last_done)
    thread.last = last_done
    return outputs


def _run_inline_together(
    it: Interpreter, scheduler: Scheduler, state: MapState, effective: JSON, items: list[JSON],
    concurrency: JSON, thread: Thread, frame: Frame, visit: Visit, progress: Progress | None,
) -> JSON:  # fmt: skip
    """:func:`run_inline` of a started execution: iterations that wait do so together, at
    most ``MaxConcurrency`` at once (0 or absent: no limit)."""
    started = thread.last
    done = dict(progress.done) if progress is not None else {}
    # previous: the last event of the iteration that finished last (MaxConcurrency 1 links
    # the next MapIterationStarted to it); last_done: the latest MapIterationSucceeded.
    previous, last_done = [started], [started]

    def jobs() -> Iterator[tuple[int, Thread, Callable[[], JSON]]]:
        for index, item in enumerate(items):
            if index in done:
                continue
            resume = progress.failed.get(index) if progress is not None else None
            item_input = _item_input(it, state, effective, index, item, visit, frame)
            link = previous[0] if concurrency == 1 else started
            details = {"name": state.name, "index": index}
            chain = Thread(it.add("MapIterationStarted", link, details))
            child = Frame((*frame.scope, state.name, index), dict(frame.variables))
            yield (
                index,
                chain,
                functools.partial(it.run_graph, state.processor, item_input, chain, child, resume),
            )

    def finished(child: Child) -> None:
        details = {"name": state.name, "index": child.index}
        if child.error is None:
            last_done[0] = it.add("MapIterationSucceeded", child.chain.last, details)
            previous[0] = child.chain.last
        elif isinstance(child.error, GraphFailure):
            it.add("MapIterationFailed", child.chain.last, details)

    def aborted(child: Child) -> None:
        if isinstance(child.error, BranchAborted):
            details = {"name": state.name, "index": child.index}
            child.chain.last = it.add("MapIterationAborted", child.chain.last, details)

    limit = concurrency if isinstance(concurrency, int) else 0
    driven = drive(scheduler, jobs(), limit, state.name, finished, aborted)
    return driven.conclude(done, len(items), thread, last_done[0], "Map", it.add)


def run_distributed(it: Interpreter, state: MapState, effective: JSON, thread: Thread,
                    frame: Frame, visit: Visit) -> JSON:  # fmt: skip
    """Run each item as a child execution of a Map Run; apply the tolerated-failure rules."""

    reading = state.item_reader is not None
    items = [] if reading else _items(it, state, effective, visit, frame)
    # AWS-recorded: MapStateStarted carries the item count (0 only with an ItemReader) and
    # the tolerated-failure fields are evaluated after it.
    started = it.add("MapStateStarted", thread.last, {"length": len(items)})
    thread.last = started
    count = _integer(it, state, state.tolerated_failure_count, state.tolerated_failure_count_path,
                     "ToleratedFailureCount", effective, visit, frame)  # fmt: skip
    percentage = _integer(
        it, state, state.tolerated_failure_percentage, state.tolerated_failure_percentage_path,
        "ToleratedFailurePercentage", effective, visit, frame, kind="float",
    )  # fmt: skip
    if count is not None and count < 0:
        raise StatesError("States.Runtime", "ToleratedFailureCount cannot be negative.")
    if percentage is not None and not 0 <= percentage <= 100:
        raise StatesError("States.Runtime", "ToleratedFailurePercentage must be between 0 and 100.")
    cfg = it.config
    progress = take_progress(visit)
    redrives = 0
    if progress is not None and progress.map_run_arn is not None:
        # A redrive redrives the same Map Run (its unsuccessful children only).
        map_run_arn = progress.map_run_arn
        run_id = map_run_arn.rsplit(":", 1)[-1]
        redrives = progress.map_run_redrives + 1
        details = {"mapRunArn": map_run_arn, "redriveCount": redrives}
        run_started = it.add("MapRunRedriven", started, details)
    else:
        label = state.label or state.name
        run_id = it.uuid4()
        base = f"arn:aws:states:{cfg.region}:{cfg.account}"
        map_run_arn = f"{base}:mapRun:{cfg.state_machine_name}/{label}:{run_id}"
        run_started = it.add("MapRunStarted", started, {"mapRunArn": map_run_arn})
    if reading:
        items = _read_items(it, state, effective, thread, frame, visit, run_started)
    # Express children re-run from their first state; Standard ones resume where they failed.
    standard = state.execution_type != "EXPRESS"
    # What the ResultWriter reports of each child (only kept when there is one).
    runs: list[ChildRun] | None = [] if state.result_writer is not None else None
    outputs: list[JSON] = []
    done: dict[int, JSON] = {}
    failed: dict[int, ResumePoint | None] = {}
    failures = 0
    for index, item in enumerate(items):
        resume = None
        if progress is not None:
            if index in progress.done:
                done[index] = progress.done[index]
                outputs.append(done[index])
                if runs is not None:
                    item_input = _item_input(it, state, effective, index, item, visit, frame)
                    now = it.clock.now()
                    runs.append(ChildRun(index, item_input, "SUCCEEDED", done[index], None,
                                         None, now, now))  # fmt: skip
                continue
            resume = progress.failed.get(index)
        item_input = _item_input(it, state, effective, index, item, visit, frame)
        child = Frame((*frame.scope, state.name, index), {})
        saved_events = it.events
        own: list[Any] = []  # a child execution has its own history
        it.events = own
        began = it.clock.now() if runs is not None else None
        try:
            with _own_history(it, own, saved_events):
                done[index] = it.run_graph(state.processor, item_input, Thread(0), child, resume)
            outputs.append(done[index])
            if runs is not None:
                runs.append(ChildRun(index, item_input, "SUCCEEDED", done[index], None, None,
                                     began, it.clock.now()))  # fmt: skip
        except (MockFailure, DeadlineReached) as stop:
            failed[index] = getattr(stop, "redrive_point", None) if standard else None
            stop.redrive_child = Progress(done, failed, map_run_arn, redrives)  # type: ignore[union-attr]
            raise
        except GraphFailure as failure:
            failures += 1
            failed[index] = getattr(failure, "redrive_point", None) if standard else None
            outputs.append({"Error": failure.error, "Cause": failure.cause})
            if runs is not None:
                runs.append(ChildRun(index, item_input, "FAILED", None, failure.error,
                                     failure.cause, began, it.clock.now()))  # fmt: skip
        finally:
            it.events = saved_events
    identity = None
    if runs is not None:
        express = not standard
        identity = _identity(it, state, map_run_arn, run_id, express)
    if _exceeded(failures, len(items), count, percentage):
        if runs is not None and identity is not None and "Resource" in state.result_writer:
            # AWS writes the results of a failed Map Run too (FAILED_n.json to recover from).
            with contextlib.suppress(StatesError):
                _export(it, state, effective, visit, frame, runs, identity)
        run_failed = it.add(
            "MapRunFailed", run_started, {"error": _THRESHOLD, "cause": _THRESHOLD_CAUSE}
        )
        thread.last = it.add("MapStateFailed", run_failed)
        error = _located(StatesError(_THRESHOLD, _THRESHOLD_CAUSE))
        error.redrive_child = Progress(done, failed, map_run_arn, redrives)  # type: ignore[attr-defined]
        raise error
    result: JSON = outputs
    if runs is not None and identity is not None:
        try:
            result = _write_results(it, state, effective, visit, frame, runs, identity)
        except StatesError as err:
            details = {"error": err.error}
            if err.cause is not None:
                details["cause"] = err.cause
            thread.last = it.add("MapStateFailed", it.add("MapRunFailed", run_started, details))
            raise _located(StatesError(err.error, err.cause)) from None
    it.add("MapStateSucceeded", it.add("MapRunSucceeded", run_started))
    # AWS-recorded (Nov 2024 and later): MapStateExited links to MapRunStarted.
    thread.last = run_started
    return result


def _read_items(it: Interpreter, state: MapState, effective: JSON, thread: Thread, frame: Frame,
                visit: Visit, run_started: int) -> list[JSON]:  # fmt: skip
    """The ``ItemReader``'s items; a reader failure fails the Map Run, then the Map."""
    from pytest_sfn.engine.item_reader import read_items

    try:
        return read_items(it, state, effective, visit, frame)
    except StatesError as err:
        details = {"error": err.error}
        if err.cause is not None:
            details["cause"] = err.cause
        thread.last = it.add("MapStateFailed", it.add("MapRunFailed", run_started, details))
        raise _located(StatesError(err.error, err.cause)) from None


def _own_history(it: Interpreter, own: list[Any], outer: list[Any]) -> Any:
    """In a started execution, keep the child's history while its Task waits and other
    branches run (they record into ``outer``)."""
    scheduler = fibers_of(it.tasks)
    if scheduler is None:
        return contextlib.nullcontext()

    def enter() -> None:
        it.events = own

    def leave() -> None:
        it.events = outer

    return scheduler.context(enter, leave)


def _identity(it: Interpreter, state: MapState, map_run_arn: str, run_id: str,
              express: bool) -> MapRunIdentity:  # fmt: skip
    cfg = it.config
    label = state.label or state.name
    base = f"arn:aws:states:{cfg.region}:{cfg.account}"
    return MapRunIdentity(map_run_arn, run_id, base, f"{cfg.state_machine_name}/{label}", express)


def _export(it: Interpreter, state: MapState, effective: JSON, visit: Visit, frame: Frame,
            runs: list[ChildRun], identity: MapRunIdentity) -> JSON:  # fmt: skip
    target = writer_target(it, state, effective, visit, frame)
    return export(it, state, visit, target, runs, identity)


def _write_results(
    it: Interpreter, state: MapState, effective: JSON, visit: Visit, frame: Frame,
    runs: list[ChildRun], identity: MapRunIdentity,
) -> JSON:  # fmt: skip
    """``ResultWriter``: the export (Resource + Parameters) or the transformed results."""
    writer = state.result_writer
    if "Resource" in writer:
        # AWS-recorded: the state result describes the export instead of holding the items.
        return _export(it, state, effective, visit, frame, runs, identity)
    config = writer.get("WriterConfig") or {}
    return transform(runs, identity, str(config.get("Transformation", "COMPACT")))


def _progress(outputs: list[JSON], index: int, failure: BaseException) -> Progress:
    """Iterations before ``index`` succeeded (``outputs``); ``index`` failed where it stopped."""
    return Progress(dict(enumerate(outputs)), {index: getattr(failure, "redrive_point", None)})


def _located(err: StatesError) -> StatesError:
    err.located = True  # type: ignore[attr-defined]
    return err


def _exceeded(failures: int, total: int, count: JSON, percentage: JSON) -> bool:
    """Whether a Map Run fails: either given threshold exceeded (none given: any failure)."""
    if count is None and percentage is None:
        return failures > 0
    if count is not None and failures > count:
        return True
    return percentage is not None and total > 0 and failures * 100 / total > percentage


# --- JSONata ------------------------------------------------------------------------------


def _jsonata_items(it: Interpreter, state: MapState, effective: JSON, visit: Visit,
                   frame: Frame) -> list[JSON]:  # fmt: skip
    from pytest_sfn.engine.jsonata_states import (
        evaluate_field,
        expect_type,
        is_absent,
        states_bindings,
    )

    bindings = states_bindings(it, visit, frame, effective)
    items = evaluate_field(it, state.jsonata_fields, "Items", bindings)
    if is_absent(items):
        if not isinstance(effective, list):
            raise StatesError(
                "States.Runtime", f"Map state input must be an array but was: {_dump(effective)}"
            )
        return effective
    result: list[JSON] = expect_type(it, state.jsonata_fields, "Items", items, "array")
    return result


def _jsonata_number(it: Interpreter, state: MapState, literal: JSON, name: str, effective: JSON,
                    visit: Visit, frame: Frame, kind: str) -> JSON:  # fmt: skip
    from pytest_sfn.engine.jsonata_states import (
        evaluate_field,
        expect_type,
        is_absent,
        states_bindings,
    )

    if name not in state.jsonata_fields:
        return literal
    bindings = states_bindings(it, visit, frame, effective)
    value = evaluate_field(it, state.jsonata_fields, name, bindings)
    if is_absent(value):
        return literal
    expect_type(it, state.jsonata_fields, name, value, "integer" if kind == "integer" else "number")
    return int(value) if kind == "integer" else float(value)


def _jsonata_item_input(it: Interpreter, state: MapState, effective: JSON, index: int,
                        item: JSON, visit: Visit, frame: Frame) -> JSON:  # fmt: skip
    from pytest_sfn.engine.jsonata_states import evaluate_field, is_absent, states_bindings

    if "ItemSelector" not in state.jsonata_fields:
        return item
    visit.map_item = {"Index": index, "Value": item}
    try:
        bindings = states_bindings(it, visit, frame, effective)
        selected = evaluate_field(it, state.jsonata_fields, "ItemSelector", bindings)
    finally:
        visit.map_item = None
    return item if is_absent(selected) else selected
