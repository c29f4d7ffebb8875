"""``inspectionData.request`` / ``response`` of an HTTP Task tested at ``TRACE``.

The request is shown after the EventBridge connection was merged into it. Unless
``revealSecrets`` is set, what the connection added (its authorization header, its header,
query string and body parameters) is left out; what the definition and the endpoint
provided is always shown (aws-spec §3.7; how AWS renders the omission is UNCONFIRMED).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from pytest_sfn._json import dump_compact

__all__ = ["HttpTrace", "tracing"]

_AUTH_KEY_HEADERS = {"API_KEY": "ApiKeyName"}


@dataclass(slots=True)
class HttpTrace:
    """The last exchange an HTTP Task made while tracing, rendered for the API."""

    reveal_secrets: bool
    request: dict[str, str] | None = None
    response: dict[str, str] | None = None

    def __call__(self, request: Any, response: Any, connection: Any) -> None:
        hidden = _Hidden.of(connection) if connection is not None and not self.reveal_secrets else (
            _Hidden()
        )  # fmt: skip
        self.request = {
            "protocol": urlsplit(request.url).scheme or "https",
            "method": request.method,
            "url": hidden.url(request.url),
            "headers": _headers(
                (k, v) for k, v in request.headers if k.lower() not in hidden.headers
            ),
            "body": hidden.body(request.body),
        }
        self.response = {
            "protocol": urlsplit(str(response.url)).scheme or "https",
            "statusCode": str(response.status_code),
            "statusMessage": response.reason_phrase or "",
            "headers": _headers(response.headers.multi_items()),
            "body": response.text,
        }


@dataclass(frozen=True, slots=True)
class _Hidden:
    """What a connection added to a request (names of headers, query and body keys)."""

    headers: frozenset[str] = frozenset()
    query: frozenset[str] = frozenset()
    body_keys: frozenset[str] = frozenset()

    @classmethod
    def of(cls, connection: Any) -> _Hidden:
        auth = connection.auth_parameters
        key_field = _AUTH_KEY_HEADERS.get(connection.authorization_type)
        headers = {str(auth[key_field]) if key_field else "Authorization"}
        params = connection.http_parameters

        def keys(kind: str) -> set[str]:
            return {str(entry["Key"]) for entry in params.get(kind, [])}

        headers |= keys("HeaderParameters")
        return cls(
            frozenset(h.lower() for h in headers),
            frozenset(keys("QueryStringParameters")),
            frozenset(keys("BodyParameters")),
        )

    def url(self, url: str) -> str:
        if not self.query:
            return url
        parts = urlsplit(url)
        kept = [p for p in parts.query.split("&") if unquote(p.partition("=")[0]) not in self.query]
        return urlunsplit((parts.scheme, parts.netloc, parts.path, "&".join(kept), parts.fragment))

    def body(self, body: bytes | None) -> str:
        text = body.decode("utf-8", "replace") if body is not None else ""
        if not self.body_keys or not text:
            return text
        try:
            decoded = json.loads(text)
        except ValueError:
            pairs = text.split("&")
            return "&".join(p for p in pairs if unquote(p.partition("=")[0]) not in self.body_keys)
        if isinstance(decoded, dict):
            return dump_compact({k: v for k, v in decoded.items() if k not in self.body_keys})
        return text


def _headers(pairs: Any) -> str:
    """``[name: value, name: value]`` as TestState renders headers."""
    return "[" + ", ".join(f"{name}: {value}" for name, value in pairs) + "]"


@contextmanager
def tracing(trace: HttpTrace | None) -> Iterator[None]:
    """Observe the HTTP exchanges of :class:`~pytest_sfn.integrations.http.HttpInvoker`."""
    if trace is None:
        yield
        return
    from pytest_sfn.integrations.http import EXCHANGE_OBSERVER

    observer: Callable[[Any, Any, Any], None] = trace
    token = EXCHANGE_OBSERVER.set(observer)
    try:
        yield
    finally:
        EXCHANGE_OBSERVER.reset(token)
