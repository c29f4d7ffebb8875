"""Callbacks and activities in the local service: executions that wait, and their answers.

``StartExecution`` of a STANDARD state machine runs the execution until it ends or a
``.waitForTaskToken`` / activity Task waits for an answer nothing in the client's
``results``/mocks gives; it is then ``RUNNING`` (``DescribeExecution`` without
``stopDate``, the history so far). ``SendTaskSuccess`` / ``SendTaskFailure`` /
``SendTaskHeartbeat`` answer its token, ``GetActivityTask`` hands out a waiting activity
task, ``StopExecution`` aborts it (a redrivable ``ABORTED`` execution; ``RedriveExecution``
then re-schedules the waiting Task and, like ``StartExecution``, leaves the execution
``RUNNING`` while it waits again). Activities are created, described, listed and deleted
as on AWS; an activity Task whose activity does not exist fails with ``States.Runtime``
(AWS-recorded wording).

Time: an execution waits at the virtual time it reached; answers arrive at that time.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pytest_sfn.engine.callbacks import RunningExecution, token_error
from pytest_sfn.engine.ports import TaskHandler, TaskOutcome, TaskRequest
from pytest_sfn.errors import StatesError, TaskTokenError
from pytest_sfn.service import errors
from pytest_sfn.service.arns import parse_arn
from pytest_sfn.service.errors import ApiError
from pytest_sfn.service.jackson import JsonSyntaxError, decode
from pytest_sfn.service.pagination import page
from pytest_sfn.service.resources import RequestContext, Run, check_name
from pytest_sfn.service.tasks import keep_input_text

if TYPE_CHECKING:
    from pytest_sfn.service.backend import SfnBackend

__all__ = [
    "Activity",
    "CallbackState",
    "ServiceTasks",
    "create_activity",
    "delete_activity",
    "describe_activity",
    "get_activity_task",
    "list_activities",
    "send_task_failure",
    "send_task_heartbeat",
    "send_task_success",
]

_DEFAULT_ENCRYPTION = {"type": "AWS_OWNED_KEY"}


@dataclass(slots=True)
class Activity:
    """An activity created with ``CreateActivity``."""

    arn: str
    name: str
    created: datetime
    encryption: dict[str, Any]
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class CallbackState:
    """The backend's activities, waiting executions and closed task tokens."""

    activities: dict[str, Activity] = field(default_factory=dict)
    running: dict[str, RunningExecution] = field(default_factory=dict)
    closed_tokens: set[str] = field(default_factory=set)


def state(backend: SfnBackend) -> CallbackState:
    """The callback state of ``backend`` (made on first use)."""
    found: CallbackState | None = backend.__dict__.get("_callbacks")
    if found is None:
        found = backend.__dict__["_callbacks"] = CallbackState()
    return found


class ServiceTasks:
    """Wraps an execution's task handler: an activity that does not exist fails the state."""

    __slots__ = ("activities", "inner")

    def __init__(self, inner: TaskHandler, activities: dict[str, Activity]) -> None:
        self.inner = inner
        self.activities = activities

    def __call__(self, request: TaskRequest) -> TaskOutcome:
        resource = request.resource
        if resource.kind == "activity" and resource.arn not in self.activities:
            raise StatesError("States.Runtime", f"The activity {resource.arn} does not exist.")
        return self.inner(request)


def track(backend: SfnBackend, run: Run, handle: RunningExecution) -> Run:
    """Keep a started execution: the service's :class:`Run` with its current state."""
    st = state(backend)
    arn = run.execution.execution_arn
    if handle.running:
        st.running[arn] = handle
    return _refresh(backend, run, handle)


def _refresh(backend: SfnBackend, run: Run, handle: RunningExecution) -> Run:
    st = state(backend)
    execution = keep_input_text(handle.snapshot(), run.input_text)
    run = replace(run, execution=execution)
    arn = execution.execution_arn
    if not handle.running:
        st.running.pop(arn, None)
        st.closed_tokens.update(handle.tokens)
        backend._now = max(backend._now, execution.stop_time)
    backend._runs[arn] = run
    return run


def refresh(backend: SfnBackend, arn: str) -> None:
    """Record the current state of the waiting execution ``arn`` after an answer."""
    handle = state(backend).running.get(arn)
    if handle is not None:
        _refresh(backend, backend._runs[arn], handle)


def stop(backend: SfnBackend, arn: str, error: str | None, cause: str | None) -> bool:
    """Abort the waiting execution ``arn``; ``False`` when it is not waiting."""
    handle = state(backend).running.get(arn)
    if handle is None:
        return False
    handle.stop(error, cause)
    refresh(backend, arn)
    return True


def _owner(backend: SfnBackend, ctx: RequestContext, token: str) -> tuple[str, RunningExecution]:
    """The waiting execution whose task ``token`` is; AWS's errors otherwise."""
    st = state(backend)
    for arn, handle in st.running.items():
        if ctx.owns(arn) and token in handle.pending_tokens:
            return arn, handle
    if not token.startswith("AQC"):
        raise _api(token_error("InvalidToken", token))
    if token in st.closed_tokens or any(token in h.tokens for h in st.running.values()):
        raise _api(token_error("TaskTimedOut", token))
    raise _api(token_error("TaskDoesNotExist", token))


def _api(exc: TaskTokenError) -> ApiError:
    return ApiError(exc.code, exc.message)


def send_task_success(
    backend: SfnBackend, ctx: RequestContext, req: dict[str, Any]
) -> dict[str, Any]:
    """``SendTaskSuccess``: the output (JSON text) becomes the task's result."""
    token: str = req["taskToken"]
    arn, handle = _owner(backend, ctx, token)
    try:
        output = decode(req["output"])
    except JsonSyntaxError as exc:
        raise ApiError("InvalidOutput", f"Invalid Output: '{exc.problem}'") from None
    try:
        handle.send_task_success(token, output)
    except TaskTokenError as exc:
        raise _api(exc) from None
    refresh(backend, arn)
    return {}


def send_task_failure(
    backend: SfnBackend, ctx: RequestContext, req: dict[str, Any]
) -> dict[str, Any]:
    """``SendTaskFailure``: the task fails with ``error``/``cause`` (Retry/Catch see it)."""
    token: str = req["taskToken"]
    arn, handle = _owner(backend, ctx, token)
    handle.send_task_failure(token, req.get("error"), req.get("cause"))
    refresh(backend, arn)
    return {}


def send_task_heartbeat(
    backend: SfnBackend, ctx: RequestContext, req: dict[str, Any]
) -> dict[str, Any]:
    """``SendTaskHeartbeat``: the task is alive."""
    token: str = req["taskToken"]
    arn, handle = _owner(backend, ctx, token)
    handle.send_task_heartbeat(token)
    refresh(backend, arn)
    return {}


# --- activities -----------------------------------------------------------------------------


def _activity_arn(text: str) -> str:
    arn = parse_arn(text)
    if arn.service != "states" or arn.resource_type != "activity" or not arn.rest:
        raise errors.resource_type_not_valid(arn.resource_type)
    return text


def activity_does_not_exist(arn: str) -> ApiError:
    """``ActivityDoesNotExist`` (UNCONFIRMED wording, as the other *DoesNotExist errors)."""
    return ApiError("ActivityDoesNotExist", f"Activity Does Not Exist: '{arn}'")


def _activity(backend: SfnBackend, ctx: RequestContext, text: str) -> Activity:
    arn = _activity_arn(text)
    found = state(backend).activities.get(arn) if ctx.owns(arn) else None
    if found is None:
        raise activity_does_not_exist(arn)
    return found


def create_activity(
    backend: SfnBackend, ctx: RequestContext, req: dict[str, Any]
) -> dict[str, Any]:
    """``CreateActivity``: idempotent for the same name and encryption configuration."""
    name: str = req["name"]
    check_name(name)
    arn = f"arn:aws:states:{ctx.region}:{ctx.account}:activity:{name}"
    encryption = dict(req.get("encryptionConfiguration") or _DEFAULT_ENCRYPTION)
    activities = state(backend).activities
    existing = activities.get(arn)
    if existing is not None:
        if existing.encryption != encryption:
            raise ApiError(
                "ActivityAlreadyExists",
                "Activity already exists. EncryptionConfiguration may not be updated.",
            )
        return {"activityArn": arn, "creationDate": existing.created}
    activity = Activity(arn, name, backend._tick(), encryption)
    for tag in req.get("tags") or []:
        activity.tags[str(tag.get("key"))] = str(tag.get("value", ""))
    activities[arn] = activity
    return {"activityArn": arn, "creationDate": activity.created}


def describe_activity(
    backend: SfnBackend, ctx: RequestContext, req: dict[str, Any]
) -> dict[str, Any]:
    """``DescribeActivity``."""
    activity = _activity(backend, ctx, req["activityArn"])
    return {
        "activityArn": activity.arn,
        "name": activity.name,
        "creationDate": activity.created,
        "encryptionConfiguration": activity.encryption,
    }


def list_activities(
    backend: SfnBackend, ctx: RequestContext, req: dict[str, Any]
) -> dict[str, Any]:
    """``ListActivities``: sorted by name, paged."""
    mine = sorted(
        (a for a in state(backend).activities.values() if ctx.owns(a.arn)), key=lambda a: a.name
    )
    items, token = page(
        mine, query=f"activities:{ctx.region}:{ctx.account}",
        max_results=req.get("maxResults"), next_token=req.get("nextToken"),
    )  # fmt: skip
    out: dict[str, Any] = {
        "activities": [
            {"activityArn": a.arn, "name": a.name, "creationDate": a.created} for a in items
        ]
    }
    if token is not None:
        out["nextToken"] = token
    return out


def delete_activity(
    backend: SfnBackend, ctx: RequestContext, req: dict[str, Any]
) -> dict[str, Any]:
    """``DeleteActivity``: succeeds for an activity that does not exist."""
    arn = _activity_arn(req["activityArn"])
    if ctx.owns(arn):
        state(backend).activities.pop(arn, None)
    return {}


def get_activity_task(
    backend: SfnBackend, ctx: RequestContext, req: dict[str, Any]
) -> dict[str, Any]:
    """``GetActivityTask``: the oldest waiting task of the activity, or ``{}`` (no wait)."""
    activity = _activity(backend, ctx, req["activityArn"])
    st = state(backend)
    waiting = sorted(st.running.items(), key=lambda item: backend._runs[item[0]].sequence)
    for arn, handle in waiting:
        task = handle.get_activity_task(activity.arn, req.get("workerName"))
        if task:
            refresh(backend, arn)
            return task
    return {}
