"""HTTP Tasks in the plugin: ``http:`` mocks, connections, respx, and the network guard."""

from __future__ import annotations

import pytest

from pytest_sfn.errors import MockError
from pytest_sfn.mocks.http_mocks import http_mock_from_spec
from tests.plugin.conftest import WriteMachine

VALIDATE_MOCKS = True

HTTP = {
    "StartAt": "Call",
    "States": {
        "Call": {
            "Type": "Task",
            "Resource": "arn:aws:states:::http:invoke",
            "Parameters": {
                "ApiEndpoint": "https://api.example.com/orders",
                "Method": "POST",
                "Authentication": {
                    "ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/orders/1"
                },
                "RequestBody": {"orderId.$": "$.orderId"},
            },
            "ResultSelector": {"status.$": "$.StatusCode", "body.$": "$.ResponseBody"},
            "End": True,
        }
    },
}

CONNECTION = """\
connections:
  orders:
    AuthorizationType: API_KEY
    AuthParameters:
      ApiKeyAuthParameters: {ApiKeyName: x-api-key, ApiKeyValue: secret}
"""


def test_yaml_http_mocks_and_connections(
    pytester: pytest.Pytester, write_machine: WriteMachine
) -> None:
    write_machine("call.asl.json", HTTP)
    pytester.makefile(
        ".sfn.yaml",
        call=f"""\
        state_machine: call.asl.json
        {CONNECTION.replace(chr(10), chr(10) + "        ")}
        http:
          - method: POST
            url: https://api.example.com/orders
            match: {{headers: {{x-api-key: secret}}, json: {{orderId: o-1}}}}
            status: 201
            json: {{id: 42}}
        scenarios:
          - name: created
            input: {{orderId: o-1}}
            expect: {{output: {{status: 201, body: {{id: 42}}}}}}
          - name: server error
            input: {{orderId: o-1}}
            http:
              - {{method: POST, url: "https://api.example.com/orders", status: 503}}
            expect: {{status: FAILED, error: States.Http.StatusCode.503}}
          - name: unknown body is not mocked
            input: {{orderId: o-2}}
        """,
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "  Task state 'Call' (resource arn:aws:states:::http:invoke) sent an HTTP request "
            "nothing mocks: api.example.com:443 (socket.create_connection). Mock the endpoint*"
        ]
    )


def test_python_respx_router_and_marker_routes(
    pytester: pytest.Pytester, write_machine: WriteMachine
) -> None:
    write_machine("call.asl.json", HTTP)
    pytester.makepyfile(
        """
        import pytest
        import respx

        CONNECTIONS = {"orders": {"AuthorizationType": "BASIC",
                                  "AuthParameters": {"BasicAuthParameters":
                                                     {"Username": "u", "Password": "p"}}}}

        @pytest.mark.sfn(definition="call.asl.json", connections=CONNECTIONS)
        def test_own_respx_mock(sfn, respx_mock):
            route = respx_mock.post("https://api.example.com/orders").respond(200, json={"ok": 1})
            execution = sfn.execute({"orderId": "o-1"})
            assert execution.output == {"status": 200, "body": {"ok": 1}}
            request = route.calls.last.request
            assert request.headers["authorization"] == "Basic dTpw"
            assert request.headers["user-agent"] == "Amazon|StepFunctions|HttpInvoke|us-east-1"

        @pytest.mark.sfn(definition="call.asl.json", connections=CONNECTIONS,
                         http=[{"url": "https://api.example.com/orders", "text": "hi"}])
        def test_marker_routes(sfn):
            assert sfn.execute({"orderId": "o"}).output == {"status": 200, "body": "hi"}

        def test_router_object(sfn):
            router = respx.MockRouter()
            router.post("https://api.example.com/orders").respond(404)
            execution = sfn.execute("call.asl.json", {"orderId": "o"}, http=router,
                                    connections=CONNECTIONS)
            assert execution.error == "States.Http.StatusCode.404"

        def test_unknown_connection(sfn):
            execution = sfn.execute("call.asl.json", {"orderId": "o"},
                                    http=[{"url": "https://api.example.com/orders"}])
            assert execution.error == "Events.ConnectionResource.ResourceNotFound"
        """
    )
    pytester.runpytest().assert_outcomes(passed=4)


def test_allow_network_lets_the_request_through(
    pytester: pytest.Pytester, write_machine: WriteMachine
) -> None:
    definition = {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::http:invoke",
                "Parameters": {"ApiEndpoint": "http://127.0.0.1:9/x", "Method": "GET"},
                "End": True,
            }
        },
    }
    write_machine("local.asl.json", definition)
    pytester.makepyfile(
        """
        def test_loopback_is_allowed(sfn):
            # Loopback is never blocked: the connection is refused, a States.Http.Socket error.
            assert sfn.execute("local.asl.json", {}).error == "States.Http.Socket"
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"method": "GET"}, "an HTTP mock needs a 'url' string"),
        ({"url": "u", "json": 1, "text": "t"}, "give either 'json' or 'text', not both"),
        ({"url": "u", "status": 42}, "'status' must be an HTTP status code, got 42"),
        ({"url": "u", "body": 1}, "unknown HTTP mock key 'body'"),
        ({"url": "u", "match": {"cookies": {}}}, "'match' must be a map of headers, query, json"),
    ],
)
def test_http_mock_spec_errors(spec: dict[str, object], message: str) -> None:
    with pytest.raises(MockError, match=message.replace("(", r"\(").replace(")", r"\)")):
        http_mock_from_spec(spec, origin="f.sfn.yaml:3 /http/0")


def test_yaml_schema_rejects_bad_http(
    pytester: pytest.Pytester, write_machine: WriteMachine
) -> None:
    write_machine("call.asl.json", HTTP)
    pytester.makefile(
        ".sfn.yaml",
        call="""\
        state_machine: call.asl.json
        http:
          - {method: FETCH, url: "https://x"}
        scenarios:
          - name: a
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(['*call.sfn.yaml:3: /http/0/method: "FETCH" is not one of*'])


def test_api_gateway_task_answered_by_http_mocks(
    pytester: pytest.Pytester, write_machine: WriteMachine
) -> None:
    definition = {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::apigateway:invoke",
                "Parameters": {
                    "ApiEndpoint": "abc123.execute-api.us-east-1.amazonaws.com",
                    "Method": "GET",
                    "Stage": "prod",
                    "Path": "orders",
                    "QueryParameters": {"id.$": "States.Array($.orderId)"},
                },
                "ResultSelector": {"status.$": "$.StatusCode", "body.$": "$.ResponseBody"},
                "End": True,
            }
        },
    }
    write_machine("apigw.asl.json", definition)
    pytester.makepyfile(
        """
        import pytest

        URL = "https://abc123.execute-api.us-east-1.amazonaws.com/prod/orders"

        @pytest.mark.sfn(definition="apigw.asl.json",
                         http=[{"method": "GET", "url": URL, "match": {"query": {"id": "o-1"}},
                                "json": {"total": 3}}])
        def test_marker_routes(sfn):
            execution = sfn.execute({"orderId": "o-1"})
            assert execution.output == {"status": 200, "body": {"total": 3}}

        @pytest.mark.sfn(definition="apigw.asl.json",
                         http=[{"url": URL, "status": 404, "text": "no such order"}])
        def test_error_status(sfn):
            execution = sfn.execute({"orderId": "o-2"})
            assert (execution.error, execution.cause) == ("ApiGateway.404", "no such order")

        def test_unmocked_endpoint_is_reported(sfn):
            with pytest.raises(Exception, match="sent an HTTP request nothing mocks"):
                sfn.execute("apigw.asl.json", {"orderId": "o-3"})
        """
    )
    pytester.runpytest().assert_outcomes(passed=3)
