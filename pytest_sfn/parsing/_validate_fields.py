"""The field matrix of ASL states and the validation of one state.

Everything that depends on a state's ``Type`` lives in the tables below (which fields a type
accepts, which are required, which exclude each other, which cross-field rule applies);
everything that depends on a field lives in :data:`FIELD_RULES` (its query language and the
check of its value).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pytest_sfn._types import JSON
from pytest_sfn.model.resource import Resource
from pytest_sfn.parsing._validate_choice import check_choices
from pytest_sfn.parsing._validate_common import (
    NO_PATH,
    PASS_RESULT_IS_STATIC,
    Collector,
    Path,
    State,
    check_exclusive,
    check_fields,
    expect_range,
    expect_type,
    is_int,
    is_jsonata,
    is_timestamp,
    looks_like_path,
    msg_enum,
    msg_language,
    msg_not_supported,
    msg_one_required,
    msg_required,
    msg_type,
    suggest,
)
from pytest_sfn.parsing._validate_data import (
    check_assign,
    check_dynamic_value,
    check_fail_path,
    check_path,
    check_payload,
    check_template,
)
from pytest_sfn.parsing._validate_errors import check_catch, check_retry
from pytest_sfn.parsing._validate_jsonata import AFTER_RESULT, ANYWHERE, Reserved, walk_jsonata
from pytest_sfn.parsing._validate_map import (
    check_branches,
    check_item_batcher,
    check_item_reader,
    check_label,
    check_map,
    check_processor,
    check_result_writer,
)
from pytest_sfn.parsing._validate_resource import check_task_resource

FieldCheck = Callable[[Collector, JSON, Path, State], object]

STATE_TYPES = ("Task", "Wait", "Pass", "Succeed", "Fail", "Choice", "Parallel", "Map")
QUERY_LANGUAGES = ("JSONPath", "JSONata")
#: Fields every state accepts.
COMMON_FIELDS = ("Type", "Comment", "QueryLanguage")

_RESOURCE_RE = re.compile(r"^arn:[A-Za-z0-9-]+:[A-Za-z0-9-]+:[^:]*:[^:]*:\S+$")


@dataclass(frozen=True, slots=True)
class FieldRule:
    """How one state field is validated.

    Attributes:
        language: the only query language the field belongs to (``None``: both).
        check: validates the value.
    """

    language: str | None
    check: FieldCheck


# -- value checks -------------------------------------------------------------------------


def _string(c: Collector, value: JSON, path: Path, state: State) -> object:
    return expect_type(c, value, path, str)


def _boolean(c: Collector, value: JSON, path: Path, state: State) -> object:
    return expect_type(c, value, path, bool)


def _path(name: str, *, reference: bool, nullable: bool = False, plain: bool = False) -> FieldCheck:
    def check(c: Collector, value: JSON, path: Path, state: State) -> object:
        check_path(
            c, value, path, name, reference=reference, nullable=nullable, plain_input_only=plain
        )
        return None

    return check


def _payload(c: Collector, value: JSON, path: Path, state: State) -> object:
    check_payload(c, value, path, jsonata=state.jsonata)
    return None


def _object_template(c: Collector, value: JSON, path: Path, state: State) -> object:
    if expect_type(c, value, path, dict):
        check_template(c, value, path)
    return None


#: States whose ``Output`` and ``Assign`` see ``$states.result`` (they run something).
_WITH_RESULT = frozenset({"Task", "Parallel", "Map"})


def _reserved_after(state: State) -> Reserved:
    """What ``Output``/``Assign`` of ``state`` may read besides the input and context."""
    return AFTER_RESULT if state.type in _WITH_RESULT else ANYWHERE


def _jsonata_value(c: Collector, value: JSON, path: Path, state: State) -> object:
    """``Arguments``: evaluated before the state runs."""
    walk_jsonata(c, value, path)
    return None


def _output(c: Collector, value: JSON, path: Path, state: State) -> object:
    walk_jsonata(c, value, path, _reserved_after(state))
    return None


def _assign(c: Collector, value: JSON, path: Path, state: State) -> object:
    check_assign(c, value, path, jsonata=state.jsonata, reserved=_reserved_after(state))
    return None


def _result(c: Collector, value: JSON, path: Path, state: State) -> object:
    """Pass ``Result`` is a literal: a ``.$`` key in it is not evaluated (warning)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and key.endswith(".$"):
                c.warn(
                    PASS_RESULT_IS_STATIC,
                    f"The field '{key}' of a Pass state's Result is not evaluated: Result is "
                    "static, use Parameters to select data from the input",  # UNCONFIRMED
                    (*path, key),
                )
            _result(c, item, (*path, key), state)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _result(c, item, (*path, index), state)
    return None


def _resource(c: Collector, value: JSON, path: Path, state: State) -> object:
    if not expect_type(c, value, path, str):
        return None
    if not _RESOURCE_RE.match(value):
        c.schema(
            f"The resource provided {value} is not recognized. The value is not a valid "
            "resource ARN, or the resource is not available in this region.",
            path,
        )
    else:
        if c.machine_type == "EXPRESS":
            message = _express_problem(value)
            if message is not None:
                c.schema(message, path)
        check_task_resource(c, value, path, state)
    return None


#: (OBS) AWS leaves a trailing space in the callback message only.
_EXPRESS_CALLBACK = (
    "Express state machine does not support '.waitForTaskToken' service integration "
)
_EXPRESS_SYNC = "Express state machine does not support '{pattern}' service integration"
_EXPRESS_ACTIVITY = "Express state machine does not support Activity ARN"


def _express_problem(resource: str) -> str | None:
    """Express machines support neither callbacks, ``.sync`` jobs nor activities."""
    parsed = Resource.parse(resource)
    if parsed.kind == "activity":
        return _EXPRESS_ACTIVITY
    if parsed.pattern == ".waitForTaskToken":
        return _EXPRESS_CALLBACK
    if parsed.pattern.startswith(".sync"):
        return _EXPRESS_SYNC.format(pattern=parsed.pattern)
    return None


def _credentials(c: Collector, value: JSON, path: Path, state: State) -> object:
    if not expect_type(c, value, path, dict):
        return None
    if state.jsonata:
        check_fields(c, value, path, ("RoleArn",), ("RoleArn",))
        walk_jsonata(c, value, path)
        return None
    check_fields(c, value, path, ("RoleArn", "RoleArn.$"))
    if check_exclusive(c, value, path, ("RoleArn", "RoleArn.$")) == 0:
        c.schema(msg_required(["RoleArn"]), path)
    if "RoleArn" in value:
        expect_type(c, value["RoleArn"], (*path, "RoleArn"), str)
    if "RoleArn.$" in value:
        check_dynamic_value(c, value["RoleArn.$"], (*path, "RoleArn.$"), "RoleArn.$")
    return None


def _int_or_expression(minimum: int) -> FieldCheck:
    def check(c: Collector, value: JSON, path: Path, state: State) -> object:
        if state.jsonata and is_jsonata(value):
            walk_jsonata(c, value, path)
            return None
        return expect_range(c, value, path, minimum)

    return check


def _percentage(c: Collector, value: JSON, path: Path, state: State) -> object:
    if state.jsonata and is_jsonata(value):
        walk_jsonata(c, value, path)
        return None
    return expect_range(c, value, path, 0, 100, integer=False)


def _timestamp(c: Collector, value: JSON, path: Path, state: State) -> object:
    if state.jsonata and is_jsonata(value):
        walk_jsonata(c, value, path)
        return None
    if expect_type(c, value, path, str) and not is_timestamp(value):
        c.schema("String does not match RFC3339 timestamp", path)  # AWS-recorded wording
    return None


def _error_or_cause(c: Collector, value: JSON, path: Path, state: State) -> object:
    if not expect_type(c, value, path, str):
        return None
    if state.jsonata:
        walk_jsonata(c, value, path)
        return None
    if looks_like_path(value):
        c.warn(
            NO_PATH,
            f"The value of the field '{path[-1]}' looks like a path, but the field name does "
            "not end with 'Path'",  # UNCONFIRMED wording
            path,
        )
    return None


def _fail_path(name: str) -> FieldCheck:
    def check(c: Collector, value: JSON, path: Path, state: State) -> object:
        check_fail_path(c, value, path, name)
        return None

    return check


def _items(c: Collector, value: JSON, path: Path, state: State) -> object:
    if not (is_jsonata(value) or isinstance(value, list | dict)):
        c.schema(msg_type("ARRAY"), path)
        return None
    walk_jsonata(c, value, path)
    return None


def _query_language(c: Collector, value: JSON, path: Path, state: State) -> object:
    if not isinstance(value, str):
        c.schema(msg_type("STRING"), path)
    elif value not in QUERY_LANGUAGES:
        c.schema(msg_enum(QUERY_LANGUAGES), path, suggest(value, QUERY_LANGUAGES))
    return None


_J = "JSONPath"
_A = "JSONata"

#: Every state-level field (except ``Type``) and how it is validated.
FIELD_RULES: dict[str, FieldRule] = {
    "Comment": FieldRule(None, _string),
    "QueryLanguage": FieldRule(None, _query_language),
    "Next": FieldRule(None, _string),
    "End": FieldRule(None, _boolean),
    "InputPath": FieldRule(_J, _path("InputPath", reference=False, nullable=True)),
    "OutputPath": FieldRule(_J, _path("OutputPath", reference=False, nullable=True)),
    "Parameters": FieldRule(_J, _payload),
    "ResultSelector": FieldRule(_J, _object_template),
    "ResultPath": FieldRule(_J, _path("ResultPath", reference=True, nullable=True, plain=True)),
    "Result": FieldRule(_J, _result),
    "Arguments": FieldRule(_A, _jsonata_value),
    "Output": FieldRule(_A, _output),
    "Assign": FieldRule(None, _assign),
    "Retry": FieldRule(None, check_retry),
    "Catch": FieldRule(None, check_catch),
    # Task
    "Resource": FieldRule(None, _resource),
    "Credentials": FieldRule(None, _credentials),
    "TimeoutSeconds": FieldRule(None, _int_or_expression(1)),
    "TimeoutSecondsPath": FieldRule(_J, _path("TimeoutSecondsPath", reference=True)),
    "HeartbeatSeconds": FieldRule(None, _int_or_expression(1)),
    "HeartbeatSecondsPath": FieldRule(_J, _path("HeartbeatSecondsPath", reference=True)),
    # Choice
    "Choices": FieldRule(None, check_choices),
    "Default": FieldRule(None, _string),
    # Wait
    "Seconds": FieldRule(None, _int_or_expression(0)),
    "Timestamp": FieldRule(None, _timestamp),
    "SecondsPath": FieldRule(_J, _path("SecondsPath", reference=True)),
    "TimestampPath": FieldRule(_J, _path("TimestampPath", reference=True)),
    # Fail
    "Error": FieldRule(None, _error_or_cause),
    "Cause": FieldRule(None, _error_or_cause),
    "ErrorPath": FieldRule(_J, _fail_path("ErrorPath")),
    "CausePath": FieldRule(_J, _fail_path("CausePath")),
    # Parallel
    "Branches": FieldRule(None, check_branches),
    # Map
    "ItemProcessor": FieldRule(None, check_processor),
    "Iterator": FieldRule(None, check_processor),
    "ItemsPath": FieldRule(_J, _path("ItemsPath", reference=True)),
    "Items": FieldRule(_A, _items),
    "ItemSelector": FieldRule(None, _payload),
    "ItemReader": FieldRule(None, check_item_reader),
    "ItemBatcher": FieldRule(None, check_item_batcher),
    "ResultWriter": FieldRule(None, check_result_writer),
    "MaxConcurrency": FieldRule(None, _int_or_expression(0)),
    "MaxConcurrencyPath": FieldRule(_J, _path("MaxConcurrencyPath", reference=True)),
    "ToleratedFailurePercentage": FieldRule(None, _percentage),
    "ToleratedFailurePercentagePath": FieldRule(
        _J, _path("ToleratedFailurePercentagePath", reference=True)
    ),
    "ToleratedFailureCount": FieldRule(None, _int_or_expression(0)),
    "ToleratedFailureCountPath": FieldRule(_J, _path("ToleratedFailureCountPath", reference=True)),
    "Label": FieldRule(None, check_label),
}

_TRANSITION = ("Next", "End")
_IO = ("InputPath", "OutputPath", "Output")
_RESULT = ("Parameters", "ResultSelector", "ResultPath", "Assign", "Retry", "Catch")

#: Fields each state type accepts besides :data:`COMMON_FIELDS` (field matrix, AWS docs).
STATE_FIELDS: dict[str, frozenset[str]] = {
    "Task": frozenset(
        {
            *_TRANSITION, *_IO, *_RESULT, "Arguments", "Resource", "Credentials",
            "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath",
        }
    ),
    "Pass": frozenset(
        {*_TRANSITION, *_IO, "Parameters", "ResultPath", "Result", "Assign"}
    ),
    "Choice": frozenset({*_IO, "Assign", "Choices", "Default"}),
    "Wait": frozenset(
        {*_TRANSITION, *_IO, "Assign", "Seconds", "Timestamp", "SecondsPath", "TimestampPath"}
    ),
    "Succeed": frozenset(_IO),
    "Fail": frozenset({"Error", "Cause", "ErrorPath", "CausePath"}),
    "Parallel": frozenset({*_TRANSITION, *_IO, *_RESULT, "Arguments", "Branches"}),
    "Map": frozenset(
        {
            *_TRANSITION, *_IO, *_RESULT, "ItemProcessor", "Iterator", "ItemsPath", "Items",
            "ItemSelector", "ItemReader", "ItemBatcher", "ResultWriter", "MaxConcurrency",
            "MaxConcurrencyPath", "ToleratedFailurePercentage", "ToleratedFailurePercentagePath",
            "ToleratedFailureCount", "ToleratedFailureCountPath", "Label",
        }
    ),
}  # fmt: skip

REQUIRED: dict[str, tuple[str, ...]] = {
    "Task": ("Resource",),
    "Choice": ("Choices",),
    "Parallel": ("Branches",),
}

_WAIT_GROUP = ("SecondsPath", "Seconds", "TimestampPath", "Timestamp")

#: Groups of fields of which at most one may be present.
EXCLUSIVE: dict[str, tuple[tuple[str, ...], ...]] = {
    "Task": (
        _TRANSITION,
        ("TimeoutSeconds", "TimeoutSecondsPath"),
        ("HeartbeatSeconds", "HeartbeatSecondsPath"),
    ),
    "Pass": (_TRANSITION,),
    "Wait": (_TRANSITION, _WAIT_GROUP),
    "Fail": (("Error", "ErrorPath"), ("Cause", "CausePath")),
    "Parallel": (_TRANSITION,),
    "Map": (
        _TRANSITION,
        ("ItemProcessor", "Iterator"),
        ("Parameters", "ItemSelector"),
        ("MaxConcurrency", "MaxConcurrencyPath"),
        ("ToleratedFailurePercentage", "ToleratedFailurePercentagePath"),
        ("ToleratedFailureCount", "ToleratedFailureCountPath"),
    ),
}

#: Groups of which one field must be present, with the message when none is.
ONE_REQUIRED: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "Wait": ((_WAIT_GROUP, msg_one_required(_WAIT_GROUP)),),
    "Map": ((("ItemProcessor", "Iterator"), msg_required(["ItemProcessor"])),),
}

#: States that need ``Next`` or ``End: true``.
TRANSITIONING = frozenset({"Task", "Pass", "Wait", "Parallel", "Map"})

_KNOWN_FIELDS = frozenset({*FIELD_RULES, *COMMON_FIELDS})


def _check_task(c: Collector, state: State) -> None:
    timeout = state.body.get("TimeoutSeconds")
    heartbeat = state.body.get("HeartbeatSeconds")
    if is_int(timeout) and is_int(heartbeat) and heartbeat >= timeout > 0:
        c.schema(
            "The value of 'HeartbeatSeconds' must be less than the value of "
            "'TimeoutSeconds'",  # UNCONFIRMED wording
            (*state.path, "HeartbeatSeconds"),
        )


#: Cross-field rules by state type.
TYPE_CHECKS: dict[str, Callable[[Collector, State], None]] = {
    "Task": _check_task,
    "Map": check_map,
}


# -- one state ----------------------------------------------------------------------------


def _resolve_language(c: Collector, body: dict[str, Any]) -> tuple[bool, bool]:
    """``(jsonata, downgraded)`` for a state.

    A state without ``QueryLanguage`` uses the state machine's (not an enclosing state's);
    only the exact string ``JSONPath`` selects JSONPath, any other value JSONata (as AWS
    resolves it). A state may not go back to JSONPath in a JSONata state machine.
    """
    if "QueryLanguage" not in body:
        return c.machine_jsonata, False
    if body["QueryLanguage"] == "JSONPath":
        return False, c.machine_jsonata
    return True, False


def validate_state(c: Collector, name: str, body: JSON, path: Path) -> None:
    """Every field-level and cross-field rule of one state (not its transitions)."""
    if not expect_type(c, body, path, dict):
        return
    if "Type" not in body:
        c.schema(msg_required(["Type"]), path)
        return
    state_type = body["Type"]
    if not isinstance(state_type, str) or state_type not in STATE_TYPES:
        hint = suggest(state_type, STATE_TYPES) if isinstance(state_type, str) else ""
        c.schema(
            f"The field 'Type' should have one of these values: [{', '.join(STATE_TYPES)}]",
            (*path, "Type"),
            hint,
        )
        return
    jsonata, downgraded = _resolve_language(c, body)
    state = State(name, state_type, body, path, jsonata)
    if downgraded:
        c.schema(
            "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
            path,
        )
    allowed = STATE_FIELDS[state_type]
    for key, value in body.items():
        if key in ("Type", "QueryLanguage"):
            continue
        if key not in allowed and key not in COMMON_FIELDS:
            candidates = () if key in _KNOWN_FIELDS else (*allowed, *COMMON_FIELDS)
            c.schema(msg_not_supported(str(key)), path, suggest(str(key), candidates))
            continue
        rule = FIELD_RULES[key]
        if rule.language is not None and rule.language != state.language:
            if not downgraded:
                c.schema(msg_language(state.language, key), path)
            continue
        rule.check(c, value, (*path, key), state)
    if "QueryLanguage" in body:
        _query_language(c, body["QueryLanguage"], (*path, "QueryLanguage"), state)
    _check_presence(c, state)
    TYPE_CHECKS.get(state_type, _no_check)(c, state)


def _check_presence(c: Collector, state: State) -> None:
    body, path = state.body, state.path
    missing = [field for field in REQUIRED.get(state.type, ()) if field not in body]
    if missing:
        c.schema(msg_required(missing), path)
    for group in EXCLUSIVE.get(state.type, ()):
        check_exclusive(c, body, path, group)
    for group, message in ONE_REQUIRED.get(state.type, ()):
        if not any(field in body for field in group):
            c.schema(message, path)
    if state.type in TRANSITIONING and "Next" not in body and body.get("End") is not True:
        c.schema(msg_one_required(_TRANSITION), path)


def _no_check(c: Collector, state: State) -> None:
    return None
