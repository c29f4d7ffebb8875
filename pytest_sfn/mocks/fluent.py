"""``Mocks``: build mocks in Python, one chained call per response.

Example:
    >>> from pytest_sfn.mocks import Mocks
    >>> mocks = Mocks()
    >>> _ = mocks.state("Charge").throws("Lambda.TooManyRequestsException").then_returns(
    ...     {"Payload": {"charged": True}}, duration=2
    ... )
    >>> _ = mocks.state("Ship").when({"carrier": "ups"}).returns({"id": "U1"}).repeat_last()
    >>> sorted(mocks.build().states)
    ['Charge', 'Ship']

Each response records the file and line that added it, so unused responses and errors point
at the test code.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from typing import Any

from pytest_sfn._types import JSON
from pytest_sfn.engine.ports import TaskHandler, TaskRequest
from pytest_sfn.errors import MockError
from pytest_sfn.mocks.handler import MockHandler
from pytest_sfn.mocks.model import MockSet, Response, StateMock

__all__ = ["Mocks", "StateMockBuilder"]

_HERE = os.path.normcase(os.path.abspath(__file__))


def _caller() -> str:
    """``file:line`` of the first frame outside this module (the user's call)."""
    frame = sys._getframe(1)
    while frame is not None and os.path.normcase(os.path.abspath(frame.f_code.co_filename)) == (
        _HERE
    ):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:  # pragma: no cover - always called from somewhere
        return ""
    filename = frame.f_code.co_filename
    try:
        relative = os.path.relpath(filename)
        filename = relative if not relative.startswith("..") else filename
    except ValueError:  # another drive on Windows
        pass
    return f"{filename}:{frame.f_lineno}"


class StateMockBuilder:
    """The responses of one Task state, added in invocation order.

    Obtain one with :meth:`Mocks.state`; every method returns the builder, for chaining.
    """

    __slots__ = ("name", "origin", "_responses", "_repeat", "_when")

    def __init__(self, name: str, origin: str = "") -> None:
        self.name = name
        self.origin = origin
        self._responses: list[Response] = []
        self._repeat = False
        self._when: tuple[JSON, str] | None = None

    def __repr__(self) -> str:
        return f"<StateMockBuilder {self.name!r}: {len(self._responses)} responses>"

    def _add(self, times: int, **fields: Any) -> StateMockBuilder:
        if self._repeat:
            raise MockError(
                f"mocks.state({self.name!r}): no response can follow .repeat_last() ({_caller()})"
            )
        if not isinstance(times, int) or times < 1:
            raise MockError(f"mocks.state({self.name!r}): times must be at least 1, not {times!r}")
        if self._when is not None:
            fields["match"], fields["match_mode"] = self._when
            self._when = None
        response = Response(origin=_caller(), **fields)
        self._responses.extend([response] * times)
        return self

    def returns(
        self, value: JSON, *, duration: float = 0.0, heartbeats: Iterable[float] = (),
        times: int = 1,
    ) -> StateMockBuilder:  # fmt: skip
        """Add a response returning ``value`` (the raw integration result).

        Args:
            value: any JSON value (for ``lambda:invoke``, the Invoke response with ``Payload``).
            duration: virtual seconds the task takes (``TimeoutSeconds`` applies).
            heartbeats: virtual offsets at which the task sends heartbeats.
            times: how many consecutive invocations get this response.
        """
        return self._add(times, returns=value, duration=duration, heartbeats=tuple(heartbeats))

    def throws(
        self, error: str | None, cause: str | None = None, *, duration: float = 0.0,
        heartbeats: Iterable[float] = (), times: int = 1,
    ) -> StateMockBuilder:  # fmt: skip
        """Add a response failing the task with ``error`` and ``cause`` (Retry/Catch see it)."""
        return self._add(
            times, throws=(error, cause), duration=duration, heartbeats=tuple(heartbeats)
        )

    def computed(
        self, fn: Callable[[TaskRequest], Any], *, duration: float = 0.0,
        heartbeats: Iterable[float] = (), times: int = 1,
    ) -> StateMockBuilder:  # fmt: skip
        """Add a response computed by ``fn(request)`` (see :class:`~pytest_sfn.mocks.Response`)."""
        if not callable(fn):
            raise MockError(f"mocks.state({self.name!r}).computed() needs a callable, not {fn!r}")
        return self._add(times, compute=fn, duration=duration, heartbeats=tuple(heartbeats))

    #: Same as :meth:`returns`; reads well after the first response.
    then_returns = returns
    #: Same as :meth:`throws`; reads well after the first response.
    then_throws = throws
    #: Same as :meth:`computed`.
    then_computed = computed

    def when(self, match: JSON, mode: str = "subset") -> StateMockBuilder:
        """Make the *next* response answer only invocations whose parameters match.

        Args:
            match: the expected parameters (see :mod:`pytest_sfn.mocks.matching`).
            mode: ``"subset"`` (default) or ``"exact"``.
        """
        if mode not in ("subset", "exact"):
            raise MockError(f"match mode must be 'subset' or 'exact', not {mode!r}")
        if self._when is not None:
            raise MockError(
                f"mocks.state({self.name!r}): .when() twice in a row; add a response in between"
            )
        self._when = (match, mode)
        return self

    def repeat_last(self) -> StateMockBuilder:
        """Keep answering with the last response once every response is used."""
        if not self._responses:
            raise MockError(
                f"mocks.state({self.name!r}).repeat_last() needs a response before it ({_caller()})"
            )
        self._repeat = True
        return self

    def build(self) -> StateMock:
        """The :class:`~pytest_sfn.mocks.StateMock`.

        Raises:
            MockError: no response was added, or a ``.when()`` has no response after it.
        """
        where = f" ({self.origin})" if self.origin else ""
        if self._when is not None:
            raise MockError(
                f"mocks.state({self.name!r}).when(...) is not followed by a response{where}"
            )
        if not self._responses:
            raise MockError(
                f"mocks.state({self.name!r}) has no responses{where}: add .returns(...) or "
                ".throws(...)"
            )
        return StateMock(self.name, tuple(self._responses), self._repeat, self.origin)


class Mocks:
    """A mutable collection of state mocks, built into a :class:`~pytest_sfn.mocks.MockSet`.

    ``mocks.state(name)`` returns the same builder every time for one name, so responses can
    be added from several places (a fixture, then the test).
    """

    __slots__ = ("_states",)

    def __init__(self) -> None:
        self._states: dict[str, StateMockBuilder] = {}

    def __repr__(self) -> str:
        return f"<Mocks {sorted(self._states)}>"

    def __contains__(self, name: object) -> bool:
        return name in self._states

    def __len__(self) -> int:
        return len(self._states)

    def state(self, name: str) -> StateMockBuilder:
        """The builder of Task state ``name`` (created on first use)."""
        if not isinstance(name, str) or not name:
            raise MockError(f"mocks.state() needs a state name, not {name!r}")
        builder = self._states.get(name)
        if builder is None:
            builder = self._states[name] = StateMockBuilder(name, _caller())
        return builder

    def build(self) -> MockSet:
        """The :class:`~pytest_sfn.mocks.MockSet` of every state added so far.

        Raises:
            MockError: a state has no response (see :meth:`StateMockBuilder.build`).
        """
        return MockSet({name: builder.build() for name, builder in self._states.items()})

    def handler(self, *, strict: bool = True, fallback: TaskHandler | None = None) -> MockHandler:
        """A :class:`~pytest_sfn.mocks.MockHandler` over :meth:`build` (``execute(tasks=...)``)."""
        return MockHandler(self.build(), strict=strict, fallback=fallback)
