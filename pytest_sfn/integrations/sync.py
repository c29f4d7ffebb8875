"""The Run a Job (``.sync``) pattern: which API polls a job and when it is done.

:class:`~pytest_sfn.integrations.botocore_tasks.BotocoreTasks` answers
``ecs:runTask.sync``, ``glue:startJobRun.sync``, ``batch:submitJob.sync``,
``athena:startQueryExecution.sync`` and ``bedrock:createModelCustomizationJob.sync`` with the
jobs below: it calls the start API, then the describe API until the job is terminal, and
returns what Step Functions returns:

* ECS: the task (``DescribeTasks`` ``Tasks[0]``: ``TaskArn``, ``LastStatus``, ``Containers``...);
  it fails when a container exits with a non-zero (or no) exit code.
* Glue: the job run (``GetJobRun`` ``JobRun``); fails on ``FAILED``, ``STOPPED``,
  ``TIMEOUT``, ``ERROR`` and ``EXPIRED``.
* Batch: the job (``DescribeJobs`` ``Jobs[0]``); fails on ``FAILED``.
* Athena: the whole ``GetQueryExecution`` response (``{"QueryExecution": {...}}``); fails on
  ``FAILED`` and ``CANCELLED``.
* Bedrock model customization: the ``GetModelCustomizationJob`` response; fails on
  ``Failed`` and ``Stopped``.

A failed job fails the task with ``States.TaskFailed`` and the result above as the cause (JSON),
as AWS documents for Run a Job integrations (exact cause text UNCONFIRMED). Member names are
PascalCase (botocore's name with the first letter upper-cased).

Time is virtual: every describe call comes ``poll_interval`` seconds after the previous one (the
first one ``poll_interval`` seconds after the start call), and the task's duration is the sum,
so a task ``TimeoutSeconds`` applies; nothing sleeps.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pytest_sfn._types import JSON

__all__ = ["FAILED", "RUNNING", "SUCCEEDED", "SYNC_JOBS", "SyncJob"]

RUNNING = "RUNNING"
SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class SyncJob:
    """How one ``.sync`` integration polls its job.

    Attributes:
        describe: the botocore operation that polls (``DescribeTasks``).
        describe_params: ``(start parameters, start response)`` -> the describe parameters
            (botocore names, raw botocore response).
        state: the PascalCase describe response -> :data:`RUNNING`, :data:`SUCCEEDED` or
            :data:`FAILED`.
        result: the PascalCase describe response -> the task's result.
    """

    describe: str
    describe_params: Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, Any]]
    state: Callable[[Any], str]
    result: Callable[[Any], JSON]


def _first(value: Any, key: str) -> Any:
    items = value.get(key) if isinstance(value, dict) else None
    return items[0] if isinstance(items, list) and items else {}


def _ecs_params(params: Mapping[str, Any], started: Mapping[str, Any]) -> dict[str, Any]:
    tasks = started.get("tasks") or [{}]
    out: dict[str, Any] = {"tasks": [tasks[0].get("taskArn", "")]}
    if params.get("cluster"):
        out["cluster"] = params["cluster"]
    return out


def _ecs_state(described: Any) -> str:
    task = _first(described, "Tasks")
    if task.get("LastStatus") != "STOPPED":
        return RUNNING
    containers = task.get("Containers") or []
    ok = all(c.get("ExitCode") == 0 for c in containers) if containers else False
    return SUCCEEDED if ok else FAILED


def _status(get: Callable[[Any], Any], done: str, failed: frozenset[str]) -> Callable[[Any], str]:
    def state(described: Any) -> str:
        value = get(described)
        if value == done:
            return SUCCEEDED
        return FAILED if value in failed else RUNNING

    return state


def _glue_state(described: Any) -> Any:
    return (described.get("JobRun") or {}).get("JobRunState")


def _athena_state(described: Any) -> Any:
    return ((described.get("QueryExecution") or {}).get("Status") or {}).get("State")


_GLUE_FAILED = frozenset({"FAILED", "STOPPED", "TIMEOUT", "ERROR", "EXPIRED"})

#: ``(service, api)`` of a ``.sync`` resource -> its job.
SYNC_JOBS: Mapping[tuple[str, str], SyncJob] = {
    ("ecs", "runTask"): SyncJob(
        "DescribeTasks", _ecs_params, _ecs_state, lambda d: _first(d, "Tasks")
    ),
    ("glue", "startJobRun"): SyncJob(
        "GetJobRun",
        lambda p, s: {"JobName": p.get("JobName", ""), "RunId": s.get("JobRunId", "")},
        _status(_glue_state, "SUCCEEDED", _GLUE_FAILED),
        lambda d: d.get("JobRun") or {},
    ),
    ("batch", "submitJob"): SyncJob(
        "DescribeJobs",
        lambda p, s: {"jobs": [s.get("jobId", "")]},
        _status(lambda d: _first(d, "Jobs").get("Status"), "SUCCEEDED", frozenset({"FAILED"})),
        lambda d: _first(d, "Jobs"),
    ),
    ("athena", "startQueryExecution"): SyncJob(
        "GetQueryExecution",
        lambda p, s: {"QueryExecutionId": s.get("QueryExecutionId", "")},
        _status(_athena_state, "SUCCEEDED", frozenset({"FAILED", "CANCELLED"})),
        lambda d: d,
    ),
    ("bedrock", "createModelCustomizationJob"): SyncJob(
        "GetModelCustomizationJob",
        lambda p, s: {"jobIdentifier": s.get("jobArn", "")},
        _status(lambda d: d.get("Status"), "Completed", frozenset({"Failed", "Stopped"})),
        lambda d: d,
    ),
}
