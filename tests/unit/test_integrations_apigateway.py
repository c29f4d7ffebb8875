"""The optimized API Gateway integration (``apigateway:invoke``) sent through httpx/respx."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from pytest_sfn import StateMachine
from pytest_sfn.engine.ports import TaskOutcome, TaskRequest
from pytest_sfn.errors import UnmockedTaskError
from pytest_sfn.integrations.http import HttpInvoker, build_apigateway_request
from pytest_sfn.model.resource import Resource

APIGW = "arn:aws:states:::apigateway:invoke"
ENDPOINT = "abc123.execute-api.us-east-1.amazonaws.com"
URL = f"https://{ENDPOINT}/prod/orders"


def task(parameters: Any, resource: str = APIGW) -> TaskRequest:
    return TaskRequest("Call", Resource.parse(resource), parameters, {})


def params(**fields: Any) -> dict[str, Any]:
    return {"ApiEndpoint": ENDPOINT, "Method": "POST", "Stage": "prod", "Path": "orders", **fields}


def machine(parameters: dict[str, Any], resource: str = APIGW) -> StateMachine:
    state = {"Type": "Task", "Resource": resource, "Parameters": parameters, "End": True}
    return StateMachine.from_definition({"StartAt": "Call", "States": {"Call": state}})


@respx.mock
def test_json_response_through_an_execution() -> None:
    route = respx.post(URL).mock(
        return_value=httpx.Response(200, json={"id": "o-1"}, headers={"X-Request-Id": "r1"})
    )
    execution = machine({**params(), "RequestBody": {"item.$": "$.item"}}).execute(
        {"item": "x"}, tasks=HttpInvoker()
    )
    assert execution.status == "SUCCEEDED"
    assert execution.output == {
        "Headers": {
            "Content-Length": ["12"],
            "Content-Type": ["application/json"],
            "X-Request-Id": ["r1"],
        },
        "ResponseBody": {"id": "o-1"},
        "StatusCode": 200,
        "StatusText": "OK",
    }
    sent = route.calls.last.request
    assert json.loads(sent.content) == {"item": "x"}
    assert sent.headers["content-type"] == "application/json; charset=UTF-8"


@respx.mock
def test_text_body_stays_a_string() -> None:
    respx.get(URL).mock(return_value=httpx.Response(200, text="plain"))
    outcome = HttpInvoker()(task(params(Method="GET")))
    assert outcome.output["ResponseBody"] == "plain"
    assert outcome.output["Headers"]["Content-Type"] == ["text/plain; charset=utf-8"]


@pytest.mark.parametrize(
    ("fields", "url"),
    [
        ({}, f"https://{ENDPOINT}/prod/orders"),
        ({"Stage": "/prod/", "Path": "/orders/7"}, f"https://{ENDPOINT}/prod/orders/7"),
        ({"Stage": "", "Path": ""}, f"https://{ENDPOINT}"),
        ({"Path": "a b"}, f"https://{ENDPOINT}/prod/a%20b"),
        (
            {"QueryParameters": {"tag": ["a", "b c"], "n": ["1"]}},
            f"https://{ENDPOINT}/prod/orders?tag=a&tag=b%20c&n=1",
        ),
    ],
)
def test_url_from_endpoint_stage_path_and_query(fields: dict[str, Any], url: str) -> None:
    assert str(httpx.URL(build_apigateway_request(params(**fields)).url)) == url


@respx.mock
def test_query_and_header_lists_are_sent() -> None:
    route = respx.get(URL).mock(return_value=httpx.Response(200, json={}))
    parameters = params(
        Method="GET",
        QueryParameters={"tag": ["a", "b"]},
        Headers={"X-Trace": ["t1", "t2"], "X-One": ["1"]},
    )
    outcome = HttpInvoker()(task(parameters))
    assert outcome.output["ResponseBody"] == {}
    sent = route.calls.last.request
    assert sent.url.params.get_list("tag") == ["a", "b"]
    assert sent.headers.get_list("x-trace") == ["t1", "t2"]
    assert sent.headers["x-one"] == "1"
    assert sent.content == b""


@pytest.mark.parametrize(
    ("fields", "body"),
    [
        ({"RequestBody": {"a": None, "b": [1, None, {"c": None}]}}, b'{"b":[1,null,{}]}'),
        (
            {"RequestBody": {"a": None}, "AllowNullValues": True},
            b'{"a":null}',
        ),
        ({"RequestBody": None}, None),
        ({"RequestBody": None, "AllowNullValues": True}, b"null"),
        ({"RequestBody": "0"}, b'"0"'),
        ({}, None),
    ],
)
def test_request_body_and_allow_null_values(fields: dict[str, Any], body: bytes | None) -> None:
    assert build_apigateway_request(params(**fields)).body == body


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"ApiEndpoint": None}, "'ApiEndpoint' is required"),
        ({"Method": "FETCH"}, "'Method' must be one of"),
        ({"AuthType": "COGNITO"}, "'AuthType' must be one of NO_AUTH, IAM_ROLE, RESOURCE_POLICY"),
        ({"AllowNullValues": "yes"}, "'AllowNullValues' must be a boolean"),
        ({"Headers": {"X": "single"}}, "'Headers' field must be an object whose values are lists"),
        ({"QueryParameters": {"q": [1]}}, "'QueryParameters' field must be an object"),
        ({"Stage": 3}, "'Stage' must be a string"),
    ],
)
def test_invalid_fields_fail_with_states_runtime(fields: dict[str, Any], fragment: str) -> None:
    outcome = HttpInvoker()(task(params(**fields)))
    assert (outcome.failed, outcome.error) == (True, "States.Runtime")
    assert fragment in (outcome.cause or "")


@pytest.mark.parametrize("auth", ["NO_AUTH", "IAM_ROLE", "RESOURCE_POLICY"])
def test_auth_types_add_no_authorization_header(auth: str) -> None:
    request = build_apigateway_request(params(AuthType=auth))
    assert not any(name.lower() == "authorization" for name, _ in request.headers)


@respx.mock
@pytest.mark.parametrize(
    ("status", "body", "cause"),
    [
        (400, '{"message":"bad"}', '{"message":"bad"}'),
        (403, '{"message":"Forbidden"}', '{"message":"Forbidden"}'),
        (404, "", "Not Found"),
        (500, "boom", "boom"),
        (503, "", "Service Unavailable"),
    ],
)
def test_non_2xx_fails_with_api_gateway_status_error(status: int, body: str, cause: str) -> None:
    respx.post(URL).mock(return_value=httpx.Response(status, text=body))
    outcome = HttpInvoker()(task(params()))
    assert outcome == TaskOutcome(failed=True, error=f"ApiGateway.{status}", cause=cause)


@respx.mock
def test_error_is_caught_by_name() -> None:
    respx.post(URL).mock(return_value=httpx.Response(403, json={"message": "Forbidden"}))
    definition = {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": APIGW,
                "Parameters": params(),
                "Catch": [{"ErrorEquals": ["ApiGateway.403"], "Next": "Denied"}],
                "End": True,
            },
            "Denied": {"Type": "Pass", "End": True},
        },
    }
    execution = StateMachine.from_definition(definition).execute({}, tasks=HttpInvoker())
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"Error": "ApiGateway.403", "Cause": '{"message":"Forbidden"}'}


@respx.mock
@pytest.mark.parametrize("exc", [httpx.ConnectTimeout("timed out"), httpx.ConnectError("refused")])
def test_transport_failures_fail_with_the_exception_name(exc: Exception) -> None:
    respx.post(URL).mock(side_effect=exc)
    outcome = HttpInvoker()(task(params()))
    assert (outcome.failed, outcome.error) == (True, f"ApiGateway.{type(exc).__name__}")
    assert str(exc) in (outcome.cause or "")


@respx.mock
def test_wait_for_task_token_sends_the_token_then_waits() -> None:
    route = respx.post(URL).mock(return_value=httpx.Response(200, json={"queued": True}))
    parameters = params(RequestBody={"token.$": "$$.Task.Token"})
    handle = machine(parameters, APIGW + ".waitForTaskToken").start({}, tasks=HttpInvoker())
    [pending] = handle.pending
    assert json.loads(route.calls.last.request.content) == {"token": pending.token}
    assert [e.type for e in handle.history][-1] == "TaskSubmitted"
    submitted = json.loads(handle.history[-1].details["output"])
    assert submitted["ResponseBody"] == {"queued": True}
    handle.send_task_success(pending.token, {"approved": True})
    assert handle.wait().output == {"approved": True}


@respx.mock
def test_wait_for_task_token_fails_at_once_on_an_error_status() -> None:
    respx.post(URL).mock(return_value=httpx.Response(500, text="down"))
    execution = machine(params(), APIGW + ".waitForTaskToken").execute({}, tasks=HttpInvoker())
    assert (execution.error, execution.cause) == ("ApiGateway.500", "down")


@pytest.mark.parametrize(
    ("resource", "answered"),
    [
        (APIGW, True),
        (APIGW + ".waitForTaskToken", True),
        (APIGW + ".sync", False),
        ("arn:aws:states:::http:invoke", True),
        ("arn:aws:states:::aws-sdk:apigateway:getRestApis", False),
    ],
)
def test_answers(resource: str, answered: bool) -> None:
    assert HttpInvoker.answers(Resource.parse(resource)) is answered


def test_other_resources_are_not_answered() -> None:
    with pytest.raises(UnmockedTaskError, match="apigateway:invoke"):
        HttpInvoker()(task({}, "arn:aws:states:::sqs:sendMessage"))
