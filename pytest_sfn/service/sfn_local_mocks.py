"""The AWS Step Functions Local mock configuration (``MockConfigFile.json``).

The format::

    {"StateMachines": {"<machine>": {"TestCases": {"<test case>": {"<Task state>": "<response>"}}}},
     "MockedResponses": {"<response>": {"0": {"Return": <any JSON>},
                                        "1-2": {"Throw": {"Error": "...", "Cause": "..."}}}}}

A test case is chosen by starting an execution of ``<state machine ARN>#<test case>``. Each
invocation of a Task state consumes the next index of its mocked response: retries consume
entries, and Map iterations share one counter per state name. ``Return`` is the raw service
result; ``Throw`` fails the task with ``Error``/``Cause`` (Retry and Catch see it).

:func:`load_mock_config` validates the whole file up front and raises
:class:`~pytest_sfn.errors.MockError` naming the key path of the first problem.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_sfn._types import JSON
from pytest_sfn.engine.ports import TaskHandler, TaskOutcome, TaskRequest
from pytest_sfn.errors import MockError, UnmockedTaskError, did_you_mean

__all__ = ["MockConfig", "MockedResponse", "TestCase", "load_mock_config"]

_RANGE = re.compile(r"^(0|[1-9][0-9]*)(?:-(0|[1-9][0-9]*))?$")


@dataclass(frozen=True, slots=True)
class MockedResponse:
    """One named mocked response: the answer of each invocation index, in order."""

    name: str
    answers: tuple[TaskOutcome, ...]

    def outcome(self, request: TaskRequest, test_case: str) -> TaskOutcome:
        """The answer to the ``request.invocation``-th call of the state.

        Raises:
            UnmockedTaskError: the response defines no entry for that invocation.
        """
        if request.invocation < len(self.answers):
            return self.answers[request.invocation]
        raise UnmockedTaskError(
            f"Task state {request.state_name!r} was invoked {request.invocation + 1} times in "
            f"test case {test_case!r}, but mocked response {self.name!r} only answers "
            f"invocations 0-{len(self.answers) - 1}"
        )


@dataclass(frozen=True, slots=True)
class TestCase:
    """One test case: Task state name -> its mocked response."""

    __test__ = False  # not a pytest test class

    machine: str
    name: str
    responses: Mapping[str, MockedResponse]

    def handler(self, fallback: TaskHandler | None = None) -> TaskHandler:
        """A task handler answering from this test case.

        States the test case does not list (Step Functions Local would call the real
        service: a "hybrid" test case) go to ``fallback``; without one they raise
        :class:`~pytest_sfn.errors.UnmockedTaskError`.
        """

        def answer(request: TaskRequest) -> TaskOutcome:
            response = self.responses.get(request.state_name)
            if response is not None:
                return response.outcome(request, self.name)
            if fallback is not None:
                return fallback(request)
            raise UnmockedTaskError(
                f"Task state {request.state_name!r} has no mocked response in test case "
                f"{self.name!r} of state machine {self.machine!r} (Step Functions Local would "
                f"call the real service){did_you_mean(request.state_name, self.responses)}. "
                "Map it to a mocked response in the mock config, or pass "
                "local_client(results={...}) naming it."
            )

        return answer


@dataclass(frozen=True, slots=True)
class MockConfig:
    """A validated mock configuration."""

    test_cases: Mapping[str, Mapping[str, TestCase]]
    source: str | None = None

    def test_case(self, machine: str, name: str) -> TestCase:
        """The test case ``name`` of state machine ``machine``.

        Raises:
            MockError: no such state machine or test case (the message lists those defined).
        """
        cases = self.test_cases.get(machine)
        if cases is None:
            known = sorted(self.test_cases)
            raise MockError(
                f"the mock config has no state machine {machine!r}{did_you_mean(machine, known)}"
                f"; it defines: {', '.join(known) or 'none'}"
            )
        case = cases.get(name)
        if case is None:
            raise MockError(
                f"state machine {machine!r} has no test case {name!r} in the mock config"
                f"{did_you_mean(name, cases)}; it defines: {', '.join(sorted(cases))}"
            )
        return case


def load_mock_config(config: str | Path | Mapping[str, Any]) -> MockConfig:
    """Read and validate a Step Functions Local mock configuration.

    Args:
        config: a path to ``MockConfigFile.json``, or its decoded content.

    Raises:
        MockError: the file cannot be read or decoded, or its content breaks the format; the
            message names the file and the key path (``MockedResponses/Retry/1-2/Throw``).
    """
    source: str | None = None
    if isinstance(config, (str, Path)):
        source = str(config)
        try:
            data: Any = json.loads(Path(config).read_text(encoding="utf-8"))
        except OSError as exc:
            raise MockError(f"{source}: cannot read the mock config: {exc.strerror}") from None
        except json.JSONDecodeError as exc:
            raise MockError(
                f"{source}: the mock config is not JSON: line {exc.lineno}, column {exc.colno}: "
                f"{exc.msg}"
            ) from None
    else:
        data = config
    return _Reader(source).config(data)


class _Reader:
    def __init__(self, source: str | None) -> None:
        self.source = source

    def error(self, path: tuple[str, ...], problem: str) -> MockError:
        where = "/" + "/".join(path) if path else "the top level"
        prefix = f"{self.source}: " if self.source else ""
        return MockError(f"{prefix}invalid mock config at {where}: {problem}")

    def mapping(self, value: Any, path: tuple[str, ...]) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.error(path, f"expected an object, got {_kind(value)}")
        return value

    def keys(
        self, value: Mapping[str, Any], path: tuple[str, ...], allowed: tuple[str, ...]
    ) -> None:
        for key in value:
            if key not in allowed:
                raise self.error(
                    path, f"unknown key {key!r}{did_you_mean(str(key), allowed)}; expected "
                    + " and ".join(repr(a) for a in allowed)
                )  # fmt: skip

    def config(self, data: Any) -> MockConfig:
        top = self.mapping(data, ())
        self.keys(top, (), ("StateMachines", "MockedResponses"))
        responses = {
            name: self.response(name, body, ("MockedResponses", name))
            for name, body in self.mapping(
                top.get("MockedResponses", {}), ("MockedResponses",)
            ).items()
        }
        machines: dict[str, dict[str, TestCase]] = {}
        for machine, body in self.mapping(top.get("StateMachines", {}), ("StateMachines",)).items():
            path = ("StateMachines", machine)
            self.keys(self.mapping(body, path), path, ("TestCases",))
            if "TestCases" not in body:
                raise self.error(path, "missing key 'TestCases'")
            cases = self.mapping(body["TestCases"], (*path, "TestCases"))
            machines[machine] = {
                case: self.test_case(machine, case, states, responses, (*path, "TestCases", case))
                for case, states in cases.items()
            }
        return MockConfig(machines, self.source)

    def test_case(
        self, machine: str, name: str, states: Any, responses: Mapping[str, MockedResponse],
        path: tuple[str, ...],
    ) -> TestCase:  # fmt: skip
        chosen: dict[str, MockedResponse] = {}
        for state, response in self.mapping(states, path).items():
            if not isinstance(response, str):
                raise self.error(
                    (*path, state), f"expected the name of a mocked response, got {_kind(response)}"
                )
            if response not in responses:
                raise self.error(
                    (*path, state),
                    f"no mocked response named {response!r} in MockedResponses"
                    f"{did_you_mean(response, responses)}",
                )
            chosen[state] = responses[response]
        return TestCase(machine, name, chosen)

    def response(self, name: str, body: Any, path: tuple[str, ...]) -> MockedResponse:
        entries: list[tuple[int, int, TaskOutcome]] = []
        for key, entry in self.mapping(body, path).items():
            match = _RANGE.match(str(key))
            if match is None:
                raise self.error(
                    (*path, str(key)),
                    'invocation keys are an index like "0" or an inclusive range like "1-2"',
                )
            low = int(match.group(1))
            high = int(match.group(2)) if match.group(2) is not None else low
            if high < low:
                raise self.error((*path, str(key)), f"the range {key!r} is empty ({high} < {low})")
            entries.append((low, high, self.entry(entry, (*path, str(key)))))
        entries.sort(key=lambda e: e[0])
        answers: list[TaskOutcome] = []
        for low, high, outcome in entries:
            if low != len(answers):
                expected = f'"{len(answers)}"'
                problem = "overlaps the previous entry" if low < len(answers) else "leaves a gap"
                raise self.error(
                    (*path, f"{low}" if low == high else f"{low}-{high}"),
                    f"invocation indexes must be consecutive from 0: this entry {problem} "
                    f"(the next index expected is {expected})",
                )
            answers.extend([outcome] * (high - low + 1))
        if not answers:
            raise self.error(path, 'a mocked response needs at least the entry "0"')
        return MockedResponse(name, tuple(answers))

    def entry(self, entry: Any, path: tuple[str, ...]) -> TaskOutcome:
        body = self.mapping(entry, path)
        kinds = [k for k in ("Return", "Throw") if k in body]
        self.keys(body, path, ("Return", "Throw"))
        if len(kinds) != 1:
            raise self.error(path, "each entry holds exactly one of 'Return' or 'Throw'")
        if kinds == ["Return"]:
            value: JSON = body["Return"]
            return TaskOutcome(output=value)
        throw = self.mapping(body["Throw"], (*path, "Throw"))
        self.keys(throw, (*path, "Throw"), ("Error", "Cause"))
        for field in ("Error", "Cause"):
            if field not in throw:
                raise self.error((*path, "Throw"), f"missing key {field!r}")
            if not isinstance(throw[field], str):
                raise self.error(
                    (*path, "Throw", field),
                    f"{field!r} must be a string, got {_kind(throw[field])}",
                )
        return TaskOutcome(failed=True, error=throw["Error"], cause=throw["Cause"])


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"
