"""How a graph (the machine, a branch, an iteration) ends in failure inside the engine."""

from __future__ import annotations


class GraphFailure(Exception):
    """A graph failed and its events are recorded; carries the error that ends it.

    Unlike :class:`~pytest_sfn.errors.StatesError`, no Retry or Catch of the state that
    raised it sees this: the enclosing graph fails with ``error`` and ``cause``.
    """

    def __init__(self, error: str | None, cause: str | None) -> None:
        super().__init__(error)
        self.error = error
        self.cause = cause


class MockFailure(GraphFailure):
    """A Task nothing answers ended the execution (``mock_errors="fail"``).

    It passes through every enclosing Map, Parallel and Map Run untouched: no Retry, Catch
    or tolerated-failure threshold ever sees a problem of the test.
    """
