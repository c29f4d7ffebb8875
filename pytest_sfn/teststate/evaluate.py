"""The single-state evaluator: one state's data flow, its work, and the status decision.

Each state type records the ``inspectionData`` members AWS returns for it (aws-spec §1.3)
while it runs the engine's own pieces: the JSONPath steps of
:mod:`pytest_sfn.engine.dataflow`, the state handlers for Choice, Wait, Succeed and Fail, the
JSONata field evaluation, and :func:`~pytest_sfn.engine.task.run_task` for Tasks that are not
mocked. Task, Map and Parallel errors go through :func:`~pytest_sfn.teststate.status.decide`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pytest_sfn._types import JSON
from pytest_sfn.engine.dataflow import (
    apply_input_path,
    apply_output_path,
    apply_result_path,
    apply_template,
)
from pytest_sfn.engine.failure import GraphFailure
from pytest_sfn.engine.jsonata_states import (
    JSONATA_HANDLERS,
    evaluate_field,
    expect_type,
    is_absent,
    states_bindings,
)
from pytest_sfn.engine.runtime import locate_error
from pytest_sfn.engine.states import HANDLERS
from pytest_sfn.engine.task import new_task_token, run_task
from pytest_sfn.errors import StatesError
from pytest_sfn.teststate.http_trace import tracing
from pytest_sfn.teststate.inspection import Document
from pytest_sfn.teststate.map_items import (
    check_threshold,
    inspect_items,
    resolve_limits,
    validate_failure_count,
)
from pytest_sfn.teststate.run import StateRun
from pytest_sfn.teststate.status import decide

__all__ = ["Outcome", "evaluate"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """How the tested state ended."""

    status: str
    output: Document | None = None
    next_state: str | None = None
    error: str | None = None
    cause: str | None = None
    assigned: dict[str, JSON] | None = None


def derive(value: JSON, *sources: Document) -> Document:
    """``value`` as a document, keeping the text of the source it is (unchanged)."""
    for source in sources:
        if value is source.value:
            return source
    return Document(value)


def evaluate(run: StateRun) -> Outcome:
    """Evaluate the tested state once."""
    state = run.state
    run.inspection.put("input", run.input)
    try:
        if state.type in ("Task", "Map", "Parallel"):
            return _with_handlers(run)
        if state.jsonata:
            return _through_handler(run, JSONATA_HANDLERS[state.type])
        if state.type == "Pass":
            return _pass(run)
        _after_input_path(run)
        return _through_handler(run, HANDLERS[state.type])
    except GraphFailure as failure:
        return Outcome("FAILED", error=failure.error, cause=failure.cause)
    except StatesError as err:
        error, cause = locate_error(err, state.name, run.visit.entered_id)
        return Outcome("FAILED", error=error, cause=cause)


def _after_input_path(run: StateRun) -> Document:
    value = apply_input_path(run.state.input_path, run.scope(run.input.value))
    return run.inspection.put("afterInputPath", derive(value, run.input))


def _through_handler(run: StateRun, handler: Callable[..., Any]) -> Outcome:
    """Pass (JSONata), Choice, Wait, Succeed and Fail run as the engine runs them."""
    done = handler(run.it, run.state, run.input.value, run.thread, run.frame, run.visit)
    return Outcome("SUCCEEDED", derive(done.output, run.input), done.next, assigned=done.assigned)


def _pass(run: StateRun) -> Outcome:
    """A JSONPath Pass: with ``Result`` AWS shows the result, not the input processing."""
    state, ins = run.state, run.inspection
    after_input = derive(apply_input_path(state.input_path, run.scope(run.input.value)), run.input)
    effective = after_input
    if state.parameters is not None:
        effective = Document(apply_template(state.parameters, run.scope(after_input.value)))
    if state.has_result:
        result = ins.put("result", Document(state.result))
    else:
        ins.put("afterInputPath", after_input)
        result = ins.put("afterParameters", effective)
    ins.put("afterResultSelector", result)
    combined = ins.put(
        "afterResultPath",
        derive(
            apply_result_path(state.result_path, run.input.value, result.value), result, run.input
        ),
    )
    output = derive(apply_output_path(state.output_path, run.scope(combined.value)), combined)
    assigned = run.it.assign(state.assign, result.value, run.visit, run.frame)
    return Outcome("SUCCEEDED", output, state.next, assigned=assigned)


# --- Task, Map, Parallel --------------------------------------------------------------------


def _with_handlers(run: StateRun) -> Outcome:
    """Run the work; an error goes to Retry and Catch (the retry is not performed)."""
    state = run.state
    effective = run.input
    if not state.jsonata:
        effective = derive(
            apply_input_path(state.input_path, run.scope(run.input.value)), run.input
        )
        if state.type != "Parallel":
            run.inspection.put("afterInputPath", effective)
    try:
        return _WORK[state.type](run, effective)
    except StatesError as err:
        return _handled(run, err)


def _handled(run: StateRun, err: StatesError) -> Outcome:
    state = run.state
    decision = decide(err.error, state.retry, state.catch, run.settings.retry_count)
    details = decision.error_details()
    if details:
        run.inspection.put_raw("errorDetails", details)
    if decision.catch_index is None:
        error, cause = locate_error(err, state.name, run.visit.entered_id)
        return Outcome(decision.status, error=error, cause=cause)
    catcher = state.catch[decision.catch_index]
    error_output = {"Error": err.error, "Cause": err.cause}
    if state.jsonata:
        bindings = states_bindings(run.it, run.visit, run.frame, run.input.value,
                                   errorOutput=error_output)  # fmt: skip
        output, assigned = _jsonata_output(run, catcher.jsonata_fields, bindings, error_output)
        doc = Document(output)
    else:
        doc = derive(
            apply_result_path(catcher.result_path, run.input.value, error_output), run.input
        )
        assigned = run.it.assign(catcher.assign, error_output, run.visit, run.frame)
    return Outcome("CAUGHT_ERROR", doc, catcher.next, err.error, err.cause, assigned)


def _jsonata_output(
    run: StateRun, fields: Any, bindings: dict[str, JSON], default: JSON
) -> tuple[JSON, dict[str, JSON] | None]:
    """A JSONata ``Output`` (``default`` when absent) and ``Assign``, side by side."""
    output = evaluate_field(run.it, fields, "Output", bindings)
    assign = evaluate_field(run.it, fields, "Assign", bindings)
    assigned = None if is_absent(assign) else (dict(assign) if isinstance(assign, dict) else {})
    return (default if is_absent(output) else output), assigned


def _finish(run: StateRun, result: Document) -> Outcome:
    """ResultSelector, ResultPath, OutputPath and Assign (JSONPath) or Output and Assign."""
    state, ins = run.state, run.inspection
    if state.jsonata:
        bindings = states_bindings(run.it, run.visit, run.frame, run.input.value,
                                   result=result.value)  # fmt: skip
        output, assigned = _jsonata_output(run, state.jsonata_fields, bindings, result.value)
        return Outcome("SUCCEEDED", derive(output, result), state.next, assigned=assigned)
    selected = derive(apply_template(state.result_selector, run.scope(result.value)), result)
    ins.put("afterResultSelector", selected)
    combined = derive(
        apply_result_path(state.result_path, run.input.value, selected.value), selected, run.input
    )
    ins.put("afterResultPath", combined)
    output = derive(apply_output_path(state.output_path, run.scope(combined.value)), combined)
    assigned = run.it.assign(state.assign, selected.value, run.visit, run.frame)
    return Outcome("SUCCEEDED", output, state.next, assigned=assigned)


def _task(run: StateRun, effective: Document) -> Outcome:
    state, ins = run.state, run.inspection
    run.visit.task_token = new_task_token(run.it, state)
    timeouts: tuple[int | None, int | None] | None = None
    credentials: JSON = None
    if state.jsonata:
        bindings = states_bindings(run.it, run.visit, run.frame, run.input.value)
        arguments = evaluate_field(run.it, state.jsonata_fields, "Arguments", bindings)
        parameters = ins.put(
            "afterArguments", run.input if is_absent(arguments) else Document(arguments)
        )
        timeouts = _jsonata_timeouts(run, bindings)
        found = evaluate_field(run.it, state.jsonata_fields, "Credentials", bindings)
        credentials = None if is_absent(found) else found
    else:
        value = apply_template(state.parameters, run.scope(effective.value))
        parameters = ins.put("afterParameters", derive(value, effective))
    result = run.mocked_result()
    if result is None:
        with tracing(run.trace):
            answer = run_task(
                run.it, state, parameters.value, effective.value, run.thread, run.frame,
                run.visit, timeouts=timeouts, credentials=credentials,
            )  # fmt: skip
        result = Document(answer)
    ins.put("result", result)
    return _finish(run, result)


def _jsonata_timeouts(run: StateRun, bindings: dict[str, JSON]) -> tuple[int | None, int | None]:
    fields = run.state.jsonata_fields
    found = {name: evaluate_field(run.it, fields, name, bindings)
             for name in ("TimeoutSeconds", "HeartbeatSeconds")}  # fmt: skip
    seconds = {
        name: None if is_absent(value) else int(expect_type(run.it, fields, name, value, "integer"))
        for name, value in found.items()
    }
    return seconds["TimeoutSeconds"], seconds["HeartbeatSeconds"]


def _map(run: StateRun, effective: Document) -> Outcome:
    items = inspect_items(run, effective.value)
    count, percentage = resolve_limits(run, effective.value)
    mock = run.mock
    assert mock is not None  # a Map is only tested with a mock
    if mock.has_result and isinstance(mock.result, list):
        iterations: int | None = len(mock.result)
    else:
        iterations = len(items) if items is not None else None
    validate_failure_count(run, iterations)
    result = run.mocked_result()  # raises a mocked error first: it wins over the threshold
    assert result is not None
    check_threshold(run, iterations, count, percentage)
    return _finish(run, result)


def _parallel(run: StateRun, effective: Document) -> Outcome:
    state = run.state
    if state.jsonata:
        bindings = states_bindings(run.it, run.visit, run.frame, run.input.value)
        evaluate_field(run.it, state.jsonata_fields, "Arguments", bindings)
    else:
        apply_template(state.parameters, run.scope(effective.value))
    result = run.mocked_result()
    assert result is not None  # a Parallel is only tested with a mock
    return _finish(run, result)


_WORK: dict[str, Callable[[StateRun, Document], Outcome]] = {
    "Task": _task,
    "Map": _map,
    "Parallel": _parallel,
}
