"""YAML scenario benchmark: ``python benchmarks/bench_scenarios.py``.

Generates, in a temporary directory, a 10-state machine (Pass, Choice, two Tasks, Wait,
Succeed, Fail), 1,000 YAML scenarios over it (10 ``*.sfn.yaml`` files of 100, each
scenario with its own input, mocks and expectations on status, output, path and calls)
and 1,000 empty Python tests (10 files of 100). Each suite runs in a fresh
``python -m pytest -q -p no:cacheprovider`` process (collection included), best of
``--rounds``; the script prints the time per test of each suite and the per-scenario
overhead above an empty test. Then the YAML suite runs again under pytest-xdist
(``-n 2``) and must pass.

Targets: overhead at most 2 ms per scenario; the ``-n 2`` run passes. One PASS/MISS line
per target; the exit status is 1 when a run fails (not when a timing target is missed).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

OVERHEAD_TARGET_MS = 2.0

#: The benchmark machine: 10 states, two of them Tasks answered by the scenarios' mocks.
MACHINE: dict[str, Any] = {
    "Comment": "pytest-sfn scenario benchmark: 10 states",
    "StartAt": "Start",
    "States": {
        "Start": {"Type": "Pass", "Parameters": {"n.$": "$.n", "tag": "bench"}, "Next": "Check"},
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.n", "NumericGreaterThanEquals": 0, "Next": "Enrich"}],
            "Default": "Rejected",
        },
        "Enrich": {
            "Type": "Pass",
            "Parameters": {"n.$": "$.n", "label.$": "States.Format('item-{}', $.n)"},
            "Next": "Fetch",
        },
        "Fetch": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "fetch", "Payload.$": "$"},
            "ResultSelector": {"value.$": "$.Payload.value"},
            "ResultPath": "$.fetched",
            "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "MaxAttempts": 2}],
            "Next": "Store",
        },
        "Store": {
            "Type": "Task",
            "Resource": "arn:aws:states:::dynamodb:putItem",
            "Parameters": {
                "TableName": "bench",
                "Item": {"n": {"N.$": "States.Format('{}', $.n)"}},
            },
            "ResultPath": None,
            "Next": "Pause",
        },
        "Pause": {"Type": "Wait", "Seconds": 5, "Next": "Shape"},
        "Shape": {
            "Type": "Pass",
            "Parameters": {"n.$": "$.n", "label.$": "$.label", "value.$": "$.fetched.value"},
            "Next": "Decide",
        },
        "Decide": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.value", "IsPresent": True, "Next": "Done"}],
            "Default": "Rejected",
        },
        "Done": {"Type": "Succeed"},
        "Rejected": {"Type": "Fail", "Error": "Bench.Rejected", "Cause": "no value"},
    },
}

PATH = ["Start", "Check", "Enrich", "Fetch", "Store", "Pause", "Shape", "Decide", "Done"]


def scenario(n: int) -> dict[str, Any]:
    """Scenario ``n``: every third one retries a throttled Fetch once."""
    fetched = {"StatusCode": 200, "Payload": {"value": n * 2}}
    fetch: Any = {"return": fetched}
    calls = [{"parameters": {"FunctionName": "fetch", "Payload": {"n": n, "label": f"item-{n}"}}}]
    if n % 3 == 0:
        fetch = [{"throw": {"error": "Lambda.TooManyRequestsException", "cause": "slow down"}},
                 {"return": fetched}]  # fmt: skip
        calls = calls * 2
    return {
        "name": f"scenario {n}",
        "input": {"n": n},
        "mocks": {"Fetch": fetch, "Store": {"return": {}}},
        "expect": {
            "status": "SUCCEEDED",
            "output": {"n": n, "label": f"item-{n}", "value": n * 2},
            "path": PATH,
            "calls": {"Fetch": calls},
        },
    }


def write_suites(root: Path, files: int, per_file: int) -> tuple[Path, Path]:
    """Write the YAML suite and the empty-test suite under ``root``; return their dirs."""
    yaml_dir, empty_dir = root / "yaml_suite", root / "empty_suite"
    for directory in (yaml_dir, empty_dir):
        directory.mkdir()
        # Its own rootdir and (empty) configuration: nothing from the caller's project.
        (directory / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (yaml_dir / "bench.asl.json").write_text(json.dumps(MACHINE, indent=2), encoding="utf-8")
    for f in range(files):
        document = {
            "state_machine": "bench.asl.json",
            "scenarios": [scenario(f * per_file + i) for i in range(per_file)],
        }
        text = yaml.safe_dump(document, sort_keys=False, width=120)
        (yaml_dir / f"bench_{f:02d}.sfn.yaml").write_text(text, encoding="utf-8")
        tests = "".join(f"def test_{i}():\n    pass\n\n\n" for i in range(per_file))
        (empty_dir / f"test_empty_{f:02d}.py").write_text(tests.rstrip() + "\n", encoding="utf-8")
    return yaml_dir, empty_dir


def run_pytest(directory: Path, *extra: str) -> tuple[float, int, str]:
    """Run pytest in ``directory``; return (wall seconds, exit status, last output line)."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTEST_ADDOPTS", None)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=directory, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    last = lines[-1] if lines else done.stderr.strip()[-300:]
    return elapsed, done.returncode, last


def passed_count(summary: str) -> int:
    """The ``N passed`` count of pytest's summary line (0 when absent)."""
    found = re.search(r"(\d+) passed", summary)
    return int(found.group(1)) if found else 0


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def best_run(directory: Path, expected: int, rounds: int, label: str) -> float | None:
    """Best wall time of ``rounds`` runs, or ``None`` (after printing why) if one failed."""
    times = []
    for _ in range(rounds):
        elapsed, status, summary = run_pytest(directory)
        if status != 0 or passed_count(summary) != expected:
            print(f"{label}: pytest failed (exit {status}): {summary}")
            return None
        times.append(elapsed)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10, help="files per suite (default 10)")
    parser.add_argument("--per-file", type=int, default=100, help="tests per file (default 100)")
    parser.add_argument("--rounds", type=int, default=3, help="runs per suite, best kept")
    parser.add_argument("--keep", action="store_true", help="keep the generated suites")
    args = parser.parse_args(argv)
    total = args.files * args.per_file

    root = Path(tempfile.mkdtemp(prefix="bench_scenarios_"))
    yaml_dir, empty_dir = write_suites(root, args.files, args.per_file)
    states = len(MACHINE["States"])
    print(f"{total} YAML scenarios over a {states}-state machine vs {total} empty Python tests")
    print(f"python {sys.version.split()[0]}, best of {args.rounds} runs per suite, in {root}")

    failed = False
    empty = best_run(empty_dir, total, args.rounds, "empty tests")
    scenarios = best_run(yaml_dir, total, args.rounds, "YAML scenarios")
    if empty is None or scenarios is None:
        failed = True
    else:
        per_empty = empty / total * 1000
        per_scenario = scenarios / total * 1000
        overhead = per_scenario - per_empty
        print(f"empty Python test:  {empty:7.2f} s total, {per_empty:6.3f} ms per test")
        print(f"YAML scenario:      {scenarios:7.2f} s total, {per_scenario:6.3f} ms per scenario")
        print(
            f"{verdict(overhead <= OVERHEAD_TARGET_MS)} overhead per scenario above an empty "
            f"test: {overhead:.3f} ms (target <= {OVERHEAD_TARGET_MS:g} ms)"
        )

    elapsed, status, summary = run_pytest(yaml_dir, "-n", "2")
    xdist_ok = status == 0 and passed_count(summary) == total
    print(f"{verdict(xdist_ok)} YAML suite under pytest-xdist -n 2: {summary} ({elapsed:.2f} s)")
    failed = failed or not xdist_ok

    if args.keep:
        print(f"suites kept in {root}")
    else:
        import shutil

        shutil.rmtree(root, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
