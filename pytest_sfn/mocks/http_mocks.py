"""Declarative HTTP endpoint mocks and EventBridge connections for HTTP Tasks.

HTTP Tasks (``arn:aws:states:::http:invoke``) are sent through httpx by
:class:`~pytest_sfn.integrations.http.HttpInvoker`; this module turns the ``http:`` and
``connections:`` sections of scenario files (and the ``http=`` / ``connections=`` keywords of
the marker and :meth:`~pytest_sfn.plugin.SfnHarness.execute`) into what it needs:

* :func:`http_mocks_from_yaml` reads routes into :class:`HttpMock` records, and
  :func:`mocked_client` builds an :class:`httpx.Client` answering them with ``respx``
  (``method`` + ``url``, optionally ``match`` on request ``headers``, ``query`` and
  ``json``; the response is ``status``, ``headers`` and ``json`` or ``text``). A request no
  route matches goes on to httpx's normal transport, so a test's own ``respx`` mock (or the
  plugin's network guard) sees it;
* :func:`connections_from_yaml` reads connections written like EventBridge
  ``CreateConnection`` (and CloudFormation ``AWS::Events::Connection``):
  ``AuthorizationType`` and ``AuthParameters``.

Example::

    http:
      - method: POST
        url: https://api.example.com/orders
        match: {json: {orderId: o-1}}
        status: 201
        json: {id: 42}
    connections:
      orders-api:
        AuthorizationType: API_KEY
        AuthParameters:
          ApiKeyAuthParameters: {ApiKeyName: x-api-key, ApiKeyValue: secret}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from pytest_sfn._types import JSON
from pytest_sfn.errors import MockError
from pytest_sfn.integrations.http import Connection

__all__ = [
    "HttpMock",
    "connection_from_spec",
    "connections_from_yaml",
    "http_mock_from_spec",
    "http_mocks_from_yaml",
    "mocked_client",
]

_DEFAULT_REGION = "us-east-1"
_DEFAULT_ACCOUNT = "123456789012"
_MATCH_KEYS = ("headers", "query", "json")
_SPEC_KEYS = ("method", "url", "match", "status", "headers", "json", "text")


@dataclass(frozen=True, slots=True)
class HttpMock:
    """One mocked HTTP endpoint.

    Attributes:
        url: the URL the request must have (a query string in it must match too).
        method: the HTTP method, ``None`` for any.
        match_headers: request headers that must be present with these values.
        match_query: query parameters that must be present with these values.
        match_json: the exact JSON body the request must have (``None``: any body).
        has_json_match: whether ``match_json`` was given (a ``null`` body can be matched).
        status: the response status code.
        headers: the response headers.
        json: the JSON response body (``has_json``), else ``text`` is the body.
        text: the text response body.
        origin: where the mock was written, for messages.
    """

    url: str
    method: str | None = None
    match_headers: Mapping[str, str] = field(default_factory=dict)
    match_query: Mapping[str, str] = field(default_factory=dict)
    match_json: JSON = None
    has_json_match: bool = False
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    json: JSON = None
    has_json: bool = False
    text: str = ""
    origin: str = ""

    def describe(self) -> str:
        """``POST https://api.example.com/orders -> 201``."""
        return f"{self.method or 'ANY'} {self.url} -> {self.status}"


def _where(origin: str) -> str:
    return f"{origin}: " if origin else ""


def _strings(value: Any, what: str, origin: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise MockError(f"{_where(origin)}{what} must be a map, got {value!r}")
    return {str(k): v if isinstance(v, str) else _text(v) for k, v in value.items()}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def http_mock_from_spec(spec: Mapping[str, Any], *, origin: str = "") -> HttpMock:
    """Build an :class:`HttpMock` from one ``http:`` entry (a dict).

    Raises:
        MockError: an unknown key, a missing ``url``, or both ``json`` and ``text``.
    """
    if not isinstance(spec, Mapping):
        raise MockError(f"{_where(origin)}an HTTP mock must be a map, got {spec!r}")
    unknown = [key for key in spec if key not in _SPEC_KEYS]
    if unknown:
        raise MockError(
            f"{_where(origin)}unknown HTTP mock key {unknown[0]!r}; allowed keys: "
            f"{', '.join(_SPEC_KEYS)}"
        )
    url = spec.get("url")
    if not isinstance(url, str) or not url:
        raise MockError(f"{_where(origin)}an HTTP mock needs a 'url' string")
    if "json" in spec and "text" in spec:
        raise MockError(f"{_where(origin)}give either 'json' or 'text', not both")
    match = spec.get("match") or {}
    if not isinstance(match, Mapping) or any(key not in _MATCH_KEYS for key in match):
        raise MockError(
            f"{_where(origin)}'match' must be a map of {', '.join(_MATCH_KEYS)}, got {match!r}"
        )
    method = spec.get("method")
    status = spec.get("status", 200)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise MockError(f"{_where(origin)}'status' must be an HTTP status code, got {status!r}")
    text = spec.get("text", "")
    if not isinstance(text, str):
        raise MockError(f"{_where(origin)}'text' must be a string, got {text!r}")
    return HttpMock(
        url=url,
        method=str(method).upper() if method is not None else None,
        match_headers=_strings(match.get("headers"), "match.headers", origin),
        match_query=_strings(match.get("query"), "match.query", origin),
        match_json=match.get("json"),
        has_json_match="json" in match,
        status=status,
        headers=_strings(spec.get("headers"), "headers", origin),
        json=spec.get("json"),
        has_json="json" in spec,
        text=text,
        origin=origin,
    )


def http_mocks_from_yaml(
    value: JSON, *, source: str | None = None, lines: Any = None, pointer: str = "/http"
) -> tuple[HttpMock, ...]:
    """Read an ``http:`` section (a list of routes).

    Args:
        value: the decoded section (``None`` is no route).
        source: the file, for origins.
        lines: the file's :class:`~pytest_sfn.mocks.documents.LineMap`.
        pointer: the section's JSON pointer.

    Raises:
        MockError: a malformed route (``file:line /pointer: ...``).
    """
    if value is None:
        return ()
    if not isinstance(value, list):
        raise MockError(f"{source or ''} {pointer}: 'http' must be a list of routes".strip())
    mocks = []
    for index, spec in enumerate(value):
        here = f"{pointer}/{index}"
        where = lines.where(source, here) if lines is not None else (source or "")
        mocks.append(http_mock_from_spec(spec, origin=f"{where} {here}".strip()))
    return tuple(mocks)


def _router(mocks: Iterable[HttpMock]) -> Any:
    import respx

    router = respx.MockRouter(assert_all_called=False, assert_all_mocked=False)
    for mock in mocks:
        pattern: dict[str, Any] = {"url": mock.url}
        if mock.method is not None:
            pattern["method"] = mock.method
        if mock.match_headers:
            pattern["headers"] = dict(mock.match_headers)
        if mock.match_query:
            pattern["params"] = dict(mock.match_query)
        if mock.has_json_match:
            pattern["json"] = mock.match_json
        route = router.route(**pattern)
        if mock.has_json:
            route.respond(mock.status, headers=dict(mock.headers), json=mock.json)
        else:
            route.respond(mock.status, headers=dict(mock.headers), text=mock.text)
    return router


class _RoutedTransport(httpx.BaseTransport):
    """Answers from a respx router; unmatched requests go on to ``fallback``."""

    def __init__(self, router: Any, fallback: httpx.BaseTransport) -> None:
        self.router = router
        self.fallback = fallback

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        resolved = self.router.resolve(request)
        if resolved.route is not None and resolved.response is not None:
            response: httpx.Response = resolved.response
            return response
        return self.fallback.handle_request(request)

    def close(self) -> None:
        self.fallback.close()


def mocked_client(mocks: Sequence[HttpMock] = (), *, router: Any = None) -> httpx.Client:
    """An httpx client answering ``mocks`` (and the routes of a respx ``router``).

    A request no route matches is sent by httpx's normal transport, where a test's own
    ``respx.mock`` (or the network guard of the pytest plugin) takes it.

    Args:
        mocks: the declarative routes, first match wins.
        router: a ``respx.MockRouter`` whose routes are tried after ``mocks``.
    """
    transport: httpx.BaseTransport = httpx.HTTPTransport()
    if router is not None:
        transport = _RoutedTransport(router, transport)
    if mocks:
        transport = _RoutedTransport(_router(mocks), transport)
    return httpx.Client(transport=transport)


def connection_arn(key: str, region: str, account: str) -> str:
    """``key`` when it is a connection ARN, else the ARN of a connection named ``key``."""
    if key.startswith("arn:"):
        return key
    return (
        f"arn:aws:events:{region}:{account}:connection/{key}/00000000-0000-0000-0000-000000000000"
    )


def connection_from_spec(
    key: str,
    spec: Any,
    *,
    origin: str = "",
    region: str = _DEFAULT_REGION,
    account: str = _DEFAULT_ACCOUNT,
) -> Connection:
    """A :class:`~pytest_sfn.integrations.http.Connection` from a ``connections:`` entry.

    ``spec`` is a :class:`Connection` (returned as is) or ``{AuthorizationType,
    AuthParameters}`` as EventBridge's ``CreateConnection`` takes them; ``key`` is the
    connection's name or ARN.

    Raises:
        MockError: a missing or wrong field (with ``origin``).
    """
    if isinstance(spec, Connection):
        return spec
    if not isinstance(spec, Mapping):
        raise MockError(f"{_where(origin)}connection {key!r} must be a map, got {spec!r}")
    unknown = [k for k in spec if k not in ("AuthorizationType", "AuthParameters")]
    if unknown:
        raise MockError(
            f"{_where(origin)}connection {key!r}: unknown key {unknown[0]!r}; allowed keys: "
            "AuthorizationType, AuthParameters"
        )
    auth_type = spec.get("AuthorizationType")
    params = spec.get("AuthParameters")
    if not isinstance(auth_type, str) or not isinstance(params, Mapping):
        raise MockError(
            f"{_where(origin)}connection {key!r} needs AuthorizationType and AuthParameters"
        )
    try:
        return Connection(connection_arn(key, region, account), auth_type, dict(params))
    except MockError as exc:
        raise MockError(f"{_where(origin)}{exc}") from None


def connections_from_yaml(
    value: JSON,
    *,
    source: str | None = None,
    lines: Any = None,
    pointer: str = "/connections",
    region: str = _DEFAULT_REGION,
    account: str = _DEFAULT_ACCOUNT,
) -> dict[str, Connection]:
    """Read a ``connections:`` section: name or ARN -> connection (keyed as written).

    Raises:
        MockError: a malformed connection (``file:line /pointer: ...``).
    """
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise MockError(f"{source or ''} {pointer}: 'connections' must be a map".strip())
    out: dict[str, Connection] = {}
    for key, spec in value.items():
        here = f"{pointer}/{key}"
        where = lines.where(source, here) if lines is not None else (source or "")
        out[str(key)] = connection_from_spec(
            str(key), spec, origin=f"{where} {here}".strip(), region=region, account=account
        )
    return out
