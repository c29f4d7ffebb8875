"""Type aliases shared across the package."""

from __future__ import annotations

from typing import Any, TypeAlias

#: Any JSON value as decoded by :mod:`json` (dict, list, str, int, float, bool or None).
JSON: TypeAlias = Any
#: A decoded JSON object.
JSONObject: TypeAlias = dict[str, Any]
