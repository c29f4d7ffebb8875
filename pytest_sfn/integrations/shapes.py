"""Which botocore shape a Task's result has, and AWS's mock result validation against it.

TestState validates a mocked ``result`` against the API model of the integration
(aws-spec.md §1.7). :func:`output_shape_for` says which shape that is for a Task ``Resource``:

* ``arn:aws:states:::aws-sdk:<service>:<action>``: the output of that operation.
* optimized integrations (:data:`OPTIMIZED_APIS`): the output of the API they call
  (``lambda:invoke`` -> Lambda ``Invoke``, ``bedrock:invokeModel`` -> bedrock-runtime
  ``InvokeModel``, ``elasticmapreduce:createCluster`` -> EMR ``RunJobFlow``...).
* ``.sync`` / ``.sync:2``: the output of the *polling* API, as AWS documents
  (``states:startExecution.sync`` -> ``DescribeExecution``, ``ecs:runTask.sync`` ->
  ``DescribeTasks``, ``glue:startJobRun.sync`` -> ``GetJobRun``, ``batch:submitJob.sync`` ->
  ``DescribeJobs``, ``athena:startQueryExecution.sync`` -> ``GetQueryExecution``,
  ``bedrock:createModelCustomizationJob.sync`` -> ``GetModelCustomizationJob``). For ECS, Glue
  and Batch the real ``.sync`` result is the *element* (one task, job run or job) at the top
  level; validated against the polling response, whose members it does not share, such a
  result always passes (unknown fields are ignored), which is the lenient reading of the
  documentation (UNCONFIRMED which of the two AWS uses).
* ``None`` (nothing is validated): ``http:invoke``, ``apigateway:invoke``, ``eks:call`` and
  ``eks:runJob`` (AWS skips them, §1.7); ``.waitForTaskToken`` tasks (the result is whatever
  ``SendTaskSuccess`` sends); bare Lambda function ARNs (the result is the function's own
  output, any JSON); activities; resources that are not recognized.

:func:`validate_result` applies ``fieldValidationMode`` (``STRICT``, ``PRESENT``, ``NONE``) and
returns the details in AWS's wording (``Field 'Entries' must be an array``, ``Required field
'ExecutionArn' is missing``...); callers prefix them with :data:`MOCK_RESULT_ERROR_PREFIX`.
Members Step Functions itself turns into JSON (``Payload`` of ``lambda:invoke``, ``Body`` of
``bedrock:invokeModel``, ``Output`` of ``states:startExecution.sync:2``) accept any JSON.

:func:`validate_parameters` checks a Task's ``Parameters``/``Arguments`` against the input
shape (unknown members, missing required members, wrong literal types; ``.$`` keys and
``{% %}`` values are dynamic and skipped), for AWS SDK integrations and the optimized
integrations in :data:`OPTIMIZED_APIS` that declare an input check.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pytest_sfn._types import JSON
from pytest_sfn.errors import Diagnostic
from pytest_sfn.integrations.aws_sdk import (
    SDK_RESOURCE_PREFIX,
    ResultMode,
    UnknownSdkResource,
    check_parameters,
    java_pascal_case,
    resolve_sdk_resource,
    service_model,
)
from pytest_sfn.model.resource import Resource

__all__ = [
    "MOCK_RESULT_ERROR_PREFIX",
    "OPTIMIZED_APIS",
    "OptimizedApi",
    "check_result",
    "output_operation",
    "output_shape_for",
    "validate_parameters",
    "validate_result",
]

#: How AWS prefixes every detail :func:`validate_result` returns (``ValidationException``).
MOCK_RESULT_ERROR_PREFIX = "Mock result schema validation error: "

_NO_NAMES: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class OptimizedApi:
    """One optimized integration API (``arn:aws:states:::<service>:<api>``).

    Attributes:
        botocore_service: the botocore service it calls (``None``: no API model applies, as
            for ``http:invoke``; such results and parameters are not validated).
        operation: the botocore operation (``RunJobFlow`` for ``elasticmapreduce:createCluster``).
        sync: ``(botocore service, operation)`` of the polling API when ``.sync`` is
            supported; ``()`` when ``.sync`` is supported but not validated; ``None`` when
            ``.sync`` is not supported.
        sync2: ``.sync:2`` is supported (``states:startExecution`` only).
        result_json: top-level result members Step Functions turns into JSON (not checked).
        result_optional: required output members not enforced (not returned by Step
            Functions, or UNCONFIRMED that it returns them).
        params: whether :func:`validate_parameters` checks the parameters.
        params_json: top-level parameters that take any JSON (Step Functions serializes them).
        params_extra: top-level parameters Step Functions adds to the API's input.
    """

    botocore_service: str | None
    operation: str | None
    sync: tuple[str, str] | tuple[()] | None = None
    sync2: bool = False
    result_json: frozenset[str] = _NO_NAMES
    result_optional: frozenset[str] = _NO_NAMES
    params: bool = False
    params_json: frozenset[str] = _NO_NAMES
    params_extra: frozenset[str] = _NO_NAMES


def _api(
    service: str | None,
    operation: str | None,
    sync: tuple[str, str] | tuple[()] | None = None,
    **more: Any,
) -> OptimizedApi:
    return OptimizedApi(service, operation, sync, **more)


def _names(*names: str) -> frozenset[str]:
    return frozenset(names)


_UNCHECKED = _api(None, None)
_EMR = "emr"
_EMR_EKS = "emr-containers"
_EMR_SLS = "emr-serverless"
_SM = "sagemaker"
_CB = "codebuild"

#: Every optimized integration (AWS "Integrating optimized services" list): ``(service in the
#: resource, api)`` -> what it calls. A resource naming anything else under
#: ``arn:aws:states:::`` is not recognized by AWS.
OPTIMIZED_APIS: Mapping[tuple[str, str], OptimizedApi] = {
    ("lambda", "invoke"): _api(
        "lambda", "Invoke", result_json=_names("Payload"), params=True,
        params_json=_names("Payload", "ClientContext"),
    ),
    ("dynamodb", "getItem"): _api("dynamodb", "GetItem", params=True),
    ("dynamodb", "putItem"): _api("dynamodb", "PutItem", params=True),
    ("dynamodb", "updateItem"): _api("dynamodb", "UpdateItem", params=True),
    ("dynamodb", "deleteItem"): _api("dynamodb", "DeleteItem", params=True),
    ("sqs", "sendMessage"): _api(
        "sqs", "SendMessage", params=True, params_json=_names("MessageBody")
    ),
    ("sns", "publish"): _api("sns", "Publish", params=True, params_json=_names("Message")),
    ("events", "putEvents"): _api("events", "PutEvents", params=True),
    ("states", "startExecution"): _api(
        "stepfunctions", "StartExecution", ("stepfunctions", "DescribeExecution"), sync2=True,
        params=True, params_json=_names("Input"),
    ),
    ("ecs", "runTask"): _api("ecs", "RunTask", ("ecs", "DescribeTasks"), params=True),
    ("glue", "startJobRun"): _api("glue", "StartJobRun", ("glue", "GetJobRun"), params=True),
    ("batch", "submitJob"): _api("batch", "SubmitJob", ("batch", "DescribeJobs"), params=True),
    ("athena", "startQueryExecution"): _api(
        "athena", "StartQueryExecution", ("athena", "GetQueryExecution"), params=True
    ),
    ("athena", "stopQueryExecution"): _api("athena", "StopQueryExecution", params=True),
    ("athena", "getQueryExecution"): _api("athena", "GetQueryExecution", params=True),
    ("athena", "getQueryResults"): _api("athena", "GetQueryResults", params=True),
    ("bedrock", "invokeModel"): _api(
        "bedrock-runtime", "InvokeModel", result_json=_names("Body"),
        result_optional=_names("contentType"), params=True, params_json=_names("Body"),
        params_extra=_names("Input", "Output"),
    ),
    ("bedrock", "createModelCustomizationJob"): _api(
        "bedrock", "CreateModelCustomizationJob", ("bedrock", "GetModelCustomizationJob"),
        params=True,
    ),
    ("http", "invoke"): _UNCHECKED,
    ("apigateway", "invoke"): _UNCHECKED,
    ("eks", "call"): _UNCHECKED,
    ("eks", "runJob"): _api(None, None, ()),
    ("eks", "createCluster"): _api("eks", "CreateCluster", ("eks", "DescribeCluster")),
    ("eks", "deleteCluster"): _api("eks", "DeleteCluster", ("eks", "DescribeCluster")),
    ("eks", "createFargateProfile"): _api(
        "eks", "CreateFargateProfile", ("eks", "DescribeFargateProfile")
    ),
    ("eks", "deleteFargateProfile"): _api(
        "eks", "DeleteFargateProfile", ("eks", "DescribeFargateProfile")
    ),
    ("eks", "createNodegroup"): _api("eks", "CreateNodegroup", ("eks", "DescribeNodegroup")),
    ("eks", "deleteNodegroup"): _api("eks", "DeleteNodegroup", ("eks", "DescribeNodegroup")),
    ("elasticmapreduce", "createCluster"): _api(_EMR, "RunJobFlow", (_EMR, "DescribeCluster")),
    ("elasticmapreduce", "terminateCluster"): _api(
        _EMR, "TerminateJobFlows", (_EMR, "DescribeCluster")
    ),
    ("elasticmapreduce", "addStep"): _api(_EMR, "AddJobFlowSteps", (_EMR, "DescribeStep")),
    ("elasticmapreduce", "cancelStep"): _api(_EMR, "CancelSteps"),
    ("elasticmapreduce", "setClusterTerminationProtection"): _api(
        _EMR, "SetTerminationProtection"
    ),
    ("elasticmapreduce", "modifyInstanceFleetByName"): _api(_EMR, "ModifyInstanceFleet"),
    ("elasticmapreduce", "modifyInstanceGroupByName"): _api(_EMR, "ModifyInstanceGroups"),
    ("emr-containers", "createVirtualCluster"): _api(_EMR_EKS, "CreateVirtualCluster"),
    ("emr-containers", "deleteVirtualCluster"): _api(
        _EMR_EKS, "DeleteVirtualCluster", (_EMR_EKS, "DescribeVirtualCluster")
    ),
    ("emr-containers", "startJobRun"): _api(
        _EMR_EKS, "StartJobRun", (_EMR_EKS, "DescribeJobRun")
    ),
    ("emr-serverless", "createApplication"): _api(
        _EMR_SLS, "CreateApplication", (_EMR_SLS, "GetApplication")
    ),
    ("emr-serverless", "startApplication"): _api(
        _EMR_SLS, "StartApplication", (_EMR_SLS, "GetApplication")
    ),
    ("emr-serverless", "stopApplication"): _api(
        _EMR_SLS, "StopApplication", (_EMR_SLS, "GetApplication")
    ),
    ("emr-serverless", "deleteApplication"): _api(
        _EMR_SLS, "DeleteApplication", (_EMR_SLS, "GetApplication")
    ),
    ("emr-serverless", "startJobRun"): _api(_EMR_SLS, "StartJobRun", (_EMR_SLS, "GetJobRun")),
    ("emr-serverless", "cancelJobRun"): _api(
        _EMR_SLS, "CancelJobRun", (_EMR_SLS, "GetJobRun")
    ),
    ("databrew", "startJobRun"): _api("databrew", "StartJobRun", ("databrew", "DescribeJobRun")),
    ("mediaconvert", "createJob"): _api("mediaconvert", "CreateJob", ("mediaconvert", "GetJob")),
    ("codebuild", "startBuild"): _api(_CB, "StartBuild", (_CB, "BatchGetBuilds")),
    ("codebuild", "stopBuild"): _api(_CB, "StopBuild"),
    ("codebuild", "batchDeleteBuilds"): _api(_CB, "BatchDeleteBuilds"),
    ("codebuild", "batchGetReports"): _api(_CB, "BatchGetReports"),
    ("codebuild", "startBuildBatch"): _api(_CB, "StartBuildBatch", (_CB, "BatchGetBuildBatches")),
    ("codebuild", "stopBuildBatch"): _api(_CB, "StopBuildBatch"),
    ("codebuild", "retryBuildBatch"): _api(_CB, "RetryBuildBatch", (_CB, "BatchGetBuildBatches")),
    ("codebuild", "deleteBuildBatch"): _api(_CB, "DeleteBuildBatch"),
    ("sagemaker", "createEndpoint"): _api(_SM, "CreateEndpoint"),
    ("sagemaker", "createEndpointConfig"): _api(_SM, "CreateEndpointConfig"),
    ("sagemaker", "createHyperParameterTuningJob"): _api(
        _SM, "CreateHyperParameterTuningJob", (_SM, "DescribeHyperParameterTuningJob")
    ),
    ("sagemaker", "createLabelingJob"): _api(
        _SM, "CreateLabelingJob", (_SM, "DescribeLabelingJob")
    ),
    ("sagemaker", "createModel"): _api(_SM, "CreateModel"),
    ("sagemaker", "createProcessingJob"): _api(
        _SM, "CreateProcessingJob", (_SM, "DescribeProcessingJob")
    ),
    ("sagemaker", "createTrainingJob"): _api(
        _SM, "CreateTrainingJob", (_SM, "DescribeTrainingJob")
    ),
    ("sagemaker", "createTransformJob"): _api(
        _SM, "CreateTransformJob", (_SM, "DescribeTransformJob")
    ),
    ("sagemaker", "updateEndpoint"): _api(_SM, "UpdateEndpoint"),
}  # fmt: skip

#: ``.sync:2`` Output of ``states:startExecution`` is parsed JSON.
_SYNC2_JSON = _names("Output")


# --------------------------------------------------------------------------- resolution


@dataclass(frozen=True, slots=True)
class _Target:
    botocore_service: str
    operation: str
    json_members: frozenset[str]
    optional: frozenset[str]
    sdk: bool


def _target(resource: Resource) -> _Target | None:
    """The operation whose output a Task's result has, with the integration's adjustments."""
    if resource.kind != "service" or resource.pattern == ".waitForTaskToken":
        return None
    if resource.arn.startswith(SDK_RESOURCE_PREFIX):
        try:
            op = resolve_sdk_resource(resource.arn)
        except UnknownSdkResource:
            return None
        return _Target(op.botocore_service, op.operation, _NO_NAMES, _NO_NAMES, True)
    api = OPTIMIZED_APIS.get((resource.service, resource.api))
    if api is None or api.botocore_service is None or api.operation is None:
        return None
    if resource.pattern == "":
        return _Target(
            api.botocore_service, api.operation, api.result_json, api.result_optional, False
        )
    if resource.pattern == ".sync:2" and not api.sync2:
        return None
    if not api.sync:  # None (no .sync) or () (.sync, but not validated)
        return None
    service, operation = api.sync
    json_members = _SYNC2_JSON if resource.pattern == ".sync:2" else _NO_NAMES
    return _Target(service, operation, json_members, _NO_NAMES, False)


def output_operation(resource: Resource) -> tuple[str, str] | None:
    """``(botocore service, operation)`` whose output a Task's result is validated against.

    Args:
        resource: the parsed Task ``Resource``.

    Returns:
        ``("stepfunctions", "DescribeExecution")`` for ``states:startExecution.sync``...;
        ``None`` when results of this resource are not validated (see the module docstring).
    """
    target = _target(resource)
    return None if target is None else (target.botocore_service, target.operation)


def output_shape_for(resource: Resource) -> Any | None:
    """The botocore output shape AWS validates a mocked result of this Task against.

    Args:
        resource: the parsed Task ``Resource``.

    Returns:
        A ``botocore.model.StructureShape`` (``None`` when the operation declares no output,
        and for the resources whose results are not validated: ``http:invoke``,
        ``apigateway:invoke``, ``eks:call``, ``eks:runJob``, ``.waitForTaskToken``, bare
        Lambda ARNs, activities, unrecognized resources).

    Example:
        >>> shape = output_shape_for(Resource.parse("arn:aws:states:::lambda:invoke"))
        >>> shape.name
        'InvocationResponse'
    """
    target = _target(resource)
    if target is None:
        return None
    return service_model(target.botocore_service).operation_model(target.operation).output_shape


# --------------------------------------------------------------------------- results


def _first_upper(name: str) -> str:
    return name[:1].upper() + name[1:]


@functools.cache
def _result_names(shape: Any, sdk: bool) -> Mapping[str, str]:
    """Result member spellings -> botocore member (exact case; ``executionArn`` is unknown)."""
    names: dict[str, str] = {}
    for member in shape.members:
        names.setdefault(_first_upper(member), member)
        if sdk:
            names.setdefault(java_pascal_case(member), member)
    return names


class _ResultCheck:
    """Walks a result along an output shape, collecting AWS-worded details (§1.7)."""

    def __init__(self, *, required: bool, sdk: bool) -> None:
        self.required = required
        self.sdk = sdk
        self.details: list[str] = []

    def value(self, shape: Any, value: JSON, name: str) -> None:
        if value is None or getattr(shape, "is_document_type", False):
            return
        kind = shape.type_name
        if kind == "structure":
            if not isinstance(value, dict):
                self.details.append(f"Field '{name}' must be an object")  # UNCONFIRMED
                return
            self.structure(shape, value, _NO_NAMES, _NO_NAMES)
        elif kind == "list":
            if not isinstance(value, list):
                self.details.append(f"Field '{name}' must be an array")
                return
            self._length(shape, len(value), name)
            for item in value:
                self.value(shape.member, item, name)
        elif kind == "map":
            if not isinstance(value, dict):
                self.details.append(f"Field '{name}' must be an object")  # UNCONFIRMED
                return
            for item in value.values():
                self.value(shape.value, item, name)
        elif kind in ("string", "blob", "timestamp"):
            if not isinstance(value, str):
                self.details.append(f"Field '{name}' must be a string")
                return
            enum = getattr(shape, "enum", None) or []
            if enum and value not in enum:
                self.details.append(f"Field '{name}' is not an expected value")
                return
            if kind != "timestamp":
                self._length(shape, len(value), name)
        elif kind in ("integer", "long", "float", "double"):
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                self.details.append(f"Field '{name}' must be a number")
                return
            minimum, maximum = shape.metadata.get("min"), shape.metadata.get("max")
            if minimum is not None and value < minimum:
                self.details.append(f"Field '{name}' is less than the minimum value")
            elif maximum is not None and value > maximum:
                self.details.append(f"Field '{name}' exceeds the maximum value")
        elif kind == "boolean" and not isinstance(value, bool):
            self.details.append(f"Field '{name}' must be a boolean")  # UNCONFIRMED

    def _length(self, shape: Any, length: int, name: str) -> None:
        minimum, maximum = shape.metadata.get("min"), shape.metadata.get("max")
        if minimum is not None and length < minimum:
            self.details.append(f"Field '{name}' is smaller than the minimum length")
        elif maximum is not None and length > maximum:
            self.details.append(f"Field '{name}' exceeds the maximum length")  # UNCONFIRMED

    def structure(
        self,
        shape: Any,
        value: dict[str, JSON],
        json_members: frozenset[str],
        optional: frozenset[str],
    ) -> None:
        names = _result_names(shape, self.sdk)
        present: set[str] = set()
        for key, item in value.items():
            member = names.get(key)
            if member is None or item is None:
                continue  # unknown (or wrongly cased) fields are ignored, null is absent
            present.add(member)
            if _first_upper(member) not in json_members:
                self.value(shape.members[member], item, key)
        if self.required:
            for member in shape.required_members:
                if member not in present and member not in optional:
                    spelled = java_pascal_case(member) if self.sdk else _first_upper(member)
                    self.details.append(f"Required field '{spelled}' is missing")


def check_result(
    shape: Any,
    result: JSON,
    mode: ResultMode = "STRICT",
    *,
    sdk: bool = False,
    json_members: frozenset[str] = _NO_NAMES,
    optional: frozenset[str] = _NO_NAMES,
) -> list[str]:
    """Validate a result against an output shape with a ``fieldValidationMode``.

    Args:
        shape: the botocore output shape (``None``: nothing to check).
        result: the decoded result.
        mode: ``"STRICT"`` (required members present, present members conform),
            ``"PRESENT"`` (present members conform) or ``"NONE"`` (nothing checked).
        sdk: the result of an AWS SDK integration (member names may use the Java spelling).
        json_members: top-level members that take any JSON.
        optional: required top-level botocore members not enforced.

    Returns:
        The details in AWS's words, in document order, required members last.

    Raises:
        ValueError: ``mode`` is none of the three.
    """
    if mode not in ("STRICT", "PRESENT", "NONE"):
        raise ValueError(f"unknown result validation mode {mode!r}")
    if mode == "NONE" or shape is None:
        return []
    if not isinstance(result, dict):
        return ["Mocked result must be a JSON object"]  # UNCONFIRMED wording
    check = _ResultCheck(required=mode == "STRICT", sdk=sdk)
    check.structure(shape, result, json_members, optional)
    return check.details


def validate_result(resource: Resource, result: JSON, mode: str = "STRICT") -> list[str]:
    """Validate a (mocked) Task result as TestState's ``fieldValidationMode`` does (§1.7).

    Unknown fields (and wrongly cased ones such as ``executionArn``) are ignored; ``PRESENT``
    does not report missing required fields; ``NONE`` checks nothing. Resources whose results
    are not validated (:func:`output_shape_for` is ``None``) always pass.

    Args:
        resource: the parsed Task ``Resource``.
        result: the decoded result (what the integration returns).
        mode: ``"STRICT"``, ``"PRESENT"`` or ``"NONE"``.

    Returns:
        Details such as ``Field 'Entries' must be an array``; prefix them with
        :data:`MOCK_RESULT_ERROR_PREFIX` for AWS's ``ValidationException`` message. ``[]``
        when the result conforms.

    Raises:
        ValueError: ``mode`` is none of the three.

    Example:
        >>> validate_result(Resource.parse("arn:aws:states:::events:putEvents"), {"Entries": 1})
        ["Field 'Entries' must be an array"]
    """
    if mode not in ("STRICT", "PRESENT", "NONE"):
        raise ValueError(f"unknown result validation mode {mode!r}")
    target = _target(resource)
    if target is None:
        return []
    shape = service_model(target.botocore_service).operation_model(target.operation).output_shape
    return check_result(
        shape,
        result,
        mode,  # type: ignore[arg-type]
        sdk=target.sdk,
        json_members=target.json_members,
        optional=target.optional,
    )


# --------------------------------------------------------------------------- parameters


def validate_parameters(
    resource: Resource, parameters: JSON, pointer: str = ""
) -> list[tuple[str, str]]:
    """Check a Task's ``Parameters``/``Arguments`` against the API's input shape.

    Args:
        resource: the parsed Task ``Resource``.
        parameters: the ``Parameters`` (or ``Arguments``) value; ``None`` when absent.
        pointer: the JSON pointer of ``parameters`` in the definition.

    Returns:
        ``(pointer, message)`` per problem (unknown member, missing required member, wrong
        literal type); ``[]`` for resources that are not checked (see :data:`OPTIMIZED_APIS`).
    """
    return [
        (d.location, d.message + d.hint)
        for d in parameter_diagnostics(resource, parameters, pointer)
    ]


def parameter_diagnostics(resource: Resource, parameters: JSON, pointer: str) -> list[Diagnostic]:
    """:func:`validate_parameters` as ``SCHEMA_VALIDATION_FAILED`` diagnostics (errors)."""
    if resource.kind != "service":
        return []
    if resource.arn.startswith(SDK_RESOURCE_PREFIX):
        try:
            op = resolve_sdk_resource(resource.arn)
        except UnknownSdkResource:
            return []
        shape = service_model(op.botocore_service).operation_model(op.operation).input_shape
        return check_parameters(shape, parameters, pointer)
    api = OPTIMIZED_APIS.get((resource.service, resource.api))
    if api is None or not api.params or api.botocore_service is None or api.operation is None:
        return []
    shape = service_model(api.botocore_service).operation_model(api.operation).input_shape
    return check_parameters(
        shape, parameters, pointer, json_members=api.params_json, extra=api.params_extra
    )
