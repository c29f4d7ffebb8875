from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
import respx
from hypothesis import given
from hypothesis import strategies as st

from pytest_sfn import StateMachine
from pytest_sfn.engine.ports import TaskOutcome, TaskRequest
from pytest_sfn.errors import MockError, UnmockedTaskError
from pytest_sfn.integrations.http import (
    FORBIDDEN_HEADERS,
    Connection,
    HttpInvoker,
    build_request,
    form_encode,
)
from pytest_sfn.model.resource import Resource

HTTP = "arn:aws:states:::http:invoke"
CONN_ARN = "arn:aws:events:us-east-1:123456789012:connection/MyConnection/0f2b1c9e"
CONTEXT = {"Execution": {"Id": "arn:aws:states:eu-west-1:123456789012:execution:sm:run"}}
USER_AGENT = "Amazon|StepFunctions|HttpInvoke|us-east-1"


def api_key(**extra: Any) -> Connection:
    return Connection(
        CONN_ARN, "API_KEY", {"ApiKeyName": "ApiKey", "ApiKeyValue": "key_value"}, **extra
    )


def task(parameters: Any, resource: str = HTTP, context: Any = None) -> TaskRequest:
    return TaskRequest("Call", Resource.parse(resource), parameters, context or {})


def params(**fields: Any) -> dict[str, Any]:
    return {
        "ApiEndpoint": "https://example.com/path",
        "Method": "POST",
        "InvocationConfig": {"ConnectionArn": CONN_ARN},
        **fields,
    }


def http_machine(parameters: dict[str, Any], **fields: Any) -> StateMachine:
    state = {"Type": "Task", "Resource": HTTP, "Parameters": parameters, "End": True, **fields}
    return StateMachine.from_definition({"StartAt": "Call", "States": {"Call": state}})


# -- TV-3 ----------------------------------------------------------------------------------

TV3_BODY = {
    "args": {"QueryParam1": "QueryParamValue1", "queryParam": "q1"},
    "headers": {"Definitionheader": "h1", "Customheader1": "CustomHeaderValue1"},
    "origin": "203.0.113.7",
    "url": "https://httpbin.org/get?queryParam=q1&QueryParam1=QueryParamValue1",
}


@respx.mock
def test_tv3_reproduced_exactly_through_an_execution() -> None:
    content = json.dumps(TV3_BODY, indent=2).encode() + b"\n"
    response_headers = [
        ("date", "Tue, 21 Nov 2023 00:06:17 GMT"),
        ("content-type", "application/json"),
        ("content-length", str(len(content))),
        ("server", "gunicorn/19.9.0"),
        ("access-control-allow-origin", "*"),
        ("access-control-allow-credentials", "true"),
    ]
    route = respx.get("https://httpbin.org/get").mock(
        return_value=httpx.Response(200, headers=response_headers, content=content)
    )
    connection = Connection(
        CONN_ARN,
        "BASIC",
        {"Username": "user", "Password": "pass"},
        invocation_http_parameters={
            "HeaderParameters": [{"Key": "CustomHeader1", "Value": "CustomHeaderValue1"}],
            "QueryStringParameters": [{"Key": "QueryParam1", "Value": "QueryParamValue1"}],
            "BodyParameters": [{"Key": "BodyKey1", "Value": "BodyValue1"}],
        },
    )
    sm = http_machine(
        {
            "Method": "GET",
            "Authentication": {"ConnectionArn": CONN_ARN},
            "ApiEndpoint": "https://httpbin.org/get",
            "Headers": {"definitionHeader": "h1"},
            "RequestBody": {"message": "Hello from Step Functions!"},
            "QueryParameters": {"queryParam": "q1"},
        }
    )

    execution = sm.execute({}, tasks=HttpInvoker(connections={CONN_ARN: connection}))

    assert execution.status == "SUCCEEDED"
    expected = {
        "Headers": {
            "date": ["Tue, 21 Nov 2023 00:06:17 GMT"],
            "access-control-allow-origin": ["*"],
            "content-length": [str(len(content))],
            "server": ["gunicorn/19.9.0"],
            "access-control-allow-credentials": ["true"],
            "content-type": ["application/json"],
        },
        "ResponseBody": TV3_BODY,
        "StatusCode": 200,
        "StatusText": "OK",
    }
    assert execution.output == expected
    assert list(execution.output) == ["Headers", "ResponseBody", "StatusCode", "StatusText"]
    sent = route.calls.last.request
    assert str(sent.url) == "https://httpbin.org/get?queryParam=q1&QueryParam1=QueryParamValue1"
    assert sent.method == "GET"
    assert sent.content == b'{"message":"Hello from Step Functions!","BodyKey1":"BodyValue1"}'
    assert sent.headers["definitionHeader"] == "h1"
    assert sent.headers["Authorization"] == "Basic " + base64.b64encode(b"user:pass").decode()
    assert sent.headers["CustomHeader1"] == "CustomHeaderValue1"
    assert sent.headers["User-Agent"] == USER_AGENT
    assert sent.headers["Range"] == "bytes=0-262144"
    assert sent.headers["Host"] == "httpbin.org"


# -- request building ----------------------------------------------------------------------


def test_doc_merge_example_connection_wins_on_every_conflict() -> None:
    connection = api_key(
        invocation_http_parameters={
            "HeaderParameters": [{"Key": "Header-Param", "Value": "connection_header_param"}],
            "QueryStringParameters": [{"Key": "QueryParam", "Value": "connection_query_param"}],
            "BodyParameters": [{"Key": "BodyParam", "Value": "connection_body_param"}],
        }
    )
    request = build_request(
        params(
            Headers={"Request-Id": "my_request_id", "Header-Param": "state_machine_header_param"},
            RequestBody={
                "Job": "Software Engineer",
                "Company": "AnyCompany",
                "BodyParam": "state_machine_body_param",
            },
            QueryParameters={"QueryParam": "state_machine_query_param"},
        ),
        connection,
        auth_header=("ApiKey", "key_value"),
    )

    assert request.method == "POST"
    assert request.url == "https://example.com/path?QueryParam=connection_query_param"
    assert request.body == (
        b'{"Job":"Software Engineer","Company":"AnyCompany","BodyParam":"connection_body_param"}'
    )
    assert dict(request.headers) == {
        "Request-Id": "my_request_id",
        "Header-Param": "connection_header_param",
        "ApiKey": "key_value",
        "Content-Type": "application/json; charset=UTF-8",
        "User-Agent": USER_AGENT,
        "Range": "bytes=0-262144",
    }


def test_connection_header_replaces_task_header_case_insensitively() -> None:
    connection = api_key(
        invocation_http_parameters={"HeaderParameters": [{"Key": "x-tenant", "Value": "conn"}]}
    )
    request = build_request(params(Headers={"X-Tenant": "task"}), connection)
    assert [(k, v) for k, v in request.headers if k.lower() == "x-tenant"] == [("x-tenant", "conn")]


@pytest.mark.parametrize(
    ("fields", "body", "content_type"),
    [
        ({}, None, None),
        ({"RequestBody": {"a": [1, True, None], "é": "ü"}}, '{"a":[1,true,null],"é":"ü"}', "json"),
        ({"RequestBody": "raw text"}, "raw text", None),
        ({"RequestBody": [1, 2]}, "[1,2]", "json"),
        (
            {"RequestBody": {"a": 1}, "Headers": {"Content-Type": "text/plain"}},
            '{"a":1}',
            "text/plain",
        ),
    ],
)
def test_request_body_serialization(
    fields: dict[str, Any], body: str | None, content_type: str | None
) -> None:
    request = build_request(params(**fields), None)
    assert request.body == (body.encode() if body is not None else None)
    types = [v for k, v in request.headers if k.lower() == "content-type"]
    expected = {None: [], "json": ["application/json; charset=UTF-8"]}.get(
        content_type, [content_type]
    )
    assert types == expected


def test_region_of_the_execution_goes_into_user_agent() -> None:
    request = build_request(params(), None, region="eu-west-1")
    assert ("User-Agent", "Amazon|StepFunctions|HttpInvoke|eu-west-1") in request.headers


@pytest.mark.parametrize(
    ("query", "url"),
    [
        ({"q": "a b&c"}, "https://example.com/path?q=a%20b%26c"),
        ({"n": 1, "flag": True}, "https://example.com/path?n=1&flag=true"),
        ({"ids": ["1", "2"]}, "https://example.com/path?ids=1&ids=2"),
    ],
)
def test_query_parameters_are_url_encoded(query: dict[str, Any], url: str) -> None:
    assert build_request(params(QueryParameters=query), None).url == url


def test_query_appends_to_an_existing_query_string() -> None:
    request = build_request(
        params(ApiEndpoint="https://example.com/p?x=1", QueryParameters={"y": "2"}), None
    )
    assert request.url == "https://example.com/p?x=1&y=2"


# -- URL-encoded bodies --------------------------------------------------------------------

ARRAY = {"array": ["a", "b", "c", "d"]}


@pytest.mark.parametrize(
    ("array_format", "encoded", "parsed"),
    [
        (
            "INDICES",
            "array%5B0%5D=a&array%5B1%5D=b&array%5B2%5D=c&array%5B3%5D=d",
            [("array[0]", "a"), ("array[1]", "b"), ("array[2]", "c"), ("array[3]", "d")],
        ),
        (
            "REPEAT",
            "array=a&array=b&array=c&array=d",
            [("array", "a"), ("array", "b"), ("array", "c"), ("array", "d")],
        ),
        ("COMMAS", "array=a,b,c,d", [("array", "a,b,c,d")]),
        (
            "BRACKETS",
            "array%5B%5D=a&array%5B%5D=b&array%5B%5D=c&array%5B%5D=d",
            [("array[]", "a"), ("array[]", "b"), ("array[]", "c"), ("array[]", "d")],
        ),
    ],
)
def test_array_formats(array_format: str, encoded: str, parsed: list[tuple[str, str]]) -> None:
    assert form_encode(ARRAY, array_format) == encoded
    transform = {
        "RequestBodyEncoding": "URL_ENCODED",
        "RequestEncodingOptions": {"ArrayFormat": array_format},
    }
    request = build_request(params(RequestBody=ARRAY, Transform=transform), None)
    assert request.body is not None
    assert parse_qsl(request.body.decode()) == parsed


def test_url_encoded_defaults_to_indices_and_keeps_the_callers_content_type() -> None:
    headers = {"content-type": "application/x-www-form-urlencoded"}
    request = build_request(
        params(
            RequestBody=ARRAY,
            Headers=headers,
            Transform={"RequestBodyEncoding": "URL_ENCODED"},
        ),
        None,
    )
    assert request.body == b"array%5B0%5D=a&array%5B1%5D=b&array%5B2%5D=c&array%5B3%5D=d"
    assert [v for k, v in request.headers if k.lower() == "content-type"] == [
        "application/x-www-form-urlencoded"
    ]


def test_doc_url_encoded_example_nested_object_and_spaces() -> None:
    body = {
        "customer": "1234567890",
        "description": "Monthly subscription",
        "metadata": {"order_details": "monthly report data"},
    }
    encoded = form_encode(body)
    assert set(encoded.split("&")) == {
        "description=Monthly%20subscription",
        "metadata%5Border_details%5D=monthly%20report%20data",
        "customer=1234567890",
    }


def test_url_encoded_body_merges_connection_body_parameters_first() -> None:
    connection = api_key(
        invocation_http_parameters={"BodyParameters": [{"Key": "k", "Value": "conn"}]}
    )
    request = build_request(
        params(
            RequestBody={"k": "task", "x": "1"}, Transform={"RequestBodyEncoding": "URL_ENCODED"}
        ),
        connection,
    )
    assert request.body == b"k=conn&x=1"


@given(
    st.dictionaries(
        st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=8),
        st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12),
        max_size=6,
    )
)
def test_flat_form_encoding_round_trips(body: dict[str, str]) -> None:
    assert parse_qsl(form_encode(body), keep_blank_values=True) == list(body.items())


# -- forbidden headers and other States.Runtime failures ----------------------------------


@pytest.mark.parametrize(
    "header",
    ["Authorization", "host", "X-Amz-Date", "x-amzn-trace-id", "X-Forwarded-For", "Cache-Control"],
)
def test_forbidden_header_fails_with_states_runtime(header: str) -> None:
    outcome = HttpInvoker(connections={CONN_ARN: api_key()})(
        task(params(Headers={header: "v", "Fine": "ok"}))
    )
    assert outcome == TaskOutcome(
        failed=True,
        error="States.Runtime",
        cause=f"The 'Headers' field contains unsupported values: [{header.lower()}]",
    )


def test_forbidden_header_list_matches_the_spec() -> None:
    assert len(FORBIDDEN_HEADERS) == 32
    assert {"authorization", "a-im", "te", "warning", "http2-settings"} <= FORBIDDEN_HEADERS


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"Method": "FETCH"}, "'Method' must be one of"),
        ({"ApiEndpoint": 3}, "'ApiEndpoint' is required"),
        ({"Headers": "x"}, "'Headers' field must be an object"),
        ({"Transform": {"RequestBodyEncoding": "GZIP"}}, "RequestBodyEncoding must be"),
        (
            {"Transform": {"RequestEncodingOptions": {"ArrayFormat": "PIPES"}}},
            "ArrayFormat one of",
        ),
    ],
)
def test_invalid_fields_fail_with_states_runtime(fields: dict[str, Any], fragment: str) -> None:
    outcome = HttpInvoker(connections={CONN_ARN: api_key()})(task(params(**fields)))
    assert outcome.failed and outcome.error == "States.Runtime"
    assert fragment in (outcome.cause or "")


def test_string_body_with_connection_body_parameters_fails() -> None:
    connection = api_key(
        invocation_http_parameters={"BodyParameters": [{"Key": "k", "Value": "v"}]}
    )
    outcome = HttpInvoker(connections={CONN_ARN: connection})(task(params(RequestBody="text")))
    assert outcome.failed and outcome.error == "States.Runtime"


# -- responses -----------------------------------------------------------------------------


@respx.mock
@pytest.mark.parametrize(
    ("response", "body"),
    [
        (httpx.Response(200, json={"a": [1]}), {"a": [1]}),
        (
            httpx.Response(200, content=b'{"a":1}', headers={"content-type": "text/plain"}),
            '{"a":1}',
        ),
        (httpx.Response(200, text="hello"), "hello"),
        (
            httpx.Response(
                201, content=b"{}", headers={"content-type": "application/problem+json"}
            ),
            {},
        ),
        (
            httpx.Response(200, content=b"not json", headers={"content-type": "application/json"}),
            "not json",
        ),
        (httpx.Response(204), ""),
    ],
)
def test_response_body_parsed_only_when_json(response: httpx.Response, body: Any) -> None:
    respx.post("https://example.com/path").mock(return_value=response)
    outcome = HttpInvoker(connections={CONN_ARN: api_key()})(task(params()))
    assert not outcome.failed
    assert outcome.output["ResponseBody"] == body
    assert outcome.output["StatusCode"] == response.status_code


@respx.mock
def test_repeated_response_headers_become_one_lower_case_list() -> None:
    respx.post("https://example.com/path").mock(
        return_value=httpx.Response(
            200, headers=[("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")], text=""
        )
    )
    outcome = HttpInvoker(connections={CONN_ARN: api_key()})(task(params()))
    assert outcome.output["Headers"]["set-cookie"] == ["a=1", "b=2"]


@respx.mock
@pytest.mark.parametrize(
    "content_type", ["application/octet-stream", "image/png", "video/mp4", "audio/mpeg"]
)
def test_binary_responses_fail_with_states_runtime(content_type: str) -> None:
    respx.post("https://example.com/path").mock(
        return_value=httpx.Response(
            200, content=b"\x00\x01", headers={"content-type": content_type}
        )
    )
    outcome = HttpInvoker(connections={CONN_ARN: api_key()})(task(params()))
    assert (outcome.failed, outcome.error) == (True, "States.Runtime")


@respx.mock
@pytest.mark.parametrize(
    ("status", "text"),
    [
        (400, "Bad Request"),
        (401, "Unauthorized"),
        (404, "Not Found"),
        (409, "Conflict"),
        (429, "Too Many Requests"),
        (500, "Internal Server Error"),
        (503, "Service Unavailable"),
        (302, "Found"),
    ],
)
def test_non_2xx_fails_with_status_code_error(status: int, text: str) -> None:
    respx.post("https://example.com/path").mock(
        return_value=httpx.Response(status, json={"errors": ["nope"]})
    )
    outcome = HttpInvoker(connections={CONN_ARN: api_key()})(task(params()))
    assert outcome == TaskOutcome(failed=True, error=f"States.Http.StatusCode.{status}", cause=text)


@respx.mock
@pytest.mark.parametrize(
    "exc",
    [
        httpx.ConnectTimeout("timed out"),
        httpx.ReadTimeout("timed out"),
        httpx.ConnectError("refused"),
        httpx.RemoteProtocolError("bad"),
    ],
)
def test_transport_failures_fail_with_http_socket(exc: Exception) -> None:
    respx.post("https://example.com/path").mock(side_effect=exc)
    outcome = HttpInvoker(connections={CONN_ARN: api_key()})(task(params()))
    assert (outcome.failed, outcome.error) == (True, "States.Http.Socket")
    assert type(exc).__name__ in (outcome.cause or "")


@respx.mock
def test_requests_time_out_after_60_seconds() -> None:
    route = respx.post("https://example.com/path").mock(return_value=httpx.Response(200))
    HttpInvoker(connections={CONN_ARN: api_key()})(task(params()))
    assert route.calls.last.request.extensions["timeout"]["read"] == 60.0


# -- connections and auth ------------------------------------------------------------------


@respx.mock
def test_api_key_connection_adds_its_header() -> None:
    route = respx.post("https://example.com/path").mock(return_value=httpx.Response(200))
    HttpInvoker(connections={CONN_ARN: api_key()})(task(params()))
    assert route.calls.last.request.headers["ApiKey"] == "key_value"


@respx.mock
def test_basic_connection_wrapped_as_eventbridge_auth_parameters() -> None:
    route = respx.post("https://example.com/path").mock(return_value=httpx.Response(200))
    connection = Connection(
        CONN_ARN,
        "BASIC",
        {
            "BasicAuthParameters": {"Username": "u", "Password": "p:w"},
            "InvocationHttpParameters": {"HeaderParameters": [{"Key": "X-Env", "Value": "t"}]},
        },
    )
    parameters = params()
    del parameters["InvocationConfig"]
    parameters["Authentication"] = {"ConnectionArn": CONN_ARN}
    HttpInvoker(connections={CONN_ARN: connection})(task(parameters))
    sent = route.calls.last.request.headers
    assert sent["Authorization"] == "Basic " + base64.b64encode(b"u:p:w").decode()
    assert sent["X-Env"] == "t"


OAUTH = Connection(
    CONN_ARN,
    "OAUTH_CLIENT_CREDENTIALS",
    {
        "ClientParameters": {"ClientID": "client", "ClientSecret": "s3cret"},
        "AuthorizationEndpoint": "https://auth.example.com/token",
        "HttpMethod": "POST",
        "OAuthHttpParameters": {
            "BodyParameters": [{"Key": "grant_type", "Value": "client_credentials"}],
            "QueryStringParameters": [{"Key": "audience", "Value": "api"}],
            "HeaderParameters": [{"Key": "X-Tenant", "Value": "t1"}],
        },
    },
)


@respx.mock
def test_oauth_token_is_requested_once_and_cached_per_connection() -> None:
    token = respx.post("https://auth.example.com/token").mock(
        return_value=httpx.Response(200, json={"access_token": "tok-1", "expires_in": 3600})
    )
    api = respx.post("https://example.com/path").mock(return_value=httpx.Response(200))
    invoker = HttpInvoker(connections={CONN_ARN: OAUTH})

    invoker(task(params()))
    invoker(task(params()))

    assert token.call_count == 1
    sent = token.calls.last.request
    assert str(sent.url) == "https://auth.example.com/token?audience=api"
    assert sent.headers["Authorization"] == "Basic " + base64.b64encode(b"client:s3cret").decode()
    assert sent.headers["X-Tenant"] == "t1"
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert sent.content == b"grant_type=client_credentials"
    assert api.call_count == 2
    assert api.calls.last.request.headers["Authorization"] == "Bearer tok-1"


@respx.mock
def test_oauth_token_refreshed_after_a_401() -> None:
    token = respx.post("https://auth.example.com/token").mock(
        side_effect=[
            httpx.Response(200, json={"access_token": "old"}),
            httpx.Response(200, json={"access_token": "new"}),
        ]
    )
    api = respx.post("https://example.com/path").mock(
        side_effect=[httpx.Response(401), httpx.Response(200)]
    )
    invoker = HttpInvoker(connections={CONN_ARN: OAUTH})
    first = invoker(task(params()))
    second = invoker(task(params()))
    assert first.error == "States.Http.StatusCode.401"
    assert not second.failed
    assert token.call_count == 2
    assert api.calls.last.request.headers["Authorization"] == "Bearer new"


@respx.mock
def test_oauth_token_failure_is_a_connection_state_error_without_secrets() -> None:
    respx.post("https://auth.example.com/token").mock(return_value=httpx.Response(400))
    outcome = HttpInvoker(connections={CONN_ARN: OAUTH})(task(params()))
    assert outcome.failed
    assert outcome.error == "Events.ConnectionResource.InvalidConnectionState"
    assert "s3cret" not in (outcome.cause or "")


def test_unknown_connection_arn_fails_with_resource_not_found() -> None:
    outcome = HttpInvoker(connections={})(task(params()))
    assert outcome == TaskOutcome(
        failed=True,
        error="Events.ConnectionResource.ResourceNotFound",
        cause="Failed to describe the connection(s). Connection 'MyConnection' does not exist.",
    )


@respx.mock
def test_connection_may_be_keyed_by_name() -> None:
    route = respx.post("https://example.com/path").mock(return_value=httpx.Response(200))
    outcome = HttpInvoker(connections={"MyConnection": api_key()})(task(params()))
    assert not outcome.failed and route.called


@respx.mock
def test_secrets_never_appear_in_failure_causes() -> None:
    respx.post("https://example.com/path").mock(
        side_effect=httpx.ConnectError("refused while sending key_value")
    )
    outcome = HttpInvoker(connections={CONN_ARN: api_key()})(task(params()))
    assert outcome.error == "States.Http.Socket"
    assert "key_value" not in (outcome.cause or "")
    assert "*****" in (outcome.cause or "")


@pytest.mark.parametrize(
    ("kind", "parameters"),
    [
        ("API_KEY", {"ApiKeyName": "k"}),
        ("BASIC", {"Username": "u"}),
        ("OAUTH_CLIENT_CREDENTIALS", {"AuthorizationEndpoint": "https://a", "HttpMethod": "POST"}),
        ("TOKEN", {}),
    ],
)
def test_invalid_connections_are_mock_errors(kind: str, parameters: dict[str, Any]) -> None:
    with pytest.raises(MockError):
        Connection(CONN_ARN, kind, parameters)


def test_connection_secrets_list_every_secret_value() -> None:
    connection = api_key(
        invocation_http_parameters={
            "HeaderParameters": [
                {"Key": "X-Secret", "Value": "hidden", "IsValueSecret": True},
                {"Key": "X-Plain", "Value": "shown", "IsValueSecret": False},
            ]
        }
    )
    assert connection.secrets() == ("key_value", "hidden")
    assert "s3cret" in OAUTH.secrets()


# -- routing -------------------------------------------------------------------------------


def test_other_resources_go_to_the_fallback() -> None:
    seen: list[str] = []

    def fallback(request: TaskRequest) -> TaskOutcome:
        seen.append(request.resource.arn)
        return TaskOutcome(output="fallback")

    invoker = HttpInvoker(fallback=fallback)
    assert invoker(task({}, "arn:aws:states:::lambda:invoke")).output == "fallback"
    assert seen == ["arn:aws:states:::lambda:invoke"]


def test_other_resources_without_fallback_raise_unmocked() -> None:
    with pytest.raises(UnmockedTaskError, match="http:invoke"):
        HttpInvoker()(task({}, "arn:aws:states:::sqs:sendMessage"))


def test_default_client_is_created_lazily_once() -> None:
    invoker = HttpInvoker()
    client = invoker.client
    assert isinstance(client, httpx.Client)
    assert invoker.client is client
    client.close()


# -- end to end ----------------------------------------------------------------------------


@respx.mock
def test_execution_with_result_selector_and_region_from_the_execution() -> None:
    route = respx.post("https://api.example.com/orders").mock(
        return_value=httpx.Response(201, json={"id": "o-1", "total": 12.5})
    )
    sm = http_machine(
        {
            "ApiEndpoint.$": "States.Format('https://api.example.com/{}', $.kind)",
            "Method": "POST",
            "InvocationConfig": {"ConnectionArn": CONN_ARN},
            "RequestBody": {"qty.$": "$.qty"},
        },
        ResultSelector={"id.$": "$.ResponseBody.id", "status.$": "$.StatusCode"},
    )
    execution = sm.execute(
        {"kind": "orders", "qty": 3}, tasks=HttpInvoker(connections={CONN_ARN: api_key()})
    )
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"id": "o-1", "status": 201}
    assert route.calls.last.request.content == b'{"qty":3}'
    assert route.calls.last.request.headers["User-Agent"] == USER_AGENT


@respx.mock
def test_execution_catches_a_status_code_error() -> None:
    respx.post("https://example.com/path").mock(return_value=httpx.Response(404))
    state = {
        "Type": "Task",
        "Resource": HTTP,
        "Parameters": params(),
        "Catch": [{"ErrorEquals": ["States.Http.StatusCode.404"], "Next": "Gone"}],
        "End": True,
    }
    sm = StateMachine.from_definition(
        {"StartAt": "Call", "States": {"Call": state, "Gone": {"Type": "Pass", "End": True}}}
    )
    execution = sm.execute({}, tasks=HttpInvoker(connections={CONN_ARN: api_key()}))
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"Error": "States.Http.StatusCode.404", "Cause": "Not Found"}
    history = json.dumps(execution.history, default=str)
    assert "TaskFailed" in history
    assert "key_value" not in history


@respx.mock
def test_region_comes_from_the_context() -> None:
    route = respx.post("https://example.com/path").mock(return_value=httpx.Response(200))
    HttpInvoker(connections={CONN_ARN: api_key()})(task(params(), context=CONTEXT))
    assert route.calls.last.request.headers["User-Agent"].endswith("|eu-west-1")
