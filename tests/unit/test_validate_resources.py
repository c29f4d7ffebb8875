"""Task ``Resource`` recognition at load time and the parameter warnings."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_sfn import StateMachine
from pytest_sfn.errors import DefinitionError
from pytest_sfn.model.resource import Resource
from pytest_sfn.parsing.parameters import parameter_warnings
from pytest_sfn.parsing.validate import validate_definition

S = "arn:aws:states:::"


def task(resource: str, **fields: Any) -> dict[str, Any]:
    return {
        "StartAt": "T",
        "States": {"T": {"Type": "Task", "Resource": resource, "End": True, **fields}},
    }


@pytest.mark.parametrize(
    "resource",
    [
        S + "lambda:invoke",
        S + "lambda:invoke.waitForTaskToken",
        S + "dynamodb:getItem",
        S + "dynamodb:putItem",
        S + "dynamodb:updateItem",
        S + "dynamodb:deleteItem",
        S + "sqs:sendMessage",
        S + "sqs:sendMessage.waitForTaskToken",
        S + "sns:publish",
        S + "events:putEvents",
        S + "states:startExecution",
        S + "states:startExecution.sync",
        S + "states:startExecution.sync:2",
        S + "states:startExecution.waitForTaskToken",
        S + "ecs:runTask",
        S + "ecs:runTask.sync",
        S + "glue:startJobRun.sync",
        S + "batch:submitJob.sync",
        S + "athena:startQueryExecution.sync",
        S + "athena:getQueryResults",
        S + "bedrock:invokeModel",
        S + "bedrock:createModelCustomizationJob",
        S + "bedrock:createModelCustomizationJob.sync",
        S + "http:invoke",
        S + "apigateway:invoke",
        S + "eks:runJob.sync",
        S + "elasticmapreduce:createCluster.sync",
        S + "emr-serverless:startJobRun.sync",
        S + "codebuild:startBuild.sync",
        S + "sagemaker:createTrainingJob.sync",
        S + "aws-sdk:s3:getObject",
        S + "aws-sdk:sfn:startExecution",
        S + "aws-sdk:bedrock:listFoundationModels",
        S + "aws-sdk:bedrockruntime:converse",
        S + "aws-sdk:bedrockagentruntime:retrieve",
        S + "aws-sdk:dynamodb:getItem.waitForTaskToken",
        "arn:aws-us-gov:states:::aws-sdk:s3:listBuckets",
        "arn:aws:lambda:us-east-1:123456789012:function:charge",
        "arn:aws:lambda:us-east-1:123456789012:function:charge:prod",
        "arn:aws:states:us-east-1:123456789012:activity:review",
    ],
)
def test_recognized_resources_load(resource: str) -> None:
    assert [d for d in validate_definition(task(resource)) if d.severity == "ERROR"] == []


@pytest.mark.parametrize(
    ("resource", "hint"),
    [
        (S + "lambda:invokee", " (unknown action 'invokee' for 'lambda' (did you mean 'invoke'?))"),
        (S + "lambda", " (unknown action '' for 'lambda')"),
        (S + "lamda:invoke", " (unknown service integration 'lamda' (did you mean 'lambda'?))"),
        (S + "dynamodb:query", " (unknown action 'query' for 'dynamodb')"),
        (S + "s3:getObject", " (unknown service integration 's3')"),
        (S + "lambda:invoke.sync", " ('lambda:invoke' does not support the '.sync' integration pattern)"),
        (S + "ecs:runTask.sync:2", " ('ecs:runTask' does not support the '.sync:2' integration pattern)"),
        (S + "bedrock:invokeModel.sync", " ('bedrock:invokeModel' does not support the '.sync' integration pattern)"),
        (S + "aws-sdk:s3:getObjects", " (unknown action 'getObjects' for AWS SDK service 's3' (did you mean 'getObject'?))"),
        (S + "aws-sdk:stepfunctions:startExecution", " (unknown AWS SDK service 'stepfunctions' (did you mean 'sfn'?))"),
        (S + "aws-sdk:nosuchservice:doIt", " (unknown AWS SDK service 'nosuchservice')"),
        (S + "aws-sdk:s3:getObject.sync", " (AWS SDK integrations support only '.waitForTaskToken', not '.sync')"),
        (
            S + "aws-sdk:bedrockruntime:converseStream",
            " (the streaming action 'converseStream' of 'bedrockruntime' is not supported by AWS SDK integrations)",
        ),
        (S + "aws-sdk:s3", " (expected 'arn:aws:states:::aws-sdk:<service>:<action>')"),
    ],
)  # fmt: skip
def test_unknown_resources_are_definition_errors(resource: str, hint: str) -> None:
    diagnostics = validate_definition(task(resource))
    assert [(d.code, d.location, d.severity, d.hint) for d in diagnostics] == [
        ("SCHEMA_VALIDATION_FAILED", "/States/T/Resource", "ERROR", hint)
    ]
    assert diagnostics[0].message == (
        f"The resource provided {resource} is not recognized. The value is not a valid "
        "resource ARN, or the resource is not available in this region."
    )
    with pytest.raises(DefinitionError, match="/States/T/Resource"):
        StateMachine.from_definition(task(resource))


def test_unknown_resources_inside_nested_workflows_are_located() -> None:
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemProcessor": task(S + "sns:publishh"),
                "End": True,
            }
        },
    }
    [diagnostic] = validate_definition(definition)
    assert diagnostic.location == "/States/M/ItemProcessor/States/T/Resource"
    assert diagnostic.hint == " (unknown action 'publishh' for 'sns' (did you mean 'publish'?))"


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        (task(S + "lambda:invoke", Parameters={"FunctionName": "f", "Payload.$": "$"}), []),
        (
            task(S + "lambda:invoke"),
            [("/States/T/Parameters", "The field 'FunctionName' is required but was missing", "")],
        ),
        (
            task(S + "dynamodb:getItem", Parameters={"TableName": "t", "Key": {"id": {"S": 1}}}),
            [
                (
                    "/States/T/Parameters/Key/id/S",
                    "The value for the field 'S' must be a STRING but was a NUMBER",
                    "",
                )
            ],
        ),
        (
            task(S + "aws-sdk:s3:getObject", Parameters={"Bucket": "b", "Key": "k", "Rnage": "x"}),
            [
                (
                    "/States/T/Parameters",
                    'The field "Rnage" is not supported by Step Functions',
                    " (did you mean 'Range'?)",
                )
            ],
        ),
        (
            {
                "QueryLanguage": "JSONata",
                "StartAt": "T",
                "States": {
                    "T": {
                        "Type": "Task",
                        "Resource": S + "aws-sdk:s3:getObject",
                        "Arguments": {"Bucket": "{% $states.input.b %}"},
                        "End": True,
                    }
                },
            },
            [("/States/T/Arguments", "The field 'Key' is required but was missing", "")],
        ),
        (
            {
                "StartAt": "P",
                "States": {
                    "P": {
                        "Type": "Parallel",
                        "Branches": [task(S + "sqs:sendMessage", Parameters={"QueueUrl": "q"})],
                        "End": True,
                    }
                },
            },
            [
                (
                    "/States/P/Branches/0/States/T/Parameters",
                    "The field 'MessageBody' is required but was missing",
                    "",
                )
            ],
        ),
        (task(S + "http:invoke", Parameters={"Anything": 1}), []),
        (task("arn:aws:lambda:us-east-1:1:function:f", Parameters={"Anything": 1}), []),
        ([], []),
    ],
)
def test_parameter_warnings(definition: Any, expected: list[tuple[str, str, str]]) -> None:
    warnings = parameter_warnings(definition)
    assert [(w.location, w.message, w.hint) for w in warnings] == expected
    assert all(w.severity == "WARNING" for w in warnings)


def test_parameter_problems_do_not_stop_loading_or_aws_validation() -> None:
    definition = task(S + "aws-sdk:s3:getObject", Parameters={"Buckett": "b"})
    assert validate_definition(definition) == []
    StateMachine.from_definition(definition)
    assert len(parameter_warnings(definition)) == 3


@pytest.mark.parametrize(
    ("arn", "is_sdk", "sdk_service", "is_sync", "is_callback"),
    [
        (S + "aws-sdk:s3:getObject.waitForTaskToken", True, "s3", False, True),
        (S + "states:startExecution.sync:2", False, "", True, False),
        (S + "ecs:runTask.sync", False, "", True, False),
        (S + "lambda:invoke", False, "", False, False),
        ("arn:aws:lambda:us-east-1:1:function:f", False, "", False, False),
    ],
)
def test_resource_properties(
    arn: str, is_sdk: bool, sdk_service: str, is_sync: bool, is_callback: bool
) -> None:
    parsed = Resource.parse(arn)
    assert (parsed.is_sdk, parsed.sdk_service, parsed.is_sync, parsed.is_callback) == (
        is_sdk,
        sdk_service,
        is_sync,
        is_callback,
    )
