"""Checking an execution against the ``expect`` section of a scenario.

The section (see the scenario file schema) may hold::

    status: SUCCEEDED            # the execution status
    output: {...}                # the output, exactly
    output_contains: {...}       # the output holds at least these keys (at any depth)
    error: Card.Declined         # the execution's error / cause
    cause: ...
    path: [Validate, Charge]     # the top-level states entered, in order
    states:                      # the last visit of each named state
      Charge: {input: ..., input_contains: ..., output: ..., output_contains: ...,
               error: ..., cause: ..., attempts: 2}
    calls:                       # the calls of each Task state, in order
      Charge:
        - parameters: {...}          # exactly
        - parameters_contains: {...} # at least these keys
          result: ... / error: ... / cause: ...

:func:`compare_expectations` returns every expectation that is not met, each with the JSON
pointer of the expectation (for ``file:line`` in reports) and the first difference.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from pytest_sfn._types import JSON
from pytest_sfn.engine.execution import Execution, StateRecord, TaskCall
from pytest_sfn.errors import did_you_mean
from pytest_sfn.testing._text import cut, short
from pytest_sfn.testing.compare import Difference, describe, first_difference, pointer_join

__all__ = ["REDRIVE_KEYS", "Mismatch", "compare_expectations", "value_mismatch"]

#: The ``expect`` keys about a redrive (``redrive: expect:`` of a scenario).
REDRIVE_KEYS = ("rerun", "kept", "transitions")


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One expectation that the execution does not meet.

    Attributes:
        pointer: JSON pointer of the expectation in the scenario file
            (``/scenarios/0/expect/output``).
        message: what is wrong, in one line.
        difference: the first difference between the expected and actual values, if the
            expectation compares values.
        state: the state the expectation is about, if any.
    """

    pointer: str
    message: str
    difference: Difference | None = None
    state: str | None = None

    def lines(self) -> list[str]:
        """The message and, when values were compared, where they first differ."""
        out = [self.message]
        if self.difference is not None:
            out += ["  " + line for line in describe(self.difference)]
        return out


def value_mismatch(
    name: str,
    expected: JSON,
    actual: JSON,
    pointer: str,
    *,
    subset: bool = False,
    state: str | None = None,
) -> Mismatch | None:
    """The mismatch of ``actual`` against ``expected`` (``None`` when they match).

    Args:
        name: what is compared, for the message (``output``, ``states.Charge.input``).
        expected: the expected JSON value.
        actual: the actual JSON value.
        pointer: JSON pointer of the expectation.
        subset: accept extra object keys in ``actual``.
        state: the state the expectation is about, if any.
    """
    difference = first_difference(expected, actual, subset=subset)
    if difference is None:
        return None
    if difference.pointer == "" and not isinstance(expected, (Mapping, list)):
        return Mismatch(
            pointer, f"{name}: expected {short(expected)}, got {short(actual)}", None, state
        )
    return Mismatch(pointer, f"{name} differs", difference, state)


class _Checker:
    def __init__(
        self, execution: Execution, pointer: str, state_names: Collection[str] | None
    ) -> None:
        self.execution = execution
        self.pointer = pointer
        self.state_names = state_names
        self.found: list[Mismatch] = []

    def add(self, mismatch: Mismatch | None) -> None:
        if mismatch is not None:
            self.found.append(mismatch)

    def at(self, *keys: str | int) -> str:
        pointer = self.pointer
        for key in keys:
            pointer = pointer_join(pointer, key)
        return pointer

    def top(self, expect: Mapping[str, Any]) -> None:
        execution = self.execution
        if "status" in expect and expect["status"] != execution.status:
            detail = (
                f" ({execution.error}: {cut(execution.cause or '')})" if execution.error else ""
            )
            self.add(
                Mismatch(
                    self.at("status"),
                    f"status: expected {short(expect['status'])}, got "
                    f"{short(execution.status)}{detail}",
                )
            )
        for key in ("error", "cause"):
            if key in expect and expect[key] != getattr(execution, key):
                self.add(
                    Mismatch(
                        self.at(key),
                        f"{key}: expected {short(expect[key])}, got "
                        f"{short(getattr(execution, key))}",
                    )
                )
        if "path" in expect:
            self.path(list(expect["path"]))
        self.redrive(expect)
        for name, body in (expect.get("states") or {}).items():
            self.state(name, body)
        for name, calls in (expect.get("calls") or {}).items():
            self.calls(name, calls)
        for key, subset in (("output", False), ("output_contains", True)):
            if key not in expect:
                continue
            if execution.status != "SUCCEEDED":
                self.add(
                    Mismatch(
                        self.at(key),
                        f"{key}: the execution has no output, it ended {execution.status}",
                    )
                )
                continue
            self.add(
                value_mismatch(key, expect[key], execution.output, self.at(key), subset=subset)
            )

    def redrive(self, expect: Mapping[str, Any]) -> None:
        """``rerun``, ``kept`` (state names, each once, in visit order) and ``transitions``."""
        execution = self.execution
        for key, records in (
            ("rerun", execution.redriven_states),
            ("kept", execution.kept_states),
        ):
            if key not in expect:
                continue
            actual = list(dict.fromkeys(record.name for record in records))
            expected = list(expect[key])
            if expected != actual:
                self.add(
                    Mismatch(
                        self.at(key),
                        f"{key}: expected {short(expected)}, got {short(actual)}",
                    )
                )
        if "transitions" in expect and expect["transitions"] != execution.redrive_transitions:
            self.add(
                Mismatch(
                    self.at("transitions"),
                    f"transitions: expected the redrive to cost {expect['transitions']}, it cost "
                    f"{execution.redrive_transitions} (per attempt: {list(execution.transitions)})",
                )
            )

    def path(self, expected: list[str]) -> None:
        actual = self.execution.path
        if expected == actual:
            return
        difference = first_difference(expected, actual)
        state = None
        if difference is not None and difference.pointer:
            index = int(difference.pointer.rsplit("/", 1)[1])
            state = actual[index] if index < len(actual) else None
        self.add(Mismatch(self.at("path"), "path differs", difference, state))

    def unknown(self, section: str, name: str) -> bool:
        if self.state_names is None or name in self.state_names:
            return False
        self.add(
            Mismatch(
                self.at(section, name),
                f"{section}: {name!r} is not a state of the state machine"
                f"{did_you_mean(name, self.state_names)}",
                state=None,
            )
        )
        return True

    def state(self, name: str, body: Mapping[str, Any]) -> None:
        if self.unknown("states", name):
            return
        visits = self.execution.visits(name)
        if not visits:
            self.add(Mismatch(self.at("states", name), f"states: {name!r} did not run"))
            return
        record: StateRecord = visits[-1]
        label = f"states.{name}"
        for key, attribute, subset in (
            ("input", "input", False),
            ("input_contains", "input", True),
            ("output", "output", False),
            ("output_contains", "output", True),
            ("error", "error", False),
            ("cause", "cause", False),
            ("attempts", "attempts", False),
        ):
            if key in body:
                self.add(
                    value_mismatch(
                        f"{label}.{key}", body[key], getattr(record, attribute),
                        self.at("states", name, key), subset=subset, state=name,
                    )
                )  # fmt: skip

    def calls(self, name: str, expected: list[Mapping[str, Any]]) -> None:
        if self.unknown("calls", name):
            return
        actual: list[TaskCall] = self.execution.calls(name)
        if len(actual) != len(expected):
            self.add(
                Mismatch(
                    self.at("calls", name),
                    f"calls.{name}: expected {len(expected)} call(s), got {len(actual)}",
                    state=name,
                )
            )
        for index, (want, call) in enumerate(zip(expected, actual, strict=False)):
            label = f"calls.{name}[{index}]"
            for key, attribute, subset in (
                ("parameters", "parameters", False),
                ("parameters_contains", "parameters", True),
                ("result", "result", False),
                ("error", "error", False),
                ("cause", "cause", False),
            ):
                if key in want:
                    self.add(
                        value_mismatch(
                            f"{label}.{key}", want[key], getattr(call, attribute),
                            self.at("calls", name, index, key), subset=subset, state=name,
                        )
                    )  # fmt: skip


def compare_expectations(
    expect: Mapping[str, Any],
    execution: Execution,
    *,
    pointer: str = "/expect",
    state_names: Collection[str] | None = None,
) -> tuple[Mismatch, ...]:
    """Every expectation of ``expect`` that ``execution`` does not meet, in a fixed order.

    Args:
        expect: the ``expect`` section (see the module docstring).
        execution: the execution to check.
        pointer: JSON pointer of ``expect`` in its file (prefix of each mismatch's pointer).
        state_names: every state of the state machine: expectations naming another state
            are reported with a "did you mean" suggestion. ``None``: not checked.
    """
    checker = _Checker(execution, pointer, state_names)
    checker.top(expect)
    return tuple(checker.found)
