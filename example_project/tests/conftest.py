"""Shared fixtures of the example project's tests."""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable
from typing import Any

import pytest
from charge_card import app as charge_card
from release_stock import app as release_stock
from reserve_stock import app as reserve_stock

from pytest_sfn import Mocks, TaskRequest, Throw

LambdaHandler = Callable[[dict[str, Any], object], Any]


def lambda_invoke(handler: LambdaHandler) -> Callable[[TaskRequest], Any]:
    """Answer an ``arn:aws:states:::lambda:invoke`` Task by running ``handler`` in-process.

    The answer has the shape of the Lambda Invoke response (``StatusCode``, ``Payload``).
    An exception becomes the Task error Step Functions reports for a Lambda function error:
    the exception's class name as the error, and Lambda's error JSON as the cause.
    """

    def invoke(request: TaskRequest) -> Any:
        try:
            payload = handler(request.parameters["Payload"], None)
        except Exception as exc:
            error_type = type(exc).__name__
            cause = {
                "errorMessage": str(exc),
                "errorType": error_type,
                "stackTrace": traceback.format_tb(exc.__traceback__),
            }
            return Throw(error_type, json.dumps(cause))
        return {"StatusCode": 200, "ExecutedVersion": "$LATEST", "Payload": payload}

    return invoke


@pytest.fixture
def real_lambdas(sfn_mocks: Mocks) -> Mocks:
    """Every Lambda Task of the order workflow runs the handler code of ``src/``.

    The SNS and SQS notifications still get mocked answers.
    """
    sfn_mocks.state("ReserveLine").computed(lambda_invoke(reserve_stock.handler)).repeat_last()
    sfn_mocks.state("ChargeCard").computed(lambda_invoke(charge_card.handler)).repeat_last()
    sfn_mocks.state("ReleaseStock").computed(lambda_invoke(release_stock.handler))
    sfn_mocks.state("EmailCustomer").returns({"MessageId": "msg-email"})
    sfn_mocks.state("NotifyWarehouse").returns({"MessageId": "msg-warehouse"})
    return sfn_mocks
