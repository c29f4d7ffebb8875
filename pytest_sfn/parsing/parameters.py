"""Load-time check of Task parameters against the API models (warnings).

AWS accepts unknown or missing integration parameters at ``CreateStateMachine`` (and
``ValidateStateMachineDefinition`` does not report them): the task fails when it runs, with
``The field "X" is not supported by Step Functions``. :func:`parameter_warnings` finds those
problems before the run, as ``WARNING`` diagnostics located at the offending field, for AWS SDK
integrations and the optimized integrations whose parameters follow an API model (see
:data:`pytest_sfn.integrations.shapes.OPTIMIZED_APIS`). Dynamic values (``.$`` keys, JSONata
``{% %}`` strings) are not checked.

It is separate from :func:`~pytest_sfn.parsing.validate.validate_definition`, which reports
exactly what AWS reports.

Example:
    >>> definition = {"StartAt": "Get", "States": {"Get": {
    ...     "Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
    ...     "Parameters": {"TableName": "orders", "Keys": {}}, "End": True}}}
    >>> for warning in parameter_warnings(definition):
    ...     print(warning.location, warning.message)
    /States/Get/Parameters The field "Keys" is not supported by Step Functions
    /States/Get/Parameters The field 'Key' is required but was missing
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pytest_sfn.errors import Diagnostic
from pytest_sfn.model.resource import Resource
from pytest_sfn.parsing._validate_common import pointer

__all__ = ["normalised_arn", "parameter_warnings"]

Path = tuple[str | int, ...]


def _tasks(workflow: Any, path: Path, jsonata: bool) -> Iterator[tuple[dict[str, Any], Path, bool]]:
    """Every Task state of a workflow and its nested workflows, with its query language."""
    if not isinstance(workflow, dict) or not isinstance(workflow.get("States"), dict):
        return
    for name, body in workflow["States"].items():
        if not isinstance(body, dict):
            continue
        where = (*path, "States", str(name))
        language = body.get("QueryLanguage")
        state_jsonata = jsonata if language is None else language != "JSONPath"
        if body.get("Type") == "Task":
            yield body, where, state_jsonata
        branches = body.get("Branches")
        if isinstance(branches, list):
            for index, branch in enumerate(branches):
                yield from _tasks(branch, (*where, "Branches", index), jsonata)
        for key in ("ItemProcessor", "Iterator"):
            yield from _tasks(body.get(key), (*where, key), jsonata)


def parameter_warnings(definition: Any) -> list[Diagnostic]:
    """Check every Task's ``Parameters``/``Arguments`` against the API's input shape.

    Args:
        definition: the decoded state machine definition (assumed valid; anything
            malformed is skipped).

    Returns:
        ``SCHEMA_VALIDATION_FAILED`` diagnostics with severity ``WARNING``: unknown members
        (with a did-you-mean hint), missing required members and wrong literal types, each
        located at the offending object or value (``/States/Get/Parameters/Key``).
    """
    from pytest_sfn.integrations.shapes import parameter_diagnostics

    if not isinstance(definition, dict):
        return []
    machine_jsonata = definition.get("QueryLanguage", "JSONPath") != "JSONPath"
    warnings: list[Diagnostic] = []
    for body, where, jsonata in _tasks(definition, (), machine_jsonata):
        resource = body.get("Resource")
        if not isinstance(resource, str):
            continue
        parsed = Resource.parse(normalised_arn(resource))
        field = "Arguments" if jsonata else "Parameters"
        parameters = body.get(field)
        if parameters is not None and not isinstance(parameters, (dict, str)):
            continue
        for found in parameter_diagnostics(parsed, parameters, pointer((*where, field))):
            warnings.append(
                Diagnostic(found.code, found.message, found.location, "WARNING", found.hint)
            )
    return warnings


def normalised_arn(arn: str) -> str:
    """The ARN in the ``aws`` partition (``arn:aws-us-gov:states:::...`` -> ``arn:aws:...``)."""
    parts = arn.split(":", 2)
    return f"arn:aws:{parts[2]}" if len(parts) == 3 and parts[0] == "arn" else arn
