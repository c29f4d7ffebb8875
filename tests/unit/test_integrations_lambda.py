from __future__ import annotations

import base64
import json
import re
import uuid
from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_sfn import StateMachine
from pytest_sfn._json import dump_compact
from pytest_sfn.engine.ports import TaskOutcome, TaskRequest
from pytest_sfn.errors import MockError, UnmockedTaskError
from pytest_sfn.integrations import LambdaContext, LambdaHandlers
from pytest_sfn.integrations.lambda_ import (
    FunctionRef,
    InvokeResponse,
    function_error,
    invoke_outcome,
    invoke_result,
    parse_function,
)

INVOKE = "arn:aws:states:::lambda:invoke"
FN_ARN = "arn:aws:lambda:us-east-1:123456789012:function:{}"
FIXTURES = "tests.unit.lambda_fixture_handlers"
START = datetime(2025, 3, 4, 5, 6, 7, tzinfo=timezone.utc)


def invoke_machine(parameters: dict[str, Any], **fields: Any) -> StateMachine:
    state = {"Type": "Task", "Resource": INVOKE, "Parameters": parameters, "End": True, **fields}
    return StateMachine.from_definition({"StartAt": "Call", "States": {"Call": state}})


def bare_machine(name: str, **fields: Any) -> StateMachine:
    state = {"Type": "Task", "Resource": FN_ARN.format(name), "End": True, **fields}
    return StateMachine.from_definition({"StartAt": "Call", "States": {"Call": state}})


def echo(event: Any, context: Any) -> Any:
    return event


# -- optimized integration: the Invoke response ------------------------------------------


def test_invoke_returns_the_exact_aws_response_shape() -> None:
    sm = invoke_machine({"FunctionName": "echo", "Payload.$": "$"})
    execution = sm.execute(
        {"a": 1, "b": "x"}, tasks=LambdaHandlers({"echo": echo}), start_time=START
    )

    assert execution.status == "SUCCEEDED"
    out = execution.output
    rid = out["SdkResponseMetadata"]["RequestId"]
    trace = out["SdkHttpMetadata"]["HttpHeaders"]["X-Amzn-Trace-Id"]
    assert uuid.UUID(rid).version == 4
    assert re.fullmatch(r"Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0", trace)
    assert trace.startswith(f"Root=1-{int(START.timestamp()):08x}-")
    headers = {
        "X-Amz-Executed-Version": "$LATEST",
        "x-amzn-Remapped-Content-Length": "0",
        "Connection": "keep-alive",
        "x-amzn-RequestId": rid,
        "Content-Length": str(len('{"a": 1, "b": "x"}')),
        "Date": "Tue, 04 Mar 2025 05:06:07 GMT",
        "X-Amzn-Trace-Id": trace,
        "Content-Type": "application/json",
    }
    assert out == {
        "ExecutedVersion": "$LATEST",
        "Payload": {"a": 1, "b": "x"},
        "SdkHttpMetadata": {
            "AllHttpHeaders": {name: [value] for name, value in headers.items()},
            "HttpHeaders": headers,
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": rid},
        "StatusCode": 200,
    }
    # Key order as AWS renders it (the output JSON text is compared in snapshots).
    assert list(out) == [
        "ExecutedVersion", "Payload", "SdkHttpMetadata", "SdkResponseMetadata", "StatusCode"
    ]  # fmt: skip
    assert list(out["SdkHttpMetadata"]["AllHttpHeaders"]) == list(headers)
    assert list(out["SdkHttpMetadata"]["HttpHeaders"]) == [
        "Connection", "Content-Length", "Content-Type", "Date", "X-Amz-Executed-Version",
        "x-amzn-Remapped-Content-Length", "x-amzn-RequestId", "X-Amzn-Trace-Id",
    ]  # fmt: skip


def test_invoke_response_is_deterministic_per_seed() -> None:
    sm = invoke_machine({"FunctionName": "echo", "Payload.$": "$"})
    tasks = LambdaHandlers({"echo": echo})
    first = sm.execute({"a": 1}, tasks=tasks).output
    again = sm.execute({"a": 1}, tasks=tasks).output
    other = sm.execute({"a": 1}, tasks=tasks, seed=1).output
    assert first == again
    assert other["SdkResponseMetadata"] != first["SdkResponseMetadata"]


def test_payload_and_result_selector_flow() -> None:
    def price(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return {"total": event["qty"] * event["unit"]}

    sm = invoke_machine(
        {"FunctionName": "price", "Payload": {"qty.$": "$.order.qty", "unit": 3}},
        ResultSelector={"total.$": "$.Payload.total", "status.$": "$.StatusCode"},
        ResultPath="$.priced",
    )
    execution = sm.execute({"order": {"qty": 4}}, tasks=LambdaHandlers({"price": price}))
    assert execution.output == {"order": {"qty": 4}, "priced": {"total": 12, "status": 200}}


def test_missing_payload_sends_an_empty_object() -> None:
    seen: list[Any] = []
    sm = invoke_machine({"FunctionName": "f"})
    sm.execute({"ignored": True}, tasks=LambdaHandlers({"f": lambda e, c: seen.append(e)}))
    assert seen == [{}]


@pytest.mark.parametrize("result", [None, "text", 7, [1, {"k": []}], {"nested": {"a": None}}])
def test_any_json_result_becomes_the_payload(result: Any) -> None:
    sm = invoke_machine({"FunctionName": "f"})
    out = sm.execute({}, tasks=LambdaHandlers({"f": lambda e, c: result})).output
    assert out["Payload"] == result
    assert out["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"] == str(len(json.dumps(result)))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=40, deadline=None)
@given(json_values)
def test_content_length_is_the_byte_length_of_the_python_runtime_body(result: Any) -> None:
    sm = invoke_machine({"FunctionName": "f"})
    out = sm.execute({}, tasks=LambdaHandlers({"f": lambda e, c: result})).output
    headers = out["SdkHttpMetadata"]["HttpHeaders"]
    assert headers["Content-Length"] == str(len(json.dumps(result).encode()))
    assert out["SdkHttpMetadata"]["AllHttpHeaders"]["Content-Length"] == [headers["Content-Length"]]
    assert out["Payload"] == result


def test_tuples_are_returned_as_lists() -> None:
    sm = invoke_machine({"FunctionName": "f"})
    out = sm.execute({}, tasks=LambdaHandlers({"f": lambda e, c: {"pair": (1, 2)}})).output
    assert out["Payload"] == {"pair": [1, 2]}


def test_handler_gets_a_copy_of_the_event() -> None:
    def mutate(event: dict[str, Any], context: Any) -> str:
        event["x"] = "changed"
        return "ok"

    sm = invoke_machine({"FunctionName": "f", "Payload.$": "$"}, ResultPath="$.r")
    execution = sm.execute({"x": "original"}, tasks=LambdaHandlers({"f": mutate}))
    assert execution.output == {"x": "original", "r": execution.output["r"]}


# -- bare function ARN ---------------------------------------------------------------------


def test_bare_function_arn_returns_the_raw_result_and_lambda_events() -> None:
    sm = bare_machine("Adder")
    tasks = LambdaHandlers({"Adder": lambda e, c: {"sum": e["a"] + e["b"]}})
    execution = sm.execute({"a": 2, "b": 5}, tasks=tasks)
    assert execution.output == {"sum": 7}
    types = [event.type for event in execution.history]
    assert "LambdaFunctionSucceeded" in types
    assert "TaskSucceeded" not in types


def test_bare_function_arn_context_uses_the_arn() -> None:
    seen: list[LambdaContext] = []
    arn = "arn:aws:lambda:eu-west-1:111122223333:function:Adder:7"
    sm = StateMachine.from_definition(
        {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": arn, "End": True}}}
    )
    sm.execute({}, tasks=LambdaHandlers({"Adder": lambda e, c: seen.append(c)}))
    (context,) = seen
    assert context.invoked_function_arn == arn
    assert context.function_version == "7"


# -- function errors -----------------------------------------------------------------------


class PaymentDeclined(Exception):
    pass


def decline(event: Any, context: Any) -> Any:
    raise PaymentDeclined("card 4242 declined")


CATCH = [{"ErrorEquals": ["PaymentDeclined"], "ResultPath": "$.err", "Next": "Caught"}]


def with_catch(resource: str, parameters: dict[str, Any] | None) -> StateMachine:
    call: dict[str, Any] = {"Type": "Task", "Resource": resource, "Catch": CATCH, "End": True}
    if parameters is not None:
        call["Parameters"] = parameters
    states = {"Call": call, "Caught": {"Type": "Pass", "End": True}}
    return StateMachine.from_definition({"StartAt": "Call", "States": states})


@pytest.mark.parametrize(
    ("resource", "parameters"),
    [(INVOKE, {"FunctionName": "pay", "Payload.$": "$"}), (FN_ARN.format("pay"), None)],
    ids=["optimized", "bare-arn"],
)
def test_handler_exception_is_caught_with_lambda_error_shape(
    resource: str, parameters: dict[str, Any] | None
) -> None:
    execution = with_catch(resource, parameters).execute({}, tasks=LambdaHandlers({"pay": decline}))

    assert execution.status == "SUCCEEDED"
    assert execution.path == ["Call", "Caught"]
    err = execution.output["err"]
    assert err["Error"] == "PaymentDeclined"
    cause = json.loads(err["Cause"])
    assert list(cause) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert cause["errorMessage"] == "card 4242 declined"
    assert cause["errorType"] == "PaymentDeclined"
    assert uuid.UUID(cause["requestId"]).version == 4
    assert err["Cause"] == dump_compact(cause)  # compact JSON, as AWS renders it
    trace = cause["stackTrace"]
    assert all(isinstance(line, str) for line in trace)
    assert len(trace) == 1  # the handler's frame only, not the integration's
    assert trace[0].startswith('  File "') and ", in decline\n" in trace[0]
    assert "raise PaymentDeclined" in trace[0]


def test_aws_observed_exception_cause_via_import_string() -> None:
    sm = invoke_machine({"FunctionName": "boom"})
    execution = sm.execute({}, tasks=LambdaHandlers({"boom": f"{FIXTURES}:explode"}))
    assert execution.status == "FAILED"
    assert execution.error == "Exception"
    assert execution.cause is not None
    assert execution.cause.startswith(
        '{"errorMessage":"Some exception was raised.","errorType":"Exception","requestId":"'
    )
    failed = execution.events("TaskFailed")
    assert [event.details["error"] for event in failed] == ["Exception"]


def test_retry_runs_the_handler_again_until_it_succeeds() -> None:
    calls: list[str] = []

    def flaky(event: Any, context: Any) -> dict[str, int]:
        calls.append(context.aws_request_id)
        if len(calls) < 3:
            raise TimeoutError("upstream slow")
        return {"attempts": len(calls)}

    retry = [{"ErrorEquals": ["TimeoutError"], "IntervalSeconds": 1, "MaxAttempts": 3}]
    sm = invoke_machine({"FunctionName": "flaky"}, Retry=retry, OutputPath="$.Payload")
    execution = sm.execute({}, tasks=LambdaHandlers({"flaky": flaky}))

    assert execution.status == "SUCCEEDED"
    assert execution.output == {"attempts": 3}
    assert len(set(calls)) == 3  # a fresh request id per attempt
    assert [e.details["error"] for e in execution.events("TaskFailed")] == ["TimeoutError"] * 2


def test_request_id_matches_context_and_response() -> None:
    seen: list[str] = []
    sm = invoke_machine({"FunctionName": "f"})
    out = sm.execute(
        {}, tasks=LambdaHandlers({"f": lambda e, c: seen.append(c.aws_request_id)})
    ).output
    assert seen == [out["SdkResponseMetadata"]["RequestId"]]
    assert out["SdkHttpMetadata"]["HttpHeaders"]["x-amzn-RequestId"] == seen[0]


def test_unserializable_result_is_a_mock_error() -> None:
    sm = invoke_machine({"FunctionName": "f"})
    with pytest.raises(MockError, match=r"'f' returned a value that is not JSON-serializable"):
        sm.execute({}, tasks=LambdaHandlers({"f": lambda e, c: {1, 2}}))


# -- invocation types, qualifiers, logs -----------------------------------------------------


def test_event_invocation_returns_202_and_ignores_function_errors() -> None:
    calls: list[Any] = []

    def fire(event: Any, context: Any) -> None:
        calls.append(event)
        raise RuntimeError("nobody waits for me")

    sm = invoke_machine({"FunctionName": "f", "InvocationType": "Event", "Payload": {"k": 1}})
    execution = sm.execute({}, tasks=LambdaHandlers({"f": fire}))
    assert execution.status == "SUCCEEDED"
    out = execution.output
    assert (out["StatusCode"], out["Payload"]) == (202, "")
    assert out["SdkHttpMetadata"]["HttpStatusCode"] == 202
    assert out["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"] == "0"
    assert calls == [{"k": 1}]


def test_dry_run_returns_204_without_running_the_handler() -> None:
    calls: list[Any] = []
    sm = invoke_machine({"FunctionName": "f", "InvocationType": "DryRun"})
    out = sm.execute({}, tasks=LambdaHandlers({"f": lambda e, c: calls.append(e)})).output
    assert (out["StatusCode"], out["Payload"], calls) == (204, "", [])


def test_invalid_invocation_type_is_a_mock_error() -> None:
    sm = invoke_machine({"FunctionName": "f", "InvocationType": "Later"})
    with pytest.raises(MockError, match="InvocationType must be one of"):
        sm.execute({}, tasks=LambdaHandlers({"f": echo}))


def test_numeric_qualifier_is_the_executed_version() -> None:
    seen: list[LambdaContext] = []
    sm = invoke_machine({"FunctionName": "f", "Qualifier": "3"})
    out = sm.execute({}, tasks=LambdaHandlers({"f": lambda e, c: seen.append(c)})).output
    assert out["ExecutedVersion"] == "3"
    assert out["SdkHttpMetadata"]["HttpHeaders"]["X-Amz-Executed-Version"] == "3"
    assert seen[0].invoked_function_arn == "arn:aws:lambda:us-east-1:123456789012:function:f:3"
    assert seen[0].log_stream_name.startswith("2024/01/01/[3]")


def test_conflicting_qualifiers_fail_the_task() -> None:
    sm = invoke_machine({"FunctionName": "f:prod", "Qualifier": "dev"})
    execution = sm.execute({}, tasks=LambdaHandlers({"f": echo}))
    assert execution.error == "Lambda.InvalidParameterValueException"
    assert execution.cause is not None
    assert re.fullmatch(
        r"The derived qualifier from the function name does not match the specified "
        r"qualifier\. \(Service: AWSLambda; Status Code: 400; Error Code: "
        r"InvalidParameterValueException; Request ID: [0-9a-f-]{36}; Proxy: null\)",
        execution.cause,
    )


def test_log_type_tail_returns_the_printed_lines() -> None:
    def chatty(event: Any, context: Any) -> int:
        print("processing order 17")
        return 1

    sm = invoke_machine({"FunctionName": "f", "LogType": "Tail"})
    out = sm.execute({}, tasks=LambdaHandlers({"f": chatty})).output
    rid = out["SdkResponseMetadata"]["RequestId"]
    log = base64.b64decode(out["LogResult"]).decode()
    assert log.startswith(f"START RequestId: {rid} Version: $LATEST\nprocessing order 17\n")
    assert f"END RequestId: {rid}\nREPORT RequestId: {rid}\t" in log
    assert out["SdkHttpMetadata"]["HttpHeaders"]["X-Amz-Log-Result"] == out["LogResult"]
    assert list(out)[:3] == ["ExecutedVersion", "LogResult", "Payload"]


def test_without_tail_no_log_result() -> None:
    sm = invoke_machine({"FunctionName": "f", "LogType": "None"})
    out = sm.execute({}, tasks=LambdaHandlers({"f": echo})).output
    assert "LogResult" not in out
    assert "X-Amz-Log-Result" not in out["SdkHttpMetadata"]["HttpHeaders"]


# -- the context object ---------------------------------------------------------------------


def test_context_object_is_realistic() -> None:
    seen: list[LambdaContext] = []
    client = {"client": {"app_title": "shop"}, "custom": {"tenant": "t1"}, "env": {"os": "x"}}
    encoded = base64.b64encode(json.dumps(client).encode()).decode()
    sm = invoke_machine({"FunctionName": "orders:live", "ClientContext": encoded})
    sm.execute({}, tasks=LambdaHandlers({"orders": lambda e, c: seen.append(c)}), start_time=START)

    (ctx,) = seen
    assert ctx.function_name == "orders"
    assert ctx.function_version == "$LATEST"
    assert ctx.invoked_function_arn == "arn:aws:lambda:us-east-1:123456789012:function:orders:live"
    assert ctx.memory_limit_in_mb == "128"
    assert uuid.UUID(ctx.aws_request_id).version == 4
    assert ctx.log_group_name == "/aws/lambda/orders"
    assert re.fullmatch(r"2025/03/04/\[\$LATEST\][0-9a-f]{32}", ctx.log_stream_name)
    assert 0 < ctx.get_remaining_time_in_millis() <= 3000
    assert ctx.client_context is not None
    assert ctx.client_context.custom == {"tenant": "t1"}
    assert ctx.client_context.client == {"app_title": "shop"}
    assert ctx.identity is None


def test_bad_client_context_is_a_mock_error() -> None:
    sm = invoke_machine({"FunctionName": "f", "ClientContext": "not base64!"})
    with pytest.raises(MockError, match="ClientContext must be a base64-encoded JSON object"):
        sm.execute({}, tasks=LambdaHandlers({"f": echo}))


# -- function names, keys and lookup -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("f", FunctionRef("f")),
        ("my-fn_2", FunctionRef("my-fn_2")),
        ("f:prod", FunctionRef("f", "prod")),
        ("f:$LATEST", FunctionRef("f", "$LATEST")),
        ("123456789012:function:f", FunctionRef("f", account="123456789012")),
        ("123456789012:function:f:4", FunctionRef("f", "4", account="123456789012")),
        (
            "arn:aws:lambda:eu-west-1:123456789012:function:f",
            FunctionRef("f", None, "aws", "eu-west-1", "123456789012"),
        ),
        (
            "arn:aws-cn:lambda:cn-north-1:123456789012:function:f:live",
            FunctionRef("f", "live", "aws-cn", "cn-north-1", "123456789012"),
        ),
    ],
)
def test_parse_function(text: str, expected: FunctionRef) -> None:
    assert parse_function(text) == expected


@pytest.mark.parametrize(
    "text", ["", "a b", "f:", "f:a:b", "arn:aws:lambda:us-east-1:123:function:f", "arn:aws:s3:::b"]
)
def test_parse_function_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="is not a Lambda function name"):
        parse_function(text)


@pytest.mark.parametrize(
    ("key", "function_name", "qualifier", "matches"),
    [
        ("f", "f", None, True),
        ("f", "f:prod", None, True),
        ("f", "f", "prod", True),
        ("f", "arn:aws:lambda:us-east-1:123456789012:function:f", None, True),
        ("f", "123456789012:function:f:9", None, True),
        ("f:prod", "f:prod", None, True),
        ("f:prod", "f", "prod", True),
        ("f:prod", "f", None, False),
        ("f:prod", "f:dev", None, False),
        ("arn:aws:lambda:us-east-1:123456789012:function:f", "f", None, True),
        (
            "123456789012:function:f:prod",
            "arn:aws:lambda:us-east-1:123456789012:function:f:prod",
            None,
            True,
        ),
        ("f", "g", None, False),
    ],
)
def test_key_matching(key: str, function_name: str, qualifier: str | None, matches: bool) -> None:
    parameters: dict[str, Any] = {"FunctionName": function_name, "Payload": "hit"}
    if qualifier is not None:
        parameters["Qualifier"] = qualifier
    sm = invoke_machine(parameters, OutputPath="$.Payload")
    fallback_calls: list[TaskRequest] = []

    def fallback(request: TaskRequest) -> TaskOutcome:
        fallback_calls.append(request)
        return TaskOutcome(output={"Payload": "fallback"})

    execution = sm.execute({}, tasks=LambdaHandlers({key: echo}, fallback=fallback))
    assert execution.output == ("hit" if matches else "fallback")
    assert len(fallback_calls) == (0 if matches else 1)


def test_qualified_key_wins_over_unqualified() -> None:
    tasks = LambdaHandlers({"f": lambda e, c: "plain", "f:canary": lambda e, c: "canary"})
    for name, expected in [("f", "plain"), ("f:canary", "canary"), ("f:prod", "plain")]:
        sm = invoke_machine({"FunctionName": name}, OutputPath="$.Payload")
        assert sm.execute({}, tasks=tasks).output == expected


def test_unknown_function_names_it_and_lists_registered() -> None:
    sm = invoke_machine({"FunctionName": "chrage"})
    tasks = LambdaHandlers({"charge": echo, "refund": echo})
    with pytest.raises(UnmockedTaskError) as info:
        sm.execute({}, tasks=tasks)
    message = str(info.value)
    assert "'Call'" in message and "'chrage'" in message
    assert "(did you mean 'charge'?)" in message
    assert "registered: 'charge', 'refund'" in message


def test_unknown_bare_function_arn_is_a_mock_error() -> None:
    with pytest.raises(UnmockedTaskError, match="Lambda function 'Missing'.*registered: 'f'"):
        bare_machine("Missing").execute({}, tasks=LambdaHandlers({"f": echo}))


def test_other_resources_go_to_the_fallback_or_fail() -> None:
    definition = {
        "StartAt": "Send",
        "States": {
            "Send": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage",
                "Parameters": {"QueueUrl": "q", "MessageBody": "m"},
                "End": True,
            }
        },
    }
    sm = StateMachine.from_definition(definition)
    with pytest.raises(UnmockedTaskError, match="sqs:sendMessage.*pass fallback="):
        sm.execute({}, tasks=LambdaHandlers({"f": echo}))
    fallback = LambdaHandlers({}, fallback=lambda request: TaskOutcome(output={"MessageId": "1"}))
    assert sm.execute({}, tasks=LambdaHandlers({"f": echo}, fallback=fallback)).output == {
        "MessageId": "1"
    }


# -- "module:function" handlers -------------------------------------------------------------


def test_import_string_handler() -> None:
    sm = invoke_machine(
        {"FunctionName": "greeter", "Payload": {"name": "Ada"}}, OutputPath="$.Payload"
    )
    execution = sm.execute({}, tasks=LambdaHandlers({"greeter": f"{FIXTURES}:greet"}))
    assert execution.output == {"greeting": "hello Ada", "function": "greeter"}


def test_import_string_with_dotted_attribute() -> None:
    sm = bare_machine("double")
    tasks = LambdaHandlers({"double": f"{FIXTURES}:Handlers.double"})
    assert sm.execute({"n": 21}, tasks=tasks).output == 42


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "tests.unit.no_such_module:handler",
            r"cannot import module 'tests.unit.no_such_module'.*ModuleNotFoundError",
        ),
        (f"{FIXTURES}:gret", r"has no attribute 'gret' \(did you mean 'greet'\?\)"),
        (f"{FIXTURES}:NOT_CALLABLE", r"is not callable: 42"),
    ],
)
def test_import_errors_are_clear_mock_errors(spec: str, message: str) -> None:
    sm = bare_machine("f")
    tasks = LambdaHandlers({"f": spec})  # imported lazily: constructing never fails
    with pytest.raises(MockError, match=message):
        sm.execute({}, tasks=tasks)


@pytest.mark.parametrize(
    ("functions", "message"),
    [
        ({"f": "no_colon_here"}, "must be a callable"),
        ({"f": 42}, "must be a callable"),
        ({"not a name": echo}, "is not a Lambda function name"),
    ],
)
def test_bad_registrations_fail_at_construction(functions: dict[str, Any], message: str) -> None:
    with pytest.raises(MockError, match=message):
        LambdaHandlers(functions)


# -- the shared response shaping (also used by BotocoreTasks) ---------------------------


_UNKNOWN = (
    "The cause could not be determined because Lambda did not return an error type. "
    "Returned payload: "
)


@pytest.mark.parametrize(
    ("payload", "error", "cause"),
    [
        (
            '{"errorMessage": "x", "errorType": "KeyError", "stackTrace": []}',
            "KeyError",
            '{"errorMessage":"x","errorType":"KeyError","stackTrace":[]}',
        ),
        (
            '{"errorType":"Sandbox.Timedout"}',
            "Sandbox.Timedout",
            '{"errorType":"Sandbox.Timedout"}',
        ),
        (
            '{"errorMessage":"timed out"}',
            "Lambda.Unknown",
            _UNKNOWN + '{"errorMessage":"timed out"}',
        ),
        ('{"errorType": ""}', "Lambda.Unknown", _UNKNOWN + '{"errorType":""}'),
        ('{"errorType": 3}', "Lambda.Unknown", _UNKNOWN + '{"errorType":3}'),
        ('"crashed"', "Lambda.Unknown", _UNKNOWN + '"crashed"'),
        ("not json", "Lambda.Unknown", _UNKNOWN + "not json"),
        ("", "Lambda.Unknown", _UNKNOWN),
    ],
)
def test_function_error(payload: str, error: str, cause: str) -> None:
    assert function_error(payload) == (error, cause)


def _response(payload: str | None, **fields: Any) -> InvokeResponse:
    return InvokeResponse(
        status_code=fields.pop("status_code", 200),
        payload=payload,
        executed_version="$LATEST",
        request_id="11111111-2222-4333-8444-555555555555",
        date=START,
        **fields,
    )


@pytest.mark.parametrize("optimized", [True, False])
def test_invoke_outcome_fails_only_with_function_error(optimized: bool) -> None:
    failed = invoke_outcome(
        _response('{"errorType":"E"}', function_error="Handled"), optimized=optimized
    )
    assert (failed.failed, failed.error, failed.cause) == (True, "E", '{"errorType":"E"}')
    ok = invoke_outcome(_response('{"errorType":"E"}'), optimized=optimized)
    assert not ok.failed
    assert (ok.output["Payload"] if optimized else ok.output) == {"errorType": "E"}


@pytest.mark.parametrize(
    ("payload", "optimized", "expected"),
    [
        ("not json", True, "not json"),  # a body that is not JSON stays text
        (None, True, ""),
        (None, False, None),
        ("[1, 2]", False, [1, 2]),
    ],
)
def test_invoke_outcome_payloads(payload: str | None, optimized: bool, expected: Any) -> None:
    out = invoke_outcome(_response(payload), optimized=optimized).output
    assert (out["Payload"] if optimized else out) == expected


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
        max_leaves=8,
    )
)
@settings(max_examples=50)
def test_invoke_result_payload_and_content_length(value: Any) -> None:
    text = json.dumps(value)
    out = invoke_result(_response(text, trace_id="Root=1-x"))
    headers = out["SdkHttpMetadata"]["HttpHeaders"]
    assert out["Payload"] == value
    assert headers["Content-Length"] == str(len(text.encode()))
    assert headers["X-Amzn-Trace-Id"] == "Root=1-x"
    assert headers["x-amzn-RequestId"] == out["SdkResponseMetadata"]["RequestId"]
    assert out["SdkHttpMetadata"]["AllHttpHeaders"] == {k: [v] for k, v in headers.items()}
