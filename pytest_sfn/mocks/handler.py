"""``MockHandler``: answers Task states from a :class:`~pytest_sfn.mocks.model.MockSet`.

Response selection, per Task state name and per execution:

* each invocation (first attempts, retries, loop visits and Map iterations alike) takes the
  first response, in order, that is not used yet and whose ``match`` accepts the effective
  parameters (a response without ``match`` accepts everything). Without ``match`` this is
  Step Functions Local's rule: the n-th invocation gets the n-th response;
* when every accepting response is used: the last accepting one answers again if the state
  mock has ``repeat_last``, else :class:`~pytest_sfn.errors.UnmockedTaskError`;
* a state with no mock: :class:`~pytest_sfn.errors.UnmockedTaskError` listing the mocked
  states, unless the handler is not ``strict`` and has a ``fallback``, which then answers.

A new execution starts every state from its first response again (the engine numbers the
invocations of each state from 0 per execution); :meth:`MockHandler.unused` reports the
responses no execution used.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from pytest_sfn.engine.ports import TaskHandler, TaskOutcome, TaskRequest
from pytest_sfn.errors import MockError, UnmockedTaskError, did_you_mean
from pytest_sfn.mocks.model import MockSet, Response, StateMock

__all__ = ["Answer", "MockHandler"]


@dataclass(frozen=True, slots=True)
class Answer:
    """Who answered one Task invocation.

    Attributes:
        request: the invocation.
        state_mock: the state's mock (``None`` when the fallback answered).
        index: the 0-based index of the response in ``state_mock.responses``.
    """

    request: TaskRequest
    state_mock: StateMock | None = None
    index: int | None = None

    @property
    def response(self) -> Response | None:
        """The response that answered (``None`` when the fallback answered)."""
        if self.state_mock is None or self.index is None:
            return None
        return self.state_mock.responses[self.index]

    def describe(self) -> str:
        """``"Charge response #2 (order.sfn.yaml:14 /mocks/Charge/1): throws E"``."""
        response = self.response
        if response is None or self.index is None:
            return f"{self.request.state_name}: answered by the fallback handler"
        where = f" ({response.origin})" if response.origin else ""
        return f"{self.request.state_name} response #{self.index + 1}{where}: {response.describe()}"


class MockHandler:
    """A :class:`~pytest_sfn.engine.ports.TaskHandler` answering from a mock set.

    Args:
        mocks: the state mocks.
        strict: a Task state without a mock is an error. With ``strict=False`` it goes to
            ``fallback`` (an error still when there is none), like a Step Functions Local
            "hybrid" test case calls the real service.
        fallback: the handler for states without a mock (used only when not ``strict``).

    Attributes:
        calls: every request received, in order (fallback ones included).
        answers: who answered each request (see :class:`Answer`).

    Example:
        >>> from pytest_sfn.mocks import Mocks
        >>> mocks = Mocks()
        >>> _ = mocks.state("Charge").returns({"ok": True})
        >>> handler = MockHandler(mocks.build())
    """

    __slots__ = ("mocks", "strict", "fallback", "calls", "answers", "_used", "_taken")

    def __init__(
        self, mocks: MockSet, *, strict: bool = True, fallback: TaskHandler | None = None
    ) -> None:
        self.mocks = mocks
        self.strict = strict
        self.fallback = fallback
        self.calls: list[TaskRequest] = []
        self.answers: list[Answer] = []
        #: state -> indexes any execution used (for :meth:`unused`).
        self._used: dict[str, set[int]] = {}
        #: state -> per response, whether the current execution used it.
        self._taken: dict[str, list[bool]] = {}

    def __call__(self, request: TaskRequest) -> TaskOutcome:
        """Answer one Task invocation.

        Raises:
            UnmockedTaskError: no mock answers (the message says why and lists the mocks).
        """
        self.calls.append(request)
        mock = self.mocks.states.get(request.state_name)
        if mock is None:
            return self._unmocked(request)
        index = self._select(mock, request)
        self._used.setdefault(mock.state, set()).add(index)
        self.answers.append(Answer(request, mock, index))
        return mock.responses[index].outcome(request)

    def check_states(self, state_names: Iterable[str]) -> None:
        """Check that every mocked state exists (pass every state name, nested ones too).

        Raises:
            MockError: one line per mocked state that is not in ``state_names``, with its
                origin and a "did you mean" suggestion.
        """
        known = list(dict.fromkeys(state_names))
        names = set(known)
        problems = []
        for name, mock in self.mocks.states.items():
            if name not in names:
                # "file:line: /pointer: message", like every other file error.
                where = mock.origin.replace(" /", ": /", 1) + ": " if mock.origin else ""
                problems.append(
                    f"{where}a mock names Task state {name!r}, which is not in the state "
                    f"machine{did_you_mean(name, known)}"
                )
        if problems:
            raise MockError("\n".join(problems))

    def unused(self) -> list[str]:
        """One line per response no execution used, e.g.
        ``"Charge response #3 (order.sfn.yaml:12 /mocks/Charge/2) was never used"``.

        Consecutive unused responses written once (``times:``, ``"1-2"`` ranges) share a line:
        ``"Charge responses #2-#3 (...) were never used"``.
        """
        lines: list[str] = []
        for name, mock in self.mocks.states.items():
            used = self._used.get(name, set())
            start = 0
            while start < len(mock.responses):
                if start in used:
                    start += 1
                    continue
                origin = mock.responses[start].origin
                end = start
                while (
                    end + 1 < len(mock.responses)
                    and end + 1 not in used
                    and mock.responses[end + 1].origin == origin
                    and origin
                ):
                    end += 1
                where = f" ({origin})" if origin else ""
                if end == start:
                    lines.append(f"{name} response #{start + 1}{where} was never used")
                else:
                    lines.append(f"{name} responses #{start + 1}-#{end + 1}{where} were never used")
                start = end + 1
        return lines

    # --- selection ----------------------------------------------------------------------

    def _select(self, mock: StateMock, request: TaskRequest) -> int:
        taken = self._taken.get(mock.state)
        if taken is None or request.invocation == 0:
            taken = self._taken[mock.state] = [False] * len(mock.responses)
        accepting = [
            i for i, response in enumerate(mock.responses) if response.accepts(request.parameters)
        ]
        for index in accepting:
            if not taken[index]:
                taken[index] = True
                return index
        if not accepting:
            raise UnmockedTaskError(_no_match(mock, request))
        if mock.repeat_last:
            return accepting[-1]
        raise UnmockedTaskError(_exhausted(mock, request, len(accepting)))

    def _unmocked(self, request: TaskRequest) -> TaskOutcome:
        if self.fallback is not None and not self.strict:
            self.answers.append(Answer(request))
            return self.fallback(request)
        mocked = sorted(self.mocks.states)
        source = f" in {self.mocks.source}" if self.mocks.source else ""
        listing = f"Mocked states: {', '.join(mocked)}." if mocked else "No state is mocked."
        note = (
            " (a fallback handler exists but only answers when strict=False)"
            if self.fallback is not None
            else ""
        )
        raise UnmockedTaskError(
            f"Task state {request.state_name!r} (resource {request.resource.arn}) has no "
            f"mock{source}{did_you_mean(request.state_name, mocked)}. {listing}{note}"
        )


def _exhausted(mock: StateMock, request: TaskRequest, accepting: int) -> str:
    where = f" ({mock.origin})" if mock.origin else ""
    count = request.invocation + 1
    if any(response.match is not None for response in mock.responses):
        return (
            f"Task state {mock.state!r} was invoked {count} times but only {accepting} of its "
            f"responses match parameters {_json(request.parameters)}{where}"
        )
    return (
        f"Task state {mock.state!r} was invoked {count} times but only {accepting} "
        f"response{'s are' if accepting != 1 else ' is'} mocked{where}"
    )


def _no_match(mock: StateMock, request: TaskRequest) -> str:
    where = f" ({mock.origin})" if mock.origin else ""
    lines = [
        f"Task state {mock.state!r} was invoked with parameters {_json(request.parameters)}, "
        f"which no response of its mock matches{where}:"
    ]
    for index, response in enumerate(mock.responses):
        origin = f" ({response.origin})" if response.origin else ""
        lines.append(f"  #{index + 1}{origin}: {response.describe()}")
    return "\n".join(lines)


def _json(value: object) -> str:
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)
