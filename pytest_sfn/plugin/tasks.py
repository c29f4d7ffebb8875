"""Where a Task gets its answer: mocks, handlers, integrations, in a fixed order.

:func:`build_tasks` composes the task handler of one execution. A Task invocation is
answered by the first of (highest priority first):

1. an explicit answer for the state: ``results=`` (by state name), then the mocks
   (``mocks:`` in YAML, ``sfn_mocks``, ``@pytest.mark.sfn(mocks=...)``,
   ``sfn.execute(mocks=...)``);
2. a handler registered for the resource: the test's Lambda handlers (``lambdas``),
   activity workers (``activities``), child state machines (``machines``), then the
   handlers of the ``pytest_sfn_task_handlers`` and ``pytest_sfn_resolve_task`` hooks,
   then HTTP and API Gateway Tasks (sent through httpx, answered by the
   ``http`` mocks, the test's own respx mock, or blocked by the network guard);
3. a botocore client, when one is configured (``botocore=``, YAML ``aws:``);
4. otherwise the test fails with :class:`~pytest_sfn.errors.UnmockedTaskError`, whose
   message says how to mock the state or register a handler for its resource. (In an
   execution begun with ``sfn.start()``, an unanswered ``.waitForTaskToken`` or activity
   Task waits for the test to answer its token instead.)

Results of mocks (and of hook handlers) are checked against the integration's output
shape according to the ``validate`` mode (``STRICT``, ``PRESENT``, ``NONE``).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_sfn._types import JSON
from pytest_sfn.engine.ports import TaskHandler, TaskOutcome, TaskRequest
from pytest_sfn.errors import MockError, UnmockedTaskError, did_you_mean
from pytest_sfn.integrations.activities import ActivityWorkers
from pytest_sfn.integrations.http import Connection, HttpInvoker
from pytest_sfn.integrations.lambda_ import LambdaHandlers
from pytest_sfn.integrations.shapes import MOCK_RESULT_ERROR_PREFIX
from pytest_sfn.mocks.handler import MockHandler
from pytest_sfn.mocks.http_mocks import HttpMock, mocked_client
from pytest_sfn.mocks.model import VALIDATION_MODES
from pytest_sfn.mocks.results import ResultProvider, outcome_of
from pytest_sfn.plugin.guard import NetworkBlockedError

if TYPE_CHECKING:
    from pytest_sfn.integrations.botocore_tasks import BotocoreTasks
    from pytest_sfn.machine import StateMachine
    from pytest_sfn.plugin.hooks import HookTasks

__all__ = [
    "DEFAULT_VALIDATE",
    "TaskRouter",
    "TaskWiring",
    "activity_arns",
    "botocore_tasks",
    "build_tasks",
    "check_validate",
    "import_handler",
    "result_problems",
]

#: The default ``validate`` mode (see the pytest plugin reference for why).
DEFAULT_VALIDATE = "PRESENT"

_VALIDATION_SKIPPED = {("service", "http"), ("service", "apigateway"), ("service", "eks")}


def check_validate(value: Any, where: str) -> str:
    """``value`` as a validation mode (case-insensitive).

    Raises:
        ValueError: not one of ``STRICT``, ``PRESENT``, ``NONE``.
    """
    mode = str(value).upper() if isinstance(value, str) else value
    if mode not in VALIDATION_MODES:
        raise ValueError(
            f"{where} must be one of {', '.join(VALIDATION_MODES)}, not {value!r}"
            f"{did_you_mean(str(value).upper(), VALIDATION_MODES)}"
        )
    return str(mode)


@dataclass(frozen=True, slots=True)
class TaskWiring:
    """What answers the Tasks that no mock or result answers (see the module docstring).

    Attributes:
        lambdas: function name, ``name:alias`` or ARN -> handler ``(event, context)`` or
            ``"package.module:function"``.
        machines: state machine ARN or name -> loaded child :class:`StateMachine`.
        activities: activity ARN -> worker ``(input) -> output`` or
            ``"package.module:function"`` (see :func:`activity_arns` for names).
        http: declarative HTTP routes (first match wins).
        http_router: a ``respx.MockRouter`` tried after ``http``.
        connections: EventBridge connections by name or ARN.
        botocore: the botocore handler for AWS SDK and optimized integrations, if any.
        hooks: the hook handlers of the session, if any.
        validate: the validation mode of mock results.
        base_dir: where ``"module:function"`` handlers are also imported from.
    """

    lambdas: Mapping[str, Any] = field(default_factory=dict)
    machines: Mapping[str, StateMachine] = field(default_factory=dict)
    activities: Mapping[str, Any] = field(default_factory=dict)
    http: tuple[HttpMock, ...] = ()
    http_router: Any = None
    connections: Mapping[str, Connection] = field(default_factory=dict)
    botocore: BotocoreTasks | None = None
    hooks: HookTasks | None = None
    validate: str = DEFAULT_VALIDATE
    base_dir: Path | None = None


# --- Lambda handlers given as "module:function" -------------------------------------------


def import_handler(
    spec: str, label: str, base_dir: Path | None = None, *, kind: str = "Lambda"
) -> Callable[..., Any]:
    """Import ``"package.module:function"`` (the test's directory is tried as well).

    Args:
        spec: ``"package.module:function"``.
        label: what the handler is for (a function name, an activity), for messages.
        base_dir: a directory tried when the module is not importable otherwise.
        kind: ``"Lambda"`` (a Lambda handler) or ``"activity"`` (an activity worker), for
            messages.

    Raises:
        MockError: the module or attribute is missing, or not callable.
    """
    what = "Lambda handler" if kind == "Lambda" else f"{kind} worker"
    owner = "Lambda function" if kind == "Lambda" else kind
    module_name, sep, attr_path = spec.partition(":")
    if not sep or not module_name or not attr_path:
        raise MockError(f"the {what} of {label!r} must be 'package.module:function', got {spec!r}")
    try:
        target: Any = _import(module_name, base_dir)
    except Exception as exc:
        raise MockError(
            f"cannot import module {module_name!r} for {owner} {label!r} "
            f"({type(exc).__name__}: {exc})"
        ) from None
    for part in attr_path.split("."):
        if not hasattr(target, part):
            names = [name for name in dir(target) if not name.startswith("_")]
            raise MockError(
                f"the {what} {spec!r} of {label!r}: {module_name!r} has no attribute "
                f"{part!r}{did_you_mean(part, names)}"
            )
        target = getattr(target, part)
    if not callable(target):
        raise MockError(f"the {what} {spec!r} of {label!r} is not callable: {target!r}")
    handler: Callable[..., Any] = target
    return handler


def activity_arns(workers: Mapping[str, Any], region: str, account: str) -> dict[str, Any]:
    """``workers`` keyed by activity ARN: a bare activity name becomes
    ``arn:aws:states:<region>:<account>:activity:<name>``; ARNs are kept as given. When
    two keys name one activity (its name and its ARN), the later one wins.

    Raises:
        MockError: a key is an ARN, but not an activity's.
    """
    out: dict[str, Any] = {}
    for key, worker in workers.items():
        if key.startswith("arn:"):
            if ":activity:" not in key:
                raise MockError(
                    f"activities: {key!r} is not an activity ARN "
                    "(arn:aws:states:<region>:<account>:activity:<name>) nor an activity name"
                )
            arn = key
        else:
            arn = f"arn:aws:states:{region}:{account}:activity:{key}"
        out.pop(arn, None)
        out[arn] = worker
    return out


def _import(module_name: str, base_dir: Path | None) -> Any:
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        top = module_name.split(".")[0]
        folder = str(base_dir) if base_dir is not None else None
        if exc.name != top or folder is None or folder in sys.path:
            raise
        # Like pytest's "prepend" import mode does for test modules.
        sys.path.insert(0, folder)
        return importlib.import_module(module_name)


# --- botocore ------------------------------------------------------------------------------


class _FactorySession:
    """Adapts ``factory(service_name) -> client`` to what BotocoreTasks expects of a session."""

    def __init__(self, factory: Callable[[str], Any]) -> None:
        self.factory = factory

    def create_client(self, service_name: str, region_name: str | None = None) -> Any:
        return self.factory(service_name)


def botocore_tasks(value: Any, region: str) -> BotocoreTasks:
    """A :class:`BotocoreTasks` from a ``botocore=`` value.

    Accepted: a ``BotocoreTasks``; a botocore or boto3 session; a botocore client (e.g.
    wrapped in a ``Stubber``) or a mapping of service name -> client; a factory
    ``(service_name) -> client``; ``True`` for a private session with dummy credentials
    (moto's ``mock_aws`` answers it).

    Raises:
        TypeError: anything else.
    """
    from pytest_sfn.integrations.botocore_tasks import BotocoreTasks

    if isinstance(value, BotocoreTasks):
        return value
    if value is True:
        return BotocoreTasks(region_name=region)
    if hasattr(value, "create_client") or type(value).__module__.startswith("boto3"):
        return BotocoreTasks(value, region_name=region)
    meta = getattr(value, "meta", None)
    if meta is not None and hasattr(meta, "service_model"):
        name = meta.service_model.service_name
        return BotocoreTasks(clients={name: value}, region_name=region)
    if isinstance(value, Mapping):
        return BotocoreTasks(clients=dict(value), region_name=region)
    if callable(value):
        return BotocoreTasks(_FactorySession(value), region_name=region)
    raise TypeError(
        "botocore= must be a botocore or boto3 session, a botocore client, a mapping of "
        "service name to client, a factory (service_name) -> client, a BotocoreTasks or "
        f"True, not {type(value).__name__}"
    )


def _botocore_answers(request: TaskRequest) -> bool:
    from pytest_sfn.integrations.botocore_tasks import BotocoreTasks

    return BotocoreTasks.answers(request.resource)


# --- validation -----------------------------------------------------------------------------


def result_problems(request: TaskRequest, result: JSON, mode: str) -> list[str]:
    """What is wrong with ``result`` as the output of ``request``'s integration.

    Uses :func:`pytest_sfn.integrations.shapes.validate_result`; HTTP, API Gateway and EKS
    Tasks are not checked (as on AWS), nor anything with ``mode`` ``NONE``.
    """
    resource = request.resource
    if mode == "NONE" or (resource.kind, resource.service) in _VALIDATION_SKIPPED:
        return []
    from pytest_sfn.integrations.shapes import validate_result

    return list(validate_result(resource, result, mode))


def _validated(
    request: TaskRequest, outcome: TaskOutcome, mode: str, origin: str, what: str
) -> TaskOutcome:
    if outcome.failed:
        return outcome
    problems = result_problems(request, outcome.output, mode)
    if problems:
        where = f"{origin}: " if origin else ""
        lines = [
            f"{where}Task state {request.state_name!r} ({request.resource.arn}): {what} does "
            f"not fit the integration's output ({mode} validation):"
        ]
        lines += [f"  {MOCK_RESULT_ERROR_PREFIX}{problem}" for problem in problems]
        looser = "PRESENT or NONE" if mode == "STRICT" else "NONE"
        lines.append(
            f"  Fix the result, or relax the check: validate: {looser} on the mock or "
            "scenario, @pytest.mark.sfn(validate=...), or sfn_validate_mocks in the ini file."
        )
        raise MockError("\n".join(lines))
    return outcome


# --- the handler chain ----------------------------------------------------------------------


class _Late:
    """A handler bound after construction (the router, for child executions)."""

    __slots__ = ("target",)

    def __init__(self) -> None:
        self.target: TaskHandler | None = None

    def __call__(self, request: TaskRequest) -> TaskOutcome:
        assert self.target is not None
        return self.target(request)


class _HookTier:
    __slots__ = ("hooks", "fallback", "validate")

    def __init__(self, hooks: HookTasks, fallback: TaskHandler, validate: str) -> None:
        self.hooks, self.fallback, self.validate = hooks, fallback, validate

    def __call__(self, request: TaskRequest) -> TaskOutcome:
        found = self.hooks.answer(request)
        if found is None:
            return self.fallback(request)
        answer, label = found
        outcome = outcome_of(answer, request)
        return _validated(request, outcome, self.validate, "", f"the result of {label}")


class _HttpTier:
    """HTTP and API Gateway Tasks through httpx; a request the guard blocks is unmocked."""

    __slots__ = ("wiring", "fallback", "_invoker")

    def __init__(self, wiring: TaskWiring, fallback: TaskHandler) -> None:
        self.wiring, self.fallback = wiring, fallback
        self._invoker: HttpInvoker | None = None

    def __call__(self, request: TaskRequest) -> TaskOutcome:
        resource = request.resource
        if not HttpInvoker.answers(resource):
            return self.fallback(request)
        if self._invoker is None:
            wiring = self.wiring
            client = None
            if wiring.http or wiring.http_router is not None:
                client = mocked_client(wiring.http, router=wiring.http_router)
            self._invoker = HttpInvoker(connections=wiring.connections, client=client)
        try:
            return self._invoker(request)
        except NetworkBlockedError as exc:
            raise UnmockedTaskError(
                f"Task state {request.state_name!r} (resource {resource.arn}) sent an HTTP "
                f"request nothing mocks: {exc.target}. Mock the endpoint: an `http:` entry "
                "in the scenario file (method, url, status, json), "
                "@pytest.mark.sfn(http=[...]) or sfn.execute(..., http=[...]), or your own "
                "respx mock (respx.mock / the respx_mock fixture); or mock the state "
                f"itself (`mocks: {{{request.state_name}: {{return: ...}}}}`). pytest-sfn "
                "blocks real network calls (opt in with @pytest.mark.sfn_allow_network)."
            ) from None


class _BotocoreTier:
    __slots__ = ("tasks", "fallback")

    def __init__(self, tasks: BotocoreTasks, fallback: TaskHandler) -> None:
        self.tasks, self.fallback = tasks, fallback

    def __call__(self, request: TaskRequest) -> TaskOutcome:
        if not _botocore_answers(request):
            return self.fallback(request)
        try:
            return self.tasks(request)
        except NetworkBlockedError as exc:
            raise UnmockedTaskError(
                f"Task state {request.state_name!r} (resource {request.resource.arn}) made a "
                f"botocore request nothing answers in-process: {exc.target}. Answer it with "
                "moto (activate `mock_aws()` around the test, e.g. in a fixture), a "
                "botocore.stub.Stubber-wrapped client (botocore={service: client}), or mock "
                f"the state itself (`mocks: {{{request.state_name}: {{return: ...}}}}`, "
                f'sfn_mocks.state("{request.state_name}").returns(...)). pytest-sfn blocks '
                "real AWS calls (opt in with @pytest.mark.sfn_allow_network)."
            ) from None


class _Unanswered:
    """The end of the chain: the unmocked-task error, with how to answer the Task."""

    __slots__ = ("mocks", "wiring", "results")

    def __init__(
        self, mocks: MockHandler | None, wiring: TaskWiring, results: Mapping[str, Any] | None
    ) -> None:
        self.mocks, self.wiring, self.results = mocks, wiring, results

    def __call__(self, request: TaskRequest) -> TaskOutcome:
        try:
            if self.results and (self.mocks is None or not self.mocks.mocks.states):
                return ResultProvider(self.results)(request)  # raises its "no result" error
            if self.mocks is not None:
                return self.mocks(request)  # raises its "has no mock" error
            raise UnmockedTaskError(
                f"Task state {request.state_name!r} (resource {request.resource.arn}) has no "
                "mock. No state is mocked."
            )
        except UnmockedTaskError as exc:
            raise UnmockedTaskError(f"{exc}\n{how_to_answer(request, self.wiring)}") from None


def _function_name(request: TaskRequest) -> str | None:
    resource = request.resource
    if resource.kind == "lambda":
        return resource.arn
    params = request.parameters
    if isinstance(params, dict) and isinstance(params.get("FunctionName"), str):
        return str(params["FunctionName"])
    return None


def how_to_answer(request: TaskRequest, wiring: TaskWiring) -> str:
    """The lines of the unmocked-task error that say how to answer ``request``."""
    resource = request.resource
    state = request.state_name
    lines = [
        f"Mock it by state name: `mocks: {{{state}: {{return: ...}}}}` in a scenario or mocks "
        f'file, sfn_mocks.state("{state}").returns(...), or @pytest.mark.sfn(mocks=..., '
        "results=...)."
    ]
    lambda_like = resource.kind == "lambda" or (resource.service, resource.api) == (
        "lambda",
        "invoke",
    )
    if lambda_like:
        name = _function_name(request) or "<FunctionName>"
        registered = sorted(wiring.lambdas)
        known = f" (registered: {', '.join(registered)})" if registered else ""
        lines.append(
            f"Or run its Lambda function in-process{known}: `lambdas: {{{name}: "
            f"package.module:function}}` in YAML, or lambdas={{{name!r}: handler}} on "
            "@pytest.mark.sfn or sfn.execute."
        )
    if (resource.service, resource.api) == ("states", "startExecution"):
        params = request.parameters
        arn = params.get("StateMachineArn") if isinstance(params, dict) else None
        name = str(arn).rsplit(":", 1)[-1] if arn else "<name>"
        lines.append(
            f"Or run the child state machine locally: `machines: {{{name}: child.asl.json}}` "
            f"in YAML, or machines={{{name!r}: 'child.asl.json'}} on @pytest.mark.sfn or "
            "sfn.execute."
        )
    elif resource.kind == "service" and _botocore_answers(request):
        lines.append(
            "Or answer it with a botocore client: @pytest.mark.sfn(botocore=...) or "
            "sfn.execute(..., botocore=...) with a botocore.stub.Stubber-wrapped client, "
            "a session or client factory (moto: inside mock_aws()); `aws: {}` in YAML."
        )
    if resource.kind == "activity":
        name = resource.arn.rsplit(":", 1)[-1]
        registered = sorted(wiring.activities)
        known = f" (registered: {', '.join(registered)})" if registered else ""
        lines.append(
            f"Or run an activity worker in-process{known}: `activities: {{{name}: "
            f"package.module:function}}` in YAML, or activities={{{name!r}: worker}} on "
            "@pytest.mark.sfn or sfn.execute; or begin the execution with sfn.start() and "
            "take the task yourself (get_activity_task, send_task_success)."
        )
    if resource.is_callback:
        lines.append(
            "Or begin the execution with sfn.start() instead of sfn.execute(): it waits for "
            "the callback, and the test answers its task token with "
            "send_task_success(token, output) or send_task_failure(token, error, cause)."
        )
    lines.append(
        f"Or register a handler for {resource.arn!r} with the pytest_sfn_task_handlers hook "
        "in conftest.py (see the extension hooks guide)."
    )
    return "\n".join(lines)


class TaskRouter:
    """The task handler of one execution (see the module docstring for the order).

    Attributes:
        mocks: the mock handler (``None`` without mocks).
        chain: the handlers after the mocks.
    """

    __slots__ = ("results", "names", "mocks", "chain", "validate")

    def __init__(
        self,
        mocks: MockHandler | None,
        chain: TaskHandler,
        *,
        results: Mapping[str, Any] | None = None,
        validate: str = DEFAULT_VALIDATE,
    ) -> None:
        self.results = ResultProvider(results) if results else None
        self.names = frozenset(results or ())
        self.mocks = mocks
        self.chain = chain
        self.validate = validate

    def __call__(self, request: TaskRequest) -> TaskOutcome:
        """Answer one Task invocation."""
        if self.results is not None and request.state_name in self.names:
            return self.results(request)
        mocks = self.mocks
        if mocks is not None and request.state_name in mocks.mocks.states:
            outcome = mocks(request)
            response = mocks.answers[-1].response if mocks.answers else None
            if response is None:
                return outcome
            mode = response.validate or self.validate
            return _validated(request, outcome, mode, response.origin, "the mocked result")
        return self.chain(request)


def build_tasks(
    mocks: MockHandler | None,
    wiring: TaskWiring,
    *,
    results: Mapping[str, Any] | None = None,
) -> TaskRouter:
    """The task handler of one execution: results, mocks, then ``wiring``'s handlers.

    Args:
        mocks: the mock handler of the execution's mock set (``None`` when empty).
        wiring: the handlers for Tasks without a mock.
        results: answers by state name (``results=``), over everything else.

    Raises:
        MockError: a ``"module:function"`` Lambda handler or activity worker cannot be
            imported.
    """
    late = _Late()
    chain: TaskHandler = _Unanswered(mocks, wiring, results)
    if wiring.botocore is not None:
        chain = _BotocoreTier(wiring.botocore, chain)
    chain = _HttpTier(wiring, chain)
    if wiring.hooks is not None and (wiring.hooks.handlers or wiring.hooks.has_resolver):
        chain = _HookTier(wiring.hooks, chain, wiring.validate)
    if wiring.machines:
        from pytest_sfn.integrations.nested import NestedExecutions

        chain = NestedExecutions(dict(wiring.machines), child_tasks=late, fallback=chain)
    if wiring.activities:
        workers = {
            arn: import_handler(spec, arn, wiring.base_dir, kind="activity")
            if isinstance(spec, str)
            else spec
            for arn, spec in wiring.activities.items()
        }
        chain = ActivityWorkers(workers, fallback=chain)
    if wiring.lambdas:
        functions = {
            key: import_handler(spec, key, wiring.base_dir) if isinstance(spec, str) else spec
            for key, spec in wiring.lambdas.items()
        }
        chain = LambdaHandlers(functions, fallback=chain)
    router = TaskRouter(mocks, chain, results=results, validate=wiring.validate)
    late.target = router
    return router


def merged_http(*groups: Sequence[HttpMock]) -> tuple[HttpMock, ...]:
    """HTTP routes of several sources, the first group's first."""
    return tuple(mock for group in groups for mock in group)
