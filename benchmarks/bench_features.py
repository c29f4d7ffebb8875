"""Benchmarks of TestState, redrive and callbacks: ``python benchmarks/bench_features.py``.

Prints medians with a PASS/MISS line per target:

(h) ``run_state`` of a Task with a mocked error, Retry and Catch, at DEBUG level;
(i) the same through the local client's ``test_state``;
(j) ``Execution.redrive`` of a 6-state execution that failed at its fifth state, and the
    transitions it saved compared with a fresh execution;
(k) a callback round trip: ``StateMachine.start`` until the ``.waitForTaskToken`` Task
    waits, then ``send_task_success`` until the execution ends;
(l) a fan-out: a Map over 100 items whose Task waits for a token (100 tokens pending at
    once), every token answered.

Targets: (h) < 1 ms; (i) < 5 ms; (j) < 1 ms; (k) < 5 ms; (l) < 200 ms. Performance is measured here,
never by timed tests.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bench_engine import fake_aws_environment, timed, verdict

from pytest_sfn import StateMachine, Throw, local_client, run_state

ROLE_ARN = "arn:aws:iam::123456789012:role/bench"

CHARGE: dict[str, Any] = {
    "Type": "Task",
    "Resource": "arn:aws:states:::lambda:invoke",
    "Parameters": {"FunctionName": "charge", "Payload.$": "$"},
    "ResultSelector": {"chargeId.$": "$.Payload.chargeId"},
    "ResultPath": "$.charge",
    "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "MaxAttempts": 3}],
    "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Refund"}],
    "Next": "Ship",
}
MOCK = {"errorOutput": {"error": "Payment.Declined", "cause": "card refused"}}

PIPELINE: dict[str, Any] = {
    "StartAt": "A",
    "States": {
        "A": {"Type": "Pass", "Result": {"n": 1}, "Next": "B"},
        "B": {"Type": "Pass", "Next": "C"},
        "C": {"Type": "Pass", "Next": "D"},
        "D": {"Type": "Pass", "Next": "E"},
        "E": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "F"},
        "F": {"Type": "Pass", "End": True},
    },
}

CALLBACK: dict[str, Any] = {
    "StartAt": "Approve",
    "States": {
        "Approve": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
            "TimeoutSeconds": 3600,
            "Next": "Done",
        },
        "Done": {"Type": "Pass", "End": True},
    },
}


def bench_run_state(runs: int) -> float:
    return timed(
        lambda: run_state(CHARGE, input={"amount": 3}, mock=MOCK, inspection_level="DEBUG"),
        runs,
    )


def bench_client_test_state(runs: int) -> float:
    client = local_client()
    definition = json.dumps(CHARGE)
    return timed(
        lambda: client.test_state(
            definition=definition,
            input='{"amount": 3}',
            inspectionLevel="DEBUG",
            mock={"errorOutput": MOCK["errorOutput"]},
        ),
        runs,
    )


def bench_redrive(runs: int) -> tuple[float, int, int]:
    machine = StateMachine.from_definition(PIPELINE, role_arn=ROLE_ARN)
    failed = machine.execute({}, results={"E": Throw("Lambda.ServiceException", "down")})
    fixed = {"E": {"StatusCode": 200, "Payload": {}}}
    seconds = timed(lambda: failed.redrive(results=fixed), runs)
    redriven = failed.redrive(results=fixed)
    fresh = machine.execute({}, results=fixed)
    return seconds, redriven.redrive_transitions, len(fresh.path)


def bench_callback(runs: int) -> float:
    machine = StateMachine.from_definition(CALLBACK, role_arn=ROLE_ARN)

    def round_trip() -> None:
        running = machine.start({"orderId": "o-1"})
        running.send_task_success(running.pending_tokens[0], {"approved": True})
        assert running.wait().status == "SUCCEEDED"

    return timed(round_trip, runs)


FAN_OUT: dict[str, Any] = {
    "StartAt": "Approvals",
    "States": {
        "Approvals": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {
                "StartAt": "Approve",
                "States": {
                    "Approve": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                        "Parameters": {"QueueUrl": "q", "MessageBody": {"t.$": "$$.Task.Token"}},
                        "End": True,
                    }
                },
            },
            "End": True,
        }
    },
}


def bench_fan_out(runs: int, items: int = 100) -> float:
    machine = StateMachine.from_definition(FAN_OUT, role_arn=ROLE_ARN)

    def fan_out() -> None:
        running = machine.start({"items": list(range(items))})
        tokens = running.pending_tokens
        assert len(tokens) == items
        for token in tokens:
            running.send_task_success(token, {"approved": True})
        assert running.wait().status == "SUCCEEDED"

    return timed(fan_out, runs, warmup=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300, help="runs of each benchmark")
    args = parser.parse_args(argv)
    fake_aws_environment()
    print(f"pytest-sfn feature benchmarks (Python {sys.version.split()[0]}); medians\n")

    h = bench_run_state(args.runs)
    i = bench_client_test_state(args.runs)
    j, redriven, fresh = bench_redrive(args.runs)
    k = bench_callback(args.runs)
    fan_out = bench_fan_out(max(3, args.runs // 30))

    print(f"(h) run_state, Task + Retry + Catch, DEBUG  {h * 1e3:8.3f} ms")
    print(f"(i) local_client test_state, same          {i * 1e3:8.3f} ms")
    print(
        f"(j) redrive from the 5th of 6 states       {j * 1e3:8.3f} ms "
        f"({redriven} states entered instead of {fresh})"
    )
    print(f"(k) start + send_task_success round trip   {k * 1e3:8.3f} ms")
    print(f"(l) Map fan-out, 100 tokens pending/answered {fan_out * 1e3:6.1f} ms")
    print("\ntargets")
    print(f"  {verdict(h < 1e-3)}  (h) {h * 1e3:.3f} ms  (target < 1 ms)")
    print(f"  {verdict(i < 5e-3)}  (i) {i * 1e3:.3f} ms  (target < 5 ms)")
    print(f"  {verdict(j < 1e-3)}  (j) {j * 1e3:.3f} ms  (target < 1 ms)")
    print(f"  {verdict(k < 5e-3)}  (k) {k * 1e3:.3f} ms  (target < 5 ms)")
    print(f"  {verdict(fan_out < 0.2)}  (l) {fan_out * 1e3:.1f} ms  (target < 200 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
