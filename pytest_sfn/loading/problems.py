"""Load-time problems: the :class:`~pytest_sfn.errors.DefinitionError`\\ s this package raises.

Every problem names the file (and ``#LogicalId`` when a template is involved) as the error's
``source``, the JSON pointer into the template or definition as the diagnostic's
``location``, and what is wrong. Syntax errors name the line and column.
"""

from __future__ import annotations

from pytest_sfn.errors import DefinitionError, Diagnostic

__all__ = [
    "AMBIGUOUS_STATE_MACHINE",
    "DEFINITION_NOT_FOUND",
    "DEFINITION_NOT_RESOLVABLE",
    "INVALID_DEFINITION",
    "INVALID_SYNTAX",
    "INVALID_TEMPLATE",
    "SOURCE_NOT_FOUND",
    "STATE_MACHINE_NOT_FOUND",
    "load_error",
]

#: The file, directory or ``DefinitionUri`` target does not exist or cannot be read.
SOURCE_NOT_FOUND = "SOURCE_NOT_FOUND"
#: JSON or YAML that does not parse (the same code :mod:`pytest_sfn.parsing.load` uses).
INVALID_SYNTAX = "INVALID_JSON_DESCRIPTION"
#: The decoded definition is not a JSON object (the code AWS uses for that).
INVALID_DEFINITION = "SCHEMA_VALIDATION_FAILED"
#: A template section or resource has the wrong shape.
INVALID_TEMPLATE = "INVALID_TEMPLATE"
#: ``#LogicalId`` names no state machine of the template.
STATE_MACHINE_NOT_FOUND = "STATE_MACHINE_NOT_FOUND"
#: Several state machines and no ``#LogicalId`` to choose one.
AMBIGUOUS_STATE_MACHINE = "AMBIGUOUS_STATE_MACHINE"
#: A state machine resource has no (or more than one) definition property.
DEFINITION_NOT_FOUND = "DEFINITION_NOT_FOUND"
#: The definition lives somewhere a local test cannot read (an S3 object).
DEFINITION_NOT_RESOLVABLE = "DEFINITION_NOT_RESOLVABLE"


def load_error(
    code: str,
    message: str,
    *,
    source: str | None,
    location: str = "",
    hint: str = "",
    line: int | None = None,
) -> DefinitionError:
    """A :class:`DefinitionError` with one diagnostic (``line`` is appended when known)."""
    if line is not None:
        message = f"{message} (line {line})"
    return DefinitionError([Diagnostic(code, message, location, hint=hint)], source=source)
