"""The eight state types, Retry/Catch and Choice rules as frozen dataclasses.

Every node carries ``pointer``, its JSON pointer in the definition, for messages.
Fields that hold paths are compiled (:class:`~pytest_sfn.expressions.jsonpath.CompiledPath`);
payload templates are compiled :class:`~pytest_sfn.expressions.payload.Template` nodes;
JSONata-capable fields hold the raw JSON value and are compiled by the JSONata layer.
A path field that is JSON ``null`` in the definition is stored as ``None``; an absent one
holds its default (``$``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pytest_sfn._types import JSON
from pytest_sfn.model.resource import Resource

if TYPE_CHECKING:
    from pytest_sfn.expressions.jsonpath import CompiledPath
    from pytest_sfn.expressions.payload import Template

JSONPATH = "JSONPath"
JSONATA = "JSONata"


@dataclass(frozen=True, slots=True)
class Retrier:
    """One element of ``Retry``."""

    error_equals: tuple[str, ...]
    interval_seconds: float = 1
    max_attempts: int = 3
    backoff_rate: float = 2.0
    max_delay_seconds: float | None = None
    jitter: str = "NONE"
    pointer: str = ""


@dataclass(frozen=True, slots=True)
class Catcher:
    """One element of ``Catch``."""

    error_equals: tuple[str, ...]
    next: str
    result_path: CompiledPath | None
    assign: Template | None = None
    output: JSON = None
    has_output: bool = False
    pointer: str = ""
    #: JSONata states: compiled ``Output`` / ``Assign`` templates by field name.
    jsonata_fields: Mapping[str, Any] = field(default_factory=dict)


# --- Choice rules -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Comparison:
    """``Variable`` + one operator. ``operand`` is a literal, or a path for ``...Path`` ops."""

    variable: CompiledPath
    operator: str
    operand: Any
    operand_is_path: bool
    pointer: str = ""


@dataclass(frozen=True, slots=True)
class RuleList:
    """``And`` / ``Or`` over nested conditions."""

    operator: str
    rules: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """``Not`` of one nested condition."""

    rule: Condition


@dataclass(frozen=True, slots=True)
class JsonataCondition:
    """A JSONata ``Condition`` (``{% ... %}``) of a Choice rule."""

    expression: str
    pointer: str = ""


Condition = Comparison | RuleList | Not | JsonataCondition


@dataclass(frozen=True, slots=True)
class ChoiceRule:
    """A top-level Choice rule: a condition plus where to go."""

    condition: Condition
    next: str
    assign: Template | None = None
    output: JSON = None
    has_output: bool = False
    pointer: str = ""
    #: JSONata rules: compiled ``Condition`` / ``Assign`` / ``Output`` templates.
    jsonata_fields: Mapping[str, Any] = field(default_factory=dict)


# --- States -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class _Base:
    name: str
    pointer: str
    query_language: str = JSONPATH
    comment: str | None = None
    next: str | None = None
    end: bool = False
    input_path: CompiledPath | None = None
    output_path: CompiledPath | None = None
    assign: Template | None = None
    output: JSON = None
    has_output: bool = False
    #: JSONata states: every JSONata-capable field present, compiled once, by field name.
    jsonata_fields: Mapping[str, Any] = field(default_factory=dict)

    @property
    def jsonata(self) -> bool:
        return self.query_language == JSONATA


@dataclass(frozen=True, slots=True, kw_only=True)
class PassState(_Base):
    type: str = "Pass"
    parameters: Template | None = None
    result: JSON = None
    has_result: bool = False
    result_path: CompiledPath | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskState(_Base):
    type: str = "Task"
    resource: Resource
    parameters: Template | None = None
    arguments: JSON = None
    has_arguments: bool = False
    result_selector: Template | None = None
    result_path: CompiledPath | None = None
    timeout_seconds: JSON = None
    timeout_seconds_path: CompiledPath | None = None
    heartbeat_seconds: JSON = None
    heartbeat_seconds_path: CompiledPath | None = None
    credentials: Template | None = None
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ChoiceState(_Base):
    type: str = "Choice"
    choices: tuple[ChoiceRule, ...] = ()
    default: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class WaitState(_Base):
    type: str = "Wait"
    seconds: JSON = None
    seconds_path: CompiledPath | None = None
    timestamp: JSON = None
    timestamp_path: CompiledPath | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SucceedState(_Base):
    type: str = "Succeed"


@dataclass(frozen=True, slots=True, kw_only=True)
class FailState(_Base):
    type: str = "Fail"
    error: JSON = None
    error_path: Template | None = None
    cause: JSON = None
    cause_path: Template | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ParallelState(_Base):
    type: str = "Parallel"
    branches: tuple[Graph, ...] = ()
    parameters: Template | None = None
    arguments: JSON = None
    has_arguments: bool = False
    result_selector: Template | None = None
    result_path: CompiledPath | None = None
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class MapState(_Base):
    type: str = "Map"
    processor: Graph
    mode: str = "INLINE"
    execution_type: str | None = None
    items_path: CompiledPath | None = None
    has_items_path: bool = False
    items: JSON = None
    has_items: bool = False
    item_selector: Template | None = None
    item_selector_jsonata: JSON = None
    has_item_selector: bool = False
    max_concurrency: JSON = 0
    max_concurrency_path: CompiledPath | None = None
    tolerated_failure_count: JSON = None
    tolerated_failure_count_path: CompiledPath | None = None
    tolerated_failure_percentage: JSON = None
    tolerated_failure_percentage_path: CompiledPath | None = None
    label: str | None = None
    item_reader: JSON = None
    item_batcher: JSON = None
    result_writer: JSON = None
    result_writer_parameters: Template | None = None
    result_selector: Template | None = None
    result_path: CompiledPath | None = None
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()


State = (
    PassState
    | TaskState
    | ChoiceState
    | WaitState
    | SucceedState
    | FailState
    | ParallelState
    | MapState
)


@dataclass(frozen=True, slots=True)
class Graph:
    """A ``StartAt`` + ``States`` scope: the machine, a Parallel branch or a Map processor."""

    start_at: str
    states: dict[str, State]
    pointer: str = ""
    query_language: str = JSONPATH
    timeout_seconds: int | None = None
    comment: str | None = None
    version: str | None = None

    def __hash__(self) -> int:
        return id(self)
