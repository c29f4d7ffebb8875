"""Distributed Map ``ResultWriter``: child execution records, transformations, S3 export.

What a Map Run knows of each child execution is a :class:`ChildRun`. The pure functions
turn those into what AWS shows:

* :func:`child_record`: the per-child metadata record of ``Transformation: NONE``
  (``ExecutionArn``, ``Input``, ``InputDetails``, ``Name``, ``Output``, ``OutputDetails``,
  ``RedriveCount``, ``RedriveStatus``, ``RedriveStatusReason``, ``StartDate``,
  ``StateMachineArn``, ``Status``, ``StopDate``; AWS documents them in this order);
* :func:`transform`: the results for ``NONE``, ``COMPACT`` (child outputs) or ``FLATTEN``
  (array outputs spliced into one array); a failed child is always its record;
* :func:`render`: the text of a result file for ``OutputType`` ``JSON`` or ``JSONL``;
* :func:`manifest`: ``manifest.json`` (``DestinationBucket``, ``MapRunArn``,
  ``ResultFiles`` ``FAILED``/``PENDING``/``SUCCEEDED`` lists of ``{Key, Size}``).

:func:`export` is the engine glue: with a ``Resource`` it writes ``SUCCEEDED_0.json``
(``FAILED_0.json``, ``PENDING_0.json`` when there are such children) and then
``manifest.json`` under ``<Prefix>/<map run id>/``, each with one ``s3:putObject``
:class:`~pytest_sfn.engine.ports.TaskRequest` whose ``state_name`` is the Map state's name
(so :class:`~pytest_sfn.integrations.botocore_tasks.BotocoreTasks` writes real objects, to
moto or through a Stubber). When nothing answers the first write
(:class:`~pytest_sfn.errors.UnmockedTaskError`), nothing is written and the Map still
returns the export descriptor, as pytest-sfn always did. A failed write is
``States.ResultWriterFailed``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pytest_sfn._json import dump_compact
from pytest_sfn._types import JSON
from pytest_sfn.engine.clock import iso_timestamp
from pytest_sfn.engine.failure import MockFailure
from pytest_sfn.engine.task import state_call
from pytest_sfn.errors import (
    MOCK_ERROR,
    UNMOCKED_TASK_ERROR,
    MockError,
    StatesError,
    UnmockedTaskError,
)

if TYPE_CHECKING:
    from pytest_sfn.engine.run import Interpreter
    from pytest_sfn.engine.runtime import Frame, Visit
    from pytest_sfn.model.states import MapState

__all__ = [
    "PUT_OBJECT",
    "RESULT_WRITER_FAILED",
    "ChildRun",
    "MapRunIdentity",
    "child_name",
    "child_record",
    "export",
    "file_key",
    "manifest",
    "render",
    "transform",
    "writer_target",
]

RESULT_WRITER_FAILED = "States.ResultWriterFailed"
PUT_OBJECT = "arn:aws:states:::s3:putObject"

_STATUSES = ("SUCCEEDED", "FAILED", "PENDING")


@dataclass(frozen=True, slots=True)
class MapRunIdentity:
    """Names of a Map Run: its ARN and id, and the ARN parts of its child executions.

    Attributes:
        map_run_arn: ``arn:aws:states:<r>:<a>:mapRun:<machine>/<label>:<id>``.
        run_id: the Map Run's id (the last part of its ARN).
        base: ``arn:aws:states:<region>:<account>``.
        machine_name: ``<machine>/<label>``: the child state machine's name.
        express: whether children are Express executions.
    """

    map_run_arn: str
    run_id: str
    base: str
    machine_name: str
    express: bool = False

    @property
    def state_machine_arn(self) -> str:
        """The child state machine's ARN (``…:stateMachine:<machine>/<label>``)."""
        return f"{self.base}:stateMachine:{self.machine_name}"

    def execution_arn(self, name: str) -> str:
        """A child execution's ARN (``…:execution:<machine>/<label>:<name>``)."""
        kind = "express" if self.express else "execution"
        return f"{self.base}:{kind}:{self.machine_name}:{name}"


@dataclass(frozen=True, slots=True)
class ChildRun:
    """One child execution of a Map Run, as the ``ResultWriter`` reports it.

    Attributes:
        index: the item's index.
        input: the child's input.
        status: ``SUCCEEDED``, ``FAILED`` or ``PENDING`` (never started).
        output: the child's output (``SUCCEEDED``).
        error, cause: the child's failure (``FAILED``).
        start, stop: when the child started and stopped (virtual clock).
    """

    index: int
    input: JSON
    status: str
    output: JSON = None
    error: str | None = None
    cause: str | None = None
    start: datetime | None = None
    stop: datetime | None = None


def child_name(run_id: str, index: int) -> str:
    """The name of child ``index`` of a Map Run: a UUID derived from the run's id.

    AWS names Map Run children with version-3 UUIDs; pytest-sfn derives them from the
    Map Run id and the item index, so they are stable and use no random numbers.
    """
    try:
        namespace = uuid.UUID(run_id)
    except ValueError:
        namespace = uuid.uuid3(uuid.NAMESPACE_URL, run_id)
    return str(uuid.uuid3(namespace, str(index)))


def child_record(run: ChildRun, identity: MapRunIdentity) -> dict[str, JSON]:
    """The ``Transformation: NONE`` record of one child execution.

    Keys are in AWS's (alphabetical) order; ``Input`` and ``Output`` are JSON text. A
    failed child has ``Error``/``Cause`` instead of ``Output``/``OutputDetails`` and
    ``RedriveStatus`` ``REDRIVABLE_BY_MAP_RUN`` (UNCONFIRMED: AWS documents only the
    succeeded record).
    """
    name = child_name(identity.run_id, run.index)
    record: dict[str, JSON] = {}
    if run.status == "FAILED":
        if run.cause is not None:
            record["Cause"] = run.cause
        if run.error is not None:
            record["Error"] = run.error
    record["ExecutionArn"] = identity.execution_arn(name)
    record["Input"] = dump_compact(run.input)
    record["InputDetails"] = {"Included": True}
    record["Name"] = name
    if run.status == "SUCCEEDED":
        record["Output"] = dump_compact(run.output)
        record["OutputDetails"] = {"Included": True}
    record["RedriveCount"] = 0
    if run.status == "FAILED":
        record["RedriveStatus"] = "REDRIVABLE_BY_MAP_RUN"
    else:
        record["RedriveStatus"] = "NOT_REDRIVABLE"
        record["RedriveStatusReason"] = f"Execution is {run.status} and cannot be redriven"
    if run.start is not None:
        record["StartDate"] = iso_timestamp(run.start)
    record["StateMachineArn"] = identity.state_machine_arn
    record["Status"] = run.status
    if run.stop is not None:
        record["StopDate"] = iso_timestamp(run.stop)
    return record


def transform(
    runs: Sequence[ChildRun], identity: MapRunIdentity, transformation: str
) -> list[JSON]:
    """The results of ``runs`` (item order) for ``WriterConfig.Transformation``.

    ``NONE``: every child's record; ``COMPACT``: each output; ``FLATTEN``: each output,
    an array output spliced in. A failed (or pending) child is its record whatever the
    transformation (AWS: "If a child workflow execution fails, Step Functions returns its
    execution result unchanged").
    """
    results: list[JSON] = []
    for run in runs:
        if transformation == "NONE" or run.status != "SUCCEEDED":
            results.append(child_record(run, identity))
        elif transformation == "FLATTEN" and isinstance(run.output, list):
            results.extend(run.output)
        else:
            results.append(run.output)
    return results


def render(results: Sequence[JSON], output_type: str) -> str:
    """A result file's text: a JSON array (``JSON``) or one value a line (``JSONL``)."""
    if output_type == "JSONL":
        return "".join(dump_compact(value) + "\n" for value in results)
    return dump_compact(list(results))


def file_key(folder: str, status: str, number: int = 0) -> str:
    """``<folder>/<STATUS>_<n>.json``: a result file's key (the folder has no ``/`` at end)."""
    return f"{folder}/{status}_{number}.json"


def manifest(bucket: JSON, map_run_arn: str, files: dict[str, list[dict[str, JSON]]]) -> JSON:
    """``manifest.json``: the export location, Map Run ARN and result files by status.

    Args:
        bucket: the destination bucket.
        map_run_arn: the Map Run's ARN.
        files: ``{"SUCCEEDED": [{"Key": ..., "Size": ...}], ...}``; missing statuses are
            empty lists.
    """
    return {
        "DestinationBucket": bucket,
        "MapRunArn": map_run_arn,
        "ResultFiles": {status: list(files.get(status, [])) for status in sorted(_STATUSES)},
    }


# --- the engine glue ------------------------------------------------------------------------


def writer_target(
    it: Interpreter, state: MapState, effective: JSON, visit: Visit, frame: Frame
) -> dict[str, Any]:
    """The evaluated ``Parameters`` (JSONPath) or ``Arguments`` (JSONata) of the writer."""
    writer: dict[str, Any] = state.result_writer
    if state.jsonata:
        if "Arguments" not in writer:
            return {}
        from pytest_sfn.engine.jsonata_states import evaluate_field, states_bindings
        from pytest_sfn.expressions.jsonata_template import compile_jsonata_template

        field = "ResultWriter/Arguments"
        pointer = f"{state.pointer}/ResultWriter/Arguments"
        fields = {field: compile_jsonata_template(writer["Arguments"], field, pointer)}
        bindings = states_bindings(it, visit, frame, effective)
        target = evaluate_field(it, fields, field, bindings)
    elif state.result_writer_parameters is not None:
        from pytest_sfn.expressions.payload import evaluate_template

        scope = it.scope(effective, visit, frame)
        target = evaluate_template(state.result_writer_parameters, scope)
    else:
        target = {}
    return target if isinstance(target, dict) else {}


def export(
    it: Interpreter, state: MapState, visit: Visit, target: dict[str, Any],
    runs: Sequence[ChildRun], identity: MapRunIdentity,
) -> JSON:  # fmt: skip
    """Write the result files and ``manifest.json``; returns the export descriptor.

    Raises:
        StatesError: ``States.ResultWriterFailed`` when a write fails (the S3 error's
            message is the cause).
        MockFailure: a write is answered wrongly (``mock_errors="fail"``).
    """
    config: dict[str, Any] = state.result_writer.get("WriterConfig") or {}
    transformation = str(config.get("Transformation", "NONE"))
    output_type = str(config.get("OutputType", "JSON"))
    bucket = target.get("Bucket")
    prefix = target.get("Prefix")
    folder = f"{prefix}/{identity.run_id}" if prefix else identity.run_id
    key = f"{folder}/manifest.json"
    descriptor = {
        "MapRunArn": identity.map_run_arn,
        "ResultWriterDetails": {"Bucket": bucket, "Key": key},
    }
    put = _Putter(it, state, visit, bucket)
    files: dict[str, list[dict[str, JSON]]] = {}
    try:
        for status in _STATUSES:
            chosen = [run for run in runs if run.status == status]
            if not chosen:
                continue
            text = render(transform(chosen, identity, transformation), output_type)
            name = file_key(folder, status)
            put(name, text)
            files[status] = [{"Key": name, "Size": len(text.encode("utf-8"))}]
        put(key, dump_compact(manifest(bucket, identity.map_run_arn, files)))
    except _NotAnswered:
        pass  # nothing answers the writes: the descriptor only, as before
    return descriptor


class _NotAnswered(Exception):
    """The first write found no handler (UnmockedTaskError): write nothing."""


class _Putter:
    """Sends one ``s3:putObject`` to the task handler; a failed write fails the writer."""

    __slots__ = ("bucket", "it", "state", "visit", "written")

    def __init__(self, it: Interpreter, state: MapState, visit: Visit, bucket: JSON) -> None:
        self.it, self.state, self.visit, self.bucket = it, state, visit, bucket
        self.written = 0

    def __call__(self, key: str, body: str) -> None:
        name = self.state.name
        parameters = {"Bucket": self.bucket, "Key": key, "Body": body}
        try:
            outcome = state_call(self.it, name, self.visit, PUT_OBJECT, parameters, "ResultWriter")
        except UnmockedTaskError:
            if self.written == 0:
                raise _NotAnswered from None
            raise self._mock_problem(UnmockedTaskError, name) from None
        except MockError as exc:
            raise self._mock_problem(type(exc), name, str(exc)) from None
        self.written += 1
        if outcome.failed:
            # UNCONFIRMED: AWS's cause wording for a failed write; the error name is documented.
            cause = outcome.cause or outcome.error or "The S3 PutObject call failed."
            raise StatesError(RESULT_WRITER_FAILED, cause)

    def _mock_problem(self, kind: type[MockError], name: str, message: str = "") -> Exception:
        how = (
            f"The ResultWriter of Distributed Map state {name!r} writes its files with "
            f"{PUT_OBJECT}: answer every write under the Map state's name or with "
            "BotocoreTasks (moto's mock_aws or a Stubber), or none."
        )
        text = f"{message}\n{how}" if message else how
        if not self.it.config.fail_on_mock_error:
            return kind(text)
        unmocked = issubclass(kind, UnmockedTaskError)
        return MockFailure(UNMOCKED_TASK_ERROR if unmocked else MOCK_ERROR, text)
