"""Validation of Parallel branches and of the Map state (inline and distributed)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pytest_sfn._types import JSON
from pytest_sfn.parsing._validate_common import (
    INVALID_LABEL_NAME,
    MSG_EMPTY,
    Collector,
    Path,
    State,
    check_exclusive,
    check_fields,
    expect_enum,
    expect_non_empty_array,
    expect_range,
    expect_type,
    is_jsonata,
    msg_language,
    msg_not_supported,
    msg_required,
)
from pytest_sfn.parsing._validate_data import check_path, check_payload
from pytest_sfn.parsing._validate_jsonata import walk_jsonata

#: Map fields that only a Distributed Map accepts.
#: AWS-recorded: an INLINE Map accepts (and ignores) the ToleratedFailure* fields.
DISTRIBUTED_ONLY = (
    "ItemReader",
    "ItemBatcher",
    "ResultWriter",
    "Label",
)
_MAX_LABEL = 40
_LABEL_FORBIDDEN_RE = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")
_ITEM_READER_RESOURCE_RE = re.compile(r"^arn:[^:]+:states:::s3:(getObject|listObjectsV2)$")
_RESULT_WRITER_RESOURCE_RE = re.compile(r"^arn:[^:]+:states:::s3:putObject$")
_MAX_ITEMS = 100_000_000
_MAX_BATCH_BYTES = 262_144

ValueCheck = Callable[[Collector, JSON, Path, bool], object]


def _int_or_expression(minimum: int, maximum: int | None = None) -> ValueCheck:
    def check(c: Collector, value: JSON, path: Path, jsonata: bool) -> object:
        if jsonata and is_jsonata(value):
            walk_jsonata(c, value, path)
            return None
        if maximum is None:
            return expect_range(c, value, path, minimum)
        return expect_range(c, value, path, minimum, maximum)

    return check


def _reference(name: str) -> ValueCheck:
    return lambda c, v, p, j: check_path(c, v, p, name, reference=True)


def _enum(*values: str) -> ValueCheck:
    return lambda c, v, p, j: expect_enum(c, v, p, values)


def _payload(c: Collector, value: JSON, path: Path, jsonata: bool) -> object:
    check_payload(c, value, path, jsonata=jsonata)
    return None


def _string(c: Collector, value: JSON, path: Path, jsonata: bool) -> object:
    return expect_type(c, value, path, str)


def _check_object(
    c: Collector,
    value: JSON,
    path: Path,
    jsonata: bool,
    fields: dict[str, tuple[str | None, ValueCheck]],
    required: tuple[str, ...] = (),
) -> dict[str, Any] | None:
    """Validate a nested configuration object against a field table.

    ``fields`` maps each allowed key to (the only query language it belongs to, or
    ``None``, and the check of its value).
    """
    if not expect_type(c, value, path, dict):
        return None
    language = "JSONata" if jsonata else "JSONPath"
    check_fields(c, value, path, fields, required)
    for key, item in value.items():
        if key not in fields:
            continue
        only, check = fields[key]
        if only is not None and only != language:
            c.schema(msg_language(language, key), path)
        else:
            check(c, item, (*path, key), jsonata)
    result: dict[str, Any] = value
    return result


# -- Parallel -----------------------------------------------------------------------------


def check_branches(c: Collector, value: JSON, path: Path, state: State) -> None:
    """``Branches``: a non-empty array of workflows, each its own scope."""
    if not expect_non_empty_array(c, value, path):
        return
    assert c.visit_workflow is not None
    for index, branch in enumerate(value):
        c.visit_workflow(c, branch, (*path, index))


# -- Map: processor -------------------------------------------------------------------------


def check_processor(c: Collector, value: JSON, path: Path, state: State) -> None:
    """``ItemProcessor`` / legacy ``Iterator``: a workflow (its ProcessorConfig: below)."""
    assert c.visit_workflow is not None
    c.visit_workflow(c, value, path)


_PROCESSOR_CONFIG: dict[str, tuple[str | None, ValueCheck]] = {
    "Mode": (None, _enum("INLINE", "DISTRIBUTED")),
    "ExecutionType": (None, _enum("STANDARD", "EXPRESS")),
}


def processor_mode(body: dict[str, Any]) -> str:
    """``INLINE`` or ``DISTRIBUTED`` as declared (``INLINE`` when absent or invalid)."""
    processor = body.get("ItemProcessor", body.get("Iterator"))
    config = processor.get("ProcessorConfig") if isinstance(processor, dict) else None
    mode = config.get("Mode") if isinstance(config, dict) else None
    return "DISTRIBUTED" if mode == "DISTRIBUTED" else "INLINE"


def _check_processor_config(c: Collector, state: State) -> None:
    for key in ("ItemProcessor", "Iterator"):
        processor = state.body.get(key)
        if not isinstance(processor, dict) or "ProcessorConfig" not in processor:
            continue
        path = (*state.path, key, "ProcessorConfig")
        config = _check_object(
            c, processor["ProcessorConfig"], path, state.jsonata, _PROCESSOR_CONFIG
        )
        if config is None:
            continue
        if config.get("Mode") == "DISTRIBUTED" and "ExecutionType" not in config:
            c.schema(msg_required(["ExecutionType"]), path)
        if config.get("Mode", "INLINE") == "INLINE" and "ExecutionType" in config:
            c.schema(msg_not_supported("ExecutionType"), path)


# -- Map: distributed configuration ---------------------------------------------------------

_READER_CONFIG: dict[str, tuple[str | None, ValueCheck]] = {
    "InputType": (None, _enum("CSV", "JSON", "JSONL", "PARQUET", "MANIFEST")),
    "Transformation": (None, _enum("NONE", "LOAD_AND_FLATTEN")),
    "ManifestType": (None, _enum("ATHENA_DATA", "S3_INVENTORY")),
    "CSVDelimiter": (None, _enum("COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB")),
    "CSVHeaderLocation": (None, _enum("FIRST_ROW", "GIVEN")),
    "CSVHeaders": (None, lambda c, v, p, j: _string_array(c, v, p)),
    "ItemsPointer": (None, _string),
    "MaxItems": (None, _int_or_expression(0, _MAX_ITEMS)),
    "MaxItemsPath": ("JSONPath", _reference("MaxItemsPath")),
}


def _string_array(c: Collector, value: JSON, path: Path) -> None:
    if expect_type(c, value, path, list):
        for index, item in enumerate(value):
            expect_type(c, item, (*path, index), str)


def _resource(pattern: re.Pattern[str], examples: str) -> ValueCheck:
    def check(c: Collector, value: JSON, path: Path, jsonata: bool) -> object:
        if expect_type(c, value, path, str) and not pattern.match(value):
            c.schema(
                "The field 'Resource' does not match any of the allowed values. "
                f"Examples: [{examples}]",  # UNCONFIRMED wording
                path,
            )
        return None

    return check


def _reader_config(c: Collector, value: JSON, path: Path, jsonata: bool) -> object:
    config = _check_object(c, value, path, jsonata, _READER_CONFIG)
    if config is not None:
        if config.get("CSVHeaderLocation") == "GIVEN" and "CSVHeaders" not in config:
            c.schema(msg_required(["CSVHeaders"]), path)
        check_exclusive(c, config, path, ("MaxItems", "MaxItemsPath"))
    return config


_ITEM_READER: dict[str, tuple[str | None, ValueCheck]] = {
    "Resource": (
        None,
        _resource(
            _ITEM_READER_RESOURCE_RE,
            "arn:<partition>:states:::s3:getObject, arn:<partition>:states:::s3:listObjectsV2",
        ),
    ),
    "Parameters": ("JSONPath", _payload),
    "Arguments": ("JSONata", _payload),
    "ReaderConfig": (None, _reader_config),
}

_ITEM_BATCHER: dict[str, tuple[str | None, ValueCheck]] = {
    "MaxItemsPerBatch": (None, _int_or_expression(1)),
    "MaxItemsPerBatchPath": ("JSONPath", _reference("MaxItemsPerBatchPath")),
    "MaxInputBytesPerBatch": (None, _int_or_expression(1, _MAX_BATCH_BYTES)),
    "MaxInputBytesPerBatchPath": ("JSONPath", _reference("MaxInputBytesPerBatchPath")),
    "BatchInput": (None, _payload),
}

_WRITER_CONFIG: dict[str, tuple[str | None, ValueCheck]] = {
    "Transformation": (None, _enum("NONE", "COMPACT", "FLATTEN")),
    "OutputType": (None, _enum("JSON", "JSONL")),
}

_RESULT_WRITER: dict[str, tuple[str | None, ValueCheck]] = {
    "Resource": (
        None,
        _resource(_RESULT_WRITER_RESOURCE_RE, "arn:<partition>:states:::s3:putObject"),
    ),
    "Parameters": ("JSONPath", _payload),
    "Arguments": ("JSONata", _payload),
    "WriterConfig": (
        None,
        lambda c, v, p, j: _check_object(c, v, p, j, _WRITER_CONFIG),
    ),
}


def check_item_reader(c: Collector, value: JSON, path: Path, state: State) -> None:
    """``ItemReader`` of a Distributed Map."""
    _check_object(c, value, path, state.jsonata, _ITEM_READER, ("Resource",))


def check_item_batcher(c: Collector, value: JSON, path: Path, state: State) -> None:
    """``ItemBatcher`` of a Distributed Map."""
    batcher = _check_object(c, value, path, state.jsonata, _ITEM_BATCHER)
    if batcher is not None:
        check_exclusive(c, batcher, path, ("MaxItemsPerBatch", "MaxItemsPerBatchPath"))
        check_exclusive(c, batcher, path, ("MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath"))


def check_result_writer(c: Collector, value: JSON, path: Path, state: State) -> None:
    """``ResultWriter``: WriterConfig, and/or Resource with Parameters (Arguments)."""
    if isinstance(value, dict) and not value:
        c.schema(MSG_EMPTY, path)
        return
    writer = _check_object(c, value, path, state.jsonata, _RESULT_WRITER)
    if writer is None:
        return
    destination = "Arguments" if state.jsonata else "Parameters"
    if "Resource" in writer and destination not in writer:
        c.schema(msg_required([destination]), path)
    if destination in writer and "Resource" not in writer:
        c.schema(msg_required(["Resource"]), path)


def check_label(c: Collector, value: JSON, path: Path, state: State) -> None:
    """``Label``: at most 40 characters, none of the characters ARNs forbid, unique."""
    if not expect_type(c, value, path, str):
        return
    if not value or len(value) > _MAX_LABEL or _LABEL_FORBIDDEN_RE.search(value):
        # UNCONFIRMED wording.
        c.add(
            INVALID_LABEL_NAME,
            f"Invalid Label name '{value}': a label has 1 to {_MAX_LABEL} characters and no "
            "whitespace, brackets, wildcards, special or control characters",
            path,
        )
    c.labels.append((value, path))


def check_map(c: Collector, state: State) -> None:
    """Cross-field rules of a Map state."""
    _check_processor_config(c, state)
    if processor_mode(state.body) == "DISTRIBUTED":
        return
    for name in DISTRIBUTED_ONLY:
        if name in state.body:
            c.schema(
                f"{msg_not_supported(name)} (only a Map whose ProcessorConfig Mode is "
                "DISTRIBUTED accepts it)",
                state.path,
            )
