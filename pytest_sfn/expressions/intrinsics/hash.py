"""``States.Hash``: a hex digest of a string."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from pytest_sfn.errors import did_you_mean

from ._json import utf16_length
from ._registry import ArgType, InvalidArguments, Param, intrinsic

__all__ = ["ALGORITHMS", "MAX_INPUT_LENGTH", "hash_"]

#: Longest input ``States.Hash`` accepts, in characters (UTF-16 code units, as in Java).
MAX_INPUT_LENGTH = 10_000
#: Supported algorithm names (case-sensitive, as AWS documents them).
ALGORITHMS: dict[str, Callable[..., Any]] = {
    "MD5": hashlib.md5,
    "SHA-1": hashlib.sha1,
    "SHA-256": hashlib.sha256,
    "SHA-384": hashlib.sha384,
    "SHA-512": hashlib.sha512,
}


@intrinsic("States.Hash", Param("data", ArgType.STRING), Param("algorithm", ArgType.STRING))
def hash_(data: str, algorithm: str) -> str:
    """The lower-case hex digest of the UTF-8 bytes of ``data``."""
    constructor = ALGORITHMS.get(algorithm)
    if constructor is None:
        supported = ", ".join(ALGORITHMS)
        hint = did_you_mean(algorithm, ALGORITHMS)
        raise InvalidArguments(
            f"the hashing algorithm {algorithm!r} is not supported{hint}; use one of {supported}."
        )
    length = utf16_length(data)
    if length > MAX_INPUT_LENGTH:
        raise InvalidArguments(
            f"the input data has {length} characters; at most {MAX_INPUT_LENGTH} are allowed."
        )
    payload = data.encode("utf-8", errors="replace")  # unpaired surrogates -> "?", as in Java
    digest: str = constructor(payload, usedforsecurity=False).hexdigest()
    return digest
