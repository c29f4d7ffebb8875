"""``SfnBackend``: the state of the local Step Functions service and its operations.

Every operation takes the decoded request (the ``awsJson1_0`` body) and returns the response
members, or raises :class:`~pytest_sfn.service.errors.ApiError`. Requests are first checked
against the botocore model (:mod:`pytest_sfn.service.validation`), as AWS does.

Time: a deterministic service clock starts at 2024-01-01T00:00:00Z and moves 1 ms forward
for each resource created, updated or started. Executions run under virtual time inside
``StartExecution`` (and ``RedriveExecution``) until they end, or until a ``.waitForTaskToken``
or activity Task waits for an answer nobody gave: the execution is then ``RUNNING`` until
``SendTaskSuccess``/``SendTaskFailure`` (or ``GetActivityTask`` and a worker's answer) let it
go on, or ``StopExecution`` aborts it (:mod:`pytest_sfn.service.callbacks`). The clock jumps
to an execution's stop time when it ends, so every result is reproducible.

Tasks are answered as :mod:`pytest_sfn.service.tasks` describes, or, when the caller's
:class:`RequestContext` has a ``tasks`` factory, by the handler it makes for each execution; a
Task that nothing answers ends its execution ``FAILED`` with error ``pytest_sfn.UnmockedTask``
(a callback or activity Task waits instead).
"""

from __future__ import annotations

import math
import random
import threading
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from pytest_sfn.engine.clock import DEFAULT_START
from pytest_sfn.engine.execution import Execution
from pytest_sfn.engine.ports import TaskHandler
from pytest_sfn.errors import MockError
from pytest_sfn.machine import StateMachine
from pytest_sfn.service import callbacks, errors
from pytest_sfn.service.arns import execution_arn, parse_arn, parse_execution_arn, parse_machine_arn
from pytest_sfn.service.definitions import check_definition
from pytest_sfn.service.errors import ApiError
from pytest_sfn.service.pagination import page
from pytest_sfn.service.resources import (
    Machine,
    RequestContext,
    Run,
    add_tags,
    check_name,
    checked_definition,
    compile_machine,
    execution_input,
    list_item,
    logging_configuration,
    payloads,
    reject_versions,
)
from pytest_sfn.service.session import service_model
from pytest_sfn.service.tasks import UNMOCKED_TASK_ERROR, keep_input_text, task_handler
from pytest_sfn.service.teststate_op import test_state_operation
from pytest_sfn.service.validation import validate_request

__all__ = [
    "UNMOCKED_TASK_ERROR",
    "RequestContext",
    "SfnBackend",
    "TaskFactory",
]

_TICK = timedelta(milliseconds=1)
#: How long a RedriveExecution client token stays valid (AWS: 15 minutes).
_TOKEN_LIFETIME = timedelta(minutes=15)
_BILLED_MEMORY_MB = 64
_DEFAULT_ENCRYPTION = {"type": "AWS_OWNED_KEY"}


Operation = Callable[["SfnBackend", RequestContext, dict[str, Any]], dict[str, Any]]

#: Makes the task handler of one execution from the state machine it runs and the Step
#: Functions Local test case it was started with (``None`` for a plain ARN).
TaskFactory = Callable[[StateMachine, "str | None"], TaskHandler]


class SfnBackend:
    """The in-memory Step Functions service behind :func:`~pytest_sfn.local_client`.

    Share one between clients (``local_client(backend=...)``) to let them see the same
    state machines and executions. Thread-safe: operations run one at a time.
    """

    def __init__(self, *, start_time: datetime = DEFAULT_START) -> None:
        self._lock = threading.RLock()
        self._now = start_time
        self._rng = random.Random(0)
        self._requests = 0
        self._started = 0
        self._machines: dict[str, Machine] = {}
        self._runs: dict[str, Run] = {}

    # --- plumbing -----------------------------------------------------------------------

    def handle(self, operation: str, params: dict[str, Any], ctx: RequestContext) -> dict[str, Any]:
        """Run one API operation.

        Args:
            operation: the operation name (``StartExecution``).
            params: the decoded request.
            ctx: the caller.

        Raises:
            ApiError: the error response AWS gives.
        """
        method = _OPERATIONS.get(operation)
        if method is None:
            raise errors.unsupported(f"the {operation} operation")
        validate_request(service_model().operation_model(operation).input_shape, params)
        with self._lock:
            return method(self, ctx, params)

    def next_request_id(self) -> str:
        """A deterministic ``x-amzn-RequestId``."""
        with self._lock:
            self._requests += 1
            return str(uuid.UUID(int=self._requests, version=4))

    def now(self) -> datetime:
        """The service clock."""
        return self._now

    def _tick(self) -> datetime:
        self._now += _TICK
        return self._now

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def _machine(
        self, ctx: RequestContext, arn_text: str, *, allow_test_case: bool = False
    ) -> tuple[Machine, str | None]:
        arn, test_case = parse_machine_arn(arn_text)
        machine = self._machines.get(arn.text) if ctx.owns(arn.text) else None
        if machine is None or (test_case is not None and not allow_test_case):
            raise errors.state_machine_does_not_exist(arn.text if allow_test_case else arn_text)
        return machine, test_case

    def _run(self, ctx: RequestContext, arn_text: str) -> Run:
        parse_execution_arn(arn_text)
        run = self._runs.get(arn_text) if ctx.owns(arn_text) else None
        if run is None:
            raise errors.execution_does_not_exist(arn_text)
        return run

    # --- state machines -----------------------------------------------------------------

    def create_state_machine(self, ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
        """``CreateStateMachine``; idempotent for an identical request (roleArn and tags aside)."""
        name: str = req["name"]
        check_name(name)
        machine_type = req.get("type") or "STANDARD"
        logging = logging_configuration(req.get("loggingConfiguration"))
        tracing = {"enabled": bool((req.get("tracingConfiguration") or {}).get("enabled", False))}
        reject_versions(req)
        arn = f"arn:aws:states:{ctx.region}:{ctx.account}:stateMachine:{name}"
        existing = self._machines.get(arn)
        if existing is not None:
            same = (existing.definition, existing.type, existing.logging, existing.tracing)
            if same == (req["definition"], machine_type, logging, tracing):
                return {"stateMachineArn": existing.arn, "creationDate": existing.created}
            raise errors.state_machine_already_exists(arn)
        decoded = checked_definition(req["definition"], machine_type)
        encryption = dict(req.get("encryptionConfiguration") or _DEFAULT_ENCRYPTION)
        created = self._tick()
        machine = Machine(
            arn=arn, name=name, type=machine_type, definition=req["definition"], decoded=decoded,
            role_arn=req["roleArn"], created=created, updated=created, logging=logging,
            tracing=tracing, encryption=encryption,
        )  # fmt: skip
        compile_machine(machine, ctx)
        add_tags(machine, req.get("tags") or [])
        self._machines[arn] = machine
        return {"stateMachineArn": arn, "creationDate": created}

    def describe_state_machine(self, ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
        """``DescribeStateMachine``."""
        machine, _ = self._machine(ctx, req["stateMachineArn"])
        return {
            **machine.configuration(),
            "status": "ACTIVE",
            "type": machine.type,
            "creationDate": machine.created,
        }

    def list_state_machines(self, ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
        """``ListStateMachines``: sorted by name, paged."""
        mine = sorted((m for m in self._machines.values() if ctx.owns(m.arn)), key=lambda m: m.name)
        items, token = page(
            mine, query=f"machines:{ctx.region}:{ctx.account}",
            max_results=req.get("maxResults"), next_token=req.get("nextToken"),
        )  # fmt: skip
        out: dict[str, Any] = {
            "stateMachines": [
                {
                    "stateMachineArn": m.arn,
                    "name": m.name,
                    "type": m.type,
                    "creationDate": m.created,
                }
                for m in items
            ]
        }
        return _with_token(out, token)

    def delete_state_machine(self, ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
        """``DeleteStateMachine``: succeeds for a machine that does not exist (OBS)."""
        arn, _ = parse_machine_arn(req["stateMachineArn"])
        if ctx.owns(arn.text):
            self._machines.pop(req["stateMachineArn"], None)
        return {}

    def update_state_machine(self, ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
        """``UpdateStateMachine``: a new ``revisionId`` when something changed."""
        machine, _ = self._machine(ctx, req["stateMachineArn"])
        fields = ("definition", "roleArn", "loggingConfiguration", "tracingConfiguration")
        if all(req.get(f) is None for f in fields):
            raise ApiError(
                "MissingRequiredParameter",
                "Either the definition, the role ARN, the LoggingConfiguration, or the "
                "TracingConfiguration must be specified",
            )
        reject_versions(req)
        definition = req.get("definition", machine.definition)
        decoded = machine.decoded
        if "definition" in req:
            decoded = checked_definition(definition, machine.type)
        logging = machine.logging
        if req.get("loggingConfiguration") is not None:
            logging = logging_configuration(req["loggingConfiguration"])
        tracing = machine.tracing
        if req.get("tracingConfiguration") is not None:
            tracing = {"enabled": bool(req["tracingConfiguration"].get("enabled", False))}
        role_arn = req.get("roleArn", machine.role_arn)
        now = self._tick()
        before = (machine.definition, machine.role_arn, machine.logging, machine.tracing)
        if (definition, role_arn, logging, tracing) != before:
            machine.definition, machine.decoded, machine.role_arn = definition, decoded, role_arn
            machine.logging, machine.tracing = logging, tracing
            machine.revision_id = self._uuid()
            machine.updated = now
            compile_machine(machine, ctx)
        out: dict[str, Any] = {"updateDate": now}
        if machine.revision_id is not None:
            out["revisionId"] = machine.revision_id
        return out

    def validate_state_machine_definition(
        self, ctx: RequestContext, req: dict[str, Any]
    ) -> dict[str, Any]:
        """``ValidateStateMachineDefinition``: ``OK`` unless an ERROR diagnostic is found."""
        report = check_definition(req["definition"], req.get("type") or "STANDARD")
        wanted = report.diagnostics if req.get("severity") == "WARNING" else tuple(report.errors)
        limit = req.get("maxResults") or 100
        return {
            "result": "FAIL" if report.errors else "OK",
            "diagnostics": [d.as_api() for d in wanted[:limit]],
            "truncated": len(wanted) > limit,
        }

    # --- tags ---------------------------------------------------------------------------

    def _tagged(self, ctx: RequestContext, arn: str) -> Machine:
        parse_arn(arn)
        machine = self._machines.get(arn) if ctx.owns(arn) else None
        if machine is None:
            raise errors.resource_not_found(arn)
        return machine

    def tag_resource(self, ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
        """``TagResource`` (state machines)."""
        add_tags(self._tagged(ctx, req["resourceArn"]), req["tags"])
        return {}

    def untag_resource(self, ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
        """``UntagResource`` (state machines)."""
        machine = self._tagged(ctx, req["resourceArn"])
        for key in req["tagKeys"]:
            machine.tags.pop(key, None)
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
        """``ListTagsForResource`` (state machines)."""
        machine = self._tagged(ctx, req["resourceArn"])
        return {"tags": [{"key": k, "value": v} for k, v in machine.tags.items()]}

    # --- executions ---------------------------------------------------------------------

    def start_execution(self, ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
        """``StartExecution``: runs the execution to completion before answering."""
        run = self._start(ctx, req, sync=False)
        return {"executionArn": run.execution.execution_arn, "startDate": run.execution.start_time}

    def start_sync_execution(self, ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
        """``StartSyncExecution`` (EXPRESS machines only)."""
        run = self._start(ctx, req, sync=True)
        execution = run.execution
        out = payloads(
            {
                "executionArn": execution.execution_arn,
                "stateMachineArn": execution.state_machine_arn,
                "name": execution.name,
                "startDate": execution.start_time,
                "stopDate": execution.stop_time,
                "status": execution.status,
            },
            run,
            req.get("includedData"),
        )
        for key in ("error", "cause"):
            value = getattr(execution, key)
            if value is not None:
                out[key] = value
        elapsed = (execution.stop_time - execution.start_time).total_seconds() * 1000
        out["billingDetails"] = {
            "billedMemoryUsedInMB": _BILLED_MEMORY_MB,
            "billedDurationInMilliseconds": max(100, math.ceil(elapsed / 100) * 100),
        }
        return out

    def _start(self, ctx: RequestContext, req: dict[str, Any], *, sync: bool) -> Run:
        machine, test_case = self._machine(ctx, req["stateMachineArn"], allow_test_case=True)
        if sync and machine.type != "EXPRESS":
            raise errors.type_not_supported()
        name = req.get("name")
        if name is not None:
            check_name(name)
        input_text, value = execution_input(req.get("input"))
        if machine.compiled is None:
            raise errors.unsupported(f"running this definition: {machine.compile_error}")
        name = name or self._uuid()
        if machine.type == "STANDARD":
            arn = execution_arn(machine.arn, name)
            existing = self._runs.get(arn)
            if existing is not None:
                # AWS (StartExecution API reference): idempotent for a RUNNING execution
                # started with the same input (same response, nothing starts); otherwise,
                # or once it is closed, ExecutionAlreadyExists.
                if existing.execution.status == "RUNNING" and existing.input_text == input_text:
                    return existing
                raise errors.execution_already_exists(arn)
        handler = self._task_handler(ctx, machine, test_case)
        sequence = self._started
        self._started += 1
        if machine.type == "STANDARD" and machine.compiled.can_wait:
            # A callback or activity Task may wait: the execution may stay RUNNING.
            run = self._start_waiting(machine, handler, value, name, sequence, input_text, req)
            return self._remember_test_case(run, test_case)
        execution = machine.compiled.execute(
            value,
            tasks=handler,
            name=name,
            seed=sequence,
            start_time=self._tick(),
            mock_errors="fail",  # an unanswered Task fails that execution, not the API call
        )
        execution = keep_input_text(execution, input_text)
        self._now = max(self._now, execution.stop_time)
        snapshot = replace(machine, tags=dict(machine.tags))
        run = Run(execution, input_text, snapshot, sequence, req.get("traceHeader"))
        if machine.type == "STANDARD":
            self._runs[execution.execution_arn] = run
            return self._remember_test_case(run, test_case)
        return run

    def _start_waiting(
        self, machine: Machine, handler: TaskHandler, value: Any, name: str, sequence: int,
        input_text: str, req: dict[str, Any],
    ) -> Run:  # fmt: skip
        """Start a STANDARD execution; it runs until it ends or a task waits for an answer."""
        assert machine.compiled is not None  # checked by the caller
        handle = machine.compiled.start(
            value,
            tasks=callbacks.ServiceTasks(handler, callbacks.state(self).activities),
            name=name,
            seed=sequence,
            start_time=self._tick(),
            mock_errors="fail",  # an unanswered Task fails that execution, not the API call
        )
        snapshot = replace(machine, tags=dict(machine.tags))
        run = Run(handle.snapshot(), input_text, snapshot, sequence, req.get("traceHeader"))
        return callbacks.track(self, run, handle)

    @staticmethod
    def _task_handler(ctx: RequestContext, machine: Machine, test_case: str | None) -> TaskHandler:
        factory: TaskFactory | None = ctx.tasks
        if factory is None:
            return task_handler(ctx.results, ctx.mocks, machine.name, test_case)
        assert machine.compiled is not None  # checked by the caller
        try:
            return factory(machine.compiled, test_case)
        except MockError as exc:
            if test_case is None:
                raise
            raise errors.invalid_test_case(
                f"Invalid mock test case name '{test_case}' for state machine "
                f"'{machine.name}': {exc}"
            ) from None

    def describe_execution(self, ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
        """``DescribeExecution`` (STANDARD executions)."""
        run = self._run(ctx, req["executionArn"])
        described = run.execution.describe(now=self._now)
        # The input as the caller sent it, and METADATA_ONLY, come from the service's record.
        for key in ("input", "inputDetails", "output", "outputDetails"):
            described.pop(key, None)
        if run.execution.status == "RUNNING":
            described.pop("stopDate", None)
            described["redriveStatus"] = "NOT_REDRIVABLE"
            described["redriveStatusReason"] = "Execution is RUNNING and cannot be redriven"
        return payloads(described, run, req.get("includedData"))

    def _remember_test_case(self, run: Run, test_case: str | None) -> Run:
        """Keep the test case a STANDARD execution started with (its redrives use it too)."""
        if test_case is None:
            return run
        run = replace(self._runs.get(run.execution.execution_arn, run), test_case=test_case)
        self._runs[run.execution.execution_arn] = run
        return run

    def redrive_execution(self, ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
        """``RedriveExecution``: resume a closed, unsuccessful execution from where it failed.

        FAILED, TIMED_OUT and ABORTED executions resume at the state that did not succeed
        (for one stopped while a callback waited: that Task, with a new token). Like
        ``StartExecution``, the redrive runs until it ends or a task waits for an answer
        again; the execution is then ``RUNNING`` until ``SendTask*`` or ``StopExecution``.

        The execution keeps its definition (even after ``UpdateStateMachine``, as AWS) and
        input; its Tasks are answered by the caller's ``results`` / ``mock_config`` /
        ``tasks`` as they are now (the ``tasks`` factory is called again), so a test fixes
        what failed, then redrives. ``clientToken``: the last 10 tokens that redrove the
        execution, for 15 minutes, answer the same ``redriveDate`` without a new redrive.
        """
        from pytest_sfn.errors import ExecutionNotRedrivable
        from pytest_sfn.service import callbacks as waiting

        run = self._run(ctx, req["executionArn"])
        token = req.get("clientToken")
        for used, date in run.redrive_tokens:
            if used == token and self._now - date <= _TOKEN_LIFETIME:
                return {"redriveDate": date}
        handler = waiting.ServiceTasks(
            self._task_handler(ctx, run.machine, run.test_case),
            waiting.state(self).activities,
        )
        at = self._tick()
        try:
            # Like StartExecution: runs until it ends or a task waits again (RUNNING).
            handle = run.execution.start_redrive(tasks=handler, mock_errors="fail", at=at)
        except ExecutionNotRedrivable as exc:
            raise ApiError(exc.code, exc.message) from None
        tokens = run.redrive_tokens
        if token is not None:
            tokens = (*tokens, (token, at))[-10:]
        waiting.track(self, replace(run, redrive_tokens=tokens), handle)
        return {"redriveDate": at}

    def describe_state_machine_for_execution(
        self, ctx: RequestContext, req: dict[str, Any]
    ) -> dict[str, Any]:
        """``DescribeStateMachineForExecution``: the revision the execution ran."""
        machine = self._run(ctx, req["executionArn"]).machine
        return {**machine.configuration(), "updateDate": machine.updated}

    def list_executions(self, ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
        """``ListExecutions``: newest first, filtered by status, paged."""
        if req.get("mapRunArn") is not None:
            raise errors.unsupported("Map Runs (distributed Map)")
        if req.get("stateMachineArn") is None:
            raise errors.validation_errors(["Must provide a StateMachine ARN or MapRun ARN"])
        machine, _ = self._machine(ctx, req["stateMachineArn"])
        if machine.type != "STANDARD":
            raise errors.type_not_supported()
        status = req.get("statusFilter")
        redriven = req.get("redriveFilter")
        runs = sorted(
            (
                r
                for r in self._runs.values()
                if r.execution.state_machine_arn == machine.arn
                and (status is None or r.execution.status == status)
                and (
                    redriven is None or (r.execution.redrive_count > 0) == (redriven == "REDRIVEN")
                )
            ),
            key=lambda r: r.sequence,
            reverse=True,
        )
        items, token = page(
            runs, query=f"executions:{machine.arn}:{status}:{redriven}",
            max_results=req.get("maxResults"), next_token=req.get("nextToken"),
        )  # fmt: skip
        return _with_token({"executions": [_listed(r.execution) for r in items]}, token)

    def get_execution_history(self, ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
        """``GetExecutionHistory``: ascending ids unless ``reverseOrder``, paged."""
        run = self._run(ctx, req["executionArn"])
        reverse = bool(req.get("reverseOrder"))
        events = list(reversed(run.execution.history)) if reverse else list(run.execution.history)
        items, token = page(
            events, query=f"history:{req['executionArn']}:{reverse}",
            max_results=req.get("maxResults"), next_token=req.get("nextToken"),
        )  # fmt: skip
        include = req.get("includeExecutionData", True) is not False
        return _with_token(
            {"events": [e.to_api(include_execution_data=include) for e in items]}, token
        )

    def stop_execution(self, ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
        """``StopExecution``: executions are closed already, so nothing changes.

        Returns the execution's own stop date (UNCONFIRMED: what AWS returns for an
        execution that already ended).
        """
        run = self._run(ctx, req["executionArn"])
        if callbacks.stop(self, run.execution.execution_arn, req.get("error"), req.get("cause")):
            return {"stopDate": self._runs[run.execution.execution_arn].execution.stop_time}
        return {"stopDate": run.execution.stop_time}

    # --- tests ----------------------------------------------------------------------------

    def executions(self) -> list[Execution]:
        """Every STANDARD execution started so far, oldest first (for assertions)."""
        with self._lock:
            return [r.execution for r in sorted(self._runs.values(), key=lambda r: r.sequence)]


def _listed(execution: Execution) -> dict[str, Any]:
    item = list_item(execution)
    if execution.status == "RUNNING":
        item.pop("stopDate", None)
    return item


def _with_token(out: dict[str, Any], token: str | None) -> dict[str, Any]:
    if token is not None:
        out["nextToken"] = token
    return out


_OPERATIONS: dict[str, Operation] = {
    "CreateStateMachine": SfnBackend.create_state_machine,
    "DescribeStateMachine": SfnBackend.describe_state_machine,
    "ListStateMachines": SfnBackend.list_state_machines,
    "DeleteStateMachine": SfnBackend.delete_state_machine,
    "UpdateStateMachine": SfnBackend.update_state_machine,
    "ValidateStateMachineDefinition": SfnBackend.validate_state_machine_definition,
    "TagResource": SfnBackend.tag_resource,
    "UntagResource": SfnBackend.untag_resource,
    "ListTagsForResource": SfnBackend.list_tags_for_resource,
    "StartExecution": SfnBackend.start_execution,
    "StartSyncExecution": SfnBackend.start_sync_execution,
    "DescribeExecution": SfnBackend.describe_execution,
    "DescribeStateMachineForExecution": SfnBackend.describe_state_machine_for_execution,
    "ListExecutions": SfnBackend.list_executions,
    "GetExecutionHistory": SfnBackend.get_execution_history,
    "StopExecution": SfnBackend.stop_execution,
    "TestState": test_state_operation,
    "RedriveExecution": SfnBackend.redrive_execution,
    "SendTaskSuccess": callbacks.send_task_success,
    "SendTaskFailure": callbacks.send_task_failure,
    "SendTaskHeartbeat": callbacks.send_task_heartbeat,
    "CreateActivity": callbacks.create_activity,
    "DescribeActivity": callbacks.describe_activity,
    "ListActivities": callbacks.list_activities,
    "DeleteActivity": callbacks.delete_activity,
    "GetActivityTask": callbacks.get_activity_task,
}
