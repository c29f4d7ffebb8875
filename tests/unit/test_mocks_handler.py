"""MockHandler: response selection, strictness, unused responses, and the engine wiring."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_sfn import TaskOutcome, TaskRequest
from pytest_sfn.errors import MockError, UnmockedTaskError
from pytest_sfn.mocks import MockHandler, MockSet, Response, ResultProvider, StateMock
from pytest_sfn.model.resource import Resource
from tests.conftest import machine

LAMBDA = Resource.parse("arn:aws:states:::lambda:invoke")


def request(state: str = "S", parameters: Any = None, invocation: int = 0) -> TaskRequest:
    return TaskRequest(state, LAMBDA, parameters, {}, invocation=invocation)


def r(value: Any, match: Any = None, mode: str = "subset", origin: str = "") -> Response:
    return Response(returns=value, match=match, match_mode=mode, origin=origin)


def handler_for(*responses: Response, repeat: bool = False, **kwargs: Any) -> MockHandler:
    return MockHandler(
        MockSet({"S": StateMock("S", responses, repeat, "f.yaml:3 /mocks/S")}), **kwargs
    )


def answers(handler: MockHandler, parameters: list[Any], state: str = "S") -> list[Any]:
    """The output of each invocation, or the exception class name where one is raised."""
    out: list[Any] = []
    for invocation, params in enumerate(parameters):
        try:
            out.append(handler(request(state, params, invocation)).output)
        except MockError as exc:
            out.append(type(exc).__name__)
    return out


@pytest.mark.parametrize(
    ("responses", "repeat", "parameters", "expected"),
    [
        ([r("a")], False, [{}], ["a"]),
        ([r("a"), r("b"), r("c")], False, [{}, {}, {}], ["a", "b", "c"]),
        ([r("a"), r("b")], False, [{}, {}, {}], ["a", "b", "UnmockedTaskError"]),
        ([r("a"), r("b")], True, [{}, {}, {}, {}], ["a", "b", "b", "b"]),
        # match: each invocation takes the first unused response that accepts its parameters
        ([r("ups", {"c": "ups"}), r("dhl", {"c": "dhl"})], False, [{"c": "dhl"}, {"c": "ups"}], ["dhl", "ups"]),
        ([r("ups", {"c": "ups"}), r("any")], False, [{"c": "dhl"}, {"c": "ups"}], ["any", "ups"]),
        ([r("ups1", {"c": "ups"}), r("ups2", {"c": "ups"}), r("any")], False,
         [{"c": "ups"}, {"c": "x"}, {"c": "ups"}], ["ups1", "any", "ups2"]),
        ([r("ups", {"c": "ups"})], False, [{"c": "dhl"}], ["UnmockedTaskError"]),
        ([r("ups", {"c": "ups"})], False, [{"c": "ups"}, {"c": "ups"}], ["ups", "UnmockedTaskError"]),
        # repeat_last repeats the last response that accepts the parameters
        ([r("ups", {"c": "ups"}), r("dhl", {"c": "dhl"})], True,
         [{"c": "ups"}, {"c": "ups"}, {"c": "dhl"}, {"c": "dhl"}], ["ups", "ups", "dhl", "dhl"]),
        # subset vs exact
        ([r("sub", {"a": 1})], True, [{"a": 1, "b": 2}], ["sub"]),
        ([r("exact", {"a": 1}, "exact")], True, [{"a": 1, "b": 2}], ["UnmockedTaskError"]),
        ([r("exact", {"a": 1}, "exact"), r("other")], True, [{"a": 1, "b": 2}, {"a": 1}], ["other", "exact"]),
    ],
)  # fmt: skip
def test_selection(
    responses: list[Response], repeat: bool, parameters: list[Any], expected: list[Any]
) -> None:
    assert answers(handler_for(*responses, repeat=repeat), parameters) == expected


@given(k=st.integers(1, 6), n=st.integers(1, 10))
def test_n_invocations_of_k_responses_succeed_iff_n_at_most_k(k: int, n: int) -> None:
    handler = handler_for(*[r(i) for i in range(k)])
    results = answers(handler, [{}] * n)
    assert ("UnmockedTaskError" not in results) is (n <= k)
    assert results[: min(n, k)] == list(range(min(n, k)))


@given(k=st.integers(1, 6), n=st.integers(1, 10))
def test_repeat_last_answers_every_invocation(k: int, n: int) -> None:
    handler = handler_for(*[r(i) for i in range(k)], repeat=True)
    assert answers(handler, [{}] * n) == [min(i, k - 1) for i in range(n)]


def test_a_new_execution_starts_from_the_first_response() -> None:
    handler = handler_for(r("a"), r("b"))
    assert answers(handler, [{}, {}]) == ["a", "b"]
    assert answers(handler, [{}, {}]) == ["a", "b"]  # invocation 0 again: a new execution
    assert handler.unused() == []


def test_exhausted_message_names_the_state_count_and_origin() -> None:
    handler = handler_for(r("a"), r("b"))
    handler(request(invocation=0))
    handler(request(invocation=1))
    with pytest.raises(UnmockedTaskError) as info:
        handler(request(invocation=2))
    assert str(info.value) == (
        "Task state 'S' was invoked 3 times but only 2 responses are mocked (f.yaml:3 /mocks/S)"
    )


def test_exhausted_message_with_matches_names_the_parameters() -> None:
    handler = handler_for(r("a", {"k": 1}), r("b", {"k": 2}))
    handler(request(parameters={"k": 1}))
    with pytest.raises(UnmockedTaskError) as info:
        handler(request(parameters={"k": 1}, invocation=1))
    assert str(info.value) == (
        "Task state 'S' was invoked 2 times but only 1 of its responses match parameters "
        '{"k":1} (f.yaml:3 /mocks/S)'
    )


def test_no_match_message_lists_every_response() -> None:
    handler = handler_for(r("a", {"k": 1}, origin="f.yaml:4 /mocks/S/0"), r("b", {"k": 2}, "exact"))
    with pytest.raises(UnmockedTaskError) as info:
        handler(request(parameters={"k": 3}))
    assert str(info.value).splitlines() == [
        "Task state 'S' was invoked with parameters {\"k\":3}, which no response of its mock "
        "matches (f.yaml:3 /mocks/S):",
        '  #1 (f.yaml:4 /mocks/S/0): returns "a" when parameters match {"k":1} (subset)',
        '  #2: returns "b" when parameters match {"k":2} (exact)',
    ]


@pytest.mark.parametrize(
    ("strict", "fallback", "message"),
    [
        (True, False, "Task state 'Chrage' (resource arn:aws:states:::lambda:invoke) has no mock "
         "in order.sfn.yaml (did you mean 'Charge'?). Mocked states: Charge, Ship."),
        (True, True, "Task state 'Chrage' (resource arn:aws:states:::lambda:invoke) has no mock "
         "in order.sfn.yaml (did you mean 'Charge'?). Mocked states: Charge, Ship. (a fallback "
         "handler exists but only answers when strict=False)"),
        (False, False, "Task state 'Chrage' (resource arn:aws:states:::lambda:invoke) has no mock "
         "in order.sfn.yaml (did you mean 'Charge'?). Mocked states: Charge, Ship."),
    ],
)  # fmt: skip
def test_unmocked_states(strict: bool, fallback: bool, message: str) -> None:
    mocks = MockSet(
        {name: StateMock(name, (r(name),)) for name in ("Ship", "Charge")}, "order.sfn.yaml"
    )
    handler = MockHandler(mocks, strict=strict, fallback=ResultProvider({}) if fallback else None)
    with pytest.raises(UnmockedTaskError) as info:
        handler(request("Chrage"))
    assert str(info.value) == message


def test_unmocked_message_without_mocks() -> None:
    with pytest.raises(UnmockedTaskError, match=r"has no mock\. No state is mocked\.$"):
        MockHandler(MockSet())(request("X"))


def test_non_strict_handlers_use_the_fallback_for_unmocked_states_only() -> None:
    handler = MockHandler(
        MockSet({"S": StateMock("S", (r("mocked"),))}),
        strict=False,
        fallback=lambda req: TaskOutcome(output=f"fallback {req.state_name}"),
    )
    assert handler(request("Other")).output == "fallback Other"
    assert handler(request("S")).output == "mocked"
    with pytest.raises(UnmockedTaskError, match="invoked 2 times"):
        handler(request("S", invocation=1))  # exhausted mocks never fall back
    assert [call.state_name for call in handler.calls] == ["Other", "S", "S"]
    assert [answer.describe() for answer in handler.answers] == [
        "Other: answered by the fallback handler",
        'S response #1: returns "mocked"',
    ]
    assert handler.answers[0].response is None
    assert handler.answers[1].response == r("mocked")


def test_check_states_reports_every_unknown_state_with_suggestions() -> None:
    mocks = MockSet(
        {
            "Chrage": StateMock("Chrage", (r(1),), origin="order.sfn.yaml:5 /mocks/Chrage"),
            "Nope": StateMock("Nope", (r(1),)),
            "Ship": StateMock("Ship", (r(1),)),
        }
    )
    with pytest.raises(MockError) as info:
        MockHandler(mocks).check_states(["Charge", "Ship", "Notify"])
    assert str(info.value).splitlines() == [
        "order.sfn.yaml:5: /mocks/Chrage: a mock names Task state 'Chrage', which is not in the "
        "state machine (did you mean 'Charge'?)",
        "a mock names Task state 'Nope', which is not in the state machine",
    ]
    MockHandler(mocks).check_states(["Chrage", "Nope", "Ship"])  # no error


def test_unused_groups_consecutive_responses_written_once() -> None:
    once = Response(returns="x", origin="f.yaml:7 /mocks/S/1")
    handler = handler_for(
        Response(returns="first", origin="f.yaml:6 /mocks/S/0"), once, once, once,
        Response(returns="last", origin="f.yaml:8 /mocks/S/2"), Response(returns="bare"),
    )  # fmt: skip
    handler(request())
    handler(request(invocation=1))
    assert handler.unused() == [
        "S responses #3-#4 (f.yaml:7 /mocks/S/1) were never used",
        "S response #5 (f.yaml:8 /mocks/S/2) was never used",
        "S response #6 was never used",
    ]


def test_unused_counts_responses_used_by_any_execution() -> None:
    handler = handler_for(r("a", {"k": 1}), r("b", {"k": 2}))
    handler(request(parameters={"k": 1}))
    assert handler.unused() == ["S response #2 was never used"]
    handler(request(parameters={"k": 2}))  # a second execution (invocation 0)
    assert handler.unused() == []


# --- through the engine --------------------------------------------------------------


TASK = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke"}


def test_retries_and_map_iterations_consume_responses_through_the_engine() -> None:
    sm = machine(
        {
            "Each": {
                "Type": "Map",
                "MaxConcurrency": 1,
                "ItemProcessor": {
                    "StartAt": "Work",
                    "States": {
                        "Work": {
                            **TASK,
                            "Parameters": {"item.$": "$"},
                            "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 1}],
                            "End": True,
                        }
                    },
                },
                "End": True,
            }
        }
    )
    responses = (Response(throws=("Busy", None)), r("one"), r("three", {"item": 3}), r("two"))
    handler = MockHandler(MockSet({"Work": StateMock("Work", responses)}))
    execution = sm.execute([1, 2, 3], tasks=handler)
    assert execution.output == ["one", "two", "three"]
    assert [call.attempt for call in execution.calls("Work")] == [0, 1, 0, 0]
    assert handler.unused() == []


@pytest.mark.parametrize(
    ("response", "status", "error", "seconds"),
    [
        (Response(returns=1, duration=9, heartbeats=(3, 6)), "SUCCEEDED", None, 9),
        (Response(returns=1, duration=9, heartbeats=(3,)), "FAILED", "States.Timeout", 7),
        (Response(returns=1, duration=11, heartbeats=(3, 6, 9)), "FAILED", "States.Timeout", 10),
        (Response(throws=("E", "late"), duration=5, heartbeats=(4,)), "FAILED", "E", 5),
    ],
)
def test_durations_and_heartbeats_run_on_the_virtual_clock(
    response: Response, status: str, error: str | None, seconds: int
) -> None:
    sm = machine({"T": {**TASK, "TimeoutSeconds": 10, "HeartbeatSeconds": 4, "End": True}})
    execution = sm.execute({}, tasks=MockHandler(MockSet({"T": StateMock("T", (response,))})))
    assert (execution.status, execution.error) == (status, error)
    assert execution.stop_time is not None
    assert (execution.stop_time - execution.start_time).total_seconds() == seconds


def test_mock_errors_are_never_caught_by_states_all() -> None:
    sm = machine(
        {
            "T": {
                **TASK,
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        }
    )
    with pytest.raises(UnmockedTaskError, match="'T'"):
        sm.execute({}, tasks=MockHandler(MockSet()))
    failed = sm.execute({}, tasks=MockHandler(MockSet()), mock_errors="fail")
    assert (failed.status, failed.error) == ("FAILED", "pytest_sfn.UnmockedTask")
    assert failed.path == ["T"]
