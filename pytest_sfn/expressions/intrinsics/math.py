"""Math intrinsics: ``States.MathAdd`` and ``States.MathRandom``.

Non-integer arguments are rounded with Java's ``Math.round`` before use, per argument
(AWS-observed: ``States.MathAdd(1.49, 1.5)`` is ``3``, ``States.MathAdd(-2.5, 0)`` is
``-2``).
"""

from __future__ import annotations

from ._registry import ArgType, Env, InvalidArguments, Param, intrinsic

__all__ = ["INT_MAX", "INT_MIN", "JavaRandom", "math_add", "math_random"]

#: ``States.MathAdd`` accepts integers in Java's ``int`` range.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


@intrinsic(
    "States.MathAdd",
    Param("value1", ArgType.ROUNDED_INTEGER),
    Param("value2", ArgType.ROUNDED_INTEGER),
)
def math_add(left: int, right: int) -> int:
    """``left + right``, both already rounded to integers."""
    for position, value in ((1, left), (2, right)):
        if not INT_MIN <= value <= INT_MAX:
            raise InvalidArguments(
                f"argument {position} is {value}; values must be between {INT_MIN} and {INT_MAX}."
            )
    return left + right


@intrinsic(
    "States.MathRandom",
    Param("start", ArgType.ROUNDED_INTEGER),
    Param("end", ArgType.ROUNDED_INTEGER),
    Param("seed", ArgType.ROUNDED_INTEGER, optional=True),
    uses_env=True,
)
def math_random(start: int, end: int, seed: int | None = None, *, env: Env) -> int:
    """A random integer with ``start <= n < end``.

    Without a seed the engine's ``env.rng`` draws it. With a seed the same arguments
    always give the same number: it is drawn as ``new java.util.Random(seed)
    .nextInt(end - start) + start`` would (whether AWS draws it exactly so is not known).
    """
    if end <= start:
        raise InvalidArguments(
            f"the end (argument 2) must be greater than the start, got start={start}, end={end}."
        )
    bound = end - start
    if seed is None:
        return start + env.rng.randrange(bound)
    if bound > INT_MAX:  # beyond nextInt(int bound); stay deterministic all the same
        return start + JavaRandom(seed).next_long_below(bound)
    return start + JavaRandom(seed).next_int(bound)


class JavaRandom:
    """The linear congruential generator of ``java.util.Random`` (its spec is public)."""

    _MULTIPLIER = 0x5DEECE66D
    _ADDEND = 0xB
    _MASK = (1 << 48) - 1

    def __init__(self, seed: int) -> None:
        self._seed = (seed ^ self._MULTIPLIER) & self._MASK

    def next_bits(self, bits: int) -> int:
        """``next(bits)``: the top ``bits`` bits of the next state, as a signed Java int."""
        self._seed = (self._seed * self._MULTIPLIER + self._ADDEND) & self._MASK
        value = self._seed >> (48 - bits)
        return value - (1 << 32) if bits == 32 and value >= 1 << 31 else value

    def next_int(self, bound: int) -> int:
        """``nextInt(bound)`` for ``0 < bound <= 2**31 - 1``: uniform in ``[0, bound)``."""
        value = self.next_bits(31)
        top = bound - 1
        if bound & top == 0:  # a power of two
            return (bound * value) >> 31
        remainder = value % bound
        # Java detects int overflow of (value - remainder + top) to reject biased draws.
        while value - remainder + top > INT_MAX:
            value = self.next_bits(31)
            remainder = value % bound
        return remainder

    def next_long_below(self, bound: int) -> int:
        """A deterministic draw in ``[0, bound)`` for bounds past the int range."""
        value = (self.next_bits(32) << 32) + self.next_bits(32)
        return value % bound
