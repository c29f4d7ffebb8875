"""Validation of data-flow values: paths, payload templates, ``Assign`` and variable names."""

from __future__ import annotations

from typing import Any

from pytest_sfn._types import JSON
from pytest_sfn.parsing._validate_common import (
    INVALID_VARIABLE_NAME,
    NO_DOLLAR,
    RESERVED_VARIABLE_NAME,
    Collector,
    Path,
    intrinsic_error,
    intrinsic_name,
    looks_like_intrinsic,
    looks_like_path,
    msg_type,
    path_error,
)
from pytest_sfn.parsing._validate_jsonata import ANYWHERE, Reserved, walk_jsonata

#: Intrinsic functions accepted by Fail ``ErrorPath`` / ``CausePath`` (AWS docs).
FAIL_PATH_INTRINSICS = (
    "States.Format",
    "States.JsonToString",
    "States.ArrayGetItem",
    "States.Base64Encode",
    "States.Base64Decode",
    "States.Hash",
    "States.UUID",
)

_MAX_VARIABLE_NAME = 80


def msg_invalid_path(name: str, *, reference: bool) -> str:
    kind = "Reference Path" if reference else "JSONPath"
    return f"The value for the field '{name}' must be a valid {kind}"


def msg_invalid_dynamic(name: str) -> str:
    return (
        f"The value for the field '{name}' must be a valid JSONPath "
        "or a valid intrinsic function call"
    )


def is_variable_path(text: str) -> bool:
    """``$name...``: a path rooted at a workflow variable (not ``$``, ``$.``, ``$[`` or ``$$``)."""
    return len(text) > 1 and text[0] == "$" and text[1] not in ".[$"


def check_path(
    c: Collector,
    value: JSON,
    path: Path,
    name: str,
    *,
    reference: bool,
    nullable: bool = False,
    plain_input_only: bool = False,
) -> None:
    """A path-valued field.

    Args:
        c: the collector.
        value: the field value.
        path: its location.
        name: the field name used in the message.
        reference: the field takes a Reference Path (single node, no operators).
        nullable: ``null`` is meaningful for the field (InputPath, OutputPath, ResultPath).
        plain_input_only: ``$$`` and variables are not allowed (ResultPath).
    """
    if value is None and nullable:
        return
    if not isinstance(value, str):
        c.schema(msg_type("STRING"), path)
        return
    if plain_input_only and (value.startswith("$$") or is_variable_path(value)):
        c.schema(msg_invalid_path(name, reference=reference), path)
        return
    if path_error(value, reference=reference) is not None:
        c.schema(msg_invalid_path(name, reference=reference), path)


def check_dynamic_value(c: Collector, value: JSON, path: Path, key: str) -> None:
    """The value of a ``key.$`` entry: a path, a context path, a variable or an intrinsic."""
    if isinstance(value, str):
        if value.startswith("$"):
            if path_error(value, reference=False) is None:
                return
        elif looks_like_intrinsic(value):
            problem = intrinsic_error(value)
            if problem is None:
                return
            c.schema(f"{msg_invalid_dynamic(key)}: {problem}", path)
            return
    c.schema(msg_invalid_dynamic(key), path)


def check_fail_path(c: Collector, value: JSON, path: Path, name: str) -> None:
    """Fail ``ErrorPath``/``CausePath``: a reference path or one of a few intrinsics."""
    if isinstance(value, str) and not value.startswith("$") and looks_like_intrinsic(value):
        function = intrinsic_name(value)
        if function not in FAIL_PATH_INTRINSICS:
            c.schema(
                f"The value for the field '{name}' must be a valid Reference Path or one of "
                f"the intrinsic functions [{', '.join(FAIL_PATH_INTRINSICS)}]",  # UNCONFIRMED
                path,
            )
            return
        problem = intrinsic_error(value)
        if problem is not None:
            c.schema(f"{msg_invalid_dynamic(name)}: {problem}", path)
        return
    check_path(c, value, path, name, reference=True)


def _duplicate_after_strip(c: Collector, obj: dict[str, Any], key: str, path: Path) -> None:
    base = key[:-2]
    if base in obj:
        # UNCONFIRMED wording.
        c.schema(f"Field '{base}' is defined twice, as '{base}' and as '{key}'", path)


def check_template(c: Collector, value: JSON, path: Path) -> None:
    """A JSONPath payload template (Parameters, ResultSelector, ItemSelector...)."""
    if isinstance(value, dict):
        for key, item in value.items():
            here = (*path, key)
            if isinstance(key, str) and key.endswith(".$"):
                _duplicate_after_strip(c, value, key, here)
                check_dynamic_value(c, item, here, key)
                continue
            if isinstance(item, str) and looks_like_path(item):
                c.warn(
                    NO_DOLLAR,
                    f"The value of the field '{key}' looks like a JSONPath or an intrinsic "
                    "function, but the field name does not end with '.$'",  # UNCONFIRMED
                    here,
                )
            check_template(c, item, here)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_template(c, item, (*path, index))


def check_payload(c: Collector, value: JSON, path: Path, *, jsonata: bool) -> None:
    """A payload-like field in either query language."""
    if jsonata:
        walk_jsonata(c, value, path)
    else:
        check_template(c, value, path)


def check_variable_name(c: Collector, name: str, path: Path) -> bool:
    """Assign keys: Unicode identifiers (ID_Start, then ID_Continue), not ``states``.

    Returns:
        Whether ``name`` is a valid variable name.
    """
    if name == "states":
        c.add(RESERVED_VARIABLE_NAME, "Cannot assign to reserved variable '$states'.", path)
        return False
    first_ok = bool(name) and name[0] != "_" and name[0].isidentifier()
    if not first_ok or not ("a" + name[1:]).isidentifier():
        c.add(
            INVALID_VARIABLE_NAME,
            f"Invalid variable name '{name}': the variable name contains invalid characters.",
            path,
        )
        return False
    if len(name) > _MAX_VARIABLE_NAME:
        c.add(
            INVALID_VARIABLE_NAME,
            f"Invalid variable name '{name}': the variable name is longer than "
            f"{_MAX_VARIABLE_NAME} characters.",  # UNCONFIRMED
            path,
        )
        return False
    return True


def check_assign(
    c: Collector, value: JSON, path: Path, *, jsonata: bool, reserved: Reserved = ANYWHERE
) -> None:
    """``Assign`` of a state, a Choice rule or a catcher.

    ``reserved`` says which optional ``$states`` fields its JSONata expressions may read. Each
    valid name is recorded for the scope rules (:mod:`._validate_variables`).
    """
    if not isinstance(value, dict):
        c.schema(msg_type("OBJECT"), path)
        return
    for key, item in value.items():
        here = (*path, key)
        key = str(key)
        if jsonata:
            name = key
            valid = check_variable_name(c, key, here)
            walk_jsonata(c, item, here, reserved)
        elif key.endswith(".$"):
            name = key[:-2]
            valid = check_variable_name(c, name, here)
            _duplicate_after_strip(c, value, key, here)
            check_dynamic_value(c, item, here, key)
        else:
            name = key
            valid = check_variable_name(c, key, here)
            check_template(c, item, here)
        if valid:
            c.assignments.append((name, here))
