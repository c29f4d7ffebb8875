"""Executions that wait for callbacks: start one, answer its task tokens, move its clock.

:meth:`StateMachine.start() <pytest_sfn.machine.StateMachine.start>` runs the interpreter in
a worker thread and returns a :class:`RunningExecution`. When a ``.waitForTaskToken`` or
activity Task has no answer, the worker pauses and hands control back to the test, which
answers the token (``send_task_success`` / ``send_task_failure``), sends heartbeats, moves
the virtual clock (:meth:`RunningExecution.advance`) or stops the execution.

Parallel branches and inline Map iterations wait together, as on AWS: each runs as a
fiber (:mod:`pytest_sfn.engine.fibers`) that parks while its Task waits, so several task
tokens can be pending at once. Only one thread runs at a time (strict hand-off), so the
run is as deterministic as ``execute()``: the same seed and the same sequence of answers
give the same task tokens and the same history.

Worker threads never outlive their execution: they end when it ends, when it is stopped,
and when the :class:`RunningExecution` is garbage collected; they are daemon threads, so
a forgotten execution never keeps the interpreter alive.
"""

from __future__ import annotations

import gc
import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from pytest_sfn._json import dump_compact
from pytest_sfn._types import JSON
from pytest_sfn.engine.execution import Execution
from pytest_sfn.engine.fibers import Cancel, Fiber, Scheduler
from pytest_sfn.engine.ports import (
    PendingCall,
    TaskHandler,
    TaskOutcome,
    TaskRequest,
    pending_task,
)
from pytest_sfn.engine.redrive import prepare_redrive
from pytest_sfn.engine.run import ExecutionStopped, _tag_attempt
from pytest_sfn.engine.runtime import PAYLOAD_LIMIT
from pytest_sfn.engine.task import _expiry, expiry_in
from pytest_sfn.errors import ExecutionWaitingError, MockError, TaskTokenError, UnmockedTaskError

if TYPE_CHECKING:
    from pytest_sfn.machine import StateMachine

__all__ = ["PendingTask", "RunningExecution", "pending_task", "token_error"]

_TOKEN = re.compile(r"AQC[0-9a-f]{64}")


def token_error(code: str, token: str = "") -> TaskTokenError:
    """The :class:`TaskTokenError` AWS answers with for ``code``.

    ``TaskTimedOut`` is AWS-recorded; the other wordings are UNCONFIRMED.
    """
    messages = {
        "InvalidToken": "Invalid Token: 'Invalid token'",
        "TaskDoesNotExist": f"Task Does Not Exist: '{token}'",
        "TaskTimedOut": "Task Timed Out: 'Provided task does not exist anymore'",
    }
    return TaskTokenError(code, messages[code])


@dataclass(frozen=True, slots=True)
class PendingTask:
    """A Task state that waits for an answer.

    Attributes:
        token: its task token (``$$.Task.Token``).
        state_name: the Task state's name.
        resource: the ``Resource`` ARN (an activity ARN for activities).
        kind: ``"callback"`` (``.waitForTaskToken``) or ``"activity"``.
        parameters: the effective parameters sent (an activity's input).
        since: the virtual time the task started.
        waited: virtual seconds it has waited so far (see :meth:`RunningExecution.advance`).
        timeout_seconds, heartbeat_seconds: its ``TimeoutSeconds`` / ``HeartbeatSeconds``.
        deadline: when it times out unless answered (task timeout, heartbeat timeout or the
            execution's ``TimeoutSeconds``, whichever comes first); ``None``: never.
        started: for activities, whether a worker took it (``GetActivityTask``).
    """

    token: str
    state_name: str
    resource: str
    kind: str
    parameters: JSON
    since: datetime
    waited: float
    timeout_seconds: float | None
    heartbeat_seconds: float | None
    deadline: datetime | None
    started: bool

    @property
    def now(self) -> datetime:
        """The current virtual time."""
        return self.since + timedelta(seconds=self.waited)

    @property
    def input(self) -> str:
        """The task's input as JSON text (what ``GetActivityTask`` returns)."""
        return dump_compact(self.parameters)


@dataclass(frozen=True, slots=True)
class _Reply:
    kind: str  # success | failure | pick | stop | tick
    output: JSON = None
    error: str | None = None
    cause: str | None = None
    worker: str | None = None
    at: datetime | None = None  # tick: the deadline reached


class _Waiter:
    """One waiting task: the fiber that waits, its heartbeats and whether it was picked."""

    __slots__ = ("fiber", "call", "start", "beats", "picked")

    def __init__(self, fiber: Fiber, call: PendingCall) -> None:
        self.fiber = fiber
        self.call = call
        self.start = call.started_at
        self.beats: list[float] = []
        self.picked = call.request.resource.kind != "activity"

    def deadline(self) -> datetime | None:
        """When it times out unless answered (task, heartbeat or execution timeout)."""
        request = self.call.request
        due = expiry_in(request.timeout_seconds, request.heartbeat_seconds, tuple(self.beats))
        deadline = self.start + timedelta(seconds=due) if due is not None else None
        limit = self.call.interpreter.clock.deadline
        if limit is not None and (deadline is None or limit < deadline):
            deadline = limit
        return deadline

    def view(self, now: datetime) -> PendingTask:
        request = self.call.request
        assert request.task_token is not None
        activity = request.resource.kind == "activity"
        return PendingTask(
            token=request.task_token,
            state_name=request.state_name,
            resource=request.resource.arn,
            kind="activity" if activity else "callback",
            parameters=request.parameters,
            since=self.start,
            waited=max(0.0, (now - self.start).total_seconds()),
            timeout_seconds=request.timeout_seconds,
            heartbeat_seconds=request.heartbeat_seconds,
            deadline=self.deadline(),
            started=self.picked,
        )


class _Session:
    """The state shared by a :class:`RunningExecution` and its fibers."""

    def __init__(
        self,
        input_value: JSON,
        start: datetime,
        redrive_date: datetime | None = None,
        kept: tuple[int, int] = (0, 0),
    ) -> None:
        self.fibers = Scheduler()
        #: The waiting tasks, in the order they started waiting.
        self.waiters: list[_Waiter] = []
        self.execution: Execution | None = None
        self.error: BaseException | None = None
        self.done = False
        self.interpreter: Any = None
        self.root: str | None = None
        self.issued: set[str] = set()
        #: The virtual time the test sees (the latest time reached by any branch).
        self.now = start
        self.input = input_value
        self.start = start
        #: On a redrive: its date, and how many visits / task calls earlier attempts made.
        self.redrive_date = redrive_date
        self.kept = kept

    # --- fiber side ---------------------------------------------------------------------

    def finish(self, execution: Execution | None, error: BaseException | None) -> None:
        self.execution, self.error, self.done = execution, error, True
        self.waiters.clear()

    def wait_for_answer(self, call: PendingCall) -> TaskOutcome:
        """Park the calling fiber until the test answers the task or a deadline passes."""
        self.interpreter = call.interpreter
        waiter = _Waiter(self.fibers.current, call)
        self.waiters.append(waiter)
        try:
            return self._wait(waiter)
        finally:
            if waiter in self.waiters:
                self.waiters.remove(waiter)

    def _wait(self, waiter: _Waiter) -> TaskOutcome:
        call, start = waiter.call, waiter.start
        clock = call.interpreter.clock
        while True:
            message = self.fibers.park()
            if isinstance(message, Cancel):  # a sibling failed, or the execution ends
                raise message.exception()
            reply: _Reply = message
            # Other branches may have moved the shared clock: restart from this task's start.
            clock.rewind(start)
            if reply.kind == "pick":
                call.mark_started(reply.worker)
                waiter.picked = True
                continue
            if reply.kind == "tick":
                assert reply.at is not None
                return self._timed_out(waiter, (reply.at - start).total_seconds())
            elapsed = (self.now - start).total_seconds()
            if reply.kind == "stop":
                clock.advance(elapsed)  # before every deadline: never raises
                # Unwinds like a timeout: the states on the way record where it stopped.
                raise ExecutionStopped(reply.error, reply.cause)
            if not waiter.picked:  # answered without GetActivityTask: a worker without a name
                call.mark_started(None)
            beats = tuple(waiter.beats)
            if reply.kind == "success":
                return TaskOutcome(output=reply.output, duration=elapsed, heartbeats=beats)
            return TaskOutcome(
                failed=True, error=reply.error, cause=reply.cause, duration=elapsed,
                heartbeats=beats,
            )  # fmt: skip

    @staticmethod
    def _timed_out(waiter: _Waiter, elapsed: float) -> TaskOutcome:
        """The outcome of a task whose deadline was reached after ``elapsed`` seconds."""
        request = waiter.call.request
        outcome = TaskOutcome(duration=elapsed, heartbeats=tuple(waiter.beats))
        timeout, heartbeat = request.timeout_seconds, request.heartbeat_seconds
        limits = (
            None if timeout is None else int(timeout),
            None if heartbeat is None else int(heartbeat),
        )
        if _expiry(outcome, *limits, inclusive=True) is None:  # the execution's deadline
            # (or float noise at the task's own deadline: half a millisecond settles it)
            outcome = replace(outcome, duration=elapsed + 0.0005)
        return outcome

    def snapshot(self) -> Execution:
        """The execution as it stands: ``RUNNING``, with the history so far."""
        it = self.interpreter
        cfg = it.config
        execution = Execution(
            execution_arn=cfg.execution_arn,
            name=cfg.execution_name,
            state_machine_arn=cfg.state_machine_arn,
            state_machine_type=cfg.machine_type,
            status="RUNNING",
            input=self.input,
            output=None,
            error=None,
            cause=None,
            start_time=self.start,
            stop_time=it.clock.now(),
            states=tuple(r for r in it.records if r is not None),
            history=tuple(it.events) if cfg.machine_type == "STANDARD" else (),
            redrive_count=cfg.redrive_count,
            task_calls=tuple(it.calls),
            redrive_date=self.redrive_date,
        )
        if self.redrive_date is None:
            return execution
        return _tag_attempt(execution, *self.kept, cfg.redrive_count)

    # --- caller side --------------------------------------------------------------------

    def resume(self, fiber: Fiber, reply: _Reply | None) -> None:
        """Run ``fiber`` until control is back with the test (caller thread)."""
        self.fibers.resume(fiber, reply)
        if self.interpreter is not None and not self.done:
            self.now = max(self.now, self.interpreter.clock.now())

    def next_deadline(self) -> tuple[datetime, _Waiter] | None:
        """The earliest deadline of the waiting tasks (ties: the one waiting longest)."""
        best: tuple[datetime, _Waiter] | None = None
        for waiter in self.waiters:
            deadline = waiter.deadline()
            if deadline is not None and (best is None or deadline < best[0]):
                best = (deadline, waiter)
        return best

    def run_until(self, moment: datetime) -> None:
        """Fire, in time order, every deadline up to ``moment`` (or overdue)."""
        while not self.done:
            nearest = self.next_deadline()
            if nearest is None or nearest[0] > max(moment, self.now):
                return
            deadline, waiter = nearest
            self.now = max(self.now, deadline)
            self.resume(waiter.fiber, _Reply("tick", at=deadline))

    def stop(self, error: str | None, cause: str | None) -> None:
        """Stop the execution: every waiting task ends and every fiber unwinds."""
        if not self.done and self.waiters:
            self.resume(self.waiters[0].fiber, _Reply("stop", error=error, cause=cause))


class _PausingHandler:
    """The task handler of a started execution: unanswered token tasks wait."""

    __slots__ = ("inner", "session")

    def __init__(self, session: _Session, inner: TaskHandler) -> None:
        self.session = session
        self.inner = inner

    @property
    def fibers(self) -> Scheduler:
        """Parallel branches and Map iterations run as fibers of this scheduler."""
        return self.session.fibers

    def __call__(self, request: TaskRequest) -> TaskOutcome:
        session = self.session
        execution_id = _execution_id(request)
        if session.root is None:
            session.root = execution_id
        if request.task_token is not None:
            session.issued.add(request.task_token)
        try:
            return self.inner(request)
        except UnmockedTaskError:
            if request.task_token is None or execution_id != session.root:
                raise
            return pending_task()

    def wait_for_answer(self, call: PendingCall) -> TaskOutcome:
        if _execution_id(call.request) != self.session.root:
            raise MockError(
                f"Task state {call.request.state_name!r} of a child execution waits for a "
                "callback; only the started execution's own tasks can wait"
            )
        return self.session.wait_for_answer(call)


def _execution_id(request: TaskRequest) -> Any:
    context = request.context
    if isinstance(context, dict):
        execution = context.get("Execution")
        if isinstance(execution, dict):
            return execution.get("Id")
    return None


def _abandon(session: _Session) -> None:
    """Stop the fibers of an execution nobody finished (finalizer; never raises)."""
    if not session.done:
        session.stop(None, None)
    session.fibers.join()


class RunningExecution:
    """An execution started with :meth:`StateMachine.start`, paused on a waiting task.

    Example:
        >>> handle = sm.start({"order": 1})            # doctest: +SKIP
        >>> token = handle.pending_tokens[0]           # doctest: +SKIP
        >>> handle.send_task_success(token, {"approved": True})  # doctest: +SKIP
        >>> handle.wait().status                       # doctest: +SKIP
        'SUCCEEDED'

    Parallel branches and inline Map iterations wait together, as on AWS: a Map over
    three items whose Task waits lists three pending tokens (at most ``MaxConcurrency``
    iterations run at once), and answering one resumes exactly its iteration.
    """

    def __init__(self, session: _Session) -> None:
        self._session = session
        self._collecting = gc.isenabled()
        self._finalizer = weakref.finalize(self, _abandon, session)

    @classmethod
    def launch(
        cls,
        machine: StateMachine,
        input_value: JSON,
        handler: TaskHandler,
        *,
        start: datetime,
        name: str | None,
        seed: int,
        history_limit: int | None,
        mock_errors: str,
    ) -> RunningExecution:
        """Start ``machine`` in a worker thread and run it until it waits or ends."""
        session = _Session(input_value, start)
        pausing = _PausingHandler(session, handler)

        def run() -> Execution:
            return machine.execute(
                input_value,
                tasks=pausing,
                name=name,
                seed=seed,
                start_time=start,
                history_limit=history_limit,
                mock_errors=mock_errors,
            )

        return cls._spawn(session, run, name or "")

    @classmethod
    def launch_redrive(
        cls,
        execution: Execution,
        handler: TaskHandler,
        *,
        mock_errors: str = "raise",
        at: datetime | None = None,
        seed: int | None = None,
    ) -> RunningExecution:
        """Redrive ``execution`` in a worker thread and run it until it waits or ends.

        Raises:
            ExecutionNotRedrivable: AWS would refuse the redrive (checked before it starts).
        """
        session = _Session(
            execution.input,
            execution.start_time,
            kept=(len(execution.states), len(execution.task_calls)),
        )
        attempt = prepare_redrive(
            execution,
            _PausingHandler(session, handler),
            mock_errors=mock_errors,
            at=at,
            seed=seed,
        )
        session.redrive_date = attempt.at
        return cls._spawn(session, attempt.run, execution.name)

    @classmethod
    def _spawn(cls, session: _Session, run: Callable[[], Execution], name: str) -> RunningExecution:
        """Run ``run`` in a worker thread until it pauses on a task or ends."""

        def work(message: Any) -> None:  # references the session only, never the handle
            try:
                execution = run()
            except BaseException as exc:  # re-raised in the caller's thread
                session.finish(None, exc)
            else:
                session.finish(execution, None)

        root = session.fibers.spawn(work, name, None)
        handle = cls(session)
        session.resume(root, None)
        session.run_until(session.now)
        handle._after_turn()
        return handle

    # --- state ------------------------------------------------------------------------

    def _after_turn(self) -> None:
        """Back in the caller: restore its garbage collector, surface worker errors."""
        if self._collecting and not gc.isenabled():
            gc.enable()
        if self._session.done:
            self._session.fibers.join()
            self._finalizer.detach()
            if self._session.error is not None:
                raise self._session.error

    @property
    def status(self) -> str:
        """``RUNNING`` while a task waits, then the final status."""
        execution = self._session.execution
        return "RUNNING" if execution is None else execution.status

    @property
    def running(self) -> bool:
        """Whether the execution still waits for an answer."""
        return not self._session.done

    @property
    def pending(self) -> list[PendingTask]:
        """The tasks waiting for an answer, in the order they started waiting."""
        session = self._session
        if session.done:
            return []
        return [waiter.view(session.now) for waiter in session.waiters]

    @property
    def pending_tokens(self) -> list[str]:
        """The task tokens waiting for an answer, in the order their tasks started waiting."""
        session = self._session
        if session.done:
            return []
        return [str(w.call.request.task_token) for w in session.waiters]

    @property
    def tokens(self) -> frozenset[str]:
        """Every task token the execution issued so far (waiting, answered or closed)."""
        return frozenset(self._session.issued)

    @property
    def execution_arn(self) -> str:
        """The execution's ARN."""
        return str(self.snapshot().execution_arn)

    def snapshot(self) -> Execution:
        """The execution as it stands: ``RUNNING`` with the history so far, or finished."""
        session = self._session
        if session.execution is not None:
            return session.execution
        if session.error is not None:
            raise session.error
        return session.snapshot()

    @property
    def history(self) -> tuple[Any, ...]:
        """The history events recorded so far."""
        return self.snapshot().history

    @property
    def execution(self) -> Execution:
        """The finished execution (same type as ``execute()`` returns).

        Raises:
            ExecutionWaitingError: it is still ``RUNNING``.
        """
        if self._session.execution is None:
            self.snapshot()  # re-raises a worker error
            raise ExecutionWaitingError(self._waiting_message("is still RUNNING"))
        return self._session.execution

    # --- answering tasks ----------------------------------------------------------------

    def _task(self, token: str) -> _Waiter:
        if not isinstance(token, str) or not _TOKEN.fullmatch(token):
            raise token_error("InvalidToken", str(token))
        if not self._session.done:
            for waiter in self._session.waiters:
                if waiter.call.request.task_token == token:
                    return waiter
        if token in self._session.issued:
            raise token_error("TaskTimedOut", token)
        raise token_error("TaskDoesNotExist", token)

    def _send(self, waiter: _Waiter, reply: _Reply) -> None:
        session = self._session
        session.resume(waiter.fiber, reply)
        session.run_until(session.now)  # deadlines the run went past meanwhile
        self._after_turn()

    def send_task_success(self, token: str, output: JSON = None) -> None:
        """Answer the task of ``token`` with ``output`` (its result), as ``SendTaskSuccess``.

        Raises:
            TaskTokenError: ``InvalidToken``, ``TaskDoesNotExist``, ``TaskTimedOut`` (the task
                is closed) or ``InvalidOutput`` (``output`` is not JSON or too large).
        """
        waiter = self._task(token)
        try:
            text = dump_compact(output)
        except (TypeError, ValueError) as exc:
            raise TaskTokenError("InvalidOutput", f"Invalid Output: '{exc}'") from None
        if len(text.encode()) > PAYLOAD_LIMIT:
            raise TaskTokenError(
                "InvalidOutput", "Invalid Output: 'The output exceeds the maximum size.'"
            )
        self._send(waiter, _Reply("success", output=output))

    def send_task_failure(
        self, token: str, error: str | None = None, cause: str | None = None
    ) -> None:
        """Fail the task of ``token`` with ``error``/``cause``, as ``SendTaskFailure``.

        Retry and Catch see ``error`` (without one, the error output is
        ``{"Error": null, "Cause": null}``, which ``States.ALL`` catches).
        """
        self._send(self._task(token), _Reply("failure", error=error, cause=cause))

    def send_task_heartbeat(self, token: str) -> None:
        """Report the task of ``token`` alive (restarts its ``HeartbeatSeconds``)."""
        waiter = self._task(token)
        waiter.beats.append(max(0.0, (self._session.now - waiter.start).total_seconds()))

    def get_activity_task(
        self, activity_arn: str, worker_name: str | None = None
    ) -> dict[str, str]:
        """Take the waiting task of ``activity_arn``, as ``GetActivityTask``.

        Returns ``{"taskToken", "input"}`` and records ``ActivityStarted`` (with
        ``workerName``), or ``{}`` when no task of that activity waits.
        """
        for waiter in self._session.waiters if not self._session.done else ():
            request = waiter.call.request
            if request.resource.arn == activity_arn and not waiter.picked:
                pending = waiter.view(self._session.now)
                self._send(waiter, _Reply("pick", worker=worker_name))
                return {"taskToken": pending.token, "input": pending.input}
        return {}

    def advance(self, seconds: float) -> None:
        """Move the virtual clock forward while tasks wait.

        Every heartbeat timeout, task timeout or execution timeout passed on the way fires
        at its exact time, earliest first (``States.Timeout``; ``TaskTimedOut`` /
        ``ActivityTimedOut``), and its branch runs on (Retry, Catch...) until it waits
        again or ends. Time left over counts for tasks that start waiting meanwhile.
        """
        if seconds < 0:
            raise ValueError(f"seconds must not be negative, not {seconds!r}")
        if not self.pending:
            raise ExecutionWaitingError(self._waiting_message("has no waiting task"))
        session = self._session
        target = session.now + timedelta(seconds=float(seconds))
        session.run_until(target)
        if not session.done:
            session.now = max(session.now, target)
        self._after_turn()

    def wait(self) -> Execution:
        """Run to completion: let waiting tasks time out, then return the execution.

        Raises:
            ExecutionWaitingError: a task waits with no deadline (no ``TimeoutSeconds``,
                ``HeartbeatSeconds`` or execution timeout), so nothing would end it.
        """
        session = self._session
        while self.running:
            nearest = session.next_deadline()
            if nearest is None:
                raise ExecutionWaitingError(self._waiting_message("is still RUNNING"))
            session.run_until(nearest[0])
            self._after_turn()
        return self.execution

    result = wait

    def stop(self, error: str | None = None, cause: str | None = None) -> Execution:
        """Stop the execution, as ``StopExecution``: it ends ``ABORTED``.

        Every waiting task ends (no task event is recorded for them) and every branch and
        iteration unwinds. A finished execution is returned unchanged.
        """
        if self.running:
            self._session.stop(error, cause)
            self._after_turn()
        return self.execution

    def close(self) -> None:
        """Stop the execution if it still runs and end its worker thread."""
        if self.running:
            self.stop()

    def __enter__(self) -> RunningExecution:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _waiting_message(self, what: str) -> str:
        session = self._session
        arn = session.interpreter.config.execution_arn if session.interpreter else "?"
        pending = self.pending
        if not pending:
            return f"execution {arn} {what}"
        waits = "; ".join(
            f"Task state {p.state_name!r} ({p.resource}) waits for task token {p.token}"
            for p in pending
        )
        if any(p.kind == "activity" for p in pending):
            how = (
                "take an activity task with get_activity_task(activity_arn) and answer it, or "
                "answer it directly"
            )
        else:
            how = "answer a task"
        return (
            f"execution {arn} {what}: {waits}. {how.capitalize()} with "
            "send_task_success(token, output) or send_task_failure(token, error, cause), "
            "move time with advance(seconds), or stop() the execution"
        )

    def __repr__(self) -> str:
        tokens = ", ".join(f"{p.state_name}: {p.token[:12]}..." for p in self.pending)
        return f"<RunningExecution {self.status}{' ' + tokens if tokens else ''}>"
