"""The TestState test vectors of aws-spec §1.10, as API requests and expected responses.

``output`` and ``inspectionData`` values are compared as the API returns them (JSON text)
unless a vector says ``decoded``: AWS's documentation examples reformat some computed
outputs with spaces (TV-9), which the compact rule of §1.2 contradicts.
"""

from __future__ import annotations

import json
from typing import Any

LAMBDA_TASK = {
    "Type": "Task",
    "Resource": "arn:aws:states:::lambda:invoke",
    "Parameters": {"FunctionName": "process-order"},
    "End": True,
}
CHOICE_13 = {
    "Type": "Choice",
    "Choices": [
        {"Not": {"Variable": "$.type", "StringEquals": "Private"}, "Next": "Public"},
        {"Variable": "$.value", "NumericEquals": 0, "Next": "ValueIsZero"},
        {
            "And": [
                {"Variable": "$.value", "NumericGreaterThanEquals": 20},
                {"Variable": "$.value", "NumericLessThan": 30},
            ],
            "Next": "ValueInTwenties",
        },
    ],
    "Default": "DefaultState",
}
JSONATA_CATCH_TASK = {
    "QueryLanguage": "JSONata",
    "Type": "Task",
    "Resource": "arn:aws:states:::lambda:invoke",
    "Arguments": {"FunctionName": "foo", "Payload": "bar"},
    "Catch": [
        {"ErrorEquals": ["MockException"], "Output": "{% $states %}", "Next": "HandleMockError"},
        {
            "ErrorEquals": ["States.TaskFailed"],
            "Output": "{% $states %}",
            "Next": "HandleThreshold",
        },
    ],
    "End": True,
}
JSONATA_RETRY_TASK = {
    "QueryLanguage": "JSONata",
    "Type": "Task",
    "Resource": "arn:aws:states:::lambda:invoke",
    "Arguments": {"FunctionName": "foo"},
    "Retry": [
        {
            "ErrorEquals": ["MockException"],
            "IntervalSeconds": 1,
            "MaxAttempts": 5,
            "BackoffRate": 2.0,
        }
    ],
    "End": True,
}


def distributed_map(**extra: Any) -> dict[str, Any]:
    return {
        "QueryLanguage": "JSONata",
        "Type": "Map",
        "Items": "{% $states.input.Values %}",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Work",
            "States": {"Work": {"Type": "Pass", "End": True}},
        },
        "ToleratedFailureCount": 1,
        "End": True,
        **extra,
    }


TV17_MACHINE = {
    "QueryLanguage": "JSONata",
    "StartAt": "Literals",
    "States": {
        "Literals": {
            "Type": "Pass",
            "Output": {
                "spaced": " {% states.input %} ",
                "dollar_states": "$states.input",
                "dollar": "$",
                "dollar_dollar": "$$",
                "intrinsic": "States.Format('Format:{}', 101)",
                "constant_jp_input.$": "$",
            },
            "End": True,
        }
    },
}


def _j(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _err(error: str, cause: str) -> str:
    return json.dumps({"errorOutput": {"error": error, "cause": cause}})


# (id, request, expected response subset, decoded-compare keys)
VECTORS: list[tuple[str, dict[str, Any], dict[str, Any], tuple[str, ...]]] = [
    (
        "TV-1",
        {
            "definition": '{"Type":"Choice","Choices":[{"Variable":"$.number","NumericEquals":1,"Next":"Equals 1"},{"Variable":"$.number","NumericEquals":2,"Next":"Equals 2"}],"Default":"No Match"}',
            "input": '{"number": 2}',
        },
        {"output": '{"number": 2}', "nextState": "Equals 2", "status": "SUCCEEDED"},
        (),
    ),
    (
        "TV-2",
        {
            "definition": '{"Type":"Pass","InputPath":"$.payload","Parameters":{"data":1},"ResultPath":"$.result","OutputPath":"$.result.data","Next":"Another State"}',
            "input": '{"payload": {"foo": "bar"}}',
            "inspectionLevel": "DEBUG",
        },
        {
            "output": "1",
            "inspectionData": {
                "input": '{"payload": {"foo": "bar"}}',
                "afterInputPath": '{"foo":"bar"}',
                "afterParameters": '{"data":1}',
                "afterResultSelector": '{"data":1}',
                "afterResultPath": '{"payload":{"foo":"bar"},"result":{"data":1}}',
            },
            "nextState": "Another State",
            "status": "SUCCEEDED",
        },
        (),
    ),
    (
        "TV-4",
        {
            "definition": _j(LAMBDA_TASK),
            "inspectionLevel": "DEBUG",
            "mock": {"result": '{"orderId":"12345","status":"processed"}'},
        },
        {
            "output": '{"orderId":"12345","status":"processed"}',
            "inspectionData": {
                "input": "{}",
                "afterInputPath": "{}",
                "afterParameters": '{"FunctionName":"process-order"}',
                "result": '{"orderId":"12345","status":"processed"}',
                "afterResultSelector": '{"orderId":"12345","status":"processed"}',
                "afterResultPath": '{"orderId":"12345","status":"processed"}',
            },
            "status": "SUCCEEDED",
        },
        (),
    ),
    (
        "TV-5",
        {
            "definition": _j(LAMBDA_TASK),
            "inspectionLevel": "DEBUG",
            "mock": {
                "errorOutput": {"error": "Lambda.ServiceException", "cause": "Function failed"}
            },
        },
        {
            "error": "Lambda.ServiceException",
            "cause": "Function failed",
            "inspectionData": {
                "input": "{}",
                "afterInputPath": "{}",
                "afterParameters": '{"FunctionName":"process-order"}',
            },
            "status": "FAILED",
        },
        (),
    ),
    (
        "TV-6",
        {
            "definition": _j(
                {
                    "Type": "Map",
                    "ItemProcessor": {
                        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                        "StartAt": "P",
                        "States": {"P": {"Type": "Pass", "End": True}},
                    },
                    "End": True,
                }
            ),
            "input": '[{"itemId":1},{"itemId":2}]',
            "inspectionLevel": "DEBUG",
            "mock": {
                "result": '[{"itemId":1,"status":"processed"},{"itemId":2,"status":"processed"}]'
            },
        },
        {
            "output": '[{"itemId":1,"status":"processed"},{"itemId":2,"status":"processed"}]',
            "inspectionData": {
                "input": '[{"itemId":1},{"itemId":2}]',
                "afterInputPath": '[{"itemId":1},{"itemId":2}]',
                "afterResultSelector": '[{"itemId":1,"status":"processed"},{"itemId":2,"status":"processed"}]',
                "afterResultPath": '[{"itemId":1,"status":"processed"},{"itemId":2,"status":"processed"}]',
                "maxConcurrency": 0,
            },
            "status": "SUCCEEDED",
        },
        (),
    ),
    (
        "TV-7",
        {
            "definition": _j(
                {
                    "Type": "Parallel",
                    "Branches": [
                        {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "End": True}}},
                        {"StartAt": "B2", "States": {"B2": {"Type": "Pass", "End": True}}},
                    ],
                    "End": True,
                }
            ),
            "inspectionLevel": "DEBUG",
            "mock": {"result": '[{"branch1":"data1"},{"branch2":"data2"}]'},
        },
        {
            "output": '[{"branch1":"data1"},{"branch2":"data2"}]',
            "inspectionData": {
                "input": "{}",
                "afterResultSelector": '[{"branch1":"data1"},{"branch2":"data2"}]',
                "afterResultPath": '[{"branch1":"data1"},{"branch2":"data2"}]',
            },
            "status": "SUCCEEDED",
        },
        (),
    ),
    (
        "TV-8",
        {
            "definition": _j(
                {
                    **LAMBDA_TASK,
                    "Retry": [
                        {
                            "ErrorEquals": ["Lambda.ServiceException"],
                            "IntervalSeconds": 2,
                            "MaxAttempts": 3,
                            "BackoffRate": 2.0,
                        }
                    ],
                }
            ),
            "inspectionLevel": "DEBUG",
            "stateConfiguration": {"retrierRetryCount": 1},
            "mock": {"errorOutput": {"error": "Lambda.ServiceException", "cause": "Service error"}},
        },
        {
            "status": "RETRIABLE",
            "error": "Lambda.ServiceException",
            "cause": "Service error",
            "inspectionData": {
                "input": "{}",
                "afterInputPath": "{}",
                "afterParameters": '{"FunctionName":"process-order"}',
                "errorDetails": {"retryBackoffIntervalSeconds": 4, "retryIndex": 0},
            },
        },
        (),
    ),
    (
        "TV-9",
        {
            "definition": _j(
                {
                    **LAMBDA_TASK,
                    "Catch": [
                        {
                            "ErrorEquals": ["Lambda.TooManyRequestsException"],
                            "ResultPath": "$.error",
                            "Next": "HandleThrottling",
                        }
                    ],
                }
            ),
            "input": '{"data": "value"}',
            "inspectionLevel": "DEBUG",
            "mock": {
                "errorOutput": {
                    "error": "Lambda.TooManyRequestsException",
                    "cause": "Rate exceeded",
                }
            },
        },
        {
            "status": "CAUGHT_ERROR",
            "nextState": "HandleThrottling",
            "error": "Lambda.TooManyRequestsException",
            "cause": "Rate exceeded",
            "output": '{"data": "value", "error": {"Error": "Lambda.TooManyRequestsException", "Cause": "Rate exceeded"}}',
            "inspectionData": {
                "input": '{"data": "value"}',
                "afterInputPath": '{"data": "value"}',
                "afterParameters": '{"FunctionName":"process-order"}',
                "errorDetails": {"catchIndex": 0},
            },
        },
        ("output",),
    ),
    (
        "TV-10",
        {
            "definition": '{"Type":"Pass","End":true}',
            "input": '{"Value":"HelloWorld"}',
            "inspectionLevel": "DEBUG",
        },
        {
            "output": '{"Value":"HelloWorld"}',
            "inspectionData": dict.fromkeys(
                (
                    "input",
                    "afterInputPath",
                    "afterParameters",
                    "afterResultSelector",
                    "afterResultPath",
                ),
                '{"Value":"HelloWorld"}',
            ),
            "status": "SUCCEEDED",
        },
        (),
    ),
    (
        "TV-11",
        {
            "definition": _j(
                {
                    "Type": "Pass",
                    "InputPath": "$.initialData",
                    "Parameters": {"staticValue": "some value", "inputValue.$": "$.fieldFromInput"},
                    "Result": {"resultKey": "result value"},
                    "ResultPath": "$.modifiedData",
                    "End": True,
                }
            ),
            "input": '{"initialData":{"fieldFromInput":"value from input","otherField":"other"},"unrelatedData":{"someOtherField":1234}}',
            "inspectionLevel": "DEBUG",
        },
        {
            "output": '{"initialData":{"fieldFromInput":"value from input","otherField":"other"},"unrelatedData":{"someOtherField":1234},"modifiedData":{"resultKey":"result value"}}',
            "inspectionData": {
                "input": '{"initialData":{"fieldFromInput":"value from input","otherField":"other"},"unrelatedData":{"someOtherField":1234}}',
                "result": '{"resultKey":"result value"}',
                "afterResultSelector": '{"resultKey":"result value"}',
                "afterResultPath": '{"initialData":{"fieldFromInput":"value from input","otherField":"other"},"unrelatedData":{"someOtherField":1234},"modifiedData":{"resultKey":"result value"}}',
            },
            "status": "SUCCEEDED",
        },
        (),
    ),
    (
        "TV-11b",
        {
            "definition": _j(
                {
                    "Type": "Pass",
                    "InputPath": "$.initialData",
                    "Parameters": {"staticValue": "some value", "inputValue.$": "$.fieldFromInput"},
                    "ResultPath": "$.modifiedData",
                    "End": True,
                }
            ),
            "input": '{"initialData":{"fieldFromInput":"value from input","otherField":"other"},"unrelatedData":{"someOtherField":1234}}',
            "inspectionLevel": "DEBUG",
        },
        {
            "output": '{"initialData":{"fieldFromInput":"value from input","otherField":"other"},"unrelatedData":{"someOtherField":1234},"modifiedData":{"staticValue":"some value","inputValue":"value from input"}}',
            "inspectionData": {
                "input": '{"initialData":{"fieldFromInput":"value from input","otherField":"other"},"unrelatedData":{"someOtherField":1234}}',
                "afterInputPath": '{"fieldFromInput":"value from input","otherField":"other"}',
                "afterParameters": '{"staticValue":"some value","inputValue":"value from input"}',
                "afterResultSelector": '{"staticValue":"some value","inputValue":"value from input"}',
                "afterResultPath": '{"initialData":{"fieldFromInput":"value from input","otherField":"other"},"unrelatedData":{"someOtherField":1234},"modifiedData":{"staticValue":"some value","inputValue":"value from input"}}',
            },
            "status": "SUCCEEDED",
        },
        (),
    ),
    (
        "TV-12",
        {
            "definition": _j(
                {
                    "Type": "Fail",
                    "Error": "SomeFailure",
                    "Cause": "This state machines raises a 'SomeFailure' failure.",
                }
            ),
            "inspectionLevel": "DEBUG",
        },
        {
            "error": "SomeFailure",
            "cause": "This state machines raises a 'SomeFailure' failure.",
            "inspectionData": {"input": "{}", "afterInputPath": "{}"},
            "status": "FAILED",
        },
        (),
    ),
    (
        "TV-13",
        {"definition": _j(CHOICE_13), "input": '{"type":"Private","value":22}'},
        {
            "output": '{"type":"Private","value":22}',
            "nextState": "ValueInTwenties",
            "status": "SUCCEEDED",
        },
        (),
    ),
    (
        "TV-14a",
        {
            "definition": _j(JSONATA_CATCH_TASK),
            "input": '{"Value":"HelloWorld"}',
            "inspectionLevel": "DEBUG",
            "mock": {
                "errorOutput": {"error": "MockException", "cause": "Mock the cause of the error."}
            },
        },
        {
            "status": "CAUGHT_ERROR",
            "nextState": "HandleMockError",
            "error": "MockException",
            "cause": "Mock the cause of the error.",
            "inspectionData": {
                "input": '{"Value":"HelloWorld"}',
                "afterArguments": '{"FunctionName":"foo","Payload":"bar"}',
                "errorDetails": {"catchIndex": 0},
            },
        },
        (),
    ),
    (
        "TV-14b",
        {
            "definition": _j(JSONATA_CATCH_TASK),
            "input": '{"Value":"HelloWorld"}',
            "mock": {"errorOutput": {"error": "States.TaskFailed", "cause": "Failed."}},
            "inspectionLevel": "DEBUG",
        },
        {
            "status": "CAUGHT_ERROR",
            "nextState": "HandleThreshold",
            "error": "States.TaskFailed",
            "cause": "Failed.",
            "inspectionData": {
                "input": '{"Value":"HelloWorld"}',
                "afterArguments": '{"FunctionName":"foo","Payload":"bar"}',
                "errorDetails": {"catchIndex": 1},
            },
        },
        (),
    ),
    (
        "TV-15a",
        {
            "definition": _j(JSONATA_RETRY_TASK),
            "inspectionLevel": "DEBUG",
            "stateConfiguration": {"retrierRetryCount": 4},
            "mock": {"errorOutput": {"error": "MockException", "cause": "c"}},
        },
        {
            "status": "RETRIABLE",
            "error": "MockException",
            "cause": "c",
            "inspectionData": {
                "input": "{}",
                "afterArguments": '{"FunctionName":"foo"}',
                "errorDetails": {"retryBackoffIntervalSeconds": 16, "retryIndex": 0},
            },
        },
        (),
    ),
    (
        "TV-15b",
        {
            "definition": _j(JSONATA_RETRY_TASK),
            "inspectionLevel": "DEBUG",
            "stateConfiguration": {"retrierRetryCount": 5},
            "mock": {"errorOutput": {"error": "MockException", "cause": "c"}},
        },
        {
            "status": "FAILED",
            "error": "MockException",
            "cause": "c",
            "inspectionData": {
                "input": "{}",
                "afterArguments": '{"FunctionName":"foo"}',
                "errorDetails": {"retryIndex": 0},
            },
        },
        (),
    ),
    (
        "TV-16a",
        {
            "definition": _j(
                distributed_map(
                    Catch=[
                        {"ErrorEquals": ["MockException"], "Next": "HandleMockError"},
                        {
                            "ErrorEquals": ["States.ExceedToleratedFailureThreshold"],
                            "Next": "HandleThreshold",
                        },
                    ]
                )
            ),
            "input": '{"Values":["first","second","third"]}',
            "inspectionLevel": "DEBUG",
            "mock": {"result": "[0,0,1]"},
            "stateConfiguration": {"mapIterationFailureCount": 2},
        },
        {
            "status": "CAUGHT_ERROR",
            "nextState": "HandleThreshold",
            "error": "States.ExceedToleratedFailureThreshold",
            "cause": "The specified tolerated failure threshold was exceeded",
            "output": '{"Error":"States.ExceedToleratedFailureThreshold","Cause":"The specified tolerated failure threshold was exceeded"}',
            "inspectionData": {
                "input": '{"Values":["first","second","third"]}',
                "errorDetails": {"catchIndex": 1},
                "toleratedFailureCount": 1,
                "maxConcurrency": 0,
            },
        },
        (),
    ),
    (
        "TV-16b",
        {
            "definition": _j(
                distributed_map(
                    Retry=[
                        {"ErrorEquals": ["MockException"], "MaxAttempts": 3},
                        {
                            "ErrorEquals": ["States.ExceedToleratedFailureThreshold"],
                            "MaxAttempts": 2,
                        },
                    ]
                )
            ),
            "input": '{"Values":["first","second","third"]}',
            "inspectionLevel": "DEBUG",
            "mock": {"result": "[0,0,1]"},
            "stateConfiguration": {"mapIterationFailureCount": 2},
        },
        {
            "status": "RETRIABLE",
            "error": "States.ExceedToleratedFailureThreshold",
            "cause": "The specified tolerated failure threshold was exceeded",
            "inspectionData": {
                "input": '{"Values":["first","second","third"]}',
                "errorDetails": {"retryBackoffIntervalSeconds": 1, "retryIndex": 1},
                "toleratedFailureCount": 1,
                "maxConcurrency": 0,
            },
        },
        (),
    ),
    (
        "TV-16c",
        {
            "definition": _j(distributed_map()),
            "input": '{"Values":["first","second","third"]}',
            "inspectionLevel": "DEBUG",
            "mock": {"result": "[1,1,1]"},
            "stateConfiguration": {"mapIterationFailureCount": 0},
        },
        {
            "status": "SUCCEEDED",
            "output": "[1,1,1]",
            "inspectionData": {
                "input": '{"Values":["first","second","third"]}',
                "toleratedFailureCount": 1,
                "maxConcurrency": 0,
            },
        },
        (),
    ),
    (
        "TV-17",
        {"definition": _j(TV17_MACHINE), "stateName": "Literals", "input": '{"a":1}'},
        {
            "status": "SUCCEEDED",
            "output": _j(TV17_MACHINE["States"]["Literals"]["Output"]),
        },
        (),
    ),
]
