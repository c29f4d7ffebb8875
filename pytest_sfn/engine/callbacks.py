"""Executions that wait for callbacks: start one, answer its task tokens, move its clock.

:meth:`StateMachine.start() <pytest_sfn.machine.StateMachine.start>` runs the interpreter in
a worker thread and returns a :class:`RunningExecution`. When a ``.waitForTaskToken`` or
activity Task has no answer, the worker pauses and hands control back to the test, which
answers the token (``send_task_success`` / ``send_task_failure``), sends heartbeats, moves
the virtual clock (:meth:`RunningExecution.advance`) or stops the execution.

Only one thread runs at a time (strict hand-off), so the run is as deterministic as
``execute()``: the same seed gives the same task tokens. Parallel branches and Map
iterations run one after another in this engine, so at most one task waits at a time.

Worker threads never outlive their execution: they end when it ends, when it is stopped,
and when the :class:`RunningExecution` is garbage collected; they are daemon threads, so
a forgotten execution never keeps the interpreter alive.
"""

from __future__ import annotations

import gc
import re
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from pytest_sfn._json import dump_compact
from pytest_sfn._types import JSON
from pytest_sfn.engine.execution import Execution
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
from pytest_sfn.engine.task import expiry_in
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
    kind: str  # success | failure | heartbeat | advance | pick | stop
    output: JSON = None
    error: str | None = None
    cause: str | None = None
    seconds: float = 0.0
    worker: str | None = None


class _Session:
    """The state shared by a :class:`RunningExecution` and its worker thread."""

    def __init__(
        self,
        input_value: JSON,
        start: datetime,
        redrive_date: datetime | None = None,
        kept: tuple[int, int] = (0, 0),
    ) -> None:
        self.cond = threading.Condition()
        self.worker_turn = True
        self.reply: _Reply | None = None
        self.pending: PendingTask | None = None
        self.execution: Execution | None = None
        self.error: BaseException | None = None
        self.done = False
        self.interpreter: Any = None
        self.root: str | None = None
        self.issued: set[str] = set()
        self.target: datetime | None = None
        self.input = input_value
        self.start = start
        #: On a redrive: its date, and how many visits / task calls earlier attempts made.
        self.redrive_date = redrive_date
        self.kept = kept

    # --- worker side ------------------------------------------------------------------

    def pause(self, pending: PendingTask) -> _Reply:
        with self.cond:
            self.pending = pending
            self.worker_turn = False
            self.cond.notify_all()
            self.cond.wait_for(lambda: self.worker_turn)
            reply, self.reply = self.reply, None
            self.pending = None
        assert reply is not None
        return reply

    def finish(self, execution: Execution | None, error: BaseException | None) -> None:
        with self.cond:
            self.execution, self.error, self.done = execution, error, True
            self.pending = None
            self.worker_turn = False
            self.cond.notify_all()

    def wait_for_answer(self, call: PendingCall) -> TaskOutcome:
        """Pause until the test answers the task or a deadline passes (worker thread)."""
        self.interpreter = call.interpreter
        request, start = call.request, call.started_at
        clock = call.interpreter.clock
        token = request.task_token
        assert token is not None  # only token tasks wait
        activity = request.resource.kind == "activity"
        picked = not activity
        elapsed = 0.0
        if self.target is not None and self.target > start:
            elapsed = (self.target - start).total_seconds()
        beats: list[float] = []
        while True:
            due = expiry_in(request.timeout_seconds, request.heartbeat_seconds, tuple(beats))
            deadline = start + timedelta(seconds=due) if due is not None else None
            if clock.deadline is not None and (deadline is None or clock.deadline < deadline):
                deadline = clock.deadline
            if deadline is not None and start + timedelta(seconds=elapsed) >= deadline:
                return TaskOutcome(duration=elapsed, heartbeats=tuple(beats))
            reply = self.pause(
                PendingTask(
                    token=token,
                    state_name=request.state_name,
                    resource=request.resource.arn,
                    kind="activity" if activity else "callback",
                    parameters=request.parameters,
                    since=start,
                    waited=elapsed,
                    timeout_seconds=request.timeout_seconds,
                    heartbeat_seconds=request.heartbeat_seconds,
                    deadline=deadline,
                    started=picked,
                )
            )
            if reply.kind == "advance":
                elapsed += reply.seconds
                self.target = start + timedelta(seconds=elapsed)
                continue
            if reply.kind == "heartbeat":
                beats.append(elapsed)
                continue
            if reply.kind == "pick":
                call.mark_started(reply.worker)
                picked = True
                continue
            if reply.kind == "stop":
                clock.advance(elapsed)  # before every deadline: never raises
                # Unwinds like a timeout: the states on the way record where it stopped.
                raise ExecutionStopped(reply.error, reply.cause)
            if not picked:  # answered without GetActivityTask: a worker without a name
                call.mark_started(None)
            if reply.kind == "success":
                return TaskOutcome(output=reply.output, duration=elapsed, heartbeats=tuple(beats))
            return TaskOutcome(
                failed=True,
                error=reply.error,
                cause=reply.cause,
                duration=elapsed,
                heartbeats=tuple(beats),
            )

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

    # --- caller side ------------------------------------------------------------------

    def resume(self, reply: _Reply | None) -> None:
        """Hand control to the worker until it pauses again or ends (caller thread)."""
        with self.cond:
            self.reply = reply
            self.worker_turn = True
            self.cond.notify_all()
            self.cond.wait_for(lambda: not self.worker_turn)


class _PausingHandler:
    """The task handler of a started execution: unanswered token tasks wait."""

    __slots__ = ("inner", "session")

    def __init__(self, session: _Session, inner: TaskHandler) -> None:
        self.session = session
        self.inner = inner

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


def _abandon(session: _Session, thread: threading.Thread) -> None:
    """Stop the worker of an execution nobody finished (finalizer; never raises)."""
    if not session.done and thread.is_alive():
        session.resume(_Reply("stop"))
    thread.join(timeout=10)


class RunningExecution:
    """An execution started with :meth:`StateMachine.start`, paused on a waiting task.

    Example:
        >>> handle = sm.start({"order": 1})            # doctest: +SKIP
        >>> token = handle.pending_tokens[0]           # doctest: +SKIP
        >>> handle.send_task_success(token, {"approved": True})  # doctest: +SKIP
        >>> handle.wait().status                       # doctest: +SKIP
        'SUCCEEDED'

    Limitation: Parallel branches and Map iterations run one after another in this
    engine, so at most one task waits at a time; a later branch or iteration starts
    only once the waiting task is answered.
    """

    def __init__(self, session: _Session, thread: threading.Thread) -> None:
        self._session = session
        self._thread = thread
        self._collecting = gc.isenabled()
        self._finalizer = weakref.finalize(self, _abandon, session, thread)

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

        def work() -> None:  # references the session only, never the handle
            try:
                execution = run()
            except BaseException as exc:  # re-raised in the caller's thread
                session.finish(None, exc)
            else:
                session.finish(execution, None)

        thread = threading.Thread(
            target=work, name=f"pytest-sfn execution {name}".rstrip(), daemon=True
        )
        handle = cls(session, thread)
        with session.cond:
            thread.start()
            session.cond.wait_for(lambda: not session.worker_turn)
        handle._after_turn()
        return handle

    # --- state ------------------------------------------------------------------------

    def _after_turn(self) -> None:
        """Back in the caller: restore its garbage collector, surface worker errors."""
        if self._collecting and not gc.isenabled():
            gc.enable()
        if self._session.done:
            self._thread.join()
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
        """The tasks waiting for an answer (at most one, see the class docstring)."""
        pending = self._session.pending
        return [pending] if pending is not None and not self._session.done else []

    @property
    def pending_tokens(self) -> list[str]:
        """The task tokens waiting for an answer."""
        return [p.token for p in self.pending]

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

    def _task(self, token: str) -> PendingTask:
        if not isinstance(token, str) or not _TOKEN.fullmatch(token):
            raise token_error("InvalidToken", str(token))
        for pending in self.pending:
            if pending.token == token:
                return pending
        if token in self._session.issued:
            raise token_error("TaskTimedOut", token)
        raise token_error("TaskDoesNotExist", token)

    def _send(self, reply: _Reply) -> None:
        self._session.resume(reply)
        self._after_turn()

    def send_task_success(self, token: str, output: JSON = None) -> None:
        """Answer the task of ``token`` with ``output`` (its result), as ``SendTaskSuccess``.

        Raises:
            TaskTokenError: ``InvalidToken``, ``TaskDoesNotExist``, ``TaskTimedOut`` (the task
                is closed) or ``InvalidOutput`` (``output`` is not JSON or too large).
        """
        self._task(token)
        try:
            text = dump_compact(output)
        except (TypeError, ValueError) as exc:
            raise TaskTokenError("InvalidOutput", f"Invalid Output: '{exc}'") from None
        if len(text.encode()) > PAYLOAD_LIMIT:
            raise TaskTokenError(
                "InvalidOutput", "Invalid Output: 'The output exceeds the maximum size.'"
            )
        self._send(_Reply("success", output=output))

    def send_task_failure(
        self, token: str, error: str | None = None, cause: str | None = None
    ) -> None:
        """Fail the task of ``token`` with ``error``/``cause``, as ``SendTaskFailure``.

        Retry and Catch see ``error`` (without one, the error output is
        ``{"Error": null, "Cause": null}``, which ``States.ALL`` catches).
        """
        self._task(token)
        self._send(_Reply("failure", error=error, cause=cause))

    def send_task_heartbeat(self, token: str) -> None:
        """Report the task of ``token`` alive (restarts its ``HeartbeatSeconds``)."""
        self._task(token)
        self._send(_Reply("heartbeat"))

    def get_activity_task(
        self, activity_arn: str, worker_name: str | None = None
    ) -> dict[str, str]:
        """Take the waiting task of ``activity_arn``, as ``GetActivityTask``.

        Returns ``{"taskToken", "input"}`` and records ``ActivityStarted`` (with
        ``workerName``), or ``{}`` when no task of that activity waits.
        """
        for pending in self.pending:
            if (
                pending.kind == "activity"
                and pending.resource == activity_arn
                and not pending.started
            ):
                self._send(_Reply("pick", worker=worker_name))
                return {"taskToken": pending.token, "input": pending.input}
        return {}

    def advance(self, seconds: float) -> None:
        """Move the virtual clock forward while a task waits.

        A heartbeat timeout, task timeout or execution timeout passed on the way fires at
        its exact time (``States.Timeout``; ``TaskTimedOut`` / ``ActivityTimedOut``), and
        the execution runs on (Retry, Catch...) until it waits again or ends. Time left
        over counts for the next waiting task.
        """
        if seconds < 0:
            raise ValueError(f"seconds must not be negative, not {seconds!r}")
        if not self.pending:
            raise ExecutionWaitingError(self._waiting_message("has no waiting task"))
        self._send(_Reply("advance", seconds=float(seconds)))

    def wait(self) -> Execution:
        """Run to completion: let waiting tasks time out, then return the execution.

        Raises:
            ExecutionWaitingError: a task waits with no deadline (no ``TimeoutSeconds``,
                ``HeartbeatSeconds`` or execution timeout), so nothing would end it.
        """
        while self.running:
            pending = self.pending[0]
            if pending.deadline is None:
                raise ExecutionWaitingError(self._waiting_message("is still RUNNING"))
            self.advance((pending.deadline - pending.now).total_seconds())
        return self.execution

    result = wait

    def stop(self, error: str | None = None, cause: str | None = None) -> Execution:
        """Stop the execution, as ``StopExecution``: it ends ``ABORTED``.

        A finished execution is returned unchanged.
        """
        if self.running:
            self._send(_Reply("stop", error=error, cause=cause))
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
        if not self.pending:
            return f"execution {arn} {what}"
        p = self.pending[0]
        if p.kind == "activity":
            how = (
                f"take it with get_activity_task({p.resource!r}) and answer it, or answer it "
                "directly"
            )
        else:
            how = "answer it"
        return (
            f"execution {arn} {what}: Task state {p.state_name!r} ({p.resource}) waits for task "
            f"token {p.token}. {how.capitalize()} with send_task_success(token, output) or "
            "send_task_failure(token, error, cause), move time with advance(seconds), or "
            "stop() the execution"
        )

    def __repr__(self) -> str:
        tokens = ", ".join(f"{p.state_name}: {p.token[:12]}..." for p in self.pending)
        return f"<RunningExecution {self.status}{' ' + tokens if tokens else ''}>"
