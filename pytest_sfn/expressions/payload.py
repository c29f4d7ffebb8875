"""Payload templates: ``Parameters``, ``ResultSelector``, ``ItemSelector`` and JSONPath ``Assign``.

A key ending in ``.$`` takes its value from a path (``$...`` on the current value, ``$$...``
on the Context object, ``$var...`` on a variable) or an intrinsic function; the suffix is
stripped. Templates are compiled once; a sub-tree without any ``.$`` key is kept as a
literal and returned as is (JSON values are never mutated by the engine).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pytest_sfn._json import dump_compact as _dump
from pytest_sfn._types import JSON
from pytest_sfn.errors import SfnError, StatesError
from pytest_sfn.expressions.java_order import hashmap_order
from pytest_sfn.expressions.jsonpath import CompiledPath, PathNotFound, compile_path

__all__ = ["Scope", "Template", "compile_template", "evaluate_template", "resolve_path"]


@dataclass(frozen=True, slots=True)
class Literal:
    value: JSON


@dataclass(frozen=True, slots=True)
class PathValue:
    path: CompiledPath
    field: str


@dataclass(frozen=True, slots=True)
class IntrinsicValue:
    call: Any  # IntrinsicCall
    field: str


@dataclass(frozen=True, slots=True)
class ObjectTemplate:
    entries: tuple[tuple[str, Template], ...]


@dataclass(frozen=True, slots=True)
class ArrayTemplate:
    items: tuple[Template, ...]


Template = Literal | PathValue | IntrinsicValue | ObjectTemplate | ArrayTemplate


class TemplateError(SfnError):
    """A template value cannot be compiled (reported as a definition problem)."""

    def __init__(self, message: str, pointer: str) -> None:
        super().__init__(message)
        self.pointer = pointer


def compile_template(value: JSON, pointer: str = "") -> Template:
    """Compile a payload template.

    Raises:
        TemplateError: a ``.$`` value is not a valid path or intrinsic function.
    """
    if isinstance(value, dict):
        if not _has_dynamic(value):
            return Literal(value)
        fixed: list[tuple[str, Template]] = []
        dynamic: dict[str, Template] = {}
        for key, sub in value.items():
            where = f"{pointer}/{key}"
            if key.endswith(".$"):
                dynamic[key[:-2]] = _compile_dynamic(key, sub, where)
            else:
                fixed.append((key, compile_template(sub, where)))
        # AWS-recorded key order: plain fields first (as written), then the ".$" fields in
        # Java HashMap order.
        ordered = [(key, dynamic[key]) for key in hashmap_order(list(dynamic))]
        return ObjectTemplate((*fixed, *ordered))
    if isinstance(value, list) and _has_dynamic(value):
        return ArrayTemplate(
            tuple(compile_template(v, f"{pointer}/{i}") for i, v in enumerate(value))
        )
    return Literal(value)


def compile_value_expression(text: JSON, field: str, pointer: str) -> Template:
    """Compile a single ``.$``-style value (path or intrinsic) named ``field``."""
    return _compile_dynamic(field, text, pointer)


def _has_dynamic(value: JSON) -> bool:
    if isinstance(value, dict):
        return any(k.endswith(".$") or _has_dynamic(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_dynamic(v) for v in value)
    return False


def _compile_dynamic(key: str, text: JSON, pointer: str) -> Template:
    from pytest_sfn.expressions.intrinsics import looks_like_intrinsic, parse_intrinsic
    from pytest_sfn.expressions.jsonpath import PathSyntaxError

    if not isinstance(text, str):
        raise TemplateError(
            f"The value for the field '{key}' must be a valid JSONPath or intrinsic function",
            pointer,
        )
    try:
        if looks_like_intrinsic(text):
            return IntrinsicValue(parse_intrinsic(text), key)
        return PathValue(compile_path(text), key)
    except (PathSyntaxError, SfnError) as exc:
        raise TemplateError(
            f"The value for the field '{key}' must be a valid JSONPath or a valid intrinsic "
            f"function call: {exc}",
            pointer,
        ) from None


@dataclass(slots=True)
class Scope:
    """What paths resolve against while a state evaluates a template.

    ``context`` is a zero-argument callable so the Context object is only built when a
    ``$$`` path actually needs it.
    """

    value: JSON
    context: Callable[[], JSON]
    variables: Mapping[str, JSON]
    intrinsic_env: Any = None  # engine-supplied (rng, uuid4)


def resolve_path(path: CompiledPath, scope: Scope) -> JSON:
    """The value ``path`` selects in ``scope``; raises :class:`PathNotFound` or StatesError."""
    if path.root == "input":
        return path.find(scope.value)
    if path.root == "context":
        return path.find(scope.context())
    name = path.variable
    assert name is not None
    if name not in scope.variables:
        raise StatesError(
            "States.Runtime",
            f"The JSONPath '{path.text}' could not be resolved: variable '${name}' is not defined",
        )
    return path.find(scope.variables[name])


def evaluate_template(template: Template, scope: Scope) -> JSON:
    """Evaluate a compiled template against ``scope``.

    Raises:
        StatesError: ``States.Runtime`` for a path that selects nothing (AWS wording),
            ``States.IntrinsicFailure`` from intrinsic functions.
    """
    if isinstance(template, Literal):
        return template.value
    if isinstance(template, ObjectTemplate):
        return {k: evaluate_template(t, scope) for k, t in template.entries}
    if isinstance(template, PathValue):
        try:
            return resolve_path(template.path, scope)
        except PathNotFound:
            raise StatesError(
                "States.Runtime",
                f"The JSONPath '{template.path.text}' specified for the field '{template.field}' "
                f"could not be found in the input '{_dump(_root_value(template.path, scope))}'",
            ) from None
    if isinstance(template, IntrinsicValue):
        return evaluate_intrinsic_value(template, scope)
    return [evaluate_template(t, scope) for t in template.items]


def evaluate_intrinsic_value(template: IntrinsicValue, scope: Scope) -> JSON:
    from pytest_sfn.expressions.intrinsics import evaluate_intrinsic

    def resolve(text: str) -> JSON:
        path = compile_path(text)
        try:
            return resolve_path(path, scope)
        except PathNotFound:
            raise StatesError(
                "States.Runtime",
                f"The JSONPath '{text}' specified for the field '{template.field}' "
                f"could not be found in the input '{_dump(_root_value(path, scope))}'",
            ) from None

    env = scope.intrinsic_env
    return evaluate_intrinsic(template.call, resolve, rng=env.rng, uuid4=env.uuid4)


def _root_value(path: CompiledPath, scope: Scope) -> JSON:
    if path.root == "context":
        return scope.context()
    if path.root == "variable":
        return scope.variables.get(path.variable or "")
    return scope.value
