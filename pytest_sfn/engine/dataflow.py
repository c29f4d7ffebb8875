"""JSONPath input/output processing: pure functions, one per ASL step.

``raw input -> InputPath -> Parameters -> (work) -> ResultSelector -> ResultPath -> OutputPath``
"""

from __future__ import annotations

from pytest_sfn._types import JSON
from pytest_sfn.errors import StatesError
from pytest_sfn.expressions.jsonpath import CompiledPath, PathNotFound, set_at_path
from pytest_sfn.expressions.payload import Scope, Template, evaluate_template, resolve_path

__all__ = ["apply_input_path", "apply_output_path", "apply_result_path", "apply_template"]


def _select(path: CompiledPath | None, scope: Scope) -> JSON:
    if path is None:
        return {}
    if path.root == "input" and path.steps == ():
        return scope.value
    try:
        return resolve_path(path, scope)
    except PathNotFound as exc:
        raise StatesError(
            "States.Runtime", f"Invalid path '{path.text}' : {exc.jayway_message}"
        ) from None


def apply_input_path(path: CompiledPath | None, scope: Scope) -> JSON:
    """``InputPath``: ``None`` (JSON null) gives ``{}``; a path that selects nothing fails."""
    return _select(path, scope)


def apply_output_path(path: CompiledPath | None, scope: Scope) -> JSON:
    """``OutputPath``: ``None`` (JSON null) gives ``{}``; a path that selects nothing fails."""
    return _select(path, scope)


def apply_template(template: Template | None, scope: Scope) -> JSON:
    """``Parameters`` / ``ResultSelector`` / ``ItemSelector``; ``None`` passes the value through."""
    if template is None:
        return scope.value
    return evaluate_template(template, scope)


def apply_result_path(path: CompiledPath | None, raw_input: JSON, result: JSON) -> JSON:
    """``ResultPath``: write ``result`` into the raw input; ``None`` (JSON null) discards it."""
    if path is None:
        return raw_input
    return set_at_path(raw_input, path, result)
