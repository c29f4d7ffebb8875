"""The AWS Step Functions Local mock configuration (``MockConfigFile.json``).

The format::

    {"StateMachines": {"<machine>": {"TestCases": {"<test case>": {"<Task state>": "<response>"}}}},
     "MockedResponses": {"<response>": {"0": {"Return": <any JSON>},
                                        "1-2": {"Throw": {"Error": "...", "Cause": "..."}}}}}

A test case is chosen by starting ``<state machine ARN>#<test case>`` (or here, with
:meth:`SfnLocalConfig.select`). Each invocation of a Task state consumes the next index of
its mocked response: retries consume entries, and Map iterations share one counter per state
name. ``Return`` is the raw service result; ``Throw`` fails the task with ``Error``/``Cause``.
States a test case does not list call the real service in Step Functions Local (a "hybrid"
test case); here they go to a fallback handler.

:func:`load_sfn_local_config` validates the whole file up front (invocation keys consecutive
from ``"0"``, exactly one of ``Return``/``Throw``, string ``Error`` and ``Cause``, every
referenced response defined) and raises :class:`~pytest_sfn.errors.MockError` naming
``file:line`` and the key path of the problem.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_sfn._types import JSON
from pytest_sfn.engine.ports import TaskHandler
from pytest_sfn.errors import MockError, did_you_mean
from pytest_sfn.mocks.documents import LineMap, join_pointer, line_map_of
from pytest_sfn.mocks.handler import MockHandler
from pytest_sfn.mocks.model import MockSet, Response, StateMock
from pytest_sfn.mocks.ranges import KEY_HINT, expand_ranges, parse_range

__all__ = [
    "MockedResponse",
    "SfnLocalConfig",
    "SfnLocalTestCase",
    "load_sfn_local_config",
    "split_test_case",
]


@dataclass(frozen=True, slots=True)
class MockedResponse:
    """One entry of ``MockedResponses``: the response of each invocation index, in order."""

    name: str
    responses: tuple[Response, ...]
    origin: str = ""


@dataclass(frozen=True, slots=True)
class SfnLocalTestCase(MockSet):
    """One test case of a state machine: a :class:`~pytest_sfn.mocks.model.MockSet`.

    Attributes:
        machine: the state machine name.
        name: the test case name.
    """

    __test__ = False  # not a pytest test class

    machine: str = ""
    name: str = ""

    def handler(self, fallback: TaskHandler | None = None) -> MockHandler:
        """A task handler answering from this test case.

        States the test case does not list (Step Functions Local would call the real
        service) go to ``fallback``; without one they raise
        :class:`~pytest_sfn.errors.UnmockedTaskError`.
        """
        return MockHandler(self, strict=False, fallback=fallback)


@dataclass(frozen=True, slots=True)
class SfnLocalConfig:
    """A validated Step Functions Local mock configuration.

    Attributes:
        test_cases: machine -> test case -> Task state -> mocked response name.
        responses: the ``MockedResponses``, by name.
        source: the file it was read from, if any.
    """

    test_cases: Mapping[str, Mapping[str, Mapping[str, str]]]
    responses: Mapping[str, MockedResponse]
    source: str | None = None

    def test_case(self, machine: str, name: str) -> SfnLocalTestCase:
        """The mocks of test case ``name`` of state machine ``machine``.

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
        states = {}
        for state, response_name in case.items():
            response = self.responses[response_name]
            origin = f"{response.origin}, used by test case {name!r}".lstrip(", ")
            states[state] = StateMock(state, response.responses, origin=origin)
        where = f" in {self.source}" if self.source else ""
        label = f"test case {name!r} of state machine {machine!r}{where}"
        return SfnLocalTestCase(states, label, machine=machine, name=name)

    def select(self, spec: str) -> SfnLocalTestCase:
        """The test case named ``"<machine>#<test case>"`` or ``"<state machine ARN>#<case>"``.

        Raises:
            MockError: no ``#<test case>`` suffix, or no such machine or test case.
        """
        machine, case = split_test_case(spec)
        if case is None:
            raise MockError(
                f"{spec!r} names no test case: write '<StateMachine>#<TestCase>', as in "
                "Step Functions Local's StartExecution"
            )
        return self.test_case(machine, case)


def split_test_case(spec: str) -> tuple[str, str | None]:
    """``"arn:...:stateMachine:Order#Happy"`` or ``"Order#Happy"`` -> ``("Order", "Happy")``."""
    target, hashed, case = spec.partition("#")
    if target.startswith("arn:") and ":stateMachine:" in target:
        target = target.split(":stateMachine:", 1)[1].split(":", 1)[0]
    return target, (case if hashed else None)


def load_sfn_local_config(config: str | Path | Mapping[str, Any]) -> SfnLocalConfig:
    """Read and validate a Step Functions Local mock configuration.

    Args:
        config: a path to ``MockConfigFile.json``, or its decoded content.

    Raises:
        MockError: the file cannot be read or decoded, or its content breaks the format; the
            message names ``file:line`` and the key path (``/MockedResponses/Retry/1-2/Throw``).
    """
    source: str | None = None
    lines = LineMap()
    if isinstance(config, (str, Path)):
        source = str(config)
        try:
            text = Path(config).read_text(encoding="utf-8")
        except OSError as exc:
            raise MockError(f"{source}: cannot read the mock config: {exc.strerror}") from None
        try:
            data: Any = json.loads(text)
        except json.JSONDecodeError as exc:
            raise MockError(
                f"{source}: the mock config is not JSON: line {exc.lineno}, column {exc.colno}: "
                f"{exc.msg}"
            ) from None
        lines = line_map_of(text)
    else:
        data = config
    return _Reader(source, lines).config(data)


class _Reader:
    def __init__(self, source: str | None, lines: LineMap) -> None:
        self.source = source
        self.lines = lines

    def pointer(self, path: tuple[str, ...]) -> str:
        pointer = ""
        for part in path:
            pointer = join_pointer(pointer, part)
        return pointer

    def error(self, path: tuple[str, ...], problem: str) -> MockError:
        where = self.pointer(path) if path else "the top level"
        prefix = f"{self.lines.where(self.source, self.pointer(path))}: " if self.source else ""
        return MockError(f"{prefix}invalid mock config at {where}: {problem}")

    def origin(self, path: tuple[str, ...]) -> str:
        pointer = self.pointer(path)
        return f"{self.lines.where(self.source, pointer)} {pointer}".strip()

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
                    path,
                    f"unknown key {key!r}{did_you_mean(str(key), allowed)}; expected "
                    + " and ".join(repr(a) for a in allowed),
                )

    def config(self, data: Any) -> SfnLocalConfig:
        top = self.mapping(data, ())
        self.keys(top, (), ("StateMachines", "MockedResponses"))
        raw = self.mapping(top.get("MockedResponses", {}), ("MockedResponses",))
        responses = {
            name: self.response(name, body, ("MockedResponses", name)) for name, body in raw.items()
        }
        machines: dict[str, Mapping[str, Mapping[str, str]]] = {}
        for machine, body in self.mapping(top.get("StateMachines", {}), ("StateMachines",)).items():
            path = ("StateMachines", machine)
            self.keys(self.mapping(body, path), path, ("TestCases",))
            if "TestCases" not in body:
                raise self.error(path, "missing key 'TestCases'")
            cases = self.mapping(body["TestCases"], (*path, "TestCases"))
            machines[machine] = {
                case: self.test_case(states, responses, (*path, "TestCases", case))
                for case, states in cases.items()
            }
        return SfnLocalConfig(machines, responses, self.source)

    def test_case(
        self, states: Any, responses: Mapping[str, MockedResponse], path: tuple[str, ...]
    ) -> Mapping[str, str]:
        chosen: dict[str, str] = {}
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
            chosen[state] = response
        return chosen

    def response(self, name: str, body: Any, path: tuple[str, ...]) -> MockedResponse:
        entries = []
        for key, entry in self.mapping(body, path).items():
            if parse_range(str(key)) is None:
                raise self.error((*path, str(key)), KEY_HINT)
            entries.append((str(key), self.entry(entry, (*path, str(key)))))
        answers, problems = expand_ranges(entries)
        if problems:
            key, message = problems[0]
            raise self.error((*path, key), message)
        if not answers:
            raise self.error(path, 'a mocked response needs at least the entry "0"')
        return MockedResponse(name, tuple(answers), self.origin(path))

    def entry(self, entry: Any, path: tuple[str, ...]) -> Response:
        body = self.mapping(entry, path)
        kinds = [k for k in ("Return", "Throw") if k in body]
        self.keys(body, path, ("Return", "Throw"))
        if len(kinds) != 1:
            raise self.error(path, "each entry holds exactly one of 'Return' or 'Throw'")
        origin = self.origin(path)
        if kinds == ["Return"]:
            value: JSON = body["Return"]
            return Response(returns=value, origin=origin)
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
        return Response(throws=(throw["Error"], throw["Cause"]), origin=origin)


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
