"""AWS SDK integrations: ``arn:aws:states:::aws-sdk:<service>:<action>[.waitForTaskToken]``.

Resolution, error naming and shape checks against the botocore service models.

Naming (aws-spec.md §5.18):

* The *service name* in the resource is the lowercase name of the AWS SDK for Java 2.x client
  (``sfn``, ``eventbridge``, ``acmpca``, ``bedrockruntime``...). For almost every service that is
  the botocore name without hyphens (``acm-pca`` -> ``acmpca``); :data:`SERVICE_EXCEPTIONS` lists
  the services whose Java name differs (``sfn`` -> ``stepfunctions``, ``eventbridge`` ->
  ``events``...). The table is derived from the ``serviceId`` of each botocore model and a test
  checks it still matches the installed botocore.
* The *action* is the operation name in camelCase (``putItem`` -> ``PutItem``).
* *Parameter and result members* are PascalCase, in the Java spelling: ``DBInstanceIdentifier`` is
  ``DbInstanceIdentifier`` and a member named ``Equals`` is ``EqualsValue``. Because the exact Java
  spelling of some acronyms is not confirmed, the botocore spelling (first letter upper-cased) is
  accepted too.
* *Errors* are ``<ServicePrefix>.<ErrorCode>``: the prefix is the PascalCase Java client name
  (``DynamoDb``, ``S3``, ``Sfn``, ``SecretsManager``, ``AcmPca``) and ``Exception`` is appended
  to an error code that does not already end with it (``NoSuchKey`` -> ``S3.NoSuchKeyException``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import botocore.session

from pytest_sfn._types import JSON
from pytest_sfn.errors import Diagnostic, SfnError, did_you_mean

__all__ = [
    "REQUEST_RESPONSE",
    "SDK_RESOURCE_PREFIX",
    "SERVICE_EXCEPTIONS",
    "WAIT_FOR_TASK_TOKEN",
    "SdkOperation",
    "UnknownSdkResource",
    "check_parameters",
    "java_pascal_case",
    "optimized_error_cause",
    "resolve_sdk_resource",
    "sdk_error_name",
    "sdk_service_names",
    "service_model",
    "validate_sdk_parameters",
    "validate_sdk_result",
]

#: Every AWS SDK integration resource starts with this.
SDK_RESOURCE_PREFIX = "arn:aws:states:::aws-sdk:"
#: Integration pattern without a suffix.
REQUEST_RESPONSE = "REQUEST_RESPONSE"
#: Integration pattern of the ``.waitForTaskToken`` suffix (the only suffix SDK integrations allow).
WAIT_FOR_TASK_TOKEN = "WAIT_FOR_TASK_TOKEN"

#: Step Functions service name -> botocore service name, where the Java client name is not
#: the botocore name without hyphens.
SERVICE_EXCEPTIONS: Mapping[str, str] = {
    "applicationdiscovery": "discovery",
    "cloudwatchlogs": "logs",
    "cognitoidentityprovider": "cognito-idp",
    "costandusagereport": "cur",
    "costexplorer": "ce",
    "databasemigration": "dms",
    "directory": "ds",
    "directoryservicedata": "ds-data",
    "elasticloadbalancing": "elb",
    "elasticloadbalancingv2": "elbv2",
    "elasticsearch": "es",
    "eventbridge": "events",
    "iotdataplane": "iot-data",
    "iotjobsdataplane": "iot-jobs-data",
    "lexmodelbuilding": "lex-models",
    "lexmodelsv2": "lexv2-models",
    "lexruntimev2": "lexv2-runtime",
    "marketplacemetering": "meteringmarketplace",
    "migrationhub": "mgh",
    "serverlessapplicationrepository": "serverlessrepo",
    "sfn": "stepfunctions",
    "simpledb": "sdb",
}

#: Members whose Java name differs from the botocore name beyond casing (AWS docs: "API fields
#: for equals will be referred to in your state machines as: EqualsValue").
_MEMBER_RENAMES: Mapping[str, str] = {"Equals": "EqualsValue"}

SCHEMA_VALIDATION_FAILED = "SCHEMA_VALIDATION_FAILED"

ResultMode = Literal["STRICT", "PRESENT", "NONE"]


class UnknownSdkResource(SfnError):
    """An ``aws-sdk`` resource names a service or action botocore does not know."""

    def __init__(self, resource: str, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.resource = resource
        self.message = message
        #: the problem without the resource (``unknown action 'getObjec' for 's3' (did you
        #: mean 'getObject'?)``), for messages that already show the resource
        self.reason = reason or message


@dataclass(frozen=True, slots=True)
class SdkOperation:
    """One resolved ``aws-sdk`` resource.

    Attributes:
        service_name: The Step Functions service name from the resource (``sfn``).
        botocore_service: The botocore service name (``stepfunctions``).
        operation: The botocore operation name (``StartExecution``).
        error_prefix: The error name prefix (``Sfn``), see :func:`sdk_error_name`.
        pattern: :data:`REQUEST_RESPONSE` or :data:`WAIT_FOR_TASK_TOKEN`.
    """

    service_name: str
    botocore_service: str
    operation: str
    error_prefix: str
    pattern: str = REQUEST_RESPONSE


# --------------------------------------------------------------------------- naming


def _split_words(text: str) -> list[str]:
    """Split an identifier or a service id into words, as the Java SDK code generator does."""
    text = re.sub(r"[^A-Za-z0-9]+", " ", text)
    # A standalone version marker ("Balancing v2") stays a word of its own.
    text = re.sub(r"([^a-z]{2,})v([0-9]+)", r"\1 v\2 ", text)
    text = re.sub(r"([^A-Z]{2,})V([0-9]+)", r"\1 V\2 ", text)
    # camelCase boundaries, then the end of an acronym ("DBInstance" -> "DB Instance").
    text = re.sub(r"(?<=[a-z])(?=[A-Z][a-zA-Z0-9])", " ", text)
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", text)
    text = re.sub(r"([0-9])([a-zA-Z])", r"\1 \2", text)
    return text.split()


def java_pascal_case(text: str) -> str:
    """PascalCase in the AWS SDK for Java 2.x spelling.

    Args:
        text: An identifier (``DBInstanceIdentifier``) or a service id (``ACM PCA``).

    Returns:
        ``DbInstanceIdentifier``, ``AcmPca``, ``DynamoDb``, ``Ec2``...
    """
    return "".join(word[:1].upper() + word[1:].lower() for word in _split_words(text))


def _client_name(service_id: str) -> str:
    """The Java client name of a botocore ``serviceId`` (``Database Migration Service`` -> ...)."""
    name = java_pascal_case(service_id)
    for prefix in ("Amazon", "Aws"):
        if name.startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix) :]
    if name.endswith("Service") and len(name) > len("Service"):
        name = name[: -len("Service")]
    return name


@functools.cache
def _session() -> Any:
    return botocore.session.get_session()


@functools.cache
def service_model(botocore_service: str) -> Any:
    """The botocore ``ServiceModel`` of a service (cached; one shared botocore session).

    Args:
        botocore_service: the botocore service name (``stepfunctions``).
    """
    return _session().get_service_model(botocore_service)


@functools.cache
def sdk_service_names() -> Mapping[str, str]:
    """Every Step Functions service name botocore knows, mapped to its botocore name.

    Returns:
        ``{"sfn": "stepfunctions", "dynamodb": "dynamodb", "acmpca": "acm-pca", ...}``.
    """
    shadowed = set(SERVICE_EXCEPTIONS.values())
    names: dict[str, str] = {}
    for botocore_name in _session().get_available_services():
        if botocore_name not in shadowed:
            names.setdefault(botocore_name.replace("-", ""), botocore_name)
    available = set(_session().get_available_services())
    names.update({k: v for k, v in SERVICE_EXCEPTIONS.items() if v in available})
    return names


def _unknown_service_hint(service: str, known: Mapping[str, str]) -> str:
    by_botocore = {v: k for k, v in known.items()}
    if service in by_botocore:  # a botocore name such as "stepfunctions"
        return f" (did you mean {by_botocore[service]!r}?)"
    normalised = service.replace("-", "").replace("_", "").lower()
    if normalised != service and normalised in known:
        return f" (did you mean {normalised!r}?)"
    return did_you_mean(service, known)


def resolve_sdk_resource(resource_arn: str) -> SdkOperation:
    """Resolve ``arn:aws:states:::aws-sdk:<service>:<action>[.waitForTaskToken]``.

    Args:
        resource_arn: The Task ``Resource``.

    Returns:
        The resolved operation, with the error prefix of the service.

    Raises:
        UnknownSdkResource: The resource is malformed, names a service or an action botocore does
            not know, or uses a pattern SDK integrations do not support.
    """
    if not resource_arn.startswith(SDK_RESOURCE_PREFIX):
        raise UnknownSdkResource(resource_arn, f"not an AWS SDK resource: {resource_arn!r}")
    rest = resource_arn[len(SDK_RESOURCE_PREFIX) :]
    service, sep, action = rest.partition(":")
    if not sep or not service or not action:
        raise UnknownSdkResource(
            resource_arn,
            f"malformed AWS SDK resource {resource_arn!r}: expected "
            f"'{SDK_RESOURCE_PREFIX}<service>:<action>'",
            f"expected '{SDK_RESOURCE_PREFIX}<service>:<action>'",
        )
    pattern = REQUEST_RESPONSE
    if "." in action:
        action, _, suffix = action.partition(".")
        if suffix != "waitForTaskToken":
            raise UnknownSdkResource(
                resource_arn,
                f"unsupported integration pattern '.{suffix}' in {resource_arn!r}: AWS SDK "
                "integrations support only '.waitForTaskToken'",
                f"AWS SDK integrations support only '.waitForTaskToken', not '.{suffix}'",
            )
        pattern = WAIT_FOR_TASK_TOKEN
    known = sdk_service_names()
    if service not in known:
        hint = _unknown_service_hint(service, known)
        raise UnknownSdkResource(
            resource_arn,
            f"unknown AWS SDK service {service!r} in {resource_arn!r}" + hint,
            f"unknown AWS SDK service {service!r}" + hint,
        )
    botocore_service = known[service]
    model = service_model(botocore_service)
    operations = {name[:1].lower() + name[1:]: name for name in model.operation_names}
    if action not in operations:
        hint = did_you_mean(action, operations)
        if not hint and action[:1].lower() + action[1:] in operations:
            hint = f" (did you mean {action[:1].lower() + action[1:]!r}?)"
        raise UnknownSdkResource(
            resource_arn,
            f"unknown action {action!r} for AWS SDK service {service!r} in {resource_arn!r}" + hint,
            f"unknown action {action!r} for AWS SDK service {service!r}" + hint,
        )
    operation_model = model.operation_model(operations[action])
    if operation_model.has_event_stream_output or operation_model.has_event_stream_input:
        raise UnknownSdkResource(
            resource_arn,
            f"the streaming action {action!r} of {service!r} in {resource_arn!r} is not "
            "supported by AWS SDK integrations",
            f"the streaming action {action!r} of {service!r} is not supported by AWS SDK "
            "integrations",
        )
    return SdkOperation(
        service_name=service,
        botocore_service=botocore_service,
        operation=operations[action],
        error_prefix=_client_name(model.metadata.get("serviceId") or botocore_service),
        pattern=pattern,
    )


def sdk_error_name(operation: SdkOperation, exception_code: str) -> str:
    """The ASL error name of a service error raised by an AWS SDK integration.

    ``Exception`` is appended when the service's error code lacks it, as AWS documents for
    SDK integrations (S3's ``NoSuchKey`` is caught as ``S3.NoSuchKeyException``).

    Args:
        operation: The resolved operation.
        exception_code: The service error code (``ResourceNotFoundException``, ``NoSuchKey``).

    Returns:
        ``DynamoDb.ResourceNotFoundException``, ``S3.NoSuchKeyException``...
    """
    code = exception_code if exception_code.endswith("Exception") else exception_code + "Exception"
    return f"{operation.error_prefix}.{code}"


def optimized_error_cause(
    message: str, *, service: str, status: int, code: str, request_id: str
) -> str:
    """The cause of a service error in an optimized integration (AWS SDK for Java 1.x shape).

    Args:
        message: The service's error message.
        service: The Java 1.x service name (``AWSLambda``, ``AmazonDynamoDBv2``).
        status: The HTTP status code.
        code: The service error code (``ResourceNotFoundException``).
        request_id: The request id.

    Returns:
        ``<message> (Service: AWSLambda; Status Code: 404; Error Code: ...; Request ID: ...;
        Proxy: null)``.
    """
    return (
        f"{message} (Service: {service}; Status Code: {status}; Error Code: {code}; "
        f"Request ID: {request_id}; Proxy: null)"
    )


# --------------------------------------------------------------------------- shapes


def _member_names(shape: Any) -> dict[str, str]:
    """Accepted Step Functions member names of a structure shape -> botocore member name."""
    names: dict[str, str] = {}
    for member in shape.members:
        java = _MEMBER_RENAMES.get(member, java_pascal_case(member))
        names[java] = member
        names.setdefault(member[:1].upper() + member[1:], member)
    return names


def _canonical(member: str) -> str:
    return _MEMBER_RENAMES.get(member, java_pascal_case(member))


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _is_jsonata(value: JSON) -> bool:
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")


def _json_type(value: JSON) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, (int, float)):
        return "NUMBER"
    if isinstance(value, str):
        return "STRING"
    if isinstance(value, list):
        return "ARRAY"
    return "OBJECT"


def _article(type_name: str) -> str:
    return f"{'an' if type_name[0] in 'AEIOU' else 'a'} {type_name}"


def _expected_type(shape: Any) -> str:
    """The JSON type name a shape expects, for messages."""
    kind = shape.type_name
    if kind in ("string", "blob", "timestamp"):
        return "STRING"
    if kind in ("integer", "long"):
        return "INTEGER"
    if kind in ("float", "double"):
        return "NUMBER"
    if kind == "boolean":
        return "BOOLEAN"
    if kind == "list":
        return "ARRAY"
    return "OBJECT"


def _scalar_ok(shape: Any, value: JSON) -> bool:
    kind = shape.type_name
    if kind in ("string", "blob"):
        return isinstance(value, str)
    if kind == "timestamp":
        # ISO-8601 strings; epoch seconds are also accepted by the SDK's JSON parser.
        return isinstance(value, (str, int, float)) and not isinstance(value, bool)
    if kind in ("integer", "long"):
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if kind in ("float", "double"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    return True


class _Walker:
    """Walks a JSON value along a botocore shape and collects problems."""

    def __init__(
        self,
        *,
        dynamic_keys: bool,
        check_required: bool,
        check_unknown: bool,
        unknown_message: str = 'The field "{name}" is not supported by Step Functions',
    ) -> None:
        self.unknown_message = unknown_message
        self.dynamic_keys = dynamic_keys
        self.check_required = check_required
        self.check_unknown = check_unknown
        self.problems: list[tuple[str, str, str]] = []  # (message, pointer, hint)

    def value(self, shape: Any, value: JSON, pointer: str, name: str) -> None:
        if value is None or (self.dynamic_keys and _is_jsonata(value)):
            return
        if getattr(shape, "is_document_type", False):
            return
        kind = shape.type_name
        if kind == "structure":
            if not isinstance(value, dict):
                self._type_error(shape, value, pointer, name)
                return
            self.structure(shape, value, pointer)
        elif kind == "list":
            if not isinstance(value, list):
                self._type_error(shape, value, pointer, name)
                return
            for index, item in enumerate(value):
                self.value(shape.member, item, f"{pointer}/{index}", name)
        elif kind == "map":
            if not isinstance(value, dict):
                self._type_error(shape, value, pointer, name)
                return
            for key, item in value.items():
                if self.dynamic_keys and key.endswith(".$"):
                    continue
                self.value(shape.value, item, f"{pointer}/{_escape(key)}", name)
        elif not _scalar_ok(shape, value):
            self._type_error(shape, value, pointer, name)

    def structure(
        self,
        shape: Any,
        value: dict[str, JSON],
        pointer: str,
        json_members: frozenset[str] = frozenset(),
        extra: frozenset[str] = frozenset(),
    ) -> None:
        accepted = _member_names(shape)
        present: set[str] = set()
        for key, item in value.items():
            dynamic = self.dynamic_keys and key.endswith(".$")
            name = key[:-2] if dynamic else key
            if name in extra:
                continue
            member = accepted.get(name)
            if member is None:
                if self.check_unknown:
                    canonical = sorted({_canonical(m) for m in shape.members})
                    self.problems.append(
                        (
                            self.unknown_message.format(name=name),
                            pointer,
                            did_you_mean(name, canonical),
                        )
                    )
                continue
            present.add(member)
            if not dynamic and name not in json_members:
                self.value(shape.members[member], item, f"{pointer}/{_escape(key)}", name)
        if self.check_required:
            for member in getattr(shape, "required_members", []):
                if member not in present:
                    self.problems.append(
                        (
                            f"The field '{_canonical(member)}' is required but was missing",
                            pointer,
                            "",
                        )
                    )

    def _type_error(self, shape: Any, value: JSON, pointer: str, name: str) -> None:
        self.problems.append(
            (
                f"The value for the field '{name}' must be {_article(_expected_type(shape))} "
                f"but was {_article(_json_type(value))}",
                pointer,
                "",
            )
        )


def check_parameters(
    shape: Any,
    parameters: JSON,
    pointer: str,
    *,
    json_members: frozenset[str] = frozenset(),
    extra: frozenset[str] = frozenset(),
) -> list[Diagnostic]:
    """Check ``Parameters``/``Arguments`` against an operation's input shape.

    Keys ending in ``.$`` are dynamic: the suffix is stripped for the member lookup and their
    value is not type-checked; ``{% ... %}`` JSONata strings are not type-checked either.

    Args:
        shape: the botocore input shape (``None``: the operation takes no input).
        parameters: the ``Parameters`` (or ``Arguments``) object; ``None`` when absent.
        pointer: the JSON pointer of ``parameters`` in the definition
            (``/States/Put/Parameters``).
        json_members: top-level members that take any JSON (Step Functions serializes them).
        extra: top-level members accepted besides the shape's (Step Functions additions).

    Returns:
        One ``SCHEMA_VALIDATION_FAILED`` diagnostic per problem (unknown member, missing
        required member, wrong JSON type), located at the offending object or value.
    """
    if _is_jsonata(parameters):
        return []
    walker = _Walker(dynamic_keys=True, check_required=True, check_unknown=True)
    if shape is None:
        if isinstance(parameters, dict):
            walker.structure(_EmptyShape(), parameters, pointer, json_members, extra)
    elif parameters is None:
        walker.structure(shape, {}, pointer, json_members, extra)
    elif isinstance(parameters, dict) and shape.type_name == "structure":
        walker.structure(shape, parameters, pointer, json_members, extra)
    else:
        walker.value(shape, parameters, pointer, "Parameters")
    return [
        Diagnostic(SCHEMA_VALIDATION_FAILED, message, location, hint=hint)
        for message, location, hint in walker.problems
    ]


def validate_sdk_parameters(op: SdkOperation, parameters: JSON, pointer: str) -> list[Diagnostic]:
    """Check a Task's ``Parameters``/``Arguments`` against the operation's input shape.

    See :func:`check_parameters`.

    Args:
        op: The resolved operation.
        parameters: The ``Parameters`` (or ``Arguments``) object; ``None`` when absent.
        pointer: The JSON pointer of ``parameters`` in the definition.

    Returns:
        One ``SCHEMA_VALIDATION_FAILED`` diagnostic per problem.
    """
    shape = service_model(op.botocore_service).operation_model(op.operation).input_shape
    return check_parameters(shape, parameters, pointer)


def validate_sdk_result(op: SdkOperation, result: JSON, mode: ResultMode) -> list[str]:
    """Check a (mocked) result against the operation's output shape, as TestState does.

    ``fieldValidationMode`` semantics (aws-spec.md §1.7): ``STRICT`` checks required members
    and the members present, ``PRESENT`` only the members present, ``NONE`` nothing; unknown
    members are ignored. See :func:`pytest_sfn.integrations.shapes.check_result`.

    Args:
        op: The resolved operation.
        result: The result as the integration would return it (PascalCase members).
        mode: ``"STRICT"``, ``"PRESENT"`` or ``"NONE"``.

    Returns:
        The details in AWS's words (``Field 'Item' must be an object``).
    """
    from pytest_sfn.integrations.shapes import check_result

    shape = service_model(op.botocore_service).operation_model(op.operation).output_shape
    return check_result(shape, result, mode, sdk=True)


class _EmptyShape:
    """The input/output of an operation that declares none."""

    type_name = "structure"
    members: Mapping[str, Any] = {}
    required_members: list[str] = []
