"""The virtual clock: Wait, retry back-off and timeouts advance it and never sleep."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

DEFAULT_START = datetime(2024, 1, 1, tzinfo=timezone.utc)


class DeadlineReached(Exception):
    """The execution's ``TimeoutSeconds`` elapsed while the clock advanced."""


class VirtualClock:
    """Simulated time for one execution.

    Args:
        start: the execution's start time (timezone-aware).
        deadline: when the execution times out, if it has a ``TimeoutSeconds``.
    """

    __slots__ = ("_now", "deadline")

    def __init__(self, start: datetime, deadline: datetime | None = None) -> None:
        self._now = start
        self.deadline = deadline

    def now(self) -> datetime:
        """The current virtual time."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move time forward; stops at the deadline and raises :class:`DeadlineReached`."""
        if seconds <= 0:
            return
        # AWS timestamps have millisecond precision; so does virtual time.
        target = self._now + timedelta(milliseconds=round(seconds * 1000))
        if self.deadline is not None and target >= self.deadline:
            self._now = max(self._now, self.deadline)
            raise DeadlineReached
        self._now = target

    def rewind(self, moment: datetime) -> None:
        """Set the time back to ``moment`` (never checks the deadline).

        A started execution's concurrent branches share one clock: a branch resumed after
        a wait restarts from the time its task started, then advances by the time waited.
        """
        self._now = moment

    def advance_to(self, moment: datetime) -> None:
        """Move time forward to ``moment`` (no-op if it is in the past)."""
        self.advance((moment - self._now).total_seconds())


def iso_timestamp(moment: datetime) -> str:
    """ISO-8601 in UTC with exactly three fractional digits and ``Z``, as AWS's Context object.

    (AWS-recorded: ``"2023-11-21T06:27:31.545Z"``.)
    """
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{moment.microsecond // 1000:03d}Z"
