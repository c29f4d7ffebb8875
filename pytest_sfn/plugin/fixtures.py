"""The fixtures (``sfn``, ``sfn_mocks``, ``sfn_client``, ``sfn_state_result``,
``sfn_redrive_result``) and the per-test state they use."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pytest_sfn.errors import SfnError
from pytest_sfn.mocks.fluent import Mocks
from pytest_sfn.plugin.harness import DefinitionCache, FileCache, SfnHarness
from pytest_sfn.plugin.hooks import HookTasks, collect_handlers
from pytest_sfn.plugin.marks import (
    RedriveMark,
    RedriveResult,
    StateMark,
    redrive_mark,
    state_mark,
)
from pytest_sfn.plugin.options import SfnOptions, SfnSettings
from pytest_sfn.teststate import StateTestResult

__all__ = [
    "CACHE_KEY",
    "CALL_FAILED_KEY",
    "CURRENT_KEY",
    "FILES_KEY",
    "HOOKS_KEY",
    "hook_tasks",
    "OPTIONS_KEY",
    "REDRIVE_KEY",
    "SETTINGS_KEY",
    "STATE_CASE",
    "STATE_KEY",
    "chosen_state_mark",
    "marker_options",
    "sfn",
    "sfn_client",
    "sfn_mocks",
    "sfn_redrive_result",
    "sfn_state_case",
    "sfn_state_result",
]

#: The fixture name parametrized with the marks of a test carrying several ``sfn_state``.
STATE_CASE = "sfn_state_case"

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
#: The hook handlers of the session (``pytest_sfn_task_handlers``), in ``config.stash``.
HOOKS_KEY = pytest.StashKey[HookTasks]()
#: The ``sfn_state`` mark of a test and its result, checked before the body, in ``item.stash``.
STATE_KEY = pytest.StashKey[tuple[StateMark, StateTestResult]]()
#: The ``sfn_redrive`` mark of a test and its outcome, in ``item.stash``.
REDRIVE_KEY = pytest.StashKey[tuple[RedriveMark, RedriveResult]]()


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


def hook_tasks(config: pytest.Config) -> HookTasks:
    """The session's hook handlers (collected on first use)."""
    hooks = config.stash.get(HOOKS_KEY, None)
    if hooks is None:
        hooks = config.stash[HOOKS_KEY] = HookTasks(config, collect_handlers(config))
    return hooks


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
    defaults, so that ``sfn.execute(input)`` is enough; its ``lambdas``, ``machines``,
    ``activities``, ``http``, ``connections``, ``botocore`` and ``validate`` keywords (also
    keywords of ``sfn.execute``) answer the Tasks that have no mock. ``sfn.start(...)``
    begins an execution that waits for callbacks and activity tasks; those still waiting
    when the test ends are stopped. When strict (the default), mock responses no execution
    used fail the test at teardown.
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
        hooks=hook_tasks(config),
        _ispytest=True,
    )
    config.stash[CURRENT_KEY] = harness
    try:
        yield harness
    finally:
        config.stash[CURRENT_KEY] = None
        harness.close()  # executions begun with sfn.start() that still wait: stopped
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


# --- sfn_state / sfn_redrive ------------------------------------------------------------------


def chosen_state_mark(item: pytest.Item) -> pytest.Mark | None:
    """The ``sfn_state`` mark ``item`` tests: its ``sfn_state_case`` parameter (several
    marks on the test), else a ``pytest.param(..., marks=...)`` mark, else the closest."""
    callspec = getattr(item, "callspec", None)
    if callspec is not None:
        chosen: Any = callspec.params.get(STATE_CASE)
        if isinstance(chosen, pytest.Mark):
            return chosen
        marks: list[pytest.Mark] = list(callspec.marks)
        for mark in marks:
            if mark.name == "sfn_state":
                return mark
    return item.get_closest_marker("sfn_state")


@pytest.fixture
def sfn_state_case(request: pytest.FixtureRequest) -> pytest.Mark | None:
    """The ``sfn_state`` mark of this item when the test carries several (else ``None``).

    Parametrized by the plugin: a test with several ``sfn_state`` marks becomes one item
    per mark.
    """
    param: pytest.Mark | None = getattr(request, "param", None)
    return param


@pytest.fixture(autouse=True)
def _sfn_state_cases(sfn_state_case: pytest.Mark | None) -> None:
    """Puts ``sfn_state_case`` in every test's fixture closure, so that a test with several
    ``sfn_state`` marks can be parametrized over them (``pytest_generate_tests``)."""


def _fail_on_type_error(error: TypeError) -> None:
    __tracebackhide__ = True
    pytest.fail(str(error), pytrace=False)


@pytest.fixture
def sfn_state_result(request: pytest.FixtureRequest, sfn: SfnHarness) -> StateTestResult:
    """What TestState returned for the test's ``@pytest.mark.sfn_state(...)``.

    The state is tested with ``sfn.test_state`` (the marker's definition, mocks and
    handlers); the mark's ``expect`` is checked before the test body runs.
    """
    __tracebackhide__ = True
    mark = chosen_state_mark(request.node)
    if mark is None:
        pytest.fail(
            "the sfn_state_result fixture needs a @pytest.mark.sfn_state('StateName', ...) "
            "marker on the test",
            pytrace=False,
        )
    try:
        checked = state_mark(mark)
    except TypeError as exc:
        _fail_on_type_error(exc)
        raise
    refused: SfnError | None = None
    try:
        result = sfn.test_state(checked.state_name, **checked.options)
    except SfnError as exc:  # refused request, bad mock, invalid definition
        refused = exc
    if refused is not None:  # reported outside the except: no chained traceback
        pytest.fail(f"@pytest.mark.sfn_state({checked.state_name!r}): {refused}", pytrace=False)
    request.node.stash[STATE_KEY] = (checked, result)
    return result


@pytest.fixture
def sfn_redrive_result(request: pytest.FixtureRequest, sfn: SfnHarness) -> RedriveResult:
    """The test's ``@pytest.mark.sfn_redrive(...)`` run: ``.first`` and ``.redriven``.

    The first run uses the test's mocks; the redrive uses the mark's ``mocks`` and
    ``results`` over them. Both expectations are checked before the test body runs.
    """
    __tracebackhide__ = True
    mark = request.node.get_closest_marker("sfn_redrive")
    if mark is None:
        pytest.fail(
            "the sfn_redrive_result fixture needs a @pytest.mark.sfn_redrive(...) marker on "
            "the test",
            pytrace=False,
        )
    try:
        checked = redrive_mark(mark)
    except TypeError as exc:
        _fail_on_type_error(exc)
        raise
    target = checked.definition
    first = (
        sfn.execute(input=checked.input) if target is None else sfn.execute(target, checked.input)
    )
    redriven = sfn.redrive(first, mocks=checked.mocks, results=checked.results)
    outcome = RedriveResult(first, redriven)
    request.node.stash[REDRIVE_KEY] = (checked, outcome)
    return outcome
