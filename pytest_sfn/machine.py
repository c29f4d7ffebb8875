"""``StateMachine``: load a definition once, execute it many times."""

from __future__ import annotations

import functools
import gc
import random
import uuid
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_sfn._json import dump_compact
from pytest_sfn._types import JSON
from pytest_sfn.engine.clock import DEFAULT_START, VirtualClock
from pytest_sfn.engine.execution import Execution
from pytest_sfn.engine.ports import TaskHandler
from pytest_sfn.engine.run import Interpreter, RunConfig, deadline_for
from pytest_sfn.engine.runtime import PAYLOAD_LIMIT
from pytest_sfn.errors import Diagnostic, SfnError
from pytest_sfn.mocks.results import ResultProvider
from pytest_sfn.model.states import Graph, MapState, ParallelState, State, TaskState
from pytest_sfn.parsing.load import load_definition, read_definition_file

if TYPE_CHECKING:
    from pytest_sfn.engine.callbacks import RunningExecution
    from pytest_sfn.teststate import StateTestResult

__all__ = ["DEFAULT_ACCOUNT", "DEFAULT_REGION", "StateMachine"]

DEFAULT_REGION = "us-east-1"
#: Marks an omitted execution input (``{}``), distinct from JSON ``null`` (``None``).
NO_INPUT: Any = object()
DEFAULT_ACCOUNT = "123456789012"
_TYPES = ("STANDARD", "EXPRESS")


def _walk(graph: Graph) -> Iterator[State]:
    for state in graph.states.values():
        yield state
        if isinstance(state, ParallelState):
            for branch in state.branches:
                yield from _walk(branch)
        elif isinstance(state, MapState):
            yield from _walk(state.processor)


class StateMachine:
    """A loaded, validated and compiled state machine.

    Build one with :meth:`from_file` or :meth:`from_definition`, then call :meth:`execute`
    as often as needed: parsing and compilation happen once.
    """

    def __init__(
        self,
        definition: dict[str, Any],
        graph: Graph,
        *,
        name: str = "StateMachine",
        type: str = "STANDARD",
        region: str = DEFAULT_REGION,
        account: str = DEFAULT_ACCOUNT,
        role_arn: str | None = None,
        source: str | None = None,
    ) -> None:
        if type not in _TYPES:
            raise ValueError(f"type must be one of {_TYPES}, not {type!r}")
        self.definition = definition
        self.graph = graph
        self.name = name
        self.type = type
        self.region = region
        self.account = account
        self.role_arn = role_arn or f"arn:aws:iam::{account}:role/pytest-sfn-execution-role"
        self.source = source

    @functools.cached_property
    def can_wait(self) -> bool:
        """Whether a Task can wait for an answer from outside: a ``.waitForTaskToken``
        resource or an activity, anywhere in the definition (``start()`` may return while
        such a Task waits; other executions always run to the end)."""
        return any(
            isinstance(state, TaskState)
            and (state.resource.pattern == ".waitForTaskToken" or state.resource.kind == "activity")
            for state in _walk(self.graph)
        )

    @functools.cached_property
    def warnings(self) -> list[Diagnostic]:
        """Problems AWS accepts at creation but that fail when the Task runs.

        Each AWS SDK or optimized integration Task's ``Parameters``/``Arguments`` are
        checked against the botocore input shape of its API: unknown members (with a
        "did you mean"), missing required members and literals of the wrong type, each a
        ``WARNING`` :class:`~pytest_sfn.errors.Diagnostic` located at the offending field.
        Computed on first use; dynamic values (``.$`` paths, JSONata) are not checked.
        """
        from pytest_sfn.parsing.parameters import parameter_warnings

        return parameter_warnings(self.definition)

    @property
    def arn(self) -> str:
        """``arn:aws:states:<region>:<account>:stateMachine:<name>``."""
        return f"arn:aws:states:{self.region}:{self.account}:stateMachine:{self.name}"

    @classmethod
    def from_definition(
        cls, definition: Mapping[str, Any] | str, *, name: str = "StateMachine",
        type: str = "STANDARD", region: str = DEFAULT_REGION, account: str = DEFAULT_ACCOUNT,
        role_arn: str | None = None, source: str | None = None,
    ) -> StateMachine:  # fmt: skip
        """Load a definition given as a dict or JSON text.

        Raises:
            DefinitionError: every problem found, each with its JSON pointer.
        """
        raw = dict(definition) if isinstance(definition, Mapping) else definition
        if type not in _TYPES:
            raise ValueError(f"type must be one of {_TYPES}, not {type!r}")
        decoded, graph = load_definition(raw, source=source, machine_type=type)
        return cls(
            decoded, graph, name=name, type=type, region=region, account=account,
            role_arn=role_arn, source=source,
        )  # fmt: skip

    @classmethod
    def from_file(
        cls, path: str | Path, *, name: str | None = None, type: str = "STANDARD",
        region: str = DEFAULT_REGION, account: str = DEFAULT_ACCOUNT, role_arn: str | None = None,
    ) -> StateMachine:  # fmt: skip
        """Load a ``.json`` / ``.asl.json`` / ``.yaml`` definition file.

        The state machine is named after the file (``order.asl.json`` -> ``order``) unless
        ``name`` is given.
        """
        path = Path(path)
        decoded = read_definition_file(path)
        stem = path.name.split(".")[0]
        return cls.from_definition(
            decoded, name=name or stem, type=type, region=region, account=account,
            role_arn=role_arn, source=str(path),
        )  # fmt: skip

    @classmethod
    def from_source(
        cls, spec: str | Path, *, base_dir: str | Path | None = None,
        substitutions: Mapping[str, Any] | None = None, type: str | None = None,
        region: str = DEFAULT_REGION, account: str = DEFAULT_ACCOUNT, role_arn: str | None = None,
    ) -> StateMachine:  # fmt: skip
        """Load from a definition file or an infrastructure template.

        ``spec`` is ``order.asl.json``, ``template.yaml`` (one state machine),
        ``template.yaml#LogicalId`` or a CDK ``cdk.out`` directory (``cdk.out#Id``).
        ``substitutions`` fill ``${Name}`` placeholders and override what ``Ref`` /
        ``Fn::GetAtt`` of a logical id resolve to.

        Raises:
            DefinitionError: the file, template or logical id is wrong, or the definition
                is invalid.
        """
        from pytest_sfn.loading import load_definition_source

        loaded = load_definition_source(
            spec,
            base_dir=Path(base_dir) if base_dir is not None else None,
            substitutions=substitutions,
            region=region,
            account=account,
        )
        return cls.from_definition(
            loaded.definition, name=loaded.name, type=type or loaded.machine_type or "STANDARD",
            region=region, account=account, role_arn=role_arn or loaded.role_arn,
            source=loaded.source,
        )  # fmt: skip

    def execute(
        self,
        input: JSON = NO_INPUT,
        *,
        results: Mapping[str, Any] | None = None,
        tasks: TaskHandler | None = None,
        name: str | None = None,
        seed: int = 0,
        start_time: datetime | None = None,
        history_limit: int | None = 25_000,
        redrive_count: int = 0,
        mock_errors: str = "raise",
    ) -> Execution:
        """Run one execution to completion under virtual time.

        Args:
            input: the execution input, any JSON value (``None`` is JSON ``null``);
                omitted, it is ``{}`` as in ``StartExecution``.
            results: what each Task state returns, by state name (see
                :mod:`pytest_sfn.mocks.results`).
            tasks: a task handler instead of ``results``.
            name: the execution name (default: a UUID from the seeded generator).
            seed: seeds UUIDs, ``States.MathRandom`` and retry jitter.
            start_time: the virtual start time (default 2024-01-01T00:00:00Z).
            history_limit: maximum history events (AWS: 25,000); ``None`` for no limit.
            redrive_count: ``$$.Execution.RedriveCount``.
            mock_errors: ``"raise"`` (default): a Task that nothing answers raises
                :class:`~pytest_sfn.errors.MockError` out of this call. ``"fail"``: the
                execution ends FAILED with error ``pytest_sfn.UnmockedTask`` (or
                ``pytest_sfn.MockError``), unseen by Retry and Catch.

        Raises:
            MockError: a Task state has no result (with ``mock_errors="raise"``).
        """
        if results is not None and tasks is not None:
            raise ValueError("pass either results= or tasks=, not both")
        handler: TaskHandler = tasks if tasks is not None else ResultProvider(results)
        rng = random.Random(seed)
        start = (start_time or DEFAULT_START).astimezone(timezone.utc)
        if mock_errors not in ("raise", "fail"):
            raise ValueError(f"mock_errors must be 'raise' or 'fail', not {mock_errors!r}")
        value = {} if input is NO_INPUT else input
        _check_input(value)
        # The default name is the generator's first UUID (the interpreter draws the rest).
        exec_name = name or str(uuid.UUID(int=rng.getrandbits(128), version=4))
        interpreter = Interpreter(
            graph=self.graph,
            config=RunConfig(
                execution_arn=self._execution_arn(exec_name, seed),
                execution_name=exec_name,
                state_machine_arn=self.arn,
                state_machine_name=self.name,
                role_arn=self.role_arn,
                region=self.region,
                account=self.account,
                machine_type=self.type,
                history_limit=history_limit,
                redrive_count=redrive_count,
                fail_on_mock_error=mock_errors == "fail",
            ),
            tasks=handler,
            clock=VirtualClock(start, deadline_for(start, self.graph.timeout_seconds, self.type)),
            rng=rng,
        )
        # An execution allocates many short-lived, acyclic objects; the cyclic collector
        # would repeatedly scan the whole heap for nothing (up to 2x slower in big test
        # sessions). Pause it for the run and restore it afterwards.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return interpreter.run(value, start)
        finally:
            if collecting:
                gc.enable()

    def start(
        self,
        input: JSON = NO_INPUT,
        *,
        results: Mapping[str, Any] | None = None,
        tasks: TaskHandler | None = None,
        activities: Mapping[str, Any] | None = None,
        name: str | None = None,
        seed: int = 0,
        start_time: datetime | None = None,
        history_limit: int | None = 25_000,
        mock_errors: str = "raise",
    ) -> RunningExecution:
        """Start an execution that can wait for callbacks; returns while a task waits.

        Runs like :meth:`execute` until a ``.waitForTaskToken`` or activity Task has no
        answer (nothing in ``results``/``tasks``/``activities`` answers it), then returns a
        :class:`~pytest_sfn.engine.callbacks.RunningExecution` (status ``RUNNING``) to
        answer its token (``send_task_success``, ``send_task_failure``,
        ``send_task_heartbeat``), move virtual time (``advance``), ``stop()`` it or
        ``wait()`` for the end. Parallel branches and inline Map iterations that wait do
        so together, as on AWS: several tokens can be pending at once.

        Args:
            input, results, tasks, name, seed, start_time, history_limit, mock_errors:
                as for :meth:`execute`.
            activities: activity workers by activity ARN, ``callable(input) -> output``
                (see :class:`~pytest_sfn.integrations.activities.ActivityWorkers`).

        Raises:
            MockError: a Task state that cannot wait has no result (``mock_errors="raise"``).
        """
        from pytest_sfn.engine.callbacks import RunningExecution
        from pytest_sfn.integrations.activities import ActivityWorkers

        if results is not None and tasks is not None:
            raise ValueError("pass either results= or tasks=, not both")
        handler: TaskHandler = tasks if tasks is not None else ResultProvider(results)
        if activities is not None:
            handler = ActivityWorkers(activities, fallback=handler)
        start = (start_time or DEFAULT_START).astimezone(timezone.utc)
        return RunningExecution.launch(
            self, {} if input is NO_INPUT else input, handler, start=start, name=name,
            seed=seed, history_limit=history_limit, mock_errors=mock_errors,
        )  # fmt: skip

    def test_state(self, state_name: str, **options: Any) -> StateTestResult:
        """Test one state of this machine as the ``TestState`` API does (no execution).

        ``options`` are those of :func:`pytest_sfn.run_state` (``input``, ``mock``,
        ``inspection_level``, ``results``...); the role defaults to this machine's.

        Raises:
            StateTestError: the request AWS would refuse, e.g. an unknown ``state_name``.
        """
        from pytest_sfn.teststate import run_state

        options.setdefault("role_arn", self.role_arn)
        options.setdefault("region", self.region)
        options.setdefault("account", self.account)
        return run_state(self.definition, state_name=state_name, **options)

    def _execution_arn(self, exec_name: str, seed: int) -> str:
        base = f"arn:aws:states:{self.region}:{self.account}"
        if self.type == "EXPRESS":
            # Its own deterministic stream: never equal to a UUID-shaped execution name.
            suffix = uuid.UUID(int=random.Random(f"express:{seed}:{exec_name}").getrandbits(128))
            return f"{base}:express:{self.name}:{exec_name}:{suffix}"
        return f"{base}:execution:{self.name}:{exec_name}"


def _check_input(value: JSON) -> None:
    try:
        size = len(dump_compact(value).encode())
    except (TypeError, ValueError) as exc:
        raise SfnError(f"the execution input is not JSON ({exc})") from None
    if size > PAYLOAD_LIMIT:
        raise SfnError(
            f"the execution input is {size} bytes; Step Functions accepts at most "
            f"{PAYLOAD_LIMIT} bytes (256 KiB)"
        )
