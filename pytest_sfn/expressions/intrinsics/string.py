"""String intrinsic: ``States.StringSplit``."""

from __future__ import annotations

from ._registry import ArgType, Param, intrinsic

__all__ = ["string_split"]


@intrinsic(
    "States.StringSplit",
    Param("inputString", ArgType.STRING),
    Param("splitter", ArgType.STRING),
)
def string_split(text: str, delimiters: str) -> list[str]:
    """``text`` split at every character of ``delimiters``, empty pieces dropped.

    This is Java's ``StringTokenizer`` (AWS-observed): ``("a,,b", ",")`` gives
    ``["a", "b"]``, ``(",,", ",")`` gives ``[]``, ``("This.is+a", ".+")`` gives
    ``["This", "is", "a"]``; with no delimiters at all the whole (non-empty) text is the
    only piece.
    """
    if not delimiters:
        return [text] if text else []
    first = delimiters[0]
    if len(delimiters) > 1:
        text = text.translate({ord(char): first for char in delimiters[1:]})
    return [piece for piece in text.split(first) if piece]
