"""``SfnHarness``: what the ``sfn`` fixture returns.

Loads definitions relative to the test file (cached for the session), executes them with
the marker's defaults and keeps every execution of the test in :attr:`SfnHarness.executions`.
Errors the user must fix (an invalid definition, a Task without a result) are re-raised
without the engine's internal frames, so the failure shows the test line and the message.
"""

from __future__ import annotations

import os
from collections.abc import Hashable, MutableMapping
from pathlib import Path
from typing import Any

from pytest_sfn._types import JSON
from pytest_sfn.engine.execution import Execution
from pytest_sfn.errors import DefinitionError, MockError
from pytest_sfn.machine import NO_INPUT, StateMachine
from pytest_sfn.plugin.options import SfnOptions

__all__ = ["DefinitionCache", "SfnHarness"]

#: Session-wide cache: (absolute path, sorted load kwargs) -> loaded machine.
DefinitionCache = MutableMapping[tuple[str, Hashable], StateMachine]


class SfnHarness:
    """Load and execute state machines from a test; returned by the ``sfn`` fixture.

    Do not build one yourself: request the ``sfn`` fixture.

    Attributes:
        executions: every execution run through this harness in the current test, in order.
        options: the merged ``@pytest.mark.sfn`` defaults of the test.
    """

    def __init__(
        self,
        *,
        base_dir: Path,
        options: SfnOptions,
        cache: DefinitionCache | None = None,
        _ispytest: bool = False,
    ) -> None:
        self._base_dir = base_dir
        self._cache: DefinitionCache = {} if cache is None else cache
        self.options = options
        self.executions: list[Execution] = []

    def __repr__(self) -> str:
        return f"<SfnHarness base_dir={str(self._base_dir)!r} executions={len(self.executions)}>"

    def resolve(self, path: str | os.PathLike[str]) -> Path:
        """``path`` made absolute: a relative path is taken from the test file's directory."""
        candidate = Path(path).expanduser()
        if not candidate.is_absolute():
            candidate = self._base_dir / candidate
        return candidate.resolve()

    def load(self, path: str | os.PathLike[str], **kwargs: Any) -> StateMachine:
        """Load (and validate) the state machine in ``path``.

        A relative ``path`` is resolved against the directory of the test file. The loaded
        machine is cached for the session per absolute path and ``kwargs``.

        Args:
            path: a ``.json``, ``.asl.json``, ``.yaml`` or ``.asl.yaml`` definition file.
            **kwargs: passed to :meth:`StateMachine.from_file` (``name``, ``type``,
                ``region``, ``account``, ``role_arn``).

        Raises:
            DefinitionError: the definition is invalid; the message names the file, every
                JSON pointer and what is wrong.
        """
        __tracebackhide__ = True
        absolute = self.resolve(path)
        key = (str(absolute), tuple(sorted(kwargs.items())))
        if key in self._cache:
            return self._cache[key]
        try:
            machine = StateMachine.from_file(absolute, **kwargs)
        except DefinitionError as exc:
            # Drop the parser's frames: the message already says where the problem is.
            raise exc.with_traceback(None) from None
        self._cache[key] = machine
        return machine

    def execute(
        self,
        path_or_machine: Any = None,
        input: JSON = NO_INPUT,
        **execute_kwargs: Any,
    ) -> Execution:
        """Execute a state machine and remember the execution.

        ``path_or_machine`` is a :class:`StateMachine` or a definition path (``str`` or
        :class:`os.PathLike`, loaded with :meth:`load`). It may be left out when the test's
        ``@pytest.mark.sfn(definition=...)`` names one; then a first positional argument
        that is not a ``str``, path or ``StateMachine`` is taken as the input, so
        ``sfn.execute({"orderId": "o-1"})`` works. (To give a string input with the
        marker's definition, pass ``input="..."``.)

        The marker's ``results`` are the defaults: ``results=`` given here are merged over
        them, state by state. With ``tasks=`` the marker's results are not used.

        Args:
            path_or_machine: what to run (see above).
            input: the execution input (default ``{}``).
            **execute_kwargs: passed to :meth:`StateMachine.execute` (``results``,
                ``tasks``, ``name``, ``seed``, ``start_time``, ``history_limit``,
                ``redrive_count``, ``mock_errors``).

        Raises:
            DefinitionError: the definition is invalid.
            MockError: a Task state ran without a result (``UnmockedTaskError``), or an
                answer was malformed.
            ValueError: nothing to run (no path given and no marker definition).
        """
        __tracebackhide__ = True
        machine, value = self._what_to_run(path_or_machine, input)
        if "tasks" not in execute_kwargs or execute_kwargs["tasks"] is None:
            results = execute_kwargs.pop("results", None) or {}
            execute_kwargs["results"] = {**self.options.results, **results}
        try:
            execution = machine.execute(value, **execute_kwargs)
        except MockError as exc:
            raise exc.with_traceback(None) from None
        self.executions.append(execution)
        return execution

    def _what_to_run(self, target: Any, input: JSON) -> tuple[StateMachine, JSON]:
        __tracebackhide__ = True
        if isinstance(target, StateMachine):
            machine = target
        elif isinstance(target, (str, os.PathLike)):
            machine = self.load(target)
        else:
            if target is not None:
                if input is not NO_INPUT:
                    raise TypeError(
                        "sfn.execute(path_or_machine, input): the first argument must be a "
                        f"StateMachine or a definition path, not {type(target).__name__}"
                    )
                input = target
            if self.options.definition is None:
                raise ValueError(
                    "sfn.execute() needs a state machine: pass a StateMachine or a definition "
                    "path, or mark the test with @pytest.mark.sfn(definition='...')"
                )
            machine = self.load(self.options.definition)
        return machine, input
