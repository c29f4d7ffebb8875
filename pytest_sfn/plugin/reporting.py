"""Failure explanations: what an execution did when an assertion about it fails."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pytest_sfn.engine.execution import Execution
from pytest_sfn.testing._text import short
from pytest_sfn.testing.trace import format_trace, summary

__all__ = ["STATUSES", "explain_comparison", "summarize"]

STATUSES = frozenset({"RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"})


def summarize(execution: Execution, *, verbose: bool = False) -> list[str]:
    """How ``execution`` ended, its output, and the states it went through."""
    lines = [summary(execution)]
    if execution.succeeded:
        lines.append(f"  output: {short(execution.output)}")
    return lines + format_trace(execution, verbose=verbose)


def _first_difference(left: Sequence[Any], right: Sequence[Any]) -> str:
    for index, (a, b) in enumerate(zip(left, right, strict=False)):
        if a != b:
            return f"At index {index}: {a!r} != {b!r}"
    longer, which = (left, "Left") if len(left) > len(right) else (right, "Right")
    extra = list(longer[min(len(left), len(right)) :])
    return f"{which} contains {len(extra)} more state(s): {short(extra)}"


def explain_comparison(
    left: Any, right: Any, executions: Sequence[Execution], *, verbose: bool = False
) -> list[str] | None:
    """Explain ``left == right`` when it compares executions, or an execution's status or path.

    ``executions`` are those of the running test, most recent last. Returns ``None`` when
    the comparison is not about one of them, so pytest's own explanation is used.
    """
    if isinstance(left, Execution) and isinstance(right, Execution):
        return _explain_two(left, right, verbose)
    if isinstance(left, str) and isinstance(right, str):
        if left not in STATUSES or right not in STATUSES:
            return None
        match = next((e for e in reversed(executions) if e.status == left), None)
        if match is None:
            return None
        return [f"{left!r} == {right!r}", "", *summarize(match, verbose=verbose)]
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
            *summarize(match, verbose=verbose),
        ]
    return None


def _explain_two(left: Execution, right: Execution, verbose: bool) -> list[str]:
    lines = ["two executions differ:"]
    for attr in ("status", "error", "cause", "output", "path", "start_time", "stop_time"):
        a, b = getattr(left, attr), getattr(right, attr)
        if a != b:
            lines.append(f"  {attr}: {short(a)} != {short(b)}")
    if len(lines) == 1:
        lines.append(
            "  (status, error, cause, output, path and times are equal; "
            "names, ARNs or history differ)"
        )
    if verbose:
        lines += ["", "left:", *summarize(left, verbose=True)]
        lines += ["", "right:", *summarize(right, verbose=True)]
    return lines
