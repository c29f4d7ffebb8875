"""Load a definition from a dict, JSON/YAML text or a ``.json``/``.yaml`` file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from pytest_sfn.errors import DefinitionError, Diagnostic
from pytest_sfn.model.states import Graph

__all__ = ["decode_definition", "load_definition", "read_definition_file"]

_YAML_SUFFIXES = (".yaml", ".yml")


def read_definition_file(path: str | Path) -> Any:
    """Decode a definition file (JSON, or YAML by suffix), naming the file and line on error."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DefinitionError(
            [Diagnostic("INVALID_JSON_DESCRIPTION", f"cannot read the file: {exc.strerror}")],
            source=str(path),
        ) from None
    return decode_definition(text, source=str(path), yaml_text=path.suffix in _YAML_SUFFIXES)


def decode_definition(text: str, *, source: str | None = None, yaml_text: bool = False) -> Any:
    """Decode JSON (or YAML) text into a definition value."""
    if yaml_text:
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
            problem = getattr(exc, "problem", None) or str(exc)
            raise DefinitionError(
                [Diagnostic("INVALID_JSON_DESCRIPTION", f"{where}{problem}")], source=source
            ) from None
    if not text.strip():
        raise DefinitionError(
            [Diagnostic("SCHEMA_VALIDATION_FAILED", "Definition must be a valid JSON object")],
            source=source,
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DefinitionError(
            [
                Diagnostic(
                    "INVALID_JSON_DESCRIPTION",
                    f"line {exc.lineno}, column {exc.colno}: {exc.msg}",
                )
            ],
            source=source,
        ) from None


def load_definition(
    definition: Any, *, source: str | None = None, machine_type: str = "STANDARD"
) -> tuple[dict[str, Any], Graph]:
    """Validate and parse ``definition`` (a dict, or JSON text).

    Returns the decoded dict and its compiled model.

    Raises:
        DefinitionError: with every problem found, each with its JSON pointer.
    """
    from pytest_sfn.parsing.parse import parse_definition
    from pytest_sfn.parsing.validate import validate_definition

    if isinstance(definition, (str, bytes)):
        definition = decode_definition(
            definition.decode() if isinstance(definition, bytes) else definition, source=source
        )
    diagnostics = validate_definition(definition, machine_type=machine_type)
    problems = [d for d in diagnostics if d.severity == "ERROR"]
    if problems:
        raise DefinitionError(problems, source=source)
    return definition, parse_definition(definition, source=source)
