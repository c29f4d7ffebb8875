"""Reading the files a definition comes from, remembering each one's modification time.

The loader's cache (see :mod:`pytest_sfn.loading.source`) keeps a result only while every
file it read (template, ``DefinitionUri`` target, CDK manifest...) is unchanged.
"""

from __future__ import annotations

import os
from pathlib import Path

from pytest_sfn.errors import DefinitionError, did_you_mean
from pytest_sfn.loading.problems import SOURCE_NOT_FOUND, load_error

__all__ = ["FileReads", "Stamps", "is_fresh", "missing_file"]

#: ``((absolute path, st_mtime_ns or -1), ...)`` for every file and directory consulted.
Stamps = tuple[tuple[str, int], ...]


def _mtime(path: str) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return -1


def is_fresh(stamps: Stamps) -> bool:
    """Whether none of the files behind a cached result changed (or appeared, or vanished)."""
    return all(_mtime(path) == mtime for path, mtime in stamps)


def missing_file(
    path: Path, *, shown: str, source: str | None, location: str = "", what: str = "file"
) -> DefinitionError:
    """``SOURCE_NOT_FOUND`` for ``path``, suggesting a close sibling name when there is one."""
    try:
        siblings = [entry.name for entry in path.parent.iterdir()]
    except OSError:
        siblings = []
    return load_error(
        SOURCE_NOT_FOUND,
        f"{what} {shown!r} not found (looked for {path})",
        source=source,
        location=location,
        hint=did_you_mean(path.name, siblings),
    )


class FileReads:
    """Reads files as UTF-8 text and records what was read."""

    def __init__(self) -> None:
        self._stamps: dict[str, int] = {}

    @property
    def stamps(self) -> Stamps:
        """What was consulted so far, for :func:`is_fresh`."""
        return tuple(self._stamps.items())

    def note(self, path: Path) -> None:
        """Record ``path`` (a file or a directory whose listing matters) without reading it."""
        key = str(path)
        self._stamps.setdefault(key, _mtime(key))

    def read_text(
        self, path: Path, *, shown: str, source: str | None, location: str = "", what: str = "file"
    ) -> str:
        """The text of ``path``.

        Args:
            path: the absolute path to read.
            shown: how the path is named in messages (as the user or template wrote it).
            source: the error source (file and ``#LogicalId``).
            location: JSON pointer of the property that named the file, if any.
            what: what the file is, for messages (``"template"``, ``"DefinitionUri"``...).

        Raises:
            DefinitionError: ``SOURCE_NOT_FOUND`` when the file is missing or unreadable.
        """
        self.note(path)
        if not path.is_file():
            raise missing_file(path, shown=shown, source=source, location=location, what=what)
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else str(exc)
            raise load_error(
                SOURCE_NOT_FOUND,
                f"cannot read {what} {shown!r}: {reason}",
                source=source,
                location=location,
            ) from None
