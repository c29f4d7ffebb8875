"""JSONata field templates: ``Output``, ``Arguments``, ``Assign``... with ``{% %}`` anywhere.

A field value is a JSON value in which any string that is a whole ``{% ... %}`` expression is
evaluated; every other value (``"$states.input"``, a ``"key.$"`` key, ``" {% x %} "``) is
copied as written. Templates are compiled once (at load time) and evaluated many times.

Failures are ``States.QueryEvaluationError`` with AWS's causes, naming the field path the
expression sits at (``Output``, ``Output/a/b[0]``, ``Assign/x``)::

    The JSONata expression '$states.input.missing' specified for the field 'Output/v'
    returned nothing (undefined).
    The JSONata expression '$sum(['a'])' specified for the field 'Output' threw an error
    during evaluation. T0412: Argument 1 of function "sum" must be an array of "numbers"
    The JSONata expression '[1..900000] ~> $count()' specified for the field 'Output' threw
    an error during evaluation: Expression evaluation memory limit exceeded: Check for
    excessive memory usage
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from pytest_sfn._types import JSON
from pytest_sfn.errors import SfnError, StatesError, StatesErrorName
from pytest_sfn.expressions.jsonata import (
    UNDEFINED,
    Expression,
    JsonataEnv,
    JsonataEvaluationError,
    JsonataSyntaxError,
    compile_expression,
    is_jsonata_string,
)

__all__ = [
    "JsonataTemplate",
    "JsonataTemplateError",
    "QueryEvaluationError",
    "compile_jsonata_template",
    "evaluate_jsonata_template",
    "template_references",
    "template_uses_states_field",
]

_QUERY_ERROR: Final = str(StatesErrorName.QUERY_EVALUATION_ERROR)


class JsonataTemplateError(SfnError):
    """A ``{% %}`` string in a field does not parse.

    ``pointer`` is the JSON pointer of that string (``/States/A/Output/v``); ``message`` is
    jsonata-js's text, reported by AWS as ``INVALID_JSONATA_EXPRESSION`` at ``pointer``.
    """

    #: The ``ValidateStateMachineDefinition`` diagnostic code AWS uses for these.
    code: Final = "INVALID_JSONATA_EXPRESSION"

    def __init__(self, pointer: str, message: str, expression: str, position: int | None) -> None:
        super().__init__(f"{message} at {pointer}" if pointer else message)
        self.pointer = pointer
        self.message = message
        self.expression = expression
        self.position = position


class QueryEvaluationError(StatesError):
    """``States.QueryEvaluationError``; ``location`` is the field path (``Output/a``)."""

    def __init__(self, cause: str, location: str) -> None:
        super().__init__(_QUERY_ERROR, cause)
        self.location = location


# --- compiled tree ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Literal:
    value: JSON


@dataclass(frozen=True, slots=True)
class _Expr:
    expression: Expression
    field: str


@dataclass(frozen=True, slots=True)
class _Object:
    entries: tuple[tuple[str, _Node], ...]


@dataclass(frozen=True, slots=True)
class _Array:
    items: tuple[_Node, ...]


_Node = _Literal | _Expr | _Object | _Array


@dataclass(frozen=True, slots=True)
class JsonataTemplate:
    """A compiled field value; evaluate it with :func:`evaluate_jsonata_template`."""

    #: The field name the template was compiled for (``Output``, ``Assign``...).
    field: str
    #: JSON pointer of the field in the definition.
    pointer: str
    root: _Node
    #: Every expression in the template, in document order.
    expressions: tuple[Expression, ...]

    @property
    def is_expression(self) -> bool:
        """Whether the whole field is one ``{% %}`` expression."""
        return isinstance(self.root, _Expr)

    @property
    def is_literal(self) -> bool:
        """Whether the field holds no expression at all."""
        return isinstance(self.root, _Literal)

    @property
    def literal(self) -> JSON:
        """The field's value when :attr:`is_literal` (else ``None``)."""
        return self.root.value if isinstance(self.root, _Literal) else None

    @property
    def expression_text(self) -> str:
        """The expression as AWS quotes it when the whole field is one, else ``""``."""
        return self.root.expression.body if isinstance(self.root, _Expr) else ""


def compile_jsonata_template(value: JSON, field: str, pointer: str) -> JsonataTemplate:
    """Compile the value of JSONata field ``field`` found at JSON pointer ``pointer``.

    Raises:
        JsonataTemplateError: a ``{% %}`` string does not parse; ``.pointer`` locates it.
    """
    found: list[Expression] = []
    root = _compile(value, field, pointer, found)
    return JsonataTemplate(field=field, pointer=pointer, root=root, expressions=tuple(found))


def _compile(value: JSON, path: str, pointer: str, found: list[Expression]) -> _Node:
    if is_jsonata_string(value):
        try:
            expression = compile_expression(value)
        except JsonataSyntaxError as err:
            raise JsonataTemplateError(pointer, err.message, err.expression, err.position) from None
        found.append(expression)
        return _Expr(expression, path)
    if isinstance(value, dict):
        entries = tuple(
            (key, _compile(item, f"{path}/{key}", f"{pointer}/{_escape(key)}", found))
            for key, item in value.items()
        )
        if all(isinstance(node, _Literal) for _, node in entries):
            return _Literal(value)
        return _Object(entries)
    if isinstance(value, list):
        items = tuple(
            _compile(item, f"{path}[{i}]", f"{pointer}/{i}", found) for i, item in enumerate(value)
        )
        if all(isinstance(node, _Literal) for node in items):
            return _Literal(value)
        return _Array(items)
    return _Literal(value)


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


# --- evaluation ---------------------------------------------------------------------------------


def evaluate_jsonata_template(
    template: JsonataTemplate, bindings: Mapping[str, JSON], env: JsonataEnv
) -> JSON:
    """The field's value for ``bindings`` (``{"states": {...}, "<var>": ...}``).

    Literal parts are returned as written (shared, not copied).

    Raises:
        QueryEvaluationError: an expression failed or returned nothing (AWS's cause text).
    """
    root = template.root
    if isinstance(root, _Literal):
        return root.value
    return _evaluate(root, bindings, env, {})


def _evaluate(
    node: _Node, bindings: Mapping[str, JSON], env: JsonataEnv, cache: dict[str, Any]
) -> JSON:
    if isinstance(node, _Expr):
        return _evaluate_expression(node, bindings, env, cache)
    if isinstance(node, _Object):
        return {key: _evaluate(item, bindings, env, cache) for key, item in node.entries}
    if isinstance(node, _Array):
        return [_evaluate(item, bindings, env, cache) for item in node.items]
    return node.value


def _evaluate_expression(
    node: _Expr, bindings: Mapping[str, JSON], env: JsonataEnv, cache: dict[str, Any]
) -> JSON:
    expression = node.expression
    try:
        value = expression.evaluate_cached(bindings, env, cache)
    except JsonataEvaluationError as err:
        detail = f". {err.code}: {err.message}" if err.code else f": {err.message}"
        raise QueryEvaluationError(
            f"The JSONata expression '{expression.body}' specified for the field "
            f"'{node.field}' threw an error during evaluation{detail}",
            node.field,
        ) from None
    if value is UNDEFINED:
        raise QueryEvaluationError(
            f"The JSONata expression '{expression.body}' specified for the field "
            f"'{node.field}' returned nothing (undefined).",
            node.field,
        )
    return value


# --- static questions ---------------------------------------------------------------------------


def template_references(template: JsonataTemplate) -> set[str]:
    """Workflow variables the template reads (``$x`` -> ``"x"``), without ``states``.

    Names bound inside an expression (``$v := ...``, lambda parameters) and JSONata's own
    functions are not references.
    """
    names: set[str] = set()
    for expression in template.expressions:
        names.update(expression.variables)
    names.discard("states")
    return names


def template_uses_states_field(template: JsonataTemplate, name: str) -> bool:
    """Whether the template reads ``$states.<name>`` (``result``, ``errorOutput``...)."""
    return any(name in expression.states_fields for expression in template.expressions)
