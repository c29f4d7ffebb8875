"""One Task attempt: ask the task handler, apply timeouts and heartbeats, record the events.

The event family depends on the resource: ``Task*`` events for service integrations
(``arn:aws:states:::...``), ``LambdaFunction*`` for a bare Lambda function ARN, and
``Activity*`` for activities.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_sfn._types import JSON
from pytest_sfn.engine.execution import TaskCall
from pytest_sfn.engine.failure import MockFailure
from pytest_sfn.engine.history import payload
from pytest_sfn.engine.ports import CallbackWaiter, PendingCall, TaskOutcome, TaskRequest
from pytest_sfn.engine.runtime import NOT_TRUNCATED, Frame, Thread, Visit
from pytest_sfn.errors import (
    MOCK_ERROR,
    UNMOCKED_TASK_ERROR,
    MockError,
    StatesError,
    UnmockedTaskError,
)
from pytest_sfn.expressions.payload import evaluate_template
from pytest_sfn.model.resource import Resource
from pytest_sfn.model.states import TaskState

if TYPE_CHECKING:
    from pytest_sfn.engine.run import Interpreter

_TIMEOUT = "States.Timeout"
_LIMIT = 262_144
_TOKEN_PATTERNS = (".waitForTaskToken",)


def _positive_int(value: JSON, field_name: str, path_text: str | None) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or int(value) != value
        or value <= 0
    ):
        where = f": {path_text} == {payload(value)}" if path_text else ""
        raise StatesError(
            "States.Runtime", f"The {field_name} value must be a positive integer{where}"
        )
    return int(value)


def _seconds(
    it: Interpreter, state: TaskState, effective: JSON, visit: Visit, frame: Frame, name: str
) -> int | None:
    literal = state.timeout_seconds if name == "TimeoutSeconds" else state.heartbeat_seconds
    path = state.timeout_seconds_path if name == "TimeoutSeconds" else state.heartbeat_seconds_path
    if literal is None and path is None:
        return None
    value = it.resolve_number(literal, path, name, effective, visit, frame)
    return _positive_int(
        value, name if path is None else name + "Path", path.text if path else None
    )


class _Events:
    """Names and details of the event family a resource uses."""

    def __init__(self, state: TaskState, region: str) -> None:
        self.resource = state.resource
        self.kind = state.resource.kind
        self.region = region

    def _base(self) -> dict[str, Any]:
        return {"resourceType": self.resource.service, "resource": self.resource.history_resource}

    def scheduled(
        self, parameters: JSON, timeout: int | None, heartbeat: int | None, credentials: JSON
    ) -> tuple[str, dict[str, Any]]:
        if self.kind == "lambda":
            details: dict[str, Any] = {
                "resource": self.resource.arn,
                "input": payload(parameters),
                "inputDetails": NOT_TRUNCATED,
            }
            if timeout is not None:
                details["timeoutInSeconds"] = timeout
            if credentials is not None:
                details["taskCredentials"] = credentials
            return "LambdaFunctionScheduled", details
        if self.kind == "activity":
            details = {
                "resource": self.resource.arn,
                "input": payload(parameters),
                "inputDetails": NOT_TRUNCATED,
            }
            if timeout is not None:
                details["timeoutInSeconds"] = timeout
            if heartbeat is not None:
                details["heartbeatInSeconds"] = heartbeat
            return "ActivityScheduled", details
        details = {**self._base(), "region": self.region, "parameters": payload(parameters)}
        if timeout is not None:
            details["timeoutInSeconds"] = timeout
        if heartbeat is not None:
            details["heartbeatInSeconds"] = heartbeat
        if credentials is not None:
            details["taskCredentials"] = credentials
        return "TaskScheduled", details

    def started(self) -> tuple[str, dict[str, Any] | None]:
        if self.kind == "lambda":
            return "LambdaFunctionStarted", None
        if self.kind == "activity":
            return "ActivityStarted", {"workerName": "pytest-sfn"}
        return "TaskStarted", self._base()

    def submitted(self, response: JSON) -> dict[str, Any]:
        """``TaskSubmitted``: the initial API response of a callback task."""
        output = payload(response if response is not None else {})
        return {**self._base(), "output": output, "outputDetails": NOT_TRUNCATED}

    def _family(self, outcome: str) -> str:
        return {"lambda": "LambdaFunction", "activity": "Activity"}.get(self.kind, "Task") + outcome

    def succeeded(self, output: JSON) -> tuple[str, dict[str, Any]]:
        details = {"output": payload(output), "outputDetails": NOT_TRUNCATED}
        if self.kind not in ("lambda", "activity"):
            details = {**self._base(), **details}
        return self._family("Succeeded"), details

    def failed(
        self, outcome: str, error: str | None, cause: str | None
    ) -> tuple[str, dict[str, Any]]:
        details: dict[str, Any] = {} if self.kind in ("lambda", "activity") else self._base()
        if error is not None:
            details["error"] = error
        if cause is not None:
            details["cause"] = cause
        return self._family(outcome), details


def run_task(
    it: Interpreter,
    state: TaskState,
    parameters: JSON,
    effective: JSON,
    thread: Thread,
    frame: Frame,
    visit: Visit,
    *,
    timeouts: tuple[int | None, int | None] | None = None,
    credentials: JSON = None,
) -> JSON:
    """Run one attempt of ``state``; returns the raw result or raises :class:`StatesError`.

    JSONata states pass their evaluated ``timeouts`` (TimeoutSeconds, HeartbeatSeconds)
    and ``credentials``; JSONPath states have them resolved here.
    """
    if timeouts is None:
        timeout = _seconds(it, state, effective, visit, frame, "TimeoutSeconds")
        heartbeat = _seconds(it, state, effective, visit, frame, "HeartbeatSeconds")
        if state.credentials is not None:
            credentials = evaluate_template(state.credentials, it.scope(effective, visit, frame))
    else:
        timeout, heartbeat = timeouts
    if heartbeat is not None and timeout is not None and heartbeat >= timeout:
        raise StatesError("States.Runtime", "HeartbeatSeconds must be smaller than TimeoutSeconds")
    events = _Events(state, it.config.region)
    activity = state.resource.kind == "activity"
    if not activity:
        name, details = events.scheduled(parameters, timeout, heartbeat, _role(credentials))
        thread.last = it.add(name, thread.last, details)
    invocation = it.invocations.get(state.name, 0)
    it.invocations[state.name] = invocation + 1
    request = TaskRequest(
        state_name=state.name,
        resource=state.resource,
        parameters=parameters,
        context=it.context(visit),
        attempt=visit.retry_count,
        task_token=visit.task_token,
        timeout_seconds=timeout,
        heartbeat_seconds=heartbeat,
        invocation=invocation,
    )
    started_at = it.clock.now()
    outcome = _ask(it, request)
    if activity:
        # Asked first: an activity that does not exist fails before ActivityScheduled (OBS).
        name, details = events.scheduled(parameters, timeout, heartbeat, _role(credentials))
        thread.last = it.add(name, thread.last, details)
    call = _CallRecorder(it, state, frame, request, started_at)
    pending = outcome.pending
    if pending:
        outcome = _wait(it, request, events, thread, started_at, outcome)
    else:
        name, started = events.started()
        thread.last = it.add(name, thread.last, started)
        if state.resource.pattern == ".waitForTaskToken" and state.resource.kind == "service":
            thread.last = it.add("TaskSubmitted", thread.last, events.submitted(outcome.submitted))

    # A waited-for task times out the moment a deadline is reached; a mocked duration
    # equal to the timeout still completes.
    expired = _expiry(outcome, timeout, heartbeat, inclusive=pending)
    if expired is not None:
        at, by_heartbeat = expired
        it.clock.advance(at)
        name, details = events.failed("TimedOut", _TIMEOUT, None)
        thread.last = it.add(name, thread.last, details)
        err = StatesError(_TIMEOUT, None)
        err.heartbeat = by_heartbeat  # type: ignore[attr-defined]
        call.failed(_TIMEOUT, None)
        raise err
    it.clock.advance(outcome.duration)
    if outcome.failed:
        name, details = events.failed("Failed", outcome.error, outcome.cause)
        thread.last = it.add(name, thread.last, details)
        call.failed(outcome.error, outcome.cause)
        raise StatesError(outcome.error, outcome.cause)
    try:
        text = payload(outcome.output)
    except (TypeError, ValueError) as exc:
        raise MockError(
            f"Task state {state.name!r} returned a value that is not JSON ({exc}); "
            "results must be dicts, lists, strings, numbers, booleans or None"
        ) from None
    if len(text.encode()) > _LIMIT:
        error = "States.DataLimitExceeded"
        # AWS-recorded: service integrations are named by resourceType ('lambda'),
        # Lambda function and activity ARNs by the ARN.
        who = state.resource.service if state.resource.kind == "service" else state.resource.arn
        cause = (
            f"The state/task '{who}' returned a result with a size exceeding "
            "the maximum number of bytes service limit."
        )
        name, details = events.failed("Failed", error, cause)
        thread.last = it.add(name, thread.last, details)
        call.failed(error, cause)
        raise StatesError(error, cause)
    call.succeeded(outcome.output)
    name, details = events.succeeded(outcome.output)
    thread.last = it.add(name, thread.last, details)
    return outcome.output


class _CallRecorder:
    """Appends the :class:`TaskCall` of one invocation once its outcome is known."""

    __slots__ = ("it", "state", "frame", "request", "started_at")

    def __init__(self, it: Interpreter, state: TaskState, frame: Frame, request: TaskRequest,
                 started_at: Any) -> None:  # fmt: skip
        self.it, self.state, self.frame = it, state, frame
        self.request, self.started_at = request, started_at

    def _add(self, result: JSON, error: str | None, cause: str | None, failed: bool) -> None:
        request = self.request
        self.it.calls.append(
            TaskCall(
                state=request.state_name,
                scope=self.frame.scope,
                attempt=request.attempt,
                parameters=request.parameters,
                resource=self.state.resource.arn,
                result=result,
                error=error,
                cause=cause,
                started_at=self.started_at,
                finished_at=self.it.clock.now(),
                failed=failed,
            )
        )

    def succeeded(self, result: JSON) -> None:
        self._add(result, None, None, False)

    def failed(self, error: str | None, cause: str | None) -> None:
        self._add(None, error, cause, True)


def state_call(
    it: Interpreter, state_name: str, visit: Visit, arn: str, parameters: JSON, what: str
) -> TaskOutcome:
    """Send a service call a state makes itself to the execution's task handler.

    A Distributed Map's ``ItemReader`` and ``ResultWriter`` call S3 (``arn``) on their own;
    each call is answered like an invocation of a Task named after the state, so results,
    mocks and botocore clients answer it. The invocation counts once answered.

    Raises:
        MockError: the handler's (e.g. :class:`UnmockedTaskError`), or an answer that would
            wait for a callback (``what`` names the caller in the message).
    """
    invocation = it.invocations.get(state_name, 0)
    request = TaskRequest(
        state_name=state_name,
        resource=Resource.parse(arn),
        parameters=parameters,
        context=it.context(visit),
        invocation=invocation,
    )
    outcome = it.tasks(request)
    if outcome.pending:
        raise MockError(f"the {what} of Map state {state_name!r} cannot wait for an answer")
    it.invocations[state_name] = invocation + 1
    return outcome


def _ask(it: Interpreter, request: TaskRequest) -> TaskOutcome:
    """The task handler's answer; a mock problem raises, or fails the execution outright."""
    try:
        outcome = it.tasks(request)
        if outcome.pending:
            _check_can_wait(it, request)
        return outcome
    except MockError as exc:
        if not it.config.fail_on_mock_error:
            raise
        error = UNMOCKED_TASK_ERROR if isinstance(exc, UnmockedTaskError) else MOCK_ERROR
        # No Retry or Catch sees this: it is a problem of the test, not of the workflow.
        raise MockFailure(error, str(exc)) from None


def _check_can_wait(it: Interpreter, request: TaskRequest) -> None:
    """A pending answer needs a callback or activity task and a waiter (``start()``)."""
    if request.task_token is None:
        raise MockError(
            f"Task state {request.state_name!r} (resource {request.resource.arn}) was answered "
            "'pending', but only .waitForTaskToken and activity tasks can wait for an answer"
        )
    if getattr(it.tasks, "wait_for_answer", None) is None:
        raise UnmockedTaskError(
            f"Task state {request.state_name!r} (resource {request.resource.arn}) waits for "
            f"task token {request.task_token}, and execute() cannot answer it: give it a "
            "result, or run the execution with StateMachine.start() and answer it with "
            "send_task_success()/send_task_failure()"
        )


def _wait(
    it: Interpreter,
    request: TaskRequest,
    events: _Events,
    thread: Thread,
    started_at: Any,
    first: TaskOutcome,
) -> TaskOutcome:
    """Record the task as started/submitted, then wait for the test to answer it."""
    waiter: CallbackWaiter = it.tasks  # type: ignore[assignment]  # checked by _ask
    if events.kind == "activity":

        def mark_started(worker: str | None) -> None:
            details = {"workerName": worker} if worker is not None else {}
            thread.last = it.add("ActivityStarted", thread.last, details)

    else:
        name, started = events.started()
        thread.last = it.add(name, thread.last, started)
        if request.resource.pattern == ".waitForTaskToken":
            thread.last = it.add("TaskSubmitted", thread.last, events.submitted(first.submitted))

        def mark_started(worker: str | None) -> None:
            return None

    return waiter.wait_for_answer(PendingCall(request, started_at, it, mark_started))


def _expiry(
    outcome: TaskOutcome, timeout: int | None, heartbeat: int | None, *, inclusive: bool = False
) -> tuple[float, bool] | None:
    """When (seconds after start) the task times out, and whether by heartbeat.

    ``inclusive``: a deadline reached exactly counts as passed.
    """
    duration = outcome.duration
    if heartbeat is not None:
        last = 0.0
        for beat in (*sorted(outcome.heartbeats), duration):
            gap = beat - last
            if gap > heartbeat or (inclusive and gap >= heartbeat):
                at = last + heartbeat
                if timeout is None or at < timeout:
                    return at, True
                break
            last = beat
    if timeout is not None and (duration > timeout or (inclusive and duration >= timeout)):
        return float(timeout), False
    return None


def expiry_in(
    timeout: float | None, heartbeat: float | None, heartbeats: tuple[float, ...]
) -> float | None:
    """Seconds after the start at which a waiting task times out (``None``: never)."""
    candidates = []
    if heartbeat is not None:
        candidates.append(max((0.0, *heartbeats)) + heartbeat)
    if timeout is not None:
        candidates.append(float(timeout))
    return min(candidates) if candidates else None


def new_task_token(it: Interpreter, state: TaskState) -> str | None:
    """A fresh task token for callback and activity tasks (a new one per attempt), else None."""
    if state.resource.pattern in _TOKEN_PATTERNS or state.resource.kind == "activity":
        return "AQC" + it.uuid4().replace("-", "") + it.uuid4().replace("-", "")
    return None


def _role(credentials: JSON) -> JSON:
    if isinstance(credentials, dict) and "RoleArn" in credentials:
        return {"roleArn": credentials["RoleArn"]}
    return None
