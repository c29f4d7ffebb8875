"""Distributed Map ItemReader: parsing tables, the Map Run around it, S3 through botocore."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from pytest_sfn import StateMachine
from pytest_sfn.engine.item_reader import (
    apply_max_items,
    at_pointer,
    listed_objects,
    object_record,
    object_text,
    parse_csv,
    parse_jsonl,
    parse_object,
)
from pytest_sfn.errors import MockError, StatesError, UnmockedTaskError
from pytest_sfn.mocks.results import InOrder, Throw

_PROCESSOR = {
    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
    "StartAt": "Echo",
    "States": {"Echo": {"Type": "Pass", "End": True}},
}


def _machine(reader: dict[str, Any], **extra: Any) -> StateMachine:
    state = {"Type": "Map", "ItemProcessor": _PROCESSOR, "ItemReader": reader, "End": True}
    return StateMachine.from_definition({"StartAt": "Read", "States": {"Read": {**state, **extra}}})


def _get(config: dict[str, Any], **params: Any) -> dict[str, Any]:
    parameters = {"Bucket": "my-bucket", "Key": "data/file", **params}
    return {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": config,
        "Parameters": parameters,
    }


# --- pure parsing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "config", "expected"),
    [
        ("a,b\n1,2\n3,4\n", {}, [{"a": "1", "b": "2"}, {"a": "3", "b": "4"}]),
        ("a,b\r\n1,2\r\n", {"CSVHeaderLocation": "FIRST_ROW"}, [{"a": "1", "b": "2"}]),
        (
            "1,2\n",
            {"CSVHeaderLocation": "GIVEN", "CSVHeaders": ["x", "y"]},
            [{"x": "1", "y": "2"}],
        ),
        ("a|b\n1|2\n", {"CSVDelimiter": "PIPE"}, [{"a": "1", "b": "2"}]),
        ("a;b\n1;2\n", {"CSVDelimiter": "SEMICOLON"}, [{"a": "1", "b": "2"}]),
        ("a b\n1 2\n", {"CSVDelimiter": "SPACE"}, [{"a": "1", "b": "2"}]),
        ("a\tb\n1\t2\n", {"CSVDelimiter": "TAB"}, [{"a": "1", "b": "2"}]),
        # fewer fields: empty strings; more fields: dropped (documented by AWS)
        ("a,b,c\n1\n1,2,3,4\n", {}, [{"a": "1", "b": "", "c": ""}, {"a": "1", "b": "2", "c": "3"}]),
        ('a,b\n"x, y","line\nbreak"\n', {}, [{"a": "x, y", "b": "line\nbreak"}]),
        ('a\n"say ""hi"""\n', {}, [{"a": 'say "hi"'}]),
        ("a,b\n\n1,2\n\n", {}, [{"a": "1", "b": "2"}]),
        ("a,b\n", {}, []),
        ("", {}, []),
    ],
)
def test_parse_csv(text: str, config: dict[str, Any], expected: list[dict[str, str]]) -> None:
    assert parse_csv(text, config) == expected


@pytest.mark.parametrize(
    ("text", "config"),
    [
        ("a,a\n1,2\n", {}),
        ("1,2\n", {"CSVHeaderLocation": "GIVEN", "CSVHeaders": ["x", "x"]}),
    ],
)
def test_parse_csv_duplicate_headers(text: str, config: dict[str, Any]) -> None:
    with pytest.raises(StatesError) as info:
        parse_csv(text, config)
    assert (info.value.error, info.value.cause) == (
        "States.ItemReaderFailed",
        "CSV headers cannot contain duplicates.",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a":1}\n{"a":2}\n', [{"a": 1}, {"a": 2}]),
        ('1\n\n"x"\n[1]\n', [1, "x", [1]]),
        ("", []),
    ],
)
def test_parse_jsonl(text: str, expected: list[Any]) -> None:
    assert parse_jsonl(text) == expected


def test_parse_jsonl_bad_line() -> None:
    with pytest.raises(StatesError, match="Line 2") as info:
        parse_jsonl('{"a":1}\n{oops\n')
    assert info.value.error == "States.ItemReaderFailed"


@pytest.mark.parametrize(
    ("content", "config", "expected"),
    [
        ("[1,2]", {"InputType": "JSON"}, [1, 2]),
        ([1, 2], {"InputType": "JSON"}, [1, 2]),
        ('{"a":{"b":[3]}}', {"InputType": "JSON", "ItemsPointer": "/a/b"}, [3]),
        ({"a": [[5, 6]]}, {"InputType": "JSON", "ItemsPointer": "/a/0"}, [5, 6]),
        ("[7]", {}, [7]),  # InputType defaults to JSON
        ('{"x":1}\n', {"InputType": "JSONL"}, [{"x": 1}]),
        ([{"x": 1}], {"InputType": "JSONL"}, [{"x": 1}]),
        ("h\nv\n", {"InputType": "CSV"}, [{"h": "v"}]),
    ],
)
def test_parse_object(content: Any, config: dict[str, Any], expected: list[Any]) -> None:
    assert parse_object(content, config) == expected


@pytest.mark.parametrize(
    ("content", "config", "cause"),
    [
        ('{"a":1}', {"InputType": "JSON"}, "Attempting to map over non-iterable node."),
        ("[1]", {"InputType": "JSON", "ItemsPointer": "/missing"}, "non-iterable"),
        ("{oops", {"InputType": "JSON"}, "not valid JSON"),
        ("x", {"InputType": "PARQUET"}, "InputType PARQUET"),
    ],
)
def test_parse_object_failures(content: Any, config: dict[str, Any], cause: str) -> None:
    with pytest.raises(StatesError) as info:
        parse_object(content, config)
    assert info.value.error == "States.ItemReaderFailed"
    assert cause in str(info.value.cause)


def test_parse_object_csv_needs_text() -> None:
    with pytest.raises(MockError, match="CSV needs the file's text"):
        parse_object([{"a": 1}], {"InputType": "CSV"})


@pytest.mark.parametrize(
    ("document", "pointer", "expected"),
    [
        ({"a": [1]}, "", {"a": [1]}),
        ({"a/b": 1}, "/a~1b", 1),
        ({"~": 2}, "/~0", 2),
        ([0, [1, 2]], "/1/1", 2),
        ([0], "/5", None),
        ({"a": 1}, "/a/b", None),
    ],
)
def test_at_pointer(document: Any, pointer: str, expected: Any) -> None:
    assert at_pointer(document, pointer) == expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("text", "text"),
        ({"Body": "a,b", "ContentLength": 3}, "a,b"),
        ([1, 2], [1, 2]),
        ({"Body": 1}, {"Body": 1}),
    ],
)
def test_object_text(answer: Any, expected: Any) -> None:
    assert object_text(answer) == expected


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            {
                "ETag": '"abc"',
                "Key": "k",
                "LastModified": "2022-11-17T15:44:41Z",
                "Size": 3,
                "StorageClass": "STANDARD",
                "Owner": {"ID": "x"},
            },
            {
                "Etag": '"abc"',
                "Key": "k",
                "LastModified": 1668699881,
                "Size": 3,
                "StorageClass": "STANDARD",
            },
        ),
        (
            {"Etag": "e", "Key": "k", "LastModified": 5.0},
            {"Etag": "e", "Key": "k", "LastModified": 5},
        ),
        ({"Key": "k"}, {"Key": "k"}),
    ],
)
def test_object_record(entry: dict[str, Any], expected: dict[str, Any]) -> None:
    assert object_record(entry) == expected


def test_listed_objects_pages() -> None:
    page = {"Contents": [{"Key": "a"}], "IsTruncated": True, "NextContinuationToken": "t1"}
    assert listed_objects(page) == ([{"Key": "a"}], "t1")
    assert listed_objects({"IsTruncated": False}) == ([], None)
    assert listed_objects([{"Key": "b"}]) == ([{"Key": "b"}], None)
    with pytest.raises(MockError, match="needs a 'Key'"):
        listed_objects([{"Size": 1}])
    with pytest.raises(MockError, match="ListObjectsV2 response"):
        listed_objects("nope")


@pytest.mark.parametrize(
    ("max_items", "expected"),
    [(None, [1, 2, 3]), (0, [1, 2, 3]), (2, [1, 2]), (5, [1, 2, 3])],
)
def test_apply_max_items(max_items: Any, expected: list[int]) -> None:
    assert apply_max_items([1, 2, 3], max_items) == expected


def test_apply_max_items_negative() -> None:
    with pytest.raises(StatesError, match="field MaxItems must be positive"):
        apply_max_items([1], -1)


# --- through the engine ---------------------------------------------------------------------


def test_csv_items_run_as_child_executions() -> None:
    machine = _machine(_get({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"}))
    result = machine.execute({}, results={"Read": "id,name\n1,ann\n2,bob\n"})
    assert result.status == "SUCCEEDED"
    assert result.output == [{"id": "1", "name": "ann"}, {"id": "2", "name": "bob"}]
    kinds = [e.type for e in result.history]
    assert kinds[:5] == [
        "ExecutionStarted",
        "MapStateEntered",
        "MapStateStarted",
        "MapRunStarted",
        "MapRunSucceeded",
    ]
    # AWS-recorded: MapStateStarted has length 0 with an ItemReader
    assert result.history[2].details == {"length": 0}


def test_reader_request_carries_evaluated_parameters() -> None:
    seen: list[Any] = []

    def answer(request: Any) -> Any:
        seen.append((request.state_name, request.resource.arn, request.parameters))
        return "[1]"

    reader = _get({"InputType": "JSON"})
    reader["Parameters"] = {"Bucket": "my-bucket", "Key.$": "$.key"}
    machine = _machine(reader)
    assert machine.execute({"key": "in/x.json"}, results={"Read": answer}).output == [1]
    assert seen == [
        ("Read", "arn:aws:states:::s3:getObject", {"Bucket": "my-bucket", "Key": "in/x.json"})
    ]


@pytest.mark.parametrize(
    ("config", "input_value", "expected"),
    [
        ({"InputType": "JSON", "MaxItems": 2}, {}, [1, 2]),
        ({"InputType": "JSON", "MaxItemsPath": "$.n"}, {"n": 1}, [1]),
        ({"InputType": "JSON", "MaxItemsPath": "$.n"}, {"n": "3"}, [1, 2, 3]),
        ({"InputType": "JSON", "MaxItems": 0}, {}, [1, 2, 3, 4]),
    ],
)
def test_max_items(config: dict[str, Any], input_value: Any, expected: list[int]) -> None:
    result = _machine(_get(config)).execute(input_value, results={"Read": "[1,2,3,4]"})
    assert result.output == expected


def test_max_items_path_not_an_integer() -> None:
    machine = _machine(_get({"InputType": "JSON", "MaxItemsPath": "$.n"}))
    result = machine.execute({"n": 1.5}, results={"Read": "[1]"})
    assert (result.error, result.cause) == (
        "States.Runtime",
        'The MaxItemsPath field refers to value "1.5" which is not a valid integer: $.n',
    )


def test_reader_failure_fails_map_run_and_can_be_caught() -> None:
    catch = {"Catch": [{"ErrorEquals": ["States.ItemReaderFailed"], "Next": "Caught"}]}
    definition = {
        "StartAt": "Read",
        "States": {
            "Read": {
                "Type": "Map",
                "ItemProcessor": _PROCESSOR,
                "ItemReader": _get({"InputType": "CSV"}),
                "End": True,
                **catch,
            },
            "Caught": {"Type": "Pass", "End": True},
        },
    }
    result = StateMachine.from_definition(definition).execute({}, results={"Read": "a,a\n1,2"})
    assert result.status == "SUCCEEDED"
    assert result.output == {
        "Error": "States.ItemReaderFailed",
        "Cause": "CSV headers cannot contain duplicates.",
    }
    kinds = [e.type for e in result.history]
    failed = kinds.index("MapRunFailed")
    assert kinds[failed - 1 : failed + 2] == ["MapRunStarted", "MapRunFailed", "MapStateFailed"]
    assert result.history[failed].details == {
        "error": "States.ItemReaderFailed",
        "cause": "CSV headers cannot contain duplicates.",
    }


def test_s3_error_becomes_item_reader_failed() -> None:
    machine = _machine(_get({"InputType": "JSON"}))
    result = machine.execute({}, results={"Read": Throw("S3.NoSuchKeyException", "no key")})
    assert (result.status, result.error, result.cause) == (
        "FAILED",
        "States.ItemReaderFailed",
        "no key",
    )


def test_unanswered_reader_says_how_to_answer_it() -> None:
    machine = _machine(_get({"InputType": "JSON"}))
    with pytest.raises(UnmockedTaskError, match=r"ItemReader of Distributed Map state 'Read'"):
        machine.execute({}, results={})
    result = machine.execute({}, results={}, mock_errors="fail")
    assert result.error == "pytest_sfn.UnmockedTask"
    assert "results={'Read'" in str(result.cause)


def test_list_objects_pages_and_records() -> None:
    pages = InOrder(
        {"Contents": [{"Key": "a", "Size": 1}], "IsTruncated": True, "NextContinuationToken": "t"},
        {"Contents": [{"Key": "b", "Size": 2}], "IsTruncated": False},
    )
    requests: list[Any] = []

    def answer(request: Any) -> Any:
        requests.append(request.parameters)
        return pages

    reader = {
        "Resource": "arn:aws:states:::s3:listObjectsV2",
        "Parameters": {"Bucket": "my-bucket", "Prefix": "in/"},
    }
    result = _machine(reader).execute({}, results={"Read": answer})
    assert result.output == [{"Key": "a", "Size": 1}, {"Key": "b", "Size": 2}]
    assert requests == [
        {"Bucket": "my-bucket", "Prefix": "in/"},
        {"Bucket": "my-bucket", "Prefix": "in/", "ContinuationToken": "t"},
    ]


def test_load_and_flatten_reads_each_listed_object() -> None:
    def answer(request: Any) -> Any:
        if request.resource.api == "listObjectsV2":
            return {"Contents": [{"Key": "in/"}, {"Key": "in/1.jsonl"}, {"Key": "in/2.jsonl"}]}
        return {"in/1.jsonl": '{"n":1}\n{"n":2}', "in/2.jsonl": '{"n":3}'}[
            request.parameters["Key"]
        ]

    reader = {
        "Resource": "arn:aws:states:::s3:listObjectsV2",
        "ReaderConfig": {"InputType": "JSONL", "Transformation": "LOAD_AND_FLATTEN", "MaxItems": 2},
        "Parameters": {"Bucket": "my-bucket", "Prefix": "in/"},
    }
    assert _machine(reader).execute({}, results={"Read": answer}).output == [{"n": 1}, {"n": 2}]


def test_manifest_is_reported_unsupported() -> None:
    machine = _machine(_get({"InputType": "MANIFEST"}))
    result = machine.execute({}, results={"Read": "{}"})
    assert result.error == "States.ItemReaderFailed"
    assert "manifest" in str(result.cause)


def test_jsonata_arguments_and_max_items() -> None:
    reader = {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSON", "MaxItems": "{% $states.input.limit %}"},
        "Arguments": {"Bucket": "my-bucket", "Key": "{% $states.input.key %}"},
    }
    seen: list[Any] = []

    def answer(request: Any) -> Any:
        seen.append(request.parameters)
        return [1, 2, 3]

    machine = _machine(reader, QueryLanguage="JSONata")
    result = machine.execute({"key": "k.json", "limit": 2}, results={"Read": answer})
    assert (result.status, result.output) == ("SUCCEEDED", [1, 2])
    assert seen == [{"Bucket": "my-bucket", "Key": "k.json"}]
    bad = machine.execute({"key": "k.json", "limit": "x"}, results={"Read": answer})
    assert bad.error == "States.QueryEvaluationError"


def test_item_selector_sees_reader_items() -> None:
    machine = _machine(
        _get({"InputType": "JSONL"}),
        ItemSelector={"value.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index"},
    )
    result = machine.execute({}, results={"Read": '"a"\n"b"'})
    assert result.output == [{"value": "a", "index": 0}, {"value": "b", "index": 1}]


# --- botocore: moto and Stubber ---------------------------------------------------------------


def test_moto_s3_end_to_end() -> None:
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    from pytest_sfn.integrations.botocore_tasks import BotocoreTasks

    with moto.mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="my-bucket")
        s3.put_object(Bucket="my-bucket", Key="in/rows.csv", Body=b"id,qty\n1,5\n2,7\n")
        s3.put_object(Bucket="my-bucket", Key="in/doc.json", Body=json.dumps({"a": [1]}).encode())
        s3.put_object(Bucket="my-bucket", Key="in/lines.jsonl", Body=b'{"x":1}\n')
        tasks = BotocoreTasks()
        csv_reader = _get({"InputType": "CSV"}, Key="in/rows.csv")
        assert _machine(csv_reader).execute({}, tasks=tasks).output == [
            {"id": "1", "qty": "5"},
            {"id": "2", "qty": "7"},
        ]
        json_reader = _get({"InputType": "JSON", "ItemsPointer": "/a"}, Key="in/doc.json")
        assert _machine(json_reader).execute({}, tasks=tasks).output == [1]
        jsonl_reader = _get({"InputType": "JSONL"}, Key="in/lines.jsonl")
        assert _machine(jsonl_reader).execute({}, tasks=tasks).output == [{"x": 1}]
        listing = {
            "Resource": "arn:aws:states:::s3:listObjectsV2",
            "Parameters": {"Bucket": "my-bucket", "Prefix": "in/"},
        }
        records = _machine(listing).execute({}, tasks=tasks).output
        assert [r["Key"] for r in records] == ["in/doc.json", "in/lines.jsonl", "in/rows.csv"]
        assert set(records[0]) == {"Etag", "Key", "LastModified", "Size", "StorageClass"}
        assert isinstance(records[0]["LastModified"], int)
        assert records[0]["Etag"].startswith('"')
        missing = _machine(_get({"InputType": "JSON"}, Key="nope")).execute({}, tasks=tasks)
        assert missing.error == "States.ItemReaderFailed"
        assert "NoSuchKey" in str(missing.cause)


def test_stubber_get_object() -> None:
    botocore_session = pytest.importorskip("botocore.session")
    from botocore.response import StreamingBody
    from botocore.stub import Stubber

    from pytest_sfn.integrations.botocore_tasks import BotocoreTasks

    session = botocore_session.get_session()
    client = session.create_client(
        "s3", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    body = b"a|b\n1|2\n"
    with Stubber(client) as stub:
        stub.add_response(
            "get_object",
            {"Body": StreamingBody(io.BytesIO(body), len(body))},
            {"Bucket": "my-bucket", "Key": "data/file"},
        )
        machine = _machine(_get({"InputType": "CSV", "CSVDelimiter": "PIPE"}))
        result = machine.execute({}, tasks=BotocoreTasks(clients={"s3": client}))
        assert result.output == [{"a": "1", "b": "2"}]
        stub.assert_no_pending_responses()
