"""Short renderings of values for failure messages."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["cut", "short"]

LIMIT = 200


def cut(text: str, limit: int = LIMIT) -> str:
    """``text`` cut to ``limit`` characters (ending with ``...`` when cut)."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def short(value: Any, limit: int = LIMIT) -> str:
    """``value`` as compact JSON (``repr`` if it is not JSON), cut to ``limit`` characters."""
    try:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return cut(text, limit)
