"""Engine benchmarks: ``python benchmarks/bench_engine.py``.

Measures, once, and prints medians with a PASS/MISS line per target:

(a) a 3-state Pass/Choice machine through ``StateMachine.execute``;
(b) the same through ``pytest_sfn.local_client()`` (``start_execution`` + ``describe_execution``);
(c) the same through moto's Step Functions engine (when moto is installed);
(d) a Choice/Pass counter loop (``States.MathAdd``) of about 10,000 transitions (and, for
    information, a chain of 10,000 Pass states);
(e) an inline Map over 10,000 items (time, and peak memory with tracemalloc);
(f) the JSONata twin of (a), and (g) the JSONata twin of (e).

Targets: (a) >= 200x faster than (c); (b) >= 20x faster than (c); (d) >= 50,000
transitions/s; (e) < 1 s and < 200 MB; (f) and (g) at most 3x their JSONPath twins. Performance is measured here, never by timed tests.
The whole run takes well under two minutes.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from pytest_sfn import StateMachine

ROLE_ARN = "arn:aws:iam::123456789012:role/bench"

SMALL: dict[str, Any] = {
    "StartAt": "Start",
    "States": {
        "Start": {"Type": "Pass", "Result": {"n": 1}, "Next": "Check"},
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "Done"}],
            "Default": "Done",
        },
        "Done": {"Type": "Pass", "End": True},
    },
}


def counter_loop(iterations: int) -> dict[str, Any]:
    """Check (Choice) and Increment (Pass with States.MathAdd) ``iterations`` times."""
    return {
        "StartAt": "Check",
        "States": {
            "Check": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.i", "NumericLessThan": iterations, "Next": "Increment"}
                ],
                "Default": "Done",
            },
            "Increment": {
                "Type": "Pass",
                "Parameters": {"i.$": "States.MathAdd($.i, 1)"},
                "Next": "Check",
            },
            "Done": {"Type": "Succeed"},
        },
    }


def pass_chain(length: int) -> dict[str, Any]:
    """``length`` Pass states in a row."""
    states: dict[str, Any] = {f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(length)}
    states[f"S{length - 1}"] = {"Type": "Pass", "End": True}
    return {"StartAt": "S0", "States": states}


MAP: dict[str, Any] = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Touch",
                "States": {"Touch": {"Type": "Pass", "End": True}},
            },
            "End": True,
        }
    },
}


def timed(fn: Callable[[], object], runs: int, warmup: int = 3) -> float:
    """Median seconds of ``runs`` calls of ``fn`` after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def fake_aws_environment() -> None:
    # Placeholder values so botocore/moto never look for a real account.
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        os.environ.setdefault(key, value)


SMALL_JSONATA: dict[str, Any] = {
    "QueryLanguage": "JSONata",
    "StartAt": "Start",
    "States": {
        "Start": {"Type": "Pass", "Output": {"n": 1}, "Next": "Check"},
        "Check": {
            "Type": "Choice",
            "Choices": [{"Condition": "{% $states.input.n = 1 %}", "Next": "Done"}],
            "Default": "Done",
        },
        "Done": {"Type": "Pass", "End": True},
    },
}

MAP_JSONATA: dict[str, Any] = {
    "QueryLanguage": "JSONata",
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "Items": "{% $states.input.items %}",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Touch",
                "States": {"Touch": {"Type": "Pass", "Output": "{% $states.input %}", "End": True}},
            },
            "End": True,
        }
    },
}


def bench_python_api(runs: int, definition: dict[str, Any] = SMALL) -> float:
    machine = StateMachine.from_definition(definition, name="Small")
    assert machine.execute({}).status == "SUCCEEDED"
    return timed(lambda: machine.execute({}), runs)


def bench_local_client(runs: int) -> tuple[float | None, str]:
    try:
        import pytest_sfn

        client = pytest_sfn.local_client(region_name="us-east-1")
        arn = client.create_state_machine(
            name="Small", definition=json.dumps(SMALL), roleArn=ROLE_ARN
        )["stateMachineArn"]
    except Exception as exc:  # the service layer may not exist yet
        return None, f"{type(exc).__name__}: {exc}"

    names = (f"run-{n}" for n in range(10**9))

    def run() -> None:
        execution_arn = client.start_execution(stateMachineArn=arn, name=next(names), input="{}")[
            "executionArn"
        ]
        status = client.describe_execution(executionArn=execution_arn)["status"]
        if status != "SUCCEEDED":
            raise AssertionError(f"local_client execution ended {status}")

    return timed(run, runs), ""


def bench_moto(runs: int) -> tuple[float | None, str]:
    try:
        import boto3
        from moto import mock_aws
    except ImportError as exc:
        return None, f"moto or boto3 not installed ({exc})"
    # moto 5.2 deep-copies the state machine on every start_execution, and through it the
    # whole backend with earlier executions, whose locks cannot be copied: a second
    # execution in the same mock fails. So each run gets a fresh mock and machine, set up
    # outside the timed part (which is start_execution + polling describe_execution).
    samples = []
    for n in range(runs + 3):
        with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
            client = boto3.client("stepfunctions", region_name="us-east-1")
            arn = client.create_state_machine(
                name="Small", definition=json.dumps(SMALL), roleArn=ROLE_ARN
            )["stateMachineArn"]
            start = time.perf_counter()
            execution_arn = client.start_execution(stateMachineArn=arn, name="run", input="{}")[
                "executionArn"
            ]
            while True:
                status = client.describe_execution(executionArn=execution_arn)["status"]
                if status != "RUNNING":
                    break
                time.sleep(0)  # let moto's worker thread run
            elapsed = time.perf_counter() - start
        if status != "SUCCEEDED":
            raise AssertionError(f"moto execution ended {status}")
        if n >= 3:  # the first three are warm-up
            samples.append(elapsed)
    return statistics.median(samples), ""


def bench_transitions(definition: dict[str, Any], runs: int) -> tuple[float, int]:
    machine = StateMachine.from_definition(definition, name="Loop")
    execution = machine.execute({"i": 0}, history_limit=None)
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    transitions = len(execution.states)
    seconds = timed(lambda: machine.execute({"i": 0}, history_limit=None), runs, warmup=1)
    return seconds, transitions


def bench_map(items: int, runs: int, definition: dict[str, Any] = MAP) -> tuple[float, float]:
    machine = StateMachine.from_definition(definition, name="Map")
    payload = {"items": list(range(items))}
    execution = machine.execute(payload, history_limit=None)
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    assert len(execution.output) == items
    seconds = timed(lambda: machine.execute(payload, history_limit=None), runs, warmup=1)
    gc.collect()
    tracemalloc.start()
    machine.execute(payload, history_limit=None)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 1_000_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300, help="runs of (a) and (b)")
    parser.add_argument("--moto-runs", type=int, default=30, help="runs of (c)")
    args = parser.parse_args(argv)
    fake_aws_environment()
    print(f"pytest-sfn engine benchmarks (Python {sys.version.split()[0]}); medians\n")

    # pytest-sfn first: importing moto fills the heap with objects that every later
    # garbage collection walks, which would slow the engine measurements down.
    a = bench_python_api(args.runs)
    b, b_reason = bench_local_client(args.runs)
    d_seconds, transitions = bench_transitions(counter_loop(5_000), runs=5)
    chain_seconds, chain_states = bench_transitions(pass_chain(10_000), runs=5)
    e_seconds, e_mb = bench_map(10_000, runs=3)
    f = bench_python_api(args.runs, SMALL_JSONATA)
    g_seconds, g_mb = bench_map(10_000, runs=3, definition=MAP_JSONATA)
    c, c_reason = bench_moto(args.moto_runs)
    rate = transitions / d_seconds

    print(f"(a) StateMachine.execute, 3 states       {a * 1e3:9.3f} ms")
    if b is None:
        print(f"(b) local_client start+describe          skipped: local_client unavailable "
              f"({b_reason})")  # fmt: skip
    else:
        print(f"(b) local_client start+describe          {b * 1e3:9.3f} ms")
    if c is None:
        print(f"(c) moto start+poll describe             skipped: {c_reason}")
    else:
        print(f"(c) moto start+poll describe             {c * 1e3:9.3f} ms")
    print(f"(d) Choice/Pass loop, {transitions} transitions {d_seconds * 1e3:9.1f} ms "
          f"= {rate:,.0f} transitions/s")  # fmt: skip
    print(f"    (info) Pass chain, {chain_states} states   {chain_seconds * 1e3:9.1f} ms "
          f"= {chain_states / chain_seconds:,.0f} transitions/s")  # fmt: skip
    print(f"(e) inline Map over 10,000 items         {e_seconds * 1e3:9.1f} ms, peak {e_mb:.1f} MB")
    print(f"(f) JSONata twin of (a)                  {f * 1e3:9.3f} ms")
    print(f"(g) JSONata twin of (e)                  {g_seconds * 1e3:9.1f} ms, peak {g_mb:.1f} MB")

    print("\ntargets")
    if c is not None:
        ratio_a = c / a
        print(f"  {verdict(ratio_a >= 200)}  (c)/(a) = {ratio_a:,.0f}x  (target >= 200x)")
        if b is not None:
            ratio_b = c / b
            print(f"  {verdict(ratio_b >= 20)}  (c)/(b) = {ratio_b:,.0f}x  (target >= 20x)")
        else:
            print("  SKIP  (c)/(b): local_client unavailable")
    else:
        print("  SKIP  (c)/(a) and (c)/(b): moto unavailable")
    print(f"  {verdict(rate >= 50_000)}  (d) {rate:,.0f} transitions/s  (target >= 50,000/s)")
    print(f"  {verdict(e_seconds < 1.0)}  (e) Map time {e_seconds:.3f} s  (target < 1 s)")
    print(f"  {verdict(e_mb < 200)}  (e) Map peak memory {e_mb:.1f} MB  (target < 200 MB)")
    print(f"  {verdict(f <= 3 * a)}  (f)/(a) = {f / a:.2f}x  (target <= 3x)")
    print(
        f"  {verdict(g_seconds <= 3 * e_seconds)}  (g)/(e) = {g_seconds / e_seconds:.2f}x  (target <= 3x)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
