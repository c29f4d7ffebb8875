"""YAML and JSON documents that remember the line of every value, for error messages.

:func:`load_yaml_document` reads a file with PyYAML's safe loader, but builds the decoded
value itself from PyYAML's node tree so that it can record, for every JSON pointer, the
1-based line where the value's key (or list item) is written. Problems found later (by the
JSON Schema or by the mock readers) are :class:`Problem` records rendered as
``file:line: /json/pointer: what is wrong``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pytest_sfn._types import JSON
from pytest_sfn.errors import MockError

__all__ = [
    "LineMap",
    "Problem",
    "join_pointer",
    "load_yaml_document",
    "load_yaml_text",
    "raise_problems",
]


def join_pointer(pointer: str, key: str | int) -> str:
    """``pointer`` extended by one reference token (RFC 6901 escaping of ``~`` and ``/``)."""
    token = str(key).replace("~", "~0").replace("/", "~1")
    return f"{pointer}/{token}"


@dataclass(frozen=True, slots=True)
class LineMap:
    """JSON pointer -> 1-based line of the key (or list item) holding that value.

    ``""`` (the whole document) maps to the line where the document starts.
    """

    lines: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", dict(self.lines))  # a private copy

    def line(self, pointer: str) -> int | None:
        """The line of ``pointer``, else of its closest ancestor that has one."""
        while True:
            found = self.lines.get(pointer)
            if found is not None or not pointer:
                return found
            pointer = pointer.rpartition("/")[0]

    def where(self, source: str | None, pointer: str) -> str:
        """``"file:line"`` (or just the file, or ``""``) for ``pointer``."""
        line = self.line(pointer)
        if source is None:
            return f"line {line}" if line is not None else ""
        return f"{source}:{line}" if line is not None else source


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a document, at a JSON pointer."""

    pointer: str
    message: str

    def render(self, source: str | None, lines: LineMap | None) -> str:
        """``file:line: /pointer: message``."""
        where = (lines or LineMap()).where(source, self.pointer)
        prefix = f"{where}: " if where else ""
        return f"{prefix}{self.pointer or '/'}: {self.message}"


def raise_problems(problems: Iterable[Problem], source: str | None, lines: LineMap | None) -> None:
    """Raise one :class:`~pytest_sfn.errors.MockError` listing every problem, if any.

    Problems are ordered by line; each is one line of the message.
    """
    found = list(problems)
    if not found:
        return
    line_map = lines or LineMap()

    def order(problem: Problem) -> tuple[int, str]:
        return (line_map.line(problem.pointer) or 0, problem.pointer)

    found.sort(key=order)
    raise MockError("\n".join(problem.render(source, lines) for problem in found))


def _parse(text: str, loader_class: Any) -> tuple[Any, Any]:
    """(loader, root node); the caller disposes of the loader."""
    loader = loader_class(text)
    try:
        return loader, loader.get_single_node()
    except BaseException:
        loader.dispose()
        raise


#: libyaml's parser when available (about 5x faster); both keep node line numbers.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml_document(path: str | Path) -> tuple[JSON, LineMap]:
    """Read a YAML (or JSON) file into a JSON value and the line of every JSON pointer.

    Keys are always strings (a YAML key ``0:`` becomes ``"0"``), timestamps stay the text
    written, and duplicate keys are an error (PyYAML would silently keep the last one).

    Raises:
        MockError: the file cannot be read, is not valid YAML, or holds something JSON
            cannot (the message gives ``file:line``).
    """
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise MockError(f"{source}: cannot read the file: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise MockError(f"{source}: the file is not UTF-8 text ({exc.reason})") from None
    return load_yaml_text(text, source=source)


def load_yaml_text(text: str, *, source: str | None = None) -> tuple[JSON, LineMap]:
    """:func:`load_yaml_document` for text already read (``source`` names it in messages)."""
    return _Builder(source, strict=True).build(text)


def line_map_of(text: str) -> LineMap:
    """Best-effort lines of a JSON/YAML text (an empty map if it does not parse)."""
    try:
        return _Builder(None, strict=False).build(text)[1]
    except MockError:
        return LineMap()


class _Builder:
    """Builds the JSON value from PyYAML nodes, recording lines as it goes."""

    def __init__(self, source: str | None, *, strict: bool) -> None:
        self.source = source
        self.strict = strict
        self.lines: dict[str, int] = {}
        self.active: set[int] = set()

    def fail(self, line: int, message: str) -> MockError:
        where = f"{self.source}:{line}" if self.source else f"line {line}"
        return MockError(f"{where}: {message}")

    def build(self, text: str) -> tuple[JSON, LineMap]:
        try:
            loader, node = _parse(text, _LOADER)
        except yaml.YAMLError:
            # Re-parse with the pure-Python parser: its messages are the clearer ones.
            loader, node = self._parse_reporting(text)
        try:
            if node is None:
                self.lines[""] = 1
                return None, LineMap(self.lines)
            self.lines[""] = node.start_mark.line + 1
            value = self.value(loader, node, "")
        finally:
            loader.dispose()
        return value, LineMap(self.lines)

    def _parse_reporting(self, text: str) -> tuple[Any, Any]:
        try:
            return _parse(text, yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else 1
            column = f" (column {mark.column + 1})" if mark is not None else ""
            problem = exc.problem or exc.context or "invalid YAML"
            if exc.context and problem.startswith("but "):
                problem = f"{exc.context}, {problem}"
            raise self.fail(line, f"invalid YAML: {problem}{column}") from None
        except yaml.YAMLError as exc:
            raise self.fail(1, f"invalid YAML: {exc}") from None

    def value(self, loader: yaml.SafeLoader, node: yaml.Node, pointer: str) -> JSON:
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(loader, node)
        if node.tag not in _COLLECTION_TAGS:
            raise self.fail(node.start_mark.line + 1, f"unsupported YAML tag {node.tag}")
        if id(node) in self.active:
            raise self.fail(node.start_mark.line + 1, "a YAML alias refers to itself")
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                items = []
                for index, item in enumerate(node.value):
                    child = join_pointer(pointer, index)
                    self.lines[child] = item.start_mark.line + 1
                    items.append(self.value(loader, item, child))
                return items
            assert isinstance(node, yaml.MappingNode)
            return self.mapping(loader, node, pointer)
        finally:
            self.active.discard(id(node))

    def mapping(self, loader: yaml.SafeLoader, node: yaml.MappingNode, pointer: str) -> JSON:
        explicit = sum(
            1 for key, _ in node.value if getattr(key, "tag", "") != "tag:yaml.org,2002:merge"
        )
        try:
            loader.flatten_mapping(node)  # YAML merge keys ("<<: *defaults")
        except yaml.MarkedYAMLError as exc:
            line = exc.problem_mark.line + 1 if exc.problem_mark else node.start_mark.line + 1
            raise self.fail(line, f"invalid YAML: {exc.problem}") from None
        out: dict[str, JSON] = {}
        first: dict[str, int] = {}
        merged = len(node.value) - explicit  # flatten_mapping puts merged pairs first
        for position, (key_node, value_node) in enumerate(node.value):
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(line, "a mapping key must be a plain value, not a list or map")
            key = _key_text(self.scalar(loader, key_node))
            child = join_pointer(pointer, key)
            if position >= merged:  # written here: may override a merged key, not itself
                if key in first and self.strict:
                    raise self.fail(
                        line,
                        f"{child}: duplicate key {key!r} (first written at line {first[key]})",
                    )
                first[key] = line
            self.lines[child] = line
            out[key] = self.value(loader, value_node, child)
        return out

    def scalar(self, loader: yaml.SafeLoader, node: yaml.ScalarNode) -> JSON:
        if node.tag == "tag:yaml.org,2002:timestamp":
            return node.value  # keep dates as written: JSON has no date type
        try:
            value = loader.construct_object(node, deep=True)
        except yaml.MarkedYAMLError as exc:
            raise self.fail(node.start_mark.line + 1, f"invalid YAML: {exc.problem}") from None
        if isinstance(value, bytes):
            raise self.fail(node.start_mark.line + 1, "binary values (!!binary) are not JSON")
        return value


_COLLECTION_TAGS = frozenset({"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"})


def _key_text(key: JSON) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(key)
