"""The JSON Schema of ``*.sfn.yaml`` scenario files, and validation with readable messages.

The schema (``scenario.schema.json``, JSON Schema draft 2020-12, shipped in this package) is
the single description of the format: editors use it for completion (point the YAML
language server at :data:`SCHEMA_PATH`), the docs are generated from its descriptions, and
:func:`validate_scenario_file` checks every file against it. Each violation becomes one line
``file:line: /json/pointer: what is wrong`` (with "did you mean" for misspelled keys).
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterator
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from pytest_sfn._types import JSON
from pytest_sfn.errors import did_you_mean
from pytest_sfn.mocks.documents import LineMap, Problem, join_pointer, raise_problems

__all__ = ["SCHEMA_PATH", "scenario_schema", "schema_problems", "validate_scenario_file"]

#: The schema file, for editors: ``# yaml-language-server: $schema=<this path>``.
SCHEMA_PATH = Path(__file__).with_name("scenario.schema.json")

#: The schema's message for a response with neither or both of return/throw.
_ONE_ANSWER = "a response needs exactly one of 'return' or 'throw'"
#: Messages that are noise next to an unknown key of the same map.
_ONE_OF = (_ONE_ANSWER, "a TestState mock needs exactly one of 'result' or 'error_output'")

_KINDS = {
    "object": "a map",
    "array": "a list",
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "boolean": "true or false",
    "null": "null",
}


@lru_cache(maxsize=1)
def _schema_text() -> str:
    return SCHEMA_PATH.read_text(encoding="utf-8")


def scenario_schema() -> dict[str, Any]:
    """The scenario file schema, decoded (a fresh copy each call)."""
    schema: dict[str, Any] = json.loads(_schema_text())
    return schema


@cache
def _validator(definition: str | None) -> Any:
    # Imported on first use: jsonschema takes tens of milliseconds to import.
    jsonschema = importlib.import_module("jsonschema")

    schema = scenario_schema()
    if definition is not None:
        schema = {
            "$schema": schema["$schema"],
            "$defs": schema["$defs"],
            "$ref": f"#/$defs/{definition}",
        }
    return jsonschema.Draft202012Validator(schema)


def schema_problems(
    value: JSON, *, pointer: str = "", definition: str | None = None
) -> list[Problem]:
    """Every schema violation of ``value``, as :class:`~pytest_sfn.mocks.documents.Problem`\\ s.

    Args:
        value: the decoded document (or part of it).
        pointer: where ``value`` sits in its file (prefix of every problem's pointer).
        definition: validate against ``#/$defs/<definition>`` (e.g. ``"mocks"``) instead
            of the whole file schema.
    """
    problems: dict[Problem, None] = {}
    for error in _validator(definition).iter_errors(value):
        for problem in _explain(error, pointer):
            problems.setdefault(problem)
    # "needs exactly one of 'return' or 'throw'" is noise next to "unknown key 'retrun'".
    unknown = {
        p.pointer.rpartition("/")[0] for p in problems if p.message.startswith("unknown key")
    }
    return [p for p in problems if not (p.message in _ONE_OF and p.pointer in unknown)]


def validate_scenario_file(value: JSON, lines: LineMap | None, source: str | None) -> None:
    """Check a decoded scenario file: the schema, unique scenario names, and the mocks.

    Args:
        value: the decoded file (see :func:`pytest_sfn.mocks.load_yaml_document`).
        lines: its line map, for ``file:line`` in messages.
        source: the file name shown in messages.

    Raises:
        MockError: one line per problem: ``file:line: /json/pointer: what is wrong``.
    """
    from pytest_sfn.mocks.yaml_mocks import read_mocks

    if value is None:
        raise_problems(
            [
                Problem(
                    "",
                    "the file is empty; it needs 'state_machine' and 'scenarios'",
                )
            ],
            source,
            lines,
        )
    problems = schema_problems(value)
    broken = [p.pointer for p in problems]
    sections: list[tuple[str, JSON]] = []
    if isinstance(value, dict):
        sections.append(("/mocks", value.get("mocks")))
        scenarios = value.get("scenarios")
        cases = value.get("test_state")
        problems += _duplicate_names(
            scenarios if isinstance(scenarios, list) else [],
            cases if isinstance(cases, list) else [],
            lines,
        )
        if isinstance(scenarios, list):
            for i, s in enumerate(scenarios):
                if not isinstance(s, dict):
                    continue
                sections.append((f"/scenarios/{i}/mocks", s.get("mocks")))
                if isinstance(s.get("redrive"), dict):
                    sections.append((f"/scenarios/{i}/redrive/mocks", s["redrive"].get("mocks")))
    for pointer, section in sections:
        if not isinstance(section, dict):
            continue
        for name, spec in section.items():
            here = join_pointer(pointer, name)
            if not any(p == here or p.startswith(here + "/") for p in broken):
                problems += read_mocks({name: spec}, source=source, lines=lines, pointer=pointer)[1]
    raise_problems(problems, source, lines)


def _duplicate_names(
    scenarios: list[Any], cases: list[Any], lines: LineMap | None
) -> list[Problem]:
    """Scenario and ``test_state`` names used twice (a ``test_state`` entry without a
    name is named after its state)."""
    seen: dict[str, str] = {}
    problems = []
    entries = [(f"/scenarios/{i}", s, "name") for i, s in enumerate(scenarios)]
    entries += [(f"/test_state/{i}", c, "name" if "name" in c else "state")
                for i, c in enumerate(cases) if isinstance(c, dict)]  # fmt: skip
    for pointer, entry, key in entries:
        name = entry.get(key) if isinstance(entry, dict) else None
        if not isinstance(name, str):
            continue
        if name in seen:
            first = (lines or LineMap()).line(seen[name])
            at = f" (first used at line {first})" if first is not None else ""
            what = "scenario name" if key == "name" else "test_state name (its state's)"
            problems.append(
                Problem(
                    f"{pointer}/{key}",
                    f"duplicate {what} {name!r}{at}; names identify the test items"
                    + ("" if key == "name" else ": give the entry a 'name'"),
                )
            )
        else:
            seen[name] = f"{pointer}/{key}"
    return problems


# --- jsonschema errors -> problems ----------------------------------------------------------


def _explain(error: Any, base: str) -> Iterator[Problem]:
    pointer = base
    for part in error.absolute_path:
        pointer = join_pointer(pointer, part)
    schema = error.schema if isinstance(error.schema, dict) else {}
    instance = error.instance
    validator = error.validator
    if "propertyNames" in error.absolute_schema_path:
        yield Problem(pointer, f"invalid key {instance!r}: {_message(error, schema)}")
    elif "errorMessage" in schema:
        yield Problem(pointer, str(schema["errorMessage"]))
    elif validator == "additionalProperties":
        allowed = list(schema.get("properties", {}))
        patterns = list(schema.get("patternProperties", {}))
        hint = schema.get("x-allowed-keys") or "allowed keys: " + ", ".join(allowed)
        for key in instance:
            if key in allowed or any(re.search(p, key) for p in patterns):
                continue
            suggestion = _suggest(key, allowed)
            yield Problem(join_pointer(pointer, key), f"unknown key {key!r}{suggestion}; {hint}")
    elif validator == "required":
        for name in error.validator_value:
            if isinstance(instance, dict) and name not in instance:
                yield Problem(pointer, f"missing required key {name!r}")
    else:
        yield Problem(pointer, _message(error, schema))


def _message(error: Any, schema: dict[str, Any]) -> str:
    validator, expected, instance = error.validator, error.validator_value, error.instance
    if validator == "type":
        types = expected if isinstance(expected, list) else [expected]
        wanted = schema.get("x-expected") or _join([_KINDS.get(str(t), str(t)) for t in types])
        return f"expected {wanted}, got {_kind(instance)}"
    if validator == "enum":
        options = ", ".join(json.dumps(option) for option in expected)
        suggestion = _suggest(str(instance), [str(option) for option in expected])
        return f"{_short(instance)} is not one of {options}{suggestion}"
    if validator == "const":
        suggestion = did_you_mean(str(instance), [str(expected)])
        return f"expected {json.dumps(expected)}, got {_short(instance)}{suggestion}"
    if validator in ("minimum", "exclusiveMinimum"):
        relation = "at least" if validator == "minimum" else "more than"
        return f"must be {relation} {expected}, got {_short(instance)}"
    if validator in ("minItems", "minLength", "minProperties"):
        return "must not be empty" if expected == 1 else f"needs at least {expected} entries"
    if validator == "pattern":
        return f"{_short(instance)} does not match the pattern {expected}"
    return str(error.message)


def _suggest(word: str, options: list[str]) -> str:
    """`` (did you mean X?)``, trying a case-insensitive match first (``failed`` -> ``FAILED``)."""
    for option in options:
        if option.casefold() == word.casefold():
            return f" (did you mean {option!r}?)"
    return did_you_mean(word, options)


def _kind(value: Any) -> str:
    if value is None:
        return "null (an empty value)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return f"the number {value}"
    if isinstance(value, float):
        return f"the number {value:g}"
    if isinstance(value, str):
        return f"the string {_short(value)}"
    if isinstance(value, list):
        return "a list"
    return "a map"


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."
