"""Assertions about executions, with messages that show what the execution did.

Each helper raises :class:`AssertionError` whose message names what was expected, what
happened and the states the execution went through. They set ``__tracebackhide__`` so
pytest shows the line of the test, not these frames. They are also methods of
:class:`~pytest_sfn.Execution`: ``execution.assert_succeeded().assert_path([...])``.

This module does not import pytest: the helpers work under any test runner.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pytest_sfn._types import JSON
from pytest_sfn.errors import did_you_mean
from pytest_sfn.testing._text import cut, short
from pytest_sfn.testing.compare import describe, first_difference
from pytest_sfn.testing.trace import format_trace, summary

if TYPE_CHECKING:
    from pytest_sfn.engine.execution import Execution, TaskCall

__all__ = [
    "assert_called_with",
    "assert_failed",
    "assert_output",
    "assert_path",
    "assert_redrive",
    "assert_succeeded",
]


def _fail(execution: Execution, *lines: str) -> AssertionError:
    return AssertionError("\n".join([*lines, summary(execution), *format_trace(execution)]))


def assert_succeeded(execution: Execution) -> Execution:
    """Assert that the execution ended ``SUCCEEDED``; returns it.

    Raises:
        AssertionError: it ended otherwise (the message shows the error and the states).
    """
    __tracebackhide__ = True
    if execution.status != "SUCCEEDED":
        raise _fail(execution, f"expected the execution to succeed, it ended {execution.status}")
    return execution


def _cause_matches(expected: str | re.Pattern[str], actual: str | None) -> bool:
    if isinstance(expected, re.Pattern):
        return actual is not None and expected.search(actual) is not None
    return expected == actual


def assert_failed(
    execution: Execution,
    error: str | None = None,
    cause: str | re.Pattern[str] | None = None,
) -> Execution:
    """Assert that the execution ended ``FAILED``, optionally with this error and cause.

    Args:
        execution: the execution.
        error: the expected error name (``None``: any).
        cause: the expected cause: a string compared exactly or a compiled regular
            expression searched in the cause (``None``: any).

    Raises:
        AssertionError: it did not fail, or failed with another error or cause.
    """
    __tracebackhide__ = True
    if execution.status != "FAILED":
        raise _fail(execution, f"expected the execution to fail, it ended {execution.status}")
    if error is not None and execution.error != error:
        raise _fail(
            execution,
            f"expected the execution to fail with error {error!r}, got {execution.error!r}",
        )
    if cause is not None and not _cause_matches(cause, execution.cause):
        wanted = f"matching /{cause.pattern}/" if isinstance(cause, re.Pattern) else repr(cause)
        got = repr(cut(execution.cause)) if execution.cause is not None else "None"
        raise _fail(execution, f"expected the cause to be {wanted}, got {got}")
    return execution


def assert_path(execution: Execution, expected: Sequence[str], *scope: Any) -> Execution:
    """Assert the states entered, in order: top level, or inside ``scope``.

    ``assert_path(execution, ["A", "B"])`` checks :attr:`Execution.path`;
    ``assert_path(execution, ["Item"], "ProcessItems", 2)`` checks iteration 2 of a Map.

    Raises:
        AssertionError: the paths differ (the message shows the first difference).
    """
    __tracebackhide__ = True
    actual = execution.path_in(*scope) if scope else execution.path
    wanted = list(expected)
    if actual == wanted:
        return execution
    where = f" inside {scope!r}" if scope else ""
    for index, (want, got) in enumerate(zip(wanted, actual, strict=False)):
        if want != got:
            first = f"at index {index}: expected {want!r}, got {got!r}"
            break
    else:
        shorter = min(len(wanted), len(actual))
        first = (
            f"the execution entered {len(actual) - shorter} more state(s): {actual[shorter:]!r}"
            if len(actual) > len(wanted)
            else f"the execution stopped before {wanted[shorter:]!r}"
        )
    raise _fail(
        execution,
        f"the path{where} differs {first}",
        f"  expected: {wanted!r}",
        f"  actual:   {actual!r}",
    )


def assert_called_with(
    execution: Execution, state: str, parameters: JSON, *, exact: bool = False
) -> TaskCall:
    """Assert what the *last* call of Task state ``state`` sent; returns that call.

    Like :meth:`unittest.mock.Mock.assert_called_with`, the most recent call is checked
    (``execution.calls(state)`` has every call).

    Args:
        execution: the execution.
        state: the Task state's name.
        parameters: the expected effective parameters.
        exact: ``False`` (default): the call may send keys ``parameters`` does not name,
            at any depth; ``True``: the parameters must be equal.

    Raises:
        AssertionError: the state was never called, or its last call sent other parameters.
    """
    __tracebackhide__ = True
    calls = execution.calls(state)
    if not calls:
        called = list(dict.fromkeys(c.state for c in execution.task_calls))
        raise _fail(
            execution,
            f"Task state {state!r} was never called{did_you_mean(state, called)}; "
            f"called: {', '.join(called) or 'none'}",
        )
    call = calls[-1]
    difference = first_difference(parameters, call.parameters, subset=not exact)
    if difference is not None:
        raise _fail(
            execution,
            f"the last call of {state!r} (call {len(calls)} of {len(calls)}) sent other "
            f"parameters ({'exact' if exact else 'subset'} comparison)",
            *("  " + line for line in describe(difference)),
            f"  sent: {short(call.parameters)}",
        )
    return call


def assert_output(execution: Execution, expected: JSON, *, exact: bool = True) -> Execution:
    """Assert the execution's output.

    Args:
        execution: the execution.
        expected: the expected output.
        exact: ``True`` (default): equal; ``False``: the output may hold object keys
            ``expected`` does not name, at any depth.

    Raises:
        AssertionError: the execution did not succeed, or its output differs.
    """
    __tracebackhide__ = True
    if execution.status != "SUCCEEDED":
        raise _fail(execution, f"expected an output, but the execution ended {execution.status}")
    difference = first_difference(expected, execution.output, subset=not exact)
    if difference is not None:
        raise _fail(
            execution,
            f"the output differs ({'exact' if exact else 'subset'} comparison)",
            *("  " + line for line in describe(difference)),
        )
    return execution


def _names(records: Sequence[Any]) -> list[str]:
    return list(dict.fromkeys(record.name for record in records))


def assert_redrive(
    execution: Execution,
    *,
    rerun: Sequence[str] | None = None,
    kept: Sequence[str] | None = None,
    transitions: int | None = None,
) -> Execution:
    """Assert what the last redrive of ``execution`` re-ran, kept and cost; returns it.

    State names are compared as lists of distinct names in the order they were first
    entered (states inside Map iterations and Parallel branches included), as the
    ``rerun`` / ``kept`` keys of a scenario's ``redrive: expect:`` section.

    Args:
        execution: a redriven execution (what ``Execution.redrive()`` returns).
        rerun: the states the redrive ran (:attr:`Execution.redriven_states`).
        kept: the states of earlier attempts kept, not re-run (:attr:`Execution.kept_states`).
        transitions: the state transitions the redrive cost
            (:attr:`Execution.redrive_transitions`).

    Raises:
        AssertionError: the execution was never redriven, or a value differs.
    """
    __tracebackhide__ = True
    if execution.redrive_date is None:
        raise _fail(execution, "expected a redriven execution, this one was never redriven")
    problems = []
    for label, expected, actual in (
        ("re-ran", rerun, _names(execution.redriven_states)),
        ("kept", kept, _names(execution.kept_states)),
    ):
        if expected is not None and list(expected) != actual:
            problems.append(
                f"the redrive {label} {short(actual)}, expected {short(list(expected))}"
            )
    if transitions is not None and transitions != execution.redrive_transitions:
        problems.append(
            f"the redrive cost {execution.redrive_transitions} state transition(s), expected "
            f"{transitions} (per attempt: {list(execution.transitions)})"
        )
    if problems:
        raise _fail(execution, *problems)
    return execution
