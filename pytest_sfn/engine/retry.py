"""Retry and Catch: which retrier or catcher handles an error, and how long to wait."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

from pytest_sfn.model.states import Catcher, Retrier

_ALL = "States.ALL"
_TASK_FAILED = "States.TaskFailed"
_TIMEOUT = "States.Timeout"
_HEARTBEAT = "States.HeartbeatTimeout"
#: Errors no retrier or catcher ever handles (AWS: States.Runtime is terminal).
TERMINAL_ERRORS = frozenset({"States.Runtime"})

_Handler = TypeVar("_Handler", Retrier, Catcher)


def error_matches(
    error_equals: Sequence[str], error: str | None, *, heartbeat: bool = False
) -> bool:
    """Whether an ``ErrorEquals`` list matches ``error``.

    ``States.ALL`` matches everything; ``States.TaskFailed`` everything but
    ``States.Timeout``; ``States.HeartbeatTimeout`` also matches a heartbeat expiry (which
    AWS reports as ``States.Timeout``).
    """
    for name in error_equals:
        if name in (error, _ALL):
            return True
        if name == _TASK_FAILED and error != _TIMEOUT:
            return True
        if name == _HEARTBEAT and heartbeat:
            return True
    return False


def find_handler(
    handlers: Sequence[_Handler], error: str | None, *, heartbeat: bool = False
) -> int | None:
    """Index of the first retrier/catcher whose ``ErrorEquals`` matches, else ``None``."""
    if error in TERMINAL_ERRORS:
        return None
    for i, handler in enumerate(handlers):
        if error_matches(handler.error_equals, error, heartbeat=heartbeat):
            return i
    return None


def retry_delay(retrier: Retrier, retry_number: int, rng: random.Random) -> float:
    """Seconds to wait before retry ``retry_number`` (1-based) of ``retrier``.

    ``IntervalSeconds * BackoffRate ** (n - 1)``, capped by ``MaxDelaySeconds``; with
    ``JitterStrategy: FULL`` a uniform draw in ``[0, delay]`` from the seeded generator.
    """
    delay = float(retrier.interval_seconds) * float(retrier.backoff_rate) ** (retry_number - 1)
    if retrier.max_delay_seconds is not None:
        delay = min(delay, float(retrier.max_delay_seconds))
    if retrier.jitter == "FULL":
        delay = rng.uniform(0.0, delay)
    return delay
