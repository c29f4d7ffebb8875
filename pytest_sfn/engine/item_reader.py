"""Distributed Map ``ItemReader``: the items a Map reads from Amazon S3.

The S3 call goes through the execution's task handler as a :class:`TaskRequest` whose
``state_name`` is the Map state's name and whose ``resource`` is the reader's
(``arn:aws:states:::s3:getObject`` or ``arn:aws:states:::s3:listObjectsV2``), so results,
mocks and :class:`~pytest_sfn.integrations.botocore_tasks.BotocoreTasks` answer it like a
Task. What an answer may be (see :func:`object_text` and :func:`listed_objects`):

* ``s3:getObject``: the object's content as text (``"id,name\\n1,a"``), a ``GetObject``
  response ``{"Body": "<text>", ...}`` (what BotocoreTasks returns), or, for ``JSON`` and
  ``JSONL``, the decoded JSON document (a list of the lines for ``JSONL``);
* ``s3:listObjectsV2``: a ``ListObjectsV2`` response ``{"Contents": [...], "IsTruncated",
  "NextContinuationToken"}`` (pages are requested again with ``ContinuationToken``) or a
  list of object records.

The parsing functions are pure; :func:`read_items` is the engine glue.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pytest_sfn._json import dump_compact
from pytest_sfn._types import JSON
from pytest_sfn.engine.failure import MockFailure
from pytest_sfn.engine.ports import TaskOutcome
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
    "GET_OBJECT",
    "ITEM_READER_FAILED",
    "LIST_OBJECTS_V2",
    "MAX_ITEMS_LIMIT",
    "apply_max_items",
    "at_pointer",
    "items_at_pointer",
    "listed_objects",
    "object_record",
    "object_text",
    "parse_csv",
    "parse_jsonl",
    "parse_object",
    "read_items",
]

ITEM_READER_FAILED = "States.ItemReaderFailed"
GET_OBJECT = "arn:aws:states:::s3:getObject"
LIST_OBJECTS_V2 = "arn:aws:states:::s3:listObjectsV2"
#: The largest ``MaxItems`` AWS accepts.
MAX_ITEMS_LIMIT = 100_000_000

_DELIMITERS = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}
_NON_ITERABLE = "Attempting to map over non-iterable node."
_MAX_PAGES = 100_000


def _failed(cause: str) -> StatesError:
    return StatesError(ITEM_READER_FAILED, cause)


# --- pure parsing ---------------------------------------------------------------------------


def at_pointer(document: JSON, pointer: str) -> JSON:
    """RFC 6901 JSON Pointer lookup; ``None`` when the pointer selects nothing.

    Args:
        document: the decoded JSON document.
        pointer: ``""`` (the whole document) or ``/a/0/b``.
    """
    node = document
    for raw in pointer.split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node


def items_at_pointer(document: JSON, config: Mapping[str, Any]) -> JSON:
    """The node ``ReaderConfig.ItemsPointer`` selects (the document itself without one)."""
    pointer = config.get("ItemsPointer")
    return at_pointer(document, pointer) if isinstance(pointer, str) else document


def parse_csv(text: str, config: Mapping[str, Any]) -> list[dict[str, str]]:
    """Rows of a delimited file as objects of strings, as a Distributed Map reads them.

    ``CSVHeaderLocation`` ``FIRST_ROW`` (default) takes the names from the first row,
    ``GIVEN`` from ``CSVHeaders``. A row with fewer fields gets empty strings, extra fields
    are dropped; blank lines are skipped.

    Raises:
        StatesError: ``States.ItemReaderFailed`` for duplicate header names.
    """
    delimiter = _DELIMITERS.get(str(config.get("CSVDelimiter", "COMMA")), ",")
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, escapechar="\\")
    rows = [row for row in reader if row]
    if config.get("CSVHeaderLocation") == "GIVEN":
        headers = [str(h) for h in config.get("CSVHeaders") or ()]
    else:
        headers = rows.pop(0) if rows else []
    if len(set(headers)) != len(headers):
        raise _failed("CSV headers cannot contain duplicates.")
    return [
        {name: row[i] if i < len(row) else "" for i, name in enumerate(headers)} for row in rows
    ]


def parse_jsonl(text: str) -> list[JSON]:
    """One item per non-blank line of a JSON Lines file.

    Raises:
        StatesError: ``States.ItemReaderFailed`` when a line is not JSON.
    """
    items: list[JSON] = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                items.append(json.loads(line))
            except ValueError:
                raise _failed(f"Line {number} of the JSONL file is not valid JSON.") from None
    return items


def parse_object(content: JSON, config: Mapping[str, Any]) -> list[JSON]:
    """The items of one object's content for ``ReaderConfig.InputType``.

    Args:
        content: the object's text, or an already decoded JSON document (``JSON``) or list
            of lines (``JSONL``).
        config: the ``ReaderConfig``.

    Raises:
        StatesError: ``States.ItemReaderFailed`` (content that cannot be read, no array at
            ``ItemsPointer``, an input type pytest-sfn cannot read).
    """
    input_type = config.get("InputType", "JSON")
    if input_type == "CSV":
        if not isinstance(content, str):
            raise MockError("an ItemReader with InputType CSV needs the file's text")
        return list(parse_csv(content, config))
    if input_type == "JSONL":
        if isinstance(content, list):
            return content
        if not isinstance(content, str):
            raise MockError("an ItemReader with InputType JSONL needs the file's text or a list")
        return parse_jsonl(content)
    if input_type == "JSON":
        document = content
        if isinstance(content, str):
            try:
                document = json.loads(content)
            except ValueError:
                raise _failed("The JSON file is not valid JSON.") from None
        found = items_at_pointer(document, config)
        if not isinstance(found, list):
            raise _failed(_NON_ITERABLE)
        return found
    raise _failed(
        f"pytest-sfn does not read ItemReader InputType {input_type} yet; use CSV, JSON or JSONL."
    )


def object_text(answer: JSON) -> JSON:
    """The content of a ``s3:getObject`` answer: ``Body`` of a response, else the answer."""
    if isinstance(answer, dict) and isinstance(answer.get("Body"), str):
        return answer["Body"]
    return answer


def _epoch(value: JSON) -> JSON:
    if isinstance(value, str):
        try:
            return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
        except ValueError:
            return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def object_record(entry: Mapping[str, Any]) -> dict[str, JSON]:
    """A listed object as the Map item AWS gives: ``Etag``, ``Key``, ``LastModified`` (epoch
    seconds), ``Size``, ``StorageClass``.

    Accepts the ``ListObjectsV2`` ``Contents`` entry spelling (``ETag``, ISO timestamps).
    """
    record: dict[str, JSON] = {}
    etag = entry.get("Etag", entry.get("ETag"))
    if etag is not None:
        record["Etag"] = etag
    record["Key"] = entry.get("Key")
    if "LastModified" in entry:
        record["LastModified"] = _epoch(entry["LastModified"])
    if "Size" in entry:
        record["Size"] = entry["Size"]
    if "StorageClass" in entry:
        record["StorageClass"] = entry["StorageClass"]
    return record


def listed_objects(answer: JSON) -> tuple[list[dict[str, JSON]], str | None]:
    """The object records of one ``s3:listObjectsV2`` answer and the next page's token.

    Raises:
        MockError: the answer is neither a response object nor a list of objects.
    """
    if isinstance(answer, list):
        entries, token = answer, None
    elif isinstance(answer, dict):
        entries = answer.get("Contents") or []
        more = answer.get("IsTruncated") and answer.get("NextContinuationToken")
        token = str(answer["NextContinuationToken"]) if more else None
    else:
        raise MockError(
            "an s3:listObjectsV2 ItemReader answer must be a ListObjectsV2 response "
            f"({{'Contents': [...]}}) or a list of objects, got {dump_compact(answer)}"
        )
    records = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("Key"), str):
            raise MockError(f"a listed S3 object needs a 'Key', got {dump_compact(entry)}")
        records.append(object_record(entry))
    return records, token


def apply_max_items(items: list[JSON], max_items: JSON) -> list[JSON]:
    """At most ``MaxItems`` items (``None`` or 0: all).

    Raises:
        StatesError: ``States.ItemReaderFailed`` for a negative value.
    """
    if max_items is None:
        return items
    if max_items < 0:
        raise _failed("field MaxItems must be positive")
    return items[: min(max_items, MAX_ITEMS_LIMIT)] if max_items else items


# --- the engine glue ------------------------------------------------------------------------


def read_items(
    it: Interpreter, state: MapState, effective: JSON, visit: Visit, frame: Frame
) -> list[JSON]:
    """Read the items of ``state``'s ``ItemReader`` through the task handler.

    Raises:
        StatesError: ``States.ItemReaderFailed`` (or the S3 error the handler gave).
        MockFailure: nothing answers the reader (``UnmockedTaskError`` in the message).
    """
    try:
        return _read(it, state, effective, visit, frame)
    except MockError as exc:
        if not it.config.fail_on_mock_error:
            raise
        unmocked = isinstance(exc, UnmockedTaskError)
        # No Retry or Catch sees this: it is a problem of the test, not of the workflow.
        raise MockFailure(UNMOCKED_TASK_ERROR if unmocked else MOCK_ERROR, str(exc)) from None


def _read(
    it: Interpreter, state: MapState, effective: JSON, visit: Visit, frame: Frame
) -> list[JSON]:
    reader: dict[str, Any] = state.item_reader
    config: dict[str, Any] = reader.get("ReaderConfig") or {}
    parameters = _parameters(it, state, reader, effective, visit, frame)
    max_items = _max_items(it, state, config, effective, visit, frame)
    ask = _Asker(it, state, visit)
    resource = str(reader.get("Resource", ""))
    if resource.endswith(":s3:listObjectsV2"):
        records = _list_all(ask, parameters)
        if config.get("Transformation") != "LOAD_AND_FLATTEN":
            return apply_max_items(list(records), max_items)
        bucket = parameters.get("Bucket") if isinstance(parameters, dict) else None
        items: list[JSON] = []
        for record in records:
            key = record["Key"]
            if isinstance(key, str) and not key.endswith("/"):
                content = object_text(ask(GET_OBJECT, {"Bucket": bucket, "Key": key}))
                items.extend(parse_object(content, config))
        return apply_max_items(items, max_items)
    if config.get("InputType") == "MANIFEST" or "ManifestType" in config:
        raise _failed(
            "pytest-sfn does not read manifest ItemReaders (InputType MANIFEST, ManifestType "
            "S3_INVENTORY or ATHENA_DATA) yet; use CSV, JSON, JSONL or s3:listObjectsV2."
        )
    content = object_text(ask(GET_OBJECT, parameters))
    return apply_max_items(parse_object(content, config), max_items)


class _Asker:
    """Sends the reader's S3 calls to the task handler; a failed call fails the reader."""

    __slots__ = ("it", "state", "visit")

    def __init__(self, it: Interpreter, state: MapState, visit: Visit) -> None:
        self.it, self.state, self.visit = it, state, visit

    def __call__(self, arn: str, parameters: JSON) -> JSON:
        name = self.state.name
        try:
            outcome = state_call(self.it, name, self.visit, arn, parameters, "ItemReader")
            if not outcome.failed:
                outcome = TaskOutcome(output=self._checked(outcome.output, arn))
        except MockError as exc:
            raise type(exc)(f"{exc}\n{_how_to_answer(name, arn)}") from None
        if outcome.failed:
            # UNCONFIRMED: how AWS words an S3 failure; the error name is the documented one.
            raise _failed(outcome.cause or outcome.error or "The S3 call failed.")
        return outcome.output

    @staticmethod
    def _checked(output: JSON, arn: str) -> JSON:
        if arn == LIST_OBJECTS_V2:
            listed_objects(output)  # raises MockError for a malformed answer
        return output


def _how_to_answer(name: str, arn: str) -> str:
    return (
        f"The ItemReader of Distributed Map state {name!r} calls {arn}: answer it under the "
        f"Map state's name (results={{{name!r}: <the file's text or the listed objects>}}, a "
        "mock of that state) or with BotocoreTasks (botocore=, moto's mock_aws or a Stubber)."
    )


def _list_all(ask: Callable[[str, JSON], JSON], parameters: JSON) -> list[dict[str, JSON]]:
    records: list[dict[str, JSON]] = []
    request = parameters
    for _ in range(_MAX_PAGES):
        page, token = listed_objects(ask(LIST_OBJECTS_V2, request))
        records.extend(page)
        if token is None:
            return records
        base = request if isinstance(request, dict) else {}
        request = {**base, "ContinuationToken": token}
    raise MockError(f"s3:listObjectsV2 still had more pages after {_MAX_PAGES} requests")


def _parameters(it: Interpreter, state: MapState, reader: dict[str, Any], effective: JSON,
                visit: Visit, frame: Frame) -> JSON:  # fmt: skip
    pointer = f"{state.pointer}/ItemReader"
    if state.jsonata:
        if "Arguments" not in reader:
            return {}
        return _jsonata(it, reader["Arguments"], "ItemReader/Arguments", pointer + "/Arguments",
                        effective, visit, frame)  # fmt: skip
    if "Parameters" not in reader:
        return {}
    from pytest_sfn.engine.dataflow import apply_template
    from pytest_sfn.expressions.payload import compile_template

    template = compile_template(reader["Parameters"], pointer + "/Parameters")
    return apply_template(template, it.scope(effective, visit, frame))


def _jsonata(it: Interpreter, value: JSON, field: str, pointer: str, effective: JSON,
             visit: Visit, frame: Frame) -> JSON:  # fmt: skip
    from pytest_sfn.engine.jsonata_states import evaluate_field, states_bindings
    from pytest_sfn.expressions.jsonata_template import compile_jsonata_template

    fields = {field: compile_jsonata_template(value, field, pointer)}
    bindings = states_bindings(it, visit, frame, effective)
    return evaluate_field(it, fields, field, bindings)


def _max_items(it: Interpreter, state: MapState, config: dict[str, Any], effective: JSON,
               visit: Visit, frame: Frame) -> JSON:  # fmt: skip
    value = config.get("MaxItems")
    if state.jsonata and isinstance(value, str):
        field = "ItemReader/ReaderConfig/MaxItems"
        value = _jsonata(it, value, field, f"{state.pointer}/{field}", effective, visit, frame)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
            raise StatesError(
                "States.QueryEvaluationError",
                f"The JSONata expression '{config['MaxItems']}' specified for the field "
                f"'{field}' returned an unexpected result type. Expected 'integer', but was "
                f"'{type(value).__name__}' for value: {dump_compact(value)}",
            )
        return int(value)
    path_text = config.get("MaxItemsPath")
    if path_text is None or state.jsonata:
        return value
    from pytest_sfn.expressions.jsonpath import PathNotFound, compile_path
    from pytest_sfn.expressions.payload import resolve_path

    try:
        found = resolve_path(compile_path(path_text), it.scope(effective, visit, frame))
    except PathNotFound:
        found = None
    number = found
    if isinstance(found, str):
        try:
            number = int(found)
        except ValueError:
            number = None
    if isinstance(number, bool) or not isinstance(number, int):
        shown = found if isinstance(found, str) else dump_compact(found)
        raise StatesError(
            "States.Runtime",
            f'The MaxItemsPath field refers to value "{shown}" which is not a valid integer: '
            f"{path_text}",
        )
    return number
