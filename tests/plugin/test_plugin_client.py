"""``sfn_client`` and ``local_client(tasks=...)``: client executions answered by the test's mocks."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_sfn import StateMachine, TaskOutcome, TaskRequest, local_client
from pytest_sfn.errors import MockError
from pytest_sfn.service.backend import SfnBackend

DEFINITION = json.dumps(
    {
        "StartAt": "Charge",
        "States": {
            "Charge": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}
        },
    }
)
ROLE = "arn:aws:iam::123456789012:role/r"


def create(client: Any, name: str = "Orders") -> str:
    arn: str = client.create_state_machine(name=name, definition=DEFINITION, roleArn=ROLE)[
        "stateMachineArn"
    ]
    return arn


def run(client: Any, arn: str, **kwargs: Any) -> dict[str, Any]:
    started = client.start_execution(stateMachineArn=arn, **kwargs)
    described: dict[str, Any] = client.describe_execution(executionArn=started["executionArn"])
    return described


class TestTaskFactory:
    """``local_client(tasks=factory)``: one handler per execution."""

    def test_factory_gets_the_machine_and_test_case(self) -> None:
        seen: list[tuple[str, str | None]] = []

        def tasks(machine: StateMachine, test_case: str | None) -> Any:
            seen.append((machine.name, test_case))

            def answer(request: TaskRequest) -> TaskOutcome:
                return TaskOutcome(output={"case": test_case, "state": request.state_name})

            return answer

        client = local_client(tasks=tasks)
        arn = create(client)
        assert json.loads(run(client, arn)["output"]) == {"case": None, "state": "Charge"}
        assert json.loads(run(client, arn + "#Happy")["output"]) == {
            "case": "Happy",
            "state": "Charge",
        }
        assert seen == [("Orders", None), ("Orders", "Happy")]

    def test_mock_error_for_a_test_case_is_invalid_name(self) -> None:
        def tasks(machine: StateMachine, test_case: str | None) -> Any:
            raise MockError(f"no test case {test_case!r}")

        client = local_client(tasks=tasks)
        arn = create(client)
        with pytest.raises(client.exceptions.InvalidName) as info:
            client.start_execution(stateMachineArn=arn + "#Nope")
        assert info.value.response["Error"]["Message"] == (
            "Invalid mock test case name 'Nope' for state machine 'Orders': no test case 'Nope'"
        )
        with pytest.raises(MockError, match="no test case None"):
            client.start_execution(stateMachineArn=arn)

    @pytest.mark.parametrize("other", [{"results": {}}, {"mock_config": {"StateMachines": {}}}])
    def test_tasks_excludes_results_and_mock_config(self, other: dict[str, Any]) -> None:
        with pytest.raises(ValueError, match="pass tasks= or results=/mock_config=, not both"):
            local_client(tasks=lambda machine, case: lambda request: TaskOutcome(), **other)

    def test_tasks_ignores_the_sfn_mock_config_variable(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("SFN_MOCK_CONFIG", "/does/not/exist.json")
        client = local_client(tasks=lambda machine, case: lambda request: TaskOutcome(output=1))
        assert run(client, create(client))["output"] == "1"

    def test_clients_without_tasks_are_unchanged(self) -> None:
        backend = SfnBackend()
        plain = local_client(backend=backend, results={"Charge": 2})
        assert run(plain, create(plain))["output"] == "2"


def test_sfn_client_uses_the_test_mocks(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        f"""
        import json
        import pytest

        DEFINITION = {DEFINITION!r}
        ROLE = {ROLE!r}

        def start(client, name="Orders"):
            arn = client.create_state_machine(name=name, definition=DEFINITION, roleArn=ROLE)["stateMachineArn"]
            run = client.start_execution(stateMachineArn=arn)
            return client.describe_execution(executionArn=run["executionArn"])

        def test_builder(sfn_client, sfn_mocks):
            sfn_mocks.state("Charge").returns({{"paid": True}})
            assert json.loads(start(sfn_client)["output"]) == {{"paid": True}}

        @pytest.mark.sfn(mocks={{"Charge": {{"throw": {{"error": "Card.Declined", "cause": "no"}}}}}})
        def test_marker_mocks(sfn_client):
            described = start(sfn_client)
            assert (described["status"], described["error"]) == ("FAILED", "Card.Declined")

        @pytest.mark.sfn(results={{"Charge": 3}})
        def test_marker_results(sfn_client):
            assert start(sfn_client)["output"] == "3"

        def test_unmocked_task_fails_the_execution(sfn_client):
            described = start(sfn_client)
            assert described["error"] == "pytest_sfn.UnmockedTask"
            assert "No state is mocked" in described["cause"]

        def test_client_executions_count_for_unused_mocks(sfn_client, sfn_mocks):
            sfn_mocks.state("Charge").returns(1).then_returns(2)
            start(sfn_client)

        def test_unknown_mocked_state(sfn_client, sfn_mocks):
            sfn_mocks.state("Charge").returns(1)
            sfn_mocks.state("Chrage").returns(1)
            start(sfn_client)

        def test_same_harness(sfn, sfn_client, sfn_mocks):
            sfn_mocks.state("Charge").returns(5)
            start(sfn_client)
            assert [e.output for e in sfn.all_executions()] == [5]
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=6, failed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*_ ERROR at teardown of test_client_executions_count_for_unused_mocks _*",
            "1 mock response was never used *",
            "  - Charge response #2 (test_sfn_client_uses_the_test_mocks.py:*) was never used",
        ],
        consecutive=True,
    )
    result.stdout.fnmatch_lines(
        [
            "E       pytest_sfn.errors.MockError: test_sfn_client_uses_the_test_mocks.py:*: a mock "
            "names Task state 'Chrage', which is not in the state machine (did you mean 'Charge'?)"
        ]
    )
