"""Shared machinery of the definition validator: locations, messages and value checks.

Messages follow what ``ValidateStateMachineDefinition`` / ``CreateStateMachine`` return.
Wordings observed on AWS (LocalStack's AWS-recorded snapshots, deploy errors quoted in
public repositories, emulators' AWS-measured tests) are used verbatim; the others carry an
``UNCONFIRMED`` comment where they are written, so they are easy to find and fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, TypeGuard

from pytest_sfn._types import JSON
from pytest_sfn.errors import Diagnostic, did_you_mean

#: A location inside the definition: object keys and array indexes, outermost first.
Path = tuple[str | int, ...]

# -- codes (API reference, ValidateStateMachineDefinitionDiagnostic) -----------------------
SCHEMA = "SCHEMA_VALIDATION_FAILED"
MISSING_TRANSITION_TARGET = "MISSING_TRANSITION_TARGET"
MISSING_END_STATE = "MISSING_END_STATE"
DUPLICATE_STATE_NAME = "DUPLICATE_STATE_NAME"
INVALID_STATE_NAME = "INVALID_STATE_NAME"
DUPLICATE_LABEL_NAME = "DUPLICATE_LABEL_NAME"
INVALID_LABEL_NAME = "INVALID_LABEL_NAME"
#: Not in the API reference list but returned by AWS (measured against
#: ValidateStateMachineDefinition by a third-party emulator's authors).
INVALID_JSONATA_EXPRESSION = "INVALID_JSONATA_EXPRESSION"
UNSUPPORTED_JSONATA_EXPRESSION = "UNSUPPORTED_JSONATA_EXPRESSION"
#: UNCONFIRMED codes (not in the API reference list; reported by a third-party linter).
INVALID_VARIABLE_NAME = "INVALID_VARIABLE_NAME"
RESERVED_VARIABLE_NAME = "RESERVED_VARIABLE_NAME"
#: Warning codes (API reference).
NO_DOLLAR = "NO_DOLLAR"
NO_PATH = "NO_PATH"
PASS_RESULT_IS_STATIC = "PASS_RESULT_IS_STATIC"

#: Largest value of every numeric ASL field without a tighter documented bound.
MAX_NUMBER = 99_999_999

_JSON_TYPE_NAMES = {
    str: "STRING",
    int: "INTEGER",
    float: "NUMBER",
    bool: "BOOLEAN",
    dict: "OBJECT",
    list: "ARRAY",
}


def pointer(path: Path) -> str:
    """Render ``path`` as an RFC 6901 JSON pointer (``/States/Charge/Retry/0``)."""
    if not path:
        return "/"
    parts = (str(p).replace("~", "~0").replace("/", "~1") for p in path)
    return "/" + "/".join(parts)


def quoted_list(names: Iterable[str]) -> str:
    """``[A, B]``: how AWS lists field names and enum values."""
    return "[" + ", ".join(names) + "]"


def suggest(word: str, candidates: Iterable[str]) -> str:
    """`` (did you mean X?)``: a case-insensitive match first (ASL is case-sensitive and
    ``jsonata`` for ``JSONata`` is a common slip), else the closest spelling."""
    candidates = list(candidates)
    folded = word.casefold()
    for candidate in candidates:
        if candidate.casefold() == folded and candidate != word:
            return f" (did you mean {candidate!r}?)"
    return did_you_mean(word, candidates)


def msg_required(names: Sequence[str]) -> str:
    return f"These fields are required: {quoted_list(names)}"


def msg_not_supported(name: str) -> str:
    return f"Field '{name}' is not supported"


def msg_only_one_of(names: Sequence[str]) -> str:
    return f"There should only be one of the following fields: {quoted_list(names)}"


def msg_one_required(names: Sequence[str]) -> str:
    # UNCONFIRMED wording (reported for a state with neither Next nor End).
    return f"This object should have only one of the following fields: {quoted_list(names)}"


def msg_type(expected: str) -> str:
    return f"Expected value of type [{expected}]"


def msg_enum(values: Sequence[str]) -> str:
    return f"Value should be one of the following: {quoted_list(values)}"


MSG_EMPTY = "Value cannot be empty"


def msg_minimum(bound: int | float) -> str:
    return f"Minimum value is {bound}"


def msg_maximum(bound: int | float) -> str:
    # UNCONFIRMED wording, mirrors the observed "Minimum value is N".
    return f"Maximum value is {bound}"


def msg_language(state_language: str, field_name: str) -> str:
    other = "JSONPath" if state_language == "JSONata" else "JSONata"
    return (
        f"The QueryLanguage is set to '{state_language}', but field '{field_name}' "
        f"is only supported for the '{other}' QueryLanguage"
    )


# -- the collector -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class State:
    """A state being validated, with its effective query language."""

    name: str
    type: str
    body: dict[str, Any]
    path: Path
    jsonata: bool

    @property
    def language(self) -> str:
        return "JSONata" if self.jsonata else "JSONPath"


@dataclass(slots=True)
class Workflow:
    """One scope of states (the top level, a Parallel branch or a Map processor)."""

    path: Path  # location of the object holding StartAt/States
    states: dict[str, Any]  # name -> raw state (only when States is an object)
    start_at: str | None
    top_level: bool


@dataclass(slots=True)
class Collector:
    """Accumulates diagnostics and what later passes need (scopes, names, labels)."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    workflows: list[Workflow] = field(default_factory=list)
    #: every state name seen, in document order, with its location
    state_names: list[tuple[str, Path]] = field(default_factory=list)
    labels: list[tuple[str, Path]] = field(default_factory=list)
    #: every valid variable name an ``Assign`` writes, with the location of its key
    assignments: list[tuple[str, Path]] = field(default_factory=list)
    machine_jsonata: bool = False
    #: ``"STANDARD"`` or ``"EXPRESS"``: Express machines reject some integration patterns
    machine_type: str = "STANDARD"
    #: set by the orchestrator: validates a nested workflow (branch / item processor)
    visit_workflow: Callable[[Collector, JSON, Path], None] | None = None

    def add(
        self, code: str, message: str, path: Path | None, severity: str = "ERROR", hint: str = ""
    ) -> None:
        location = "" if path is None else pointer(path)
        self.diagnostics.append(Diagnostic(code, message, location, severity, hint))

    def schema(self, message: str, path: Path | None, hint: str = "") -> None:
        self.add(SCHEMA, message, path, hint=hint)

    def warn(self, code: str, message: str, path: Path) -> None:
        self.add(code, message, path, "WARNING")


# -- primitive checks: each returns True when the value has the expected shape ------------


def is_int(value: JSON) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: JSON) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def expect_type(c: Collector, value: JSON, path: Path, *types: type) -> bool:
    """Report ``Expected value of type [..]`` unless ``value`` is one of ``types``."""
    if bool not in types and isinstance(value, bool):
        ok = False
    else:
        ok = isinstance(value, types)
    if not ok:
        c.schema(msg_type(_JSON_TYPE_NAMES.get(types[0], "STRING")), path)
    return ok


def expect_enum(c: Collector, value: JSON, path: Path, values: Sequence[str]) -> bool:
    if not expect_type(c, value, path, str):
        return False
    if value not in values:
        c.schema(msg_enum(values), path, suggest(value, values))
        return False
    return True


def expect_range(
    c: Collector,
    value: JSON,
    path: Path,
    minimum: int | float,
    maximum: int | float = MAX_NUMBER,
    *,
    integer: bool = True,
) -> bool:
    """Type (integer or number) then range check."""
    if not (is_int(value) if integer else is_number(value)):
        c.schema(msg_type("INTEGER" if integer else "NUMBER"), path)
        return False
    if value < minimum:
        c.schema(msg_minimum(minimum), path)
        return False
    if value > maximum:
        c.schema(msg_maximum(maximum), path)
        return False
    return True


def expect_non_empty_array(c: Collector, value: JSON, path: Path) -> bool:
    if not expect_type(c, value, path, list):
        return False
    if not value:
        c.schema(MSG_EMPTY, path)
        return False
    return True


def check_fields(
    c: Collector,
    obj: dict[str, Any],
    path: Path,
    allowed: Iterable[str],
    required: Sequence[str] = (),
) -> None:
    """Unknown keys (with a did-you-mean) and missing required keys of a nested object."""
    allowed = tuple(allowed)
    for key in obj:
        if key not in allowed:
            c.schema(msg_not_supported(str(key)), path, suggest(str(key), allowed))
    missing = [name for name in required if name not in obj]
    if missing:
        c.schema(msg_required(missing), path)


def check_exclusive(c: Collector, obj: dict[str, Any], path: Path, group: Sequence[str]) -> int:
    """Report when more than one of ``group`` is present; return how many are."""
    present = sum(1 for name in group if name in obj)
    if present > 1:
        c.schema(msg_only_one_of(group), path)
    return present


# -- JSONata strings ----------------------------------------------------------------------


def is_jsonata(value: JSON) -> bool:
    """A string evaluated as JSONata: starts with ``{%`` and ends with ``%}`` (no padding)."""
    return isinstance(value, str) and len(value) >= 4 and value[:2] == "{%" and value[-2:] == "%}"


# -- paths and intrinsic functions (adapters over pytest_sfn.expressions) -----------------

_INTRINSIC_NAME_RE = re.compile(r"\s*([A-Za-z0-9_.]+)\s*\(")
_FALLBACK_INTRINSIC_RE = re.compile(r"^\s*States\.[A-Za-z0-9_.]+\s*\(.*\)\s*$", re.DOTALL)


@lru_cache(maxsize=1)
def _path_checker() -> Callable[..., str | None]:
    try:
        from pytest_sfn.expressions.jsonpath import path_syntax_error
    except ImportError:  # pragma: no cover - the module is part of the package
        return _fallback_path_error
    return path_syntax_error


def _fallback_path_error(text: str, *, reference: bool) -> str | None:  # pragma: no cover
    return None if text.startswith("$") else f"The path '{text}' must start with '$'"


@lru_cache(maxsize=1)
def _intrinsic_functions() -> tuple[Callable[[str], bool], Callable[[str], str | None]]:
    """``(looks_like_intrinsic, syntax_error)``, real when the intrinsics package exists."""
    try:
        from pytest_sfn.expressions import intrinsics as module

        looks: Callable[[str], bool] = module.looks_like_intrinsic
        parse: Callable[[str], Any] = module.parse_intrinsic
        error_type: type[Exception] = module.IntrinsicSyntaxError
    except (ImportError, AttributeError):
        return (lambda text: bool(_FALLBACK_INTRINSIC_RE.match(text))), (lambda text: None)

    def syntax_error(text: str) -> str | None:
        try:
            parse(text)
        except error_type as exc:
            return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return None

    return looks, syntax_error


def path_error(text: str, *, reference: bool) -> str | None:
    """``None`` when ``text`` is a valid (reference) path, else why not."""
    return _path_checker()(text, reference=reference)


def looks_like_intrinsic(text: str) -> bool:
    return _intrinsic_functions()[0](text)


def intrinsic_error(text: str) -> str | None:
    """``None`` when ``text`` parses as an intrinsic function call, else why not."""
    return _intrinsic_functions()[1](text)


def intrinsic_name(text: str) -> str | None:
    match = _INTRINSIC_NAME_RE.match(text)
    return match.group(1) if match else None


def looks_like_path(text: str) -> bool:
    """Heuristic of the NO_DOLLAR warning: a string that reads like a path or a call."""
    return text.startswith(("$.", "$$.", "$[")) or (
        text.startswith("States.") and looks_like_intrinsic(text)
    )


# -- timestamps ---------------------------------------------------------------------------

_TIMESTAMP_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$")


def is_timestamp(text: str) -> bool:
    """RFC 3339 date-time with uppercase ``T`` and ``Z``/offset, as AWS accepts them."""
    if not _TIMESTAMP_RE.match(text):
        return False
    try:
        datetime.fromisoformat(text[:19])
    except ValueError:
        return False
    return True
