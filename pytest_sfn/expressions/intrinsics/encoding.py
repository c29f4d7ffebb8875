"""Encoding intrinsics: ``States.Base64Encode`` and ``States.Base64Decode``.

The alphabet is the standard one (``+`` and ``/``), with ``=`` padding and no line
breaks. Input strings are limited to 10,000 characters.
"""

from __future__ import annotations

import base64
import binascii

from ._json import utf16_length
from ._registry import ArgType, InvalidArguments, Param, intrinsic

__all__ = ["MAX_INPUT_LENGTH", "base64_decode", "base64_encode"]

#: Longest input either function accepts, in characters (UTF-16 code units, as in Java).
MAX_INPUT_LENGTH = 10_000


def _check_length(text: str) -> None:
    length = utf16_length(text)
    if length > MAX_INPUT_LENGTH:
        raise InvalidArguments(
            f"the input string has {length} characters; at most {MAX_INPUT_LENGTH} are allowed."
        )


@intrinsic("States.Base64Encode", Param("input", ArgType.STRING))
def base64_encode(text: str) -> str:
    """Base64 of the UTF-8 bytes of ``text``: ``"Data to encode"`` -> ``"RGF0YSB0byBlbmNvZGU="``."""
    _check_length(text)
    # Like Java's getBytes(UTF_8), an unpaired surrogate becomes "?" instead of failing.
    return base64.b64encode(text.encode("utf-8", errors="replace")).decode("ascii")


@intrinsic("States.Base64Decode", Param("base64", ArgType.STRING))
def base64_decode(text: str) -> str:
    """The UTF-8 text encoded by ``text``.

    Like Java's basic decoder, the ``=`` padding may be left out (but not be partial),
    and any character outside the alphabet, whitespace included, is an error. Bytes
    that are not valid UTF-8 become U+FFFD, as ``new String(bytes, UTF_8)`` does.
    """
    _check_length(text)
    stripped = text.rstrip("=")
    padding = len(text) - len(stripped)
    # Padding is optional, but when present it must complete the last 4-character unit.
    if len(stripped) % 4 == 1 or (padding and (padding > 2 or len(text) % 4)):
        raise InvalidArguments("the input is not a valid Base64 string.")
    padded = stripped + "=" * (-len(stripped) % 4)
    try:
        data = base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidArguments("the input is not a valid Base64 string.") from None
    return data.decode("utf-8", errors="replace")
