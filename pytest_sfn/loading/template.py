"""A decoded CloudFormation / SAM template and the state machines it declares."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_sfn._types import JSON
from pytest_sfn.loading.cfn_yaml import Document
from pytest_sfn.loading.problems import INVALID_TEMPLATE, load_error

__all__ = ["STATE_MACHINE_TYPES", "Template", "is_template", "pointer"]

#: The resource types that hold a state machine definition.
STATE_MACHINE_TYPES = ("AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine")


def pointer(*parts: str | int) -> str:
    """A JSON pointer (RFC 6901) from path segments: ``pointer("Resources", "A/B")``."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def is_template(value: JSON) -> bool:
    """Whether a decoded document is a CloudFormation/SAM template rather than a definition."""
    return isinstance(value, dict) and ("Resources" in value or "AWSTemplateFormatVersion" in value)


@dataclass(frozen=True, slots=True)
class Template:
    """One template file.

    Attributes:
        path: the absolute path of the file.
        shown: the path as messages show it (as the user wrote it).
        document: the decoded content.
        stack_name: the value of ``AWS::StackName`` (the file name before its first dot,
            or the stack name a CDK manifest gives).
        region: the stack's region when a CDK manifest pins it, else ``None``.
        account: the stack's account when a CDK manifest pins it, else ``None``.
    """

    path: Path
    shown: str
    document: Document
    stack_name: str
    region: str | None = None
    account: str | None = None

    @property
    def body(self) -> dict[str, Any]:
        """The top-level mapping."""
        value = self.document.value
        return value if isinstance(value, dict) else {}

    def section(self, name: str) -> dict[str, Any]:
        """``Parameters``, ``Resources``, ``Mappings``, ``Conditions``... (``{}`` if absent).

        Raises:
            DefinitionError: the section is not a mapping.
        """
        value = self.body.get(name)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise load_error(
                INVALID_TEMPLATE,
                f"the {name} section must be a mapping, not {type(value).__name__}",
                source=self.shown,
                location=pointer(name),
                line=self.document.line_of(value),
            )
        return value

    def resource_type(self, logical_id: str) -> str:
        """The ``Type`` of a resource (``""`` when missing or not a string)."""
        resource = self.section("Resources").get(logical_id)
        kind = resource.get("Type") if isinstance(resource, dict) else None
        return kind if isinstance(kind, str) else ""

    def properties(self, logical_id: str) -> dict[str, Any]:
        """The ``Properties`` mapping of a resource (``{}`` when absent).

        Raises:
            DefinitionError: ``Properties`` is not a mapping.
        """
        resource = self.section("Resources").get(logical_id)
        value = resource.get("Properties") if isinstance(resource, dict) else None
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise load_error(
                INVALID_TEMPLATE,
                f"Properties of {logical_id} must be a mapping, not {type(value).__name__}",
                source=f"{self.shown}#{logical_id}",
                location=pointer("Resources", logical_id, "Properties"),
                line=self.document.line_of(resource),
            )
        return value

    def state_machines(self) -> list[str]:
        """Logical ids of the state machine resources, in template order."""
        return [
            logical_id
            for logical_id in self.section("Resources")
            if self.resource_type(logical_id) in STATE_MACHINE_TYPES
        ]

    def cdk_path(self, logical_id: str) -> str | None:
        """The CDK construct path of a resource (``Stack/Flow`` for ``Stack/Flow/Resource``)."""
        resource = self.section("Resources").get(logical_id)
        metadata = resource.get("Metadata") if isinstance(resource, dict) else None
        path = metadata.get("aws:cdk:path") if isinstance(metadata, dict) else None
        if not isinstance(path, str):
            return None
        return path.removesuffix("/Resource")
