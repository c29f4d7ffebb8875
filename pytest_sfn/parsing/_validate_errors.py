"""Validation of ``Retry`` (retriers) and ``Catch`` (catchers)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pytest_sfn._types import JSON
from pytest_sfn.errors import StatesErrorName
from pytest_sfn.parsing._validate_common import (
    Collector,
    Path,
    State,
    check_fields,
    expect_enum,
    expect_non_empty_array,
    expect_range,
    expect_type,
    msg_language,
    suggest,
)
from pytest_sfn.parsing._validate_data import check_assign, check_path
from pytest_sfn.parsing._validate_jsonata import IN_CATCHER, walk_jsonata

_ALL = StatesErrorName.ALL.value
_PREDEFINED = frozenset(name.value for name in StatesErrorName)
_HTTP_STATUS_RE = re.compile(r"^States\.Http\.StatusCode\.\d{3}$")
_MAX_DELAY_SECONDS = 31_622_400

#: Checks of each retrier field; the key set is also the set of allowed fields.
_RETRIER_FIELDS: dict[str, Callable[[Collector, JSON, Path], object]] = {
    "ErrorEquals": lambda c, v, p: None,  # needs the retrier's position: check_error_equals
    "IntervalSeconds": lambda c, v, p: expect_range(c, v, p, 1),
    "MaxAttempts": lambda c, v, p: expect_range(c, v, p, 0),
    "BackoffRate": lambda c, v, p: expect_range(c, v, p, 1.0, integer=False),
    "MaxDelaySeconds": lambda c, v, p: expect_range(c, v, p, 1, _MAX_DELAY_SECONDS),
    "JitterStrategy": lambda c, v, p: expect_enum(c, v, p, ("FULL", "NONE")),
    "Comment": lambda c, v, p: expect_type(c, v, p, str),
}

#: Catcher fields: (the only query language the field belongs to or ``None``, value check).
_CATCHER_FIELDS: dict[str, tuple[str | None, Callable[[Collector, JSON, Path, bool], object]]] = {
    "ErrorEquals": (None, lambda c, v, p, j: None),  # needs the position: check_error_equals
    "Next": (None, lambda c, v, p, j: expect_type(c, v, p, str)),
    "ResultPath": (
        "JSONPath",
        lambda c, v, p, j: check_path(
            c, v, p, "ResultPath", reference=True, nullable=True, plain_input_only=True
        ),
    ),
    "Output": ("JSONata", lambda c, v, p, j: walk_jsonata(c, v, p, IN_CATCHER)),
    "Assign": (None, lambda c, v, p, j: check_assign(c, v, p, jsonata=j, reserved=IN_CATCHER)),
    "Comment": (None, lambda c, v, p, j: expect_type(c, v, p, str)),
}


def msg_unknown_error_name(name: str) -> str:
    # UNCONFIRMED wording.
    return f"'{name}' is not a predefined error name; names starting with 'States.' are reserved"


def check_error_equals(c: Collector, value: JSON, path: Path, *, last: bool) -> None:
    """``ErrorEquals``: non-empty, known ``States.*`` names, ``States.ALL`` alone and last."""
    if not expect_non_empty_array(c, value, path):
        return
    for index, name in enumerate(value):
        if not expect_type(c, name, (*path, index), str):
            continue
        if (
            name.startswith("States.")
            and name not in _PREDEFINED
            and not _HTTP_STATUS_RE.match(name)
        ):
            c.schema(
                msg_unknown_error_name(name), (*path, index), suggest(name, sorted(_PREDEFINED))
            )
    if _ALL in value and (len(value) > 1 or not last):
        c.schema("States.ALL must appear alone and at end of list", path)


def _entries(c: Collector, value: JSON, path: Path) -> list[tuple[int, dict[str, Any], Path]]:
    if not expect_type(c, value, path, list):
        return []
    entries = []
    for index, entry in enumerate(value):
        here = (*path, index)
        if expect_type(c, entry, here, dict):
            entries.append((index, entry, here))
    return entries


def check_retry(c: Collector, value: JSON, path: Path, state: State) -> None:
    """A ``Retry`` array."""
    entries = _entries(c, value, path)
    count = len(value) if isinstance(value, list) else 0
    for index, retrier, here in entries:
        check_fields(c, retrier, here, _RETRIER_FIELDS, ("ErrorEquals",))
        for key, item in retrier.items():
            if key == "ErrorEquals":
                check_error_equals(c, item, (*here, key), last=index == count - 1)
            elif key in _RETRIER_FIELDS:
                _RETRIER_FIELDS[key](c, item, (*here, key))


def check_catch(c: Collector, value: JSON, path: Path, state: State) -> None:
    """A ``Catch`` array (targets are checked with the other transitions)."""
    entries = _entries(c, value, path)
    count = len(value) if isinstance(value, list) else 0
    for index, catcher, here in entries:
        check_fields(c, catcher, here, _CATCHER_FIELDS, ("ErrorEquals", "Next"))
        for key, item in catcher.items():
            if key not in _CATCHER_FIELDS:
                continue
            language, check = _CATCHER_FIELDS[key]
            if language is not None and language != state.language:
                c.schema(msg_language(state.language, key), here)
            elif key == "ErrorEquals":
                check_error_equals(c, item, (*here, key), last=index == count - 1)
            else:
                check(c, item, (*here, key), state.jsonata)
