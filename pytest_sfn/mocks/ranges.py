"""Invocation keys in the Step Functions Local style: ``"0"``, ``"1-2"`` (inclusive, 0-based).

Keys must cover the invocations ``0, 1, 2...`` without gaps or overlaps, as Step Functions
Local and LocalStack require.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypeVar

__all__ = ["KEY_HINT", "expand_ranges", "looks_like_range", "parse_range"]

T = TypeVar("T")

_RANGE = re.compile(r"^(0|[1-9][0-9]*)(?:-(0|[1-9][0-9]*))?$")
_LOOSE = re.compile(r"^[0-9]+(?:-[0-9]+)?$")

#: What a malformed key is told.
KEY_HINT = 'invocation keys are an index like "0" or an inclusive range like "1-2"'


def looks_like_range(key: str) -> bool:
    """Whether ``key`` is meant as an invocation key (digits, optionally ``-`` digits)."""
    return _LOOSE.match(key) is not None


def parse_range(key: str) -> tuple[int, int] | None:
    """``"3"`` -> ``(3, 3)``, ``"1-2"`` -> ``(1, 2)``; ``None`` for anything else."""
    found = _RANGE.match(key)
    if found is None:
        return None
    low = int(found.group(1))
    high = int(found.group(2)) if found.group(2) is not None else low
    return low, high


def expand_ranges(entries: Iterable[tuple[str, T]]) -> tuple[list[T], list[tuple[str, str]]]:
    """One item per invocation from ``(key, item)`` pairs, and the problems found.

    Returns:
        ``(items, problems)``: ``items[n]`` answers invocation ``n``; each problem is
        ``(key, message)``. When there are problems, ``items`` is incomplete.
    """
    problems: list[tuple[str, str]] = []
    spans: list[tuple[int, int, str, T]] = []
    for key, item in entries:
        span = parse_range(key)
        if span is None:
            problems.append((key, KEY_HINT))
        elif span[1] < span[0]:
            problems.append((key, f"the range {key!r} is empty ({span[1]} < {span[0]})"))
        else:
            spans.append((span[0], span[1], key, item))
    spans.sort(key=lambda span: span[0])
    items: list[T] = []
    cursor = 0  # the next invocation expected (continues past a problem to avoid cascades)
    for low, high, key, item in spans:
        if low != cursor:
            problem = "overlaps the previous entry" if low < cursor else "leaves a gap"
            problems.append(
                (
                    key,
                    f"invocation indexes must be consecutive from 0: this entry {problem} "
                    f'(the next index expected is "{cursor}")',
                )
            )
        else:
            items.extend([item] * (high - low + 1))
        cursor = max(cursor, high + 1)
    return items, problems
