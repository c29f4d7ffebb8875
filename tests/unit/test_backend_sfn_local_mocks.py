"""Reading Step Functions Local mock configurations, and the errors for malformed ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pytest_sfn.engine.ports import TaskOutcome, TaskRequest
from pytest_sfn.errors import MockError, UnmockedTaskError
from pytest_sfn.model.resource import Resource
from pytest_sfn.service.sfn_local_mocks import load_mock_config

OK = {"0": {"Return": 1}}


def config(responses: Any = None, cases: Any = None) -> dict[str, Any]:
    return {
        "StateMachines": {"M": {"TestCases": cases if cases is not None else {"T": {"S": "R"}}}},
        "MockedResponses": responses if responses is not None else {"R": OK},
    }


def request(state: str = "S", invocation: int = 0) -> TaskRequest:
    resource = Resource.parse("arn:aws:states:::lambda:invoke")
    return TaskRequest(state, resource, {}, {}, invocation=invocation)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "invalid mock config at the top level: expected an object, got an array"),
        ({"StateMachine": {}}, "invalid mock config at the top level: unknown key "
         "'StateMachine' (did you mean 'StateMachines'?); expected 'StateMachines' and "
         "'MockedResponses'"),
        ({"StateMachines": {"M": {}}}, "invalid mock config at /StateMachines/M: missing key "
         "'TestCases'"),
        ({"StateMachines": {"M": {"TestCases": {}, "Extra": 1}}}, "invalid mock config at "
         "/StateMachines/M: unknown key 'Extra'; expected 'TestCases'"),
        (config(cases={"T": {"S": 3}}), "invalid mock config at /StateMachines/M/TestCases/T/S: "
         "expected the name of a mocked response, got a number"),
        (config(cases={"T": {"S": "Q"}}), "invalid mock config at /StateMachines/M/TestCases/T/S:"
         " no mocked response named 'Q' in MockedResponses"),
        (config(cases={"T": {"S": "RR"}}), "invalid mock config at /StateMachines/M/TestCases/T/"
         "S: no mocked response named 'RR' in MockedResponses (did you mean 'R'?)"),
        (config({"R": {"first": {"Return": 1}}}), "invalid mock config at /MockedResponses/R/"
         'first: invocation keys are an index like "0" or an inclusive range like "1-2"'),
        (config({"R": {"01": {"Return": 1}}}), "invalid mock config at /MockedResponses/R/01: "
         'invocation keys are an index like "0" or an inclusive range like "1-2"'),
        (config({"R": {"0": {"Return": 1}, "3-2": {"Return": 1}}}), "invalid mock config at "
         "/MockedResponses/R/3-2: the range '3-2' is empty (2 < 3)"),
        (config({"R": {"1": {"Return": 1}}}), "invalid mock config at /MockedResponses/R/1: "
         'invocation indexes must be consecutive from 0: this entry leaves a gap (the next index '
         'expected is "0")'),
        (config({"R": {"0-2": {"Return": 1}, "2": {"Return": 2}}}), "invalid mock config at "
         "/MockedResponses/R/2: invocation indexes must be consecutive from 0: this entry "
         'overlaps the previous entry (the next index expected is "3")'),
        (config({"R": {}}), 'invalid mock config at /MockedResponses/R: a mocked response needs '
         'at least the entry "0"'),
        (config({"R": {"0": {}}}), "invalid mock config at /MockedResponses/R/0: each entry "
         "holds exactly one of 'Return' or 'Throw'"),
        (config({"R": {"0": {"Return": 1, "Throw": {}}}}), "invalid mock config at "
         "/MockedResponses/R/0: each entry holds exactly one of 'Return' or 'Throw'"),
        (config({"R": {"0": {"Retrun": 1}}}), "invalid mock config at /MockedResponses/R/0: "
         "unknown key 'Retrun' (did you mean 'Return'?); expected 'Return' and 'Throw'"),
        (config({"R": {"0": {"Throw": {"Error": "E"}}}}), "invalid mock config at "
         "/MockedResponses/R/0/Throw: missing key 'Cause'"),
        (config({"R": {"0": {"Throw": {"Error": 1, "Cause": "c"}}}}), "invalid mock config at "
         "/MockedResponses/R/0/Throw/Error: 'Error' must be a string, got a number"),
        (config({"R": {"0": {"Throw": "E"}}}), "invalid mock config at /MockedResponses/R/0/Throw:"
         " expected an object, got a string"),
    ],
)  # fmt: skip
def test_malformed_configs_name_the_key_path(data: Any, message: str) -> None:
    with pytest.raises(MockError) as info:
        load_mock_config(data)
    assert str(info.value) == message


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    with pytest.raises(MockError, match=r"missing\.json: cannot read the mock config"):
        load_mock_config(missing)
    broken = tmp_path / "broken.json"
    broken.write_text('{"StateMachines": ')
    with pytest.raises(MockError, match=r"broken\.json: the mock config is not JSON: line 1"):
        load_mock_config(broken)
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"MockedResponses": {"R": {"x": {}}}}')
    with pytest.raises(MockError, match=r"^.*wrong\.json:1: invalid mock config at /MockedResponses/R/x"):  # fmt: skip
        load_mock_config(wrong)


def test_ranges_expand_to_one_answer_per_invocation() -> None:
    data = config({"R": {"1-2": {"Throw": {"Error": "E", "Cause": "C"}}, "0": {"Return": "a"}, "3": {"Return": "b"}}})  # fmt: skip
    handler = load_mock_config(data).test_case("M", "T").handler()
    answers = [handler(request(invocation=i)) for i in range(4)]
    assert answers == [
        TaskOutcome(output="a"),
        TaskOutcome(failed=True, error="E", cause="C"),
        TaskOutcome(failed=True, error="E", cause="C"),
        TaskOutcome(output="b"),
    ]
    with pytest.raises(UnmockedTaskError, match="invoked 5 times"):
        handler(request(invocation=4))


def test_unlisted_states_use_the_fallback_or_are_unmocked() -> None:
    case = load_mock_config(config()).test_case("M", "T")
    assert case.handler(lambda r: TaskOutcome(output=r.state_name))(request("Other")) == (
        TaskOutcome(output="Other")
    )
    with pytest.raises(UnmockedTaskError, match="'Other' .* has no mock in test case 'T'"):
        case.handler()(request("Other"))


def test_unknown_machines_and_test_cases() -> None:
    mocks = load_mock_config(config())
    with pytest.raises(MockError, match="no state machine 'N'.*it defines: M"):
        mocks.test_case("N", "T")
    with pytest.raises(MockError, match="no test case 'X'.*it defines: T"):
        mocks.test_case("M", "X")
