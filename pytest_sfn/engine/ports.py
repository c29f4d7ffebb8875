"""What the engine needs from the outside world: something that answers Task states.

Integrations, mocks and the minimal result provider all implement :class:`TaskHandler`;
the engine never imports a concrete integration.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from pytest_sfn._types import JSON
from pytest_sfn.model.resource import Resource


@dataclass(frozen=True, slots=True)
class TaskRequest:
    """One invocation of a Task state (one attempt).

    Attributes:
        state_name: the Task state's name.
        resource: the parsed ``Resource``.
        parameters: the effective parameters (after InputPath and Parameters/Arguments).
        context: the Context object as the state sees it.
        attempt: 0 for the first call, then 1, 2... for retries of this state visit.
        task_token: the token for ``.waitForTaskToken`` and activity tasks, else ``None``.
        timeout_seconds: the effective task timeout, if any.
        heartbeat_seconds: the effective heartbeat interval, if any.
        invocation: how many times this state name was invoked before in the execution
            (Map iterations share one counter, like Step Functions Local mocks).
    """

    state_name: str
    resource: Resource
    parameters: JSON
    context: JSON
    attempt: int = 0
    task_token: str | None = None
    timeout_seconds: float | None = None
    heartbeat_seconds: float | None = None
    invocation: int = 0


@dataclass(frozen=True, slots=True)
class TaskOutcome:
    """What a Task invocation produced.

    Attributes:
        output: the raw integration result (when not ``failed``).
        failed: whether the task failed with ``error``/``cause``.
        error, cause: the failure (``error`` may be ``None``, as a callback
            ``SendTaskFailure`` without an error name gives).
        duration: virtual seconds the task takes; compared with the task timeout.
        heartbeats: virtual offsets (seconds from start) at which heartbeats arrive.
        submitted: for callback tasks, the initial API response (``TaskSubmitted`` output).
        pending: no answer yet: a ``.waitForTaskToken`` or activity task waits for
            ``SendTaskSuccess``/``SendTaskFailure`` (see :func:`pending_task`). Only an
            execution begun with ``StateMachine.start()`` can wait; ``execute()`` reports
            it as an unmocked task.
    """

    output: JSON = None
    failed: bool = False
    error: str | None = None
    cause: str | None = None
    duration: float = 0.0
    heartbeats: tuple[float, ...] = ()
    submitted: JSON = None
    pending: bool = False


def pending_task(submitted: JSON = None) -> TaskOutcome:
    """The answer "no answer yet": the callback or activity task waits for the test.

    Args:
        submitted: for ``.waitForTaskToken`` tasks, the initial API response recorded in
            the ``TaskSubmitted`` event (``{}`` when ``None``).
    """
    return TaskOutcome(submitted=submitted, pending=True)


@dataclass(frozen=True, slots=True)
class PendingCall:
    """A task invocation that waits for an answer (passed to a :class:`CallbackWaiter`).

    Attributes:
        request: the invocation (its ``task_token`` is set).
        started_at: the virtual time the task started.
        interpreter: the running :class:`~pytest_sfn.engine.run.Interpreter`.
        mark_started: records ``ActivityStarted`` (with the worker name, if any) for an
            activity task a worker picked up; a no-op for other tasks.
    """

    request: TaskRequest
    started_at: datetime
    interpreter: Any
    mark_started: Callable[[str | None], None]


class TaskHandler(Protocol):
    """Answers Task states. Raise :class:`~pytest_sfn.errors.MockError` when unconfigured."""

    def __call__(self, request: TaskRequest) -> TaskOutcome: ...


class CallbackWaiter(Protocol):
    """A task handler that can wait for callbacks (``StateMachine.start()`` installs one).

    ``wait_for_answer`` blocks until the task is answered or times out and returns the
    outcome, with ``duration`` the virtual seconds waited and ``heartbeats`` the offsets of
    the heartbeats received.
    """

    def __call__(self, request: TaskRequest) -> TaskOutcome: ...

    def wait_for_answer(self, call: PendingCall) -> TaskOutcome: ...
