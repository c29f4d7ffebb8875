"""Failure explanations: what an execution did when an assertion about it fails."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pytest_sfn.engine.execution import Execution

__all__ = ["STATUSES", "explain_comparison", "summarize"]

STATUSES = frozenset({"RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"})
_MAX_VALUE = 200


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 3] + "..."


def summarize(execution: Execution) -> list[str]:
    """A few lines saying how ``execution`` ended and which states it went through."""
    lines = [f"execution {execution.name!r} ended {execution.status}"]
    if execution.error is not None or execution.cause is not None:
        lines.append(f"  error: {execution.error}")
        lines.append(f"  cause: {_short(execution.cause)}")
    if execution.succeeded:
        lines.append(f"  output: {_short(execution.output)}")
    lines.append(f"  path: {' -> '.join(execution.path) or '(no state entered)'}")
    return lines


def _first_difference(left: Sequence[Any], right: Sequence[Any]) -> str:
    for index, (a, b) in enumerate(zip(left, right, strict=False)):
        if a != b:
            return f"At index {index}: {a!r} != {b!r}"
    longer, which = (left, "Left") if len(left) > len(right) else (right, "Right")
    extra = list(longer[min(len(left), len(right)) :])
    return f"{which} contains {len(extra)} more state(s): {_short(extra)}"


def explain_comparison(left: Any, right: Any, executions: Sequence[Execution]) -> list[str] | None:
    """Explain ``left == right`` when it compares an execution's status or path.

    ``executions`` are those of the running test, most recent last. Returns ``None`` when
    the comparison is not about one of them, so pytest's own explanation is used.
    """
    if isinstance(left, Execution) and isinstance(right, Execution):
        return _explain_two(left, right)
    if isinstance(left, str) and isinstance(right, str):
        if left not in STATUSES or right not in STATUSES:
            return None
        match = next((e for e in reversed(executions) if e.status == left), None)
        if match is None:
            return None
        return [f"{left!r} == {right!r}", "", *summarize(match)]
    if (
        isinstance(left, list)
        and isinstance(right, list)
        and all(isinstance(x, str) for x in (*left, *right))
    ):
        match = next((e for e in reversed(executions) if e.path == left), None)
        if match is None:
            return None
        return [
            "execution path differs from the expected path",
            _first_difference(left, right),
            "",
            *summarize(match),
        ]
    return None


def _explain_two(left: Execution, right: Execution) -> list[str]:
    lines = ["two executions differ:"]
    for attr in ("status", "error", "cause", "output", "path", "start_time", "stop_time"):
        a, b = getattr(left, attr), getattr(right, attr)
        if a != b:
            lines.append(f"  {attr}: {_short(a)} != {_short(b)}")
    if len(lines) == 1:
        lines.append(
            "  (status, error, cause, output, path and times are equal; "
            "names, ARNs or history differ)"
        )
    return lines
