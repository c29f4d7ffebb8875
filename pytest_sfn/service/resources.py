"""The resources of the local service (state machines, executions) and request helpers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pytest_sfn._types import JSON
from pytest_sfn.engine.execution import Execution
from pytest_sfn.errors import DefinitionError
from pytest_sfn.machine import StateMachine
from pytest_sfn.service import errors
from pytest_sfn.service.arns import parse_arn
from pytest_sfn.service.definitions import (
    check_definition,
    invalid_definition_message,
    variable_references,
)
from pytest_sfn.service.errors import ApiError
from pytest_sfn.service.jackson import JsonSyntaxError, decode
from pytest_sfn.service.sfn_local_mocks import MockConfig

__all__ = [
    "Machine",
    "RequestContext",
    "Run",
    "add_tags",
    "check_name",
    "checked_definition",
    "compile_machine",
    "execution_input",
    "list_item",
    "logging_configuration",
    "payloads",
    "reject_versions",
]

#: Characters AWS forbids in state machine and execution names (API reference).
_FORBIDDEN = frozenset(' <>{}[]?*"#%\\^|~`$&,;:/') | frozenset(
    chr(c) for c in (*range(0x20), *range(0x7F, 0xA0), 0xFFFE, 0xFFFF)
)


@dataclass(frozen=True, slots=True)
class RequestContext:
    """Who is calling: the client's region and account, and how it answers Task states."""

    region: str = "us-east-1"
    account: str = "123456789012"
    results: Mapping[str, Any] | None = None
    mocks: MockConfig | None = None
    #: ``local_client(tasks=...)``: makes each execution's task handler from the state
    #: machine and its Step Functions Local test case; ``results`` and ``mocks`` are then unused.
    tasks: Any = None

    def owns(self, arn: str) -> bool:
        """Whether ``arn`` lives in this caller's region and account."""
        parsed = parse_arn(arn)
        return parsed.region == self.region and parsed.account == self.account


@dataclass(slots=True)
class Machine:
    """A state machine (its current revision; executions keep a copy of theirs)."""

    arn: str
    name: str
    type: str
    definition: str
    decoded: Any
    role_arn: str
    created: datetime
    updated: datetime
    logging: dict[str, Any]
    tracing: dict[str, Any]
    encryption: dict[str, Any]
    compiled: StateMachine | None = None
    compile_error: str | None = None
    revision_id: str | None = None
    tags: dict[str, str] = field(default_factory=dict)

    def configuration(self) -> dict[str, Any]:
        """The members ``DescribeStateMachine`` and ``...ForExecution`` share."""
        out: dict[str, Any] = {
            "stateMachineArn": self.arn,
            "name": self.name,
            "definition": self.definition,
            "roleArn": self.role_arn,
            "loggingConfiguration": self.logging,
            "tracingConfiguration": self.tracing,
            "encryptionConfiguration": self.encryption,
        }
        if self.revision_id is not None:
            out["revisionId"] = self.revision_id
        references = variable_references(self.decoded)
        if references:
            out["variableReferences"] = references
        return out


@dataclass(frozen=True, slots=True)
class Run:
    """One finished execution, as the service keeps it."""

    execution: Execution
    input_text: str
    machine: Machine
    sequence: int
    trace_header: str | None = None
    #: The Step Functions Local test case it was started with (``"<arn>#<TestCase>"``).
    test_case: str | None = None
    #: ``RedriveExecution`` client tokens that redrove it: ``(token, redriveDate)``, last 10.
    redrive_tokens: tuple[tuple[str, datetime], ...] = ()


def check_name(name: str) -> None:
    """``InvalidName`` unless ``name`` avoids the characters AWS forbids in names."""
    if any(ch in _FORBIDDEN or 0xD800 <= ord(ch) <= 0xDFFF for ch in name):
        raise errors.invalid_name(name)


def reject_versions(req: dict[str, Any]) -> None:
    """State machine versions (``publish``) are not supported locally."""
    if req.get("publish"):
        raise errors.unsupported("publish=True (state machine versions)")
    if req.get("versionDescription"):
        raise ApiError(
            "ValidationException", "Version description can only be set when publish is true"
        )


def logging_configuration(config: Mapping[str, Any] | None) -> dict[str, Any]:
    """The stored ``loggingConfiguration``, with AWS's defaults (level OFF, no data)."""
    config = config or {}
    level = config.get("level") or "OFF"
    destinations = config.get("destinations")
    if (destinations is not None and len(destinations) > 1) or (
        level != "OFF" and not destinations
    ):
        raise ApiError(
            "InvalidLoggingConfiguration",
            "Invalid Logging Configuration: Must specify exactly one Log Destination.",
        )
    out: dict[str, Any] = {
        "level": level,
        "includeExecutionData": bool(config.get("includeExecutionData", False)),
    }
    if destinations:
        out["destinations"] = list(destinations)
    return out


def checked_definition(text: str, machine_type: str) -> Any:
    """The decoded definition; ``InvalidDefinition`` listing every error otherwise."""
    report = check_definition(text, machine_type)
    if report.errors:
        raise errors.invalid_definition(invalid_definition_message(report.errors))
    return report.decoded


def compile_machine(machine: Machine, ctx: RequestContext) -> None:
    """Build the engine's :class:`StateMachine`, or keep why the engine cannot run it."""
    try:
        machine.compiled = StateMachine.from_definition(
            machine.decoded, name=machine.name, type=machine.type, region=ctx.region,
            account=ctx.account, role_arn=machine.role_arn,
        )  # fmt: skip
        machine.compile_error = None
    except DefinitionError as exc:
        machine.compiled, machine.compile_error = None, str(exc)


def add_tags(machine: Machine, tags: Iterable[Mapping[str, Any]]) -> None:
    """Add or overwrite ``{"key", "value"}`` tags, keeping first-insertion order."""
    for tag in tags:
        machine.tags[str(tag.get("key"))] = str(tag.get("value", ""))


def execution_input(text: str | None) -> tuple[str, JSON]:
    """The input text as stored and its decoded value; ``InvalidExecutionInput`` if not JSON."""
    if text is None:
        return "{}", {}
    try:
        value = decode(text)
    except JsonSyntaxError as exc:
        raise errors.invalid_execution_input(exc.problem) from None
    if not text.strip():
        raise errors.invalid_execution_input("Invalid execution input.")
    return text, value


def payloads(out: dict[str, Any], run: Run, included: str | None) -> dict[str, Any]:
    """Add ``input``/``output`` and their details (left out for ``METADATA_ONLY``)."""
    execution = run.execution
    if run.trace_header is not None:
        out["traceHeader"] = run.trace_header
    with_data = included != "METADATA_ONLY"
    if with_data:
        out["input"] = run.input_text
    out["inputDetails"] = {"included": with_data}
    if execution.status == "SUCCEEDED":
        if with_data:
            out["output"] = execution.output_json
        out["outputDetails"] = {"included": with_data}
    return out


def list_item(execution: Execution) -> dict[str, Any]:
    """The ``ExecutionListItem`` of ``ListExecutions``."""
    return {
        "executionArn": execution.execution_arn,
        "stateMachineArn": execution.state_machine_arn,
        "name": execution.name,
        "status": execution.status,
        "startDate": execution.start_time,
        "stopDate": execution.stop_time,
        "redriveCount": execution.redrive_count,
        **({"redriveDate": execution.redrive_date} if execution.redrive_date else {}),
    }
