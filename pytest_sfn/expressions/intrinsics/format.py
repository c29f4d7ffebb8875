"""``States.Format``: string interpolation of ``{}`` placeholders.

Values are inserted as Java's ``String.valueOf`` renders them (AWS-observed): strings
raw, ``null`` as ``null``, objects as ``{Arg1=1, Arg2=[]}``. See :mod:`._json`.

In a literal template ``\\{`` and ``\\}`` are plain braces, so ``'\\{}'`` is the text
``{}``, not a placeholder. A template coming from a path or a nested call has no escape
syntax: every ``{}`` in it is a placeholder.
"""

from __future__ import annotations

from pytest_sfn._types import JSON

from ._json import java_to_string
from ._registry import ArgType, InvalidArguments, Param, intrinsic

__all__ = ["format_"]


@intrinsic("States.Format", Param("template", ArgType.TEMPLATE), Param("values", variadic=True))
def format_(template: tuple[str, ...], *values: JSON) -> str:
    """The template's pieces joined by the rendered values, one per placeholder."""
    placeholders = len(template) - 1
    if placeholders != len(values):
        raise InvalidArguments(
            f"the template has {placeholders} {{}} placeholder{'s' if placeholders != 1 else ''} "
            f"but {len(values)} value{'s were' if len(values) != 1 else ' was'} given."
        )
    parts = [template[0]]
    for value, piece in zip(values, template[1:], strict=True):
        parts.append(java_to_string(value))
        parts.append(piece)
    return "".join(parts)
