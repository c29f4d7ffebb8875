"""The JSONata adapter: ``{% ... %}`` expressions compiled once and evaluated as AWS does.

This is the only module that imports the JSONata engine (jsonata-python). It adds what Step
Functions adds and removes what it removes:

* ``$partition``, ``$range``, ``$hash``, ``$random([seed])``, ``$uuid()``, ``$parse`` (see
  :mod:`._jsonata_functions`); ``$eval`` is unbound, so calling it is ``T1006``;
* ``$random()``, ``$uuid()``, ``$now()`` and ``$millis()`` draw from a :class:`JsonataEnv`, so
  runs are reproducible;
* jsonata-js semantics where jsonata-python differs: ``1/0`` is ``Infinity``, ``%`` keeps
  fractions, ``$string`` and ``&`` write numbers as JavaScript does, ``$count(null)`` is 1,
  ``$number`` raises ``D3030``; error messages are jsonata-js's (AWS reports them);
* AWS's bounds: nesting deeper than 100 (``Stack overflow error``), a value over 6,990,256
  bytes (``Expression evaluation memory limit exceeded``) and, in place of AWS's one-second
  clock (which would make runs non-deterministic), a budget of evaluation steps
  (``Expression evaluation timeout``).

Results are JSON values as AWS prints them: whole numbers become ``int`` (``{% 1 + 1 %}`` is
``2``), numbers outside the 64-bit range become ``float``, and a non-finite number becomes the
string ``"Infinity"``, ``"-Infinity"`` or ``"NaN"``. Returned values may share structure with
the bindings: treat them as immutable.

The most common expression shapes (``$states.input.a.b``, ``$var``, literals) bypass the
engine entirely; they give the same results as the engine does.
"""

from __future__ import annotations

import functools
import math
import random
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

_CALLER_RECURSION_LIMIT = sys.getrecursionlimit()
from jsonata import Functions, JException, Jsonata, Parser, Signature, Utils

#: jsonata-python raises the interpreter-wide recursion limit (to 10,000) on import; we give
#: the user's limit back and raise it only while an expression is evaluated.
sys.setrecursionlimit(_CALLER_RECURSION_LIMIT)
_EVAL_RECURSION_LIMIT = 10_000


from pytest_sfn._types import JSON
from pytest_sfn.errors import SfnError
from pytest_sfn.expressions import _jsonata_functions as fns
from pytest_sfn.expressions._jsonata_functions import (
    ERROR_TEMPLATES,
    FUNCTION,
    MEMORY_LIMIT_MESSAGE,
    STACK_OVERFLOW_MESSAGE,
    TIMEOUT_MESSAGE,
    UNDEFINED,
    FunctionError,
    LimitExceeded,
    render_template,
)

__all__ = [
    "MAX_DEPTH",
    "MAX_EVALUATION_STEPS",
    "MAX_VALUE_BYTES",
    "UNDEFINED",
    "Expression",
    "JsonataEnv",
    "JsonataEvaluationError",
    "JsonataSyntaxError",
    "compile_expression",
    "expression_body",
    "is_jsonata_string",
]

#: Deepest evaluation nesting AWS allows (``1+1+...`` with 100 terms passes, 101 fails).
MAX_DEPTH: Final = 100
#: Largest value one evaluation step may build: a number counts 8 bytes, a character 1.
MAX_VALUE_BYTES: Final = 6_990_256
#: Evaluation steps allowed per expression, standing in for AWS's one-second limit (about
#: four seconds of jsonata-python; a legitimate ``$map`` over 200,000 items takes 600,000).
MAX_EVALUATION_STEPS = 2_000_000

_NULL: Final[Any] = Utils.NULL_VALUE
_RANGE: Final[Any] = Utils.RangeList
_LONG_MIN: Final = -(2**63)
_LONG_MAX: Final = 2**63 - 1
_MISSING: Final[Any] = object()


# --- public errors and environment ---------------------------------------------------------------


class JsonataSyntaxError(SfnError):
    """A ``{% %}`` expression that does not parse.

    ``message`` is jsonata-js's text without the code (``Expected "]", got ","``), which is what
    AWS reports as ``INVALID_JSONATA_EXPRESSION`` at the field's location.
    """

    #: The ``ValidateStateMachineDefinition`` diagnostic code AWS uses for these.
    diagnostic_code: Final = "INVALID_JSONATA_EXPRESSION"

    def __init__(
        self, message: str, expression: str, position: int | None, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.expression = expression
        self.position = position
        self.code = code


class JsonataEvaluationError(SfnError):
    """An expression failed while evaluating.

    ``code`` is the JSONata error code (``"T1006"``) or ``None`` for AWS's code-less refusals
    (memory, depth, time); ``message`` is the text AWS prints after it.
    """

    def __init__(self, code: str | None, message: str) -> None:
        super().__init__(f"{code}: {message}" if code else message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class JsonataEnv:
    """Where ``$random()``, ``$uuid()``, ``$now()`` and ``$millis()`` take their values from."""

    rng: random.Random
    uuid4: Callable[[], str]
    #: Milliseconds since the epoch for ``$now()``/``$millis()``; the wall clock when ``None``.
    now_millis: Callable[[], int] | None = None


# --- delimiters ----------------------------------------------------------------------------------


def is_jsonata_string(value: object) -> bool:
    """Whether ``value`` is a JSONata expression: a string starting ``{%`` and ending ``%}``.

    Anything else (``" {% x %} "``, ``"$states.input"``, a ``.$`` key's value) is a literal.
    """
    return (
        isinstance(value, str)
        and len(value) >= 4
        and value.startswith("{%")
        and value.endswith("%}")
    )


def expression_body(source: str) -> str:
    """The text between the delimiters, trimmed as AWS shows it in causes."""
    return _java_trim(source[2:-2])


def _java_trim(text: str) -> str:
    start, end = 0, len(text)
    while start < end and text[start] <= " ":
        start += 1
    while end > start and text[end - 1] <= " ":
        end -= 1
    return text[start:end]


# --- compiled expressions ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Expression:
    """A compiled ``{% %}`` expression; build it with :func:`compile_expression`."""

    #: The whole ``"{% ... %}"`` string as written.
    source: str
    #: The expression between the delimiters, trimmed (as AWS quotes it).
    body: str = field(compare=False)
    #: Workflow variables read (``$x`` -> ``"x"``; includes ``"states"``, not JSONata functions).
    variables: frozenset[str] = field(compare=False)
    #: ``$states`` fields read as ``$states.<field>`` (``{"input", "result"}``).
    states_fields: frozenset[str] = field(compare=False)
    #: Whether ``$states`` is also read as a whole (``$states``, ``$keys($states)``...).
    reads_all_states: bool = field(compare=False)
    _names: frozenset[str] = field(compare=False, repr=False)
    _ast: Any = field(compare=False, repr=False)
    _fast: Callable[[Mapping[str, JSON]], Any] | None = field(compare=False, repr=False)

    def evaluate(self, bindings: Mapping[str, JSON], env: JsonataEnv) -> JSON | object:
        """The expression's value, or :data:`UNDEFINED` when it yields nothing.

        ``bindings`` maps variable names to JSON values: ``{"states": {"input": ...,
        "context": ...}, "x": 1}`` binds ``$states`` and ``$x``.

        Raises:
            JsonataEvaluationError: the expression failed (type error, bounds...).
        """
        return self.evaluate_cached(bindings, env, None)

    def evaluate_cached(
        self, bindings: Mapping[str, JSON], env: JsonataEnv, cache: dict[str, Any] | None
    ) -> JSON | object:
        """:meth:`evaluate`, sharing converted bindings through ``cache`` (same bindings only)."""
        if self._fast is not None:
            value = self._fast(bindings)
            if value is not _FALLBACK:
                return value
        return self._evaluate_slow(bindings, env, {} if cache is None else cache)

    def evaluate_slow(self, bindings: Mapping[str, JSON], env: JsonataEnv) -> JSON | object:
        """:meth:`evaluate` through the engine even for fast-path shapes (for tests)."""
        return self._evaluate_slow(bindings, env, {})

    @property
    def has_fast_path(self) -> bool:
        """Whether this expression's shape evaluates without the engine."""
        return self._fast is not None

    def _evaluate_slow(
        self, bindings: Mapping[str, JSON], env: JsonataEnv, cache: dict[str, Any]
    ) -> JSON | object:
        values = _engine_bindings(self, bindings, cache)
        result = _run(self._ast, values, env)
        return _result_to_json(result)


def _engine_bindings(
    expr: Expression, bindings: Mapping[str, JSON], cache: dict[str, Any]
) -> dict[str, Any]:
    """The referenced variables, converted for the engine (JSON ``null`` -> its null marker)."""
    out: dict[str, Any] = {}
    for name in expr._names:
        if name not in bindings:
            continue
        if name == "states" and not expr.reads_all_states:
            states = bindings[name]
            if isinstance(states, Mapping):
                partial = {}
                for key in expr.states_fields:
                    if key in states:
                        slot = "states." + key
                        if slot not in cache:
                            cache[slot] = _to_engine(states[key])
                        partial[key] = cache[slot]
                out[name] = partial
                continue
        if name not in cache:
            cache[name] = _to_engine(bindings[name])
        out[name] = cache[name]
    return out


@functools.lru_cache(maxsize=8192)
def compile_expression(text: str) -> Expression:
    """Compile a whole ``"{% ... %}"`` string (cached by text).

    Raises:
        JsonataSyntaxError: the expression does not parse.
        ValueError: ``text`` is not a JSONata string (see :func:`is_jsonata_string`).
    """
    if not is_jsonata_string(text):
        raise ValueError(f"not a JSONata expression: {text!r}")
    body = expression_body(text)
    ast = _parse(body)
    analysis = _Analysis()
    analysis.visit(ast)
    return Expression(
        source=text,
        body=body,
        variables=frozenset(analysis.free_variables()),
        _names=frozenset(analysis.free_names()),
        states_fields=frozenset(analysis.states_fields),
        reads_all_states=analysis.states_whole,
        _ast=ast,
        _fast=_fast_path(ast),
    )


def _parse(body: str) -> Any:
    parser = Jsonata.get_parser()
    try:
        ast = parser.parse(body)
    except JException as err:
        code, message = _describe(err)
        raise JsonataSyntaxError(message, body, _position(err), code) from None
    except RecursionError:
        raise JsonataSyntaxError(STACK_OVERFLOW_MESSAGE, body, None) from None
    except Exception:  # jsonata-python's tokenizer can index past the end of the text
        code = _tokenizer_crash_code(body)
        raise JsonataSyntaxError(ERROR_TEMPLATES[code], body, len(body), code) from None
    if getattr(ast, "errors", None):
        code, message = _describe(ast.errors[0])
        raise JsonataSyntaxError(message, body, _position(ast.errors[0]), code)
    return ast


def _tokenizer_crash_code(body: str) -> str:
    """What jsonata-js reports where jsonata-python's tokenizer runs off the end."""
    opened = body.rfind("/*")
    if opened >= 0 and body.find("*/", opened + 2) < 0:
        return "S0106"  # Comment has no closing tag
    if body.strip() == "/":
        return "S0302"  # No terminating / in regular expression
    return "S0207"  # Unexpected end of expression


def _position(err: JException) -> int | None:
    location = getattr(err, "location", None)
    return location if isinstance(location, int) and location >= 0 else None


# --- static analysis -----------------------------------------------------------------------------

_BASE_NAMES: set[str] = set()  # filled once the function frame is built (below)


class _Analysis:
    """Variables an AST reads, and how it reads ``$states``."""

    def __init__(self) -> None:
        self.read: set[str] = set()
        self.bound: set[str] = set()
        self.states_fields: set[str] = set()
        self.states_whole = False

    def free_names(self) -> set[str]:
        return self.read - self.bound - {""}

    def free_variables(self) -> set[str]:
        return {n for n in self.free_names() if n == "states" or n not in _BASE_NAMES}

    def visit(self, root: Any) -> None:
        field_heads: set[int] = set()
        for node in _walk(root):
            kind = getattr(node, "type", None)
            if kind == "path":
                steps = node.steps or []
                if len(steps) >= 2 and _is_states(steps[0]) and steps[1].type == "name":
                    self.states_fields.add(str(steps[1].value))
                    field_heads.add(id(steps[0]))
            elif kind == "variable":
                self.read.add(str(node.value))
                if node.value == "states" and id(node) not in field_heads:
                    self.states_whole = True
            elif kind == "bind" and getattr(node.lhs, "type", None) == "variable":
                self.bound.add(str(node.lhs.value))
            elif kind == "lambda":
                self.bound.update(str(arg.value) for arg in node.arguments or ())
            for attr in ("focus", "index"):
                name = getattr(node, attr, None)
                if isinstance(name, str):
                    self.bound.add(name)


def _is_states(step: Any) -> bool:
    return getattr(step, "type", None) == "variable" and step.value == "states"


_NOT_CHILDREN = frozenset({"_outer_instance", "environment", "input", "error", "signature"})


def _walk(root: Any) -> Iterator[Any]:
    """Every AST node reachable from ``root``, parents before children."""
    stack = [root]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        for name, value in vars(node).items():
            if name not in _NOT_CHILDREN:
                stack.extend(reversed(list(_symbols(value))))


def _symbols(value: Any) -> Iterator[Any]:
    if isinstance(value, Parser.Symbol):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _symbols(item)


# --- fast path -----------------------------------------------------------------------------------

_FALLBACK: Final[Any] = object()
_SHAPE_ATTRS = frozenset(
    {"_outer_instance", "id", "value", "type", "position", "bp", "lbp", "level"}
)


def _plain_node(node: Any, *allowed: str) -> bool:
    """Whether ``node`` carries nothing beyond its kind and value (no predicate, stage...)."""
    return all(
        not value or key in _SHAPE_ATTRS or key in allowed for key, value in vars(node).items()
    )


def _fast_path(ast: Any) -> Callable[[Mapping[str, JSON]], Any] | None:
    """A plain-Python evaluator for literals and ``$var.name.name`` paths, else ``None``."""
    kind = getattr(ast, "type", None)
    if kind in ("number", "string", "value") and _plain_node(ast):
        constant = _numbers_to_json(ast.value)
        return lambda bindings: constant
    if kind == "variable" and ast.value and _plain_node(ast):
        return functools.partial(_read_path, str(ast.value), ())
    if kind == "path" and _plain_node(ast, "steps"):
        head, *rest = ast.steps
        if (
            head.type == "variable"
            and head.value
            and _plain_node(head)
            and all(step.type == "name" and _plain_node(step) for step in rest)
        ):
            names = tuple(str(step.value) for step in rest)
            return functools.partial(_read_path, str(head.value), names)
    return None


def _read_path(variable: str, names: tuple[str, ...], bindings: Mapping[str, JSON]) -> Any:
    value = bindings.get(variable, _MISSING)
    if value is _MISSING:
        return UNDEFINED
    for name in names:
        if type(value) is dict:
            value = value.get(name, _MISSING)
            if value is _MISSING:
                return UNDEFINED
        elif isinstance(value, list):
            return _FALLBACK  # a path through an array maps over it: let the engine do it
        elif isinstance(value, Mapping):
            return _FALLBACK
        else:
            return UNDEFINED
    return _numbers_to_json(value)


# --- value conversion ----------------------------------------------------------------------------


def _number_to_json(value: Any) -> Any:
    if type(value) is int:
        return value if _LONG_MIN <= value <= _LONG_MAX else float(value)
    if math.isfinite(value):
        return int(value) if value.is_integer() and -(2.0**63) <= value < 2.0**63 else value
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def _numbers_to_json(value: Any) -> Any:
    """``value`` (plain JSON) with AWS's number model applied; shares unchanged parts."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return value
    if kind is int or kind is float:
        return _number_to_json(value)
    return _rebuilt(value, _numbers_to_json)


def _rebuilt(value: Any, convert: Callable[[Any], Any]) -> Any:
    """``value`` with ``convert`` applied to each member of a dict or list (copied only if a
    member changes); any other value unchanged."""
    if isinstance(value, dict):
        changed: dict[str, Any] | None = None
        for key, item in value.items():
            new = convert(item)
            if new is not item:
                if changed is None:
                    changed = dict(value)
                changed[key] = new
        return value if changed is None else changed
    if isinstance(value, list):
        out: list[Any] | None = None
        for i, item in enumerate(value):
            new = convert(item)
            if new is not item:
                if out is None:
                    out = list(value)
                out[i] = new
        return value if out is None else out
    return value


def _to_engine(value: Any) -> Any:
    """A JSON value as the engine wants it: ``null`` -> its marker, AWS's number model."""
    kind = type(value)
    if value is None:
        return _NULL
    if kind is str or kind is bool:
        return value
    if kind is int or kind is float:
        return _number_to_engine(value)
    return _rebuilt(value, _to_engine)


def _number_to_engine(value: Any) -> Any:
    if type(value) is int:
        return value if _LONG_MIN <= value <= _LONG_MAX else float(value)
    if math.isfinite(value) and value.is_integer() and -(2.0**63) <= value < 2.0**63:
        return int(value)
    return value


def _is_function(value: Any) -> bool:
    return isinstance(value, (Jsonata.JFunctionCallable, re.Pattern)) or (
        isinstance(value, Parser.Symbol) and getattr(value, "_jsonata_lambda", False)
    )


def _result_to_json(value: Any) -> Any:
    """An engine result as JSON; :data:`UNDEFINED` for nothing (or a function)."""
    if value is None or _is_function(value):
        return UNDEFINED
    return _engine_to_json(value)


def _engine_to_json(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return value
    if value is _NULL:
        return None
    if kind is int or kind is float:
        return _number_to_json(value)
    if isinstance(value, dict):
        changed: dict[str, Any] | None = None
        for key, item in value.items():
            if _is_function(item):  # JSON.stringify drops it
                if changed is None:
                    changed = dict(value)
                del changed[key]
                continue
            new = _engine_to_json(item)
            if new is not item:
                if changed is None:
                    changed = dict(value)
                changed[key] = new
        return value if changed is None else changed
    if isinstance(value, list):
        if type(value) is list:
            items: list[Any] = value
        else:
            items = list(value)  # sequences and ranges become plain lists
        out: list[Any] | None = None if items is value else items
        for i, item in enumerate(items):
            new = None if _is_function(item) else _engine_to_json(item)
            if new is not item:
                if out is None:
                    out = list(items)
                out[i] = new
        return items if out is None else out
    return value


def _plain(value: Any) -> Any:
    """An engine value as plain data for the pure helpers (numbers untouched)."""
    if value is None:
        return UNDEFINED
    if value is _NULL:
        return None
    if _is_function(value):
        return FUNCTION
    if isinstance(value, dict):
        return {k: _plain_item(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_item(v) for v in value]
    return value


def _plain_item(value: Any) -> Any:
    return None if value is None else _plain(value)


def _shallow(value: Any) -> Any:
    """An engine value for the pure helpers, converting only the top level."""
    if value is None:
        return UNDEFINED
    if value is _NULL:
        return None
    if _is_function(value):
        return FUNCTION
    if isinstance(value, list) and type(value) is not list:
        return list(value)
    return value


def _from_plain(value: Any) -> Any:
    """A pure helper's result back to the engine (``UNDEFINED`` -> nothing)."""
    if value is UNDEFINED:
        return None
    return _to_engine(value)


# --- evaluation ----------------------------------------------------------------------------------


class _Abort(BaseException):
    """Stops evaluation (a bound was hit); a BaseException so the engine cannot wrap it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _CodedError(JException):  # type: ignore[misc]
    """A coded error raised by one of our functions, message already rendered."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__("S0500", -1)  # a template without placeholders
        self.error = code
        self.sfn_message = message


class _EvalState:
    """Bookkeeping for one evaluation: bounds, environment, the ``$now()`` instant."""

    __slots__ = ("depth", "env", "millis", "steps")

    def __init__(self, env: JsonataEnv) -> None:
        self.env = env
        self.depth = 0
        self.steps = 0
        self.millis: int | None = None

    def entry(self, expr: Any, input: Any, environment: Any) -> None:
        self.steps += 1
        if self.steps > MAX_EVALUATION_STEPS:
            raise _Abort(TIMEOUT_MESSAGE)
        if environment.is_parallel_call:
            return
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Abort(STACK_OVERFLOW_MESSAGE)

    def exit(self, expr: Any, input: Any, environment: Any, result: Any) -> None:
        if not environment.is_parallel_call:
            self.depth -= 1
        if type(result) is str:
            if len(result) > MAX_VALUE_BYTES:
                raise _Abort(MEMORY_LIMIT_MESSAGE)
        elif isinstance(result, list):
            # jsonata-python's lazy range reports one element more than it holds
            lazy: Any = result
            count = lazy.b - lazy.a if type(lazy) is _RANGE else len(lazy)
            if count * 8 > MAX_VALUE_BYTES:
                raise _Abort(MEMORY_LIMIT_MESSAGE)

    def now_millis(self) -> int:
        if self.millis is None:
            source = self.env.now_millis
            self.millis = source() if source is not None else int(time.time() * 1000)
        return self.millis


class _Runner(Jsonata):  # type: ignore[misc]
    """The engine with jsonata-js's semantics where jsonata-python strays."""

    def __init__(self) -> None:
        super().__init__("0")

    def evaluate_numeric_expression(self, lhs: Any, rhs: Any, op: Any) -> Any:
        if lhs is not None and not Utils.is_numeric(lhs):
            raise JException("T2001", -1, op, lhs)
        if rhs is not None and not Utils.is_numeric(rhs):
            raise JException("T2002", -1, op, rhs)
        if lhs is None or rhs is None:
            return None
        a, b = _as_float(lhs), _as_float(rhs)
        if op == "+":
            result = a + b
        elif op == "-":
            result = a - b
        elif op == "*":
            result = a * b
        elif op == "/":
            result = a / b if b != 0 else _divide_by_zero(a, b)
        else:
            result = math.fmod(a, b) if b != 0 else math.nan
        if math.isfinite(result) and result.is_integer() and abs(result) < 2.0**63:
            return int(result)
        return result

    def validate_arguments(self, proc: Any, args: Any, context: Any) -> Any:
        signature = getattr(proc, "signature", None)
        if isinstance(signature, Signature) and getattr(signature, "_regex", None) is not None:
            return _validate_arguments(signature, list(args or ()), context)
        return super().validate_arguments(proc, args, context)

    def evaluate_string_concat(self, lhs: Any, rhs: Any) -> str:
        return _concat_text(lhs) + _concat_text(rhs)

    def evaluate_function(
        self, expr: Any, input: Any, environment: Any, applyto_context: Any
    ) -> Any:
        try:
            return super().evaluate_function(expr, input, environment, applyto_context)
        except JException as err:
            if getattr(err, "sfn_function", None) is None:
                procedure: Any = getattr(expr, "procedure", None)
                if getattr(procedure, "type", None) == "path":
                    err.sfn_function = procedure.steps[0].value
                else:
                    err.sfn_function = getattr(procedure, "value", None)
            raise


def _symbol(value: Any) -> str:
    """jsonata-js's one-letter type of an argument (``l`` for null, ``m`` for missing)."""
    if value is None:
        return "m"
    if value is _NULL:
        return "l"
    if _is_function(value):
        return "f"
    if isinstance(value, str):
        return "s"
    if isinstance(value, bool):
        return "b"
    if isinstance(value, (int, float)):
        return "n"
    if isinstance(value, list):
        return "a"
    if isinstance(value, dict):
        return "o"
    return "m"


def _validate_arguments(signature: Any, args: list[Any], context: Any) -> list[Any]:
    """jsonata-js's signature check (jsonata-python mistakes ``null`` for a missing value)."""
    supplied = "".join(_symbol(arg) for arg in args)
    matched = signature._regex.fullmatch(supplied)
    if matched is None:
        raise JException("T0410", -1, _bad_argument(signature, supplied), None)
    validated: list[Any] = []
    index = 0
    for position, param in enumerate(signature._params):
        arg = args[index] if index < len(args) else None
        match = matched.group(position + 1)
        if not match:
            if param.context and param.regex is not None:
                if re.fullmatch(param.regex, _symbol(context)) is None:
                    raise JException("T0411", -1, context, index + 1)
                validated.append(context)
            else:
                validated.append(arg)
                index += 1
            continue
        for single in match:
            if param.type == "a":
                arg = None if single == "m" else _array_argument(param, args[index], single, match)
                if arg is not None and single != "a":
                    arg = [arg]
                if arg is None and single != "m":
                    raise JException("T0412", -1, index + 1, None, param.subtype)
            validated.append(arg)
            index += 1
    return validated


def _array_argument(param: Any, arg: Any, single: str, match: str) -> Any:
    """An array parameter's argument, or ``None`` when its items have the wrong type."""
    subtype = param.subtype
    if subtype is None:
        return arg
    if single != "a":
        return arg if match == subtype else None
    if not arg:
        return arg
    kind = _symbol(arg[0])
    return arg if kind == subtype[0] and all(_symbol(v) == kind for v in arg) else None


def _bad_argument(signature: Any, supplied: str) -> int:
    """The 1-based argument jsonata-js blames for a signature mismatch."""
    pattern = "^"
    good_to = 0
    for param in signature._params:
        pattern += param.regex
        matched = re.match(pattern, supplied)
        if matched is None:
            break
        good_to = matched.end()
    return good_to + 1


def _as_float(value: Any) -> float:
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _divide_by_zero(a: float, b: float) -> float:
    if a == 0 or math.isnan(a):
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


def _concat_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    text = _call_pure(fns.fn_string, [_plain(value)])
    return text if isinstance(text, str) else ""


class _Local(threading.local):
    runner: _Runner | None = None
    states: list[_EvalState]

    def __init__(self) -> None:
        self.states = []


_LOCAL = _Local()


def _current_state() -> _EvalState:
    return _LOCAL.states[-1]


def _run(ast: Any, values: dict[str, Any], env: JsonataEnv) -> Any:
    """Evaluate ``ast`` with ``values`` bound; engine errors become JsonataEvaluationError."""
    runner = _LOCAL.runner
    if runner is None:
        runner = _LOCAL.runner = _Runner()
    state = _EvalState(env)
    frame = Jsonata.Frame(_FUNCTIONS)
    frame.bindings.update(values)
    frame.bindings["__evaluate_entry"] = state.entry
    frame.bindings["__evaluate_exit"] = state.exit
    current = Jsonata.CURRENT
    previous = getattr(current, "jsonata", None)
    current.jsonata = runner
    _LOCAL.states.append(state)
    limit = sys.getrecursionlimit()
    if limit < _EVAL_RECURSION_LIMIT:
        sys.setrecursionlimit(_EVAL_RECURSION_LIMIT)
    try:
        return runner.eval(ast, None, frame)
    except _Abort as abort:
        raise JsonataEvaluationError(None, abort.message) from None
    except JException as err:
        code, message = _describe(err)
        raise JsonataEvaluationError(code, message) from None
    except RecursionError:
        raise JsonataEvaluationError(None, STACK_OVERFLOW_MESSAGE) from None
    except MemoryError:
        raise JsonataEvaluationError(None, MEMORY_LIMIT_MESSAGE) from None
    except Exception as err:  # a Python error inside jsonata-python: keep what it says
        raise JsonataEvaluationError(None, str(err) or type(err).__name__) from None
    finally:
        if limit < _EVAL_RECURSION_LIMIT:
            sys.setrecursionlimit(limit)
        _LOCAL.states.pop()
        if previous is None:
            del current.jsonata
        else:
            current.jsonata = previous


# --- error messages ------------------------------------------------------------------------------

#: jsonata-python raises these with the whole message where the code should be.
_MESSAGE_CODES: Final = {
    ERROR_TEMPLATES["D3010"]: "D3010",
    ERROR_TEMPLATES["D3011"]: "D3011",
}
#: Which jsonata-python exception slot fills which placeholder, where not in template order.
_SLOTS: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "D1002": (("value", "expected"),),
    "T0411": (("index", "expected"), ("token", "sfn_function")),
    "T0412": (("index", "current"), ("token", "expected"), ("type", "extra")),
    "D3100": (("value", "location"),),
}
_ARRAY_TYPES: Final = {
    "a": "arrays",
    "b": "booleans",
    "f": "functions",
    "n": "numbers",
    "o": "objects",
    "s": "strings",
}
_PLACEHOLDER = re.compile(r"\{\{\{?(\w+)\}?\}\}")


def _describe(err: JException) -> tuple[str | None, str]:
    """The (code, message) AWS prints for an engine error."""
    code = getattr(err, "error", None)
    rendered = getattr(err, "sfn_message", None)
    if rendered is not None:
        return code, rendered
    if not isinstance(code, str):
        return None, str(err)
    template = ERROR_TEMPLATES.get(code)
    if template is None:
        mapped = _MESSAGE_CODES.get(code)
        return (mapped, code) if mapped else (None, code)
    return code, render_template(template, _fields(code, template, err))


def _fields(code: str, template: str, err: JException) -> dict[str, Any]:
    slots = _SLOTS.get(code)
    if slots is None:
        names = list(dict.fromkeys(_PLACEHOLDER.findall(template)))
        slots = tuple(zip(names, ("current", "expected", "extra"), strict=False))
    fields: dict[str, Any] = {}
    for name, slot in slots:
        value = getattr(err, slot, None)
        if value is not None:
            fields[name] = _plain(value)
    if code in ("T0410", "T0412"):
        if not isinstance(fields.get("index"), int):
            fields.pop("index", None)
        if not isinstance(fields.get("token"), str):
            function = getattr(err, "sfn_function", None)
            if isinstance(function, str):
                fields["token"] = function
    if code == "T0412" and isinstance(fields.get("type"), str):
        fields["type"] = _ARRAY_TYPES.get(fields["type"], fields["type"])
    if code == "T0411" and isinstance(fields.get("token"), str) is False:
        fields.pop("token", None)
    return fields


# --- functions AWS adds, replaces or removes -----------------------------------------------------


def _call_pure(function: Callable[..., Any], args: list[Any], *extra: Any) -> Any:
    """Call a pure helper, turning its errors into engine errors."""
    try:
        return function(args, *extra)
    except FunctionError as err:
        raise _CodedError(err.code, err.message) from None
    except LimitExceeded as err:
        raise _Abort(err.message) from None


class _Native(Jsonata.JFunction):  # type: ignore[misc]
    """A function implemented here, with a jsonata signature for argument checks."""

    def __init__(
        self, name: str, signature: str, arity: int, impl: Callable[[list[Any]], Any]
    ) -> None:
        super().__init__(None, signature)
        self.function_name = name
        self.signature.set_function_name(name)
        self._arity = arity
        self._impl = impl

    def call(self, input: Any, args: Any) -> Any:
        return self._impl(list(args) if args else [])

    def get_number_of_args(self) -> int:
        return self._arity


def _shallow_call(function: Callable[..., Any]) -> Callable[[list[Any]], Any]:
    def impl(args: list[Any]) -> Any:
        return _from_plain(_call_pure(function, [_shallow(a) for a in args]))

    return impl


def _random(args: list[Any]) -> Any:
    state = _current_state()
    return _call_pure(fns.fn_random, [_shallow(a) for a in args], state.env.rng.random)


def _uuid(args: list[Any]) -> Any:
    return _call_pure(fns.fn_uuid, [_shallow(a) for a in args], _current_state().env.uuid4)


def _now(args: list[Any]) -> Any:
    picture = args[0] if args else None
    timezone = args[1] if len(args) > 1 else None
    return Functions.datetime_from_millis(_current_state().now_millis(), picture, timezone)


def _millis(args: list[Any]) -> Any:
    return _current_state().now_millis()


def _string(args: list[Any]) -> Any:
    return _from_plain(_call_pure(fns.fn_string, [_plain(a) for a in args]))


def _count(args: list[Any]) -> Any:
    value = args[0] if args else None
    if value is None:
        return 0
    if value is _NULL:
        return 1
    return len(value) if isinstance(value, list) else 1


def _to_millis(args: list[Any]) -> Any:
    timestamp = args[0] if args else None
    picture = args[1] if len(args) > 1 else None
    try:
        return Functions.datetime_to_millis(timestamp, picture)
    except JException:
        raise
    except Exception:
        message = render_template(ERROR_TEMPLATES["D3110"], {"value": _plain(timestamp)})
        raise _CodedError("D3110", message) from None


_DATETIME_CODES: Final = {
    "Formatting or parsing an integer as a sequence starting with": "D3130",
    "In a decimal digit pattern": "D3131",
    "The 'name' modifier can only be applied": "D3133",
    "The timezone integer format specifier": "D3134",
    "No matching closing bracket": "D3135",
    "The date/time picture string is missing specifiers": "D3136",
}


def _datetime_guard(name: str) -> Callable[[list[Any]], Any]:
    """A date/time builtin whose picture-string errors carry jsonata-js's codes."""

    def impl(args: list[Any]) -> Any:
        library = Jsonata.static_frame.bindings[name]
        try:
            return library.call(None, args)
        except KeyError as err:  # an unknown component letter
            value = err.args[0] if err.args else None
            message = render_template(ERROR_TEMPLATES["D3132"], {"value": value})
            raise _CodedError("D3132", message) from None
        except (RuntimeError, NotImplementedError) as err:
            text = str(err)
            for prefix, code in _DATETIME_CODES.items():
                if text.startswith(prefix):
                    raise _CodedError(code, render_template(ERROR_TEMPLATES[code], {})) from None
            raise

    return impl


def _sort(args: list[Any]) -> Any:
    library = Jsonata.static_frame.bindings["sort"]
    try:
        return library.call(None, args)
    except TypeError:  # jsonata-python compares mixed types instead of refusing them
        raise _CodedError("D3070", ERROR_TEMPLATES["D3070"]) from None


def _build_functions() -> Any:
    frame = Jsonata.Frame(Jsonata.static_frame)
    natives = [
        _Native("partition", "<x?x?x?:x>", 2, _shallow_call(fns.fn_partition)),
        _Native("range", "<x?x?x?x?:x>", 3, _shallow_call(fns.fn_range)),
        _Native("hash", "<x?x?x?:x>", 2, _shallow_call(fns.fn_hash)),
        _Native("parse", "<x?x?:x>", 1, _shallow_call(fns.fn_parse)),
        _Native("random", "<x?x?:n>", 1, _random),
        _Native("uuid", "<x?:s>", 0, _uuid),
        _Native("now", "<s?s?:s>", 2, _now),
        _Native("millis", "<:n>", 0, _millis),
        _Native("string", "<x-b?:s>", 2, _string),
        _Native("number", "<(nsb)-:n>", 1, _shallow_call(fns.fn_number)),
        _Native("count", "<a:n>", 1, _count),
        _Native("sort", "<af?:a>", 2, _sort),
        _Native("power", "<n-n:n>", 2, _shallow_call(fns.fn_power)),
        _Native("encodeUrlComponent", "<s-:s>", 1, _shallow_call(fns.fn_encode_url_component)),
        _Native("encodeUrl", "<s-:s>", 1, _shallow_call(fns.fn_encode_url)),
        _Native("decodeUrlComponent", "<s-:s>", 1, _shallow_call(fns.fn_decode_url_component)),
        _Native("decodeUrl", "<s-:s>", 1, _shallow_call(fns.fn_decode_url)),
        _Native("toMillis", "<s-s?:n>", 2, _to_millis),
        _Native("fromMillis", "<n-s?s?:s>", 3, _datetime_guard("fromMillis")),
        _Native("formatInteger", "<n-s:s>", 2, _datetime_guard("formatInteger")),
        _Native("parseInteger", "<s-s:n>", 2, _datetime_guard("parseInteger")),
    ]
    for native in natives:
        frame.bind(native.function_name, native)
    frame.bindings["eval"] = None  # disabled on AWS: calling it is T1006
    _BASE_NAMES.update(Jsonata.static_frame.bindings, frame.bindings)
    return frame


_FUNCTIONS: Final[Any] = _build_functions()
