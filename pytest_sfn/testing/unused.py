"""Which unused mock responses a strict test reports.

Mocks may be shared: a scenario file's top-level ``mocks`` serve every scenario, a marker's
mocks file serves every test under it. So a state's unused responses are reported when

* the test invoked that state at least once (a sequence it did not consume: retries or
  loops that did not happen), or
* the state was mocked for this test only (``own``): a YAML scenario's own ``mocks``, the
  ``sfn_mocks`` builder, ``sfn.execute(mocks=...)``, the selected scenario or test case.
"""

from __future__ import annotations

from collections.abc import Collection

from pytest_sfn.mocks.handler import MockHandler

__all__ = ["unused_responses"]


def _state_of(line: str, states: Collection[str]) -> str | None:
    """The state an ``unused()`` line is about (``"<state> response(s) #..."``)."""
    found = [s for s in states if line.startswith(f"{s} response")]
    return max(found, key=len) if found else None


def unused_responses(handler: MockHandler, own: Collection[str] = ()) -> list[str]:
    """The unused-response lines of ``handler`` a strict test reports (see above).

    Args:
        handler: the handler every execution with these mocks used.
        own: the states mocked for this test only.
    """
    invoked = {request.state_name for request in handler.calls}
    keep = invoked | set(own)
    states = list(handler.mocks.states)
    return [line for line in handler.unused() if _state_of(line, states) in keep]
