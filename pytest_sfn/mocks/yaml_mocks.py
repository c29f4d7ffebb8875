"""Mocks written in YAML (or JSON): the ``mocks:`` sections of scenario files and mock files.

Syntax, per Task state name (states inside Map and Parallel are mocked by their plain name)::

    mocks:
      Validate: {return: {valid: true}}          # one response
      Charge:                                    # one response per invocation, in order
        - throw: {error: Lambda.TooManyRequestsException, cause: slow down}
          times: 2                               # this response for 2 invocations
        - return: {StatusCode: 200, Payload: {charged: true}}
          duration: 3                            # virtual seconds (TimeoutSeconds applies)
        - repeat_last                            # then keep answering with the last one
      Ship:                                      # pick a response by the effective parameters
        - {match: {carrier: ups}, return: {id: U1}}
        - {match: {carrier: dhl}, match_mode: subset, return: {id: D1}, repeat: true}
      Notify:                                    # Step Functions Local style ranges
        "0": {throw: {error: States.Timeout}}
        "1-2": {return: ok}

Response keys: ``return`` (any JSON) or ``throw`` (``{error, cause}`` or just the error
name), ``duration``, ``heartbeats``, ``match``, ``match_mode`` (``subset``/``exact``),
``times``, ``repeat`` (last response only) and ``validate`` (``STRICT``, ``PRESENT`` or
``NONE``: how the result is checked against the integration's output shape). The JSON Schema
(:mod:`pytest_sfn.mocks.schema`) checks the shape; this module checks the rest (range
contiguity, where ``repeat`` may appear, heartbeats within the duration).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pytest_sfn._types import JSON
from pytest_sfn.errors import MockError
from pytest_sfn.mocks.documents import (
    LineMap,
    Problem,
    join_pointer,
    load_yaml_document,
    load_yaml_text,
    raise_problems,
)
from pytest_sfn.mocks.model import NOTHING, MockSet, Response, StateMock
from pytest_sfn.mocks.ranges import expand_ranges, looks_like_range

__all__ = [
    "LineMap",
    "load_mock_file",
    "load_yaml_document",
    "load_yaml_text",
    "mocks_from_yaml",
    "read_mocks",
]

#: The list item that repeats the response before it.
REPEAT_LAST = "repeat_last"


def mocks_from_yaml(
    value: JSON, *, source: str | None = None, lines: LineMap | None = None, pointer: str = ""
) -> MockSet:
    """Build a :class:`~pytest_sfn.mocks.model.MockSet` from a decoded ``mocks`` section.

    Args:
        value: the section: state name -> mock (``None`` is an empty set).
        source: the file it comes from (for messages and origins).
        lines: the file's :class:`LineMap` (from :func:`load_yaml_document`).
        pointer: the JSON pointer of the section in the file (``"/scenarios/0/mocks"``).

    Raises:
        MockError: every problem found, one per line: ``file:line: /pointer: message``.
    """
    from pytest_sfn.mocks.schema import schema_problems

    raise_problems(schema_problems(value, pointer=pointer, definition="mocks"), source, lines)
    mocks, problems = read_mocks(value, source=source, lines=lines, pointer=pointer)
    raise_problems(problems, source, lines)
    return mocks


def load_mock_file(path: str | Path) -> MockSet:
    """Read a YAML or JSON file whose top level is a ``mocks`` section.

    Raises:
        MockError: the file is unreadable or malformed (``file:line: /pointer: message``).
    """
    value, lines = load_yaml_document(path)
    if isinstance(value, Mapping) and {"StateMachines", "MockedResponses"} & value.keys():
        raise MockError(
            f"{path}: this is a Step Functions Local mock configuration; load it with "
            "pytest_sfn.mocks.load_sfn_local_config(path).select('<StateMachine>#<TestCase>')"
        )
    return mocks_from_yaml(value, source=str(path), lines=lines)


def read_mocks(
    value: JSON, *, source: str | None, lines: LineMap | None, pointer: str
) -> tuple[MockSet, list[Problem]]:
    """Convert a schema-valid ``mocks`` section; returns the set and the problems found."""
    reader = _Reader(source, lines or LineMap())
    states: dict[str, StateMock] = {}
    for name, spec in (value or {}).items():
        mock = reader.state(name, spec, join_pointer(pointer, name))
        if mock is not None:
            states[name] = mock
    return MockSet(states, source), reader.problems


class _Reader:
    def __init__(self, source: str | None, lines: LineMap) -> None:
        self.source = source
        self.lines = lines
        self.problems: list[Problem] = []

    def origin(self, pointer: str) -> str:
        return f"{self.lines.where(self.source, pointer)} {pointer}".strip()

    def problem(self, pointer: str, message: str) -> None:
        self.problems.append(Problem(pointer, message))

    def state(self, name: str, spec: Any, pointer: str) -> StateMock | None:
        before = len(self.problems)
        if isinstance(spec, list):
            responses, repeat = self.listed(spec, pointer)
        elif any(looks_like_range(key) for key in spec):
            responses, repeat = self.ranges(spec, pointer)
        else:
            responses, repeat = self.response(spec, pointer), bool(spec.get("repeat", False))
        if len(self.problems) > before or not responses:
            return None
        return StateMock(name, tuple(responses), repeat, self.origin(pointer))

    def listed(self, items: list[Any], pointer: str) -> tuple[list[Response], bool]:
        responses: list[Response] = []
        repeat = False
        last = len(items) - 1
        for index, item in enumerate(items):
            here = join_pointer(pointer, index)
            if item == REPEAT_LAST:
                if index == 0:
                    self.problem(here, "'repeat_last' needs a response before it")
                elif index != last:
                    self.problem(here, "'repeat_last' must be the last item")
                repeat = True
                continue
            if item.get("repeat") and index != last:
                self.problem(
                    join_pointer(here, "repeat"),
                    "only the last response can repeat (move it last, or use times: N)",
                )
            repeat = repeat or bool(item.get("repeat", False))
            responses.extend(self.response(item, here))
        return responses, repeat

    def ranges(self, spec: Mapping[str, Any], pointer: str) -> tuple[list[Response], bool]:
        entries = [
            (key, self.response(body, join_pointer(pointer, key)))
            for key, body in spec.items()
            if key != "repeat"
        ]
        expanded, problems = expand_ranges(entries)
        for key, message in problems:
            self.problem(join_pointer(pointer, key), message)
        return [r for group in expanded for r in group], bool(spec.get("repeat", False))

    def response(self, spec: Mapping[str, Any], pointer: str) -> list[Response]:
        duration = float(spec.get("duration", 0))
        heartbeats = tuple(float(beat) for beat in spec.get("heartbeats", ()))
        late = [(index, beat) for index, beat in enumerate(heartbeats) if beat > duration]
        for index, beat in late:
            self.problem(
                join_pointer(join_pointer(pointer, "heartbeats"), index),
                f"a heartbeat at {beat:g} s comes after the response's duration "
                f"({duration:g} s); set duration to at least {beat:g}",
            )
        if late:
            return []
        throws: tuple[str | None, str | None] | None = None
        if "throw" in spec:
            thrown = spec["throw"]
            throws = (thrown, None) if isinstance(thrown, str) else (
                thrown.get("error"), thrown.get("cause")
            )  # fmt: skip
        try:
            response = Response(
                returns=spec.get("return", NOTHING),
                throws=throws,
                duration=duration,
                heartbeats=heartbeats,
                match=spec.get("match"),
                match_mode=spec.get("match_mode", "subset"),
                origin=self.origin(pointer),
                validate=spec.get("validate"),
            )
        except MockError as exc:  # anything the schema cannot express
            self.problem(pointer, str(exc))
            return []
        return [response] * int(spec.get("times", 1))
