"""Compact JSON text, as AWS renders payloads (no spaces, non-ASCII kept)."""

from __future__ import annotations

import json

from pytest_sfn._types import JSON

_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def dump_compact(value: JSON) -> str:
    """``{"a":[1,2]}``: the JSON text of ``value`` with no whitespace."""
    return _ENCODER.encode(value)
