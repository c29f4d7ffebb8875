"""How an execution went, as lines a person reads in a failure report.

``format_trace`` lists every state visit in entry order with its type and how it ended;
states inside Map iterations and Parallel branches are indented under their parent and
prefixed with the iteration or branch index. Verbose traces add each state's input and
output.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_sfn.engine.execution import Execution, StateRecord, TaskCall
from pytest_sfn.testing._text import LIMIT, cut, short

__all__ = ["AnsweredBy", "calls_by_visit", "format_trace", "state_status", "summary"]

#: Who answered each Task invocation: ``(state name, invocation index) -> description``.
#: The invocation index counts the calls of that state name in the execution from 0.
AnsweredBy = Mapping[tuple[str, int], str]


def state_status(record: StateRecord) -> str:
    """``ok``, ``caught <Error>`` or ``failed <Error>``, plus the attempts when retried."""
    if record.error is None and record.cause is None and record.succeeded:
        status = "ok"
    else:
        verb = "caught" if record.succeeded else "failed"
        status = f"{verb} {record.error}" if record.error is not None else verb
    if record.attempts > 1:
        status += f" after {record.attempts} attempts"
    return status


def summary(execution: Execution) -> str:
    """``execution 'name' ended FAILED: Error: cause`` in one line."""
    line = f"execution {execution.name!r} ended {execution.status}"
    if execution.error is not None or execution.cause is not None:
        line += f": {execution.error}"
        if execution.cause:
            line += f": {cut(execution.cause, 300)}"
    return line


def calls_by_visit(execution: Execution) -> dict[int, list[tuple[int, TaskCall]]]:
    """The Task calls of each state visit: record index -> ``[(invocation, call), ...]``.

    ``invocation`` counts the calls of the state name in the whole execution (what mocks
    consume). Calls are handed to the visits of their state and scope in order, each visit
    taking as many as its attempts.
    """
    pending: dict[tuple[str, tuple[Any, ...]], list[tuple[int, TaskCall]]] = {}
    counters: dict[str, int] = {}
    for call in execution.task_calls:
        index = counters.get(call.state, 0)
        counters[call.state] = index + 1
        pending.setdefault((call.state, call.scope), []).append((index, call))
    out: dict[int, list[tuple[int, TaskCall]]] = {}
    for position, record in enumerate(execution.states):
        queue = pending.get((record.name, record.scope))
        if not queue:
            continue
        out[position] = queue[: record.attempts]
        del queue[: record.attempts]
    return out


def _label(record: StateRecord) -> str:
    depth = len(record.scope) // 2
    index = f"[{record.scope[-1]}] " if record.scope else ""
    return "  " * depth + index + record.name


def format_trace(
    execution: Execution,
    *,
    verbose: bool = False,
    answered: AnsweredBy | None = None,
    max_states: int = 60,
) -> list[str]:
    """The states an execution went through, one line each (see the module docstring).

    Args:
        execution: the execution.
        verbose: add the input and output of every state.
        answered: who answered each Task invocation (shown after Task states).
        max_states: show at most this many visits (the rest are counted).
    """
    if not execution.states:
        return ["  (no state entered)"]
    visits = calls_by_visit(execution) if answered else {}
    shown = execution.states[:max_states]
    labels = [_label(r) for r in shown]
    width = max(len(label) for label in labels)
    type_width = max(len(r.type) for r in shown)
    lines: list[str] = []
    for position, (record, label) in enumerate(zip(shown, labels, strict=True)):
        line = f"  {label.ljust(width)}  {record.type.ljust(type_width)}  {state_status(record)}"
        mocks = [
            answered[(record.name, invocation)]
            for invocation, _ in visits.get(position, [])
            if answered is not None and (record.name, invocation) in answered
        ]
        if mocks:
            line += f"  (mock: {', '.join(dict.fromkeys(mocks))})"
        lines.append(line.rstrip())
        if verbose:
            pad = "  " + " " * (len(label) - len(label.lstrip())) + "    "
            lines.append(f"{pad}input:  {short(record.input)}")
            if record.succeeded:
                lines.append(f"{pad}output: {short(record.output)}")
            if record.cause is not None:
                lines.append(f"{pad}cause:  {cut(str(record.cause), LIMIT)}")
    hidden = len(execution.states) - len(shown)
    if hidden > 0:
        lines.append(f"  ... {hidden} more state visit{'s' if hidden != 1 else ''}")
    return lines
