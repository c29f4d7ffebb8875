"""Amazon States Language intrinsic functions (``States.Format(...)`` and friends).

Intrinsics appear in JSONPath states wherever a ``"key.$"`` value is evaluated
(``Parameters``, ``ResultSelector``, ``ItemSelector``, ``Assign``, Fail ``ErrorPath`` /
``CausePath``...). Use them in two steps, so each expression is parsed once::

    call = parse_intrinsic("States.Format('Hello, {}!', $.name)")   # at load time
    evaluate_intrinsic(call, resolve, rng=rng, uuid4=uuid4)          # per evaluation

``resolve`` is the engine's path lookup: it gets the text of each path argument
(``$.name``, ``$$.Execution.Id``, ``$myVar``) and returns its value, raising the
engine's own ``StatesError`` when the path selects nothing.

Failures while evaluating raise ``StatesError("States.IntrinsicFailure", cause)``; the
cause names the function, the argument and what was expected. Malformed expressions
raise :class:`IntrinsicSyntaxError` at parse time, with a caret under the problem.

Arguments in the parsed tree are :class:`StringLiteral` (single-quoted strings, escapes
applied), ``int``/``float``/``bool``/``None`` literals, :class:`PathArg` and nested
:class:`IntrinsicCall` nodes.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator, Mapping

from pytest_sfn._types import JSON

from . import array, encoding, format, hash, json_, math, string, uuid_  # noqa: F401  (registration)
from ._grammar import (
    Arg,
    IntrinsicCall,
    IntrinsicSyntaxError,
    PathArg,
    StringLiteral,
    parse,
)
from ._registry import REGISTRY, ArgType, Env, Intrinsic, Param, intrinsic_failure

__all__ = [
    "FUNCTIONS",
    "Arg",
    "ArgType",
    "Intrinsic",
    "IntrinsicCall",
    "IntrinsicSyntaxError",
    "Param",
    "PathArg",
    "StringLiteral",
    "evaluate_intrinsic",
    "iter_paths",
    "looks_like_intrinsic",
    "parse_intrinsic",
]

#: Every intrinsic function by name (``"States.Format"`` -> :class:`Intrinsic`), read-only.
FUNCTIONS: Mapping[str, Intrinsic] = REGISTRY

_INTRINSIC_START = re.compile(r"States\.[A-Za-z0-9_]+\s*\(")


def looks_like_intrinsic(text: str) -> bool:
    """Whether a ``.$`` value is meant as an intrinsic call rather than a path.

    True when ``text`` starts (no leading whitespace) with ``States.<Name>(``, whether or
    not ``<Name>`` exists, so a misspelt name is reported by :func:`parse_intrinsic`
    instead of as a bad path.
    """
    return _INTRINSIC_START.match(text) is not None


def parse_intrinsic(text: str) -> IntrinsicCall:
    """Parse ``text`` into an :class:`IntrinsicCall` tree.

    Function names and argument counts are checked here; argument types and values are
    checked when the call is evaluated, since paths are only known then.

    Raises:
        IntrinsicSyntaxError: the expression is malformed, names an unknown function
            (with a "did you mean" hint) or passes a wrong number of arguments.
    """
    return parse(text, FUNCTIONS)


def evaluate_intrinsic(
    call: IntrinsicCall,
    resolve: Callable[[str], JSON],
    *,
    rng: random.Random,
    uuid4: Callable[[], str],
) -> JSON:
    """Evaluate a parsed call, innermost calls first, arguments left to right.

    Args:
        call: From :func:`parse_intrinsic`.
        resolve: Returns the value of a path argument given its text; its exceptions
            propagate unchanged.
        rng: Source of ``States.MathRandom`` numbers when no seed argument is given.
        uuid4: Source of ``States.UUID`` values.

    Raises:
        StatesError: ``States.IntrinsicFailure`` when an argument has the wrong type or
            value; whatever ``resolve`` raises for unresolvable paths.
    """
    return _evaluate(call, resolve, Env(rng, uuid4))


def _evaluate(call: IntrinsicCall, resolve: Callable[[str], JSON], env: Env) -> JSON:
    function = REGISTRY.get(call.name)
    if function is None:
        raise intrinsic_failure(f"Unknown intrinsic function '{call.name}'.")
    values: list[JSON] = []
    for index, arg in enumerate(call.args):
        if isinstance(arg, IntrinsicCall):
            values.append(_evaluate(arg, resolve, env))
        elif isinstance(arg, PathArg):
            values.append(resolve(arg.text))
        elif isinstance(arg, StringLiteral):
            values.append(arg if function.wants_literal(index) else arg.value)
        else:
            values.append(arg)
    return function.invoke(values, env)


def iter_paths(call: IntrinsicCall) -> Iterator[PathArg]:
    """Every path argument in ``call``, nested calls included, in source order.

    Lets the engine check or precompile the paths of an expression at load time.
    """
    for arg in call.args:
        if isinstance(arg, PathArg):
            yield arg
        elif isinstance(arg, IntrinsicCall):
            yield from iter_paths(arg)
