"""AWS SDK integrations: resource resolution, error names, parameter and result checks."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_sfn.errors import SfnError
from pytest_sfn.integrations.aws_sdk import (
    REQUEST_RESPONSE,
    SERVICE_EXCEPTIONS,
    WAIT_FOR_TASK_TOKEN,
    SdkOperation,
    UnknownSdkResource,
    java_pascal_case,
    resolve_sdk_resource,
    sdk_error_name,
    sdk_service_names,
    validate_sdk_parameters,
    validate_sdk_result,
)

SDK = "arn:aws:states:::aws-sdk:"


@pytest.mark.parametrize(
    ("resource", "botocore_service", "operation", "prefix", "pattern"),
    [
        ("dynamodb:putItem", "dynamodb", "PutItem", "DynamoDb", REQUEST_RESPONSE),
        ("s3:getObject", "s3", "GetObject", "S3", REQUEST_RESPONSE),
        ("sfn:startExecution", "stepfunctions", "StartExecution", "Sfn", REQUEST_RESPONSE),
        ("sfn:sendTaskSuccess", "stepfunctions", "SendTaskSuccess", "Sfn", REQUEST_RESPONSE),
        ("eventbridge:putEvents", "events", "PutEvents", "EventBridge", REQUEST_RESPONSE),
        (
            "acmpca:deleteCertificateAuthority",
            "acm-pca",
            "DeleteCertificateAuthority",
            "AcmPca",
            REQUEST_RESPONSE,
        ),
        (
            "bedrockruntime:converse",
            "bedrock-runtime",
            "Converse",
            "BedrockRuntime",
            REQUEST_RESPONSE,
        ),
        (
            "secretsmanager:getSecretValue",
            "secretsmanager",
            "GetSecretValue",
            "SecretsManager",
            REQUEST_RESPONSE,
        ),
        ("sqs:sendMessage.waitForTaskToken", "sqs", "SendMessage", "Sqs", WAIT_FOR_TASK_TOKEN),
        ("sns:publish", "sns", "Publish", "Sns", REQUEST_RESPONSE),
        ("lambda:invoke", "lambda", "Invoke", "Lambda", REQUEST_RESPONSE),
        ("apigateway:getRestApis", "apigateway", "GetRestApis", "ApiGateway", REQUEST_RESPONSE),
        ("ec2:describeInstances", "ec2", "DescribeInstances", "Ec2", REQUEST_RESPONSE),
        ("cloudwatchlogs:putLogEvents", "logs", "PutLogEvents", "CloudWatchLogs", REQUEST_RESPONSE),
        ("cloudwatch:putMetricData", "cloudwatch", "PutMetricData", "CloudWatch", REQUEST_RESPONSE),
        ("rds:describeDBInstances", "rds", "DescribeDBInstances", "Rds", REQUEST_RESPONSE),
        (
            "elasticloadbalancingv2:describeLoadBalancers",
            "elbv2",
            "DescribeLoadBalancers",
            "ElasticLoadBalancingV2",
            REQUEST_RESPONSE,
        ),
        ("costexplorer:getCostAndUsage", "ce", "GetCostAndUsage", "CostExplorer", REQUEST_RESPONSE),
        (
            "databasemigration:describeReplicationTasks",
            "dms",
            "DescribeReplicationTasks",
            "DatabaseMigration",
            REQUEST_RESPONSE,
        ),
    ],
)
def test_resolve(
    resource: str, botocore_service: str, operation: str, prefix: str, pattern: str
) -> None:
    service = resource.split(":")[0]
    assert resolve_sdk_resource(SDK + resource) == SdkOperation(
        service, botocore_service, operation, prefix, pattern
    )


@pytest.mark.parametrize(
    ("resource", "fragment"),
    [
        (
            "stepfunctions:startExecution",
            "unknown AWS SDK service 'stepfunctions' in 'arn:aws:states:::aws-sdk:stepfunctions:startExecution' (did you mean 'sfn'?)",
        ),
        ("events:putEvents", "(did you mean 'eventbridge'?)"),
        ("acm-pca:describeCertificateAuthority", "(did you mean 'acmpca'?)"),
        ("bedrock-runtime:converse", "(did you mean 'bedrockruntime'?)"),
        ("dynamo:putItem", "unknown AWS SDK service 'dynamo'"),
        ("dynamo:putItem", "(did you mean 'dynamodb'?)"),
        ("dynamodb:putItm", "unknown action 'putItm' for AWS SDK service 'dynamodb'"),
        ("dynamodb:putItm", "(did you mean 'putItem'?)"),
        ("dynamodb:PutItem", "(did you mean 'putItem'?)"),
        ("sfn:startExecution.sync", "AWS SDK integrations support only '.waitForTaskToken'"),
        ("sfn:startExecution.sync:2", "unsupported integration pattern '.sync:2'"),
        ("dynamodb", "malformed AWS SDK resource"),
        ("dynamodb:", "malformed AWS SDK resource"),
        ("notaservicexyz:doIt", "unknown AWS SDK service 'notaservicexyz'"),
    ],
)
def test_resolve_errors(resource: str, fragment: str) -> None:
    with pytest.raises(UnknownSdkResource) as info:
        resolve_sdk_resource(SDK + resource)
    assert fragment in str(info.value)
    assert isinstance(info.value, SfnError)
    assert info.value.resource == SDK + resource


def test_resolve_rejects_other_resources() -> None:
    with pytest.raises(UnknownSdkResource, match="not an AWS SDK resource"):
        resolve_sdk_resource("arn:aws:states:::dynamodb:putItem")


def test_service_table_matches_botocore_service_ids() -> None:
    """SERVICE_EXCEPTIONS is exactly the set of services whose Java client name differs."""
    session = botocore.session.get_session()
    loader = session.get_component("data_loader")
    derived: dict[str, str] = {}
    for name in session.get_available_services():
        service_id = loader.load_service_model(name, "service-2")["metadata"]["serviceId"]
        client = java_pascal_case(service_id)
        for prefix in ("Amazon", "Aws"):
            client = client.removeprefix(prefix) if client != prefix else client
        client = client.removesuffix("Service") if client != "Service" else client
        if client.lower() != name.replace("-", ""):
            derived.setdefault(client.lower(), name)
    # "sms-voice" is the legacy alias of "pinpoint-sms-voice" (same serviceId).
    derived.pop("pinpointsmsvoice", None)
    assert derived == dict(SERVICE_EXCEPTIONS)


def test_service_names_cover_botocore() -> None:
    names = sdk_service_names()
    assert names["sfn"] == "stepfunctions"
    assert names["acmpca"] == "acm-pca"
    assert "stepfunctions" not in names
    assert "events" not in names
    assert set(names.values()) <= set(botocore.session.get_session().get_available_services())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DynamoDB", "DynamoDb"),
        ("ACM PCA", "AcmPca"),
        ("SFN", "Sfn"),
        ("S3", "S3"),
        ("EC2", "Ec2"),
        ("Secrets Manager", "SecretsManager"),
        ("IoT Data Plane", "IotDataPlane"),
        ("Elastic Load Balancing v2", "ElasticLoadBalancingV2"),
        ("DBInstanceIdentifier", "DbInstanceIdentifier"),
        ("restApiId", "RestApiId"),
        ("TableName", "TableName"),
    ],
)
def test_java_pascal_case(text: str, expected: str) -> None:
    assert java_pascal_case(text) == expected


@pytest.mark.parametrize(
    ("resource", "code", "expected"),
    [
        ("dynamodb:getItem", "ResourceNotFoundException", "DynamoDb.ResourceNotFoundException"),
        ("dynamodb:getItem", "DynamoDbException", "DynamoDb.DynamoDbException"),
        ("s3:getObject", "NoSuchKey", "S3.NoSuchKeyException"),
        ("s3:createBucket", "BucketAlreadyExists", "S3.BucketAlreadyExistsException"),
        ("s3:getObject", "NoSuchBucket", "S3.NoSuchBucketException"),
        ("sfn:sendTaskSuccess", "InvalidToken", "Sfn.InvalidTokenException"),
        (
            "secretsmanager:getSecretValue",
            "SecretsManagerException",
            "SecretsManager.SecretsManagerException",
        ),
        (
            "acmpca:deleteCertificateAuthority",
            "ResourceNotFoundException",
            "AcmPca.ResourceNotFoundException",
        ),
    ],
)
def test_sdk_error_name(resource: str, code: str, expected: str) -> None:
    assert sdk_error_name(resolve_sdk_resource(SDK + resource), code) == expected


@given(st.from_regex(r"[A-Z][A-Za-z]{0,20}", fullmatch=True))
def test_sdk_error_name_always_ends_with_exception(code: str) -> None:
    op = SdkOperation("s3", "s3", "GetObject", "S3")
    name = sdk_error_name(op, code)
    assert name.startswith("S3.")
    assert name.endswith("Exception")
    assert code in name


P = "/States/T/Parameters"


@pytest.mark.parametrize(
    ("resource", "parameters", "expected"),
    [
        ("dynamodb:putItem", {"TableName": "t", "Item": {"pk": {"S": "1"}}}, []),
        ("dynamodb:putItem", {"TableName.$": "$.t", "Item.$": "$.item"}, []),
        ("dynamodb:putItem", {"TableName": "{% $t %}", "Item": {"pk": {"N": "{% $n %}"}}}, []),
        ("dynamodb:putItem", "{% $params %}", []),
        (
            "dynamodb:putItem",
            {"TableNam": "t", "Item": {}},
            [
                (
                    'The field "TableNam" is not supported by Step Functions',
                    P,
                    " (did you mean 'TableName'?)",
                ),
                ("The field 'TableName' is required but was missing", P, ""),
            ],
        ),
        (
            "dynamodb:putItem",
            None,
            [
                ("The field 'TableName' is required but was missing", P, ""),
                ("The field 'Item' is required but was missing", P, ""),
            ],
        ),
        (
            "dynamodb:putItem",
            {"TableName": 5, "Item": {}},
            [
                (
                    "The value for the field 'TableName' must be a STRING but was a NUMBER",
                    P + "/TableName",
                    "",
                )
            ],
        ),
        (
            "dynamodb:putItem",
            {"TableName": "t", "Item": {"a": {"S": True}}},
            [
                (
                    "The value for the field 'S' must be a STRING but was a BOOLEAN",
                    P + "/Item/a/S",
                    "",
                )
            ],
        ),
        (
            "dynamodb:putItem",
            {"TableName": "t", "Item": []},
            [
                (
                    "The value for the field 'Item' must be an OBJECT but was an ARRAY",
                    P + "/Item",
                    "",
                )
            ],
        ),
        (
            "dynamodb:putItem",
            {"TableName": "t", "Item": {"a/b": {"S": 1}}},
            [
                (
                    "The value for the field 'S' must be a STRING but was a NUMBER",
                    P + "/Item/a~1b/S",
                    "",
                )
            ],
        ),
        (
            "dynamodb:putItem",
            {"TableName": "t", "Item": {"a": {"Bad": "x"}}},
            [('The field "Bad" is not supported by Step Functions', P + "/Item/a", "")],
        ),
        (
            "sqs:sendMessage",
            {"QueueUrl": "u", "MessageBody": "b", "DelaySeconds": "5"},
            [
                (
                    "The value for the field 'DelaySeconds' must be an INTEGER but was a STRING",
                    P + "/DelaySeconds",
                    "",
                )
            ],
        ),
        ("sqs:sendMessage", {"QueueUrl": "u", "MessageBody": "b", "DelaySeconds": 5}, []),
        (
            "sqs:sendMessage",
            {"QueueUrl": "u", "MessageBody": "b", "DelaySeconds": 1.5},
            [
                (
                    "The value for the field 'DelaySeconds' must be an INTEGER but was a NUMBER",
                    P + "/DelaySeconds",
                    "",
                )
            ],
        ),
        (
            "sqs:sendMessage",
            {"QueueUrl": "u", "MessageBody": {"a": 1}},
            [
                (
                    "The value for the field 'MessageBody' must be a STRING but was an OBJECT",
                    P + "/MessageBody",
                    "",
                )
            ],
        ),
        (
            "sqs:sendMessage.waitForTaskToken",
            {"QueueUrl": "u", "MessageBody.$": "States.JsonToString($)"},
            [],
        ),
        (
            "ec2:describeInstances",
            {"InstanceIds": ["i-1", 2]},
            [
                (
                    "The value for the field 'InstanceIds' must be a STRING but was a NUMBER",
                    P + "/InstanceIds/1",
                    "",
                )
            ],
        ),
        (
            "ec2:describeInstances",
            {"DryRun": "yes"},
            [
                (
                    "The value for the field 'DryRun' must be a BOOLEAN but was a STRING",
                    P + "/DryRun",
                    "",
                )
            ],
        ),
        ("ec2:describeInstances", {"Filters": [{"Name": "n", "Values": ["v"]}]}, []),
        (
            "ec2:describeInstances",
            {"Filter": []},
            [
                (
                    'The field "Filter" is not supported by Step Functions',
                    P,
                    " (did you mean 'Filters'?)",
                )
            ],
        ),
        (
            "s3:putObject",
            {"Bucket": "b", "Key": "k", "Body": "text", "Expires": "2024-01-01T00:00:00Z"},
            [],
        ),
        (
            "s3:putObject",
            {"Bucket": "b", "Key": "k", "Body": 1},
            [("The value for the field 'Body' must be a STRING but was a NUMBER", P + "/Body", "")],
        ),
        ("rds:describeDBInstances", {"DbInstanceIdentifier": "db"}, []),
        ("rds:describeDBInstances", {"DBInstanceIdentifier": "db"}, []),
        ("ecs:runTask", {"TaskDefinition": "td", "Cluster": "c"}, []),
        (
            "sns:publish",
            {"Message": "m", "MessageAttributes": {"k": {"DataType": "String", "StringValue": 1}}},
            [
                (
                    "The value for the field 'StringValue' must be a STRING but was a NUMBER",
                    P + "/MessageAttributes/k/StringValue",
                    "",
                )
            ],
        ),
        ("sfn:listStateMachines", {}, []),
        ("sfn:listStateMachines", {"MaxResults": 1.0}, []),
    ],
)
def test_validate_parameters(
    resource: str, parameters: Any, expected: list[tuple[str, str, str]]
) -> None:
    diagnostics = validate_sdk_parameters(resolve_sdk_resource(SDK + resource), parameters, P)
    assert [(d.message, d.location, d.hint) for d in diagnostics] == expected
    assert all(d.code == "SCHEMA_VALIDATION_FAILED" and d.severity == "ERROR" for d in diagnostics)


GET_ITEM = "dynamodb:getItem"


@pytest.mark.parametrize(
    ("result", "mode", "expected"),
    [
        ({"Item": {"pk": {"S": "1"}}}, "STRICT", []),
        ({}, "STRICT", []),
        (None, "STRICT", ["Mocked result must be a JSON object"]),
        ({"Item": {"pk": {"S": 1}}}, "STRICT", ["Field 'S' must be a string"]),
        ({"Item": {"pk": {"S": 1}}}, "PRESENT", ["Field 'S' must be a string"]),
        ({"Item": {"pk": {"S": 1}}}, "NONE", []),
        # unknown fields are ignored in every mode (aws-spec.md §1.7)
        ({"Itme": {}}, "STRICT", []),
        ({"Itme": {}}, "PRESENT", []),
        ({"Itme": {}, "ConsumedCapacity": "x"}, "PRESENT", ["Field 'ConsumedCapacity' must be an object"]),
        ([1], "STRICT", ["Mocked result must be a JSON object"]),
        ([1], "NONE", []),
    ],
)  # fmt: skip
def test_validate_result(result: Any, mode: Any, expected: list[str]) -> None:
    assert validate_sdk_result(resolve_sdk_resource(SDK + GET_ITEM), result, mode) == expected


def test_validate_result_rejects_unknown_mode() -> None:
    with pytest.raises(ValueError, match="unknown result validation mode 'LAX'"):
        validate_sdk_result(resolve_sdk_resource(SDK + GET_ITEM), {}, "LAX")  # type: ignore[arg-type]


def test_validate_result_nested_shapes() -> None:
    op = resolve_sdk_resource(SDK + "sfn:startExecution")
    assert (
        validate_sdk_result(
            op, {"ExecutionArn": "arn", "StartDate": "2024-01-01T00:00:00Z"}, "STRICT"
        )
        == []
    )
    assert validate_sdk_result(op, {"ExecutionArn": 1}, "STRICT") == [
        "Field 'ExecutionArn' must be a string",
        "Required field 'StartDate' is missing",
    ]
