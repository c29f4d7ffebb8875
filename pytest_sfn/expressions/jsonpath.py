"""JSONPath as Amazon States Language uses it: the only module that imports jsonpath-ng.

ASL paths follow Jayway JsonPath. Three roots exist:

* ``$...``: the state's input (or whatever value the field applies to);
* ``$$...``: the Context object;
* ``$name...``: a workflow variable.

Paths are compiled once. A *definite* path (only member names and non-negative indexes,
e.g. ``$.order['id'].items[0]``) is walked natively, which is much faster than a generic
JSONPath engine; anything else (wildcards, filters, slices, unions, deep scan) goes through
jsonpath-ng and yields a list of the matches, as Jayway does for indefinite paths.

A *reference path* (ResultPath, ItemsPath, ``*Path`` fields, Choice ``Variable``) must be
definite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pytest_sfn._json import dump_compact
from pytest_sfn._types import JSON
from pytest_sfn.errors import SfnError, StatesError

__all__ = [
    "CompiledPath",
    "PathNotFound",
    "PathSyntaxError",
    "compile_path",
    "compile_reference_path",
    "path_syntax_error",
    "set_at_path",
]


class PathSyntaxError(SfnError):
    """A path is not valid ASL JSONPath."""


class PathNotFound(SfnError):
    """A definite path selects nothing. ``jayway_message`` is Jayway's wording for it."""

    def __init__(self, path: str, jayway_message: str) -> None:
        super().__init__(jayway_message)
        self.path = path
        self.jayway_message = jayway_message


_Step = str | int
_VARIABLE_RE = re.compile(r"\$([^\W\d]\w*)", re.UNICODE)
_DOT_NAME_RE = re.compile(r"\.([^.\[\]\s*()'\"?@,:]+)")
_BRACKET_NAME_RE = re.compile(r"\[\s*(?:'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\")\s*\]")
_BRACKET_INDEX_RE = re.compile(r"\[\s*(\d+)\s*\]")
_STEP_PATTERNS = (
    (_DOT_NAME_RE, "name"),
    (_BRACKET_NAME_RE, "quoted"),
    (_BRACKET_INDEX_RE, "index"),
)


@dataclass(frozen=True, slots=True)
class CompiledPath:
    """A compiled ASL path.

    Attributes:
        text: the path as written.
        root: ``"input"``, ``"context"`` or ``"variable"``.
        variable: the variable name when ``root == "variable"``.
        steps: the member names / indexes of a definite path, else ``None``.
    """

    text: str
    root: str
    variable: str | None
    steps: tuple[_Step, ...] | None
    _expr: Any = field(default=None, compare=False, repr=False)

    @property
    def definite(self) -> bool:
        """True when the path selects at most one node (no wildcard, filter, slice...)."""
        return self.steps is not None

    def find(self, data: JSON) -> JSON:
        """The value the path selects in ``data`` (for ``$$``/``$var`` paths: in that root).

        Definite paths return the node or raise :class:`PathNotFound`; indefinite paths
        return the list of matches (possibly empty).
        """
        steps = self.steps
        if steps is not None:
            node = data
            for i, step in enumerate(steps):
                if isinstance(step, int):
                    if isinstance(node, list) and step < len(node):
                        node = node[step]
                        continue
                elif isinstance(node, dict) and step in node:
                    node = node[step]
                    continue
                raise PathNotFound(self.text, _missing_message(steps, i))
            return node
        return [m.value for m in self._expr.find(data)]

    def exists(self, data: JSON) -> bool:
        """Whether a definite path resolves in ``data`` (indefinite: at least one match)."""
        try:
            found = self.find(data)
        except PathNotFound:
            return False
        return self.steps is not None or bool(found)


def normalized(steps: tuple[_Step, ...]) -> str:
    """Jayway's normalized form, e.g. ``$['a'][0]``."""
    return "$" + "".join(f"[{s}]" if isinstance(s, int) else f"['{s}']" for s in steps)


def _missing_message(steps: tuple[_Step, ...], index: int) -> str:
    if index == len(steps) - 1:
        return f"No results for path: {normalized(steps)}"
    return f"Missing property in path {normalized(steps[: index + 1])}"


def _drop_dot_before_bracket(rest: str) -> str:
    """Jayway reads ``$.[0]`` / ``$.a.['b']`` as ``$[0]`` / ``$.a['b']``; so do we."""
    if ".[" not in rest:
        return rest
    out: list[str] = []
    quote = ""
    for i, ch in enumerate(rest):
        if quote:
            if ch == quote and rest[i - 1] != "\\":
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "." and rest[i + 1 : i + 2] == "[":
            continue
        out.append(ch)
    return "".join(out)


def _split_root(text: str) -> tuple[str, str | None, str]:
    """(root, variable, rest) where rest is a ``$``-rooted path for the selected root."""
    if text.startswith("$$"):
        return "context", None, text[1:]
    if text.startswith("$") and len(text) > 1 and text[1] not in ".[":
        match = _VARIABLE_RE.match(text)
        if not match:
            raise PathSyntaxError(f"The path {text!r} is not a valid JSONPath")
        return "variable", match.group(1), "$" + text[match.end() :]
    if not text.startswith("$"):
        raise PathSyntaxError(f"The path {text!r} must start with '$'")
    return "input", None, text


def _match_step(rest: str, pos: int) -> tuple[str, re.Match[str]] | None:
    for regex, kind in _STEP_PATTERNS:
        match = regex.match(rest, pos)
        if match:
            return kind, match
    return None


def _definite_steps(rest: str) -> tuple[_Step, ...] | None:
    """Parse ``$`` + member/index steps natively; ``None`` if the path needs a full engine."""
    pos = 1
    steps: list[_Step] = []
    while pos < len(rest):
        found = _match_step(rest, pos)
        if found is None:
            return None
        kind, match = found
        if kind == "index":
            steps.append(int(match.group(1)))
        elif kind == "quoted":
            raw = match.group(1) if match.group(1) is not None else match.group(2)
            steps.append(re.sub(r"\\(.)", r"\1", raw))
        else:
            steps.append(match.group(1))
        pos = match.end()
    return tuple(steps)


_CACHE: dict[tuple[str, bool], CompiledPath] = {}


def compile_path(text: str, *, reference: bool = False) -> CompiledPath:
    """Compile an ASL path (``$``, ``$$`` or ``$var`` rooted). Cached by text.

    Raises:
        PathSyntaxError: the text is not a valid path (or, with ``reference=True``, not a
            definite reference path).
    """
    key = (text, reference)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    if not isinstance(text, str):
        raise PathSyntaxError(f"A path must be a string, not {type(text).__name__}")
    root, variable, rest = _split_root(text.strip())
    rest = _drop_dot_before_bracket(rest)
    steps = _definite_steps(rest)
    expr = None
    if steps is None:
        if reference:
            raise PathSyntaxError(
                f"The value for the field must be a valid Reference Path: {text!r} "
                "(no wildcards, filters, slices, unions or deep scan)"
            )
        expr = _compile_generic(rest, text)
    compiled = CompiledPath(text=text, root=root, variable=variable, steps=steps, _expr=expr)
    _CACHE[key] = compiled
    return compiled


def compile_reference_path(text: str) -> CompiledPath:
    """Compile a reference path (definite: ResultPath, ItemsPath, ``*Path`` fields)."""
    return compile_path(text, reference=True)


def _compile_generic(rest: str, original: str) -> Any:
    from jsonpath_ng.exceptions import JsonPathLexerError, JsonPathParserError
    from jsonpath_ng.ext import parse

    try:
        return parse(rest)
    except (JsonPathParserError, JsonPathLexerError, ValueError, AttributeError) as exc:
        raise PathSyntaxError(f"The path {original!r} is not a valid JSONPath: {exc}") from None


def path_syntax_error(text: str, *, reference: bool) -> str | None:
    """``None`` if ``text`` is a valid (reference) path, else a message saying what is wrong."""
    try:
        compile_path(text, reference=reference)
    except PathSyntaxError as exc:
        return str(exc)
    return None


def set_at_path(target: JSON, path: CompiledPath, value: JSON) -> JSON:
    """Return a copy of ``target`` with ``value`` written at ``path`` (ResultPath semantics).

    Intermediate objects are created as needed; only the containers along the path are
    copied. ``$`` replaces ``target`` entirely.

    Raises:
        StatesError: ``States.ResultPathMatchFailure`` when ``target`` cannot hold the value.
    """
    steps = path.steps
    assert steps is not None, "reference paths are definite"
    if not steps:
        return value
    return _set(target, steps, 0, value, path.text)


def _set(node: JSON, steps: tuple[_Step, ...], i: int, value: JSON, text: str) -> JSON:
    step = steps[i]
    last = i == len(steps) - 1
    if isinstance(step, int):
        if not isinstance(node, list) or step >= len(node):
            raise _match_failure(text, node)
        copy_list = list(node)
        copy_list[step] = value if last else _set(node[step], steps, i + 1, value, text)
        return copy_list
    if node is None and i > 0:
        node = {}
    if not isinstance(node, dict):
        raise _match_failure(text, node)
    copy = dict(node)
    copy[step] = value if last else _set(node.get(step, {}), steps, i + 1, value, text)
    return copy


def _match_failure(path: str, node: JSON) -> StatesError:
    return StatesError(
        "States.ResultPathMatchFailure",
        f'Unable to apply ResultPath "{path}" to input {dump_compact(node)}',
    )
