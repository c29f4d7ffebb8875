"""Nested state machines: ``states:startExecution`` answered by running a child locally.

:class:`NestedExecutions` answers the optimized Step Functions integration in its three
patterns, running the registered child definition to completion under virtual time:

* ``arn:aws:states:::states:startExecution`` (request/response): the child runs (its
  outcome is not awaited by the parent) and the task result is the ``StartExecution``
  response as Step Functions renders it: ``ExecutionArn``, ``SdkHttpMetadata``,
  ``SdkResponseMetadata`` and ``StartDate``. The task takes no virtual time.
* ``...:startExecution.sync``: the task result is the ``DescribeExecution`` response with
  PascalCase members (``ExecutionArn``, ``Input``, ``InputDetails``, ``Name``, ``Output``,
  ``OutputDetails``, ``RedriveCount``, ``RedriveStatus``, ``RedriveStatusReason``,
  ``StartDate``, ``StateMachineArn``, ``Status``, ``StopDate``), with ``Output`` a JSON
  **string**.
* ``...:startExecution.sync:2``: the same, with ``Output`` parsed JSON.

For both ``.sync`` forms the child's run time becomes the task's duration, so the parent's
virtual clock advances by it (and ``TimeoutSeconds`` applies to it). A child that ends
``FAILED``, ``TIMED_OUT`` or ``ABORTED`` fails the task with ``States.TaskFailed``; the cause
is the child's description in the same PascalCase shape, serialized compactly (with
``Error``/``Cause`` when the child has them). AWS documents ``States.TaskFailed`` but not
the exact cause text, so the cause shape is this module's choice (aws-spec.md §5.16).

Dates (``StartDate``, ``StopDate``) are epoch **milliseconds** (JSON integers), as in the
AWS documentation's examples of ``startExecution`` task output. Members are emitted in
alphabetical order, as Step Functions serializes them.

Parameters: ``StateMachineArn`` (required, a state machine ARN; a version or alias suffix is
accepted and ignored), ``Input`` (a JSON value or a JSON text; omitted or ``null`` gives
``{}``) and ``Name`` (default: a UUID derived from the parent execution, state, invocation
and attempt, so reruns are identical). ``AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID`` is
kept in the child's input, as AWS does. The child's seed is derived the same way as its
default name. Errors:

* an ARN not registered: ``StepFunctions.StateMachineDoesNotExistException`` with cause
  ``State Machine Does Not Exist: '<arn>' (Service: AWSStepFunctions; Status Code: 400;
  Error Code: StateMachineDoesNotExist; Request ID: <uuid>; Proxy: null)``;
* a value that is not a state machine ARN: ``StepFunctions.InvalidArnException``;
* an ``Input`` string that is not JSON: ``StepFunctions.InvalidExecutionInputException``.

The child's Task states are answered by ``child_tasks``; its own ``states:startExecution``
tasks are answered by this handler (grandchildren work). Without ``child_tasks`` any other
child Task fails the child with ``pytest_sfn.UnmockedTask`` (``mock_errors="fail"``); with
it, a :class:`~pytest_sfn.errors.MockError` from ``child_tasks`` propagates to the parent.

Not emulated: ``.waitForTaskToken`` (goes to ``fallback``), ``ExecutionAlreadyExists`` on a
reused ``Name``, child executions being visible through a service API.

Example:
    >>> from pytest_sfn.integrations.nested import NestedExecutions
    >>> # parent.execute({}, tasks=NestedExecutions({"Child": child_machine}))
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_sfn._json import dump_compact
from pytest_sfn._types import JSON
from pytest_sfn.engine.ports import TaskHandler, TaskOutcome, TaskRequest
from pytest_sfn.errors import MockError, UnmockedTaskError

if TYPE_CHECKING:
    from pytest_sfn.engine.execution import Execution
    from pytest_sfn.machine import StateMachine

__all__ = ["NestedExecutions", "StateMachineRef", "parse_state_machine_arn"]

_PATTERNS = ("", ".sync", ".sync:2")
_FALLBACK_DATE = datetime(2024, 1, 1, tzinfo=timezone.utc)
_ARN = re.compile(
    r"arn:(?P<partition>aws[a-zA-Z-]*):states:(?P<region>[a-z0-9-]+):(?P<account>\d{12})"
    r":stateMachine:(?P<name>[^:\s]{1,80})(?::(?P<qualifier>[^:\s]{1,128}))?"
)
_SERVICE = (
    "(Service: AWSStepFunctions; Status Code: 400; Error Code: {code}; Request ID: {rid}; "
    "Proxy: null)"
)


@dataclass(frozen=True, slots=True)
class StateMachineRef:
    """A parsed ``arn:<partition>:states:<region>:<account>:stateMachine:<name>[:<qualifier>]``."""

    partition: str
    region: str
    account: str
    name: str
    qualifier: str | None = None

    @property
    def arn(self) -> str:
        """The unqualified state machine ARN."""
        return f"arn:{self.partition}:states:{self.region}:{self.account}:stateMachine:{self.name}"


def parse_state_machine_arn(text: str) -> StateMachineRef | None:
    """Parse a state machine ARN (optionally with a version number or alias).

    Args:
        text: e.g. ``"arn:aws:states:us-east-1:123456789012:stateMachine:Child"``.

    Returns:
        The parsed reference, or ``None`` when ``text`` is not a state machine ARN.
    """
    match = _ARN.fullmatch(text)
    if match is None:
        return None
    return StateMachineRef(
        match["partition"], match["region"], match["account"], match["name"], match["qualifier"]
    )


class NestedExecutions:
    """A :class:`~pytest_sfn.engine.ports.TaskHandler` running child state machines locally.

    Args:
        machines: maps a state machine ARN or bare name to a loaded
            :class:`~pytest_sfn.StateMachine` or a definition path (loaded with
            :meth:`StateMachine.from_source` on first use). An ARN key matches that ARN
            only; a name key matches that name in any region and account. The child runs
            under the requested ARN's name, region and account.
        child_tasks: answers the children's Task states (other than ``startExecution``).
        fallback: answers the parent's other Task states.

    Raises:
        MockError: a key is neither a state machine ARN nor a valid name, or a value is
            neither a ``StateMachine`` nor a path.
    """

    def __init__(
        self,
        machines: Mapping[str, StateMachine | str | Path],
        *,
        child_tasks: TaskHandler | None = None,
        fallback: TaskHandler | None = None,
    ) -> None:
        from pytest_sfn.machine import StateMachine

        self._by_arn: dict[str, StateMachine | str | Path] = {}
        self._by_name: dict[str, StateMachine | str | Path] = {}
        for key, spec in machines.items():
            if not isinstance(spec, (StateMachine, str, Path)):
                raise MockError(
                    f"NestedExecutions: the machine for {key!r} must be a StateMachine or a "
                    f"definition path, got {type(spec).__name__}"
                )
            ref = parse_state_machine_arn(key)
            if ref is not None:
                self._by_arn[ref.arn] = spec
            elif re.fullmatch(r"[^:\s/]{1,80}", key):
                self._by_name[key] = spec
            else:
                raise MockError(
                    f"NestedExecutions: {key!r} is neither a state machine ARN nor a name"
                )
        self._child_tasks = child_tasks
        self._fallback = fallback
        self._bound: dict[str, StateMachine] = {}

    def __call__(self, request: TaskRequest) -> TaskOutcome:
        """Answer one Task attempt (see the module docstring for the shapes)."""
        resource = request.resource
        if (
            resource.kind == "service"
            and resource.service == "states"
            and resource.api == "startExecution"
            and resource.pattern in _PATTERNS
        ):
            return self._start(request)
        if self._fallback is not None:
            return self._fallback(request)
        raise UnmockedTaskError(
            f"Task state {request.state_name!r} uses {resource.arn!r}, which NestedExecutions "
            "does not answer (it runs states:startExecution, .sync and .sync:2); "
            "pass fallback= for other resources"
        )

    # -- startExecution ---------------------------------------------------------------

    def _start(self, request: TaskRequest) -> TaskOutcome:
        params = request.parameters
        rid = _request_id(request)
        if not isinstance(params, dict) or not isinstance(params.get("StateMachineArn"), str):
            raise MockError(
                f"Task state {request.state_name!r}: states:startExecution needs a "
                f"StateMachineArn string parameter, got parameters {_short(params)}"
            )
        arn: str = params["StateMachineArn"]
        ref = parse_state_machine_arn(arn)
        if ref is None:
            return _service_error(
                "InvalidArn", f"Invalid Arn: 'Resource type not valid in this context: {arn}'", rid
            )
        machine = self._machine(ref)
        if machine is None:
            return _service_error(
                "StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'", rid
            )
        child_input = params.get("Input")
        if isinstance(child_input, str):
            try:
                child_input = json.loads(child_input)
            except ValueError as exc:
                return _service_error(
                    "InvalidExecutionInput",
                    f"Invalid State Machine Execution Input: '{exc}'",
                    rid,
                )
        if child_input is None:
            child_input = {}
        digest = _digest(_execution_id(request), request.state_name, str(request.invocation),
                         str(request.attempt))  # fmt: skip
        name = params.get("Name")
        if not isinstance(name, str):
            name = str(uuid.UUID(hex=digest[:32], version=4))
        child = machine.execute(
            child_input,
            tasks=_ChildTasks(self, self._child_tasks),
            name=name,
            seed=int(digest[32:48], 16),
            start_time=_virtual_date(request.context),
            mock_errors="fail" if self._child_tasks is None else "raise",
        )
        if request.resource.pattern == "":
            return TaskOutcome(output=_start_response(child, rid))
        duration = (child.stop_time - child.start_time).total_seconds()
        described = _described(child, parsed_output=request.resource.pattern == ".sync:2")
        if child.status == "SUCCEEDED":
            return TaskOutcome(output=described, duration=duration)
        return TaskOutcome(
            failed=True, error="States.TaskFailed", cause=dump_compact(described),
            duration=duration,
        )  # fmt: skip

    def _machine(self, ref: StateMachineRef) -> StateMachine | None:
        """The registered machine for ``ref``, bound to its name, region and account."""
        from pytest_sfn.machine import StateMachine

        bound = self._bound.get(ref.arn)
        if bound is not None:
            return bound
        spec = self._by_arn.get(ref.arn, self._by_name.get(ref.name))
        if spec is None:
            return None
        machine = spec if isinstance(spec, StateMachine) else StateMachine.from_source(spec)
        if (machine.name, machine.region, machine.account) != (ref.name, ref.region, ref.account):
            machine = StateMachine(
                machine.definition, machine.graph, name=ref.name, type=machine.type,
                region=ref.region, account=ref.account, role_arn=machine.role_arn,
                source=machine.source,
            )  # fmt: skip
        self._bound[ref.arn] = machine
        return machine


class _ChildTasks:
    """Routes a child's nested ``startExecution`` tasks back to the parent's handler."""

    __slots__ = ("nested", "tasks")

    def __init__(self, nested: NestedExecutions, tasks: TaskHandler | None) -> None:
        self.nested, self.tasks = nested, tasks

    def __call__(self, request: TaskRequest) -> TaskOutcome:
        resource = request.resource
        if (resource.kind, resource.service, resource.api) == (
            "service",
            "states",
            "startExecution",
        ) and resource.pattern in _PATTERNS:
            return self.nested(request)
        if self.tasks is not None:
            return self.tasks(request)
        raise UnmockedTaskError(
            f"Task state {request.state_name!r} of a child execution uses {resource.arn!r}; "
            "pass child_tasks= to NestedExecutions to answer the children's tasks"
        )


# -- output shapes ---------------------------------------------------------------------


def _epoch_ms(moment: datetime) -> int:
    return int(round(moment.timestamp() * 1000))


def _described(child: Execution, *, parsed_output: bool) -> dict[str, Any]:
    """The child's ``DescribeExecution`` response, PascalCase, as the task sees it."""
    raw = child.describe()
    out: dict[str, Any] = {}
    for key, value in raw.items():
        member = key[0].upper() + key[1:]
        if key in ("startDate", "stopDate"):
            value = _epoch_ms(value)
        elif key in ("inputDetails", "outputDetails"):
            value = {k[0].upper() + k[1:]: v for k, v in value.items()}
        elif key == "output" and parsed_output:
            value = child.output
        out[member] = value
    return dict(sorted(out.items()))


def _start_response(child: Execution, rid: str) -> dict[str, Any]:
    """The request/response ``startExecution`` result (the SDK response plus HTTP metadata)."""
    start = child.start_time
    seconds = f"{start.timestamp():.3f}".rstrip("0").rstrip(".")
    body = f'{{"executionArn":"{child.execution_arn}","startDate":{seconds}}}'
    date = format_datetime(start.astimezone(timezone.utc), usegmt=True)
    length = str(len(body.encode()))
    headers = {
        "Content-Length": length,
        "Content-Type": "application/x-amz-json-1.0",
        "Date": date,
        "connection": "keep-alive",
        "x-amzn-RequestId": rid,
    }
    return {
        "ExecutionArn": child.execution_arn,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {k: [v] for k, v in headers.items()},
            "HttpHeaders": headers,
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": rid},
        "StartDate": _epoch_ms(start),
    }


def _service_error(code: str, message: str, rid: str) -> TaskOutcome:
    """A failed ``StartExecution`` call, named and worded as the optimized integration does."""
    return TaskOutcome(
        failed=True,
        error=f"StepFunctions.{code}Exception",
        cause=f"{message} {_SERVICE.format(code=code, rid=rid)}",
    )


# -- deterministic identifiers ---------------------------------------------------------


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(("nested", *parts)).encode()).hexdigest()


def _execution_id(request: TaskRequest) -> str:
    context = request.context
    execution = context.get("Execution", {}) if isinstance(context, dict) else {}
    return str(execution.get("Id", "")) if isinstance(execution, dict) else ""


def _request_id(request: TaskRequest) -> str:
    """A UUID that is the same for the same execution, state, invocation and attempt."""
    seed = _digest(
        "request", _execution_id(request), request.state_name, str(request.invocation),
        str(request.attempt),
    )  # fmt: skip
    return str(uuid.UUID(hex=seed[:32], version=4))


def _virtual_date(context: JSON) -> datetime:
    """``$$.State.EnteredTime`` (else ``$$.Execution.StartTime``) as a datetime."""
    if isinstance(context, dict):
        for section, key in (("State", "EnteredTime"), ("Execution", "StartTime")):
            part = context.get(section)
            value = part.get(key) if isinstance(part, dict) else None
            if isinstance(value, str):
                try:
                    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
                except ValueError:
                    continue
                return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return _FALLBACK_DATE


def _short(value: JSON) -> str:
    text = dump_compact(value)
    return text if len(text) <= 200 else text[:197] + "..."
