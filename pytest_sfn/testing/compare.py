"""Comparing JSON values the way expectations need: exactly, or as a subset.

JSON has one number type and distinct booleans, so ``1 == 1.0`` here but ``True != 1``.
A *subset* comparison accepts extra object keys in the actual value at any depth; arrays
still need the same length, element by element (each element compared as a subset).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pytest_sfn._types import JSON
from pytest_sfn.testing._text import short

__all__ = ["Difference", "describe", "first_difference", "json_equal", "matches", "pointer_join"]


@dataclass(frozen=True, slots=True)
class Difference:
    """Where two JSON values first differ.

    Attributes:
        pointer: JSON pointer, inside the compared values, of the first difference
            (``""`` when the values themselves differ).
        expected: the expected value at ``pointer`` (``None`` for an unexpected key).
        actual: the actual value at ``pointer`` (``None`` for a missing key).
        reason: what differs, for people: ``"values differ"``, ``"missing key 'id'"``,
            ``"unexpected key 'extra'"``, ``"expected 3 items, got 2"``.
    """

    pointer: str
    expected: JSON
    actual: JSON
    reason: str


def pointer_join(pointer: str, key: str | int) -> str:
    """``pointer`` extended by one JSON pointer token (``~`` and ``/`` escaped)."""
    token = str(key).replace("~", "~0").replace("/", "~1")
    return f"{pointer}/{token}"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def json_equal(expected: JSON, actual: JSON) -> bool:
    """Whether two decoded JSON values are the same JSON value."""
    return first_difference(expected, actual) is None


def matches(expected: JSON, actual: JSON, *, subset: bool = False) -> bool:
    """Whether ``actual`` equals ``expected`` (or contains it, with ``subset=True``)."""
    return first_difference(expected, actual, subset=subset) is None


def first_difference(
    expected: JSON, actual: JSON, *, subset: bool = False, pointer: str = ""
) -> Difference | None:
    """The first place where ``actual`` does not match ``expected``, or ``None``.

    Object keys are visited in the expected value's order, then (exact comparison only)
    keys only the actual value has.

    Args:
        expected: the expected JSON value.
        actual: the actual JSON value.
        subset: accept object keys in ``actual`` that ``expected`` does not name.
        pointer: prefix of the reported pointers.
    """
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            return Difference(pointer, expected, actual, "values differ")
        for key, value in expected.items():
            if key not in actual:
                return Difference(pointer_join(pointer, key), value, None, f"missing key {key!r}")
            found = first_difference(
                value, actual[key], subset=subset, pointer=pointer_join(pointer, key)
            )
            if found is not None:
                return found
        if not subset:
            for key, value in actual.items():
                if key not in expected:
                    return Difference(
                        pointer_join(pointer, key), None, value, f"unexpected key {key!r}"
                    )
        return None
    if isinstance(expected, Sequence) and not isinstance(expected, str):
        if not isinstance(actual, Sequence) or isinstance(actual, str):
            return Difference(pointer, expected, actual, "values differ")
        for index, (want, got) in enumerate(zip(expected, actual, strict=False)):
            found = first_difference(want, got, subset=subset, pointer=pointer_join(pointer, index))
            if found is not None:
                return found
        if len(expected) != len(actual):
            return Difference(
                pointer, expected, actual, f"expected {len(expected)} items, got {len(actual)}"
            )
        return None
    if _is_number(expected) and _is_number(actual):
        same = bool(expected == actual)
    else:
        same = type(expected) is type(actual) and expected == actual
    return None if same else Difference(pointer, expected, actual, "values differ")


def describe(difference: Difference, *, limit: int = 200) -> list[str]:
    """The lines that show a difference: where, why, expected and actual values."""
    where = difference.pointer or "the top level"
    lines = [f"first difference at {where}: {difference.reason}"]
    if not difference.reason.startswith("unexpected key"):
        lines.append(f"  expected: {short(difference.expected, limit)}")
    if not difference.reason.startswith("missing key"):
        lines.append(f"  actual:   {short(difference.actual, limit)}")
    return lines
