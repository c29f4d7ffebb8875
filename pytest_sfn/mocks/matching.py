"""Conditions on a Task's effective parameters: ``match`` in ``subset`` or ``exact`` mode.

Values compare as JSON values, not as Python objects: ``true`` never equals ``1`` and
``1`` equals ``1.0`` (JSON has one number type).

* ``exact``: the parameters equal the pattern.
* ``subset``: every key of a pattern object is present in the parameters with a matching
  value (recursively); extra keys in the parameters are ignored. Arrays match when they
  have the same length and match item by item (items use the same subset rule). Any other
  value must be equal.
"""

from __future__ import annotations

from pytest_sfn._types import JSON

__all__ = ["MATCH_MODES", "json_equal", "json_subset", "matches"]

#: The accepted values of ``match_mode``.
MATCH_MODES = ("subset", "exact")


def json_equal(left: JSON, right: JSON) -> bool:
    """Whether two decoded JSON values are equal as JSON (``true`` != ``1``, ``1`` == ``1.0``)."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left is right
    if isinstance(left, dict):
        return (
            isinstance(right, dict)
            and left.keys() == right.keys()
            and all(json_equal(value, right[key]) for key, value in left.items())
        )
    if isinstance(left, list):
        return (
            isinstance(right, list)
            and len(left) == len(right)
            and all(json_equal(a, b) for a, b in zip(left, right, strict=True))
        )
    if isinstance(right, (dict, list)):
        return False
    return bool(left == right)


def json_subset(pattern: JSON, value: JSON) -> bool:
    """Whether ``value`` contains ``pattern`` (see the module docstring for the rules)."""
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(
            key in value and json_subset(expected, value[key]) for key, expected in pattern.items()
        )
    if isinstance(pattern, list):
        return (
            isinstance(value, list)
            and len(pattern) == len(value)
            and all(json_subset(a, b) for a, b in zip(pattern, value, strict=True))
        )
    return json_equal(pattern, value)


def matches(pattern: JSON, value: JSON, mode: str = "subset") -> bool:
    """Whether ``value`` satisfies ``pattern`` in ``mode`` (``"subset"`` or ``"exact"``).

    Raises:
        ValueError: ``mode`` is neither ``"subset"`` nor ``"exact"``.
    """
    if mode == "subset":
        return json_subset(pattern, value)
    if mode == "exact":
        return json_equal(pattern, value)
    raise ValueError(f"match mode must be 'subset' or 'exact', not {mode!r}")
