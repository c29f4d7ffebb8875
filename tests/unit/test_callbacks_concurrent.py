"""Several task tokens pending at once: Parallel branches and inline Map iterations wait
together in an execution begun with ``StateMachine.start()``, as on AWS."""

from __future__ import annotations

import gc
import json
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError

from pytest_sfn import StateMachine, UnmockedTaskError, local_client
from pytest_sfn.engine.callbacks import RunningExecution
from pytest_sfn.errors import ExecutionWaitingError, TaskTokenError

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
SQS = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"


def ask(**extra: Any) -> dict[str, Any]:
    """A callback Task that sends its input and its token."""
    return {
        "Type": "Task",
        "Resource": SQS,
        "Parameters": {"QueueUrl": "q", "MessageBody": {"in.$": "$", "token.$": "$$.Task.Token"}},
        "End": True,
        **extra,
    }


def parallel(*branches: dict[str, Any], **extra: Any) -> StateMachine:
    return StateMachine.from_definition(
        {
            "StartAt": "Fan",
            "States": {
                "Fan": {
                    "Type": "Parallel",
                    "Branches": [
                        {"StartAt": f"B{i}", "States": {f"B{i}": branch}}
                        for i, branch in enumerate(branches)
                    ],
                    "End": True,
                    **extra,
                }
            },
        }
    )


def map_machine(task: dict[str, Any] | None = None, **extra: Any) -> StateMachine:
    return StateMachine.from_definition(
        {
            "StartAt": "Each",
            "States": {
                "Each": {
                    "Type": "Map",
                    "ItemProcessor": {"StartAt": "Ask", "States": {"Ask": task or ask()}},
                    "End": True,
                    **extra,
                }
            },
        }
    )


def fiber_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("pytest-sfn execution")]


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    yield
    gc.collect()
    assert fiber_threads() == []


def types(history: Any) -> list[str]:
    return [e.type for e in getattr(history, "history", history)]


def chains_ok(history: Any) -> None:
    """Ids run 1..n and every previousEventId points back (0 starts a chain)."""
    assert [e.id for e in history] == list(range(1, len(history) + 1))
    assert all(0 <= e.previous_event_id < e.id for e in history)


def chain_of(history: Any, event_id: int) -> list[str]:
    """The event types from ``event_id`` back along its previousEventId chain."""
    by_id = {e.id: e for e in history}
    out = []
    while event_id:
        event = by_id[event_id]
        out.append(event.type)
        event_id = event.previous_event_id
    return out


def inputs(handle: RunningExecution) -> list[Any]:
    return [p.parameters["MessageBody"]["in"] for p in handle.pending]


# --- Parallel -------------------------------------------------------------------------------


def test_two_waiting_branches_are_pending_at_once_and_answered_in_any_order() -> None:
    sm = parallel(ask(), {"Type": "Pass", "Result": "p", "End": True}, ask())
    handle = sm.start({"n": 1})
    assert [p.state_name for p in handle.pending] == ["B0", "B2"]
    assert len(set(handle.pending_tokens)) == 2
    first, second = handle.pending_tokens
    # Both branches ran up to their wait before control came back to the test.
    assert types(handle).count("TaskSubmitted") == 2
    assert "PassStateExited" in types(handle)

    handle.send_task_success(second, "two")
    assert handle.pending_tokens == [first] and handle.running
    handle.send_task_success(first, "one")

    execution = handle.execution
    assert execution.status == "SUCCEEDED"
    assert execution.output == ["one", "p", "two"]  # branch order, not answer order
    history = execution.history
    chains_ok(history)
    # Each branch keeps its own chain back to ParallelStateStarted.
    succeeded = [e for e in history if e.type == "TaskSucceeded"]
    assert len(succeeded) == 2
    for event in succeeded:
        chain = chain_of(history, event.id)
        assert chain[:4] == ["TaskSucceeded", "TaskSubmitted", "TaskStarted", "TaskScheduled"]
        assert chain[4:] == ["TaskStateEntered", "ParallelStateStarted", "ParallelStateEntered"]
    # ParallelStateSucceeded after every branch ended, linked to the last branch event.
    done = next(e for e in history if e.type == "ParallelStateSucceeded")
    assert done.id > max(e.id for e in history if e.type == "TaskStateExited")
    assert history[done.previous_event_id - 1].type == "TaskStateExited"


def test_a_run_without_waits_records_what_execute_records() -> None:
    sm = parallel(ask(), ask())
    answers = {"B0": "a", "B1": "b"}
    handle = sm.start({}, results=answers)
    assert not handle.running
    assert handle.execution.history == sm.execute({}, results=answers).history


def test_a_failing_branch_aborts_the_waiting_ones() -> None:
    sm = parallel(ask(), ask(), ask())
    handle = sm.start({})
    first, second, third = handle.pending_tokens
    handle.send_task_failure(second, "Rejected", "no")

    execution = handle.execution
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "Rejected", "no")
    history = execution.history
    chains_ok(history)
    tail = types(history)[types(history).index("TaskFailed") :]
    # The failed branch, then the others aborted in branch order, then the Parallel fails.
    assert tail == [
        "TaskFailed", "TaskStateAborted", "TaskStateAborted", "ParallelStateFailed",
        "ExecutionFailed",
    ]  # fmt: skip
    aborted = [e for e in history if e.type == "TaskStateAborted"]
    assert all(history[e.previous_event_id - 1].type == "TaskSubmitted" for e in aborted)
    assert not any(e.type in ("TaskTimedOut", "TaskSucceeded") for e in history)
    # The aborted tasks are closed: their tokens are no longer accepted.
    for token in (first, third):
        with pytest.raises(TaskTokenError) as raised:
            handle.send_task_success(token, {})
        assert raised.value.code == "TaskTimedOut"


def test_a_caught_branch_failure_still_aborts_the_siblings() -> None:
    sm = StateMachine.from_definition(
        {
            "StartAt": "Fan",
            "States": {
                "Fan": {
                    "Type": "Parallel",
                    "Branches": [
                        {"StartAt": "A", "States": {"A": ask()}},
                        {"StartAt": "B", "States": {"B": ask()}},
                    ],
                    "Catch": [
                        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Handled"}
                    ],
                    "End": True,
                },
                "Handled": {"Type": "Pass", "End": True},
            },
        }
    )
    handle = sm.start({})
    handle.send_task_failure(handle.pending_tokens[0], "Boom")
    execution = handle.execution
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"error": {"Error": "Boom", "Cause": None}}
    assert types(execution).count("TaskStateAborted") == 1


# --- Map ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("max_concurrency", "waiting"),
    [(None, [3, 2, 1]), (0, [3, 2, 1]), (1, [1, 1, 1]), (2, [2, 2, 1]), (5, [3, 2, 1])],
)
def test_map_iterations_wait_together_up_to_max_concurrency(
    max_concurrency: int | None, waiting: list[int]
) -> None:
    extra: dict[str, Any] = {} if max_concurrency is None else {"MaxConcurrency": max_concurrency}
    handle = map_machine(**extra).start(["a", "b", "c"])
    seen = []
    while handle.running:
        seen.append(len(handle.pending))
        pending = handle.pending[0]  # the one waiting longest
        handle.send_task_success(pending.token, pending.parameters["MessageBody"]["in"].upper())
    assert seen == waiting
    execution = handle.execution
    assert execution.output == ["A", "B", "C"]
    chains_ok(execution.history)
    assert types(execution).count("MapIterationSucceeded") == 3
    assert types(execution)[-3:] == ["MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"]


def test_map_outputs_stay_in_item_order_whatever_the_answer_order() -> None:
    handle = map_machine().start([1, 2, 3])
    assert inputs(handle) == [1, 2, 3]
    tokens = handle.pending_tokens
    for token, answer in zip(reversed(tokens), ["c", "b", "a"], strict=True):
        handle.send_task_success(token, answer)
    execution = handle.execution
    assert execution.output == ["a", "b", "c"]
    history = execution.history
    finished = [e.details["index"] for e in history if e.type == "MapIterationSucceeded"]
    assert finished == [2, 1, 0]  # recorded as they happen
    last = next(e for e in history if e.type == "MapStateSucceeded")
    assert history[last.previous_event_id - 1].type == "MapIterationSucceeded"
    assert history[last.previous_event_id - 1].details["index"] == 0


def test_a_failing_iteration_aborts_the_waiting_ones() -> None:
    handle = map_machine().start([1, 2, 3])
    handle.send_task_failure(handle.pending_tokens[0], "Bad")
    execution = handle.execution
    assert (execution.status, execution.error) == ("FAILED", "Bad")
    history = execution.history
    chains_ok(history)
    tail = types(history)[types(history).index("TaskFailed") :]
    assert tail == [
        "TaskFailed", "MapIterationFailed",
        "TaskStateAborted", "MapIterationAborted", "TaskStateAborted", "MapIterationAborted",
        "MapStateFailed", "ExecutionFailed",
    ]  # fmt: skip
    assert [e.details for e in history if e.type == "MapIterationAborted"] == [
        {"name": "Each", "index": 1},
        {"name": "Each", "index": 2},
    ]


def test_a_jsonata_map_waits_together_too() -> None:
    sm = StateMachine.from_definition(
        {
            "QueryLanguage": "JSONata",
            "StartAt": "Each",
            "States": {
                "Each": {
                    "Type": "Map",
                    "Items": "{% $states.input.orders %}",
                    "ItemProcessor": {
                        "StartAt": "Ask",
                        "States": {
                            "Ask": {
                                "Type": "Task",
                                "Resource": SQS,
                                "Arguments": {
                                    "QueueUrl": "q",
                                    "MessageBody": {
                                        "in": "{% $states.input %}",
                                        "token": "{% $states.context.Task.Token %}",
                                    },
                                },
                                "Output": "{% $states.result.total %}",
                                "End": True,
                            }
                        },
                    },
                    "End": True,
                }
            },
        }
    )
    handle = sm.start({"orders": ["x", "y"]})
    assert inputs(handle) == ["x", "y"]
    x, y = handle.pending_tokens
    handle.send_task_success(y, {"total": 2})
    handle.send_task_success(x, {"total": 1})
    assert handle.execution.output == [1, 2]


def test_a_map_inside_a_parallel_branch_waits_with_the_other_branch() -> None:
    inner = {
        "Type": "Map",
        "ItemProcessor": {"StartAt": "Ask", "States": {"Ask": ask()}},
        "End": True,
    }
    handle = parallel(ask(), inner).start([1, 2])
    assert [p.state_name for p in handle.pending] == ["B0", "Ask", "Ask"]
    # The inner iteration fails: the inner Map fails, its Parallel branch fails, and the
    # other iteration and the other branch are aborted.
    handle.send_task_failure(handle.pending_tokens[1], "Inner")
    execution = handle.execution
    assert (execution.status, execution.error) == ("FAILED", "Inner")
    kinds = types(execution)
    assert kinds.count("TaskStateAborted") == 2
    assert kinds.count("MapIterationAborted") == 1
    assert kinds.index("MapStateFailed") < kinds.index("ParallelStateFailed")
    chains_ok(execution.history)


# --- time: timeouts, heartbeats, the execution timeout ----------------------------------------


def test_advance_times_out_one_of_several_pending_tasks_at_its_exact_time() -> None:
    task = ask(
        HeartbeatSeconds=10,
        TimeoutSeconds=100,
        Catch=[{"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "Late"}],
    )
    del task["End"]
    task["Next"] = "Done"
    sm = StateMachine.from_definition(
        {
            "StartAt": "Each",
            "States": {
                "Each": {
                    "Type": "Map",
                    "ItemProcessor": {
                        "StartAt": "Ask",
                        "States": {
                            "Ask": task,
                            "Late": {"Type": "Pass", "Result": "late", "End": True},
                            "Done": {"Type": "Pass", "End": True},
                        },
                    },
                    "End": True,
                }
            },
        }
    )
    handle = sm.start(["a", "b"], start_time=T0)
    first, second = handle.pending_tokens
    handle.advance(5)
    handle.send_task_heartbeat(second)  # b's heartbeat deadline moves to 15 s
    handle.advance(7)

    [still] = handle.pending
    assert still.token == second
    assert still.waited == 12 and still.deadline == T0 + timedelta(seconds=15)
    [timed_out] = [e for e in handle.history if e.type == "TaskTimedOut"]
    assert timed_out.timestamp == T0 + timedelta(seconds=10)
    assert timed_out.details["error"] == "States.Timeout"

    handle.send_task_success(second, "b!")
    execution = handle.execution
    assert execution.output == ["late", "b!"]
    assert execution.stop_time == T0 + timedelta(seconds=12)
    chains_ok(execution.history)


def test_deadlines_fire_in_time_order_across_branches() -> None:
    def timing_out(seconds: int) -> dict[str, Any]:
        task = ask(
            TimeoutSeconds=seconds,
            Catch=[{"ErrorEquals": ["States.Timeout"], "Next": f"Gone{seconds}"}],
            Next=f"Gone{seconds}",
        )
        del task["End"]
        return task

    definition = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": f"Ask{seconds}",
                        "States": {
                            f"Ask{seconds}": timing_out(seconds),
                            f"Gone{seconds}": {"Type": "Pass", "Result": seconds, "End": True},
                        },
                    }
                    for seconds in (30, 10, 20)
                ],
                "End": True,
            }
        },
    }
    handle = StateMachine.from_definition(definition).start({}, start_time=T0)
    handle.advance(25)
    assert [p.parameters["QueueUrl"] for p in handle.pending] == ["q"]
    assert [p.timeout_seconds for p in handle.pending] == [30]
    timed_out = [e.timestamp for e in handle.history if e.type == "TaskTimedOut"]
    assert timed_out == [T0 + timedelta(seconds=10), T0 + timedelta(seconds=20)]
    assert handle.pending[0].waited == 25
    handle.advance(5)
    execution = handle.execution
    assert execution.output == [30, 10, 20]
    assert execution.stop_time == T0 + timedelta(seconds=30)
    chains_ok(execution.history)


def test_the_first_task_timeout_fails_the_parallel_and_aborts_the_others() -> None:
    sm = parallel(ask(TimeoutSeconds=30), ask(TimeoutSeconds=10))
    handle = sm.start({}, start_time=T0)
    handle.advance(60)
    execution = handle.execution
    assert (execution.status, execution.error) == ("FAILED", "States.Timeout")
    [timed_out] = [e for e in execution.history if e.type == "TaskTimedOut"]
    assert timed_out.timestamp == T0 + timedelta(seconds=10)
    assert types(execution).count("TaskStateAborted") == 1


def test_the_execution_timeout_ends_every_waiting_branch() -> None:
    sm = StateMachine.from_definition(
        {
            "TimeoutSeconds": 50,
            "StartAt": "Fan",
            "States": {
                "Fan": {
                    "Type": "Parallel",
                    "Branches": [
                        {"StartAt": "A", "States": {"A": ask()}},
                        {"StartAt": "B", "States": {"B": ask()}},
                    ],
                    "End": True,
                }
            },
        }
    )
    handle = sm.start({}, start_time=T0)
    assert len(handle.pending) == 2
    execution = handle.wait()
    assert execution.status == "TIMED_OUT"
    assert execution.stop_time == T0 + timedelta(seconds=50)
    assert types(execution)[-1] == "ExecutionTimedOut"
    assert "TaskStateAborted" not in types(execution)


def test_wait_names_every_task_that_waits_without_a_deadline() -> None:
    handle = parallel(ask(), ask()).start({})
    a, b = handle.pending_tokens
    with pytest.raises(ExecutionWaitingError) as raised:
        handle.wait()
    assert a in str(raised.value) and b in str(raised.value)
    handle.stop()


# --- stop, redrive, threads, determinism -------------------------------------------------------


def test_stop_aborts_every_waiting_branch_and_a_redrive_resumes_each() -> None:
    handle = map_machine().start([1, 2, 3])
    handle.send_task_success(handle.pending_tokens[1], "two")
    aborted = handle.stop("Stop", "by test")
    assert (aborted.status, aborted.error, aborted.cause) == ("ABORTED", "Stop", "by test")
    assert handle.pending == [] and not handle.running
    assert types(aborted)[-1] == "ExecutionAborted"
    assert "TaskStateAborted" not in types(aborted)
    assert fiber_threads() == []

    again = aborted.start_redrive()
    assert inputs(again) == [1, 3]  # iteration 1 succeeded before the stop: kept
    for token, answer in zip(again.pending_tokens, ["one", "three"], strict=True):
        again.send_task_success(token, answer)
    done = again.execution
    assert done.status == "SUCCEEDED" and done.output == ["one", "two", "three"]
    chains_ok(done.history)


def test_forgotten_executions_with_several_waits_leave_no_threads() -> None:
    handle = map_machine().start(list(range(5)))
    assert len(handle.pending) == 5
    assert len(fiber_threads()) == 1 + 5  # the execution and its five iterations
    del handle
    gc.collect()
    assert fiber_threads() == []


def scenario(seed: int) -> Any:
    handle = parallel(ask(TimeoutSeconds=40), map_machine_state()).start(
        [1, 2], seed=seed, start_time=T0
    )
    tokens = handle.pending_tokens
    handle.send_task_success(tokens[2], "x")
    handle.advance(3)
    handle.send_task_failure(tokens[1], "Nope")
    return handle.wait()


def map_machine_state() -> dict[str, Any]:
    asking = ask(Catch=[{"ErrorEquals": ["Nope"], "Next": "Caught"}], Next="Ok")
    del asking["End"]
    return {
        "Type": "Map",
        "ItemProcessor": {
            "StartAt": "Ask",
            "States": {
                "Ask": asking,
                "Caught": {"Type": "Pass", "Result": "caught", "End": True},
                "Ok": {"Type": "Pass", "End": True},
            },
        },
        "End": True,
    }


def test_same_seed_and_same_actions_give_the_same_history() -> None:
    first, second = scenario(7), scenario(7)
    assert first.history == second.history
    assert first.task_calls == second.task_calls
    # Map: item 2 answered "x", item 1 failed with Nope (caught); then B0 timed out at 40 s.
    assert first.status == "FAILED" and first.error == "States.Timeout"
    chains_ok(first.history)
    assert scenario(8).history != first.history  # other tokens


# --- the local client -------------------------------------------------------------------------


def test_the_local_client_answers_any_of_several_pending_tokens() -> None:
    client = local_client()
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "Ask", "States": {"Ask": ask()}},
                "End": True,
            }
        },
    }
    arn = client.create_state_machine(
        name="fan",
        definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/sfn-role",
    )["stateMachineArn"]
    execution = client.start_execution(stateMachineArn=arn, input=json.dumps(["a", "b", "c"]))
    execution_arn = execution["executionArn"]
    events = client.get_execution_history(executionArn=execution_arn)["events"]
    tokens = [
        json.loads(e["taskScheduledEventDetails"]["parameters"])["MessageBody"]["token"]
        for e in events
        if e["type"] == "TaskScheduled"
    ]
    assert len(tokens) == 3
    assert client.describe_execution(executionArn=execution_arn)["status"] == "RUNNING"
    client.send_task_success(taskToken=tokens[2], output=json.dumps("C"))
    client.send_task_success(taskToken=tokens[0], output=json.dumps("A"))
    with pytest.raises(ClientError):
        client.send_task_success(taskToken=tokens[0], output="{}")  # already answered
    assert client.describe_execution(executionArn=execution_arn)["status"] == "RUNNING"
    client.send_task_success(taskToken=tokens[1], output=json.dumps("B"))
    described = client.describe_execution(executionArn=execution_arn)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == ["A", "B", "C"]


# --- Distributed Map: child executions still run one after another -----------------------------


def test_a_distributed_map_child_waits_alone_and_keeps_its_own_history() -> None:
    distributed = {
        "Type": "Map",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Child",
            "States": {"Child": ask()},
        },
        "End": True,
    }
    handle = parallel(distributed, ask()).start([1, 2])
    # The first child execution waits; the other branch waits at the same time.
    assert [p.state_name for p in handle.pending] == ["Child", "B1"]
    # Neither the child's events nor the other branch's leak into the wrong history.
    parent_types = types(handle)
    assert "TaskStateEntered" in parent_types  # B1's task
    assert parent_types.count("TaskSubmitted") == 1
    handle.send_task_success(handle.pending_tokens[0], "c1")
    assert [p.state_name for p in handle.pending] == ["B1", "Child"]  # the second child
    handle.send_task_success(handle.pending_tokens[1], "c2")
    handle.send_task_success(handle.pending_tokens[0], "b1")
    execution = handle.execution
    assert execution.output == [["c1", "c2"], "b1"]
    assert types(execution).count("TaskSubmitted") == 1  # only B1's, in the parent history
    chains_ok(execution.history)


# --- errors of the test and the history limit unwind every branch ------------------------------


def test_an_unmocked_task_in_one_branch_raises_and_unwinds_the_waiting_ones() -> None:
    unmocked = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}
    sm = parallel(ask(), ask(), unmocked)
    with pytest.raises(UnmockedTaskError, match="B2"):
        sm.start({})
    assert fiber_threads() == []


def test_the_history_limit_reached_in_one_branch_fails_the_execution() -> None:
    handle = map_machine().start([1, 2, 3], history_limit=12)
    execution = handle.execution
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert execution.history_limit_reached
    assert handle.pending == []


def test_activity_tasks_of_several_branches_are_taken_one_by_one() -> None:
    activity = "arn:aws:states:us-east-1:123456789012:activity:review"
    review = {"Type": "Task", "Resource": activity, "End": True}
    handle = parallel(review, review).start({"doc": 1})
    assert [p.kind for p in handle.pending] == ["activity", "activity"]
    first = handle.get_activity_task(activity, "w1")
    second = handle.get_activity_task(activity, "w2")
    assert first["taskToken"] != second["taskToken"]
    assert handle.get_activity_task(activity) == {}
    assert all(p.started for p in handle.pending)
    handle.send_task_success(second["taskToken"], {"by": 2})
    handle.send_task_success(first["taskToken"], {"by": 1})
    execution = handle.execution
    assert execution.output == [{"by": 1}, {"by": 2}]
    workers = [e.details for e in execution.history if e.type == "ActivityStarted"]
    assert workers == [{"workerName": "w1"}, {"workerName": "w2"}]
