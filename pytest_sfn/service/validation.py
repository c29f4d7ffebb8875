"""Server-side request validation from the botocore service model, worded as AWS words it.

botocore checks required members, types and minimum lengths before sending, but not
maximum lengths, maximum values or enum membership: AWS rejects those with
``ValidationException``, e.g. ``1 validation error detected: Value '1001' at 'maxResults'
failed to satisfy constraint: Member must have value less than or equal to 1000``. This
module reproduces those checks for every operation from the model itself.

Values of sensitive members (execution input, error, cause) are left out of the message, as
AWS does: ``Value at 'input' failed to satisfy constraint: ...``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_sfn.service import errors

__all__ = ["validate_request"]

#: Enum value sets in the order AWS lists them in messages (OBS), where known.
_ENUM_ORDER: Mapping[str, tuple[str, ...]] = {
    "ExecutionStatus": (
        "SUCCEEDED",
        "TIMED_OUT",
        "PENDING_REDRIVE",
        "ABORTED",
        "FAILED",
        "RUNNING",
    ),
}


def validate_request(input_shape: Any, params: Mapping[str, Any]) -> None:
    """Check ``params`` against the operation's botocore ``input_shape``.

    Raises:
        ApiError: ``ValidationException`` listing every violation, in model order.
    """
    problems: list[str] = []
    if input_shape is not None:
        _check_structure(input_shape, params, "", problems)
    if problems:
        raise errors.validation_errors(problems)


def _check(shape: Any, value: Any, path: str, problems: list[str]) -> None:
    kind = shape.type_name
    if kind == "structure" and isinstance(value, Mapping):
        _check_structure(shape, value, path + ".", problems)
    elif kind == "list" and isinstance(value, list):
        _check_bounds(shape, value, len(value), "length", path, problems)
        for index, item in enumerate(value, start=1):
            _check(shape.member, item, f"{path}.{index}.member", problems)
    elif kind == "string" and isinstance(value, str):
        _check_bounds(shape, value, len(value), "length", path, problems)
        if shape.enum and value not in shape.enum:
            allowed = ", ".join(_ENUM_ORDER.get(shape.name, tuple(shape.enum)))
            problems.append(
                _violation(shape, value, path, f"Member must satisfy enum value set: [{allowed}]")
            )
    elif kind in ("integer", "long") and isinstance(value, int) and not isinstance(value, bool):
        _check_bounds(shape, value, value, "value", path, problems)


def _check_structure(
    shape: Any, value: Mapping[str, Any], prefix: str, problems: list[str]
) -> None:
    required = set(shape.required_members)
    for name, member in shape.members.items():
        if value.get(name) is None:
            if name in required:
                problems.append(f"Value null at '{prefix}{name}' failed to satisfy constraint: "
                                "Member must not be null")  # fmt: skip
            continue
        _check(member, value[name], prefix + name, problems)


def _check_bounds(
    shape: Any, value: Any, measure: int, what: str, path: str, problems: list[str]
) -> None:
    low = shape.metadata.get("min")
    high = shape.metadata.get("max")
    if low is not None and measure < low:
        problems.append(
            _violation(
                shape, value, path, f"Member must have {what} greater than or equal to {low}"
            )
        )
    if high is not None and measure > high:
        problems.append(
            _violation(shape, value, path, f"Member must have {what} less than or equal to {high}")
        )


def _violation(shape: Any, value: Any, path: str, constraint: str) -> str:
    if shape.metadata.get("sensitive"):
        shown = "Value"
    else:
        shown = f"Value '{_render(value)}'"
    return f"{shown} at '{path}' failed to satisfy constraint: {constraint}"


def _render(value: Any) -> str:
    """A value as the Java service prints it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_render(v) for v in value) + "]"
    return str(value)
