"""What the engine needs from the outside world: something that answers Task states.

Integrations, mocks and the minimal result provider all implement :class:`TaskHandler`;
the engine never imports a concrete integration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

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
    """

    output: JSON = None
    failed: bool = False
    error: str | None = None
    cause: str | None = None
    duration: float = 0.0
    heartbeats: tuple[float, ...] = ()
    submitted: JSON = None


class TaskHandler(Protocol):
    """Answers Task states. Raise :class:`~pytest_sfn.errors.MockError` when unconfigured."""

    def __call__(self, request: TaskRequest) -> TaskOutcome: ...
