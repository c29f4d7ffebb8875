"""Declared signatures, the function registry, and the one place arguments are checked.

Each intrinsic is a small Python function registered with :func:`intrinsic`, which
declares its parameters and their :class:`ArgType`. :meth:`Intrinsic.invoke` checks and
converts the evaluated arguments against that declaration before the function runs, so
the functions themselves only deal with well-typed values. A function reports a bad
*value* (an index out of range, a zero step) by raising :class:`InvalidArguments`; both
kinds of failure reach the state machine as ``States.IntrinsicFailure``.

Modelled on python-jsonpath's ``function_extensions`` (one callable per function plus
declared ``arg_types``).
"""

from __future__ import annotations

import enum
import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TypeVar

from pytest_sfn._types import JSON
from pytest_sfn.errors import StatesError, StatesErrorName

from ._grammar import StringLiteral, describe_arity
from ._json import describe, java_round

__all__ = [
    "REGISTRY",
    "ArgType",
    "Env",
    "Intrinsic",
    "InvalidArguments",
    "Param",
    "intrinsic",
    "intrinsic_failure",
    "register",
]


class InvalidArguments(Exception):
    """Raised by an intrinsic for an argument of the right type but an unusable value."""


def intrinsic_failure(message: str) -> StatesError:
    """The ``States.IntrinsicFailure`` error with ``message`` as its cause."""
    return StatesError(StatesErrorName.INTRINSIC_FAILURE.value, message)


@dataclass(frozen=True, slots=True)
class Env:
    """What a few intrinsics need from the engine: randomness and UUIDs, both injectable."""

    rng: random.Random
    uuid4: Callable[[], str]


class ArgType(enum.Enum):
    """What an argument must be."""

    ANY = enum.auto()
    STRING = enum.auto()
    ARRAY = enum.auto()
    OBJECT = enum.auto()
    BOOLEAN = enum.auto()
    #: A number with an integral value (``5`` or ``5.0``); passed on as ``int``.
    INTEGER = enum.auto()
    #: Any number, rounded with Java's ``Math.round`` (AWS documents that non-integer
    #: values are rounded to the nearest integer); passed on as ``int``.
    ROUNDED_INTEGER = enum.auto()
    #: A ``States.Format`` template: a string, passed on as the tuple of text pieces
    #: between ``{}`` placeholders. A literal keeps its escaped braces out of the cut.
    TEMPLATE = enum.auto()

    @property
    def description(self) -> str:
        """How error messages name the expected kind of value (``an array``)."""
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    ArgType.ANY: "any JSON value",
    ArgType.STRING: "a string",
    ArgType.ARRAY: "an array",
    ArgType.OBJECT: "an object",
    ArgType.BOOLEAN: "a boolean",
    ArgType.INTEGER: "an integer",
    ArgType.ROUNDED_INTEGER: "a number",
    ArgType.TEMPLATE: "a string",
}


class _Mismatch(Exception):
    pass


def _as_number(value: JSON) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Mismatch
    if isinstance(value, float) and not math.isfinite(value):
        raise _Mismatch
    return value


def _as_integer(value: JSON) -> int:
    number = _as_number(value)
    if isinstance(number, float):
        if not number.is_integer():
            raise _Mismatch
        return int(number)
    return number


def _as_rounded_integer(value: JSON) -> int:
    number = _as_number(value)
    return java_round(number) if isinstance(number, float) else number


def _as_template(value: object) -> tuple[str, ...]:
    if isinstance(value, StringLiteral):
        return value.pieces
    if isinstance(value, str):
        return tuple(value.split("{}"))
    raise _Mismatch


def _of_type(kind: type) -> Callable[[JSON], JSON]:
    def check(value: JSON) -> JSON:
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise _Mismatch
        return value

    return check


_CONVERTERS: dict[ArgType, Callable[[Any], Any]] = {
    ArgType.ANY: lambda value: value,
    ArgType.STRING: _of_type(str),
    ArgType.ARRAY: _of_type(list),
    ArgType.OBJECT: _of_type(dict),
    ArgType.BOOLEAN: _of_type(bool),
    ArgType.INTEGER: _as_integer,
    ArgType.ROUNDED_INTEGER: _as_rounded_integer,
    ArgType.TEMPLATE: _as_template,
}


@dataclass(frozen=True, slots=True)
class Param:
    """One declared parameter.

    Attributes:
        name: Shown in error messages (``argument 2 (index)``).
        type: What the argument must be.
        optional: The argument may be left out (only trailing parameters).
        variadic: Takes every remaining argument, zero or more (only the last parameter).
    """

    name: str
    type: ArgType = ArgType.ANY
    optional: bool = False
    variadic: bool = False


@dataclass(frozen=True, slots=True)
class Intrinsic:
    """A registered intrinsic: its name, declared parameters and implementation.

    Attributes:
        name: ``States.Name``.
        params: The declared parameters, in order.
        function: Called with the converted arguments (plus ``env=`` when ``uses_env``).
        uses_env: The function takes the engine's :class:`Env` as keyword ``env``.
    """

    name: str
    params: tuple[Param, ...]
    function: Callable[..., JSON]
    uses_env: bool = False

    def __post_init__(self) -> None:
        for index, param in enumerate(self.params):
            last = index == len(self.params) - 1
            if param.variadic and not last:
                raise ValueError(f"{self.name}: only the last parameter may be variadic")
            if not param.optional and not param.variadic and index > self.min_args - 1:
                raise ValueError(f"{self.name}: required parameter after an optional one")

    @property
    def min_args(self) -> int:
        """How many arguments a call needs at least."""
        return sum(1 for p in self.params if not (p.optional or p.variadic))

    @property
    def max_args(self) -> int | None:
        """How many arguments a call takes at most (None: no limit)."""
        if self.params and self.params[-1].variadic:
            return None
        return len(self.params)

    def param_at(self, index: int) -> Param:
        """The parameter that argument ``index`` (0-based) binds to."""
        if index >= len(self.params):
            return self.params[-1]  # only reached for a variadic last parameter
        return self.params[index]

    def wants_literal(self, index: int) -> bool:
        """Whether argument ``index`` is given unevaluated when it is a string literal."""
        return bool(self.params) and self.param_at(index).type is ArgType.TEMPLATE

    def invoke(self, values: Sequence[JSON], env: Env) -> JSON:
        """Check ``values`` against the declaration, then call the implementation.

        Raises:
            StatesError: ``States.IntrinsicFailure`` naming the function, the argument
                and what was expected, or the function's own complaint.
        """
        count = len(values)
        high = self.max_args
        if count < self.min_args or (high is not None and count > high):
            raise intrinsic_failure(
                f"{self.name} takes {describe_arity(self.min_args, high)}, got {count}."
            )
        converted = [self._convert(index, value) for index, value in enumerate(values)]
        try:
            if self.uses_env:
                return self.function(*converted, env=env)
            return self.function(*converted)
        except InvalidArguments as exc:
            raise intrinsic_failure(f"Invalid arguments to {self.name}: {exc}") from None

    def _convert(self, index: int, value: JSON) -> Any:
        param = self.param_at(index)
        try:
            return _CONVERTERS[param.type](value)
        except _Mismatch:
            shown = describe(value.value if isinstance(value, StringLiteral) else value)
            raise intrinsic_failure(
                f"Invalid argument {index + 1} ({param.name}) to {self.name}: "
                f"expected {param.type.description}, got {shown}."
            ) from None


_REGISTRY: dict[str, Intrinsic] = {}
#: Every registered intrinsic, by name (read-only view).
REGISTRY: Mapping[str, Intrinsic] = MappingProxyType(_REGISTRY)

_F = TypeVar("_F", bound=Callable[..., JSON])


def register(function: Intrinsic) -> Intrinsic:
    """Add ``function`` to :data:`REGISTRY`.

    Raises:
        ValueError: a function with that name is already registered, or the name does not
            start with ``States.``.
    """
    if not function.name.startswith("States."):
        raise ValueError(f"intrinsic names start with 'States.', got {function.name!r}")
    if function.name in _REGISTRY:
        raise ValueError(f"intrinsic {function.name!r} is already registered")
    _REGISTRY[function.name] = function
    return function


def intrinsic(name: str, *params: Param, uses_env: bool = False) -> Callable[[_F], _F]:
    """Decorator registering the decorated function as intrinsic ``name``.

    The function is returned unchanged, so it stays directly callable (and testable).
    """

    def decorate(function: _F) -> _F:
        register(Intrinsic(name, params, function, uses_env))
        return function

    return decorate
