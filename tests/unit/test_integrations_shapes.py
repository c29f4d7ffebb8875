"""Output shapes of Task resources and TestState's mock result validation (aws-spec.md §1.7)."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_sfn.integrations.shapes import (
    MOCK_RESULT_ERROR_PREFIX,
    OPTIMIZED_APIS,
    check_result,
    output_operation,
    output_shape_for,
    validate_parameters,
    validate_result,
)
from pytest_sfn.model.resource import Resource

S = "arn:aws:states:::"
LAMBDA_ARN = "arn:aws:lambda:us-east-1:123456789012:function:charge"
ACTIVITY_ARN = "arn:aws:states:us-east-1:123456789012:activity:review"


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        (S + "aws-sdk:s3:getObject", ("s3", "GetObject")),
        (S + "aws-sdk:sfn:startExecution", ("stepfunctions", "StartExecution")),
        (S + "aws-sdk:bedrockruntime:converse", ("bedrock-runtime", "Converse")),
        (S + "lambda:invoke", ("lambda", "Invoke")),
        (S + "dynamodb:getItem", ("dynamodb", "GetItem")),
        (S + "dynamodb:putItem", ("dynamodb", "PutItem")),
        (S + "dynamodb:updateItem", ("dynamodb", "UpdateItem")),
        (S + "dynamodb:deleteItem", ("dynamodb", "DeleteItem")),
        (S + "sqs:sendMessage", ("sqs", "SendMessage")),
        (S + "sns:publish", ("sns", "Publish")),
        (S + "events:putEvents", ("events", "PutEvents")),
        (S + "ecs:runTask", ("ecs", "RunTask")),
        (S + "glue:startJobRun", ("glue", "StartJobRun")),
        (S + "batch:submitJob", ("batch", "SubmitJob")),
        (S + "athena:startQueryExecution", ("athena", "StartQueryExecution")),
        (S + "bedrock:invokeModel", ("bedrock-runtime", "InvokeModel")),
        (S + "bedrock:createModelCustomizationJob", ("bedrock", "CreateModelCustomizationJob")),
        (S + "elasticmapreduce:createCluster", ("emr", "RunJobFlow")),
        (S + "states:startExecution", ("stepfunctions", "StartExecution")),
        # .sync: the polling API
        (S + "states:startExecution.sync", ("stepfunctions", "DescribeExecution")),
        (S + "states:startExecution.sync:2", ("stepfunctions", "DescribeExecution")),
        (S + "ecs:runTask.sync", ("ecs", "DescribeTasks")),
        (S + "glue:startJobRun.sync", ("glue", "GetJobRun")),
        (S + "batch:submitJob.sync", ("batch", "DescribeJobs")),
        (S + "athena:startQueryExecution.sync", ("athena", "GetQueryExecution")),
        (
            S + "bedrock:createModelCustomizationJob.sync",
            ("bedrock", "GetModelCustomizationJob"),
        ),
        (S + "codebuild:startBuild.sync", ("codebuild", "BatchGetBuilds")),
        (S + "sagemaker:createTrainingJob.sync", ("sagemaker", "DescribeTrainingJob")),
        # not validated
        (S + "http:invoke", None),
        (S + "apigateway:invoke", None),
        (S + "eks:call", None),
        (S + "eks:runJob", None),
        (S + "eks:runJob.sync", None),
        (S + "lambda:invoke.waitForTaskToken", None),
        (S + "aws-sdk:sqs:sendMessage.waitForTaskToken", None),
        (LAMBDA_ARN, None),
        (ACTIVITY_ARN, None),
        (S + "aws-sdk:nosuchservice:doIt", None),
        (S + "lambda:invokeAsync", None),
        (S + "lambda:invoke.sync", None),
        (S + "ecs:runTask.sync:2", None),
    ],
)
def test_output_operation(resource: str, expected: tuple[str, str] | None) -> None:
    parsed = Resource.parse(resource)
    assert output_operation(parsed) == expected
    shape = output_shape_for(parsed)
    assert (shape is None) == (expected is None)


def test_output_shape_is_the_botocore_output_shape() -> None:
    shape = output_shape_for(Resource.parse(S + "states:startExecution.sync:2"))
    assert shape.name == "DescribeExecutionOutput"
    assert "executionArn" in shape.members


def test_every_optimized_api_names_a_real_botocore_operation() -> None:
    import botocore.session

    session = botocore.session.get_session()
    for key, api in OPTIMIZED_APIS.items():
        for service, operation in ((api.botocore_service, api.operation), api.sync or (None, None)):
            if service is None:
                continue
            assert operation in session.get_service_model(service).operation_names, key


PUT_EVENTS = S + "events:putEvents"
START = S + "states:startExecution"


@pytest.mark.parametrize(
    ("resource", "result", "mode", "expected"),
    [
        # the §1.7 examples, in AWS's words
        (PUT_EVENTS, {"Entries": 1}, "STRICT", ["Field 'Entries' must be an array"]),
        (PUT_EVENTS, {"Entries": [{"EventId": 7}]}, "STRICT", ["Field 'EventId' must be a string"]),
        (
            PUT_EVENTS,
            {"Entries": [{"EventId": "a"}, {"EventId": False}]},
            "STRICT",
            ["Field 'EventId' must be a string"],
        ),
        (PUT_EVENTS, {"random": "json"}, "STRICT", []),
        (PUT_EVENTS, {}, "STRICT", []),
        (START, {"StartDate": "2024-01-01T00:00:00Z"}, "STRICT", ["Required field 'ExecutionArn' is missing"]),
        (START, {"ExecutionArn": "arn", "StartDate": True}, "STRICT", ["Field 'StartDate' must be a string"]),
        (START, {"ExecutionArn": "arn", "StartDate": 1}, "STRICT", ["Field 'StartDate' must be a string"]),
        (S + "lambda:invoke", {"StatusCode": "200"}, "STRICT", ["Field 'StatusCode' must be a number"]),
        (
            S + "dynamodb:getItem",
            {"ConsumedCapacity": {"TableName": "t", "CapacityUnits": "1"}},
            "STRICT",
            ["Field 'CapacityUnits' must be a number"],
        ),
        (S + "aws-sdk:s3:getObject", {"ContentLength": "12"}, "STRICT", ["Field 'ContentLength' must be a number"]),
        (S + "aws-sdk:s3:getObject", {"StorageClass": "COLD"}, "STRICT", ["Field 'StorageClass' is not an expected value"]),
        (S + "aws-sdk:s3:getObject", {"StorageClass": "GLACIER"}, "STRICT", []),
        (S + "aws-sdk:kms:encrypt", {"CiphertextBlob": 5}, "STRICT", ["Field 'CiphertextBlob' must be a string"]),
        (
            S + "aws-sdk:kms:encrypt",
            {"CiphertextBlob": ""},
            "STRICT",
            ["Field 'CiphertextBlob' is smaller than the minimum length"],
        ),
        (
            S + "aws-sdk:lambda:getFunction",
            {"Configuration": {"MemorySize": 1}},
            "STRICT",
            ["Field 'MemorySize' is less than the minimum value"],
        ),
        (
            S + "aws-sdk:lambda:getFunction",
            {"Configuration": {"MemorySize": 10**9}},
            "STRICT",
            ["Field 'MemorySize' exceeds the maximum value"],
        ),
        (S + "aws-sdk:lambda:getFunction", {"Configuration": {"MemorySize": 128}}, "STRICT", []),
        # modes
        (START, {}, "STRICT", ["Required field 'ExecutionArn' is missing", "Required field 'StartDate' is missing"]),
        (START, {}, "PRESENT", []),
        (START, {"ExecutionArn": 1}, "PRESENT", ["Field 'ExecutionArn' must be a string"]),
        (START, {"ExecutionArn": 1}, "NONE", []),
        (START, [1, 2], "NONE", []),
        # unknown and wrongly cased fields are ignored; null counts as absent
        (START, {"executionArn": "a", "startDate": "d"}, "PRESENT", []),
        (
            START,
            {"executionArn": "a", "ExecutionArn": None, "StartDate": "d"},
            "STRICT",
            ["Required field 'ExecutionArn' is missing"],
        ),
        # members Step Functions turns into JSON accept any JSON
        (S + "lambda:invoke", {"StatusCode": 200, "Payload": {"ok": True}}, "STRICT", []),
        (S + "aws-sdk:lambda:invoke", {"Payload": {"ok": True}}, "STRICT", ["Field 'Payload' must be a string"]),
        (S + "bedrock:invokeModel", {"Body": {"content": []}}, "STRICT", []),
        (S + "bedrock:invokeModel", {}, "STRICT", ["Required field 'Body' is missing"]),
        (
            START + ".sync:2",
            {"ExecutionArn": "a", "StateMachineArn": "s", "Status": "SUCCEEDED", "StartDate": "d", "Output": {"x": 1}},
            "STRICT",
            [],
        ),
        (
            START + ".sync",
            {"ExecutionArn": "a", "StateMachineArn": "s", "Status": "DONE", "StartDate": "d", "Output": {"x": 1}},
            "STRICT",
            ["Field 'Status' is not an expected value", "Field 'Output' must be a string"],
        ),
        # the result itself must be an object
        (START, "text", "STRICT", ["Mocked result must be a JSON object"]),
        # not validated at all
        (S + "http:invoke", {"StatusCode": "x"}, "STRICT", []),
        (LAMBDA_ARN, 42, "STRICT", []),
        (S + "sqs:sendMessage.waitForTaskToken", "anything", "STRICT", []),
        # nested types
        (S + "aws-sdk:dynamodb:getItem", {"Item": {"pk": {"S": 1}}}, "STRICT", ["Field 'S' must be a string"]),
        (S + "aws-sdk:dynamodb:getItem", {"Item": []}, "STRICT", ["Field 'Item' must be an object"]),
        (S + "aws-sdk:sqs:receiveMessage", {"Messages": [{"Body": "b"}, "m"]}, "STRICT", ["Field 'Messages' must be an object"]),
        (S + "aws-sdk:ec2:describeInstances", {"Reservations": [{"Instances": [{"EbsOptimized": "yes"}]}]}, "STRICT", ["Field 'EbsOptimized' must be a boolean"]),
        # Java spelling of aws-sdk members
        (S + "aws-sdk:rds:describeDBInstances", {"DbInstances": [{"AllocatedStorage": "x"}]}, "STRICT", ["Field 'AllocatedStorage' must be a number"]),
    ],
)  # fmt: skip
def test_validate_result(resource: str, result: Any, mode: str, expected: list[str]) -> None:
    assert validate_result(Resource.parse(resource), result, mode) == expected


def test_validate_result_default_mode_is_strict() -> None:
    assert validate_result(Resource.parse(START), {}) == [
        "Required field 'ExecutionArn' is missing",
        "Required field 'StartDate' is missing",
    ]


@pytest.mark.parametrize("mode", ["LAX", "strict", ""])
def test_unknown_mode_is_rejected(mode: str) -> None:
    with pytest.raises(ValueError, match="unknown result validation mode"):
        validate_result(Resource.parse(START), {}, mode)
    with pytest.raises(ValueError, match="unknown result validation mode"):
        check_result(None, {}, mode)  # type: ignore[arg-type]


def test_prefix_makes_the_aws_message() -> None:
    details = validate_result(Resource.parse(PUT_EVENTS), {"Entries": {}})
    assert MOCK_RESULT_ERROR_PREFIX + details[0] == (
        "Mock result schema validation error: Field 'Entries' must be an array"
    )


P = "/States/T/Parameters"


@pytest.mark.parametrize(
    ("resource", "parameters", "expected"),
    [
        (S + "lambda:invoke", {"FunctionName": "f", "Payload": {"a": 1}}, []),
        (S + "lambda:invoke", {"FunctionName.$": "$.fn", "Payload.$": "$"}, []),
        (
            S + "lambda:invoke",
            {"FunctionName": "f", "TaskToken.$": "$$.Task.Token"},
            [(P, 'The field "TaskToken" is not supported by Step Functions')],
        ),
        (S + "lambda:invoke", {}, [(P, "The field 'FunctionName' is required but was missing")]),
        (
            S + "lambda:invoke",
            {"FunctionName": 1},
            [(P + "/FunctionName", "The value for the field 'FunctionName' must be a STRING but was a NUMBER")],
        ),
        (S + "sqs:sendMessage", {"QueueUrl": "q", "MessageBody": {"any": "json"}}, []),
        (S + "sns:publish", {"TopicArn": "t", "Message": {"any": "json"}}, []),
        (S + "states:startExecution.sync:2", {"StateMachineArn": "s", "Input": {"a": 1}}, []),
        (
            S + "dynamodb:putItem",
            {"TableName": "t", "Itme": {}},
            [
                (P, "The field \"Itme\" is not supported by Step Functions (did you mean 'Item'?)"),
                (P, "The field 'Item' is required but was missing"),
            ],
        ),
        (
            S + "bedrock:invokeModel",
            {"ModelId": "m", "Body": {"prompt": "p"}, "Output": {"S3Uri": "s3://b/k"}},
            [],
        ),
        (S + "bedrock:invokeModel", {"ModelId": "m", "Input": {"S3Uri": "s3://b/k"}}, []),
        (S + "ecs:runTask.sync", {"TaskDefinition": "td", "Cluster": "c", "LaunchType": "FARGATE"}, []),
        (S + "aws-sdk:s3:getObject", {"Bucket": "b"}, [(P, "The field 'Key' is required but was missing")]),
        (S + "aws-sdk:s3:getObject", "{% $states.input %}", []),
        # not checked
        (S + "http:invoke", {"Anything": 1}, []),
        (S + "sagemaker:createTrainingJob", {"Anything": 1}, []),
        (LAMBDA_ARN, {"Anything": 1}, []),
        (S + "aws-sdk:nosuch:thing", {"Anything": 1}, []),
    ],
)  # fmt: skip
def test_validate_parameters(
    resource: str, parameters: Any, expected: list[tuple[str, str]]
) -> None:
    assert validate_parameters(Resource.parse(resource), parameters, P) == expected
