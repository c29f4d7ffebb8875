"""Python Lambda handlers run in-process for Lambda Task states.

:class:`LambdaHandlers` answers two resource forms the way AWS does:

* the optimized integration ``arn:aws:states:::lambda:invoke``: the task result is the
  ``Invoke`` response (``ExecutedVersion``, ``Payload``, ``SdkHttpMetadata``,
  ``SdkResponseMetadata``, ``StatusCode``) with deterministic request ids, trace ids and a
  ``Date`` taken from the execution's virtual clock;
* a bare function ARN (``arn:aws:lambda:<region>:<account>:function:<name>``): the task
  result is the function's return value.

A handler is called as ``handler(event, context)`` with a :class:`LambdaContext`. An
exception it raises fails the task with the exception class name as the error (Lambda's
``errorType``) and the Python runtime's error document as the cause::

    {"errorMessage":"...","errorType":"ValueError","requestId":"...","stackTrace":[...]}

The shaping of an ``Invoke`` response into the task result or error (:class:`InvokeResponse`,
:func:`invoke_outcome`, :func:`invoke_result`, :func:`function_error`) is shared with
:class:`~pytest_sfn.integrations.botocore_tasks.BotocoreTasks`, which answers the same
resources with a botocore ``lambda`` client.

Example:
    >>> from pytest_sfn.integrations import LambdaHandlers
    >>> tasks = LambdaHandlers({"charge": lambda event, context: {"ok": True}})
    >>> # sm.execute(input, tasks=tasks)
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import importlib
import io
import json
import re
import time
import traceback
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Any, TypeAlias

from pytest_sfn._json import dump_compact
from pytest_sfn._types import JSON
from pytest_sfn.engine.ports import TaskHandler, TaskOutcome, TaskRequest
from pytest_sfn.errors import MockError, UnmockedTaskError, did_you_mean
from pytest_sfn.integrations.aws_sdk import optimized_error_cause

__all__ = [
    "LAMBDA_JAVA_SERVICE",
    "ClientContext",
    "FunctionRef",
    "InvokeResponse",
    "LambdaContext",
    "LambdaHandlers",
    "executed_version",
    "function_error",
    "invoke_outcome",
    "invoke_result",
    "invocation_request_id",
    "parse_function",
    "response_date",
]

#: A Lambda handler: ``handler(event, context) -> JSON``.
Handler: TypeAlias = Callable[[Any, Any], Any]
#: What a function name maps to: a handler, or ``"package.module:function"``.
HandlerSpec: TypeAlias = Handler | str

_MEMORY_MB = "128"
_TIMEOUT_MS = 3000  # Lambda's default function timeout
_LATEST = "$LATEST"
_INVOCATION_TYPES = {"RequestResponse": 200, "Event": 202, "DryRun": 204}
_LOG_TYPES = ("None", "Tail")
_DEFAULT_REGION = "us-east-1"
_DEFAULT_ACCOUNT = "123456789012"
_FALLBACK_DATE = datetime(2024, 1, 1, tzinfo=timezone.utc)
#: The AWS SDK for Java 1.x service name in the causes of Lambda service errors.
LAMBDA_JAVA_SERVICE = "AWSLambda"
_UNKNOWN_CAUSE = (
    "The cause could not be determined because Lambda did not return an error type. "
    "Returned payload: "
)

_NAME = r"[A-Za-z0-9_-]{1,140}"
_QUALIFIER = r"[A-Za-z0-9$_-]{1,128}"
_FULL_ARN = re.compile(
    rf"arn:(?P<partition>aws[a-zA-Z-]*):lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{{12}})"
    rf":function:(?P<name>{_NAME})(?::(?P<qualifier>{_QUALIFIER}))?"
)
_PARTIAL_ARN = re.compile(
    rf"(?P<account>\d{{12}}):function:(?P<name>{_NAME})(?::(?P<qualifier>{_QUALIFIER}))?"
)
_SHORT = re.compile(rf"(?P<name>{_NAME})(?::(?P<qualifier>{_QUALIFIER}))?")


@dataclass(frozen=True, slots=True)
class FunctionRef:
    """A Lambda function reference, as ``FunctionName`` or a resource ARN gives it.

    Attributes:
        name: the bare function name.
        qualifier: the version or alias (``None`` for the unqualified function).
        partition, region, account: from a full (or partial) ARN, else ``None``.
    """

    name: str
    qualifier: str | None = None
    partition: str | None = None
    region: str | None = None
    account: str | None = None

    def arn(self, region: str, account: str) -> str:
        """The function ARN (qualified when a qualifier is known)."""
        base = (
            f"arn:{self.partition or 'aws'}:lambda:{self.region or region}:"
            f"{self.account or account}:function:{self.name}"
        )
        return f"{base}:{self.qualifier}" if self.qualifier else base

    def label(self) -> str:
        """``name`` or ``name:qualifier``."""
        return f"{self.name}:{self.qualifier}" if self.qualifier else self.name


def parse_function(text: str) -> FunctionRef:
    """Parse a function name, ``name:qualifier``, partial ARN or full function ARN.

    Args:
        text: e.g. ``"charge"``, ``"charge:prod"``, ``"123456789012:function:charge"`` or
            ``"arn:aws:lambda:us-east-1:123456789012:function:charge:1"``.

    Returns:
        The parsed reference.

    Raises:
        ValueError: ``text`` is not a valid Lambda function name or ARN.
    """
    for pattern in (_FULL_ARN, _PARTIAL_ARN, _SHORT):
        match = pattern.fullmatch(text)
        if match:
            groups = match.groupdict()
            return FunctionRef(
                name=groups["name"],
                qualifier=groups.get("qualifier"),
                partition=groups.get("partition"),
                region=groups.get("region"),
                account=groups.get("account"),
            )
    raise ValueError(f"{text!r} is not a Lambda function name, name:qualifier or function ARN")


@dataclass(frozen=True, slots=True)
class ClientContext:
    """The decoded ``ClientContext`` of an invocation (``context.client_context``)."""

    client: JSON = None
    custom: JSON = None
    env: JSON = None


@dataclass(frozen=True, slots=True)
class LambdaContext:
    """The context object a Python Lambda handler receives (the runtime's attribute names).

    ``memory_limit_in_mb`` is a string, as the Python runtime gives it.
    """

    function_name: str
    function_version: str
    invoked_function_arn: str
    memory_limit_in_mb: str
    aws_request_id: str
    log_group_name: str
    log_stream_name: str
    client_context: ClientContext | None = None
    identity: None = None
    timeout_ms: int = _TIMEOUT_MS
    started_at: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the function timeout (3 s, Lambda's default)."""
        elapsed = int((time.monotonic() - self.started_at) * 1000)
        return max(0, self.timeout_ms - elapsed)


@dataclass(frozen=True, slots=True)
class InvokeResponse:
    """One Lambda ``Invoke`` response, as Step Functions reads it.

    Both :class:`LambdaHandlers` (a handler run in-process) and
    :class:`~pytest_sfn.integrations.botocore_tasks.BotocoreTasks` (a botocore ``lambda``
    client) describe what Lambda returned with it; :func:`invoke_outcome` turns it into the
    Task's result or error.

    Attributes:
        status_code: ``200`` (``RequestResponse``), ``202`` (``Event``), ``204`` (``DryRun``).
        payload: the response body text; ``None`` when there is none (``Event``, ``DryRun``).
        executed_version: ``$LATEST`` or the version number that ran.
        request_id: the ``x-amzn-RequestId`` of the invocation.
        date: the response's ``Date``.
        trace_id: the ``X-Amzn-Trace-Id``; ``None``: derived from ``request_id`` and ``date``.
        log_result: the base64 log tail of ``LogType: Tail``, else ``None``.
        function_error: ``"Unhandled"``/``"Handled"`` when the function failed, else ``None``.
    """

    status_code: int
    payload: str | None
    executed_version: str
    request_id: str
    date: datetime
    trace_id: str | None = None
    log_result: str | None = None
    function_error: str | None = None


def function_error(payload: str) -> tuple[str, str]:
    """The Task error and cause of a response with ``FunctionError``.

    The error is the ``errorType`` of the function's error document and the cause that
    document as compact JSON; a payload without ``errorType`` (a timeout on older runtimes,
    a crash) fails with ``Lambda.Unknown`` and AWS's "could not be determined" cause.

    Args:
        payload: the response body text.

    Returns:
        ``(error, cause)``, e.g. ``("ValueError", '{"errorMessage":"bad",...}')``.
    """
    try:
        document: Any = json.loads(payload)
    except ValueError:
        return "Lambda.Unknown", _UNKNOWN_CAUSE + payload
    error_type = document.get("errorType") if isinstance(document, dict) else None
    if isinstance(error_type, str) and error_type:
        return error_type, dump_compact(document)
    return "Lambda.Unknown", _UNKNOWN_CAUSE + dump_compact(document)


def invoke_result(response: InvokeResponse) -> JSON:
    """The ``lambda:invoke`` task result: the ``Invoke`` response as Step Functions renders it.

    ``ExecutedVersion``, ``LogResult`` (with ``LogType: Tail``), ``Payload`` (the body parsed
    from JSON; ``""`` without a body), ``SdkHttpMetadata`` (Lambda's response headers, in
    AWS's spelling), ``SdkResponseMetadata`` and ``StatusCode``, in that order.
    """
    rid, text = response.request_id, response.payload
    trace = response.trace_id or _trace_id(rid, response.date)
    headers: dict[str, str] = {
        "X-Amz-Executed-Version": response.executed_version,
        "x-amzn-Remapped-Content-Length": "0",
        "Connection": "keep-alive",
        "x-amzn-RequestId": rid,
        "Content-Length": str(len(text.encode())) if text is not None else "0",
        "Date": format_datetime(response.date, usegmt=True),
        "X-Amzn-Trace-Id": trace,
        "Content-Type": "application/json",
    }
    if response.log_result is not None:
        headers["X-Amz-Log-Result"] = response.log_result
    out: dict[str, JSON] = {"ExecutedVersion": response.executed_version}
    if response.log_result is not None:
        out["LogResult"] = response.log_result
    out["Payload"] = _decoded(text) if text is not None else ""
    out["SdkHttpMetadata"] = {
        "AllHttpHeaders": {name: [value] for name, value in headers.items()},
        "HttpHeaders": dict(sorted(headers.items(), key=lambda item: item[0].lower())),
        "HttpStatusCode": response.status_code,
    }
    out["SdkResponseMetadata"] = {"RequestId": rid}
    out["StatusCode"] = response.status_code
    return out


def invoke_outcome(response: InvokeResponse, *, optimized: bool) -> TaskOutcome:
    """The Task outcome of one Lambda invocation.

    Args:
        response: what ``Invoke`` returned.
        optimized: ``True`` for ``arn:aws:states:::lambda:invoke`` (the result is
            :func:`invoke_result`), ``False`` for a bare function ARN (the result is the
            function's output).

    Returns:
        A failure (see :func:`function_error`) when the response has ``FunctionError``.
    """
    if response.function_error is not None:
        error, cause = function_error(response.payload or "")
        return TaskOutcome(failed=True, error=error, cause=cause)
    if optimized:
        return TaskOutcome(output=invoke_result(response))
    return TaskOutcome(output=_decoded(response.payload or "null"))


def invocation_request_id(request: TaskRequest, function_name: str) -> str:
    """A request id that is the same for the same execution, state, invocation and attempt.

    Used where no real Lambda answers (handlers run in-process, botocore stubs without
    response metadata).

    Args:
        request: the Task attempt.
        function_name: the invoked function (name, ``name:qualifier`` or ARN).
    """
    ref = _parse_or_none(function_name)
    label = ref.label() if ref is not None else function_name
    execution = request.context.get("Execution", {}) if isinstance(request.context, dict) else {}
    seed = _digest(
        str(execution.get("Id", "")),
        request.state_name,
        str(request.invocation),
        str(request.attempt),
        label,
    )
    return str(uuid.UUID(hex=seed[:32], version=4))


def response_date(request: TaskRequest) -> datetime:
    """The ``Date`` of an invocation's response: the state's entry on the virtual clock.

    Args:
        request: the Task attempt (its ``$$.State.EnteredTime``, else the execution start).
    """
    return _virtual_date(request.context)


def executed_version(qualifier: str | None) -> str:
    """``ExecutedVersion`` for an invocation: a numeric qualifier, else ``$LATEST``."""
    return qualifier if qualifier and qualifier.isdigit() else _LATEST


class LambdaHandlers:
    """A :class:`~pytest_sfn.engine.ports.TaskHandler` running Python Lambda handlers in-process.

    Args:
        functions: maps a function name, ``name:alias``/``name:version``, partial ARN
            (``account:function:name``) or full function ARN to a handler callable
            ``(event, context)`` or a ``"package.module:function"`` string, imported on
            first use. A qualified key wins over the unqualified one for that qualifier;
            region and account in a key are not used for matching.
        fallback: answers every other Task (other resources, unknown functions).

    Raises:
        MockError: a key is not a valid function name/ARN, or a value is neither a
            callable nor a ``"module:function"`` string.
    """

    def __init__(
        self, functions: Mapping[str, HandlerSpec], *, fallback: TaskHandler | None = None
    ) -> None:
        self._functions: dict[tuple[str, str | None], HandlerSpec] = {}
        self._labels: dict[tuple[str, str | None], str] = {}
        for key, spec in functions.items():
            try:
                ref = parse_function(key)
            except ValueError as exc:
                raise MockError(f"LambdaHandlers: {exc}") from None
            if not callable(spec) and not (isinstance(spec, str) and _is_import_path(spec)):
                raise MockError(
                    f"LambdaHandlers: the handler for {key!r} must be a callable "
                    f"(event, context) or a 'package.module:function' string, got {spec!r}"
                )
            self._functions[(ref.name, ref.qualifier)] = spec
            self._labels[(ref.name, ref.qualifier)] = ref.label()
        self._fallback = fallback

    def __call__(self, request: TaskRequest) -> TaskOutcome:
        """Answer one Task attempt (see the module docstring for the shapes)."""
        resource = request.resource
        if resource.kind == "lambda":
            ref = _parse_or_none(resource.arn)
            if ref is not None and self._find(ref) is not None:
                return self._bare(request, ref)
            return self._delegate(request, ref)
        if (resource.kind, resource.service, resource.api, resource.pattern) == (
            "service",
            "lambda",
            "invoke",
            "",
        ):
            return self._optimized(request)
        if self._fallback is not None:
            return self._fallback(request)
        raise UnmockedTaskError(
            f"Task state {request.state_name!r} uses {resource.arn!r}, which LambdaHandlers "
            "does not answer (it runs lambda:invoke and Lambda function ARNs); "
            "pass fallback= for other resources"
        )

    # -- the two resource forms --------------------------------------------------------

    def _bare(self, request: TaskRequest, ref: FunctionRef) -> TaskOutcome:
        call = _Call(request, ref, self._handler(ref))
        return invoke_outcome(call.invoke(request.parameters, None), optimized=False)

    def _optimized(self, request: TaskRequest) -> TaskOutcome:
        params = request.parameters
        if not isinstance(params, dict) or not isinstance(params.get("FunctionName"), str):
            raise MockError(
                f"Task state {request.state_name!r}: lambda:invoke needs a FunctionName "
                f"string parameter, got parameters {_short(params)}"
            )
        ref = _parse_or_none(params["FunctionName"])
        if ref is None:
            return self._delegate(request, None, params["FunctionName"])
        qualifier = params.get("Qualifier")
        if qualifier is not None:
            if not isinstance(qualifier, str):
                raise MockError(
                    f"Task state {request.state_name!r}: Qualifier must be a string, "
                    f"got {qualifier!r}"
                )
            if ref.qualifier is not None and ref.qualifier != qualifier:
                code = "InvalidParameterValueException"
                cause = optimized_error_cause(
                    "The derived qualifier from the function name does not match the "
                    "specified qualifier.",
                    service=LAMBDA_JAVA_SERVICE,
                    status=400,
                    code=code,
                    request_id=invocation_request_id(request, ref.label()),
                )
                return TaskOutcome(failed=True, error=f"Lambda.{code}", cause=cause)
            ref = FunctionRef(ref.name, qualifier, ref.partition, ref.region, ref.account)
        if self._find(ref) is None:
            return self._delegate(request, ref)
        invocation_type = params.get("InvocationType", "RequestResponse")
        if invocation_type not in _INVOCATION_TYPES:
            raise MockError(
                f"Task state {request.state_name!r}: InvocationType must be one of "
                f"{', '.join(_INVOCATION_TYPES)}, got {invocation_type!r}"
            )
        log_type = params.get("LogType", "None")
        if log_type not in _LOG_TYPES:
            raise MockError(
                f"Task state {request.state_name!r}: LogType must be 'None' or 'Tail', "
                f"got {log_type!r}"
            )
        client_context = _client_context(request, params.get("ClientContext"))
        call = _Call(request, ref, self._handler(ref), client_context)
        event = params.get("Payload", {})
        if invocation_type == "DryRun":
            return invoke_outcome(call.response(None, 204), optimized=True)
        if invocation_type == "Event":
            # Asynchronous: Lambda accepts the event at once; the function's own outcome
            # (errors included) never reaches the state machine.
            call.invoke(event, None)
            return invoke_outcome(call.response(None, 202), optimized=True)
        logs = io.StringIO() if log_type == "Tail" else None
        return invoke_outcome(call.invoke(event, logs), optimized=True)

    # -- lookup ------------------------------------------------------------------------

    def _find(self, ref: FunctionRef) -> HandlerSpec | None:
        spec = self._functions.get((ref.name, ref.qualifier))
        if spec is None and ref.qualifier is not None:
            spec = self._functions.get((ref.name, None))
        return spec

    def _handler(self, ref: FunctionRef) -> Handler:
        key = (ref.name, ref.qualifier)
        if key not in self._functions:
            key = (ref.name, None)
        spec = self._functions[key]
        if isinstance(spec, str):
            spec = _import_handler(spec, self._labels[key])
            self._functions[key] = spec
        return spec

    def _delegate(
        self, request: TaskRequest, ref: FunctionRef | None, raw: str | None = None
    ) -> TaskOutcome:
        if self._fallback is not None:
            return self._fallback(request)
        wanted = ref.label() if ref is not None else (raw or request.resource.arn)
        registered = sorted(self._labels.values())
        hint = did_you_mean(ref.name if ref is not None else wanted, registered)
        raise UnmockedTaskError(
            f"Task state {request.state_name!r} invokes Lambda function {wanted!r}, which "
            f"LambdaHandlers has no handler for{hint}; registered: "
            f"{', '.join(repr(name) for name in registered) or 'none'}"
        )


class _Call:
    """One invocation of a registered handler, with its deterministic identifiers."""

    __slots__ = ("request", "ref", "handler", "client_context", "request_id", "date", "version")

    def __init__(
        self,
        request: TaskRequest,
        ref: FunctionRef,
        handler: Handler,
        client_context: ClientContext | None = None,
    ) -> None:
        self.request, self.ref, self.handler = request, ref, handler
        self.client_context = client_context
        self.request_id = invocation_request_id(request, ref.label())
        self.date = _virtual_date(request.context)
        self.version = executed_version(ref.qualifier)

    def context(self) -> LambdaContext:
        region, account = _region_account(self.request.context)
        digest = _digest(self.request_id, "log-stream")
        return LambdaContext(
            function_name=self.ref.name,
            function_version=self.version,
            invoked_function_arn=self.ref.arn(region, account),
            memory_limit_in_mb=_MEMORY_MB,
            aws_request_id=self.request_id,
            log_group_name=f"/aws/lambda/{self.ref.name}",
            log_stream_name=f"{self.date:%Y/%m/%d}/[{self.version}]{digest[:32]}",
            client_context=self.client_context,
        )

    def invoke(self, event: JSON, logs: io.StringIO | None) -> InvokeResponse:
        """Call the handler on a copy of ``event``; an exception is an ``Unhandled`` error.

        The response body is the handler's result as the Python runtime serializes it, or
        the runtime's error document when the handler raised.
        """
        captured = (
            contextlib.redirect_stdout(logs) if logs is not None else contextlib.nullcontext()
        )
        try:
            with captured:
                value = self.handler(json.loads(json.dumps(event)), self.context())
        except Exception as exc:
            document = {
                "errorMessage": str(exc),
                "errorType": type(exc).__name__,
                "requestId": self.request_id,
                "stackTrace": _stack_trace(exc),
            }
            return self.response(dump_compact(document), 200, function_error="Unhandled")
        text = _result_text(self.request, self.ref, value)
        return self.response(text, 200, logs)

    def response(
        self,
        text: str | None,
        status: int,
        logs: io.StringIO | None = None,
        *,
        function_error: str | None = None,
    ) -> InvokeResponse:
        """The ``Invoke`` response of this invocation."""
        log_result = (
            _log_tail(self.request_id, self.version, logs.getvalue()) if logs is not None else None
        )
        return InvokeResponse(
            status_code=status,
            payload=text,
            executed_version=self.version,
            request_id=self.request_id,
            date=self.date,
            log_result=log_result,
            function_error=function_error,
        )


# -- helpers ---------------------------------------------------------------------------


def _is_import_path(spec: str) -> bool:
    module, sep, attr = spec.partition(":")
    return bool(sep and module and attr)


def _import_handler(spec: str, label: str) -> Handler:
    module_name, _, attr_path = spec.partition(":")
    try:
        target: Any = importlib.import_module(module_name)
    except Exception as exc:
        raise MockError(
            f"LambdaHandlers: cannot import module {module_name!r} for function {label!r} "
            f"({type(exc).__name__}: {exc})"
        ) from exc
    for part in attr_path.split("."):
        if not hasattr(target, part):
            names = [name for name in dir(target) if not name.startswith("_")]
            owner = getattr(target, "__name__", target)
            raise MockError(
                f"LambdaHandlers: {spec!r} (function {label!r}): {owner!r}"
                f" has no attribute {part!r}{did_you_mean(part, names)}"
            )
        target = getattr(target, part)
    if not callable(target):
        raise MockError(
            f"LambdaHandlers: {spec!r} (function {label!r}) is not callable: {target!r}"
        )
    handler: Handler = target
    return handler


def _parse_or_none(text: str) -> FunctionRef | None:
    try:
        return parse_function(text)
    except ValueError:
        return None


def _result_text(request: TaskRequest, ref: FunctionRef, value: Any) -> str:
    """The function's response body, as the Python runtime serializes it (``json.dumps``)."""
    try:
        return json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise MockError(
            f"Task state {request.state_name!r}: Lambda handler {ref.label()!r} returned a "
            f"value that is not JSON-serializable ({exc}): {value!r}"
        ) from None


def _client_context(request: TaskRequest, raw: JSON) -> ClientContext | None:
    if raw is None:
        return None
    try:
        if not isinstance(raw, str):
            raise TypeError("not a string")
        decoded = json.loads(base64.b64decode(raw, validate=True))
        if not isinstance(decoded, dict):
            raise TypeError("not a JSON object")
    except (TypeError, ValueError, binascii.Error) as exc:
        raise MockError(
            f"Task state {request.state_name!r}: ClientContext must be a base64-encoded JSON "
            f"object ({exc})"
        ) from None
    return ClientContext(decoded.get("client"), decoded.get("custom"), decoded.get("env"))


def _stack_trace(exc: BaseException) -> list[str]:
    """The runtime's ``stackTrace``: formatted frames from the handler down (ours dropped)."""
    frames = [
        frame for frame in traceback.extract_tb(exc.__traceback__) if frame.filename != __file__
    ]
    return traceback.format_list(frames)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _trace_id(request_id: str, date: datetime) -> str:
    digest = _digest(request_id, "trace")
    return f"Root=1-{int(date.timestamp()):08x}-{digest[:24]};Parent={digest[24:40]};Sampled=0"


def _decoded(text: str) -> JSON:
    """The response body parsed from JSON (text that is not JSON stays text)."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _virtual_date(context: JSON) -> datetime:
    """The state's ``$$.State.EnteredTime`` (else the execution start) as a datetime."""
    if isinstance(context, dict):
        for section, key in (("State", "EnteredTime"), ("Execution", "StartTime")):
            value = context.get(section, {}).get(key)
            if isinstance(value, str):
                try:
                    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
                except ValueError:
                    continue
                return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return _FALLBACK_DATE


def _region_account(context: JSON) -> tuple[str, str]:
    """Region and account of the execution ARN in ``$$.Execution.Id``."""
    if isinstance(context, dict):
        arn = context.get("Execution", {}).get("Id")
        parts = arn.split(":") if isinstance(arn, str) else []
        if len(parts) > 4 and parts[3] and parts[4]:
            return parts[3], parts[4]
    return _DEFAULT_REGION, _DEFAULT_ACCOUNT


def _log_tail(request_id: str, version: str, printed: str) -> str:
    """``LogResult``: base64 of the invocation's log lines (``LogType: Tail``)."""
    if printed and not printed.endswith("\n"):
        printed += "\n"
    text = (
        f"START RequestId: {request_id} Version: {version}\n{printed}"
        f"END RequestId: {request_id}\n"
        f"REPORT RequestId: {request_id}\tDuration: 1.00 ms\tBilled Duration: 1 ms\t"
        f"Memory Size: {_MEMORY_MB} MB\tMax Memory Used: {_MEMORY_MB} MB\t\n"
    )
    return base64.b64encode(text[-4096:].encode()).decode()


def _short(value: JSON) -> str:
    try:
        text = dump_compact(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."
