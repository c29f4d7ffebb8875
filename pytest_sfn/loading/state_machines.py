"""The definition of one state machine resource, as text still holding its ``${...}``.

``AWS::StepFunctions::StateMachine`` takes exactly one of ``Definition`` (an object),
``DefinitionString`` (JSON text, often built with ``Fn::Sub`` or ``Fn::Join``) and
``DefinitionS3Location``. ``AWS::Serverless::StateMachine`` takes ``Definition`` or
``DefinitionUri``. Both may add ``DefinitionSubstitutions``. Files named by
``DefinitionUri`` / ``DefinitionS3Location`` are read when they are local paths (the form
``sam build`` and ``aws cloudformation package`` accept) or CDK file assets; S3 objects
cannot be read by a local test and are reported as such.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_sfn._types import JSON
from pytest_sfn.errors import did_you_mean
from pytest_sfn.loading.intrinsics import NO_VALUE, Resolver
from pytest_sfn.loading.problems import (
    DEFINITION_NOT_FOUND,
    DEFINITION_NOT_RESOLVABLE,
    INVALID_DEFINITION,
    INVALID_TEMPLATE,
    load_error,
)
from pytest_sfn.loading.template import Template, pointer

__all__ = ["DefinitionText", "StateMachineResource", "read_state_machine"]

_STEP_FUNCTIONS, _SERVERLESS = "AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine"
_DEFINITION_PROPERTIES = {
    _STEP_FUNCTIONS: ("Definition", "DefinitionString", "DefinitionS3Location"),
    _SERVERLESS: ("Definition", "DefinitionUri"),
}
_NAME_PROPERTY = {_STEP_FUNCTIONS: "StateMachineName", _SERVERLESS: "Name"}
_TYPE_PROPERTY = {_STEP_FUNCTIONS: "StateMachineType", _SERVERLESS: "Type"}
_ROLE_PROPERTY = {_STEP_FUNCTIONS: "RoleArn", _SERVERLESS: "Role"}
# What AWS accepts as a state machine name (1-80 characters, none of these).
_NAME = re.compile(r"[^\s<>{}\[\]?*\"#%\\^|~`$&,;:/]{1,80}")

#: Reads a local definition file: (path, as written, JSON pointer of the property) -> text.
FileReader = Callable[[Path, str, str], str]
#: Finds the local copy of a CDK file asset by its S3 object key.
AssetFinder = Callable[[str], Path | None]


@dataclass(frozen=True, slots=True)
class DefinitionText:
    """A definition before its placeholders are filled.

    Attributes:
        text: JSON (or YAML) text.
        yaml_text: whether ``text`` is YAML.
        origin: what it came from, for messages (``DefinitionString``,
            ``DefinitionUri statemachine/order.asl.json``).
        location: JSON pointer of the property in the template.
    """

    text: str
    yaml_text: bool
    origin: str
    location: str


@dataclass(frozen=True, slots=True)
class StateMachineResource:
    """What a state machine resource says, resolved."""

    logical_id: str
    definition: DefinitionText
    substitutions: dict[str, JSON]
    name: str
    machine_type: str | None
    role_arn: str | None


def read_state_machine(
    template: Template,
    logical_id: str,
    resolver: Resolver,
    read_file: FileReader,
    find_asset: AssetFinder,
) -> StateMachineResource:
    """Resolve the definition, substitutions, name, type and role of ``logical_id``.

    Raises:
        DefinitionError: no usable definition property, or a malformed one.
    """
    resource_type = template.resource_type(logical_id)
    properties = template.properties(logical_id)
    source = f"{template.shown}#{logical_id}"
    base = pointer("Resources", logical_id, "Properties")
    allowed = _DEFINITION_PROPERTIES[resource_type]
    given = [key for key in allowed if key in properties]
    if len(given) != 1:
        if given:
            problem = f"sets {' and '.join(given)}; exactly one of them is allowed"
            hint = ""
        else:
            problem = f"has no {', '.join(allowed[:-1])} or {allowed[-1]} property"
            hint = next((h for key in properties if (h := did_you_mean(key, allowed))), "")
        raise load_error(
            DEFINITION_NOT_FOUND,
            f"{logical_id} ({resource_type}) {problem}",
            source=source,
            location=base,
            hint=hint,
            line=template.document.line_of(properties),
        )
    key = given[0]
    at = base + pointer(key)
    context = _Context(template, properties[key], source, at, resolver, read_file, find_asset)
    definition = _READERS[key](context)
    return StateMachineResource(
        logical_id=logical_id,
        definition=definition,
        substitutions=_substitutions(context, properties, base),
        name=_name(resolver, properties, resource_type, base) or logical_id,
        machine_type=_plain_string(resolver, properties, _TYPE_PROPERTY[resource_type], base),
        role_arn=_plain_string(resolver, properties, _ROLE_PROPERTY[resource_type], base),
    )


@dataclass(frozen=True, slots=True)
class _Context:
    template: Template
    raw: Any
    source: str
    at: str
    resolver: Resolver
    read_file: FileReader
    find_asset: AssetFinder

    def error(self, code: str, message: str) -> Exception:
        return load_error(
            code,
            message,
            source=self.source,
            location=self.at,
            line=self.template.document.line_of(self.raw),
        )


def _definition_object(context: _Context) -> DefinitionText:
    value = context.resolver.resolve(context.raw, context.at)
    if not isinstance(value, dict):
        raise context.error(
            INVALID_DEFINITION,
            f"Definition must be a JSON object, not {type(value).__name__}",
        )
    return DefinitionText(json.dumps(value, ensure_ascii=False), False, "Definition", context.at)


def _definition_string(context: _Context) -> DefinitionText:
    value = context.resolver.resolve(context.raw, context.at)
    if not isinstance(value, str):
        raise context.error(
            INVALID_TEMPLATE,
            f"DefinitionString must be a string (JSON text), not {type(value).__name__}; "
            "use Definition for an object",
        )
    return DefinitionText(value, False, "DefinitionString", context.at)


def _definition_file(context: _Context) -> DefinitionText:
    key = context.at.rsplit("/", 1)[-1]
    value = context.resolver.resolve(context.raw, context.at)
    if isinstance(value, str) and not value.startswith("s3://"):
        path = Path(value)
        if not path.is_absolute():
            path = context.template.path.parent / path
        return _file_text(context, path, value, f"{key} {value}")
    bucket = value.get("Bucket") if isinstance(value, dict) else None
    object_key = value.get("Key") if isinstance(value, dict) else None
    if isinstance(object_key, str):
        asset = context.find_asset(object_key)
        if asset is not None:
            return _file_text(context, asset, asset.name, f"{key} (CDK asset {asset.name})")
    where = value if isinstance(value, str) else f"s3://{bucket}/{object_key}"
    raise context.error(
        DEFINITION_NOT_RESOLVABLE,
        f"{key} points at {where}, an S3 object a local test cannot read; give a local "
        "file path instead (as `sam build` / `aws cloudformation package` accept), or "
        "load the definition file itself",
    )


def _file_text(context: _Context, path: Path, shown: str, origin: str) -> DefinitionText:
    text = context.read_file(path, shown, context.at)
    yaml_text = path.suffix in (".yaml", ".yml") or (
        path.suffix != ".json" and not text.lstrip().startswith("{")
    )
    return DefinitionText(text, yaml_text, origin, context.at)


_READERS: dict[str, Callable[[_Context], DefinitionText]] = {
    "Definition": _definition_object,
    "DefinitionString": _definition_string,
    "DefinitionS3Location": _definition_file,
    "DefinitionUri": _definition_file,
}


def _substitutions(context: _Context, properties: dict[str, Any], base: str) -> dict[str, JSON]:
    raw = properties.get("DefinitionSubstitutions")
    at = base + "/DefinitionSubstitutions"
    if raw is None:
        return {}
    value = context.resolver.resolve(raw, at)
    if not isinstance(value, dict):
        raise load_error(
            INVALID_TEMPLATE,
            f"DefinitionSubstitutions must be a mapping, not {type(value).__name__}",
            source=context.source,
            location=at,
            line=context.template.document.line_of(raw),
        )
    return {str(key): item for key, item in value.items() if item is not NO_VALUE}


def _plain_string(
    resolver: Resolver, properties: dict[str, Any], key: str, base: str
) -> str | None:
    value = properties.get(key)
    resolved = resolver.quietly(value, base + pointer(key)) if value is not None else None
    return resolved if isinstance(resolved, str) and resolved else None


def _name(
    resolver: Resolver, properties: dict[str, Any], resource_type: str, base: str
) -> str | None:
    name = _plain_string(resolver, properties, _NAME_PROPERTY[resource_type], base)
    return name if name is not None and _NAME.fullmatch(name) else None
