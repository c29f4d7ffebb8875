"""The ``sfn_state`` and ``sfn_redrive`` markers: a TestState check or a redrive, declared.

``@pytest.mark.sfn_state("Charge", input=..., mock=..., expect={...})`` tests one state of
the test's state machine with the TestState API; ``@pytest.mark.sfn_redrive(input=...,
expect_first={...}, mocks=..., expect={...})`` runs an execution that fails, redrives it
with the fix and checks both. The state machine and the Task answers come from the test's
``@pytest.mark.sfn`` marker (``definition=`` may also be given on these markers). The
expectations are checked before the test body runs; the ``sfn_state_result`` and
``sfn_redrive_result`` fixtures give the results to the body.

This module reads and checks the markers' arguments and renders failure reports.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from pytest_sfn.engine.execution import Execution
from pytest_sfn.errors import did_you_mean
from pytest_sfn.machine import NO_INPUT
from pytest_sfn.testing._text import short
from pytest_sfn.testing.expectations import REDRIVE_KEYS, Mismatch, compare_expectations
from pytest_sfn.testing.state_checks import (
    check_state_expect,
    describe_result,
    state_configuration_from_yaml,
    state_mock_from_yaml,
)
from pytest_sfn.testing.trace import format_trace, summary
from pytest_sfn.teststate import StateMock, StateTestResult

__all__ = [
    "REDRIVE_MARKER_DOC",
    "STATE_MARKER_DOC",
    "RedriveMark",
    "RedriveResult",
    "StateMark",
    "redrive_mark",
    "redrive_report",
    "state_mark",
    "state_report",
]

#: The ``markers`` ini line of ``sfn_state`` (shown by ``pytest --markers``).
STATE_MARKER_DOC = (
    "sfn_state(state_name, *, input={}, mock=None, variables=None, context=None, "
    "state_configuration=None, inspection_level='INFO', reveal_secrets=False, "
    "definition=None, expect=None, id=None): test one state of the test's state machine "
    "(@pytest.mark.sfn(definition=...)) with the TestState API, Tasks without a mock being "
    "answered by the test's mocks and handlers; expect={status, output, output_contains, "
    "error, cause, next_state, inspection_data} is checked before the test body, which gets "
    "the result from the sfn_state_result fixture. Several sfn_state marks on one test: one "
    "test item each. Docs: pytest-sfn Reference > pytest plugin."
)

#: The ``markers`` ini line of ``sfn_redrive``.
REDRIVE_MARKER_DOC = (
    "sfn_redrive(*, input={}, expect_first=None, mocks=None, results=None, expect=None, "
    "definition=None): run the test's state machine with its mocks, expect it to fail "
    "(expect_first: the keys of a scenario's expect), redrive it with mocks=/results= over "
    "the test's (the fix) and check expect (the same keys plus rerun, kept and "
    "transitions) before the test body, which gets the sfn_redrive_result fixture "
    "(.first, .redriven). Docs: pytest-sfn Reference > pytest plugin."
)

_STATE_KEYS = (
    "input",
    "mock",
    "variables",
    "context",
    "state_configuration",
    "inspection_level",
    "reveal_secrets",
    "definition",
    "expect",
    "id",
)
_REDRIVE_KEYS = ("input", "expect_first", "mocks", "results", "expect", "definition")
_SCENARIO_EXPECT = (
    "status",
    "output",
    "output_contains",
    "error",
    "cause",
    "path",
    "states",
    "calls",
)
_MOCK_KEYS = ("result", "error_output", "field_validation_mode")


def _kind(value: Any) -> str:
    return type(value).__name__


def _check_keywords(marker: str, kwargs: Mapping[str, Any], known: tuple[str, ...]) -> None:
    for key in kwargs:
        if key not in known:
            raise TypeError(
                f"@pytest.mark.{marker} got an unexpected keyword argument {key!r}"
                f"{did_you_mean(key, known)}; it accepts: {', '.join(known)}"
            )
    definition = kwargs.get("definition")
    if definition is not None and not isinstance(definition, (str, os.PathLike)):
        raise TypeError(
            f"@pytest.mark.{marker}(definition=...) must be a path or "
            f"'template.yaml#LogicalId', not {_kind(definition)}"
        )


@dataclass(frozen=True, slots=True)
class StateMark:
    """A checked ``@pytest.mark.sfn_state``.

    Attributes:
        state_name: the state to test.
        options: keywords of :meth:`SfnHarness.test_state` (``input``, ``mock``,
            ``variables``, ``context``, ``state_configuration``, ``inspection_level``,
            ``reveal_secrets``, ``definition``).
        expect: the expectations (``{}``: none).
        id: the test id when several marks apply to one test (default: the state name).
    """

    state_name: str
    options: Mapping[str, Any] = field(default_factory=dict)
    expect: Mapping[str, Any] = field(default_factory=dict)
    id: str | None = None

    @property
    def label(self) -> str:
        """``@pytest.mark.sfn_state('Charge')`` for messages."""
        return f"@pytest.mark.sfn_state({self.state_name!r})"


def _state_mock(mock: Any) -> StateMock | None:
    if mock is None or isinstance(mock, StateMock):
        return mock
    if not isinstance(mock, Mapping) or not mock:
        raise TypeError(
            "@pytest.mark.sfn_state(mock=...) must be a StateMock or a dict with 'result' or "
            f"'error_output' (and 'field_validation_mode'), not {mock!r}"
        )
    for key in mock:
        if key not in _MOCK_KEYS:
            raise TypeError(
                f"@pytest.mark.sfn_state(mock=...) has an unknown key {key!r}"
                f"{did_you_mean(str(key), _MOCK_KEYS)}; write it as in YAML "
                "({'result': value} or {'error_output': {'error': ..., 'cause': ...}}) or "
                "pass a StateMock"
            )
    if ("result" in mock) == ("error_output" in mock):
        raise TypeError(
            "@pytest.mark.sfn_state(mock=...) needs exactly one of 'result' or 'error_output'"
        )
    output = mock.get("error_output")
    if output is not None and not isinstance(output, (str, Mapping)):
        raise TypeError(
            "@pytest.mark.sfn_state(mock=...): error_output must be the error name or "
            "{'error': ..., 'cause': ...}"
        )
    return state_mock_from_yaml(mock)


def state_mark(mark: pytest.Mark) -> StateMark:
    """Read and check one ``sfn_state`` mark.

    Raises:
        TypeError: no state name, an unknown keyword, a malformed ``mock`` or ``expect``
            (the message says what is accepted).
    """
    if len(mark.args) != 1 or not isinstance(mark.args[0], str) or not mark.args[0]:
        raise TypeError(
            "@pytest.mark.sfn_state takes the state name as its only positional argument: "
            f"@pytest.mark.sfn_state('Charge', input=..., expect=...), got {mark.args!r}"
        )
    kwargs = mark.kwargs
    _check_keywords("sfn_state", kwargs, _STATE_KEYS)
    expect = kwargs.get("expect") or {}
    check_state_expect(expect, "@pytest.mark.sfn_state")
    options: dict[str, Any] = {}
    for key in (
        "input",
        "variables",
        "context",
        "inspection_level",
        "reveal_secrets",
        "definition",
    ):
        if key in kwargs:
            options[key] = kwargs[key]
    mock = _state_mock(kwargs.get("mock"))
    if mock is not None:
        options["mock"] = mock
    configuration = kwargs.get("state_configuration")
    if configuration is not None:
        if not isinstance(configuration, Mapping):
            raise TypeError(
                "@pytest.mark.sfn_state(state_configuration=...) must be a dict "
                "(retrier_retry_count, error_caused_by_state, map_iteration_failure_count, "
                f"map_item_reader_data), not {_kind(configuration)}"
            )
        options["state_configuration"] = state_configuration_from_yaml(configuration)
    given_id = kwargs.get("id")
    if given_id is not None and not isinstance(given_id, str):
        raise TypeError(f"@pytest.mark.sfn_state(id=...) must be a str, not {_kind(given_id)}")
    return StateMark(mark.args[0], options, dict(expect), given_id)


def state_report(mark: StateMark, result: StateTestResult, found: tuple[Mismatch, ...]) -> str:
    """The failure report of an ``sfn_state`` mark: unmet expectations, what TestState gave."""
    lines = [f"{mark.label}: {len(found)} expectation(s) not met"]
    for mismatch in found:
        lines += ["", f"expect.{mismatch.message}", *mismatch.lines()[1:]]
    return "\n".join([*lines, "", *describe_result(result)])


# --- sfn_redrive ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RedriveMark:
    """A checked ``@pytest.mark.sfn_redrive``.

    Attributes:
        input: the execution input.
        expect_first: expectations of the first run (keys of a scenario's ``expect``).
        mocks: the fix: mocks of the redrive, over the test's.
        results: the fix: Task answers by state name, over the test's.
        expect: expectations of the redriven execution (plus ``rerun``, ``kept``,
            ``transitions``).
        definition: the state machine (default: the ``sfn`` marker's).
    """

    input: Any = NO_INPUT
    expect_first: Mapping[str, Any] = field(default_factory=dict)
    mocks: Any = None
    results: Mapping[str, Any] | None = None
    expect: Mapping[str, Any] = field(default_factory=dict)
    definition: Any = None


@dataclass(frozen=True, slots=True)
class RedriveResult:
    """What the ``sfn_redrive_result`` fixture gives.

    Attributes:
        first: the execution before the redrive (its first run).
        redriven: the same execution after the redrive.
    """

    __test__ = False  # not a test class, whatever pytest's python_classes say

    first: Execution
    redriven: Execution


def _check_expect(value: Any, key: str, allowed: tuple[str, ...]) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(f"@pytest.mark.sfn_redrive({key}=...) must be a dict, not {_kind(value)}")
    for name in value:
        if name not in allowed:
            raise TypeError(
                f"@pytest.mark.sfn_redrive({key}=...) has an unknown key {name!r}"
                f"{did_you_mean(str(name), allowed)}; keys: {', '.join(allowed)}"
            )
    return dict(value)


def redrive_mark(mark: pytest.Mark) -> RedriveMark:
    """Read and check one ``sfn_redrive`` mark.

    Raises:
        TypeError: positional arguments, an unknown keyword or expectation key.
    """
    if mark.args:
        raise TypeError(
            f"@pytest.mark.sfn_redrive takes keyword arguments only ({', '.join(_REDRIVE_KEYS)}),"
            f" got positional {mark.args!r}"
        )
    kwargs = mark.kwargs
    _check_keywords("sfn_redrive", kwargs, _REDRIVE_KEYS)
    results = kwargs.get("results")
    if results is not None and not isinstance(results, Mapping):
        raise TypeError(
            "@pytest.mark.sfn_redrive(results=...) must be a mapping of Task state name to "
            f"result, not {_kind(results)}"
        )
    return RedriveMark(
        input=kwargs.get("input", NO_INPUT),
        expect_first=_check_expect(kwargs.get("expect_first"), "expect_first", _SCENARIO_EXPECT),
        mocks=kwargs.get("mocks"),
        results=results,
        expect=_check_expect(kwargs.get("expect"), "expect", (*_SCENARIO_EXPECT, *REDRIVE_KEYS)),
        definition=kwargs.get("definition"),
    )


def redrive_mismatches(mark: RedriveMark, outcome: RedriveResult) -> list[tuple[str, Mismatch]]:
    """``(section, mismatch)`` for every unmet expectation of the mark."""
    found = [
        ("expect_first", m)
        for m in compare_expectations(mark.expect_first, outcome.first, pointer="/expect_first")
    ]
    found += [
        ("expect", m)
        for m in compare_expectations(mark.expect, outcome.redriven, pointer="/expect")
    ]
    return found


def redrive_report(outcome: RedriveResult, found: list[tuple[str, Mismatch]]) -> str:
    """The failure report of an ``sfn_redrive`` mark."""
    redriven = outcome.redriven
    lines = [f"@pytest.mark.sfn_redrive: {len(found)} expectation(s) not met"]
    for section, mismatch in found:
        lines += ["", f"{section}.{mismatch.message}", *mismatch.lines()[1:]]
    rerun = list(dict.fromkeys(r.name for r in redriven.redriven_states))
    kept = list(dict.fromkeys(r.name for r in redriven.kept_states))
    lines += [
        "",
        f"first run: {summary(outcome.first)}",
        f"redrive #{redriven.redrive_count}: re-ran {short(rerun)}, kept {short(kept)}, "
        f"{redriven.redrive_transitions} transition(s)",
        summary(redriven),
        "states:",
        *format_trace(redriven),
    ]
    return "\n".join(lines)
