"""Hooks with which a ``conftest.py`` or another plugin answers Task states.

pytest-sfn registers these hook specifications (``pytest_addhooks``). Implement them in a
``conftest.py`` or in a plugin module (installed with a ``pytest11`` entry point or given
with ``-p``) to answer Task states of a resource pattern like a built-in integration: the
answers go through the same call recording, mock result validation and failure reports.

Where a hook sits in the order a Task is answered (highest first): a mock or result for the
state, then the test's own ``lambdas``/``machines``, then hook handlers, then HTTP, then a
botocore client, then the unmocked-task error (see :mod:`pytest_sfn.plugin.tasks`).

Example (``conftest.py``)::

    from pytest_sfn import Return

    def run_pricing(request):
        return {"price": 42 * request.parameters["quantity"]}

    def pytest_sfn_task_handlers(config):
        return [("arn:aws:states:::aws-sdk:pricing:*", run_pricing)]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, TypeAlias

import pluggy
import pytest

from pytest_sfn.engine.ports import TaskRequest

__all__ = [
    "ExtensionHandler",
    "HookHandler",
    "HookTasks",
    "pytest_sfn_resolve_task",
    "pytest_sfn_task_handlers",
]

hookspec = pluggy.HookspecMarker("pytest")

#: A hook handler: ``handler(request) -> answer | None``. The answer is a
#: :class:`~pytest_sfn.TaskOutcome`, a :class:`~pytest_sfn.Return`, a
#: :class:`~pytest_sfn.Throw`, a :class:`~pytest_sfn.StatesError` (returned or raised) or the
#: raw JSON result; ``None`` declines (the next handler is asked). Return
#: ``Return(None)`` for a ``null`` result.
ExtensionHandler: TypeAlias = Callable[[TaskRequest], Any]


@hookspec
def pytest_sfn_task_handlers(config: pytest.Config) -> Sequence[tuple[str, ExtensionHandler]]:
    """Register Task handlers for resource patterns.

    Called once per test session. Return ``(pattern, handler)`` pairs: ``pattern`` is an
    ``fnmatch`` glob on the Task's ``Resource`` ARN (case-sensitive; e.g.
    ``"arn:aws:states:::lambda:invoke"``, ``"arn:aws:states:::aws-sdk:pricing:*"``,
    ``"arn:aws:lambda:*:function:internal-*"``); ``handler(request)`` receives the
    :class:`~pytest_sfn.engine.ports.TaskRequest` (``state_name``, ``resource``,
    ``parameters``, ``context``, ``attempt``, ``invocation``...) and returns an answer
    (see :data:`ExtensionHandler`) or ``None`` to let the next handler answer.

    Handlers of every implementation are tried in order: ``tryfirst`` implementations and
    later-registered plugins (conftest files) first, as pluggy calls them; within one
    implementation, in the order returned.

    Args:
        config: the pytest config.
    """
    raise NotImplementedError  # a specification: pluggy never calls it


@hookspec(firstresult=True)
def pytest_sfn_resolve_task(request: TaskRequest, config: pytest.Config) -> Any:
    """Answer one Task invocation no mock, test handler or registered handler answered.

    Called for every such invocation, after the :func:`pytest_sfn_task_handlers`
    handlers and before HTTP and botocore: return an answer (see :data:`ExtensionHandler`)
    to stop there, or ``None`` to let the next implementation (then the built-in
    integrations) answer.

    Args:
        request: the Task invocation.
        config: the pytest config.
    """
    raise NotImplementedError  # a specification: pluggy never calls it


@dataclass(frozen=True, slots=True)
class HookHandler:
    """One registered handler.

    Attributes:
        pattern: the ``fnmatch`` glob on the resource ARN.
        handler: the callable.
        plugin: the name of the plugin (or conftest) that registered it, for messages.
    """

    pattern: str
    handler: ExtensionHandler
    plugin: str

    def matches(self, resource_arn: str) -> bool:
        """Whether this handler is for ``resource_arn``."""
        return fnmatchcase(resource_arn, self.pattern)

    @property
    def label(self) -> str:
        """``name (pattern) from plugin`` for messages."""
        name = getattr(self.handler, "__qualname__", None) or repr(self.handler)
        return f"{name} (pattern {self.pattern!r}, from {self.plugin})"


def _plugin_name(pluginmanager: Any, impl: Any) -> str:
    plugin = getattr(impl, "plugin", None)
    name = pluginmanager.get_name(plugin) if plugin is not None else None
    return str(name or getattr(impl, "plugin_name", "?"))


def collect_handlers(config: pytest.Config) -> tuple[HookHandler, ...]:
    """Every handler the :func:`pytest_sfn_task_handlers` implementations register.

    Raises:
        pytest.UsageError: an implementation returned something that is not a list of
            ``(str pattern, callable)`` pairs.
    """
    hook = config.hook.pytest_sfn_task_handlers
    found: list[HookHandler] = []
    for impl in reversed(hook.get_hookimpls()):  # pluggy's call order
        result = impl.function(**{name: config for name in impl.argnames if name == "config"})
        if result is None:
            continue
        plugin = _plugin_name(config.pluginmanager, impl)
        found += _pairs(result, plugin)
    return tuple(found)


def _pairs(result: Any, plugin: str) -> list[HookHandler]:
    bad = pytest.UsageError(
        f"pytest_sfn_task_handlers of {plugin} must return a list of (pattern, handler) "
        f"pairs (a resource ARN glob and a callable), got {result!r}"
    )
    if not isinstance(result, Iterable) or isinstance(result, (str, bytes)):
        raise bad
    out = []
    for pair in result:
        if (
            not isinstance(pair, tuple)
            or len(pair) != 2
            or not isinstance(pair[0], str)
            or not callable(pair[1])
        ):
            raise bad
        out.append(HookHandler(pair[0], pair[1], plugin))
    return out


class HookTasks:
    """Answers a Task from the hook handlers, then ``pytest_sfn_resolve_task``.

    Args:
        config: the pytest config (its hook relay is called).
        handlers: the registered handlers (:func:`collect_handlers`).
    """

    __slots__ = ("config", "handlers", "_resolve")

    def __init__(self, config: pytest.Config, handlers: Sequence[HookHandler]) -> None:
        self.config = config
        self.handlers = tuple(handlers)
        hook = config.hook.pytest_sfn_resolve_task
        self._resolve = hook if hook.get_hookimpls() else None

    @property
    def has_resolver(self) -> bool:
        """Whether any plugin implements ``pytest_sfn_resolve_task``."""
        return self._resolve is not None

    def answer(self, request: TaskRequest) -> tuple[Any, str] | None:
        """The first answer (and who gave it) for ``request``, or ``None``.

        A ``StatesError`` a handler raises is its answer (the Task fails with it); any
        other exception propagates.
        """
        from pytest_sfn.errors import StatesError

        arn = request.resource.arn
        for handler in self.handlers:
            if not handler.matches(arn):
                continue
            try:
                answer = handler.handler(request)
            except StatesError as exc:
                answer = exc
            if answer is not None:
                return answer, handler.label
        if self._resolve is not None:
            try:
                answer = self._resolve(request=request, config=self.config)
            except StatesError as exc:
                answer = exc
            if answer is not None:
                return answer, "the pytest_sfn_resolve_task hook"
        return None
