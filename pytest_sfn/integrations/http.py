"""HTTP Tasks (``arn:aws:states:::http:invoke``) sent through httpx.

:class:`HttpInvoker` builds the request the way Step Functions does (aws-spec §3) and sends
it with an :class:`httpx.Client`, so tests mock the endpoint with ``respx``:

* ``ApiEndpoint``, ``Method``, ``Headers``, ``QueryParameters`` and ``RequestBody`` from the
  task parameters; ``RequestBody`` is compact JSON unless ``Transform.RequestBodyEncoding``
  is ``URL_ENCODED`` (form encoding, arrays per ``RequestEncodingOptions.ArrayFormat``);
* the headers AWS always adds (``User-Agent: Amazon|StepFunctions|HttpInvoke|<region>``,
  ``Range: bytes=0-262144``, ``Content-Type: application/json; charset=UTF-8`` for JSON);
  forbidden headers fail the task with ``States.Runtime``;
* the EventBridge :class:`Connection` named by ``InvocationConfig.ConnectionArn`` or
  ``Authentication.ConnectionArn``: its authorization (API key header, Basic, OAuth client
  credentials with a cached token request) and its ``InvocationHttpParameters``, which win
  over the task's own headers, query parameters and body keys.

The result is AWS's output ``{"Headers", "ResponseBody", "StatusCode", "StatusText"}``;
a non-2xx status fails with ``States.Http.StatusCode.<code>`` (cause: the status text),
a timeout or transport failure with ``States.Http.Socket``. Connection secrets never appear
in an error cause.

The optimized API Gateway integration (``arn:aws:states:::apigateway:invoke`` and its
``.waitForTaskToken`` form) goes through the same client (:func:`build_apigateway_request`):
``https://{ApiEndpoint}/{Stage}/{Path}``, ``Headers`` and ``QueryParameters`` whose values are
lists, a JSON ``RequestBody`` (``null`` members dropped unless ``AllowNullValues``). Its result
has the same four keys, with the response's header names as sent; a non-2xx status fails with
``ApiGateway.<code>``. ``AuthType: IAM_ROLE`` requests are not SigV4-signed here.

Example:
    >>> from pytest_sfn.integrations.http import Connection, HttpInvoker
    >>> conn = Connection(
    ...     "arn:aws:events:us-east-1:123456789012:connection/api/1",
    ...     "API_KEY",
    ...     {"ApiKeyName": "x-api-key", "ApiKeyValue": "secret"},
    ... )
    >>> tasks = HttpInvoker(connections={conn.arn: conn})
    >>> # sm.execute(input, tasks=tasks)  (mock the endpoint with respx)
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import httpx

from pytest_sfn._json import dump_compact
from pytest_sfn._types import JSON
from pytest_sfn.engine.ports import TaskHandler, TaskOutcome, TaskRequest, pending_task
from pytest_sfn.errors import MockError, StatesError, StatesErrorName, UnmockedTaskError
from pytest_sfn.model.resource import Resource

__all__ = [
    "ARRAY_FORMATS",
    "AUTHORIZATION_TYPES",
    "FORBIDDEN_HEADERS",
    "API_GATEWAY_AUTH_TYPES",
    "Connection",
    "HttpInvoker",
    "HttpRequest",
    "build_apigateway_request",
    "build_request",
    "form_encode",
    "response_output",
]

#: ``Connection.authorization_type`` values (EventBridge ``AuthorizationType``).
AUTHORIZATION_TYPES = ("API_KEY", "BASIC", "OAUTH_CLIENT_CREDENTIALS")
#: ``Transform.RequestEncodingOptions.ArrayFormat`` values; ``INDICES`` is the default.
ARRAY_FORMATS = ("BRACKETS", "COMMAS", "INDICES", "REPEAT")
#: Headers a task may not set (compared case-insensitively), aws-spec §3.2.
FORBIDDEN_HEADERS = frozenset(
    name.lower()
    for name in [
        "A-IM",
        "Accept-Charset",
        "Accept-Datetime",
        "Accept-Encoding",
        "Authorization",
        "Cache-Control",
        "Connection",
        "Content-Encoding",
        "Content-MD5",
        "Date",
        "Expect",
        "Forwarded",
        "From",
        "Host",
        "HTTP2-Settings",
        "If-Match",
        "If-Modified-Since",
        "If-None-Match",
        "If-Range",
        "If-Unmodified-Since",
        "Max-Forwards",
        "Origin",
        "Pragma",
        "Proxy-Authorization",
        "Referer",
        "Server",
        "TE",
        "Trailer",
        "Transfer-Encoding",
        "Upgrade",
        "Via",
        "Warning",
    ]
)
_FORBIDDEN_PREFIXES = ("x-forwarded-", "x-amz-", "x-amzn-")
_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD")
_ENCODINGS = ("NONE", "URL_ENCODED")
_RESOURCE = ("service", "http", "invoke", "")
_API_GATEWAY = ("service", "apigateway", "invoke")
_API_GATEWAY_PATTERNS = ("", ".waitForTaskToken")
#: ``AuthType`` values of an API Gateway task; ``NO_AUTH`` is the default.
API_GATEWAY_AUTH_TYPES = ("NO_AUTH", "IAM_ROLE", "RESOURCE_POLICY")
_TIMEOUT_SECONDS = 60.0
_RANGE = "bytes=0-262144"
_JSON_CONTENT_TYPE = "application/json; charset=UTF-8"
_BINARY_TYPES = ("image/", "video/", "audio/")
_DEFAULT_REGION = "us-east-1"
#: Called with each task request an :class:`HttpInvoker` sends in this context, its response
#: and the connection used (TestState ``TRACE`` shows them; see :mod:`pytest_sfn.teststate`).
EXCHANGE_OBSERVER: ContextVar[Callable[[Any, httpx.Response, Any], None] | None] = ContextVar(
    "pytest_sfn_http_exchange_observer", default=None
)
_REDACTED = "*****"
_HTTP_PARAMETER_KINDS = ("HeaderParameters", "QueryStringParameters", "BodyParameters")
_AUTH_BLOCKS = {
    "API_KEY": "ApiKeyAuthParameters",
    "BASIC": "BasicAuthParameters",
    "OAUTH_CLIENT_CREDENTIALS": "OAuthParameters",
}
_REQUIRED: dict[str, tuple[str, ...]] = {
    "API_KEY": ("ApiKeyName", "ApiKeyValue"),
    "BASIC": ("Username", "Password"),
    "OAUTH_CLIENT_CREDENTIALS": ("ClientParameters", "AuthorizationEndpoint", "HttpMethod"),
}


def _runtime(cause: str) -> StatesError:
    return StatesError(StatesErrorName.RUNTIME.value, cause)


# -- connections ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Connection:
    """An EventBridge connection as an HTTP Task uses it.

    ``parameters`` holds the authorization block of ``CreateConnection``'s ``AuthParameters``
    for ``authorization_type``, either bare or wrapped (a whole ``AuthParameters`` object,
    whose ``InvocationHttpParameters`` is then used too):

    * ``API_KEY``: ``{"ApiKeyName": ..., "ApiKeyValue": ...}``
    * ``BASIC``: ``{"Username": ..., "Password": ...}``
    * ``OAUTH_CLIENT_CREDENTIALS``: ``{"ClientParameters": {"ClientID", "ClientSecret"},
      "AuthorizationEndpoint": url, "HttpMethod": "GET"|"POST"|"PUT",
      "OAuthHttpParameters": {"HeaderParameters"|"QueryStringParameters"|"BodyParameters":
      [{"Key", "Value", "IsValueSecret"}]}}``

    Attributes:
        arn: ``arn:aws:events:<region>:<account>:connection/<name>/<uuid>`` (tasks may
            also name it by ``<name>`` only when the key of ``connections`` is the name).
        authorization_type: one of :data:`AUTHORIZATION_TYPES`.
        parameters: the authorization parameters (see above).
        invocation_http_parameters: ``{"HeaderParameters"|"QueryStringParameters"|
            "BodyParameters": [{"Key", "Value", "IsValueSecret"}]}`` merged into every
            request; connection values win on conflicts.

    Raises:
        MockError: an unknown authorization type or a missing/ill-typed parameter.
    """

    arn: str
    authorization_type: str
    parameters: Mapping[str, Any]
    invocation_http_parameters: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.authorization_type not in AUTHORIZATION_TYPES:
            raise MockError(
                f"Connection {self.arn!r}: authorization_type must be one of "
                f"{', '.join(AUTHORIZATION_TYPES)}, got {self.authorization_type!r}"
            )
        auth = self.auth_parameters
        missing = [key for key in _REQUIRED[self.authorization_type] if key not in auth]
        if missing:
            raise MockError(
                f"Connection {self.arn!r}: {self.authorization_type} parameters need "
                f"{', '.join(missing)}"
            )
        if self.authorization_type == "OAUTH_CLIENT_CREDENTIALS":
            client = auth["ClientParameters"]
            if not isinstance(client, Mapping) or not {"ClientID", "ClientSecret"} <= set(client):
                raise MockError(
                    f"Connection {self.arn!r}: OAuth ClientParameters need ClientID and "
                    "ClientSecret"
                )
            if str(auth["HttpMethod"]).upper() not in ("GET", "POST", "PUT"):
                raise MockError(
                    f"Connection {self.arn!r}: OAuth HttpMethod must be GET, POST or PUT, "
                    f"got {auth['HttpMethod']!r}"
                )
            _check_http_parameters(self.arn, auth.get("OAuthHttpParameters", {}))
        _check_http_parameters(self.arn, self.http_parameters)

    @property
    def auth_parameters(self) -> Mapping[str, Any]:
        """The authorization block, unwrapped from ``AuthParameters`` if needed."""
        block = self.parameters.get(_AUTH_BLOCKS[self.authorization_type])
        return block if isinstance(block, Mapping) else self.parameters

    @property
    def http_parameters(self) -> Mapping[str, Any]:
        """``InvocationHttpParameters``: the field, else the one inside ``parameters``."""
        if self.invocation_http_parameters:
            return self.invocation_http_parameters
        nested = self.parameters.get("InvocationHttpParameters")
        return nested if isinstance(nested, Mapping) else {}

    @property
    def name(self) -> str:
        """The connection name (``connection/<name>/<uuid>`` in the ARN)."""
        tail = self.arn.partition(":connection/")[2]
        return tail.split("/")[0] if tail else self.arn

    def secrets(self) -> tuple[str, ...]:
        """Every secret value this connection holds (for redaction)."""
        auth = self.auth_parameters
        found: list[str] = []
        if self.authorization_type == "API_KEY":
            found.append(str(auth["ApiKeyValue"]))
        elif self.authorization_type == "BASIC":
            user, password = str(auth["Username"]), str(auth["Password"])
            found += [password, base64.b64encode(f"{user}:{password}".encode()).decode()]
        else:
            client = auth["ClientParameters"]
            secret = str(client["ClientSecret"])
            pair = f"{client['ClientID']}:{secret}"
            found += [secret, base64.b64encode(pair.encode()).decode()]
            found += _secret_values(auth.get("OAuthHttpParameters", {}))
        found += _secret_values(self.http_parameters)
        return tuple(value for value in found if value)


def _check_http_parameters(arn: str, params: Any) -> None:
    if not isinstance(params, Mapping):
        raise MockError(f"Connection {arn!r}: HTTP parameters must be an object, got {params!r}")
    for kind, entries in params.items():
        if kind not in _HTTP_PARAMETER_KINDS:
            raise MockError(
                f"Connection {arn!r}: unknown HTTP parameter list {kind!r} "
                f"(expected {', '.join(_HTTP_PARAMETER_KINDS)})"
            )
        if not isinstance(entries, list) or not all(
            isinstance(e, Mapping) and "Key" in e and "Value" in e for e in entries
        ):
            raise MockError(
                f"Connection {arn!r}: {kind} must be a list of {{'Key', 'Value'}} objects"
            )


def _pairs(params: Mapping[str, Any], kind: str) -> list[tuple[str, str]]:
    return [(str(e["Key"]), str(e["Value"])) for e in params.get(kind, [])]


def _secret_values(params: Mapping[str, Any]) -> list[str]:
    return [
        str(e["Value"])
        for kind in _HTTP_PARAMETER_KINDS
        for e in params.get(kind, [])
        if e.get("IsValueSecret")
    ]


# -- request building ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """The request an HTTP Task sends, after merging the connection.

    Attributes:
        method: the HTTP method.
        url: the full URL, query string included.
        headers: header name/value pairs in sending order (no ``Host``: httpx adds it).
        body: the encoded body, or ``None`` when the task has no ``RequestBody``.
    """

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None


def _text(value: JSON) -> str:
    """A scalar JSON value as text (``true``, ``1.5``, ``null`` -> ``""``)."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return dump_compact(value)


def _flatten(prefix: str, value: JSON, array_format: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _flatten(f"{prefix}[{key}]" if prefix else str(key), child, array_format)
    elif isinstance(value, list):
        if array_format == "COMMAS" and not any(isinstance(v, dict | list) for v in value):
            yield prefix, ",".join(_text(v) for v in value)
            return
        for index, child in enumerate(value):
            if array_format == "REPEAT":
                key = prefix
            elif array_format == "BRACKETS":
                key = f"{prefix}[]"
            else:
                key = f"{prefix}[{index}]"
            yield from _flatten(key, child, array_format)
    else:
        yield prefix, _text(value)


def form_encode(value: Mapping[str, JSON], array_format: str = "INDICES") -> str:
    """URL-encode a JSON object as an HTTP Task's ``URL_ENCODED`` body.

    Nested objects become ``parent[child]``; arrays follow ``array_format``
    (``INDICES``: ``a[0]=x``, ``REPEAT``: ``a=x&a=y``, ``COMMAS``: ``a=x,y``,
    ``BRACKETS``: ``a[]=x``). Spaces encode as ``%20``, brackets as ``%5B``/``%5D``.

    Args:
        value: the (merged) ``RequestBody`` object.
        array_format: one of :data:`ARRAY_FORMATS`.

    Returns:
        The ``application/x-www-form-urlencoded`` text.
    """
    parts = []
    for key, text in _flatten("", dict(value), array_format):
        encoded = quote(text, safe=",") if array_format == "COMMAS" else quote(text, safe="")
        parts.append(f"{quote(key, safe='')}={encoded}")
    return "&".join(parts)


def _query(pairs: list[tuple[str, JSON]]) -> str:
    flat = [item for key, value in pairs for item in _flatten(key, value, "REPEAT")]
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in flat)


def _merge(task: list[tuple[str, Any]], extra: list[tuple[str, str]], *, fold: bool) -> list[Any]:
    """Task pairs with ``extra`` added; an ``extra`` key replaces the task's same key."""
    merged: dict[str, tuple[str, Any]] = {(k.lower() if fold else k): (k, v) for k, v in task}
    for key, value in extra:
        merged[key.lower() if fold else key] = (key, value)
    return list(merged.values())


def _header_value(value: JSON) -> str:
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    return _text(value)


def _endpoint_and_method(parameters: dict[str, Any], method: JSON) -> tuple[str, str]:
    """The checked ``ApiEndpoint`` and ``Method`` (upper-cased) of a task."""
    endpoint = parameters.get("ApiEndpoint")
    if not isinstance(endpoint, str) or not endpoint:
        raise _runtime("The field 'ApiEndpoint' is required and must be a string")
    if not isinstance(method, str) or method.upper() not in _METHODS:
        raise _runtime(
            f"The field 'Method' must be one of {', '.join(_METHODS)}, got {_short(method)}"
        )
    return endpoint, method.upper()


def build_request(
    parameters: JSON,
    connection: Connection | None,
    *,
    region: str = _DEFAULT_REGION,
    auth_header: tuple[str, str] | None = None,
) -> HttpRequest:
    """Build the request an HTTP Task sends (aws-spec §3.1-3.4).

    Args:
        parameters: the task's effective parameters.
        connection: the connection it names (its ``InvocationHttpParameters`` are merged).
        region: the execution's region, for ``User-Agent``.
        auth_header: the authorization header the connection adds (computed by the caller,
            since OAuth needs a token request).

    Returns:
        The merged request.

    Raises:
        StatesError: ``States.Runtime`` for invalid fields, forbidden headers, or a string
            ``RequestBody`` with connection body parameters.
    """
    if not isinstance(parameters, dict):
        raise _runtime(f"The HTTP Task parameters must be an object, got {_short(parameters)}")
    endpoint, method = _endpoint_and_method(parameters, parameters.get("Method"))
    http_params = connection.http_parameters if connection else {}

    task_headers = parameters.get("Headers") or {}
    if not isinstance(task_headers, dict):
        raise _runtime(f"The 'Headers' field must be an object, got {_short(task_headers)}")
    bad = [
        name.lower()
        for name in task_headers
        if name.lower() in FORBIDDEN_HEADERS or name.lower().startswith(_FORBIDDEN_PREFIXES)
    ]
    if bad:
        raise _runtime(f"The 'Headers' field contains unsupported values: [{', '.join(bad)}]")
    header_pairs = [(str(k), _header_value(v)) for k, v in task_headers.items()]
    extra_headers = ([auth_header] if auth_header else []) + _pairs(http_params, "HeaderParameters")
    headers: list[tuple[str, str]] = _merge(header_pairs, extra_headers, fold=True)

    query = parameters.get("QueryParameters") or {}
    if not isinstance(query, dict):
        raise _runtime(f"The 'QueryParameters' field must be an object, got {_short(query)}")
    query_pairs = _merge(
        list(query.items()), _pairs(http_params, "QueryStringParameters"), fold=False
    )
    url = _with_query(endpoint, _query(query_pairs))

    transform = parameters.get("Transform") or {}
    encoding = transform.get("RequestBodyEncoding", "NONE") if isinstance(transform, dict) else ""
    options = transform.get("RequestEncodingOptions") or {} if isinstance(transform, dict) else {}
    array_format = options.get("ArrayFormat", "INDICES") if isinstance(options, dict) else ""
    if encoding not in _ENCODINGS or array_format not in ARRAY_FORMATS:
        raise _runtime(
            f"Invalid Transform {_short(transform)}: RequestBodyEncoding must be one of "
            f"{', '.join(_ENCODINGS)} and ArrayFormat one of {', '.join(ARRAY_FORMATS)}"
        )

    body_params = _pairs(http_params, "BodyParameters")
    body: bytes | None = None
    has_body = "RequestBody" in parameters
    request_body: JSON = parameters.get("RequestBody")
    if body_params:
        if isinstance(request_body, str):
            raise _runtime(
                "The RequestBody is a string, so the connection's body parameters cannot "
                "be merged into it"
            )
        if not has_body or request_body is None:
            request_body, has_body = {}, True
        if isinstance(request_body, dict):
            request_body = {**request_body, **dict(body_params)}
    if has_body:
        if encoding == "URL_ENCODED" and isinstance(request_body, dict):
            body = form_encode(request_body, array_format).encode()
        elif isinstance(request_body, str):
            body = request_body.encode()
        else:
            body = dump_compact(request_body).encode()
            if not any(k.lower() == "content-type" for k, _ in headers):
                headers.append(("Content-Type", _JSON_CONTENT_TYPE))
    headers += [("User-Agent", f"Amazon|StepFunctions|HttpInvoke|{region}"), ("Range", _RANGE)]
    return HttpRequest(method.upper(), url, tuple(headers), body)


def _with_query(endpoint: str, query: str) -> str:
    if not query:
        return endpoint
    parts = urlsplit(endpoint)
    joined = f"{parts.query}&{query}" if parts.query else query
    return urlunsplit((parts.scheme, parts.netloc, parts.path, joined, parts.fragment))


def _string_lists(parameters: dict[str, Any], name: str) -> list[tuple[str, str]]:
    """``Headers``/``QueryParameters``: an object whose values are lists of strings."""
    value = parameters.get(name) or {}
    if not isinstance(value, dict) or not all(
        isinstance(v, list) and all(isinstance(item, str) for item in v) for v in value.values()
    ):
        raise _runtime(
            f"The '{name}' field must be an object whose values are lists of strings, "
            f"got {_short(value)}"
        )
    return [(str(key), item) for key, items in value.items() for item in items]


def _without_nulls(value: JSON) -> JSON:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def build_apigateway_request(parameters: JSON) -> HttpRequest:
    """Build the request of an ``arn:aws:states:::apigateway:invoke`` task.

    The URL is ``https://{ApiEndpoint}/{Stage}/{Path}`` (empty parts left out) with
    ``QueryParameters`` (``{"name": ["value", ...]}``) as its query string; each
    ``Headers`` value (a list) is sent as repeated headers. ``RequestBody`` is sent as compact
    JSON (a string too, quoted), ``null`` object members dropped unless ``AllowNullValues``
    is true. ``AuthType`` (``NO_AUTH``, ``IAM_ROLE``, ``RESOURCE_POLICY``) is checked, but no
    SigV4 signature is added for ``IAM_ROLE``.

    Args:
        parameters: the task's effective parameters.

    Returns:
        The request.

    Raises:
        StatesError: ``States.Runtime`` for a missing ``ApiEndpoint`` or an ill-typed field.
    """
    if not isinstance(parameters, dict):
        raise _runtime(
            f"The API Gateway task parameters must be an object, got {_short(parameters)}"
        )
    endpoint, method = _endpoint_and_method(parameters, parameters.get("Method", "GET"))
    auth_type = parameters.get("AuthType", "NO_AUTH")
    if auth_type not in API_GATEWAY_AUTH_TYPES:
        raise _runtime(
            f"The field 'AuthType' must be one of {', '.join(API_GATEWAY_AUTH_TYPES)}, "
            f"got {_short(auth_type)}"
        )
    allow_nulls = parameters.get("AllowNullValues", False)
    if not isinstance(allow_nulls, bool):
        raise _runtime(f"The field 'AllowNullValues' must be a boolean, got {_short(allow_nulls)}")
    segments = [endpoint.removeprefix("https://").strip("/")]
    for name in ("Stage", "Path"):
        segment = parameters.get(name, "")
        if not isinstance(segment, str):
            raise _runtime(f"The field '{name}' must be a string, got {_short(segment)}")
        if segment.strip("/"):
            segments.append(segment.strip("/"))
    query = _string_lists(parameters, "QueryParameters")
    url = _with_query("https://" + "/".join(segments), _query(list(query)))
    headers = _string_lists(parameters, "Headers")
    body: bytes | None = None
    request_body: JSON = parameters.get("RequestBody")
    if not allow_nulls:
        request_body = _without_nulls(request_body)
    if request_body is not None or (allow_nulls and "RequestBody" in parameters):
        body = dump_compact(request_body).encode()
        if not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(("Content-Type", _JSON_CONTENT_TYPE))
    return HttpRequest(method.upper(), url, tuple(headers), body)


# -- response mapping ----------------------------------------------------------------------


def response_output(response: httpx.Response, *, fold_names: bool = True) -> dict[str, JSON]:
    """Map an HTTP response to the HTTP Task result (aws-spec §3.5, TV-3).

    Args:
        response: the response.
        fold_names: lower-case the header names (HTTP Task); ``False`` keeps them as
            received (API Gateway task).

    Returns:
        ``{"Headers": {name: [values]}, "ResponseBody": parsed JSON or text,
        "StatusCode": int, "StatusText": str}`` in AWS's key order.

    Raises:
        StatesError: ``States.Runtime`` for binary content types or a body that is not text.
    """
    headers: dict[str, list[str]] = {}
    encoding = response.headers.encoding
    pairs = (
        response.headers.multi_items()
        if fold_names
        else [(k.decode(encoding), v.decode(encoding)) for k, v in response.headers.raw]
    )
    for name, value in pairs:
        headers.setdefault(name.lower() if fold_names else name, []).append(value)
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/octet-stream" or content_type.startswith(_BINARY_TYPES):
        raise _runtime(f"The response content type '{content_type}' is not supported")
    raw = response.content
    try:
        text = raw.decode(response.encoding or "utf-8")
    except (UnicodeDecodeError, LookupError):
        raise _runtime("The response body is not a valid string") from None
    body: JSON = text
    if text and (content_type == "application/json" or content_type.endswith("+json")):
        try:
            body = json.loads(text)
        except ValueError:
            body = text
    return {
        "Headers": headers,
        "ResponseBody": body,
        "StatusCode": response.status_code,
        "StatusText": _status_text(response),
    }


def _status_text(response: httpx.Response) -> str:
    if response.reason_phrase:
        return response.reason_phrase
    try:
        return HTTPStatus(response.status_code).phrase
    except ValueError:
        return ""


# -- the handler ---------------------------------------------------------------------------


class HttpInvoker:
    """A :class:`~pytest_sfn.engine.ports.TaskHandler` for ``arn:aws:states:::http:invoke``.

    Args:
        connections: EventBridge connections by ARN (or by connection name).
        client: the httpx client to send with; default: an ``httpx.Client()`` created on
            first use (``respx`` mocks it).
        fallback: answers every other Task resource.

    A ``ConnectionArn`` that is not in ``connections`` fails the task with
    ``Events.ConnectionResource.ResourceNotFound``. OAuth tokens are requested once per
    connection and cached; a 401 or 407 response drops the cached token (EventBridge
    refreshes it then), so a retry requests a new one.
    """

    def __init__(
        self,
        *,
        connections: Mapping[str, Connection] | None = None,
        client: httpx.Client | None = None,
        fallback: TaskHandler | None = None,
    ) -> None:
        self._connections = dict(connections or {})
        for key, conn in self._connections.items():
            if not isinstance(conn, Connection):
                raise MockError(f"HttpInvoker: connections[{key!r}] must be a Connection")
        self._client = client
        self._fallback = fallback
        self._tokens: dict[str, str] = {}
        self._lock = threading.Lock()

    @property
    def client(self) -> httpx.Client:
        """The httpx client (created lazily)."""
        with self._lock:
            if self._client is None:
                self._client = httpx.Client()
            return self._client

    @staticmethod
    def answers(resource: Resource) -> bool:
        """Whether ``resource`` is an HTTP Task or an API Gateway task this class runs."""
        key = (resource.kind, resource.service, resource.api)
        if key == _API_GATEWAY:
            return resource.pattern in _API_GATEWAY_PATTERNS
        return (*key, resource.pattern) == _RESOURCE

    def __call__(self, request: TaskRequest) -> TaskOutcome:
        """Answer one Task attempt (see the module docstring for the shapes)."""
        resource = request.resource
        if not self.answers(resource):
            if self._fallback is not None:
                return self._fallback(request)
            raise UnmockedTaskError(
                f"Task state {request.state_name!r} uses {resource.arn!r}, which HttpInvoker "
                "does not answer (it runs arn:aws:states:::http:invoke and "
                "arn:aws:states:::apigateway:invoke[.waitForTaskToken]); pass fallback= for "
                "other resources"
            )
        if resource.service == "apigateway":
            return self._invoke_api_gateway(request)
        secrets: tuple[str, ...] = ()
        try:
            connection = self._connection(request.parameters)
            if connection is not None:
                secrets = connection.secrets()
            auth = self._auth_header(connection) if connection else None
            if auth is not None:
                secrets += (auth[1],)
            http_request = build_request(
                request.parameters, connection, region=_region(request.context), auth_header=auth
            )
            response = self._exchange(http_request, connection)
            if connection is not None and response.status_code in (401, 407):
                with self._lock:
                    self._tokens.pop(connection.arn, None)
            if not 200 <= response.status_code < 300:
                raise StatesError(
                    f"States.Http.StatusCode.{response.status_code}", _status_text(response)
                )
            return TaskOutcome(output=response_output(response))
        except StatesError as failure:
            return TaskOutcome(
                failed=True, error=failure.error, cause=_redact(failure.cause or "", secrets)
            )

    def _invoke_api_gateway(self, request: TaskRequest) -> TaskOutcome:
        try:
            http_request = build_apigateway_request(request.parameters)
            response = self._exchange(http_request, None, error_prefix="ApiGateway.")
            if not 200 <= response.status_code < 300:
                cause = response.text or _status_text(response)
                raise StatesError(f"ApiGateway.{response.status_code}", cause)
            output = response_output(response, fold_names=False)
        except StatesError as failure:
            return TaskOutcome(failed=True, error=failure.error, cause=failure.cause)
        if request.resource.pattern == ".waitForTaskToken":
            return pending_task(output)
        return TaskOutcome(output=output)

    def _exchange(
        self, request: HttpRequest, connection: Connection | None, *, error_prefix: str = ""
    ) -> httpx.Response:
        """Send ``request`` and show the exchange to the :data:`EXCHANGE_OBSERVER`."""
        response = self._send(request, error_prefix=error_prefix)
        observer = EXCHANGE_OBSERVER.get()
        if observer is not None:
            observer(request, response, connection)
        return response

    # -- connections and auth ----------------------------------------------------------

    def _connection(self, parameters: JSON) -> Connection | None:
        if not isinstance(parameters, dict):
            return None
        arn = None
        for key in ("InvocationConfig", "Authentication"):
            block = parameters.get(key)
            if isinstance(block, dict) and "ConnectionArn" in block:
                arn = block["ConnectionArn"]
                break
        if arn is None:
            return None
        found = self._connections.get(arn) if isinstance(arn, str) else None
        if found is None and isinstance(arn, str):
            name = arn.partition(":connection/")[2].split("/")[0]
            found = self._connections.get(name) if name else None
        if found is None:
            name = arn.partition(":connection/")[2].split("/")[0] if isinstance(arn, str) else ""
            raise StatesError(
                "Events.ConnectionResource.ResourceNotFound",
                f"Failed to describe the connection(s). Connection '{name or arn}' does not exist.",
            )
        return found

    def _auth_header(self, connection: Connection) -> tuple[str, str]:
        auth = connection.auth_parameters
        if connection.authorization_type == "API_KEY":
            return str(auth["ApiKeyName"]), str(auth["ApiKeyValue"])
        if connection.authorization_type == "BASIC":
            pair = f"{auth['Username']}:{auth['Password']}".encode()
            return "Authorization", "Basic " + base64.b64encode(pair).decode()
        with self._lock:
            token = self._tokens.get(connection.arn)
        if token is None:
            token = self._fetch_token(connection)
            with self._lock:
                self._tokens[connection.arn] = token
        return "Authorization", f"Bearer {token}"

    def _fetch_token(self, connection: Connection) -> str:
        """The OAuth client-credentials token request EventBridge makes for a connection."""
        auth = connection.auth_parameters
        client = auth["ClientParameters"]
        extra = auth.get("OAuthHttpParameters", {})
        pair = f"{client['ClientID']}:{client['ClientSecret']}".encode()
        headers = [("Authorization", "Basic " + base64.b64encode(pair).decode())]
        headers += _pairs(extra, "HeaderParameters")
        body_pairs = _pairs(extra, "BodyParameters")
        body = None
        if body_pairs:
            body = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in body_pairs)
            if not any(k.lower() == "content-type" for k, _ in headers):
                headers.append(("Content-Type", "application/x-www-form-urlencoded"))
        url = _with_query(
            str(auth["AuthorizationEndpoint"]),
            _query(list(_pairs(extra, "QueryStringParameters"))),
        )
        method = str(auth["HttpMethod"]).upper()
        response = self._send(
            HttpRequest(method, url, tuple(headers), body.encode() if body else None)
        )
        token = None
        if 200 <= response.status_code < 300:
            try:
                document = response.json()
            except ValueError:
                document = None
            if isinstance(document, dict) and isinstance(document.get("access_token"), str):
                token = str(document["access_token"])
        if token is None:
            raise StatesError(
                "Events.ConnectionResource.InvalidConnectionState",
                f"The connection '{connection.name}' could not be authorized: the OAuth "
                f"endpoint answered {response.status_code} without an access_token",
            )
        return token

    def _send(self, request: HttpRequest, *, error_prefix: str = "") -> httpx.Response:
        """Send ``request``; a timeout or transport failure fails the task.

        The error is ``States.Http.Socket``, or ``<error_prefix><exception name>`` when
        ``error_prefix`` is given (``ApiGateway.``).
        """
        try:
            return self.client.request(
                request.method,
                request.url,
                headers=list(request.headers),
                content=request.body,
                timeout=_TIMEOUT_SECONDS,
            )
        except httpx.TransportError as exc:
            kind = type(exc).__name__
            what = "timed out" if isinstance(exc, httpx.TimeoutException) else "failed"
            error = error_prefix + kind if error_prefix else StatesErrorName.HTTP_SOCKET.value
            raise StatesError(error, f"The request {what} ({kind}: {exc})") from None


def _redact(text: str, secrets: tuple[str, ...]) -> str:
    for secret in sorted(set(secrets), key=len, reverse=True):
        if secret:
            text = text.replace(secret, _REDACTED)
    return text


def _region(context: JSON) -> str:
    """The region of the execution ARN in ``$$.Execution.Id``."""
    if isinstance(context, dict):
        execution = context.get("Execution")
        arn = execution.get("Id") if isinstance(execution, dict) else None
        parts = arn.split(":") if isinstance(arn, str) else []
        if len(parts) > 3 and parts[3]:
            return parts[3]
    return _DEFAULT_REGION


def _short(value: Any) -> str:
    text = dump_compact(value) if not isinstance(value, bytes) else repr(value)
    return text if len(text) <= 200 else text[:197] + "..."
