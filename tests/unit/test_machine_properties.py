"""Derived ``StateMachine`` properties: ``warnings`` (Task parameters against the API
shapes) and ``can_wait`` (whether a Task can wait for an answer from outside)."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_sfn import StateMachine


def _machine(parameters: dict[str, Any], resource: str) -> StateMachine:
    return StateMachine.from_definition(
        {
            "StartAt": "T",
            "States": {
                "T": {"Type": "Task", "Resource": resource, "Parameters": parameters, "End": True}
            },
        }
    )


@pytest.mark.parametrize(
    ("resource", "parameters", "expected"),
    [
        (
            "arn:aws:states:::dynamodb:putItem",
            {"TableName": "t", "Itm": {}},
            [
                ("/States/T/Parameters", "Itm", "'Item'"),
                ("/States/T/Parameters", "'Item' is required", None),
            ],
        ),
        ("arn:aws:states:::dynamodb:putItem", {"TableName": "t", "Item": {}}, []),
        # Dynamic values are only known at run time.
        ("arn:aws:states:::dynamodb:putItem", {"TableName.$": "$.t", "Item.$": "$.item"}, []),
        (
            "arn:aws:states:::aws-sdk:s3:getObject",
            {"Bucket": "b"},
            [("/States/T/Parameters", "'Key' is required", None)],
        ),
    ],
)
def test_parameter_problems_are_warnings_with_pointers(
    resource: str, parameters: dict[str, Any], expected: list[tuple[str, str, str | None]]
) -> None:
    machine = _machine(parameters, resource)  # loads: AWS accepts these definitions

    warnings = machine.warnings

    assert len(warnings) == len(expected)
    for warning, (location, text, hint) in zip(warnings, expected, strict=True):
        assert warning.severity == "WARNING"
        assert warning.location == location
        assert text in warning.render(hint=True)
        if hint is not None:
            assert hint in warning.render(hint=True)


def test_warnings_are_computed_once() -> None:
    machine = _machine({"TableName": "t"}, "arn:aws:states:::dynamodb:putItem")

    assert machine.warnings is machine.warnings


def _task(resource: str) -> dict[str, Any]:
    return {"Type": "Task", "Resource": resource, "End": True}


@pytest.mark.parametrize(
    ("states", "can_wait"),
    [
        ({"T": _task("arn:aws:states:::lambda:invoke")}, False),
        ({"T": _task("arn:aws:states:::sqs:sendMessage.waitForTaskToken")}, True),
        ({"T": _task("arn:aws:states:us-east-1:123456789012:activity:review")}, True),
        ({"T": _task("arn:aws:states:::states:startExecution.sync:2")}, False),
        (
            {
                "T": {
                    "Type": "Parallel",
                    "Branches": [
                        {
                            "StartAt": "M",
                            "States": {
                                "M": {
                                    "Type": "Map",
                                    "ItemProcessor": {
                                        "StartAt": "W",
                                        "States": {
                                            "W": _task(
                                                "arn:aws:states:::lambda:invoke.waitForTaskToken"
                                            )
                                        },
                                    },
                                    "End": True,
                                }
                            },
                        }
                    ],
                    "End": True,
                }
            },
            True,
        ),
    ],
    ids=["request-response", "callback", "activity", "sync", "nested-callback"],
)
def test_can_wait_finds_callback_and_activity_tasks_anywhere(
    states: dict[str, Any], can_wait: bool
) -> None:
    machine = StateMachine.from_definition({"StartAt": "T", "States": states})

    assert machine.can_wait is can_wait
