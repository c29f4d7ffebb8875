"""Task states answered by botocore clients: AWS SDK and optimized service integrations.

:class:`BotocoreTasks` calls a real botocore client for:

* AWS SDK integrations ``arn:aws:states:::aws-sdk:<service>:<action>``: the Task's parameters
  (PascalCase, Java spelling such as ``DbInstanceIdentifier`` or the botocore spelling) are
  mapped onto the operation's input members and the operation is called; the task result is
  the response without ``ResponseMetadata``. A service error fails the task with
  ``<ServicePrefix>.<ExceptionName>`` (``DynamoDb.ResourceNotFoundException``; an error the
  service model does not declare becomes the service's base exception,
  ``DynamoDb.DynamoDbException``) and the cause in the AWS SDK for Java 2.x shape
  ``<message> (Service: DynamoDb, Status Code: 400, Request ID: <id>)``.
* the optimized integrations ``dynamodb:getItem|putItem|updateItem|deleteItem``,
  ``sqs:sendMessage``, ``sns:publish`` and ``events:putEvents``: the result is the response
  plus ``SdkHttpMetadata``/``SdkResponseMetadata`` built from the HTTP response botocore saw.
  Errors use the optimized prefixes (``DynamoDB.``, ``SQS.``, ``SNS.``, ``EventBridge.``): a
  declared exception keeps its name (``DynamoDB.ConditionalCheckFailedException``), anything
  else becomes the client's base exception (``DynamoDB.AmazonDynamoDBException``,
  ``SQS.AmazonSQSException``); the cause has the AWS SDK for Java 1.x shape ``<message>
  (Service: AmazonSNS; Status Code: 400; Error Code: <code>; Request ID: <id>; Proxy: null)``.
  A non-string ``MessageBody`` (SQS), ``Message`` (SNS) or ``Entries[].Detail`` (EventBridge)
  is sent as compact JSON text, as Step Functions does. ``events:putEvents`` with a non-zero
  ``FailedEntryCount`` fails with ``EventBridge.FailedEntry``; the cause is the response as
  JSON (the exact cause text AWS uses is not confirmed).
* the other optimized integrations that call one AWS API (every entry of
  :data:`~pytest_sfn.integrations.shapes.OPTIMIZED_APIS` of ECS, Glue, Batch, Athena, Bedrock,
  EMR, EMR on EKS, EMR Serverless, CodeBuild, SageMaker, DataBrew, MediaConvert and EKS), and
  their ``.sync`` variants listed in :mod:`pytest_sfn.integrations.sync`. Errors are
  ``<Prefix>.<Exception>`` (``SageMaker.``, ``CodeBuild.``, ``EMR.``, ``EMRServerless.``...;
  UNCONFIRMED beyond AWS's documented pattern). EMR's wrapped API (``ClusterId``, one
  ``Step``) is translated as :mod:`pytest_sfn.integrations.emr` says; its
  ``modifyInstanceFleetByName``/``modifyInstanceGroupByName`` are not answered.
* Lambda: ``arn:aws:states:::lambda:invoke`` and bare function ARNs
  (``arn:aws:lambda:<region>:<account>:function:<name>``) call the ``lambda`` client's
  ``Invoke`` as Step Functions does (``Payload`` sent as JSON text; ``FunctionName``,
  ``Qualifier``, ``InvocationType``, ``ClientContext``, ``LogType`` passed on). The response
  is shaped exactly as :class:`~pytest_sfn.integrations.lambda_.LambdaHandlers` shapes a
  handler's (shared code): ``ExecutedVersion``, ``Payload`` parsed from JSON,
  ``SdkHttpMetadata``, ``SdkResponseMetadata``, ``StatusCode`` for ``lambda:invoke``, the
  parsed payload alone for a function ARN. A ``FunctionError`` response fails with the
  function's ``errorType`` (``Lambda.Unknown`` without one) and its error document as the
  cause; a service error fails with ``Lambda.<Exception>`` (``Lambda.ResourceNotFoundException``,
  ``Lambda.TooManyRequestsException``; undeclared: ``Lambda.AWSLambdaException``) and a
  ``(Service: AWSLambda; ...)`` cause. The request id is the one the service returned (a
  Stubber response without metadata gets LambdaHandlers' deterministic one); ``Date`` is the
  virtual clock. ``aws-sdk:lambda:invoke`` is an ordinary SDK integration: its ``Payload``
  stays JSON text and ``FunctionError`` does not fail the task, as on AWS.

Results are made JSON the way this module documents (the exact AWS rendering of timestamps
is not confirmed): timestamps become ISO-8601 UTC strings with a ``Z`` suffix and trailing
zero fraction digits removed (``2024-01-01T00:00:00Z``, ``2024-01-01T00:00:00.5Z``); blobs
become base64 text; a streaming body (S3 ``GetObject``) is read and returned as text (base64
when it is not UTF-8). AWS SDK results have PascalCase member names: botocore's name with the
first letter upper-cased (``stateMachines`` -> ``StateMachines``, ``DBInstances`` and DynamoDB's
``SS``/``BOOL`` unchanged); whether AWS spells acronyms the Java way (``DbInstances``) in
results is not confirmed.

Clients come from a session you control, so ``botocore.stub.Stubber`` (pass the stubbed
client in ``clients=``) and moto's ``mock_aws`` (create :class:`BotocoreTasks` inside the mock)
both work. Without ``session=``, a private botocore session with dummy credentials
(``testing``) is used: the machine's credentials are never picked up silently. Real AWS is
reached only when you pass your own session *and* opt out of the pytest plugin's network guard
(``@pytest.mark.sfn_allow_network``).

``.waitForTaskToken`` resources are not answered here (callbacks are a separate feature): they
go to ``fallback`` or raise :class:`~pytest_sfn.errors.UnmockedTaskError`.

Example:
    >>> import botocore.session
    >>> from pytest_sfn.integrations.botocore_tasks import BotocoreTasks
    >>> tasks = BotocoreTasks(botocore.session.Session(), region_name="eu-west-1")
    >>> # sm.execute(input, tasks=tasks)
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import botocore.session
from botocore.exceptions import ClientError, ParamValidationError

from pytest_sfn._json import dump_compact
from pytest_sfn._types import JSON
from pytest_sfn.engine.ports import TaskHandler, TaskOutcome, TaskRequest
from pytest_sfn.errors import MockError, StatesErrorName, UnmockedTaskError
from pytest_sfn.integrations.aws_sdk import (
    SDK_RESOURCE_PREFIX,
    SdkOperation,
    UnknownSdkResource,
    java_pascal_case,
    optimized_error_cause,
    resolve_sdk_resource,
    sdk_error_name,
)
from pytest_sfn.integrations.emr import EMR_WRAPPERS, Wrapper
from pytest_sfn.integrations.lambda_ import (
    LAMBDA_JAVA_SERVICE,
    InvokeResponse,
    executed_version,
    invocation_request_id,
    invoke_outcome,
    parse_function,
    response_date,
)
from pytest_sfn.integrations.shapes import OPTIMIZED_APIS
from pytest_sfn.integrations.sync import FAILED, RUNNING, SYNC_JOBS, SyncJob

if TYPE_CHECKING:
    import boto3

    from pytest_sfn.model.resource import Resource

__all__ = [
    "ITEM_READER_INTEGRATIONS",
    "LAMBDA_INVOKE",
    "OPTIMIZED_INTEGRATIONS",
    "BotocoreTasks",
    "OptimizedIntegration",
    "to_json",
]

_DUMMY = "testing"


@dataclass(frozen=True, slots=True)
class OptimizedIntegration:
    """An optimized integration answered through a botocore operation.

    Attributes:
        botocore_service: the botocore service name (``dynamodb``).
        operation: the botocore operation name (``GetItem``).
        error_prefix: the prefix of its error names (``DynamoDB``).
        java_service: the AWS SDK for Java 1.x service name in causes (``AmazonDynamoDBv2``).
        base_exception: the error name of undeclared service errors
            (``AmazonDynamoDBException``).
        sdk_metadata: whether the result carries ``SdkHttpMetadata``/``SdkResponseMetadata``
            (the AWS SDK for Java 1.x integrations do).
        wrapper: how the integration's input and result differ from the API's (EMR), or
            ``None`` when it takes and returns the API's own.
    """

    botocore_service: str
    operation: str
    error_prefix: str
    java_service: str
    base_exception: str
    sdk_metadata: bool = True
    wrapper: Wrapper | None = None


@dataclass(frozen=True, slots=True)
class _Family:
    """How the optimized integrations of one service name their errors."""

    error_prefix: str
    java_service: str
    sdk_metadata: bool = True

    @property
    def base_exception(self) -> str:
        return f"{self.java_service.removesuffix('v2')}Exception"


#: Resource service -> its error names. DynamoDB, SQS, SNS, EventBridge and Lambda follow
#: AWS's documented names; the others follow AWS's documented pattern (``<Service>.<Exception>``,
#: base exception ``<Java client>Exception``) and are UNCONFIRMED, as is which of them return
#: ``SdkHttpMetadata`` (off for the integrations AWS added with the AWS SDK for Java 2.x era).
_FAMILIES: Mapping[str, _Family] = {
    "dynamodb": _Family("DynamoDB", "AmazonDynamoDBv2"),
    "sqs": _Family("SQS", "AmazonSQS"),
    "sns": _Family("SNS", "AmazonSNS"),
    "events": _Family("EventBridge", "AmazonEventBridge"),
    "ecs": _Family("ECS", "AmazonECS"),
    "glue": _Family("Glue", "AWSGlue"),
    "batch": _Family("Batch", "AWSBatch"),
    "athena": _Family("Athena", "AmazonAthena"),
    "bedrock": _Family("Bedrock", "Bedrock", sdk_metadata=False),
    "elasticmapreduce": _Family("EMR", "AmazonElasticMapReduce", sdk_metadata=False),
    "emr-containers": _Family("EMRContainers", "AmazonEMRContainers"),
    "emr-serverless": _Family("EMRServerless", "AWSEMRServerless", sdk_metadata=False),
    "codebuild": _Family("CodeBuild", "AWSCodeBuild"),
    "sagemaker": _Family("SageMaker", "AmazonSageMaker"),
    "databrew": _Family("DataBrew", "AWSGlueDataBrew"),
    "mediaconvert": _Family("MediaConvert", "AWSMediaConvert", sdk_metadata=False),
    "eks": _Family("EKS", "AmazonEKS"),
}

#: Optimized APIs of those services answered elsewhere (``bedrock:invokeModel``) or not at all
#: (the EMR ``...ByName`` calls look the fleet or group up first).
_NOT_HERE = frozenset(
    {
        ("bedrock", "invokeModel"),
        ("elasticmapreduce", "modifyInstanceFleetByName"),
        ("elasticmapreduce", "modifyInstanceGroupByName"),
    }
)


def _integration(
    service: str, api: str, botocore_service: str, operation: str
) -> OptimizedIntegration:
    family = _FAMILIES[service]
    return OptimizedIntegration(
        botocore_service,
        operation,
        family.error_prefix,
        family.java_service,
        family.base_exception,
        family.sdk_metadata,
        EMR_WRAPPERS.get(api) if service == "elasticmapreduce" else None,
    )


#: ``(service, api)`` of the resource -> the integration, for the optimized integrations
#: answered here: every entry of :data:`~pytest_sfn.integrations.shapes.OPTIMIZED_APIS` of the
#: services above that calls an AWS API.
OPTIMIZED_INTEGRATIONS: Mapping[tuple[str, str], OptimizedIntegration] = {
    (service, api): _integration(service, api, target.botocore_service, target.operation)
    for (service, api), target in OPTIMIZED_APIS.items()
    if service in _FAMILIES
    and (service, api) not in _NOT_HERE
    and target.botocore_service is not None
    and target.operation is not None
}


#: The S3 calls of a Distributed Map ``ItemReader`` (``arn:aws:states:::s3:getObject`` and
#: ``arn:aws:states:::s3:listObjectsV2``, see :mod:`pytest_sfn.engine.item_reader`) and
#: ``ResultWriter`` (``arn:aws:states:::s3:putObject``, see
#: :mod:`pytest_sfn.engine.result_writer`); the result is the response as JSON (``Body``
#: read as text), without SDK metadata.
ITEM_READER_INTEGRATIONS: Mapping[tuple[str, str], OptimizedIntegration] = {
    ("s3", "getObject"): OptimizedIntegration(
        "s3", "GetObject", "S3", "AmazonS3", "AmazonS3Exception", False
    ),
    ("s3", "listObjectsV2"): OptimizedIntegration(
        "s3", "ListObjectsV2", "S3", "AmazonS3", "AmazonS3Exception", False
    ),
    ("s3", "putObject"): OptimizedIntegration(
        "s3", "PutObject", "S3", "AmazonS3", "AmazonS3Exception", False
    ),
}

_INVOKE_MODEL = ("bedrock", "invokeModel")
_LAMBDA_KEY = ("lambda", "invoke")

#: Lambda's ``Invoke``, for ``lambda:invoke`` and bare function ARNs (error names
#: ``Lambda.<Exception>``, base exception ``AWSLambdaException`` as in AWS's recommended
#: ``Lambda.AWSLambdaException`` retrier).
LAMBDA_INVOKE = OptimizedIntegration(
    "lambda", "Invoke", "Lambda", LAMBDA_JAVA_SERVICE, "AWSLambdaException"
)


class BotocoreTasks:
    """A :class:`~pytest_sfn.engine.ports.TaskHandler` calling botocore clients.

    Args:
        session: a ``botocore.session.Session`` or ``boto3.Session`` to create clients from;
            ``None``: a private botocore session with dummy credentials (``testing``).
        region_name: the region of the clients this handler creates.
        clients: ready-made clients by service, keyed by the botocore name (``dynamodb``,
            ``stepfunctions``) or the Step Functions name (``sfn``); used as they are (e.g.
            wrapped in a ``botocore.stub.Stubber``).
        fallback: answers every Task this handler does not (other resources,
            ``.waitForTaskToken``).
        poll_interval: virtual seconds between two polls of a ``.sync`` job (see
            :mod:`pytest_sfn.integrations.sync`).
        max_polls: a ``.sync`` job still running after this many polls is a test error
            (:class:`~pytest_sfn.errors.MockError`: a stub that never finishes).
    """

    def __init__(
        self,
        session: botocore.session.Session | boto3.Session | None = None,
        *,
        region_name: str = "us-east-1",
        clients: Mapping[str, Any] | None = None,
        fallback: TaskHandler | None = None,
        poll_interval: float = 10.0,
        max_polls: int = 1000,
    ) -> None:
        self._session = session
        self._region = region_name
        self._clients: dict[str, Any] = dict(clients or {})
        self._fallback = fallback
        self._poll_interval = poll_interval
        self._max_polls = max_polls

    def __call__(self, request: TaskRequest) -> TaskOutcome:
        """Answer one Task attempt (see the module docstring for shapes and errors)."""
        resource = request.resource
        if resource.kind == "lambda":
            return self._lambda(request, optimized=False)
        if resource.kind == "service" and resource.pattern == "":
            if resource.arn.startswith(SDK_RESOURCE_PREFIX):
                return self._sdk(request)
            if (resource.service, resource.api) == _LAMBDA_KEY:
                return self._lambda(request, optimized=True)
            if (resource.service, resource.api) == _INVOKE_MODEL:
                from pytest_sfn.integrations.bedrock import invoke_model

                return invoke_model(self, request)
            key = (resource.service, resource.api)
            optimized = OPTIMIZED_INTEGRATIONS.get(key) or ITEM_READER_INTEGRATIONS.get(key)
            if optimized is not None:
                return self._optimized(request, optimized)
        if resource.kind == "service" and resource.pattern == ".sync":
            job = SYNC_JOBS.get((resource.service, resource.api))
            optimized = OPTIMIZED_INTEGRATIONS.get((resource.service, resource.api))
            if job is not None and optimized is not None:
                return self._sync(request, optimized, job)
        return self._delegate(request)

    @staticmethod
    def answers(resource: Resource) -> bool:
        """Whether this handler answers Tasks of ``resource`` itself (without ``fallback``).

        True for ``aws-sdk:*`` resources, the optimized integrations it calls (request and
        response, :data:`OPTIMIZED_INTEGRATIONS`), the ItemReader's
        ``s3:getObject``/``s3:listObjectsV2`` and the ResultWriter's ``s3:putObject``,
        ``lambda:invoke`` and bare Lambda function ARNs, ``bedrock:invokeModel`` and the
        ``.sync`` jobs it polls (:data:`~pytest_sfn.integrations.sync.SYNC_JOBS`).
        """
        if resource.kind == "lambda":
            return True
        if resource.kind != "service":
            return False
        key = (resource.service, resource.api)
        if resource.pattern == "":
            return (
                resource.arn.startswith(SDK_RESOURCE_PREFIX)
                or key in (_INVOKE_MODEL, _LAMBDA_KEY)
                or key in OPTIMIZED_INTEGRATIONS
                or key in ITEM_READER_INTEGRATIONS
            )
        return resource.pattern == ".sync" and key in SYNC_JOBS and key in OPTIMIZED_INTEGRATIONS

    # -- clients -----------------------------------------------------------------------

    def client(self, botocore_service: str, alias: str | None = None) -> Any:
        """The client used for a botocore service, created from the session on first use.

        Args:
            botocore_service: the botocore service name (``dynamodb``).
            alias: another key ``clients=`` may use for it (the Step Functions name).
        """
        for key in (botocore_service, alias):
            if key is not None and key in self._clients:
                return self._clients[key]
        session = self._session
        if session is None:
            session = botocore.session.Session()
            session.set_credentials(_DUMMY, _DUMMY, _DUMMY)
            self._session = session
        create: Callable[..., Any]
        create = session.create_client if hasattr(session, "create_client") else session.client
        client = create(botocore_service, region_name=self._region)
        self._clients[botocore_service] = client
        return client

    # -- the two families --------------------------------------------------------------

    def _sdk(self, request: TaskRequest) -> TaskOutcome:
        try:
            op = resolve_sdk_resource(request.resource.arn)
        except UnknownSdkResource as exc:
            raise MockError(f"Task state {request.state_name!r}: {exc.message}") from None
        client = self.client(op.botocore_service, op.service_name)
        operation_model = client.meta.service_model.operation_model(op.operation)
        raw = {} if request.parameters is None else request.parameters
        params = _to_botocore(operation_model.input_shape, raw)
        try:
            response = _call(client, op.operation, params, request)
        except ClientError as exc:
            return _sdk_failure(op, client, exc, request)
        output = _pascal_members(operation_model.output_shape, _without_metadata(response))
        return TaskOutcome(output=to_json(output))

    def _optimized_params(
        self, request: TaskRequest, integration: OptimizedIntegration, client: Any
    ) -> dict[str, Any]:
        params = request.parameters
        if params is None:
            params = {}
        if not isinstance(params, dict):
            raise MockError(
                f"Task state {request.state_name!r}: the parameters of "
                f"{request.resource.arn!r} must be an object, got {_short(params)}"
            )
        params = _encode_optimized(integration, params)
        if integration.wrapper is not None:
            params = integration.wrapper.request(params)
        shape = client.meta.service_model.operation_model(integration.operation).input_shape
        converted: dict[str, Any] = _to_botocore(shape, params)
        return converted

    def _optimized(self, request: TaskRequest, integration: OptimizedIntegration) -> TaskOutcome:
        client = self.client(integration.botocore_service)
        params = self._optimized_params(request, integration, client)
        try:
            response = _call(client, integration.operation, params, request)
        except ClientError as exc:
            return _optimized_failure(integration, client, exc, request)
        metadata = response.get("ResponseMetadata", {})
        output_shape = client.meta.service_model.operation_model(integration.operation).output_shape
        output = to_json(_pascal_members(output_shape, _without_metadata(response)))
        if integration.wrapper is not None:
            output = integration.wrapper.result(output)
        if integration.operation == "PutEvents" and output.get("FailedEntryCount", 0):
            return TaskOutcome(
                failed=True, error="EventBridge.FailedEntry", cause=dump_compact(output)
            )
        if integration.sdk_metadata:
            output["SdkHttpMetadata"] = _http_metadata(metadata)
            output["SdkResponseMetadata"] = {"RequestId": _request_id(metadata, request)}
        return TaskOutcome(output=output)

    def _lambda(self, request: TaskRequest, *, optimized: bool) -> TaskOutcome:
        """``Invoke`` for ``lambda:invoke`` (``optimized``) or a bare function ARN."""
        client = self.client(LAMBDA_INVOKE.botocore_service)
        params = _invoke_params(request, optimized)
        try:
            response = _call(client, LAMBDA_INVOKE.operation, params, request)
        except ClientError as exc:
            return _optimized_failure(LAMBDA_INVOKE, client, exc, request)
        return invoke_outcome(_invoke_response(request, params, response), optimized=optimized)

    def _sync(
        self, request: TaskRequest, integration: OptimizedIntegration, job: SyncJob
    ) -> TaskOutcome:
        """Start the job, then poll it until it is terminal (see :mod:`.sync`)."""
        client = self.client(integration.botocore_service)
        params = self._optimized_params(request, integration, client)
        try:
            started = _call(client, integration.operation, params, request)
        except ClientError as exc:
            return _optimized_failure(integration, client, exc, request)
        describe_shape = client.meta.service_model.operation_model(job.describe).output_shape
        polls = 0
        while True:
            polls += 1
            if polls > self._max_polls:
                raise MockError(
                    f"Task state {request.state_name!r}: the {request.resource.arn!r} job was "
                    f"still running after {self._max_polls} polls of {job.describe}; stub a "
                    "terminal status (or raise max_polls=)"
                )
            try:
                raw = _call(client, job.describe, job.describe_params(params, started), request)
            except ClientError as exc:
                failure = _optimized_failure(integration, client, exc, request)
                return replace(failure, duration=polls * self._poll_interval)
            described = to_json(_pascal_members(describe_shape, _without_metadata(raw)))
            state = job.state(described)
            if state != RUNNING:
                break
        output = job.result(described)
        duration = polls * self._poll_interval
        if state == FAILED:
            return TaskOutcome(
                failed=True,
                error=StatesErrorName.TASK_FAILED.value,
                cause=dump_compact(output),
                duration=duration,
            )
        return TaskOutcome(output=output, duration=duration)

    def _delegate(self, request: TaskRequest) -> TaskOutcome:
        if self._fallback is not None:
            return self._fallback(request)
        resource = request.resource
        if resource.pattern == ".waitForTaskToken":
            why = (
                "callback tasks (.waitForTaskToken) are not answered by BotocoreTasks; "
                "answer them with a mock or the callback API"
            )
        elif resource.pattern:
            jobs = ", ".join(f"{s}:{a}.sync" for s, a in SYNC_JOBS)
            why = (
                f"the {resource.pattern!r} pattern is not supported by BotocoreTasks for this "
                f"resource (it answers {jobs})"
            )
        else:
            optimized = ", ".join(f"{s}:{a}" for s, a in (*OPTIMIZED_INTEGRATIONS, _LAMBDA_KEY))
            why = (
                "BotocoreTasks answers aws-sdk resources, Lambda function ARNs and the "
                f"optimized integrations {optimized}"
            )
        raise UnmockedTaskError(
            f"Task state {request.state_name!r} uses {resource.arn!r}: {why}; "
            "pass fallback= for other resources"
        )


# --------------------------------------------------------------------------- calling


def _call(client: Any, operation: str, params: Any, request: TaskRequest) -> dict[str, Any]:
    try:
        response: dict[str, Any] = client._make_api_call(operation, params)
    except ParamValidationError as exc:
        raise MockError(
            f"Task state {request.state_name!r}: botocore rejected the parameters of "
            f"{request.resource.arn!r}: {exc}"
        ) from None
    return response


def _without_metadata(response: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in response.items() if key != "ResponseMetadata"}


def _member_lookup(shape: Any) -> dict[str, str]:
    """Step Functions spellings of a structure's members -> botocore member name."""
    lookup: dict[str, str] = {}
    for member in shape.members:
        lookup[member] = member
        lookup.setdefault(member[:1].upper() + member[1:], member)
        lookup.setdefault("EqualsValue" if member == "Equals" else java_pascal_case(member), member)
    return lookup


def _to_botocore(shape: Any, value: JSON) -> Any:
    """Rename Java-spelled members to the botocore spelling, following the input shape."""
    if shape is None or value is None:
        return (
            {} if value is None and shape is not None and shape.type_name == "structure" else value
        )
    if getattr(shape, "is_document_type", False):
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        lookup = _member_lookup(shape)
        converted: dict[str, Any] = {}
        for key, item in value.items():
            member = lookup.get(key)
            if member is None:
                converted[key] = item  # botocore reports the unknown parameter
            else:
                converted[member] = _to_botocore(shape.members[member], item)
        return converted
    if kind == "list" and isinstance(value, list):
        return [_to_botocore(shape.member, item) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {key: _to_botocore(shape.value, item) for key, item in value.items()}
    return value


def _pascal_members(shape: Any, value: Any) -> Any:
    """Upper-case the first letter of every structure member, following the output shape."""
    if shape is None or value is None or getattr(shape, "is_document_type", False):
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        return {
            key[:1].upper() + key[1:]: _pascal_members(members.get(key), item)
            for key, item in value.items()
        }
    if kind == "list" and isinstance(value, list):
        return [_pascal_members(shape.member, item) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {key: _pascal_members(shape.value, item) for key, item in value.items()}
    return value


def _encode_optimized(integration: OptimizedIntegration, params: dict[str, Any]) -> dict[str, Any]:
    """Serialize the JSON members Step Functions sends as text."""
    params = dict(params)
    if integration.operation == "SendMessage" and "MessageBody" in params:
        params["MessageBody"] = _as_text(params["MessageBody"])
    elif integration.operation == "Publish" and "Message" in params:
        params["Message"] = _as_text(params["Message"])
    elif integration.operation == "PutEvents" and isinstance(params.get("Entries"), list):
        params["Entries"] = [
            {**entry, "Detail": _as_text(entry["Detail"])}
            if isinstance(entry, dict) and "Detail" in entry
            else entry
            for entry in params["Entries"]
        ]
    return params


def _as_text(value: JSON) -> JSON:
    return value if isinstance(value, str) else dump_compact(value)


def _invoke_params(request: TaskRequest, optimized: bool) -> dict[str, Any]:
    """The ``Invoke`` request Step Functions sends: the payload is JSON text."""
    if not optimized:
        return {"FunctionName": request.resource.arn, "Payload": dump_compact(request.parameters)}
    params = request.parameters
    if not isinstance(params, dict) or not isinstance(params.get("FunctionName"), str):
        raise MockError(
            f"Task state {request.state_name!r}: lambda:invoke needs a FunctionName string "
            f"parameter, got parameters {_short(params)}"
        )
    return {**params, "Payload": dump_compact(params.get("Payload", {}))}


def _invoke_response(
    request: TaskRequest, params: Mapping[str, Any], response: Mapping[str, Any]
) -> InvokeResponse:
    """What ``Invoke`` returned, with the ids LambdaHandlers would use where it has none."""
    name = str(params["FunctionName"])
    qualifier = params.get("Qualifier")
    try:
        ref = parse_function(name)
    except ValueError:
        ref = None
    if isinstance(qualifier, str) and ref is not None and ref.qualifier is None:
        name = f"{ref.name}:{qualifier}"
    elif ref is not None:
        qualifier = ref.qualifier
    metadata = response.get("ResponseMetadata", {})
    headers = {str(k).lower(): str(v) for k, v in (metadata.get("HTTPHeaders") or {}).items()}
    request_id = metadata.get("RequestId") or headers.get("x-amzn-requestid")
    body = _body_bytes(response.get("Payload"))
    version = response.get("ExecutedVersion")
    return InvokeResponse(
        status_code=int(response.get("StatusCode", 200)),
        payload=body.decode("utf-8", errors="replace") if body else None,
        executed_version=str(version) if version else executed_version(qualifier),
        request_id=str(request_id) if request_id else invocation_request_id(request, name),
        date=response_date(request),
        trace_id=headers.get("x-amzn-trace-id"),
        log_result=response.get("LogResult"),
        function_error=response.get("FunctionError"),
    )


def _body_bytes(payload: Any) -> bytes:
    """A response body: a streaming body (read), bytes or text (a Stubber response)."""
    read = getattr(payload, "read", None)
    data = read() if callable(read) else payload
    if isinstance(data, str):
        return data.encode()
    return bytes(data) if data else b""


# --------------------------------------------------------------------------- results


def _timestamp(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    value = value.astimezone(timezone.utc)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text + "Z"


def to_json(value: Any) -> Any:
    """A botocore response value as JSON (see the module docstring for the conversions).

    Args:
        value: a parsed botocore response or part of it.

    Returns:
        The value with datetimes, bytes, streaming bodies and decimals converted.
    """
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    if isinstance(value, datetime):
        return _timestamp(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    read = getattr(value, "read", None)
    if callable(read):
        data = read()
        if isinstance(data, (bytes, bytearray)):
            try:
                return bytes(data).decode("utf-8")
            except UnicodeDecodeError:
                return base64.b64encode(bytes(data)).decode("ascii")
        return data
    return value


def _http_metadata(metadata: Mapping[str, Any]) -> dict[str, Any]:
    headers = {str(k): str(v) for k, v in (metadata.get("HTTPHeaders") or {}).items()}
    return {
        "AllHttpHeaders": {key: [value] for key, value in headers.items()},
        "HttpHeaders": headers,
        "HttpStatusCode": int(metadata.get("HTTPStatusCode", 200)),
    }


def _request_id(metadata: Mapping[str, Any], request: TaskRequest) -> str:
    """The service's request id, or a deterministic one when the response has none."""
    found = metadata.get("RequestId")
    if isinstance(found, str) and found:
        return found
    context = request.context if isinstance(request.context, dict) else {}
    execution = context.get("Execution", {})
    execution_id = execution.get("Id", "") if isinstance(execution, dict) else ""
    seed = f"{execution_id}|{request.state_name}|{request.invocation}|{request.attempt}"
    return str(uuid.UUID(bytes=hashlib.sha256(seed.encode()).digest()[:16], version=4))


# --------------------------------------------------------------------------- errors


@dataclass(frozen=True, slots=True)
class _ServiceError:
    code: str
    message: str
    status: int
    request_id: str
    shape: str | None  # the declared error shape the code belongs to


def _service_error(client: Any, exc: ClientError, request: TaskRequest) -> _ServiceError:
    error = exc.response.get("Error", {})
    metadata = exc.response.get("ResponseMetadata", {})
    code = str(error.get("Code", "")) or "Unknown"
    status = int(metadata.get("HTTPStatusCode") or 400)
    shape: str | None = None
    for error_shape in client.meta.service_model.error_shapes:
        declared = error_shape.metadata.get("error", {}).get("code") or error_shape.name
        if code in (declared, error_shape.name):
            shape = error_shape.name
            break
    message = str(error.get("Message", "") or error.get("message", "") or "")
    return _ServiceError(code, message, status, _request_id(metadata, request), shape)


def _sdk_failure(
    op: SdkOperation, client: Any, exc: ClientError, request: TaskRequest
) -> TaskOutcome:
    err = _service_error(client, exc, request)
    name = sdk_error_name(op, err.shape if err.shape else op.error_prefix)
    cause = (
        f"{err.message} (Service: {op.error_prefix}, Status Code: {err.status}, "
        f"Request ID: {err.request_id})"
    )
    return TaskOutcome(failed=True, error=name, cause=cause)


def _optimized_failure(
    integration: OptimizedIntegration, client: Any, exc: ClientError, request: TaskRequest
) -> TaskOutcome:
    err = _service_error(client, exc, request)
    exception = (
        err.shape if err.shape and err.shape.endswith("Exception") else integration.base_exception
    )
    cause = optimized_error_cause(
        err.message,
        service=integration.java_service,
        status=err.status,
        code=err.code,
        request_id=err.request_id,
    )
    return TaskOutcome(failed=True, error=f"{integration.error_prefix}.{exception}", cause=cause)


def _short(value: JSON) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 80 else text[:77] + "..."
