"""The ``sfn``, ``sfn_mocks`` and ``sfn_client`` fixtures and the per-test state they use."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pytest_sfn.mocks.fluent import Mocks
from pytest_sfn.plugin.harness import DefinitionCache, FileCache, SfnHarness
from pytest_sfn.plugin.options import SfnOptions, SfnSettings

__all__ = [
    "CACHE_KEY",
    "CALL_FAILED_KEY",
    "CURRENT_KEY",
    "FILES_KEY",
    "OPTIONS_KEY",
    "SETTINGS_KEY",
    "marker_options",
    "sfn",
    "sfn_client",
    "sfn_mocks",
]

#: The run's settings (``--sfn-*`` / ``sfn_*``), in ``config.stash``.
SETTINGS_KEY = pytest.StashKey[SfnSettings]()
#: Session-wide cache of loaded definitions, in ``config.stash``.
CACHE_KEY = pytest.StashKey[DefinitionCache]()
#: Session-wide cache of read mock and scenario files, in ``config.stash``.
FILES_KEY = pytest.StashKey[FileCache]()
#: The harness of the running test (read by ``pytest_assertrepr_compare``), in ``config.stash``.
CURRENT_KEY = pytest.StashKey["SfnHarness | None"]()
#: A test's merged ``sfn`` markers (or the TypeError a bad marker gave), in ``item.stash``.
OPTIONS_KEY = pytest.StashKey["SfnOptions | TypeError"]()
#: Whether the test body failed, in ``item.stash`` (set by ``pytest_runtest_makereport``).
CALL_FAILED_KEY = pytest.StashKey[bool]()


def marker_options(item: pytest.Item) -> SfnOptions | TypeError:
    """The merged ``sfn`` markers of ``item``, or the error a bad marker gives."""
    markers = [(mark.args, mark.kwargs) for mark in item.iter_markers("sfn")]
    try:
        return SfnOptions.from_markers(markers)
    except TypeError as exc:
        return exc


def _options(item: pytest.Item) -> SfnOptions:
    __tracebackhide__ = True
    options = item.stash.get(OPTIONS_KEY, None)
    if options is None:
        options = item.stash[OPTIONS_KEY] = marker_options(item)
    if isinstance(options, TypeError):
        pytest.fail(str(options), pytrace=False)
    return options


def settings_of(config: pytest.Config) -> SfnSettings:
    """The run's settings (read in ``pytest_configure``)."""
    settings = config.stash.get(SETTINGS_KEY, None)
    if settings is None:
        settings = config.stash[SETTINGS_KEY] = SfnSettings.from_config(config)
    return settings


@pytest.fixture
def sfn_mocks() -> Mocks:
    """A fresh :class:`~pytest_sfn.mocks.Mocks` builder, applied to the test's executions.

    ``sfn_mocks.state("Charge").returns({...}).then_throws("Card.Declined", "...")``: the
    ``sfn`` fixture and the ``sfn_client`` executions answer Task states from it (over the
    marker's mocks, state by state).
    """
    return Mocks()


@pytest.fixture
def sfn(request: pytest.FixtureRequest, sfn_mocks: Mocks) -> Iterator[SfnHarness]:
    """Load and execute AWS Step Functions state machines in-process.

    ``sfn.load(spec)`` loads a definition file or a template's state machine
    (``template.yaml#LogicalId``); relative paths start at the test file's directory, then
    ``sfn_definitions_dir``; loaded machines are cached for the session.
    ``sfn.execute(spec_or_machine, input, mocks=..., results={...})`` runs one execution
    under virtual time with the test's mocks and returns the ``Execution``;
    ``sfn.executions`` lists the executions of the test.
    ``@pytest.mark.sfn(definition=..., mocks=..., scenario=..., strict=...)`` sets the
    defaults, so that ``sfn.execute(input)`` is enough. When strict (the default), mock
    responses no execution used fail the test at teardown.
    """
    config = request.config
    harness = SfnHarness(
        base_dir=request.path.parent,
        options=_options(request.node),
        settings=settings_of(config),
        cache=config.stash.setdefault(CACHE_KEY, {}),
        files=config.stash.setdefault(FILES_KEY, {}),
        mocks=sfn_mocks,
        root=config.rootpath,
        _ispytest=True,
    )
    config.stash[CURRENT_KEY] = harness
    try:
        yield harness
    finally:
        config.stash[CURRENT_KEY] = None
    if request.node.stash.get(CALL_FAILED_KEY, False):
        return
    unused = harness.unused_mocks()
    if unused:
        pytest.fail(
            "\n".join(
                [
                    f"{len(unused)} mock response{'s were' if len(unused) != 1 else ' was'} "
                    "never used (strict mocks; allow it with "
                    "@pytest.mark.sfn(strict=False), sfn.execute(..., strict=False), "
                    "--sfn-no-strict or sfn_strict = false):",
                    *(f"  - {line}" for line in unused),
                ]
            ),
            pytrace=False,
        )


@pytest.fixture
def sfn_client(sfn: SfnHarness) -> Any:
    """A botocore ``stepfunctions`` client answered in-process, with the test's mocks.

    Executions it starts use the marker's mocks and results and the ``sfn_mocks`` builder;
    ``start_execution(stateMachineArn="<arn>#<TestCase>")`` takes a Step Functions Local
    test case from the marker's ``mocks=`` mock config. A Task nothing answers ends its
    execution ``FAILED`` with error ``pytest_sfn.UnmockedTask``.
    """
    return sfn.client()
