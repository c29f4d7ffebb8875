"""Fibers: Parallel branches and Map iterations of a started execution that wait together.

An execution begun with :meth:`StateMachine.start() <pytest_sfn.machine.StateMachine.start>`
runs each Parallel branch and inline Map iteration as a *fiber*: a thread that runs only
when handed control (strict hand-off, so runs stay deterministic). A fiber runs its branch
until the branch ends or a Task waits for a callback; then control passes back to the
Parallel/Map (the *driver*), which starts the next branch or iteration. When every child is
done or parked, the driver parks too and control goes back to the test. Answering a token
resumes exactly the fiber that waits for it.

``execute()`` never uses fibers: its task handler has no :class:`Scheduler`.

Hand-off rules (greenlet-like):

* :meth:`Scheduler.call` runs a child until it parks or finishes, then returns to the caller.
* :meth:`Scheduler.park` returns control to whoever resumed the fiber.
* A finishing fiber passes control to its driver; if someone else (the test) had resumed
  it, the driver returns to that someone when it parks again.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pytest_sfn._types import JSON
from pytest_sfn.engine.clock import DeadlineReached
from pytest_sfn.engine.failure import GraphFailure
from pytest_sfn.engine.runtime import Progress, Thread, child_error
from pytest_sfn.errors import StatesError

__all__ = ["BranchAborted", "Cancel", "Child", "Driven", "Fiber", "Scheduler", "drive", "fibers_of"]


class BranchAborted(DeadlineReached):
    """A sibling branch or iteration failed: this one stops (``...StateAborted`` events)."""


class _Unwound(DeadlineReached):
    """Unwinds a fiber without events (the run ends with an error of the test)."""


@dataclass(frozen=True, slots=True)
class Cancel:
    """The message that ends a parked fiber; ``reason`` is why its siblings stop."""

    reason: BaseException

    def exception(self) -> DeadlineReached:
        """The exception the parked fiber unwinds with."""
        reason = self.reason
        if isinstance(reason, (GraphFailure, StatesError, BranchAborted)):
            return BranchAborted()
        if isinstance(reason, DeadlineReached) and not isinstance(reason, _Unwound):
            from pytest_sfn.engine.run import ExecutionStopped

            if isinstance(reason, ExecutionStopped):
                return ExecutionStopped(reason.error, reason.cause)
            return DeadlineReached()
        return _Unwound()


class Fiber:
    """One thread of a started execution (the root, a branch or an iteration)."""

    __slots__ = ("label", "parent", "return_to", "gate", "inbox", "thread", "contexts")

    def __init__(self, label: str, parent: Fiber | None) -> None:
        self.label = label
        self.parent = parent
        self.return_to: Fiber | None = None
        self.gate = threading.Semaphore(0)
        self.inbox: Any = None
        self.thread: threading.Thread | None = None
        #: ``(enter, leave)`` pairs re-applied whenever the fiber runs again (see
        #: :meth:`Scheduler.context`).
        self.contexts: list[tuple[Callable[[], None], Callable[[], None]]] = []


class Scheduler:
    """Strict hand-off between the test (:attr:`caller`) and the fibers of one execution."""

    def __init__(self) -> None:
        self.caller = Fiber("caller", None)
        self.current = self.caller
        self.threads: list[threading.Thread] = []

    def spawn(self, body: Callable[[Any], None], label: str, parent: Fiber | None) -> Fiber:
        """A new fiber that runs ``body(first_message)`` once resumed (never raises)."""
        fiber = Fiber(label, parent)

        def run() -> None:
            fiber.gate.acquire()
            message, fiber.inbox = fiber.inbox, None
            try:
                body(message)
            finally:
                self._exit(fiber)

        name = f"pytest-sfn execution {label}".rstrip()
        thread = threading.Thread(target=run, name=name, daemon=True)
        fiber.thread = thread
        if len(self.threads) >= 64:
            self.threads = [t for t in self.threads if t.is_alive()]
        self.threads.append(thread)
        thread.start()
        return fiber

    def _switch(self, me: Fiber | None, target: Fiber, message: Any) -> Any:
        if me is not None:
            for _, leave in reversed(me.contexts):
                leave()
        self.current = target
        target.inbox = message
        target.gate.release()
        if me is None:  # a finished fiber: its thread ends
            return None
        me.gate.acquire()
        for enter, _ in me.contexts:
            enter()
        message, me.inbox = me.inbox, None
        return message

    @contextlib.contextmanager
    def context(self, enter: Callable[[], None], leave: Callable[[], None]) -> Iterator[None]:
        """Apply ``enter`` now and whenever the current fiber resumes; ``leave`` when it
        parks and at the end (e.g. a Distributed Map child's own history list)."""
        fiber = self.current
        pair = (enter, leave)
        fiber.contexts.append(pair)
        enter()
        try:
            yield
        finally:
            fiber.contexts.remove(pair)
            leave()

    def _exit(self, fiber: Fiber) -> None:
        target = fiber.return_to
        parent = fiber.parent
        if parent is not None:
            if target is not parent:  # resumed by the test: its driver answers to the test
                parent.return_to = target
            target = parent
        assert target is not None
        self._switch(None, target, ("finished", fiber))

    def call(self, child: Fiber, message: Any = None) -> Any:
        """Run ``child`` until it parks or finishes; returns ``(kind, child)``."""
        me = self.current
        child.return_to = me
        return self._switch(me, child, message)

    def park(self) -> Any:
        """Give control back to whoever resumed the current fiber; returns the next message."""
        me = self.current
        target = me.return_to
        me.return_to = None
        assert target is not None
        return self._switch(me, target, ("parked", me))

    def resume(self, fiber: Fiber, message: Any) -> None:
        """Run ``fiber`` (from the test) until control comes back to the test."""
        fiber.return_to = self.caller
        self._switch(self.caller, fiber, message)

    def join(self) -> None:
        """Wait for the threads of finished fibers to end."""
        for thread in self.threads:
            thread.join(timeout=10)
        self.threads = []

    def on_fiber(self) -> bool:
        """Whether the calling thread is the running fiber."""
        current = self.current
        return current.thread is not None and current.thread is threading.current_thread()


def fibers_of(tasks: Any) -> Scheduler | None:
    """The scheduler of a started execution's task handler (``None`` for ``execute()``)."""
    scheduler = getattr(tasks, "fibers", None)
    if isinstance(scheduler, Scheduler) and scheduler.on_fiber():
        return scheduler
    return None


@dataclass(slots=True)
class Child:
    """One branch or iteration run as a fiber."""

    index: int
    chain: Thread
    fiber: Fiber | None = None
    output: JSON = None
    error: BaseException | None = None


@dataclass(slots=True)
class Driven:
    """How the children of one Parallel/Map attempt ended.

    Attributes:
        outputs: outputs of the children that succeeded, by index.
        failure: the child whose failure ended the others (``None``: no child failed).
        aborted: the children stopped because of ``failure`` / ``cancel`` (index order).
        cancel: the driver itself was stopped while it waited (its parent stopped it).
        error: raised while preparing a child (e.g. an ``ItemSelector`` error).
    """

    outputs: dict[int, JSON] = field(default_factory=dict)
    failure: Child | None = None
    aborted: list[Child] = field(default_factory=list)
    cancel: Cancel | None = None
    error: BaseException | None = None

    def reason(self) -> BaseException | None:
        """Why the children were stopped (``None``: they all succeeded)."""
        if self.error is not None:
            return self.error
        if self.failure is not None:
            return self.failure.error
        return self.cancel.reason if self.cancel is not None else None

    def conclude(
        self,
        done: dict[int, JSON],
        count: int,
        thread: Thread,
        last: int,
        kind: str,
        add: Callable[..., int],
    ) -> list[JSON]:
        """End the ``kind`` (``"Map"``/``"Parallel"``) state's children.

        Returns the ``count`` outputs in index order (``done``: kept by a redrive) after
        ``<kind>StateSucceeded``, linked to ``last``; or raises what stopped the children,
        a child's failure as the state's (``<kind>StateFailed``), with the redrive progress.
        """
        reason = self.reason()
        if reason is None:
            add(f"{kind}StateSucceeded", last)
            thread.last = last
            outputs = {**done, **self.outputs}
            return [outputs[index] for index in range(count)]
        self.raise_unexpected()
        if self.error is not None:
            raise self.error
        redrive = self.progress(done)
        if self.failure is not None and isinstance(reason, GraphFailure):
            thread.last = self.failure.chain.last
            error = child_error(reason, f"{kind}StateFailed")
            error.redrive_child = redrive  # type: ignore[attr-defined]
            raise error from None
        stop = self.cancel.exception() if self.cancel is not None else reason
        stop.redrive_child = redrive  # type: ignore[attr-defined]
        raise stop

    def progress(self, done: dict[int, JSON]) -> Progress:
        """Redrive progress: what succeeded, and where the failed and aborted ones stopped."""
        failed = {}
        stopped = [self.failure] if self.failure is not None else []
        for child in (*stopped, *self.aborted):
            failed[child.index] = getattr(child.error, "redrive_point", None)
        return Progress({**done, **self.outputs}, dict(sorted(failed.items())))

    def raise_unexpected(self) -> None:
        """Re-raise an error of the test (not a failure of the workflow) from a child."""
        for child in (*([self.failure] if self.failure else []), *self.aborted):
            error = child.error
            if error is not None and not isinstance(error, (GraphFailure, DeadlineReached)):
                raise error


def drive(
    scheduler: Scheduler,
    jobs: Iterator[tuple[int, Thread, Callable[[], JSON]]],
    limit: int,
    label: str,
    finished: Callable[[Child], None],
    aborted: Callable[[Child], None],
) -> Driven:
    """Run ``jobs`` (``(index, chain, run)``) as fibers, at most ``limit`` at once (0: all).

    ``finished`` is called as each child ends (succeeded or failed), ``aborted`` for each
    child stopped because another failed. Returns when all ended, or when one failed and
    the others were stopped, or when this driver was itself stopped.
    """
    result = Driven()
    active: dict[int, Child] = {}
    parent = scheduler.current

    def handle(message: Any) -> None:
        if isinstance(message, Cancel):
            result.cancel = message
            return
        kind, fiber = message
        if kind != "finished":
            return
        child = next(c for c in active.values() if c.fiber is fiber)
        del active[child.index]
        if child.error is None:
            result.outputs[child.index] = child.output
        elif result.failure is None:
            result.failure = child
        finished(child)

    def start(index: int, chain: Thread, run: Callable[[], JSON]) -> None:
        child = Child(index, chain)

        def body(message: Any) -> None:
            try:
                child.output = run()
            except BaseException as exc:  # the driver decides what it means
                child.error = exc

        child.fiber = scheduler.spawn(body, f"{label} {index}", parent)
        active[index] = child
        handle(scheduler.call(child.fiber))

    def stopped() -> bool:
        return result.failure is not None or result.cancel is not None or result.error is not None

    exhausted = False
    while not stopped():
        while not exhausted and not stopped() and (limit <= 0 or len(active) < limit):
            try:
                job = next(jobs)
            except StopIteration:
                exhausted = True
                break
            except Exception as exc:  # preparing the child failed: the state fails
                result.error = exc
                break
            start(*job)
        if stopped() or not active:
            break
        handle(scheduler.park())
    if active:
        reason = result.reason()
        assert reason is not None
        cancel = result.cancel or Cancel(reason)
        for index in sorted(active):
            child = active[index]
            assert child.fiber is not None
            message = scheduler.call(child.fiber, cancel)
            assert message[0] == "finished"
            result.aborted.append(child)
            aborted(child)
    return result
