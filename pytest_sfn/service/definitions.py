"""Definition checks of the service: decoding, static validation, EXPRESS rules, references.

:func:`check_definition` is what ``CreateStateMachine``, ``UpdateStateMachine`` and
``ValidateStateMachineDefinition`` share: it decodes the definition text as AWS does (JSON
only, Jackson's messages), runs :func:`pytest_sfn.parsing.validate.validate_definition` and
adds the rules that depend on the workflow type (EXPRESS machines reject callback, ``.sync``
and activity tasks).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pytest_sfn.errors import Diagnostic
from pytest_sfn.parsing.validate import validate_definition
from pytest_sfn.service.jackson import JsonSyntaxError, decode

__all__ = [
    "DefinitionReport",
    "check_definition",
    "invalid_definition_message",
    "variable_references",
]

_INVALID_JSON = "INVALID_JSON_DESCRIPTION"
_SCHEMA = "SCHEMA_VALIDATION_FAILED"


@dataclass(frozen=True, slots=True)
class DefinitionReport:
    """The outcome of checking one definition text.

    Attributes:
        decoded: the decoded definition (``None`` when it is not JSON).
        diagnostics: every problem, errors before warnings.
    """

    decoded: Any
    diagnostics: tuple[Diagnostic, ...]

    @property
    def errors(self) -> list[Diagnostic]:
        """The ``ERROR`` diagnostics: any of them makes ``CreateStateMachine`` fail."""
        return [d for d in self.diagnostics if d.severity == "ERROR"]


def check_definition(text: str, machine_type: str = "STANDARD") -> DefinitionReport:
    """Decode and validate a definition text for a machine of ``machine_type``."""
    try:
        decoded = decode(text)
    except JsonSyntaxError as exc:
        return DefinitionReport(None, (Diagnostic(_INVALID_JSON, exc.message, exc.location),))
    found = list(validate_definition(decoded, machine_type=machine_type))
    ordered = [d for d in found if d.severity == "ERROR"] + [
        d for d in found if d.severity != "ERROR"
    ]
    return DefinitionReport(decoded, tuple(ordered))


def invalid_definition_message(diagnostics: list[Diagnostic]) -> str:
    """The ``InvalidDefinition`` message for these error diagnostics.

    ``Invalid State Machine Definition: 'CODE: message at /pointer, ...'``; a JSON syntax
    error already carries its location in its message (``... at [Source: ...]``).
    """
    parts = [
        d.code + ": " + d.message if d.code == _INVALID_JSON else d.render(hint=False)
        for d in diagnostics
    ]
    return "Invalid State Machine Definition: '" + ", ".join(parts) + "'"


def _pointer(*parts: str | int) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _states(workflow: Any, base: str) -> Iterator[tuple[str, dict[str, Any], str]]:
    """Each state of ``workflow`` and its nested workflows: (name, body, pointer)."""
    if not isinstance(workflow, dict) or not isinstance(workflow.get("States"), dict):
        return
    for name, body in workflow["States"].items():
        if not isinstance(body, dict):
            continue
        where = base + _pointer("States", name)
        yield name, body, where
        branches = body.get("Branches")
        if isinstance(branches, list):
            for index, branch in enumerate(branches):
                yield from _states(branch, where + _pointer("Branches", index))
        for key in ("ItemProcessor", "Iterator"):
            yield from _states(body.get(key), where + _pointer(key))


# --- variableReferences ---------------------------------------------------------------------

_VARIABLE = re.compile(r"(?<![\w$])\$([A-Za-z_][A-Za-z0-9_]*)")
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'")
#: Fields never read for references: nested workflows (their states count on their own) and
#: static values.
_SKIPPED = frozenset({"Branches", "ItemProcessor", "Iterator", "Result", "Comment"})
_JSONATA = re.compile(r"^\{%(.*)%\}$", re.DOTALL)


def variable_references(definition: Any) -> dict[str, list[str]]:
    """``DescribeStateMachine.variableReferences``: state name -> variables it reads.

    JSONPath states read variables through ``$name`` paths in ``.$`` payload fields,
    ``*Path`` fields (not ``ResultPath``), Choice ``Variable``s and intrinsic function
    arguments; JSONata states through ``$name`` in ``{% %}`` expressions (``$states`` and
    function calls excluded). Names are sorted; states reading none are left out.
    """
    found: dict[str, list[str]] = {}
    for name, body, _where in _states(definition, ""):
        names: set[str] = set()
        for key, value in body.items():
            if key not in _SKIPPED:
                _collect(key, value, names)
        if names:
            found[name] = sorted(names)
    return found


def _collect(key: str, value: Any, names: set[str]) -> None:
    if isinstance(value, dict):
        for sub_key, sub in value.items():
            _collect(sub_key, sub, names)
    elif isinstance(value, list):
        for item in value:
            _collect(key, item, names)
    elif isinstance(value, str):
        jsonata = _JSONATA.match(value.strip())
        if jsonata:
            expression = _QUOTED.sub("", jsonata.group(1).replace('"', "'"))
            for match in _VARIABLE.finditer(expression):
                following = expression[match.end() :].lstrip()
                if match.group(1) != "states" and not following.startswith("("):
                    names.add(match.group(1))
        elif (
            key.endswith(".$")
            or key == "Variable"
            or (key.endswith("Path") and key != "ResultPath")
        ):
            names.update(_VARIABLE.findall(_QUOTED.sub("", value)))
