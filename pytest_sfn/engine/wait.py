"""Wait states: Seconds, SecondsPath, Timestamp, TimestampPath on the virtual clock."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pytest_sfn._types import JSON
from pytest_sfn.engine.choice import parse_timestamp
from pytest_sfn.engine.dataflow import apply_input_path, apply_output_path
from pytest_sfn.engine.history import payload
from pytest_sfn.engine.runtime import EXPRESS_MAX, YEAR, Done, Frame, Thread, Visit
from pytest_sfn.errors import StatesError
from pytest_sfn.expressions.jsonpath import CompiledPath, PathNotFound
from pytest_sfn.expressions.payload import Scope, resolve_path
from pytest_sfn.model.states import WaitState

if TYPE_CHECKING:
    from pytest_sfn.engine.run import Interpreter

__all__ = ["run_wait"]


def run_wait(
    it: Interpreter, state: WaitState, value: JSON, thread: Thread, frame: Frame, visit: Visit
) -> Done:
    effective = apply_input_path(state.input_path, it.scope(value, visit, frame))
    scope = it.scope(effective, visit, frame)
    limit = EXPRESS_MAX if it.config.machine_type == "EXPRESS" else YEAR
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
    return Done(apply_output_path(state.output_path, scope), state.next)


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
