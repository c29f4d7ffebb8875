"""The state handlers for ``QueryLanguage: JSONata``.

Data flow per AWS: ``$states.input`` is the raw state input; ``Arguments`` (Task, Parallel)
feed the work; ``Output`` (default: the result for Task/Parallel/Map, the input otherwise)
and ``Assign`` are evaluated side by side from the same values, so ``Output`` never sees
the variables ``Assign`` sets. Catchers see ``$states.errorOutput``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pytest_sfn._json import dump_compact
from pytest_sfn._types import JSON
from pytest_sfn.engine.choice import parse_timestamp
from pytest_sfn.engine.failure import GraphFailure
from pytest_sfn.engine.map_state import run_distributed, run_inline
from pytest_sfn.engine.runtime import (
    EXPRESS_MAX,
    YEAR,
    Done,
    Frame,
    Thread,
    Visit,
)
from pytest_sfn.engine.states import run_branches
from pytest_sfn.engine.task import new_task_token, run_task
from pytest_sfn.errors import StatesError
from pytest_sfn.model.states import (
    ChoiceState,
    FailState,
    MapState,
    ParallelState,
    PassState,
    SucceedState,
    TaskState,
    WaitState,
)

if TYPE_CHECKING:
    from pytest_sfn.engine.run import Interpreter

__all__ = ["JSONATA_HANDLERS", "evaluate_field", "query_error", "states_bindings"]

_QUERY_ERROR = "States.QueryEvaluationError"
_ABSENT: Any = object()


def states_bindings(
    it: Interpreter, visit: Visit, frame: Frame, state_input: JSON, **extra: JSON
) -> dict[str, JSON]:
    """Variables in scope plus ``$states`` (``input``, ``context`` and any ``extra``)."""
    states = {"input": state_input, "context": it.context(visit), **extra}
    return {**frame.variables, "states": states}


def evaluate_field(
    it: Interpreter, fields: Mapping[str, Any], name: str, bindings: Mapping[str, JSON]
) -> JSON:
    """The value of JSONata field ``name``, or ``_ABSENT`` when the state has no such field."""
    from pytest_sfn.expressions.jsonata_template import evaluate_jsonata_template

    template = fields.get(name)
    if template is None:
        return _ABSENT
    return evaluate_jsonata_template(template, bindings, it.jsonata_env)


def query_error(cause: str, location: str) -> StatesError:
    """A ``States.QueryEvaluationError`` remembering the field it came from."""
    err = StatesError(_QUERY_ERROR, cause)
    err.location = location  # type: ignore[attr-defined]
    return err


def _type_name(value: JSON) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def expect_type(
    it: Interpreter, fields: Mapping[str, Any], name: str, value: JSON, expected: str
) -> JSON:
    """Check a field's result type with AWS's wording for a mismatch."""
    if _type_name(value) == expected or (expected == "integer" and _is_integer(value)):
        return value
    template = fields[name]
    field = getattr(template, "field", name)  # e.g. "Choices[1]/Condition", as AWS names it
    raise query_error(
        f"The JSONata expression '{getattr(template, 'expression_text', '')}' specified for the "
        f"field '{field}' returned an unexpected result type. Expected '{expected}', but was "
        f"'{_type_name(value)}' for value: {dump_compact(value)}",
        field,
    )


def _is_integer(value: JSON) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and int(value) == value


def _assigned(it: Interpreter, fields: Mapping[str, Any], bindings: Mapping[str, JSON]) -> Any:
    value = evaluate_field(it, fields, "Assign", bindings)
    if value is _ABSENT:
        return None
    return dict(value) if isinstance(value, dict) else {}


def _output(
    it: Interpreter, fields: Mapping[str, Any], bindings: Mapping[str, JSON], default: JSON
) -> JSON:
    value = evaluate_field(it, fields, "Output", bindings)
    return default if value is _ABSENT else value


def _finish(
    it: Interpreter, state: Any, visit: Visit, frame: Frame, value: JSON, result: JSON
) -> Done:
    bindings = states_bindings(it, visit, frame, value, result=result)
    fields = state.jsonata_fields
    output = _output(it, fields, bindings, result)
    return Done(output, state.next, visit.retry_count + 1, _assigned(it, fields, bindings))


# --- handlers -----------------------------------------------------------------------------


def _pass(it: Interpreter, state: PassState, value: JSON, thread: Thread, frame: Frame,
          visit: Visit) -> Done:  # fmt: skip
    bindings = states_bindings(it, visit, frame, value)
    fields = state.jsonata_fields
    return Done(
        _output(it, fields, bindings, value), state.next, 1, _assigned(it, fields, bindings)
    )


def _succeed(it: Interpreter, state: SucceedState, value: JSON, thread: Thread, frame: Frame,
             visit: Visit) -> Done:  # fmt: skip
    bindings = states_bindings(it, visit, frame, value)
    return Done(_output(it, state.jsonata_fields, bindings, value), None)


def _choice(it: Interpreter, state: ChoiceState, value: JSON, thread: Thread, frame: Frame,
            visit: Visit) -> Done:  # fmt: skip
    bindings = states_bindings(it, visit, frame, value)
    fields: Mapping[str, Any] = state.jsonata_fields
    target: str | None = None
    for rule in state.choices:
        matched = evaluate_field(it, rule.jsonata_fields, "Condition", bindings)
        expect_type(it, rule.jsonata_fields, "Condition", matched, "boolean")
        if matched:
            target = rule.next
            # A matched rule's own Assign / Output take the place of the state's.
            fields = {**state.jsonata_fields, **rule.jsonata_fields}
            break
    else:
        target = state.default
        if target is None:
            raise StatesError("States.NoChoiceMatched", "No Matches!")
    return Done(_output(it, fields, bindings, value), target, 1, _assigned(it, fields, bindings))


def _wait(it: Interpreter, state: WaitState, value: JSON, thread: Thread, frame: Frame,
          visit: Visit) -> Done:  # fmt: skip
    bindings = states_bindings(it, visit, frame, value)
    fields = state.jsonata_fields
    limit = EXPRESS_MAX if it.config.machine_type == "EXPRESS" else YEAR
    seconds = evaluate_field(it, fields, "Seconds", bindings)
    if seconds is not _ABSENT:
        expect_type(it, fields, "Seconds", seconds, "integer")
        if seconds < 0 or seconds > limit:
            raise query_error(
                f"The Seconds field must be between 0 and {limit}, but was {seconds}", "Seconds"
            )
        it.clock.advance(seconds)
    else:
        stamp = evaluate_field(it, fields, "Timestamp", bindings)
        moment = parse_timestamp(stamp) if isinstance(stamp, str) else None
        if moment is None:
            raise query_error(
                "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time "
                f"format string: {stamp if isinstance(stamp, str) else dump_compact(stamp)}",
                "Timestamp",
            )
        if (moment - it.clock.now()).total_seconds() > limit:
            raise StatesError("States.Runtime", "Wait state delay is too long.")
        it.clock.advance_to(moment)
    return Done(
        _output(it, fields, bindings, value), state.next, 1, _assigned(it, fields, bindings)
    )


def _fail(it: Interpreter, state: FailState, value: JSON, thread: Thread, frame: Frame,
          visit: Visit) -> Done:  # fmt: skip
    bindings = states_bindings(it, visit, frame, value)
    fields = state.jsonata_fields
    texts: list[str | None] = []
    for name in ("Error", "Cause"):
        text = evaluate_field(it, fields, name, bindings)
        if text is _ABSENT:
            texts.append(None)
            continue
        texts.append(expect_type(it, fields, name, text, "string"))
    raise GraphFailure(texts[0], texts[1])


def _timeouts(it: Interpreter, state: TaskState, bindings: Mapping[str, JSON]) -> tuple[Any, Any]:
    out: list[int | None] = []
    for name in ("TimeoutSeconds", "HeartbeatSeconds"):
        seconds = evaluate_field(it, state.jsonata_fields, name, bindings)
        if seconds is _ABSENT:
            out.append(None)
            continue
        expect_type(it, state.jsonata_fields, name, seconds, "integer")
        if seconds <= 0:
            raise query_error(f"The {name} field must be positive, but was {seconds}", name)
        out.append(int(seconds))
    return out[0], out[1]


def _task(it: Interpreter, state: TaskState, value: JSON, thread: Thread, frame: Frame,
          visit: Visit) -> Done:  # fmt: skip
    def attempt() -> Done:
        visit.task_token = new_task_token(it, state)
        bindings = states_bindings(it, visit, frame, value)
        arguments = evaluate_field(it, state.jsonata_fields, "Arguments", bindings)
        timeouts = _timeouts(it, state, bindings)
        credentials = evaluate_field(it, state.jsonata_fields, "Credentials", bindings)
        result = run_task(
            it, state, value if arguments is _ABSENT else arguments, value, thread, frame, visit,
            timeouts=timeouts, credentials=None if credentials is _ABSENT else credentials,
        )  # fmt: skip
        return _finish(it, state, visit, frame, value, result)

    return it.with_retry(state, value, visit, frame, thread, attempt)


def _parallel(it: Interpreter, state: ParallelState, value: JSON, thread: Thread, frame: Frame,
              visit: Visit) -> Done:  # fmt: skip
    def attempt() -> Done:
        bindings = states_bindings(it, visit, frame, value)
        arguments = evaluate_field(it, state.jsonata_fields, "Arguments", bindings)
        branch_input = value if arguments is _ABSENT else arguments
        outputs = run_branches(it, state, branch_input, thread, frame, visit)
        return _finish(it, state, visit, frame, value, outputs)

    return it.with_retry(state, value, visit, frame, thread, attempt)


def _map(it: Interpreter, state: MapState, value: JSON, thread: Thread, frame: Frame,
         visit: Visit) -> Done:  # fmt: skip
    runner = run_distributed if state.mode == "DISTRIBUTED" else run_inline

    def attempt() -> Done:
        result = runner(it, state, value, thread, frame, visit)
        return _finish(it, state, visit, frame, value, result)

    return it.with_retry(state, value, visit, frame, thread, attempt)


_Handler = Callable[["Interpreter", Any, JSON, Thread, Frame, Visit], Done]

JSONATA_HANDLERS: dict[str, _Handler] = {
    "Pass": _pass,
    "Task": _task,
    "Choice": _choice,
    "Wait": _wait,
    "Succeed": _succeed,
    "Fail": _fail,
    "Parallel": _parallel,
    "Map": _map,
}


def is_absent(value: JSON) -> bool:
    """Whether :func:`evaluate_field` found no such field."""
    return value is _ABSENT
