"""Callbacks and activities in pytest: ``sfn.start``, ``activities=`` and YAML ``activities:``."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from pytest_sfn.engine.ports import TaskRequest
from pytest_sfn.errors import MockError
from pytest_sfn.model.resource import Resource
from pytest_sfn.plugin.tasks import TaskWiring, activity_arns, how_to_answer

REVIEW_ARN = "arn:aws:states:us-east-1:123456789012:activity:review"

#: Prepare (Lambda) -> Approve (callback) -> Review (activity).
ORDERS = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": "prepare"},
                    "ResultSelector": {"id.$": "$.Payload.id"}, "ResultPath": "$.prep",
                    "Next": "Approve"},
        "Approve": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "Parameters": {"QueueUrl": "https://sqs/q",
                                   "MessageBody": {"token.$": "$$.Task.Token", "id.$": "$.prep.id"}},
                    "HeartbeatSeconds": 60, "TimeoutSeconds": 600,
                    "ResultPath": "$.approval", "Next": "Review"},
        "Review": {"Type": "Task", "Resource": REVIEW_ARN,
                   "Parameters": {"id.$": "$.prep.id"}, "ResultPath": "$.review", "End": True},
    },
}  # fmt: skip

#: One activity Task, caught by name.
REVIEW_ONLY = {
    "StartAt": "Review",
    "States": {
        "Review": {"Type": "Task", "Resource": REVIEW_ARN, "End": True,
                   "Catch": [{"ErrorEquals": ["ValueError"], "ResultPath": "$.err",
                              "Next": "Rejected"}]},
        "Rejected": {"Type": "Fail", "Error": "Rejected", "CausePath": "$.err.Cause"},
    },
}  # fmt: skip

PREPARED = '@pytest.mark.sfn(definition="orders.asl.json", results={"Prepare": {"Payload": {"id": "o-1"}}})'


def write(pytester: pytest.Pytester, name: str, text: str) -> Path:
    path = pytester.path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def orders(pytester: pytest.Pytester) -> Path:
    write(pytester, "review_only.asl.json", json.dumps(REVIEW_ONLY))
    return write(pytester, "orders.asl.json", json.dumps(ORDERS))


def run(pytester: pytest.Pytester, body: str, **outcomes: int) -> pytest.RunResult:
    pytester.makepyfile(
        test_it="import json\nimport threading\n\nimport pytest\n\n" + textwrap.dedent(body)
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(**outcomes)
    return result


# --- pure logic ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("workers", "expected"),
    [
        pytest.param({"review": 1}, {REVIEW_ARN: 1}, id="name"),
        pytest.param({REVIEW_ARN: 2}, {REVIEW_ARN: 2}, id="arn-kept"),
        pytest.param(
            {"a": 1, "arn:aws:states:eu-west-1:111122223333:activity:b": 2},
            {
                "arn:aws:states:us-east-1:123456789012:activity:a": 1,
                "arn:aws:states:eu-west-1:111122223333:activity:b": 2,
            },
            id="mixed",
        ),
        pytest.param({"review": 1, REVIEW_ARN: 2}, {REVIEW_ARN: 2}, id="later-wins"),
        pytest.param({REVIEW_ARN: 2, "review": 1}, {REVIEW_ARN: 1}, id="later-wins-name"),
        pytest.param({}, {}, id="empty"),
    ],
)
def test_activity_arns(workers: dict[str, Any], expected: dict[str, Any]) -> None:
    assert activity_arns(workers, "us-east-1", "123456789012") == expected


def test_activity_arns_rejects() -> None:
    with pytest.raises(MockError, match="is not an activity ARN"):
        activity_arns(
            {"arn:aws:lambda:us-east-1:123456789012:function:f": 1}, "us-east-1", "123456789012"
        )


def _request(arn: str) -> TaskRequest:
    return TaskRequest(state_name="S", resource=Resource.parse(arn), parameters={}, context={})


@pytest.mark.parametrize(
    ("arn", "present", "absent"),
    [
        pytest.param(
            REVIEW_ARN,
            ["`activities: {review: package.module:function}` in YAML",
             "activities={'review': worker}", "sfn.start()", "get_activity_task"],
            ["lambdas", "send_task_failure"],
            id="activity",
        ),
        pytest.param(
            "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            ["sfn.start() instead of sfn.execute()", "send_task_success(token, output)"],
            ["activities"],
            id="callback",
        ),
        pytest.param(
            "arn:aws:states:::lambda:invoke.waitForTaskToken",
            ["lambdas={", "sfn.start() instead of sfn.execute()"],
            ["activities"],
            id="lambda-callback",
        ),
        pytest.param(
            "arn:aws:states:::lambda:invoke",
            ["lambdas={"],
            ["activities", "sfn.start()"],
            id="plain-lambda",
        ),
    ],
)  # fmt: skip
def test_how_to_answer(arn: str, present: list[str], absent: list[str]) -> None:
    text = how_to_answer(_request(arn), TaskWiring())
    for part in present:
        assert part in text
    for part in absent:
        assert part not in text


def test_how_to_answer_lists_registered_workers() -> None:
    other = "arn:aws:states:us-east-1:123456789012:activity:other"
    text = how_to_answer(_request(REVIEW_ARN), TaskWiring(activities={other: print}))
    assert f"(registered: {other})" in text


# --- sfn.start --------------------------------------------------------------------------------


def test_start_waits_for_callback_and_joins_executions(
    pytester: pytest.Pytester, orders: Path
) -> None:
    run(
        pytester,
        f"""
        {PREPARED}
        def test_it(sfn):
            handle = sfn.start({{"order": 1}}, activities={{"review": lambda doc: {{"ok": doc}}}})
            assert handle.status == "RUNNING"
            [pending] = handle.pending
            assert pending.state_name == "Approve" and pending.kind == "callback"
            assert handle.pending_tokens == [pending.token]
            assert pending.parameters["MessageBody"] == {{"token": pending.token, "id": "o-1"}}
            assert sfn.executions == []  # still running
            handle.send_task_success(pending.token, {{"approved": True}})
            assert handle.status == "SUCCEEDED"
            assert sfn.executions == [handle.execution]
            assert handle.execution.output == {{
                "order": 1, "prep": {{"id": "o-1"}}, "approval": {{"approved": True}},
                "review": {{"ok": {{"id": "o-1"}}}},
            }}
        """,
        passed=1,
    )


def test_start_heartbeat_timeout_via_advance(pytester: pytest.Pytester, orders: Path) -> None:
    run(
        pytester,
        f"""
        {PREPARED}
        def test_it(sfn):
            handle = sfn.start()
            token = handle.pending_tokens[0]
            handle.advance(30)
            handle.send_task_heartbeat(token)
            handle.advance(59)              # 89 s in, 59 s after the heartbeat
            assert handle.running
            handle.advance(1)               # the heartbeat timeout fires
            assert not handle.running
            execution = sfn.executions[-1]
            assert (execution.status, execution.error) == ("FAILED", "States.Timeout")
            assert execution.events("TaskTimedOut")
        """,
        passed=1,
    )


def test_unanswered_activity_waits_in_start(pytester: pytest.Pytester, orders: Path) -> None:
    run(
        pytester,
        f"""
        {PREPARED}
        def test_it(sfn):
            handle = sfn.start(results={{"Approve": {{"approved": True}}}})
            [pending] = handle.pending
            assert (pending.kind, pending.resource, pending.started) == (
                "activity", "{REVIEW_ARN}", False)
            task = handle.get_activity_task("{REVIEW_ARN}", "worker-1")
            assert json.loads(task["input"]) == {{"id": "o-1"}}
            handle.send_task_success(task["taskToken"], {{"score": 9}})
            execution = sfn.executions[-1]
            assert execution.output["review"] == {{"score": 9}}
            assert execution.events("ActivityStarted")[0].details == {{"workerName": "worker-1"}}
        """,
        passed=1,
    )


def test_start_redrive_waits_again(pytester: pytest.Pytester, orders: Path) -> None:
    run(
        pytester,
        f"""
        {PREPARED}
        def test_it(sfn):
            first = sfn.start(activities={{"review": lambda doc: "ok"}})
            first.send_task_failure(first.pending_tokens[0], "Rejected", "no")
            assert first.status == "FAILED"
            again = sfn.start_redrive(first.execution, activities={{"review": lambda doc: "ok"}})
            assert [p.state_name for p in again.pending] == ["Approve"]
            again.send_task_success(again.pending_tokens[0], {{"approved": True}})
            redriven = again.execution
            assert (redriven.status, redriven.redrive_count) == ("SUCCEEDED", 1)
            assert redriven.output["review"] == "ok"
            assert sfn.executions == [first.execution, redriven]
        """,
        passed=1,
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(
            "sfn.start(tasks=lambda request: None, results={'Prepare': 1})",
            "sfn.start(): pass tasks= or mocks=/results=/integrations, not both",
            id="tasks-and-results",
        ),
        pytest.param(
            "sfn.start(activities=[1])",
            "sfn.start(activities=...) must be a mapping of activity name or ARN",
            id="activities-type",
        ),
        pytest.param(
            "sfn.start(activities={'arn:aws:lambda:us-east-1:123456789012:function:f': print})",
            "is not an activity ARN",
            id="activities-key",
        ),
    ],
)
def test_start_rejects(pytester: pytest.Pytester, orders: Path, call: str, message: str) -> None:
    result = run(
        pytester,
        f"""
        {PREPARED}
        def test_it(sfn):
            {call}
        """,
        failed=1,
    )
    assert message in result.stdout.str()


def test_start_unmocked_task_that_cannot_wait(pytester: pytest.Pytester, orders: Path) -> None:
    result = run(
        pytester,
        """
        @pytest.mark.sfn(definition="orders.asl.json")
        def test_it(sfn):
            sfn.start()
        """,
        failed=1,
    )
    result.stdout.fnmatch_lines(["*UnmockedTaskError: Task state 'Prepare'*has no mock*"])
    assert "callbacks.py" not in result.stdout.str()


# --- teardown ---------------------------------------------------------------------------------


def test_teardown_closes_waiting_executions(pytester: pytest.Pytester, orders: Path) -> None:
    run(
        pytester,
        f"""
        seen = {{}}

        {PREPARED}
        def test_leaves_one_waiting(sfn):
            seen["threads"] = threading.active_count()
            seen["handles"] = [sfn.start(), sfn.start(name="second")]
            assert threading.active_count() == seen["threads"] + 2
            assert all(h.running for h in seen["handles"])

        def test_after():
            assert threading.active_count() == seen["threads"]
            assert [h.status for h in seen["handles"]] == ["ABORTED", "ABORTED"]
            assert not any(h.running for h in seen["handles"])
        """,
        passed=2,
    )


def test_unused_mocks_of_a_started_execution_are_reported(
    pytester: pytest.Pytester, orders: Path
) -> None:
    result = run(
        pytester,
        """
        @pytest.mark.sfn(definition="orders.asl.json")
        def test_it(sfn, sfn_mocks):
            sfn_mocks.state("Prepare").returns({"Payload": {"id": "a"}}).then_returns(
                {"Payload": {"id": "b"}})
            handle = sfn.start()
            assert handle.pending[0].state_name == "Approve"
        """,
        passed=1,
        errors=1,
    )
    result.stdout.fnmatch_lines(["*1 mock response was never used*", "*Prepare*"])


# --- activities -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [pytest.param("'review'", id="name"), pytest.param(f"'{REVIEW_ARN}'", id="arn")],
)
@pytest.mark.parametrize(
    ("worker", "outcome"),
    [
        pytest.param("lambda doc: {'seen': doc}", "passed", id="callable"),
        pytest.param("'workers:approve'", "passed", id="module-function"),
        pytest.param("reject", "rejected", id="raises"),
    ],
)
def test_activity_worker_via_marker(
    pytester: pytest.Pytester, orders: Path, key: str, worker: str, outcome: str
) -> None:
    write(pytester, "workers.py", "def approve(doc):\n    return {'seen': doc}\n")
    run(
        pytester,
        f"""
        def reject(doc):
            raise ValueError("too long")

        @pytest.mark.sfn(definition="review_only.asl.json", activities={{{key}: {worker}}})
        def test_it(sfn):
            execution = sfn.execute({{"doc": 1}})
            if "{outcome}" == "passed":
                assert execution.output == {{"seen": {{"doc": 1}}}}
            else:
                assert (execution.error, execution.cause) == ("Rejected", "too long")
        """,
        passed=1,
    )


def test_execute_activities_over_the_markers(pytester: pytest.Pytester, orders: Path) -> None:
    run(
        pytester,
        """
        @pytest.mark.sfn(definition="review_only.asl.json", activities={"review": lambda d: 1})
        def test_it(sfn):
            assert sfn.execute().output == 1
            assert sfn.execute(activities={"review": lambda d: 2}).output == 2
        """,
        passed=1,
    )


def test_unmocked_activity_in_execute_names_the_options(
    pytester: pytest.Pytester, orders: Path
) -> None:
    result = run(
        pytester,
        """
        @pytest.mark.sfn(definition="review_only.asl.json")
        def test_it(sfn):
            sfn.execute()
        """,
        failed=1,
    )
    result.stdout.fnmatch_lines(
        [
            "*UnmockedTaskError: Task state 'Review'*has no mock*",
            "*`activities: {review: package.module:function}` in YAML, or "
            "activities={'review': worker} on @pytest.mark.sfn or sfn.execute*sfn.start()*",
        ]
    )


def test_unmocked_callback_in_execute_points_to_start(
    pytester: pytest.Pytester, orders: Path
) -> None:
    result = run(
        pytester,
        f"""
        {PREPARED}
        def test_it(sfn):
            sfn.execute()
        """,
        failed=1,
    )
    result.stdout.fnmatch_lines(
        ["*Task state 'Approve'*", "*Or begin the execution with sfn.start() instead of*"]
    )


def test_activity_workers_in_yaml(pytester: pytest.Pytester, orders: Path) -> None:
    write(
        pytester,
        "workers.py",
        """
        def approve(doc):
            return {"by": "file", "doc": doc}

        def strict(doc):
            raise ValueError("scenario worker")
        """,
    )
    write(
        pytester,
        "review.sfn.yaml",
        """
        state_machine: review_only.asl.json
        activities:
          review: workers:approve
        scenarios:
          - name: file worker
            input: {n: 1}
            expect: {status: SUCCEEDED, output: {by: file, doc: {n: 1}}}
          - name: scenario worker
            activities:
              arn:aws:states:us-east-1:123456789012:activity:review: workers:strict
            expect: {status: FAILED, error: Rejected, cause: scenario worker}
        """,
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=2)


def test_yaml_activity_worker_that_cannot_be_imported(
    pytester: pytest.Pytester, orders: Path
) -> None:
    write(
        pytester,
        "review.sfn.yaml",
        """
        state_machine: review_only.asl.json
        activities: {review: nowhere_module:approve}
        scenarios:
          - name: s
            expect: {status: SUCCEEDED}
        """,
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*cannot import module 'nowhere_module' for activity*activity:review*"]
    )


def test_yaml_activities_schema(pytester: pytest.Pytester, orders: Path) -> None:
    write(
        pytester,
        "review.sfn.yaml",
        """
        state_machine: review_only.asl.json
        activities: {review: not-a-function-spec}
        scenarios:
          - name: s
        """,
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*review.sfn.yaml:3: /activities/review:*"])


@pytest.mark.parametrize("method", ["start", "execute"])
def test_a_malformed_integration_names_the_method_used(
    pytester: pytest.Pytester, method: str
) -> None:
    pytester.makepyfile(
        f"""
        import pytest
        from pytest_sfn import StateMachine

        PASS = StateMachine.from_definition({{"StartAt": "P", "States": {{"P": {{"Type": "Pass", "End": True}}}}}})

        def test_it(sfn):
            with pytest.raises(TypeError, match=r"sfn\\.{method}\\(activities="):
                sfn.{method}(PASS, activities=[1])
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
