"""Model-driven request validation (``ValidationException``) and definition checks."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_sfn.errors import Diagnostic
from pytest_sfn.service.definitions import (
    check_definition,
    invalid_definition_message,
    variable_references,
)
from pytest_sfn.service.errors import ApiError
from pytest_sfn.service.session import service_model
from pytest_sfn.service.validation import validate_request


def violations(operation: str, params: dict[str, Any]) -> str | None:
    shape = service_model().operation_model(operation).input_shape
    try:
        validate_request(shape, params)
    except ApiError as error:
        assert error.code == "ValidationException"
        return error.message
    return None


@pytest.mark.parametrize(
    ("operation", "params", "message"),
    [
        ("ListStateMachines", {"maxResults": 1000}, None),
        ("ListStateMachines", {"maxResults": -1}, "1 validation error detected: Value '-1' at "
         "'maxResults' failed to satisfy constraint: Member must have value greater than or "
         "equal to 0"),
        ("ListExecutions", {"stateMachineArn": "a", "maxResults": 1001, "nextToken": "t" * 3097},
         "2 validation errors detected: Value '1001' at 'maxResults' failed to satisfy "
         "constraint: Member must have value less than or equal to 1000; Value '" + "t" * 3097
         + "' at 'nextToken' failed to satisfy constraint: Member must have length less than "
         "or equal to 3096"),
        ("StartExecution", {"stateMachineArn": "a"}, None),
        ("StartExecution", {}, "1 validation error detected: Value null at 'stateMachineArn' "
         "failed to satisfy constraint: Member must not be null"),
        ("StopExecution", {"executionArn": "a", "cause": "c" * 32769}, "1 validation error "
         "detected: Value at 'cause' failed to satisfy constraint: Member must have length "
         "less than or equal to 32768"),
        ("CreateStateMachine", {"name": "n", "definition": "d", "roleArn": "r",
                                "tags": [{"key": "k" * 129, "value": "v"}]},
         "1 validation error detected: Value '" + "k" * 129 + "' at 'tags.1.member.key' failed "
         "to satisfy constraint: Member must have length less than or equal to 128"),
        ("CreateStateMachine", {"name": "n", "definition": "d", "roleArn": "r",
                                "loggingConfiguration": {"level": "LOUD"}},
         "1 validation error detected: Value 'LOUD' at 'loggingConfiguration.level' failed to "
         "satisfy constraint: Member must satisfy enum value set: [ALL, ERROR, FATAL, OFF]"),
        ("ValidateStateMachineDefinition", {"definition": "d", "maxResults": 101},
         "1 validation error detected: Value '101' at 'maxResults' failed to satisfy "
         "constraint: Member must have value less than or equal to 100"),
    ],
)  # fmt: skip
def test_validation_messages(operation: str, params: dict[str, Any], message: str | None) -> None:
    assert violations(operation, params) == message


# --- definitions ----------------------------------------------------------------------------

LAMBDA = "arn:aws:states:::lambda:invoke"


def task(resource: str) -> dict[str, Any]:
    return {"Type": "Task", "Resource": resource, "End": True}


@pytest.mark.parametrize(
    ("resource", "message"),
    [
        (LAMBDA, None),
        ("arn:aws:states:::sqs:sendMessage.waitForTaskToken",
         "Express state machine does not support '.waitForTaskToken' service integration "),
        ("arn:aws:states:::states:startExecution.sync",
         "Express state machine does not support '.sync' service integration"),
        ("arn:aws:states:::states:startExecution.sync:2",
         "Express state machine does not support '.sync:2' service integration"),
        ("arn:aws:states:us-east-1:123456789012:activity:a",
         "Express state machine does not support Activity ARN"),
    ],
)  # fmt: skip
def test_express_rules_apply_in_nested_workflows(resource: str, message: str | None) -> None:
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "T", "States": {"T": task(resource)}}],
                "End": True,
            }
        },
    }
    text = json.dumps(definition)
    assert check_definition(text, "STANDARD").errors == []
    errors = check_definition(text, "EXPRESS").errors
    expected = [] if message is None else [
        Diagnostic("SCHEMA_VALIDATION_FAILED", message, "/States/P/Branches/0/States/T/Resource")
    ]  # fmt: skip
    assert errors == expected


def test_errors_come_before_warnings() -> None:
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Parameters": {"x": "$.y"}, "Next": "B"},
            "B": {"Type": "Pass", "Next": "Nowhere"},
        },
    }
    severities = [d.severity for d in check_definition(json.dumps(definition)).diagnostics]
    assert "ERROR" in severities
    assert severities == sorted(severities)  # "ERROR" < "WARNING"


def test_invalid_definition_message_joins_errors() -> None:
    diagnostics = [
        Diagnostic("SCHEMA_VALIDATION_FAILED", "first", "/States/A"),
        Diagnostic("MISSING_TRANSITION_TARGET", "second", "/States/B/Next"),
    ]
    assert invalid_definition_message(diagnostics) == (
        "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: first at /States/A, "
        "MISSING_TRANSITION_TARGET: second at /States/B/Next'"
    )


def test_variable_references_as_aws_lists_them() -> None:
    definition = {
        "StartAt": "Setup",
        "States": {
            "Setup": {
                "Type": "Pass",
                "Assign": {"guess": "g", "answer": "a"},
                "Parameters": {"r": "$literal"},
                "Next": "Check",
            },  # fmt: skip
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$guess", "StringEqualsPath": "$answer", "Next": "Map"}],
                "Default": "Wrong",
            },
            "Wrong": {
                "Type": "Pass",
                "Assign": {"guess.$": "$answer"},
                "Result": {"x.$": "$no"},
                "Next": "Check",
            },  # fmt: skip
            "Map": {
                "Type": "Map",
                "ItemsPath": "$$.Execution.Input",
                "ItemProcessor": {
                    "StartAt": "Sum",
                    "States": {
                        "Sum": {
                            "Type": "Pass",
                            "Assign": {"s.$": "States.MathAdd($x, $bias)"},
                            "ResultPath": "$result",
                            "End": True,
                        },  # fmt: skip
                    },
                },
                "End": True,
            },
        },
    }
    assert variable_references(definition) == {
        "Check": ["answer", "guess"],
        "Wrong": ["answer"],
        "Sum": ["bias", "x"],
    }


def test_variable_references_in_jsonata() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "A",
        "States": {
            "A": {
                "Type": "Pass",
                "Output": "{% $count($items) + $total + $states.input.n %}",
                "End": True,
            }  # fmt: skip
        },
    }
    assert variable_references(definition) == {"A": ["items", "total"]}
    assert variable_references("not a dict") == {}
