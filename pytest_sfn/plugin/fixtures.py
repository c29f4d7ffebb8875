"""The ``sfn`` fixture."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pytest_sfn.plugin.harness import DefinitionCache, SfnHarness
from pytest_sfn.plugin.options import SfnOptions

__all__ = ["CACHE_KEY", "CURRENT_KEY", "sfn"]

#: Session-wide cache of loaded definitions, in ``config.stash``.
CACHE_KEY = pytest.StashKey[DefinitionCache]()
#: The harness of the running test (read by ``pytest_assertrepr_compare``), in ``config.stash``.
CURRENT_KEY = pytest.StashKey["SfnHarness | None"]()


def _options(request: pytest.FixtureRequest) -> SfnOptions:
    __tracebackhide__ = True
    markers = [(mark.args, mark.kwargs) for mark in request.node.iter_markers("sfn")]
    try:
        return SfnOptions.from_markers(markers)
    except TypeError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def sfn(request: pytest.FixtureRequest) -> Iterator[SfnHarness]:
    """Load and execute AWS Step Functions state machines in-process.

    ``sfn.load(path)`` loads a definition file (relative paths start at the test file's
    directory; loaded machines are cached for the session). ``sfn.execute(path_or_machine,
    input, results={...})`` runs one execution under virtual time and returns the
    ``Execution``; ``sfn.executions`` lists the executions of the test.
    ``@pytest.mark.sfn(definition=..., results=...)`` sets defaults so that
    ``sfn.execute(input)`` is enough.
    """
    config = request.config
    harness = SfnHarness(
        base_dir=request.path.parent,
        options=_options(request),
        cache=config.stash.setdefault(CACHE_KEY, {}),
        _ispytest=True,
    )
    config.stash[CURRENT_KEY] = harness
    try:
        yield harness
    finally:
        config.stash[CURRENT_KEY] = None
