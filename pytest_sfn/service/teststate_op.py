"""The local service's ``TestState`` operation (aws-spec §1).

The request is checked and run by :mod:`pytest_sfn.teststate`; its refusals become the API
errors AWS answers with (``ValidationException``, ``InvalidDefinition``,
``InvalidExecutionInput``). A Task without a mock is answered like a Task of
``StartExecution``: by the client's ``results``, or its ``tasks`` factory; one that nothing
answers ends the test ``FAILED`` with error ``pytest_sfn.UnmockedTask``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_sfn.engine.ports import TaskOutcome, TaskRequest
from pytest_sfn.model.states import Graph
from pytest_sfn.service.errors import ApiError
from pytest_sfn.service.resources import RequestContext
from pytest_sfn.service.tasks import task_handler
from pytest_sfn.teststate import StateTestError, run_test_state_request
from pytest_sfn.teststate.definition import resolve_state

if TYPE_CHECKING:
    from pytest_sfn.engine.ports import TaskHandler
    from pytest_sfn.service.backend import SfnBackend

__all__ = ["test_state_operation"]

_MACHINE_NAME = "TestState"


def test_state_operation(
    backend: SfnBackend, ctx: RequestContext, req: dict[str, Any]
) -> dict[str, Any]:
    """``TestState``: the response members, or the :class:`ApiError` AWS answers with."""
    tasks: TaskHandler = (
        task_handler(ctx.results, ctx.mocks, _MACHINE_NAME, None)
        if ctx.tasks is None
        else _FromFactory(ctx, req)
    )
    try:
        result = run_test_state_request(
            req, tasks=tasks, region=ctx.region, account=ctx.account, start=backend.now(),
            fail_on_mock_error=True,
        )  # fmt: skip
    except StateTestError as exc:
        raise ApiError(exc.code, exc.message) from None
    return result.to_api()


test_state_operation.__test__ = False  # type: ignore[attr-defined]


class _FromFactory:
    """The handler ``local_client(tasks=...)`` makes, for a machine of the tested state only."""

    def __init__(self, ctx: RequestContext, req: dict[str, Any]) -> None:
        self.ctx = ctx
        self.req = req
        self.handler: TaskHandler | None = None

    def __call__(self, request: TaskRequest) -> TaskOutcome:
        if self.handler is None:
            from pytest_sfn.machine import StateMachine
            from pytest_sfn.service.jackson import decode

            definition = decode(self.req["definition"])
            state = resolve_state(definition, self.req.get("stateName")).state
            machine = StateMachine(
                definition, Graph(state.name, {state.name: state}), name=_MACHINE_NAME,
                type="EXPRESS", region=self.ctx.region, account=self.ctx.account,
                role_arn=self.req.get("roleArn"),
            )  # fmt: skip
            self.handler = self.ctx.tasks(machine, None)
        return self.handler(request)
