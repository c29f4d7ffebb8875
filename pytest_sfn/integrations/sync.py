"""The Run a Job (``.sync``) pattern: which API polls a job and when it is done.

:class:`~pytest_sfn.integrations.botocore_tasks.BotocoreTasks` answers the ``.sync``
resources below (ECS, Glue, Batch, Athena, Bedrock, EMR, EMR on EKS, EMR Serverless, CodeBuild,
SageMaker, DataBrew, MediaConvert, EKS): it calls the start API, then the describe API until
the job is terminal, and returns what Step Functions returns:

* ECS: the task (``DescribeTasks`` ``Tasks[0]``: ``TaskArn``, ``LastStatus``, ``Containers``...);
  it fails when a container exits with a non-zero (or no) exit code.
* Glue: the job run (``GetJobRun`` ``JobRun``); fails on ``FAILED``, ``STOPPED``,
  ``TIMEOUT``, ``ERROR`` and ``EXPIRED``.
* Batch: the job (``DescribeJobs`` ``Jobs[0]``); fails on ``FAILED``.
* Athena: the whole ``GetQueryExecution`` response (``{"QueryExecution": {...}}``); fails on
  ``FAILED`` and ``CANCELLED``.
* Bedrock model customization: the ``GetModelCustomizationJob`` response; fails on
  ``Failed`` and ``Stopped``.

* EMR: ``createCluster.sync`` polls ``DescribeCluster`` until the cluster is ``WAITING`` or
  ``RUNNING`` (fails on ``TERMINATED``/``TERMINATED_WITH_ERRORS``), ``terminateCluster.sync``
  until ``TERMINATED``, ``addStep.sync`` polls ``DescribeStep`` until ``COMPLETED`` (fails on
  ``CANCELLED``, ``FAILED``, ``INTERRUPTED``); the result is the describe response
  (UNCONFIRMED).
* EMR on EKS: ``startJobRun.sync`` (``DescribeJobRun``: ``COMPLETED``; ``FAILED``,
  ``CANCELLED``), ``deleteVirtualCluster.sync`` (``TERMINATED``).
* EMR Serverless: ``startJobRun.sync`` (``GetJobRun``: ``SUCCESS``; ``FAILED``,
  ``CANCELLED``), ``cancelJobRun.sync`` (``CANCELLED``), ``createApplication.sync``
  (``CREATED``), ``startApplication.sync`` (``STARTED``), ``stopApplication.sync``
  (``STOPPED``), ``deleteApplication.sync`` (``TERMINATED``).
* CodeBuild: ``startBuild.sync`` returns ``{"Build": {...}}`` (``BatchGetBuilds``),
  ``startBuildBatch.sync``/``retryBuildBatch.sync`` ``{"BuildBatch": {...}}``
  (``BatchGetBuildBatches``); they fail on ``FAILED``, ``FAULT``, ``STOPPED``, ``TIMED_OUT``.
* SageMaker: the ``Describe<Kind>`` response of training, transform, processing, labeling and
  hyperparameter tuning jobs; ``Completed`` succeeds, ``Failed`` and ``Stopped`` fail.
* DataBrew ``startJobRun.sync``: ``DescribeJobRun`` (``SUCCEEDED``; ``FAILED``, ``STOPPED``,
  ``TIMEOUT``); MediaConvert ``createJob.sync``: ``GetJob`` (``COMPLETE``; ``ERROR``,
  ``CANCELED``).
* EKS ``createCluster.sync``, ``createNodegroup.sync``, ``createFargateProfile.sync``: the
  describe response once ``ACTIVE`` (fails on ``FAILED``/``CREATE_FAILED``). The delete
  ``.sync`` calls (which end when the resource is gone) are not answered.

The polling API of each job is the one :data:`~pytest_sfn.integrations.shapes.OPTIMIZED_APIS`
records; terminal states of the newer families are UNCONFIRMED beyond AWS's API references.

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
from pytest_sfn.integrations.shapes import OPTIMIZED_APIS

__all__ = ["FAILED", "RUNNING", "SUCCEEDED", "SYNC_JOBS", "SyncJob"]

RUNNING = "RUNNING"
SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"

_NO: frozenset[str] = frozenset()


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


def _at(value: Any, *path: str) -> Any:
    """``value[path[0]][path[1]]...``; a list step takes its first element; ``None`` if absent."""
    for key in path:
        if isinstance(value, list):
            value = value[0] if value else None
        value = value.get(key) if isinstance(value, dict) else None
    return value


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


def _status(
    path: tuple[str, ...], done: frozenset[str], failed: frozenset[str]
) -> Callable[[Any], str]:
    """The state of a job whose status is at ``path`` of the PascalCase describe response."""

    def state(described: Any) -> str:
        value = _at(described, *path)
        if value in done:
            return SUCCEEDED
        return FAILED if value in failed else RUNNING

    return state


def _names(*names: str) -> frozenset[str]:
    return frozenset(names)


Params = Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, Any]]


def _take(**members: tuple[str, ...]) -> Params:
    """Describe parameters copied from the start call: ``member=("params"|"started", *path)``.

    A ``started`` path reads the raw (botocore) start response, a ``params`` path the start
    parameters (botocore names); a list step takes the first element.
    """

    def params(sent: Mapping[str, Any], started: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for member, (source, *path) in members.items():
            value = _at(sent if source == "params" else started, *path)
            if isinstance(value, list):  # JobFlowIds, StepIds: the first (only) one
                value = value[0] if value else None
            out[member.rstrip("_")] = "" if value is None else value
        return out

    return params


def _ids(source: str, *path: str) -> Params:
    """``{"ids": [<id>]}`` (the ``BatchGet*`` APIs of CodeBuild)."""
    one = _take(id=(source, *path))
    return lambda sent, started: {"ids": [one(sent, started)["id"]]}


def _whole(described: Any) -> JSON:
    return described


def _wrap(member: str, listed: str) -> Callable[[Any], JSON]:
    """``{member: <first element of listed>}`` (CodeBuild's ``{"Build": {...}}``)."""
    return lambda described: {member: _first(described, listed)}


@dataclass(frozen=True, slots=True)
class _Poll:
    """How a ``.sync`` job's describe response reads (the describe API is in OPTIMIZED_APIS)."""

    params: Params
    status: tuple[str, ...]
    done: frozenset[str]
    failed: frozenset[str]
    result: Callable[[Any], JSON] = _whole


_GLUE_FAILED = _names("FAILED", "STOPPED", "TIMEOUT", "ERROR", "EXPIRED")
_CODEBUILD_FAILED = _names("FAILED", "FAULT", "STOPPED", "TIMED_OUT")
_SAGEMAKER_FAILED = _names("Failed", "Stopped")
_EMR_CLUSTER = _take(ClusterId=("started", "JobFlowId"))
_EMR_FAILED = _names("TERMINATED", "TERMINATED_WITH_ERRORS")
_EMR_JOB_FAILED = _names("FAILED", "CANCELLED")
_SERVERLESS_APP = ("Application", "State")


def _sagemaker(kind: str) -> _Poll:
    """``Describe<kind>`` by name, status ``<kind>Status``: Completed; Failed, Stopped."""
    name = f"{kind}Name"
    return _Poll(
        _take(**{name: ("params", name)}),
        (f"{kind}Status",),
        _names("Completed"),
        _SAGEMAKER_FAILED,
    )


def _serverless_app(done: str, failed: frozenset[str]) -> _Poll:
    app = _take(applicationId=("started", "applicationId"))
    by_param = _take(applicationId=("params", "applicationId"))
    return _Poll(
        lambda p, s: app(p, s) if s.get("applicationId") else by_param(p, s),
        _SERVERLESS_APP,
        _names(done),
        failed,
    )


#: ``(service, api)`` of a ``.sync`` resource -> how its describe response reads. Terminal
#: states follow AWS's integration pages; results are the describe response unless noted.
_POLLS: Mapping[tuple[str, str], _Poll] = {
    ("ecs", "runTask"): _Poll(_ecs_params, (), _NO, _NO, lambda d: _first(d, "Tasks")),
    ("glue", "startJobRun"): _Poll(
        _take(JobName=("params", "JobName"), RunId=("started", "JobRunId")),
        ("JobRun", "JobRunState"), _names("SUCCEEDED"), _GLUE_FAILED,
        lambda d: d.get("JobRun") or {},
    ),
    ("batch", "submitJob"): _Poll(
        lambda p, s: {"jobs": [s.get("jobId", "")]}, ("Jobs", "Status"), _names("SUCCEEDED"),
        _names("FAILED"), lambda d: _first(d, "Jobs"),
    ),
    ("athena", "startQueryExecution"): _Poll(
        _take(QueryExecutionId=("started", "QueryExecutionId")),
        ("QueryExecution", "Status", "State"), _names("SUCCEEDED"),
        _names("FAILED", "CANCELLED"),
    ),
    ("bedrock", "createModelCustomizationJob"): _Poll(
        _take(jobIdentifier=("started", "jobArn")), ("Status",), _names("Completed"),
        _SAGEMAKER_FAILED,
    ),
    # EMR: the cluster is ready when it waits or runs; UNCONFIRMED: the .sync result is the
    # DescribeCluster/DescribeStep response.
    ("elasticmapreduce", "createCluster"): _Poll(
        _EMR_CLUSTER, ("Cluster", "Status", "State"), _names("WAITING", "RUNNING"), _EMR_FAILED,
    ),
    ("elasticmapreduce", "terminateCluster"): _Poll(
        _take(ClusterId=("params", "JobFlowIds")), ("Cluster", "Status", "State"),
        _names("TERMINATED"), _names("TERMINATED_WITH_ERRORS"),
    ),
    ("elasticmapreduce", "addStep"): _Poll(
        _take(ClusterId=("params", "JobFlowId"), StepId=("started", "StepIds")),
        ("Step", "Status", "State"), _names("COMPLETED"),
        _names("CANCELLED", "FAILED", "INTERRUPTED"),
    ),
    ("emr-containers", "deleteVirtualCluster"): _Poll(
        _take(id=("params", "id")), ("VirtualCluster", "State"), _names("TERMINATED"),
        _names("ARRESTED"),
    ),
    ("emr-containers", "startJobRun"): _Poll(
        _take(id=("started", "id"), virtualClusterId=("params", "virtualClusterId")),
        ("JobRun", "State"), _names("COMPLETED"), _EMR_JOB_FAILED,
    ),
    ("emr-serverless", "createApplication"): _serverless_app(
        "CREATED", _names("TERMINATED")
    ),
    ("emr-serverless", "startApplication"): _serverless_app(
        "STARTED", _names("STOPPED", "TERMINATED")
    ),
    ("emr-serverless", "stopApplication"): _serverless_app("STOPPED", _names("TERMINATED")),
    ("emr-serverless", "deleteApplication"): _serverless_app("TERMINATED", _NO),
    ("emr-serverless", "startJobRun"): _Poll(
        _take(applicationId=("params", "applicationId"), jobRunId=("started", "jobRunId")),
        ("JobRun", "State"), _names("SUCCESS"), _EMR_JOB_FAILED,
    ),
    ("emr-serverless", "cancelJobRun"): _Poll(
        _take(applicationId=("params", "applicationId"), jobRunId=("params", "jobRunId")),
        ("JobRun", "State"), _names("CANCELLED"), _names("SUCCESS", "FAILED"),
    ),
    ("databrew", "startJobRun"): _Poll(
        _take(Name=("params", "Name"), RunId=("started", "RunId")), ("State",),
        _names("SUCCEEDED"), _names("FAILED", "STOPPED", "TIMEOUT"),
    ),
    ("mediaconvert", "createJob"): _Poll(
        _take(Id=("started", "Job", "Id")), ("Job", "Status"), _names("COMPLETE"),
        _names("ERROR", "CANCELED"),
    ),
    ("codebuild", "startBuild"): _Poll(
        _ids("started", "build", "id"), ("Builds", "BuildStatus"), _names("SUCCEEDED"),
        _CODEBUILD_FAILED, _wrap("Build", "Builds"),
    ),
    ("codebuild", "startBuildBatch"): _Poll(
        _ids("started", "buildBatch", "id"), ("BuildBatches", "BuildBatchStatus"),
        _names("SUCCEEDED"), _CODEBUILD_FAILED, _wrap("BuildBatch", "BuildBatches"),
    ),
    ("codebuild", "retryBuildBatch"): _Poll(
        _ids("started", "buildBatch", "id"), ("BuildBatches", "BuildBatchStatus"),
        _names("SUCCEEDED"), _CODEBUILD_FAILED, _wrap("BuildBatch", "BuildBatches"),
    ),
    ("sagemaker", "createHyperParameterTuningJob"): _sagemaker("HyperParameterTuningJob"),
    ("sagemaker", "createLabelingJob"): _sagemaker("LabelingJob"),
    ("sagemaker", "createProcessingJob"): _sagemaker("ProcessingJob"),
    ("sagemaker", "createTrainingJob"): _sagemaker("TrainingJob"),
    ("sagemaker", "createTransformJob"): _sagemaker("TransformJob"),
    ("eks", "createCluster"): _Poll(
        _take(name=("params", "name")), ("Cluster", "Status"), _names("ACTIVE"),
        _names("FAILED"),
    ),
    ("eks", "createNodegroup"): _Poll(
        _take(clusterName=("params", "clusterName"), nodegroupName=("params", "nodegroupName")),
        ("Nodegroup", "Status"), _names("ACTIVE"), _names("CREATE_FAILED"),
    ),
    ("eks", "createFargateProfile"): _Poll(
        _take(
            clusterName=("params", "clusterName"),
            fargateProfileName=("params", "fargateProfileName"),
        ),
        ("FargateProfile", "Status"), _names("ACTIVE"), _names("CREATE_FAILED"),
    ),
}  # fmt: skip


def _job(key: tuple[str, str], poll: _Poll) -> SyncJob:
    sync = OPTIMIZED_APIS[key].sync
    if not sync:  # pragma: no cover - guarded by the tests of this table
        raise ValueError(f"{key} has no polling API in OPTIMIZED_APIS")
    state = (
        _ecs_state if key == ("ecs", "runTask") else _status(poll.status, poll.done, poll.failed)
    )
    return SyncJob(sync[1], poll.params, state, poll.result)


#: ``(service, api)`` of a ``.sync`` resource -> its job (the polling API is the one
#: :data:`~pytest_sfn.integrations.shapes.OPTIMIZED_APIS` records).
SYNC_JOBS: Mapping[tuple[str, str], SyncJob] = {
    key: _job(key, poll) for key, poll in _POLLS.items()
}
