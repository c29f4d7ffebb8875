"""JSONata ``{% ... %}`` strings of JSONata states, checked as ``CreateStateMachine`` does.

AWS parses every expression when the definition is created and refuses the definition for
(messages measured against ``ValidateStateMachineDefinition``, located at the string itself,
``/States/E/Output/v``):

* a syntax error: ``INVALID_JSONATA_EXPRESSION`` with jsonata-js's message without its code
  (``Expected "]", got ","``);
* a read of the context item, which Step Functions never sets (the input is ``$states.input``):
  ``UNSUPPORTED_JSONATA_EXPRESSION`` ``Reference to 'phone' at the top level is not
  supported.`` for a path starting with a bare name (``'$'`` for ``$`` itself), and
  ``Reference to '$$' is not supported.`` for ``$$``;
* a ``$states`` field the field cannot see: ``Field '$states.errorOutput' does not exist.``
  outside a catcher's ``Output``/``Assign``, the same sentence for ``$states.result`` outside
  the ``Output``/``Assign`` of a Task, Parallel or Map state, and for unknown fields.

A reference to a workflow variable nothing assigns is accepted (it fails at run time).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pytest_sfn._types import JSON
from pytest_sfn.expressions.jsonata import JsonataSyntaxError, compile_expression
from pytest_sfn.parsing._validate_common import (
    INVALID_JSONATA_EXPRESSION,
    UNSUPPORTED_JSONATA_EXPRESSION,
    Collector,
    Path,
    is_jsonata,
)

__all__ = [
    "AFTER_RESULT",
    "ANYWHERE",
    "IN_CATCHER",
    "Analysis",
    "Reserved",
    "analyse",
    "check_expression",
    "walk_jsonata",
]


@dataclass(frozen=True, slots=True)
class Reserved:
    """Which optional ``$states`` fields a JSONata field can read.

    ``$states.input`` and ``$states.context`` are readable everywhere; ``result`` only in the
    ``Output``/``Assign`` of a Task, Parallel or Map state (the state succeeded) and
    ``errorOutput`` only in a catcher's ``Output``/``Assign``.
    """

    result: bool = False
    error_output: bool = False

    def allows(self, field_name: str) -> bool:
        """Whether ``$states.<field_name>`` exists here (unknown fields never do)."""
        if field_name in ("input", "context"):
            return True
        if field_name == "result":
            return self.result
        if field_name == "errorOutput":
            return self.error_output
        return False


ANYWHERE = Reserved()
AFTER_RESULT = Reserved(result=True)
IN_CATCHER = Reserved(error_output=True)

#: The name AWS prints for ``$``, the context item itself.
_CONTEXT_ITEM = "$"
#: ``$$`` (the root of the context item) has its own sentence.
_ROOT = "$$"


@dataclass(frozen=True, slots=True)
class Analysis:
    """What one ``{% ... %}`` string does that the validator cares about.

    Attributes:
        syntax_error: jsonata-js's message when the expression does not parse, else ``None``.
        top_level: names read from the (absent) context item, ``"$"`` for the item itself and
            ``"$$"`` for its root, distinct, in the order they are written.
        states_fields: the ``$states.<field>`` fields read, sorted.
        variables: the workflow variables read (without ``$``; ``states`` excluded).
    """

    syntax_error: str | None
    top_level: tuple[str, ...] = ()
    states_fields: tuple[str, ...] = ()
    variables: frozenset[str] = frozenset()


@lru_cache(maxsize=4096)
def analyse(source: str) -> Analysis:
    """Parse a whole ``"{% ... %}"`` string (see :class:`Analysis`)."""
    try:
        expression = compile_expression(source)
    except JsonataSyntaxError as exc:
        return Analysis(exc.message)
    top_level = tuple(dict.fromkeys(_top_level(_tree(expression))))
    fields = tuple(sorted(expression.states_fields or ()))
    variables = frozenset(name for name in expression.variables if name not in ("states", "$"))
    return Analysis(None, top_level, fields, variables)


def _tree(expression: Any) -> Any:
    """The parsed tree the adapter keeps with a compiled expression (not part of its API)."""
    return getattr(expression, "_ast", None)


# -- the context-item walk ------------------------------------------------------------------
#
# Only what is evaluated against the expression's own context counts: the first step of a path
# (later steps, predicates, sort terms and groupings read the value before them), operands,
# arguments, array and object constructors (keys included), blocks, conditions, bindings and
# lambda bodies (a lambda keeps the context it is defined in). Transforms, descendants,
# wildcards, literals and regexes are left alone, as AWS does.


def _top_level(node: Any) -> Iterator[str]:
    kind = getattr(node, "type", None)
    if kind == "path":
        steps = getattr(node, "steps", None) or ()
        if steps:
            yield from _top_level(steps[0])
    elif kind == "name":
        yield str(node.value)
    elif kind == "variable":
        if node.value == "":
            yield _CONTEXT_ITEM
        elif node.value == "$":
            yield _ROOT
    elif kind == "unary":
        yield from _unary(node)
    elif kind in ("binary", "apply"):
        yield from _top_level(getattr(node, "lhs", None))
        yield from _top_level(getattr(node, "rhs", None))
    elif kind in ("function", "partial"):
        yield from _top_level(getattr(node, "procedure", None))
        yield from _each(getattr(node, "arguments", None))
    elif kind == "lambda":
        yield from _top_level(getattr(node, "body", None))
    elif kind == "condition":
        for name in ("condition", "then", "_else"):
            yield from _top_level(getattr(node, name, None))
    elif kind == "block":
        yield from _each(getattr(node, "expressions", None))
    elif kind == "bind":
        yield from _top_level(getattr(node, "rhs", None))


def _unary(node: Any) -> Iterator[str]:
    operator = str(node.value)
    if operator == "[":
        yield from _each(getattr(node, "expressions", None))
    elif operator == "{":
        for pair in getattr(node, "lhs_object", None) or ():
            yield from _each(pair)
    else:
        yield from _top_level(getattr(node, "expression", None))


def _each(nodes: Any) -> Iterator[str]:
    for node in nodes or ():
        yield from _top_level(node)


# -- diagnostics ------------------------------------------------------------------------------


def msg_top_level(name: str) -> str:
    """AWS's sentence for a read of the context item (``name``) or of its root (``$$``)."""
    if name == _ROOT:
        return "Reference to '$$' is not supported."
    return f"Reference to '{name}' at the top level is not supported."


def msg_states_field(field_name: str) -> str:
    """AWS's sentence for a ``$states`` field the expression cannot see."""
    return f"Field '$states.{field_name}' does not exist."


def check_expression(c: Collector, source: str, path: Path, reserved: Reserved = ANYWHERE) -> None:
    """Every rule of one ``{% ... %}`` string (``source`` includes the delimiters)."""
    analysis = analyse(source)
    if analysis.syntax_error is not None:
        c.add(INVALID_JSONATA_EXPRESSION, analysis.syntax_error, path)
        return
    for name in analysis.top_level:
        c.add(UNSUPPORTED_JSONATA_EXPRESSION, msg_top_level(name), path)
    for field_name in analysis.states_fields:
        if not reserved.allows(field_name):
            c.add(UNSUPPORTED_JSONATA_EXPRESSION, msg_states_field(field_name), path)


def walk_jsonata(c: Collector, value: JSON, path: Path, reserved: Reserved = ANYWHERE) -> None:
    """Check every ``{% ... %}`` string inside a JSONata-state field value, at any depth."""
    if isinstance(value, str):
        if is_jsonata(value):
            check_expression(c, value, path, reserved)
    elif isinstance(value, dict):
        for key, item in value.items():
            walk_jsonata(c, item, (*path, key), reserved)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            walk_jsonata(c, item, (*path, index), reserved)
