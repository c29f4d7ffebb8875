"""Array intrinsics: ``States.Array``, ``ArrayPartition``, ``ArrayContains``, ``ArrayRange``,
``ArrayGetItem``, ``ArrayLength`` and ``ArrayUnique``.

Element equality (``ArrayContains``, ``ArrayUnique``) is structural JSON equality as
Java's ``JsonNode.equals`` sees it; see :func:`._json.json_key`.
"""

from __future__ import annotations

from pytest_sfn._types import JSON

from ._json import json_key
from ._registry import ArgType, InvalidArguments, Param, intrinsic

__all__ = [
    "MAX_RANGE_LENGTH",
    "array",
    "array_contains",
    "array_get_item",
    "array_length",
    "array_partition",
    "array_range",
    "array_unique",
]

#: ``States.ArrayRange`` generates at most this many elements (AWS quota).
MAX_RANGE_LENGTH = 1000


@intrinsic("States.Array", Param("values", variadic=True))
def array(*values: JSON) -> list[JSON]:
    """The arguments as an array, in order: ``States.Array()`` is ``[]``."""
    return list(values)


@intrinsic(
    "States.ArrayPartition",
    Param("array", ArgType.ARRAY),
    Param("chunkSize", ArgType.ROUNDED_INTEGER),
)
def array_partition(items: list[JSON], size: int) -> list[list[JSON]]:
    """``items`` cut into chunks of ``size``; the last chunk may be shorter."""
    if size <= 0:
        raise InvalidArguments(f"the chunk size must be a positive integer, got {size}.")
    return [items[start : start + size] for start in range(0, len(items), size)]


@intrinsic("States.ArrayContains", Param("array", ArgType.ARRAY), Param("lookingFor"))
def array_contains(items: list[JSON], looking_for: JSON) -> bool:
    """Whether an element of ``items`` equals ``looking_for`` (deep equality)."""
    wanted = json_key(looking_for)
    return any(json_key(item) == wanted for item in items)


@intrinsic(
    "States.ArrayRange",
    Param("start", ArgType.ROUNDED_INTEGER),
    Param("end", ArgType.ROUNDED_INTEGER),
    Param("step", ArgType.ROUNDED_INTEGER),
)
def array_range(start: int, end: int, step: int) -> list[int]:
    """``start``, ``start + step``, ... up to and including ``end`` when it is reached.

    ``(1, 9, 2)`` gives ``[1, 3, 5, 7, 9]``, ``(0, 10, 3)`` gives ``[0, 3, 6, 9]``; a
    negative step counts down; a step pointing away from ``end`` gives ``[]``.
    """
    if step == 0:
        raise InvalidArguments("the step (argument 3) must not be 0.")
    length = range_length(start, end, step)
    if length > MAX_RANGE_LENGTH:
        raise InvalidArguments(
            f"the range from {start} to {end} with step {step} has {length} elements; "
            f"at most {MAX_RANGE_LENGTH} are allowed."
        )
    return list(range(start, end + (1 if step > 0 else -1), step))


def range_length(start: int, end: int, step: int) -> int:
    """How many elements ``States.ArrayRange(start, end, step)`` has (``step != 0``)."""
    return max(0, (end - start) // step + 1)


@intrinsic("States.ArrayGetItem", Param("array", ArgType.ARRAY), Param("index", ArgType.INTEGER))
def array_get_item(items: list[JSON], index: int) -> JSON:
    """The element at the 0-based ``index``."""
    if not 0 <= index < len(items):
        raise InvalidArguments(
            f"the index {index} is out of bounds for an array of length {len(items)}."
        )
    return items[index]


@intrinsic("States.ArrayLength", Param("array", ArgType.ARRAY))
def array_length(items: list[JSON]) -> int:
    """The number of elements of ``items``."""
    return len(items)


@intrinsic("States.ArrayUnique", Param("array", ArgType.ARRAY))
def array_unique(items: list[JSON]) -> list[JSON]:
    """``items`` without duplicates, keeping each first occurrence in place."""
    seen: set[object] = set()
    unique: list[JSON] = []
    for item in items:
        key = json_key(item)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique
