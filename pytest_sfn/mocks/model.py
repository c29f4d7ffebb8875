"""The one mock model every front end builds: YAML files, Step Functions Local, the fluent API.

* :class:`Response`: one answer of a Task state (a raw result, an error, or a callable),
  optionally taking virtual time, sending heartbeats, and only accepting some parameters.
* :class:`StateMock`: the ordered responses of one Task state name (states inside Map
  iterations and Parallel branches are mocked by their plain name).
* :class:`MockSet`: the state mocks of a test, by state name.

How a :class:`~pytest_sfn.mocks.handler.MockHandler` picks a response is described there.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from pytest_sfn._types import JSON
from pytest_sfn.engine.ports import TaskOutcome, TaskRequest
from pytest_sfn.errors import MockError, StatesError
from pytest_sfn.mocks.matching import MATCH_MODES, matches
from pytest_sfn.mocks.results import outcome_of

__all__ = ["NOTHING", "VALIDATION_MODES", "MockSet", "Response", "StateMock"]

#: How mock results are checked against the integration's output shape: ``STRICT`` (required
#: fields present, types conform), ``PRESENT`` (only the fields given are checked) or
#: ``NONE`` (no check), as AWS TestState's ``fieldValidationMode``.
VALIDATION_MODES = ("STRICT", "PRESENT", "NONE")


class _Nothing:
    """The type of :data:`NOTHING`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NOTHING"

    def __reduce__(self) -> str:
        return "NOTHING"


#: Marks "no ``returns`` value" (``None`` is the JSON result ``null``).
NOTHING: Final[Any] = _Nothing()


@dataclass(frozen=True, slots=True)
class Response:
    """One answer of a Task state.

    Exactly one of ``returns``, ``throws`` and ``compute`` is given.

    Attributes:
        returns: the raw integration result (for ``lambda:invoke``, the whole Invoke response
            with ``Payload``; ResultSelector/ResultPath/OutputPath apply as on AWS).
        throws: ``(error, cause)``: the task fails; Retry and Catch match on ``error``.
        duration: virtual seconds the task takes (``TimeoutSeconds`` fires when exceeded).
        heartbeats: virtual offsets (seconds from the start, at most ``duration``) at which
            the task sends a heartbeat (``HeartbeatSeconds`` fires on a longer gap).
        match: when given, the response only answers invocations whose effective parameters
            match it (see :mod:`pytest_sfn.mocks.matching`).
        match_mode: ``"subset"`` (default) or ``"exact"``.
        compute: a callable ``(TaskRequest) -> answer``; the answer is a JSON result, a
            :class:`~pytest_sfn.Return`, a :class:`~pytest_sfn.Throw`, a
            :class:`~pytest_sfn.TaskOutcome` or a :class:`~pytest_sfn.StatesError` (returned
            or raised). A plain result takes this response's ``duration`` and ``heartbeats``.
        origin: where the response was written, for messages
            (``"order.sfn.yaml:12 /scenarios/0/mocks/Charge/1"``).
        validate: how a result is checked against the integration's output shape
            (``"STRICT"``, ``"PRESENT"`` or ``"NONE"``); ``None`` uses the test's setting.

    Raises:
        MockError: the fields contradict each other.
    """

    returns: JSON = NOTHING
    throws: tuple[str | None, str | None] | None = None
    duration: float = 0.0
    heartbeats: tuple[float, ...] = ()
    match: JSON | None = None
    match_mode: str = "subset"
    compute: Callable[[TaskRequest], Any] | None = None
    origin: str = ""
    validate: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.throws, list):
            object.__setattr__(self, "throws", tuple(self.throws))
        if not isinstance(self.heartbeats, tuple):
            object.__setattr__(self, "heartbeats", tuple(self.heartbeats))
        answers = [
            name
            for name, given in (
                ("returns", self.returns is not NOTHING),
                ("throws", self.throws is not None),
                ("compute", self.compute is not None),
            )
            if given
        ]
        where = f" ({self.origin})" if self.origin else ""
        if len(answers) != 1:
            found = " and ".join(answers) if answers else "none"
            raise MockError(
                f"a mock response needs exactly one of returns, throws or compute, got "
                f"{found}{where}"
            )
        if self.throws is not None and (
            not isinstance(self.throws, tuple) or len(self.throws) != 2
        ):
            raise MockError(f"throws must be an (error, cause) pair, got {self.throws!r}{where}")
        if self.validate is not None and self.validate not in VALIDATION_MODES:
            raise MockError(
                f"validate must be one of {', '.join(VALIDATION_MODES)}, not "
                f"{self.validate!r}{where}"
            )
        if self.match_mode not in MATCH_MODES:
            raise MockError(
                f"match_mode must be 'subset' or 'exact', not {self.match_mode!r}{where}"
            )
        if self.duration < 0:
            raise MockError(f"duration must be at least 0 seconds, got {self.duration}{where}")
        for beat in self.heartbeats:
            if not 0 <= beat <= self.duration:
                raise MockError(
                    f"heartbeat at {beat} s must lie within the response's duration "
                    f"(0 to {self.duration} s){where}"
                )

    def accepts(self, parameters: JSON) -> bool:
        """Whether this response may answer an invocation with these effective parameters."""
        return self.match is None or matches(self.match, parameters, self.match_mode)

    def outcome(self, request: TaskRequest) -> TaskOutcome:
        """The :class:`~pytest_sfn.TaskOutcome` this response gives ``request``."""
        if self.throws is not None:
            error, cause = self.throws
            return TaskOutcome(
                failed=True, error=error, cause=cause, duration=self.duration,
                heartbeats=self.heartbeats,
            )  # fmt: skip
        if self.compute is not None:
            try:
                answer = self.compute(request)
            except StatesError as exc:
                answer = exc
            if _is_plain(answer):
                return TaskOutcome(
                    output=answer, duration=self.duration, heartbeats=self.heartbeats
                )
            return outcome_of(answer, request)
        return TaskOutcome(output=self.returns, duration=self.duration, heartbeats=self.heartbeats)

    def describe(self) -> str:
        """A short human description: ``returns {...}``, ``throws Lambda.X`` or ``computed``."""
        if self.throws is not None:
            error, cause = self.throws
            text = f"throws {error}" + (f" ({cause})" if cause else "")
        elif self.compute is not None:
            text = f"computed by {getattr(self.compute, '__qualname__', repr(self.compute))}"
        else:
            text = f"returns {_short(self.returns)}"
        if self.match is not None:
            text += f" when parameters match {_short(self.match)} ({self.match_mode})"
        return text


def _is_plain(answer: Any) -> bool:
    """A JSON result rather than an answer object with its own options."""
    return isinstance(answer, (dict, list, str, int, float, bool)) or answer is None


def _short(value: JSON, limit: int = 80) -> str:
    try:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True, slots=True)
class StateMock:
    """The responses of one Task state, consumed one per invocation.

    Attributes:
        state: the Task state's name.
        responses: the responses, in order.
        repeat_last: once every response is used, repeat the last one (instead of failing
            with :class:`~pytest_sfn.errors.UnmockedTaskError`).
        origin: where the mock was written, for messages.

    Raises:
        MockError: no responses.
    """

    state: str
    responses: tuple[Response, ...]
    repeat_last: bool = False
    origin: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.responses, tuple):
            object.__setattr__(self, "responses", tuple(self.responses))
        if not self.responses:
            where = f" ({self.origin})" if self.origin else ""
            raise MockError(f"the mock of Task state {self.state!r} has no responses{where}")
        for response in self.responses:
            if not isinstance(response, Response):
                raise MockError(
                    f"the mock of Task state {self.state!r} holds {response!r}, not a Response"
                )


@dataclass(frozen=True, slots=True)
class MockSet:
    """The state mocks of a test, by Task state name.

    Attributes:
        states: state name -> :class:`StateMock` (read-only).
        source: where the mocks come from, for messages (a file, or a Step Functions Local
            test case).
    """

    states: Mapping[str, StateMock] = field(default_factory=dict)
    source: str | None = None

    def __post_init__(self) -> None:
        for name, mock in self.states.items():
            if mock.state != name:
                raise MockError(f"MockSet key {name!r} holds the mock of state {mock.state!r}")
        object.__setattr__(self, "states", dict(self.states))  # a private copy

    def merged(self, other: MockSet) -> MockSet:
        """This set with the states of ``other`` added; ``other`` wins per state name."""
        return MockSet({**self.states, **other.states}, other.source or self.source)
