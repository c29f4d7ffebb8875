"""TV-3: an HTTP Task at TRACE shows the request (connection data hidden unless revealed)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx

from pytest_sfn import run_state
from pytest_sfn.integrations.http import Connection, HttpInvoker

CONNECTION_ARN = "arn:aws:events:us-east-1:123456789012:connection/MyConnection/1"
DEFINITION = {
    "Type": "Task",
    "Resource": "arn:aws:states:::http:invoke",
    "Parameters": {
        "Method": "GET",
        "Authentication": {"ConnectionArn": CONNECTION_ARN},
        "ApiEndpoint": "https://httpbin.org/get",
        "Headers": {"definitionHeader": "h1"},
        "RequestBody": {"message": "Hello from Step Functions!"},
        "QueryParameters": {"queryParam": "q1"},
    },
    "End": True,
}
CONNECTION = Connection(
    CONNECTION_ARN,
    "BASIC",
    {"Username": "user", "Password": "pass"},
    {
        "HeaderParameters": [{"Key": "CustomHeader1", "Value": "CustomHeaderValue1"}],
        "QueryStringParameters": [{"Key": "QueryParam1", "Value": "QueryParamValue1"}],
        "BodyParameters": [{"Key": "BodyKey1", "Value": "BodyValue1"}],
    },
)
URL = "https://httpbin.org/get?queryParam=q1&QueryParam1=QueryParamValue1"


def _run(reveal: bool, level: str = "TRACE") -> Any:
    with respx.mock(assert_all_called=True) as router:
        router.get(URL).mock(
            return_value=httpx.Response(200, json={"args": {"queryParam": "q1"}},
                                        headers={"server": "gunicorn/19.9.0"})
        )  # fmt: skip
        return run_state(
            DEFINITION, inspection_level=level, reveal_secrets=reveal,
            role_arn="arn:aws:iam::123456789012:role/r",
            tasks=HttpInvoker(connections={CONNECTION_ARN: CONNECTION}),
        )  # fmt: skip


def test_trace_with_reveal_secrets_shows_the_merged_request() -> None:
    result = _run(reveal=True)
    assert result.status == "SUCCEEDED"
    data = result.inspection_data
    assert data is not None
    assert data["request"] == {
        "protocol": "https",
        "method": "GET",
        "url": URL,
        "headers": "[definitionHeader: h1, Authorization: Basic dXNlcjpwYXNz, "
        "CustomHeader1: CustomHeaderValue1, Content-Type: application/json; charset=UTF-8, "
        "User-Agent: Amazon|StepFunctions|HttpInvoke|us-east-1, Range: bytes=0-262144]",
        "body": '{"message":"Hello from Step Functions!","BodyKey1":"BodyValue1"}',
    }
    response = data["response"]
    assert (response["protocol"], response["statusCode"], response["statusMessage"]) == (
        "https", "200", "OK"
    )  # fmt: skip
    assert "server: gunicorn/19.9.0" in response["headers"]
    assert response["body"] == '{"args":{"queryParam":"q1"}}'
    assert result.output["ResponseBody"] == {"args": {"queryParam": "q1"}}
    assert data["result"] == data["afterResultPath"] == result.output_json


def test_trace_hides_what_the_connection_added() -> None:
    request = _run(reveal=False).inspection_data["request"]
    assert request["url"] == "https://httpbin.org/get?queryParam=q1"
    assert "Authorization" not in request["headers"]
    assert "CustomHeader1" not in request["headers"]
    assert request["headers"].startswith("[definitionHeader: h1, ")
    assert request["body"] == '{"message":"Hello from Step Functions!"}'


@pytest.mark.parametrize("level", ["DEBUG", "INFO"])
def test_request_and_response_only_at_trace(level: str) -> None:
    data = _run(reveal=True, level=level).inspection_data or {}
    assert "request" not in data and "response" not in data
