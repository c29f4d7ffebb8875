"""Activity workers: Python callables that answer activity Task states.

An activity Task (``"Resource": "arn:aws:states:<region>:<account>:activity:<name>"``) is
answered by the worker registered for its ARN, ``worker(input) -> output``, with the Task's
effective parameters as ``input``. A worker that raises fails the task the way an activity
worker's ``SendTaskFailure`` would: ``error`` is the exception's class name and ``cause``
its message (a :class:`~pytest_sfn.errors.StatesError` gives its own error and cause).

An activity without a worker goes to the ``fallback`` handler (for instance ``results=``
keyed by state name); with none it is unanswered: ``execute()`` reports it as an unmocked
task, and an execution begun with ``StateMachine.start()`` waits for the test to take and
answer it (``get_activity_task`` / ``send_task_success``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pytest_sfn._types import JSON
from pytest_sfn.engine.ports import TaskHandler, TaskOutcome, TaskRequest
from pytest_sfn.errors import StatesError, UnmockedTaskError, did_you_mean

__all__ = ["ActivityWorker", "ActivityWorkers"]

#: ``worker(input) -> output``: the activity's input is the Task's effective parameters.
ActivityWorker = Callable[[JSON], Any]


class ActivityWorkers:
    """A :class:`~pytest_sfn.engine.ports.TaskHandler` running activity workers in-process.

    Args:
        workers: activity ARN -> ``worker(input) -> output``. A worker may also return a
            :class:`~pytest_sfn.engine.ports.TaskOutcome` (e.g.
            :func:`~pytest_sfn.engine.ports.pending_task` to leave the task waiting).
        fallback: the handler for every other Task (and activities without a worker).

    Attributes:
        calls: every activity request a worker answered, in order.

    Example:
        >>> workers = ActivityWorkers(
        ...     {"arn:aws:states:us-east-1:123456789012:activity:review": lambda doc: {"ok": True}}
        ... )
    """

    __slots__ = ("_fallback", "_workers", "calls")

    def __init__(
        self, workers: Mapping[str, ActivityWorker], *, fallback: TaskHandler | None = None
    ) -> None:
        for arn in workers:
            if ":activity:" not in arn:
                raise ValueError(
                    f"{arn!r} is not an activity ARN "
                    "(arn:aws:states:<region>:<account>:activity:<name>)"
                )
        self._workers = dict(workers)
        self._fallback = fallback
        self.calls: list[TaskRequest] = []

    def __call__(self, request: TaskRequest) -> TaskOutcome:
        worker = (
            self._workers.get(request.resource.arn) if request.resource.kind == "activity" else None
        )
        if worker is None:
            if self._fallback is not None:
                return self._fallback(request)
            raise UnmockedTaskError(self._unanswered(request))
        self.calls.append(request)
        try:
            output = worker(request.parameters)
        except StatesError as exc:
            return TaskOutcome(failed=True, error=exc.error, cause=exc.cause)
        except Exception as exc:  # an activity worker reporting its failure
            return TaskOutcome(failed=True, error=type(exc).__name__, cause=str(exc))
        if isinstance(output, TaskOutcome):
            return output
        return TaskOutcome(output=output)

    def _unanswered(self, request: TaskRequest) -> str:
        known = sorted(self._workers)
        if request.resource.kind == "activity":
            return (
                f"Task state {request.state_name!r} runs activity {request.resource.arn}, which "
                f"has no worker{did_you_mean(request.resource.arn, known)}. Workers exist for: "
                f"{', '.join(known) if known else 'no activity'}"
            )
        return (
            f"Task state {request.state_name!r} (resource {request.resource.arn}) is not an "
            "activity, and ActivityWorkers has no fallback handler to answer it"
        )
