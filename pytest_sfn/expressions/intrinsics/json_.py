"""JSON intrinsics: ``States.StringToJson``, ``States.JsonToString`` and ``States.JsonMerge``."""

from __future__ import annotations

import json
import math

from pytest_sfn._types import JSON
from pytest_sfn.expressions.java_order import hashmap_order

from ._json import to_json_text
from ._registry import ArgType, InvalidArguments, Param, intrinsic

__all__ = ["json_merge", "json_to_string", "string_to_json"]

_JSON_WHITESPACE = " \t\r\n"


def _no_constants(name: str) -> JSON:
    raise ValueError(f"{name} is not a JSON value")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"the number {text} is out of range")
    return value


_DECODER = json.JSONDecoder(parse_constant=_no_constants, parse_float=_finite_float)


@intrinsic("States.StringToJson", Param("jsonString", ArgType.STRING))
def string_to_json(text: str) -> JSON:
    """The JSON value ``text`` encodes; a blank string (AWS-observed) gives ``null``.

    ``"-0"`` gives ``0`` and ``"1.1"`` gives ``1.1`` (AWS-observed).
    """
    if not text.strip(_JSON_WHITESPACE):
        return None
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise InvalidArguments(
            f"the string is not valid JSON ({exc.msg} at position {exc.pos})."
        ) from None
    except ValueError as exc:  # raised by the hooks above
        raise InvalidArguments(f"the string is not valid JSON ({exc}).") from None


@intrinsic("States.JsonToString", Param("json"))
def json_to_string(value: JSON) -> str:
    """Compact JSON text of ``value``: ``{"Arg1":1,"Arg2":[]}``, ``"\\"Hi\\""``, ``"null"``."""
    return to_json_text(value)


@intrinsic(
    "States.JsonMerge",
    Param("json1", ArgType.OBJECT),
    Param("json2", ArgType.OBJECT),
    Param("isDeepMerge", ArgType.BOOLEAN),
)
def json_merge(left: dict[str, JSON], right: dict[str, JSON], deep: bool) -> dict[str, JSON]:
    """Shallow merge: the keys of both objects, values from ``right`` winning.

    AWS only supports the shallow mode and documents that the third argument must be
    ``false``; ``true`` is rejected rather than silently merged differently.
    """
    if deep:
        raise InvalidArguments(
            "deep merging is not supported; the third argument (isDeepMerge) must be false."
        )
    merged = {**left, **right}
    # AWS builds the result in a Java HashMap: its keys come out in that order.
    return {key: merged[key] for key in hashmap_order(list(merged))}
