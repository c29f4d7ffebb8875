"""Static validation of Amazon States Language definitions.

:func:`validate_definition` reports what ``ValidateStateMachineDefinition`` reports (and what
makes ``CreateStateMachine`` fail with ``InvalidDefinition``): every problem, not just the
first, each with its AWS ``code``, a message in AWS's words and a JSON pointer
(``/States/Charge/Retry/0/ErrorEquals``) saying where.

The rules live in sibling modules: ``_validate_fields`` (the field matrix of each state type
and one state's checks), ``_validate_choice``, ``_validate_errors`` (Retry/Catch),
``_validate_map`` (Parallel and Map), ``_validate_data`` (paths, payload templates,
``Assign``), ``_validate_jsonata`` (``{% %}`` expressions), ``_validate_graph`` (names,
transitions, reachability) and ``_validate_variables`` (variable scopes). This module walks the
definition and its nested workflows.
"""

from __future__ import annotations

from typing import Any

from pytest_sfn._types import JSON
from pytest_sfn.errors import Diagnostic
from pytest_sfn.parsing._validate_common import (
    MSG_EMPTY,
    Collector,
    Path,
    Workflow,
    check_fields,
    expect_enum,
    expect_range,
    expect_type,
)
from pytest_sfn.parsing._validate_fields import QUERY_LANGUAGES, validate_state
from pytest_sfn.parsing._validate_graph import check_graph, check_names
from pytest_sfn.parsing._validate_variables import check_variables

__all__ = ["validate_definition"]

#: Top-level fields of a state machine, in the order AWS lists the required ones.
_TOP_FIELDS = ("Comment", "StartAt", "States", "Version", "TimeoutSeconds", "QueryLanguage")
_TOP_REQUIRED = ("States", "StartAt")
_WORKFLOW_FIELDS = ("StartAt", "States", "Comment")
_PROCESSOR_FIELDS = (*_WORKFLOW_FIELDS, "ProcessorConfig")


def validate_definition(definition: Any, *, machine_type: str = "STANDARD") -> list[Diagnostic]:
    """Validate a decoded state machine definition.

    Args:
        definition: the decoded JSON (or YAML) document, normally a dict.
        machine_type: ``"STANDARD"`` or ``"EXPRESS"`` (Express machines reject the
            ``.sync`` and ``.waitForTaskToken`` integration patterns).

    Returns:
        Every problem found, in a stable order: ``[]`` when the definition is valid.
        Severity ``"ERROR"`` makes ``CreateStateMachine`` fail; ``"WARNING"`` only informs
        (``NO_DOLLAR``, ``NO_PATH``, ``PASS_RESULT_IS_STATIC``).

    Example:
        >>> validate_definition({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
        []
    """
    c = Collector(visit_workflow=_visit_nested, machine_type=machine_type)
    if not isinstance(definition, dict):
        c.schema("Definition must be a valid JSON object", None)
        return c.diagnostics
    _visit_top_level(c, definition)
    check_names(c)
    check_graph(c)
    check_variables(c)
    return c.diagnostics


def _visit_top_level(c: Collector, definition: dict[str, Any]) -> None:
    check_fields(c, definition, (), _TOP_FIELDS, _TOP_REQUIRED)
    if "QueryLanguage" in definition:
        language = definition["QueryLanguage"]
        expect_enum(c, language, ("QueryLanguage",), QUERY_LANGUAGES)
        # As AWS resolves it: only the exact string "JSONPath" selects JSONPath.
        c.machine_jsonata = language != "JSONPath"
    if "Comment" in definition:
        expect_type(c, definition["Comment"], ("Comment",), str)
    if "Version" in definition:
        expect_enum(c, definition["Version"], ("Version",), ("1.0",))
    if "TimeoutSeconds" in definition:
        expect_range(c, definition["TimeoutSeconds"], ("TimeoutSeconds",), 1)
    _visit_workflow(c, definition, (), top_level=True)


def _visit_nested(c: Collector, workflow: JSON, path: Path) -> None:
    """A Parallel branch or a Map ``ItemProcessor``/``Iterator``."""
    if not expect_type(c, workflow, path, dict):
        return
    allowed = _PROCESSOR_FIELDS if path[-1] in ("ItemProcessor", "Iterator") else _WORKFLOW_FIELDS
    check_fields(c, workflow, path, allowed, _TOP_REQUIRED)
    if "Comment" in workflow:
        expect_type(c, workflow["Comment"], (*path, "Comment"), str)
    _visit_workflow(c, workflow, path, top_level=False)


def _visit_workflow(c: Collector, workflow: dict[str, Any], path: Path, *, top_level: bool) -> None:
    """``StartAt`` and ``States`` of one scope, then each of its states."""
    start_at = workflow.get("StartAt")
    if "StartAt" in workflow and not expect_type(c, start_at, (*path, "StartAt"), str):
        start_at = None
    if "States" not in workflow:
        return
    states_path = (*path, "States")
    states = workflow["States"]
    if not expect_type(c, states, states_path, dict):
        return
    if not states:
        c.schema(MSG_EMPTY, states_path)
        return
    named = {str(name): body for name, body in states.items()}
    c.workflows.append(Workflow(path, named, start_at, top_level))
    for name, body in named.items():
        state_path = (*states_path, name)
        c.state_names.append((name, state_path))
        validate_state(c, name, body, state_path)
