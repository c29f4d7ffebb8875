"""Distributed Map ResultWriter: child records, transformations, files, S3 through botocore."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_sfn import StateMachine
from pytest_sfn.engine.result_writer import (
    ChildRun,
    MapRunIdentity,
    child_name,
    child_record,
    file_key,
    manifest,
    render,
    transform,
)
from pytest_sfn.errors import UnmockedTaskError
from pytest_sfn.mocks.results import Throw

RUN_ID = "ad9b5f27-090b-4ac6-9beb-243cd77144a7"
BASE = "arn:aws:states:us-east-1:123456789012"
IDENTITY = MapRunIdentity(
    f"{BASE}:mapRun:orders/Map:{RUN_ID}", RUN_ID, BASE, "orders/Map", express=False
)
START = datetime(2025, 2, 4, 1, 49, 50, 99000, tzinfo=timezone.utc)
STOP = datetime(2025, 2, 4, 1, 49, 50, 163000, tzinfo=timezone.utc)
OK = ChildRun(0, {"id": 1}, "SUCCEEDED", [{"a": 1}, {"b": 2}], start=START, stop=STOP)
OK2 = ChildRun(1, {"id": 2}, "SUCCEEDED", {"c": 3}, start=START, stop=STOP)
BAD = ChildRun(2, {"id": 3}, "FAILED", error="Boom", cause="it broke", start=START, stop=STOP)

#: AWS documents the NONE record with these keys, in this order.
SUCCEEDED_KEYS = [
    "ExecutionArn", "Input", "InputDetails", "Name", "Output", "OutputDetails",
    "RedriveCount", "RedriveStatus", "RedriveStatusReason", "StartDate", "StateMachineArn",
    "Status", "StopDate",
]  # fmt: skip

_PROCESSOR = {
    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
    "StartAt": "Work",
    "States": {"Work": {"Type": "Pass", "End": True}},
}
_FAILING = {
    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
    "StartAt": "Check",
    "States": {
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.ok", "BooleanEquals": False, "Next": "Fail"}],
            "Default": "Done",
        },
        "Fail": {"Type": "Fail", "Error": "Bad", "Cause": "not ok"},
        "Done": {"Type": "Pass", "End": True},
    },
}
WRITE = {
    "Resource": "arn:aws:states:::s3:putObject",
    "Parameters": {"Bucket": "results", "Prefix": "runs"},
}


def _machine(writer: dict[str, Any], processor: dict[str, Any] = _PROCESSOR, **extra: Any) -> StateMachine:  # fmt: skip
    state = {"Type": "Map", "ItemProcessor": processor, "ResultWriter": writer, "End": True}
    return StateMachine.from_definition({"StartAt": "Map", "States": {"Map": {**state, **extra}}})


# --- pure functions -------------------------------------------------------------------------


def test_succeeded_record_has_aws_keys_in_order() -> None:
    record = child_record(OK, IDENTITY)
    assert list(record) == SUCCEEDED_KEYS
    name = child_name(RUN_ID, 0)
    assert record == {
        "ExecutionArn": f"{BASE}:execution:orders/Map:{name}",
        "Input": '{"id":1}',
        "InputDetails": {"Included": True},
        "Name": name,
        "Output": '[{"a":1},{"b":2}]',
        "OutputDetails": {"Included": True},
        "RedriveCount": 0,
        "RedriveStatus": "NOT_REDRIVABLE",
        "RedriveStatusReason": "Execution is SUCCEEDED and cannot be redriven",
        "StartDate": "2025-02-04T01:49:50.099Z",
        "StateMachineArn": f"{BASE}:stateMachine:orders/Map",
        "Status": "SUCCEEDED",
        "StopDate": "2025-02-04T01:49:50.163Z",
    }


def test_failed_record_carries_error_and_cause_instead_of_output() -> None:
    record = child_record(BAD, IDENTITY)
    assert record["Error"] == "Boom"
    assert record["Cause"] == "it broke"
    assert record["Status"] == "FAILED"
    assert "Output" not in record
    assert "OutputDetails" not in record
    assert record["RedriveStatus"] == "REDRIVABLE_BY_MAP_RUN"


def test_express_children_have_express_arns() -> None:
    express = MapRunIdentity(IDENTITY.map_run_arn, RUN_ID, BASE, "orders/Map", express=True)
    assert child_record(OK, express)["ExecutionArn"].startswith(f"{BASE}:express:orders/Map:")


def test_child_names_are_stable_version_3_uuids() -> None:
    names = [child_name(RUN_ID, index) for index in range(3)]
    assert len(set(names)) == 3
    assert all(uuid.UUID(name).version == 3 for name in names)
    assert child_name(RUN_ID, 1) == names[1]
    assert uuid.UUID(child_name("not-a-uuid", 0)).version == 3


@pytest.mark.parametrize(
    ("runs", "transformation", "expected"),
    [
        ([OK, OK2], "COMPACT", [[{"a": 1}, {"b": 2}], {"c": 3}]),
        ([OK, OK2], "FLATTEN", [{"a": 1}, {"b": 2}, {"c": 3}]),
        ([OK2], "NONE", [child_record(OK2, IDENTITY)]),
        ([OK2, BAD], "COMPACT", [{"c": 3}, child_record(BAD, IDENTITY)]),
        ([BAD], "FLATTEN", [child_record(BAD, IDENTITY)]),
        ([], "NONE", []),
    ],
)
def test_transform(runs: list[ChildRun], transformation: str, expected: list[Any]) -> None:
    assert transform(runs, IDENTITY, transformation) == expected


@pytest.mark.parametrize(
    ("results", "output_type", "expected"),
    [
        ([{"a": 1}, 2], "JSON", '[{"a":1},2]'),
        ([], "JSON", "[]"),
        ([{"a": 1}, 2], "JSONL", '{"a":1}\n2\n'),
        (["é"], "JSONL", '"é"\n'),
    ],
)
def test_render(results: list[Any], output_type: str, expected: str) -> None:
    assert render(results, output_type) == expected


def test_manifest_shape() -> None:
    files = {"SUCCEEDED": [{"Key": "p/r/SUCCEEDED_0.json", "Size": 12}]}
    document = manifest("bucket", IDENTITY.map_run_arn, files)
    assert document == {
        "DestinationBucket": "bucket",
        "MapRunArn": IDENTITY.map_run_arn,
        "ResultFiles": {
            "FAILED": [],
            "PENDING": [],
            "SUCCEEDED": [{"Key": "p/r/SUCCEEDED_0.json", "Size": 12}],
        },
    }
    assert list(document["ResultFiles"]) == ["FAILED", "PENDING", "SUCCEEDED"]


def test_file_key() -> None:
    assert file_key("p/r", "FAILED") == "p/r/FAILED_0.json"
    assert file_key("r", "SUCCEEDED", 2) == "r/SUCCEEDED_2.json"


# --- WriterConfig without Resource ----------------------------------------------------------


def test_none_without_resource_returns_child_records() -> None:
    writer = {"WriterConfig": {"Transformation": "NONE", "OutputType": "JSON"}}
    execution = _machine(writer, Label="Orders").execute([{"id": 1}, [2]])
    assert execution.status == "SUCCEEDED"
    arn = execution.events("MapRunStarted")[0].details["mapRunArn"]
    run_id = arn.rsplit(":", 1)[1]
    records = execution.output
    assert [list(r) for r in records] == [SUCCEEDED_KEYS, SUCCEEDED_KEYS]
    assert [r["Input"] for r in records] == ['{"id":1}', "[2]"]
    assert [r["Output"] for r in records] == ['{"id":1}', "[2]"]
    assert [r["Name"] for r in records] == [child_name(run_id, 0), child_name(run_id, 1)]
    machine_arn = "arn:aws:states:us-east-1:123456789012:stateMachine:StateMachine/Orders"
    assert {r["StateMachineArn"] for r in records} == {machine_arn}
    assert records[0]["ExecutionArn"] == (
        f"arn:aws:states:us-east-1:123456789012:execution:StateMachine/Orders:{records[0]['Name']}"
    )
    assert records[0]["StartDate"].endswith("Z")


def test_tolerated_failures_are_records_in_compact_results() -> None:
    writer = {"WriterConfig": {"Transformation": "COMPACT", "OutputType": "JSON"}}
    machine = _machine(writer, _FAILING, ToleratedFailurePercentage=50)
    output = machine.execute([{"ok": True}, {"ok": False}]).output
    assert output[0] == {"ok": True}
    assert (output[1]["Status"], output[1]["Error"], output[1]["Cause"]) == (
        "FAILED",
        "Bad",
        "not ok",
    )


def test_results_written_only_with_a_resource() -> None:
    seen: list[Any] = []

    def answer(request: Any) -> Any:
        seen.append(request)
        return {}

    writer = {"WriterConfig": {"Transformation": "FLATTEN", "OutputType": "JSON"}}
    assert _machine(writer).execute([[1, 2], 3], results={"Map": answer}).output == [1, 2, 3]
    assert seen == []


# --- the export -----------------------------------------------------------------------------


def _recorder() -> tuple[list[dict[str, Any]], Any]:
    writes: list[dict[str, Any]] = []

    def answer(request: Any) -> Any:
        assert request.state_name == "Map"
        assert request.resource.arn == "arn:aws:states:::s3:putObject"
        writes.append(request.parameters)
        return {"ETag": '"x"'}

    return writes, answer


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (None, "NONE"),
        ({"Transformation": "COMPACT", "OutputType": "JSON"}, [{"n": 1}, {"n": 2}]),
        ({"Transformation": "FLATTEN", "OutputType": "JSONL"}, '{"n":1}\n{"n":2}\n'),
    ],
)
def test_export_writes_result_files_then_manifest(config: Any, expected: Any) -> None:
    writer = dict(WRITE)
    if config is not None:
        writer["WriterConfig"] = config
    writes, answer = _recorder()
    execution = _machine(writer).execute([{"n": 1}, {"n": 2}], results={"Map": answer})
    run_arn = execution.events("MapRunStarted")[0].details["mapRunArn"]
    run_id = run_arn.rsplit(":", 1)[1]
    folder = f"runs/{run_id}"
    assert execution.output == {
        "MapRunArn": run_arn,
        "ResultWriterDetails": {"Bucket": "results", "Key": f"{folder}/manifest.json"},
    }
    assert [w["Key"] for w in writes] == [f"{folder}/SUCCEEDED_0.json", f"{folder}/manifest.json"]
    assert {w["Bucket"] for w in writes} == {"results"}
    body = writes[0]["Body"]
    if expected == "NONE":
        records = json.loads(body)
        assert [r["Status"] for r in records] == ["SUCCEEDED", "SUCCEEDED"]
        assert [list(r) for r in records] == [SUCCEEDED_KEYS, SUCCEEDED_KEYS]
    elif isinstance(expected, str):
        assert body == expected
    else:
        assert json.loads(body) == expected
    assert json.loads(writes[1]["Body"]) == {
        "DestinationBucket": "results",
        "MapRunArn": run_arn,
        "ResultFiles": {
            "FAILED": [],
            "PENDING": [],
            "SUCCEEDED": [{"Key": f"{folder}/SUCCEEDED_0.json", "Size": len(body.encode("utf-8"))}],
        },
    }


def test_export_without_prefix_and_with_failed_children() -> None:
    writer = {
        "Resource": "arn:aws:states:::s3:putObject",
        "Parameters": {"Bucket.$": "$.bucket"},
        "WriterConfig": {"Transformation": "COMPACT", "OutputType": "JSON"},
    }
    writes, answer = _recorder()
    machine = _machine(writer, _FAILING, ItemsPath="$.items", ToleratedFailureCount=1)
    items = [{"ok": False}, {"ok": True}]
    execution = machine.execute({"bucket": "b", "items": items}, results={"Map": answer})
    run_id = execution.output["MapRunArn"].rsplit(":", 1)[1]
    assert execution.output["ResultWriterDetails"] == {
        "Bucket": "b",
        "Key": f"{run_id}/manifest.json",
    }
    keys = [w["Key"] for w in writes]
    assert keys == [
        f"{run_id}/SUCCEEDED_0.json",
        f"{run_id}/FAILED_0.json",
        f"{run_id}/manifest.json",
    ]
    assert json.loads(writes[0]["Body"]) == [{"ok": True}]
    (failed,) = json.loads(writes[1]["Body"])
    assert (failed["Status"], failed["Error"], failed["Input"]) == ("FAILED", "Bad", '{"ok":false}')
    files = json.loads(writes[2]["Body"])["ResultFiles"]
    assert [f["Key"] for f in files["FAILED"]] == [f"{run_id}/FAILED_0.json"]


def test_failed_map_run_still_writes_its_results() -> None:
    writes, answer = _recorder()
    execution = _machine(WRITE, _FAILING).execute([{"ok": False}], results={"Map": answer})
    assert (execution.status, execution.error) == (
        "FAILED",
        "States.ExceedToleratedFailureThreshold",
    )
    assert [w["Key"].rsplit("/", 1)[1] for w in writes] == ["FAILED_0.json", "manifest.json"]


def test_jsonata_arguments() -> None:
    writer = {
        "Resource": "arn:aws:states:::s3:putObject",
        "Arguments": {"Bucket": "{% $states.input.bucket %}", "Prefix": "out"},
    }
    writes, answer = _recorder()
    machine = _machine(writer, Items="{% $states.input.items %}", QueryLanguage="JSONata")
    execution = machine.execute({"bucket": "jb", "items": [1]}, results={"Map": answer})
    assert execution.output["ResultWriterDetails"]["Bucket"] == "jb"
    assert execution.output["ResultWriterDetails"]["Key"].startswith("out/")
    assert {w["Bucket"] for w in writes} == {"jb"}


def test_unanswered_export_returns_the_descriptor_without_writing() -> None:
    execution = _machine(WRITE).execute([1, 2])
    assert execution.status == "SUCCEEDED"
    assert set(execution.output) == {"MapRunArn", "ResultWriterDetails"}
    strict = _machine(WRITE).execute([1], results={}, mock_errors="fail")
    assert strict.status == "SUCCEEDED"


def test_write_failure_is_result_writer_failed_and_can_be_caught() -> None:
    failing = {"Map": Throw("S3.NoSuchBucketException", "The specified bucket does not exist")}
    execution = _machine(WRITE).execute([1], results=failing)
    assert (execution.status, execution.error, execution.cause) == (
        "FAILED",
        "States.ResultWriterFailed",
        "The specified bucket does not exist",
    )
    kinds = [e.type for e in execution.history]
    failed = kinds.index("MapRunFailed")
    assert kinds[failed - 1 : failed + 2] == ["MapRunStarted", "MapRunFailed", "MapStateFailed"]
    assert "MapRunSucceeded" not in kinds
    definition = {
        "StartAt": "Map",
        "States": {
            "Map": {
                "Type": "Map",
                "ItemProcessor": _PROCESSOR,
                "ResultWriter": WRITE,
                "Catch": [{"ErrorEquals": ["States.ResultWriterFailed"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        },
    }
    caught = StateMachine.from_definition(definition).execute([1], results=failing)
    assert caught.status == "SUCCEEDED"
    assert caught.output["Error"] == "States.ResultWriterFailed"


def test_later_unanswered_write_is_a_test_error() -> None:
    calls: list[int] = []

    def once(request: Any) -> Any:
        calls.append(1)
        if len(calls) > 1:
            raise UnmockedTaskError("no more")
        return {}

    with pytest.raises(UnmockedTaskError, match="ResultWriter of Distributed Map state 'Map'"):
        _machine(WRITE).execute([1], results={"Map": once})


# --- botocore: moto and Stubber ---------------------------------------------------------------


def test_moto_s3_end_to_end() -> None:
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    from pytest_sfn.integrations.botocore_tasks import BotocoreTasks

    with moto.mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="results")
        tasks = BotocoreTasks()
        execution = _machine(WRITE).execute([{"n": 1}, {"n": 2}], tasks=tasks)
        details = execution.output["ResultWriterDetails"]
        text = s3.get_object(Bucket="results", Key=details["Key"])["Body"].read()
        document = json.loads(text)
        assert document["DestinationBucket"] == "results"
        assert document["MapRunArn"] == execution.output["MapRunArn"]
        (entry,) = document["ResultFiles"]["SUCCEEDED"]
        body = s3.get_object(Bucket="results", Key=entry["Key"])["Body"].read()
        assert entry["Size"] == len(body)
        records = json.loads(body)
        assert [json.loads(r["Output"]) for r in records] == [{"n": 1}, {"n": 2}]
        assert [r["Status"] for r in records] == ["SUCCEEDED", "SUCCEEDED"]
        missing = _machine({**WRITE, "Parameters": {"Bucket": "nope", "Prefix": "p"}})
        failed = missing.execute([1], tasks=tasks)
        assert failed.error == "States.ResultWriterFailed"
        assert "bucket does not exist" in str(failed.cause)


def test_stubber_put_object() -> None:
    botocore_session = pytest.importorskip("botocore.session")
    from botocore.stub import ANY, Stubber

    from pytest_sfn.integrations.botocore_tasks import BotocoreTasks

    session = botocore_session.get_session()
    client = session.create_client(
        "s3", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    writer = {**WRITE, "WriterConfig": {"Transformation": "COMPACT", "OutputType": "JSON"}}
    with Stubber(client) as stub:
        stub.add_response(
            "put_object",
            {"ETag": '"1"'},
            {"Bucket": "results", "Key": ANY, "Body": "[7]"},
        )
        stub.add_client_error(
            "put_object", "AccessDenied", "Access Denied", 403, expected_params=None
        )
        result = _machine(writer).execute([7], tasks=BotocoreTasks(clients={"s3": client}))
        stub.assert_no_pending_responses()
    assert result.error == "States.ResultWriterFailed"
    assert "Access Denied" in str(result.cause)


# --- invariants ---------------------------------------------------------------------------


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@given(st.lists(_JSON_VALUES, max_size=5))
def test_rendered_files_read_back(results: list[Any]) -> None:
    assert json.loads(render(results, "JSON")) == results
    lines = render(results, "JSONL").split("\n")
    assert lines[-1] == ""
    assert [json.loads(line) for line in lines[:-1]] == results
