"""``SfnHarness``: what the ``sfn`` fixture returns.

Loads definitions relative to the test file (cached for the session), answers Task states
from the test's mocks and results, executes with the marker's defaults and keeps every
execution of the test in :attr:`SfnHarness.executions`. Errors the user must fix (an
invalid definition, a Task without a mock) are re-raised without the engine's internal
frames, so the failure shows the test line and the message.

Where a Task's answer comes from, highest priority first: ``results=`` of
:meth:`SfnHarness.execute`, the marker's ``results``, then the mock set made of (each
overriding the previous state by state) the markers' ``mocks`` (farthest first), the
``sfn_mocks`` builder and ``mocks=`` of :meth:`SfnHarness.execute`; then the handlers
registered for the Task's resource (``lambdas``, ``activities``, ``machines``, hook
handlers, HTTP), then a botocore client (``botocore``), then the unmocked-task error
(:mod:`pytest_sfn.plugin.tasks`).

:meth:`SfnHarness.start` begins an execution that can wait for callbacks and activity
tasks (a :class:`~pytest_sfn.engine.callbacks.RunningExecution`); the harness closes the
ones still running when the test ends.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from pytest_sfn._types import JSON
from pytest_sfn.engine.execution import Execution
from pytest_sfn.engine.ports import TaskHandler
from pytest_sfn.engine.redrive import check_same_definition
from pytest_sfn.errors import DefinitionError, ExecutionNotRedrivable, MockError, SfnError
from pytest_sfn.machine import NO_INPUT, StateMachine
from pytest_sfn.mocks.documents import load_yaml_document
from pytest_sfn.mocks.fluent import Mocks
from pytest_sfn.mocks.handler import MockHandler
from pytest_sfn.mocks.http_mocks import connection_from_spec, http_mock_from_spec
from pytest_sfn.mocks.model import MockSet
from pytest_sfn.mocks.sfn_local import SfnLocalConfig, load_sfn_local_config
from pytest_sfn.mocks.yaml_mocks import mocks_from_yaml
from pytest_sfn.plugin.options import MockSource, SfnOptions, SfnSettings, _check_integrations
from pytest_sfn.plugin.tasks import TaskWiring, activity_arns, botocore_tasks, build_tasks
from pytest_sfn.testing.machines import MachineCache, find_path, load_machine, state_names
from pytest_sfn.testing.scenario import SCENARIO_SUFFIXES, read_scenario_file
from pytest_sfn.testing.unused import unused_responses

if TYPE_CHECKING:
    from pytest_sfn.engine.callbacks import RunningExecution
    from pytest_sfn.plugin.hooks import HookTasks
    from pytest_sfn.service.backend import SfnBackend
    from pytest_sfn.teststate import StateMock, StateTestResult

__all__ = ["DefinitionCache", "FileCache", "SfnHarness"]

#: Session-wide cache of loaded machines (see :mod:`pytest_sfn.testing.machines`).
DefinitionCache = MachineCache
#: Session-wide cache of read mock files: (kind, absolute path) -> parsed content.
FileCache = MutableMapping[tuple[str, str], Any]

_T = TypeVar("_T")
_SFN_LOCAL_KEYS = frozenset({"StateMachines", "MockedResponses"})


def _is_sfn_local(value: Any) -> bool:
    return isinstance(value, Mapping) and bool(value) and set(value) <= _SFN_LOCAL_KEYS


def _pick_a_test_case(shown: str) -> MockError:
    return MockError(
        f"mocks={shown} is a Step Functions Local mock config: choose a test case with "
        "@pytest.mark.sfn(scenario='TestCase') (or 'StateMachineName#TestCase')"
    )


class _SourceReader:
    """Turns each ``mocks=`` source of one execution into a :class:`MockSet`."""

    def __init__(self, harness: SfnHarness, machine: StateMachine, selection: str | None) -> None:
        self.harness = harness
        self.machine = machine
        self.selection = selection
        #: Whether a scenario file or mock config took ``selection``.
        self.selected = False
        #: A mock config skipped for want of a test case (for the error message).
        self.skipped: str | None = None
        #: States of the selected scenario or test case (mocked for this test only).
        self.own: set[str] = set()

    def read(self, source: MockSource) -> MockSet:
        if isinstance(source, MockSet):
            return source
        if isinstance(source, Mocks):
            return source.build()
        if isinstance(source, Mapping):
            if _is_sfn_local(source):
                return self.test_case(load_sfn_local_config(source), "(a dict)")
            return mocks_from_yaml(dict(source), source="mocks=", lines=None, pointer="")
        harness = self.harness
        path = find_path(source, harness._base_dir, harness.settings.mocks_dir)
        shown = harness.display(path)
        if path.name.endswith(SCENARIO_SUFFIXES):
            document = harness._cached(
                "scenario", path, lambda p: read_scenario_file(p, display=shown)
            )
            if self.selection is None:
                return document.mocks
            self.selected = True
            scenario = document.scenario(self.selection)
            self.own.update(scenario.own_mocks.states)
            return scenario.mocks
        value, lines = harness._cached("document", path, load_yaml_document)
        if _is_sfn_local(value):
            config = harness._cached("sfn_local", path, load_sfn_local_config)
            return self.test_case(config, repr(shown))
        return harness._cached(
            "mocks", path, lambda p: mocks_from_yaml(value, source=shown, lines=lines, pointer="")
        )

    def test_case(self, config: SfnLocalConfig, shown: str) -> MockSet:
        if self.selection is None:
            self.skipped = shown
            return MockSet()
        self.selected = True
        name, _, case = self.selection.rpartition("#")
        chosen = config.test_case(name or self.machine.name, case)
        self.own.update(chosen.states)
        return chosen


class SfnHarness:
    """Load and execute state machines from a test; returned by the ``sfn`` fixture.

    Do not build one yourself: request the ``sfn`` fixture.

    Attributes:
        executions: every execution run through :meth:`execute` and :meth:`redrive` in the
            current test, and those begun with :meth:`start` / :meth:`start_redrive` once
            they have ended (in the order they are seen ended).
        options: the merged ``@pytest.mark.sfn`` keywords of the test.
        settings: the ``--sfn-*`` / ``sfn_*`` options of the run.
    """

    def __init__(
        self,
        *,
        base_dir: Path,
        options: SfnOptions | None = None,
        settings: SfnSettings | None = None,
        cache: DefinitionCache | None = None,
        mocks: Mocks | None = None,
        files: FileCache | None = None,
        root: Path | None = None,
        hooks: HookTasks | None = None,
        _ispytest: bool = False,
    ) -> None:
        self._base_dir = base_dir
        self._hooks = hooks
        self._root = root
        self._cache: DefinitionCache = {} if cache is None else cache
        self._files: FileCache = {} if files is None else files
        self._builder: Mocks = Mocks() if mocks is None else mocks
        self._handlers: list[tuple[MockSet, MockHandler, bool, set[str]]] = []
        self._backends: list[SfnBackend] = []
        self.options = options or SfnOptions()
        self.settings = settings or SfnSettings()
        self._executions: list[Execution] = []
        #: Executions begun with :meth:`start` / :meth:`start_redrive` not yet in executions.
        self._started: list[tuple[RunningExecution, StateMachine]] = []
        #: The machine of each execution run here, by execution ARN (for :meth:`redrive`).
        self._machine_of: dict[str, StateMachine] = {}

    def __repr__(self) -> str:
        return f"<SfnHarness base_dir={str(self._base_dir)!r} executions={len(self.executions)}>"

    @property
    def executions(self) -> list[Execution]:
        """Every execution of the test (see the class docstring)."""
        self._collect_started()
        return self._executions

    def _collect_started(self) -> None:
        """Move the started executions that have ended into :attr:`executions`."""
        still: list[tuple[RunningExecution, StateMachine]] = []
        for handle, machine in self._started:
            if handle.running:
                still.append((handle, machine))
                continue
            try:
                execution = handle.execution
            except Exception:  # the worker failed; start()/send_*() raised it already
                continue
            self._executions.append(execution)
            self._machine_of[execution.execution_arn] = machine
        self._started = still

    def close(self) -> None:
        """Stop the executions begun with :meth:`start` that still wait (they end
        ``ABORTED``) and end their worker threads; the ``sfn`` fixture calls this when the
        test ends. A still-waiting execution does not fail the test by itself.

        Raises:
            Exception: the first error stopping an execution raised (all are stopped first).
        """
        errors: list[BaseException] = []
        for handle, _ in self._started:
            try:
                handle.close()
            except Exception as exc:
                errors.append(exc)
        self._collect_started()
        if errors:
            raise errors[0]

    @property
    def mocks(self) -> Mocks:
        """The test's :class:`~pytest_sfn.mocks.Mocks` builder (the ``sfn_mocks`` fixture)."""
        return self._builder

    def display(self, path: Path) -> str:
        """How messages name ``path``: relative to the project root when inside it."""
        if self._root is not None:
            try:
                return str(path.relative_to(self._root))
            except ValueError:
                pass
        return str(path)

    def resolve(self, path: str | os.PathLike[str]) -> Path:
        """``path`` made absolute: a relative path is taken from the test file's directory."""
        candidate = Path(path).expanduser()
        if not candidate.is_absolute():
            candidate = self._base_dir / candidate
        return candidate.resolve()

    # --- loading ---------------------------------------------------------------------------

    def load(
        self,
        spec: str | os.PathLike[str],
        *,
        substitutions: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> StateMachine:
        """Load (and validate) a state machine.

        A relative path is looked up in the test file's directory, then in
        ``sfn_definitions_dir``. Loaded machines are cached for the session per absolute
        path, substitutions and ``kwargs``.

        Args:
            spec: a definition file (``.asl.json``, ``.asl.yaml``, ``.json``, ``.yaml``), a
                CloudFormation/SAM template (``template.yaml`` holding one state machine,
                or ``template.yaml#LogicalId``) or a CDK assembly (``cdk.out``,
                ``cdk.out/Stack.template.json#LogicalId``).
            substitutions: values for ``${Name}`` placeholders and unresolvable template
                references; merged over the marker's ``substitutions``.
            **kwargs: :meth:`StateMachine.from_definition` keywords (``name``, ``type``,
                ``region``, ``account``, ``role_arn``); ``region`` and ``account``
                default to ``sfn_region`` and ``sfn_account``.

        Raises:
            DefinitionError: the file is missing, the template has no such state machine,
                or the definition is invalid; the message names the file and location.
        """
        __tracebackhide__ = True
        subs = {**self.options.substitutions, **(substitutions or {})}
        kwargs.setdefault("region", self.settings.region)
        kwargs.setdefault("account", self.settings.account)
        try:
            return load_machine(
                spec, base_dir=self._base_dir, search_dir=self.settings.definitions_dir,
                substitutions=subs, cache=self._cache, **kwargs,
            )  # fmt: skip
        except DefinitionError as exc:
            raise exc.with_traceback(None) from None

    # --- mocks -----------------------------------------------------------------------------

    def mock_set(
        self,
        machine: StateMachine,
        mocks: MockSource | None = None,
        *,
        test_case: str | None = None,
    ) -> MockSet:
        """The mocks an execution of ``machine`` uses: the markers', the builder's, ``mocks``.

        A scenario file given as ``mocks=`` contributes its shared mocks and, with the
        marker's ``scenario``, that scenario's; a Step Functions Local mock config
        contributes the test case the ``scenario`` (or ``test_case``) names, nothing without
        one.

        Args:
            machine: the state machine (its name picks the Step Functions Local test case).
            mocks: extra mocks, overriding the others state by state.
            test_case: the Step Functions Local test case to use instead of the marker's
                ``scenario`` (an execution started as ``<arn>#<TestCase>``).

        Raises:
            MockError: a mocks file is missing or malformed, the scenario or test case does
                not exist or nothing offers it, or a mock config is given without a test
                case and nothing else mocks any state.
        """
        __tracebackhide__ = True
        merged, skipped, _ = self._mocks(machine, mocks, test_case)
        if skipped is not None and not merged.states:
            raise _pick_a_test_case(skipped)
        return merged

    def _mocks(
        self,
        machine: StateMachine,
        mocks: MockSource | None,
        test_case: str | None,
        *,
        builder_own: bool = True,
    ) -> tuple[MockSet, str | None, set[str]]:
        """The merged mocks, a mock config skipped for want of a test case, and the
        states mocked for this test only (without ``builder_own``: not the builder's)."""
        __tracebackhide__ = True
        selection = test_case if test_case is not None else self.options.scenario
        reader = _SourceReader(self, machine, selection)
        merged = MockSet()
        for source in self.options.mocks:
            merged = merged.merged(reader.read(source))
        own = reader.own
        extras: list[MockSource] = [self._builder] if mocks is None else [self._builder, mocks]
        for extra in extras:
            mock_set = reader.read(extra)
            if builder_own or extra is not self._builder:
                own.update(mock_set.states)
            merged = merged.merged(mock_set)
        if reader.selection is not None and not reader.selected:
            what = "test case" if test_case is not None else "scenario"
            raise MockError(
                f"{what} {reader.selection!r} was given, but no mocks= source is a scenario "
                "file (*.sfn.yaml) or a Step Functions Local mock config to take it from"
            )
        return merged, reader.skipped, own

    def _cached(self, kind: str, path: Path, read: Callable[[Path], _T]) -> _T:
        key = (kind, str(path))
        if key not in self._files:
            self._files[key] = read(path)
        return cast(_T, self._files[key])

    def handler(
        self,
        machine: StateMachine,
        *,
        mocks: MockSource | None = None,
        strict: bool | None = None,
        results: Mapping[str, Any] | None = None,
        test_case: str | None = None,
        _redrive: bool = False,
        _caller: str = "sfn.execute",
        **integrations: Any,
    ) -> TaskHandler:
        """The task handler of one execution of ``machine`` (see the module docstring).

        With ``strict`` (default: the marker's, else ``sfn_strict``) a mock of a state the
        machine does not have is an error, and responses no execution used fail the test
        at teardown.

        Args:
            machine: the state machine.
            mocks, strict, results, test_case: see :meth:`execute` and :meth:`mock_set`.
            **integrations: ``lambdas``, ``machines``, ``activities``, ``http``,
                ``connections``, ``botocore`` and ``validate``, over the marker's (see
                :meth:`execute`).

        Raises:
            MockError: the mocks cannot be read, or (strict) name an unknown state.
        """
        __tracebackhide__ = True
        strict = self._strict(strict)
        answers = {**self.options.results, **(results or {})}
        try:
            wiring = self.wiring(_caller=_caller, **integrations)
            mock_set, skipped, own = self._mocks(
                machine, mocks, test_case, builder_own=not _redrive
            )
            if not mock_set.states and not answers and skipped is not None:
                raise _pick_a_test_case(skipped)
            handler = self._mock_handler(mock_set, strict, own)
            if strict:
                names = list(state_names(machine))
                for child in wiring.machines.values():
                    names += state_names(child)
                handler.check_states(names)
            return build_tasks(handler, wiring, results=answers)
        except MockError as exc:
            # The message names the file and location: drop the readers' frames.
            raise exc.with_traceback(None) from None

    def wiring(
        self,
        *,
        lambdas: Mapping[str, Any] | None = None,
        machines: Mapping[str, Any] | None = None,
        activities: Mapping[str, Any] | None = None,
        http: Any = None,
        connections: Mapping[str, Any] | None = None,
        botocore: Any = None,
        validate: str | None = None,
        _caller: str = "sfn.execute",
    ) -> TaskWiring:
        """What answers Tasks without a mock: these keywords over the marker's.

        Activity names (keys of ``activities`` that are not ARNs) become ARNs with
        ``sfn_region`` and ``sfn_account``.

        Raises:
            TypeError: a keyword has the wrong type.
            MockError: a Lambda handler or activity worker cannot be imported, an activity
                key is malformed, a connection or HTTP route is malformed.
            DefinitionError: a child state machine cannot be loaded.
        """
        __tracebackhide__ = True
        _check_integrations(
            _caller,
            {"lambdas": lambdas, "machines": machines, "activities": activities, "http": http,
             "connections": connections, "validate": validate},
        )  # fmt: skip
        options, settings = self.options, self.settings
        routes = list(http) if isinstance(http, (list, tuple)) else []
        router = http if http is not None and not isinstance(http, (list, tuple)) else None
        children = {}
        for key, spec in {**options.machines, **(machines or {})}.items():
            children[key] = spec if isinstance(spec, StateMachine) else self.load(spec)
        links = {**options.connections, **(connections or {})}
        given = botocore if botocore is not None else options.botocore
        return TaskWiring(
            lambdas={**options.lambdas, **(lambdas or {})},
            machines=children,
            activities={
                **activity_arns(options.activities, settings.region, settings.account),
                **activity_arns(activities or {}, settings.region, settings.account),
            },
            http=tuple(
                http_mock_from_spec(route, origin=f"http[{index}]")
                for index, route in enumerate([*routes, *options.http])
            ),
            http_router=router if router is not None else options.http_router,
            connections={
                key: connection_from_spec(
                    key, spec, origin=f"connections[{key!r}]", region=settings.region,
                    account=settings.account,
                )
                for key, spec in links.items()
            },
            botocore=botocore_tasks(given, settings.region) if given is not None else None,
            hooks=self._hooks,
            validate=(validate or options.validate or settings.validate).upper(),
            base_dir=self._base_dir,
        )  # fmt: skip

    def _strict(self, strict: bool | None) -> bool:
        if strict is not None:
            return strict
        if self.options.strict is not None:
            return self.options.strict
        return self.settings.strict

    def _mock_handler(self, mock_set: MockSet, strict: bool, own: set[str]) -> MockHandler:
        """One handler per mock set and strictness, shared by the test's executions."""
        for known, handler, known_strict, known_own in self._handlers:
            if known_strict == strict and known == mock_set:
                known_own.update(own)
                return handler
        handler = MockHandler(mock_set)
        self._handlers.append((mock_set, handler, strict, set(own)))
        return handler

    def unused_mocks(self) -> list[str]:
        """Unused mock responses the test reports when strict, one line each.

        Reported: leftover responses of states the test invoked, and unused responses of
        states mocked for this test only (``sfn_mocks``, ``execute(mocks=...)``, the
        selected scenario or test case). Marker and shared mocks of states the test never
        invoked are not: they may serve other tests. Mock sets no execution used are skipped.
        """
        lines: list[str] = []
        for _, handler, strict, own in self._handlers:
            if strict and handler.calls:
                lines += [x for x in unused_responses(handler, own) if x not in lines]
        return lines

    # --- executing -------------------------------------------------------------------------

    def execute(
        self,
        path_or_machine: Any = None,
        input: JSON = NO_INPUT,
        *,
        mocks: MockSource | None = None,
        strict: bool | None = None,
        results: Mapping[str, Any] | None = None,
        tasks: TaskHandler | None = None,
        seed: int | None = None,
        lambdas: Mapping[str, Any] | None = None,
        machines: Mapping[str, Any] | None = None,
        activities: Mapping[str, Any] | None = None,
        http: Any = None,
        connections: Mapping[str, Any] | None = None,
        botocore: Any = None,
        validate: str | None = None,
        **execute_kwargs: Any,
    ) -> Execution:
        """Execute a state machine and remember the execution.

        ``path_or_machine`` is a :class:`StateMachine` or a definition spec (see
        :meth:`load`). It may be left out when the test's
        ``@pytest.mark.sfn(definition=...)`` names one; then a first positional argument
        that is not a ``str``, path or ``StateMachine`` is taken as the input, so
        ``sfn.execute({"orderId": "o-1"})`` works. (To give a string input with the
        marker's definition, pass ``input="..."``.)

        Args:
            path_or_machine: what to run (see above).
            input: the execution input (default ``{}``).
            mocks: extra mocks for this execution (a mocks file, a dict, a ``MockSet`` or a
                ``Mocks`` builder), overriding the others state by state.
            strict: overrides the marker's ``strict`` and ``sfn_strict``.
            results: Task results by state name, merged over the marker's ``results``;
                they win over mocks for the states they name.
            tasks: a task handler answering every Task instead (no mocks, results or
                integrations).
            seed: the execution seed (default ``sfn_seed``).
            lambdas: Lambda handlers for Tasks without a mock: function name,
                ``name:alias`` or ARN -> ``handler(event, context)`` or
                ``"package.module:function"``; over the marker's.
            machines: child state machines for ``states:startExecution`` Tasks without a
                mock: ARN or name -> definition spec or ``StateMachine``; over the marker's.
            activities: activity workers for activity Tasks without a mock: activity name
                or ARN -> ``worker(input) -> output`` or ``"package.module:function"``; over
                the marker's. A worker that raises fails the Task (error: the exception's
                class name, or a ``StatesError``'s own error).
            http: HTTP mocks for HTTP Tasks without a mock: a list of routes (``method``,
                ``url``, ``match``, ``status``, ``headers``, ``json``/``text``), tried before
                the marker's, or a ``respx.MockRouter``.
            connections: EventBridge connections by name or ARN (``Connection`` or
                ``{"AuthorizationType", "AuthParameters"}``); over the marker's.
            botocore: answers AWS SDK and optimized DynamoDB/SQS/SNS/EventBridge Tasks
                without a mock: a botocore or boto3 session, a client (``Stubber``), a
                mapping of clients, a factory ``(service) -> client``, ``BotocoreTasks``
                or ``True``; replaces the marker's.
            validate: ``STRICT``, ``PRESENT`` or ``NONE``: how mock results are checked
                against the integration's output shape (default: the marker's, else
                ``sfn_validate_mocks``).
            **execute_kwargs: passed to :meth:`StateMachine.execute` (``name``,
                ``start_time``, ``history_limit``, ``redrive_count``, ``mock_errors``).

        Raises:
            DefinitionError: the definition is invalid.
            MockError: a Task state ran without a mock or result (``UnmockedTaskError``), a
                mock is malformed, or (strict) mocks name a state the machine lacks.
            ValueError: nothing to run (no path given and no marker definition).
        """
        __tracebackhide__ = True
        machine, value = self._what_to_run(path_or_machine, input)
        integrations = self._given(
            lambdas=lambdas, machines=machines, activities=activities, http=http,
            connections=connections, botocore=botocore, validate=validate,
        )  # fmt: skip
        tasks = self._tasks_for(
            "sfn.execute", machine, tasks, mocks=mocks, strict=strict, results=results,
            integrations=integrations,
        )  # fmt: skip
        try:
            execution = machine.execute(
                value,
                tasks=tasks,
                seed=self.settings.seed if seed is None else seed,
                **execute_kwargs,
            )
        except MockError as exc:
            raise exc.with_traceback(None) from None
        self._executions.append(execution)
        self._machine_of[execution.execution_arn] = machine
        return execution

    @staticmethod
    def _given(**integrations: Any) -> dict[str, Any]:
        return {key: value for key, value in integrations.items() if value is not None}

    def _tasks_for(
        self,
        where: str,
        machine: StateMachine,
        tasks: TaskHandler | None,
        *,
        mocks: MockSource | None,
        strict: bool | None,
        results: Mapping[str, Any] | None,
        integrations: Mapping[str, Any],
        redrive: bool = False,
    ) -> TaskHandler:
        """``tasks``, or the handler of :meth:`handler` when it is not given."""
        __tracebackhide__ = True
        if tasks is None:
            return self.handler(
                machine, mocks=mocks, strict=strict, results=results, _redrive=redrive,
                _caller=where, **integrations,
            )  # fmt: skip
        if mocks is not None or results is not None or integrations:
            raise ValueError(f"{where}(): pass tasks= or mocks=/results=/integrations, not both")
        return tasks

    def start(
        self,
        path_or_machine: Any = None,
        input: JSON = NO_INPUT,
        *,
        mocks: MockSource | None = None,
        strict: bool | None = None,
        results: Mapping[str, Any] | None = None,
        tasks: TaskHandler | None = None,
        seed: int | None = None,
        lambdas: Mapping[str, Any] | None = None,
        machines: Mapping[str, Any] | None = None,
        activities: Mapping[str, Any] | None = None,
        http: Any = None,
        connections: Mapping[str, Any] | None = None,
        botocore: Any = None,
        validate: str | None = None,
        **start_kwargs: Any,
    ) -> RunningExecution:
        """Begin an execution that can wait for callbacks and activity tasks.

        Takes the arguments of :meth:`execute` and answers Tasks the same way (results,
        mocks, then the integrations, with the marker's defaults), but a
        ``.waitForTaskToken`` or activity Task that nothing answers waits instead of
        failing: the returned :class:`~pytest_sfn.engine.callbacks.RunningExecution`
        (``RUNNING``) lists it in ``pending`` / ``pending_tokens``; answer it with
        ``send_task_success`` / ``send_task_failure``, send heartbeats, move virtual time
        with ``advance(seconds)``, ``stop()`` it or ``wait()`` for the end.

        Once it has ended, the execution joins :attr:`executions` (and its Task calls count
        for the unused-mock check). An execution still waiting when the test ends is
        stopped (``ABORTED``) and its worker thread ended; that alone does not fail the
        test, but in strict mode mock responses it never reached are reported unused.

        Args:
            path_or_machine, input, mocks, strict, results, tasks, seed, lambdas, machines,
                activities, http, connections, botocore, validate: as for :meth:`execute`.
            **start_kwargs: :meth:`StateMachine.start` keywords (``name``, ``start_time``,
                ``history_limit``, ``mock_errors``).

        Raises:
            DefinitionError: the definition is invalid.
            MockError: a Task that cannot wait has no mock or result, or a mock is
                malformed (also raised later by ``send_task_success`` and the others when
                the execution runs on into such a Task).
            ValueError: nothing to run (no path given and no marker definition).
        """
        __tracebackhide__ = True
        machine, value = self._what_to_run(path_or_machine, input, "sfn.start")
        integrations = self._given(
            lambdas=lambdas, machines=machines, activities=activities, http=http,
            connections=connections, botocore=botocore, validate=validate,
        )  # fmt: skip
        handler = self._tasks_for(
            "sfn.start", machine, tasks, mocks=mocks, strict=strict, results=results,
            integrations=integrations,
        )  # fmt: skip
        try:
            handle = machine.start(
                value,
                tasks=handler,
                seed=self.settings.seed if seed is None else seed,
                **start_kwargs,
            )
        except MockError as exc:
            raise exc.with_traceback(None) from None
        self._started.append((handle, machine))
        return handle

    def start_redrive(
        self,
        execution: Execution,
        *,
        mocks: MockSource | None = None,
        strict: bool | None = None,
        results: Mapping[str, Any] | None = None,
        tasks: TaskHandler | None = None,
        machine: StateMachine | str | os.PathLike[str] | None = None,
        lambdas: Mapping[str, Any] | None = None,
        machines: Mapping[str, Any] | None = None,
        activities: Mapping[str, Any] | None = None,
        http: Any = None,
        connections: Mapping[str, Any] | None = None,
        botocore: Any = None,
        validate: str | None = None,
        **redrive_kwargs: Any,
    ) -> RunningExecution:
        """Redrive ``execution`` as :meth:`redrive` does, but let its Tasks wait.

        :meth:`redrive` is to :meth:`execute` what this is to :meth:`start`: the redriven
        attempt runs until a ``.waitForTaskToken`` or activity Task has no answer, and the
        returned :class:`~pytest_sfn.engine.callbacks.RunningExecution` answers it. Once
        ended, the redriven execution joins :attr:`executions`; one still waiting when the
        test ends is stopped, as for :meth:`start`.

        Args:
            execution, mocks, strict, results, tasks, machine, lambdas, machines,
                activities, http, connections, botocore, validate: as for :meth:`redrive`.
            **redrive_kwargs: :meth:`Execution.start_redrive` keywords (``at``, ``seed``,
                ``mock_errors``).

        Raises:
            ExecutionNotRedrivable: AWS would refuse (checked before anything runs).
            MockError: a Task that cannot wait has no answer, or a mock is malformed.
        """
        __tracebackhide__ = True
        owner = self._owner_of(execution, machine)
        integrations = self._given(
            lambdas=lambdas, machines=machines, activities=activities, http=http,
            connections=connections, botocore=botocore, validate=validate,
        )  # fmt: skip
        handler = self._tasks_for(
            "sfn.start_redrive", owner, tasks, mocks=mocks, strict=strict, results=results,
            integrations=integrations, redrive=True,
        )  # fmt: skip
        try:
            handle = execution.start_redrive(tasks=handler, **redrive_kwargs)
        except SfnError as exc:
            raise exc.with_traceback(None) from None
        self._started.append((handle, owner))
        return handle

    def _owner_of(
        self, execution: Execution, machine: StateMachine | str | os.PathLike[str] | None
    ) -> StateMachine:
        """The state machine of ``execution``: ``machine``, the one that ran it, else the
        marker's ``definition``."""
        __tracebackhide__ = True
        if machine is not None:
            given = machine if isinstance(machine, StateMachine) else self.load(machine)
            try:
                check_same_definition(execution, given.graph, f"machine={given.name!r}")
            except ExecutionNotRedrivable as exc:
                raise exc.with_traceback(None) from None
            return given
        self._collect_started()
        known = self._machine_of.get(execution.execution_arn)
        return known if known is not None else self._what_to_run(None, {}, "sfn.redrive")[0]

    def redrive(
        self,
        execution: Execution,
        *,
        mocks: MockSource | None = None,
        strict: bool | None = None,
        results: Mapping[str, Any] | None = None,
        tasks: TaskHandler | None = None,
        machine: StateMachine | str | os.PathLike[str] | None = None,
        lambdas: Mapping[str, Any] | None = None,
        machines: Mapping[str, Any] | None = None,
        activities: Mapping[str, Any] | None = None,
        http: Any = None,
        connections: Mapping[str, Any] | None = None,
        botocore: Any = None,
        validate: str | None = None,
        **redrive_kwargs: Any,
    ) -> Execution:
        """Redrive ``execution`` with this test's mocks and integrations; remember it.

        The redrive's Tasks are answered as :meth:`execute` answers them: ``results`` and
        ``mocks`` here (the fix) over the marker's and ``sfn_mocks``, then the integrations.
        A mock set equal to an earlier execution's continues its responses, as for
        :meth:`execute`; ``mocks=`` makes a new set, whose responses count from the first.
        When strict, only unused responses of ``mocks=`` (and of states the redrive ran)
        are reported: the builder's mocks of kept states served the first run.

        Args:
            execution: the failed (timed-out, aborted) execution, usually from
                :meth:`execute`.
            mocks, strict, results, tasks, lambdas, machines, activities, http,
                connections, botocore, validate: as for :meth:`execute`.
            machine: the state machine of ``execution`` when it was not run by
                :meth:`execute` (a ``StateMachine`` or a definition spec; default: the one
                that ran it, else the marker's ``definition``).
            **redrive_kwargs: :meth:`Execution.redrive` keywords (``at``, ``seed``,
                ``mock_errors``).

        Returns:
            The redriven execution (a new object; ``execution`` is unchanged).

        Raises:
            ExecutionNotRedrivable: AWS would refuse (it succeeded, EXPRESS, too late...).
            MockError: a Task has no answer, or a mock is malformed.
        """
        __tracebackhide__ = True
        owner = self._owner_of(execution, machine)
        integrations = self._given(
            lambdas=lambdas, machines=machines, activities=activities, http=http,
            connections=connections, botocore=botocore, validate=validate,
        )  # fmt: skip
        tasks = self._tasks_for(
            "sfn.redrive", owner, tasks, mocks=mocks, strict=strict, results=results,
            integrations=integrations, redrive=True,
        )  # fmt: skip
        try:
            redriven = execution.redrive(tasks=tasks, **redrive_kwargs)
        except SfnError as exc:
            raise exc.with_traceback(None) from None
        self._executions.append(redriven)
        self._machine_of[redriven.execution_arn] = owner
        return redriven

    # --- TestState -------------------------------------------------------------------------

    def test_state(
        self,
        state_name: str,
        input: JSON = NO_INPUT,
        *,
        definition: StateMachine | str | os.PathLike[str] | None = None,
        mock: StateMock | Mapping[str, Any] | None = None,
        variables: Mapping[str, JSON] | None = None,
        context: Mapping[str, JSON] | None = None,
        state_configuration: Mapping[str, Any] | None = None,
        inspection_level: str = "INFO",
        reveal_secrets: bool = False,
        role_arn: str | None = None,
        mocks: MockSource | None = None,
        results: Mapping[str, Any] | None = None,
        lambdas: Mapping[str, Any] | None = None,
        machines: Mapping[str, Any] | None = None,
        activities: Mapping[str, Any] | None = None,
        http: Any = None,
        connections: Mapping[str, Any] | None = None,
        botocore: Any = None,
        validate: str | None = None,
    ) -> StateTestResult:
        """Test one state of a state machine with the TestState API (no execution).

        A Task state without ``mock`` is answered as in an execution of the test: by
        ``results`` and ``mocks`` (over the marker's and ``sfn_mocks``), then the Lambda
        handlers, child machines, HTTP mocks, hooks and botocore client. (A Task answered
        this way consumes one mock response; unused responses are not reported for
        TestState calls.)

        Args:
            state_name: the state to test (it may sit inside a Parallel branch or a Map).
            input: the state input (default ``{}``).
            definition: the state machine: a ``StateMachine`` or a definition spec
                (default: the marker's ``definition``).
            mock: what the Task, Map or Parallel returns or raises: a ``StateMock`` or the
                API ``mock`` dict (as for :func:`pytest_sfn.run_state`).
            variables, context, state_configuration, inspection_level, reveal_secrets,
                role_arn: as for :func:`pytest_sfn.run_state` (``state_configuration`` in the
                API's camelCase); the role defaults to the machine's.
            mocks, results, lambdas, machines, activities, http, connections, botocore,
                validate: as for :meth:`execute`, for a Task without ``mock``.

        Raises:
            StateTestError: the request AWS would refuse (code and message as AWS's).
            MockError: a Task without ``mock`` that nothing answers.
            ValueError: no state machine (no ``definition`` here or on the marker).
        """
        __tracebackhide__ = True
        if isinstance(definition, StateMachine):
            machine = definition
        elif definition is not None:
            machine = self.load(definition)
        else:
            machine = self._what_to_run(None, {}, "sfn.test_state")[0]
        integrations = self._given(
            lambdas=lambdas, machines=machines, activities=activities, http=http,
            connections=connections, botocore=botocore, validate=validate,
        )  # fmt: skip
        tasks = self.handler(machine, mocks=mocks, strict=False, results=results, **integrations)
        options: dict[str, Any] = {
            "mock": mock, "variables": variables, "context": context,
            "state_configuration": state_configuration, "role_arn": role_arn,
        }  # fmt: skip
        if input is not NO_INPUT:
            options["input"] = input
        try:
            return machine.test_state(
                state_name,
                tasks=tasks,
                inspection_level=inspection_level,
                reveal_secrets=reveal_secrets,
                **{key: value for key, value in options.items() if value is not None},
            )
        except SfnError as exc:
            raise exc.with_traceback(None) from None

    def _what_to_run(
        self, target: Any, input: JSON, where: str = "sfn.execute"
    ) -> tuple[StateMachine, JSON]:
        __tracebackhide__ = True
        if isinstance(target, StateMachine):
            machine = target
        elif isinstance(target, (str, os.PathLike)):
            machine = self.load(target)
        else:
            if target is not None:
                if input is not NO_INPUT:
                    raise TypeError(
                        f"{where}(path_or_machine, input): the first argument must be a "
                        f"StateMachine or a definition path, not {type(target).__name__}"
                    )
                input = target
            if self.options.definition is None:
                raise ValueError(
                    f"{where}() needs a state machine: pass a StateMachine or a definition "
                    "path, or mark the test with @pytest.mark.sfn(definition='...')"
                )
            machine = self.load(self.options.definition)
        return machine, input

    # --- the client ------------------------------------------------------------------------

    def client(self, **kwargs: Any) -> Any:
        """A botocore ``stepfunctions`` client whose executions use this test's mocks.

        Executions started on it are answered like :meth:`execute` answers (marker mocks and
        results, the ``sfn_mocks`` builder); an execution started as
        ``<state machine ARN>#<TestCase>`` takes that Step Functions Local test case from the
        marker's mocks. The region and account default to ``sfn_region`` / ``sfn_account``.

        Args:
            **kwargs: :func:`pytest_sfn.local_client` keywords (``region_name``,
                ``account_id``, ``backend``, ``config``).
        """
        from pytest_sfn.service.backend import SfnBackend
        from pytest_sfn.service.client import local_client

        kwargs.setdefault("region_name", self.settings.region)
        kwargs.setdefault("account_id", self.settings.account)
        backend: SfnBackend = kwargs.setdefault("backend", SfnBackend())
        self._backends.append(backend)

        def tasks(machine: StateMachine, test_case: str | None) -> TaskHandler:
            return self.handler(machine, test_case=test_case)

        return local_client(tasks=tasks, **kwargs)

    def all_executions(self) -> list[Execution]:
        """:attr:`executions` followed by those of the clients made by :meth:`client`."""
        out = list(self.executions)
        for backend in self._backends:
            out += backend.executions()
        return out
