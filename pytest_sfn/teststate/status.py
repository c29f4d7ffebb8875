"""The ``status`` of a TestState run when the state raised an error (aws-spec §1.4).

The first retrier whose ``ErrorEquals`` matches decides: with retries left
(``retrierRetryCount < MaxAttempts``) the state is ``RETRIABLE`` and the retry is not
performed. Otherwise the first matching catcher makes it ``CAUGHT_ERROR``; with none it is
``FAILED``. ``errorDetails`` reports the retrier (even exhausted) and the catcher.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from pytest_sfn.engine.retry import find_handler, retry_delay
from pytest_sfn.model.states import Catcher, Retrier

__all__ = ["ErrorDecision", "decide"]


@dataclass(frozen=True, slots=True)
class ErrorDecision:
    """What happens to an error.

    Attributes:
        status: ``RETRIABLE``, ``CAUGHT_ERROR`` or ``FAILED``.
        retry_index: the matching retrier, if any.
        backoff_seconds: the delay before the retry (``RETRIABLE`` only).
        catch_index: the matching catcher (``CAUGHT_ERROR`` only).
    """

    status: str
    retry_index: int | None = None
    backoff_seconds: int | None = None
    catch_index: int | None = None

    def error_details(self) -> dict[str, int]:
        """The ``inspectionData.errorDetails`` member (empty when no handler matched)."""
        details: dict[str, int] = {}
        if self.backoff_seconds is not None:
            details["retryBackoffIntervalSeconds"] = self.backoff_seconds
        if self.retry_index is not None:
            details["retryIndex"] = self.retry_index
        if self.catch_index is not None:
            details["catchIndex"] = self.catch_index
        return details


def decide(
    error: str | None, retry: tuple[Retrier, ...], catch: tuple[Catcher, ...], retry_count: int
) -> ErrorDecision:
    """Decide the status of ``error`` given ``retrierRetryCount`` retries already spent.

    The back-off is ``IntervalSeconds * BackoffRate ** retry_count``, capped by
    ``MaxDelaySeconds``, jitter ignored, in whole seconds (rounded down; UNCONFIRMED for
    fractional values).

    Example:
        >>> from pytest_sfn.model.states import Retrier
        >>> decide("E", (Retrier(("E",), interval_seconds=1, max_attempts=5),), (), 4)
        ErrorDecision(status='RETRIABLE', retry_index=0, backoff_seconds=16, catch_index=None)
    """
    retry_index = find_handler(retry, error)
    if retry_index is not None:
        retrier = retry[retry_index]
        if retry_count < retrier.max_attempts:
            steady = replace(retrier, jitter="NONE")
            delay = retry_delay(steady, retry_count + 1, random.Random(0))
            return ErrorDecision("RETRIABLE", retry_index, int(delay))
    catch_index = find_handler(catch, error)
    if catch_index is not None:
        return ErrorDecision("CAUGHT_ERROR", retry_index, catch_index=catch_index)
    return ErrorDecision("FAILED", retry_index)
