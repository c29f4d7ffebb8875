"""``maxResults``/``nextToken`` paging, as the list operations of Step Functions do it.

A token is opaque to callers. It records the offset of the next page and a fingerprint of
the query it belongs to (operation, resource, order), so a token replayed against another
query is refused with ``InvalidToken`` instead of silently returning the wrong page.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from typing import TypeVar

from pytest_sfn.service import errors

__all__ = ["DEFAULT_PAGE_SIZE", "page"]

T = TypeVar("T")

#: Page size when ``maxResults`` is absent or 0 (API reference: "0 uses the default").
DEFAULT_PAGE_SIZE = 100


def page(
    items: Sequence[T], *, query: str, max_results: int | None, next_token: str | None
) -> tuple[list[T], str | None]:
    """One page of ``items``.

    Args:
        items: the full result, in the order pages are served.
        query: identifies the listing (e.g. ``"history:<arn>:reverse"``); tokens only work
            for the query that issued them.
        max_results: page size; ``None`` or 0 means :data:`DEFAULT_PAGE_SIZE`.
        next_token: the token of the previous page, if any.

    Returns:
        The page and the token of the next page (``None`` on the last page).

    Raises:
        ApiError: ``InvalidToken`` for a token not issued for ``query``.
    """
    size = max_results or DEFAULT_PAGE_SIZE
    start = _offset(next_token, query) if next_token is not None else 0
    if start > len(items):
        raise errors.invalid_token()
    end = start + size
    token = _token(end, query) if end < len(items) else None
    return list(items[start:end]), token


def _fingerprint(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()[:16]


def _token(offset: int, query: str) -> str:
    raw = json.dumps({"q": _fingerprint(query), "o": offset}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _offset(token: str, query: str) -> int:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise errors.invalid_token() from None
    if (
        not isinstance(decoded, dict)
        or decoded.get("q") != _fingerprint(query)
        or not isinstance(decoded.get("o"), int)
        or decoded["o"] < 0
    ):
        raise errors.invalid_token()
    offset: int = decoded["o"]
    return offset
