"""``*.sfn.yaml`` scenario files collected as tests: items, selection, reports, errors."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

ORDERS = {
    "StartAt": "Validate",
    "States": {
        "Validate": {"Type": "Pass", "Next": "Charge"},
        "Charge": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "charge", "Payload.$": "$"},
            "ResultSelector": {"charged.$": "$.Payload.amount"},
            "ResultPath": "$.charge",
            "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "MaxAttempts": 2, "IntervalSeconds": 1}],
            "Catch": [{"ErrorEquals": ["Card.Declined"], "Next": "Declined"}],
            "Next": "Done",
        },
        "Declined": {"Type": "Fail", "Error": "OrderDeclined", "Cause": "card declined"},
        "Done": {"Type": "Succeed"},
    },
}  # fmt: skip

SCENARIOS = """\
state_machine: orders.asl.json
mocks:
  Charge:
    return: {Payload: {amount: 30}}
scenarios:
  - name: happy path
    input: {orderId: o-1}
    expect:
      status: SUCCEEDED
      output: {orderId: o-1, charge: {charged: 30}}
      path: [Validate, Charge, Done]
      states:
        Charge: {input: {orderId: o-1}}
      calls:
        Charge: [{parameters: {FunctionName: charge, Payload: {orderId: o-1}}}]
  - name: declined after a retry
    input: {orderId: o-2}
    mocks:
      Charge:
        - throw: {error: Lambda.TooManyRequestsException, cause: slow down}
        - throw: {error: Card.Declined, cause: no funds}
    expect:
      status: FAILED
      error: OrderDeclined
      path: [Validate, Charge, Declined]
  - name: output subset
    expect:
      output_contains: {charge: {charged: 30}}
"""


def write(pytester: pytest.Pytester, name: str, text: str) -> Path:
    path = pytester.path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def orders(pytester: pytest.Pytester) -> Path:
    """``orders.asl.json`` in the test directory."""
    return write(pytester, "orders.asl.json", json.dumps(ORDERS))


def test_each_scenario_is_an_item(pytester: pytest.Pytester, orders: Path) -> None:
    write(pytester, "orders.sfn.yaml", SCENARIOS)
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(
        [
            "orders.sfn.yaml::happy path PASSED*",
            "orders.sfn.yaml::declined after a retry PASSED*",
            "orders.sfn.yaml::output subset PASSED*",
        ]
    )


def test_both_suffixes_are_collected_and_nothing_else(
    pytester: pytest.Pytester, orders: Path
) -> None:
    write(pytester, "a.sfn.yaml", SCENARIOS)
    write(pytester, "sub/b.sfn.yml", SCENARIOS.replace("orders.asl.json", "../orders.asl.json"))
    write(pytester, "c.yaml", SCENARIOS)
    write(pytester, "d.sfn.json", "{}")
    result = pytester.runpytest("--collect-only", "-q")
    result.stdout.fnmatch_lines(
        [
            "a.sfn.yaml::happy path",
            "a.sfn.yaml::declined after a retry",
            "a.sfn.yaml::output subset",
            "sub/b.sfn.yml::happy path",
            "sub/b.sfn.yml::declined after a retry",
            "sub/b.sfn.yml::output subset",
            "",
            "6 tests collected*",
        ],
        consecutive=True,
    )


def test_keyword_and_node_id_selection(pytester: pytest.Pytester, orders: Path) -> None:
    write(pytester, "orders.sfn.yaml", SCENARIOS)
    pytester.runpytest("-k", "declined").assert_outcomes(passed=1, deselected=2)
    pytester.runpytest("orders.sfn.yaml::output subset").assert_outcomes(passed=1)


def test_last_failed_reruns_only_the_failed_scenario(
    pytester: pytest.Pytester, orders: Path
) -> None:
    write(pytester, "orders.sfn.yaml", SCENARIOS.replace("status: FAILED", "status: SUCCEEDED"))
    pytester.runpytest().assert_outcomes(passed=2, failed=1)
    result = pytester.runpytest("--lf", "-v")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "run-last-failure: rerun previous 1 failure*",
            "",
            "orders.sfn.yaml::declined after a retry FAILED*",
        ]
    )


def test_failure_report(pytester: pytest.Pytester, orders: Path) -> None:
    write(
        pytester,
        "orders.sfn.yaml",
        SCENARIOS.replace("output: {orderId: o-1, charge: {charged: 30}}",
                          "output: {orderId: o-1, charge: {charged: 25}}"),
    )  # fmt: skip
    result = pytester.runpytest("-k", "happy")
    result.assert_outcomes(failed=1, deselected=2)
    result.stdout.fnmatch_lines(
        [
            "*_ scenario: happy path _*",
            "scenario 'happy path' (orders.sfn.yaml:6) failed",
            "",
            "orders.sfn.yaml:10: expect.output differs",
            "  first difference at /charge/charged: values differ",
            "    expected: 25",
            "    actual:   30",
            "",
            "execution '*' ended SUCCEEDED",
            '  output: {"orderId":"o-1","charge":{"charged":30}}',
            "states:",
            "  Validate  Pass     ok",
            "  Charge    Task     ok  (mock: #1 orders.sfn.yaml:3 /mocks/Charge)",
            "  Done      Succeed  ok",
            "",
            "state 'Done' (Succeed):",
            '  input:  {"orderId":"o-1","charge":{"charged":30}}',
            '  output: {"orderId":"o-1","charge":{"charged":30}}',
        ],
        consecutive=True,
    )
    result.stdout.fnmatch_lines(["FAILED orders.sfn.yaml::happy path - scenario 'happy path' *"])


def test_failure_report_shows_the_failing_state_and_the_mock(
    pytester: pytest.Pytester, orders: Path
) -> None:
    write(
        pytester,
        "orders.sfn.yaml",
        SCENARIOS.replace("path: [Validate, Charge, Declined]", "path: [Validate, Charge, Done]"),
    )
    result = pytester.runpytest("-k", "declined")
    result.assert_outcomes(failed=1, deselected=2)
    result.stdout.fnmatch_lines(
        [
            "scenario 'declined after a retry' (orders.sfn.yaml:16) failed",
            "",
            "orders.sfn.yaml:25: expect.path differs",
            "  first difference at /2: values differ",
            '    expected: "Done"',
            '    actual:   "Declined"',
            "",
            "execution '*' ended FAILED: OrderDeclined: card declined",
            "states:",
            "  Validate  Pass  ok",
            "  Charge    Task  caught Card.Declined after 2 attempts  (mock: "
            "#1 orders.sfn.yaml:20 /scenarios/1/mocks/Charge/0, "
            "#2 orders.sfn.yaml:21 /scenarios/1/mocks/Charge/1)",
            "  Declined  Fail  failed OrderDeclined",
            "",
            "failing state 'Declined' (Fail):",
            '  input:  {"Error":"Card.Declined","Cause":"no funds"}',
            '  error:  OrderDeclined: "card declined"',
        ],
        consecutive=True,
    )


def test_expectation_about_a_task_shows_its_call_and_mock(
    pytester: pytest.Pytester, orders: Path
) -> None:
    write(
        pytester,
        "orders.sfn.yaml",
        SCENARIOS.replace("Charge: {input: {orderId: o-1}}", "Charge: {input: {orderId: o-9}}"),
    )
    result = pytester.runpytest("-k", "happy")
    result.assert_outcomes(failed=1, deselected=2)
    result.stdout.fnmatch_lines(
        [
            "orders.sfn.yaml:13: expect.states.Charge.input differs",
            "  first difference at /orderId: values differ",
            '    expected: "o-9"',
            '    actual:   "o-1"',
        ],
        consecutive=True,
    )
    result.stdout.fnmatch_lines(
        [
            "state 'Charge' (Task):",
            '  input:  {"orderId":"o-1"}',
            '  output: {"orderId":"o-1","charge":{"charged":30}}',
            '  parameters sent: {"FunctionName":"charge","Payload":{"orderId":"o-1"}}',
            "  mock that answered: Charge response #1 (orders.sfn.yaml:3 /mocks/Charge): "
            'returns {"Payload":{"amount":30}}',
        ],
        consecutive=True,
    )


def test_verbose_report_shows_every_state_input_and_output(
    pytester: pytest.Pytester, orders: Path
) -> None:
    write(pytester, "orders.sfn.yaml", SCENARIOS.replace("status: SUCCEEDED", "status: FAILED"))
    result = pytester.runpytest("-v", "-k", "happy")
    result.assert_outcomes(failed=1, deselected=2)
    result.stdout.fnmatch_lines(
        [
            'orders.sfn.yaml:9: expect.status: expected "FAILED", got "SUCCEEDED"',
            "",
            "execution '*' ended SUCCEEDED",
            '  output: {"orderId":"o-1","charge":{"charged":30}}',
            "states:",
            "  Validate  Pass     ok",
            '      input:  {"orderId":"o-1"}',
            '      output: {"orderId":"o-1"}',
            "  Charge    Task     ok  (mock: #1 orders.sfn.yaml:3 /mocks/Charge)",
            '      input:  {"orderId":"o-1"}',
            '      output: {"orderId":"o-1","charge":{"charged":30}}',
            "  Done      Succeed  ok",
        ],
        consecutive=True,
    )
    assert "state 'Done' (Succeed):" not in result.stdout.str()


def test_exhausted_mocks_are_a_mock_problem(pytester: pytest.Pytester, orders: Path) -> None:
    write(
        pytester,
        "orders.sfn.yaml",
        """\
        state_machine: orders.asl.json
        scenarios:
          - name: retried too often
            mocks:
              Charge:
                - throw: {error: Lambda.TooManyRequestsException, cause: slow down}
            expect: {status: SUCCEEDED}
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "scenario 'retried too often' (orders.sfn.yaml:3) failed",
            "",
            "mock problem:",
            "  Task state 'Charge' was invoked 2 times but only 1 response is mocked "
            "(orders.sfn.yaml:5 /scenarios/0/mocks/Charge)",
            "",
            "execution '*' ended FAILED: pytest_sfn.UnmockedTask",
        ],
        consecutive=True,
    )
    assert "expect.status" not in result.stdout.str()


def test_unmocked_task_lists_the_mocked_states(pytester: pytest.Pytester, orders: Path) -> None:
    write(
        pytester,
        "orders.sfn.yaml",
        """\
        state_machine: orders.asl.json
        scenarios:
          - name: nothing mocked
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "mock problem:",
            "  Task state 'Charge' (resource arn:aws:states:::lambda:invoke) has no mock*. "
            "No state is mocked.",
        ],
        consecutive=True,
    )


UNUSED = """\
state_machine: orders.asl.json
scenarios:
  - name: one response too many
    mocks:
      Charge:
        - return: {Payload: {amount: 1}}
        - return: {Payload: {amount: 2}}
"""


def test_unused_responses_fail_when_strict(pytester: pytest.Pytester, orders: Path) -> None:
    write(pytester, "orders.sfn.yaml", UNUSED)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "unused mock responses (strict):",
            "  Charge response #2 (orders.sfn.yaml:7 /scenarios/0/mocks/Charge/1) was never used",
        ],
        consecutive=True,
    )


@pytest.mark.parametrize(
    ("args", "ini"),
    [(["--sfn-no-strict"], None), ([], "sfn_strict = false")],
    ids=["option", "ini"],
)
def test_unused_responses_pass_when_not_strict(
    pytester: pytest.Pytester, orders: Path, args: list[str], ini: str | None
) -> None:
    if ini is not None:
        pytester.makeini(f"[pytest]\n{ini}\n")
    write(pytester, "orders.sfn.yaml", UNUSED)
    pytester.runpytest(*args).assert_outcomes(passed=1)


def test_unknown_state_in_scenario_mocks_fails_that_scenario(
    pytester: pytest.Pytester, orders: Path
) -> None:
    write(
        pytester,
        "orders.sfn.yaml",
        """\
        state_machine: orders.asl.json
        mocks:
          Charge: {return: {Payload: {amount: 1}}}
        scenarios:
          - name: fine
          - name: typo
            mocks:
              Chrage: {return: 1}
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "scenario 'typo' (orders.sfn.yaml:6):",
            "orders.sfn.yaml:8: /scenarios/1/mocks/Chrage: a mock names Task state 'Chrage', "
            "which is not in the state machine (did you mean 'Charge'?)",
        ],
        consecutive=True,
    )
    # Not strict: the extra mock is ignored.
    pytester.runpytest("--sfn-no-strict").assert_outcomes(passed=2)


def test_unknown_state_in_shared_mocks_is_one_collection_error(
    pytester: pytest.Pytester, orders: Path
) -> None:
    write(
        pytester,
        "orders.sfn.yaml",
        """\
        state_machine: orders.asl.json
        mocks:
          Charge: {return: {Payload: {amount: 1}}}
          Notfy: {return: 1}
        scenarios:
          - name: a
          - name: b
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*_ ERROR collecting orders.sfn.yaml _*",
            "orders.sfn.yaml:4: /mocks/Notfy: a mock names Task state 'Notfy', which is not in "
            "the state machine",
            "*= short test summary info =*",
            "ERROR orders.sfn.yaml",
        ],
        consecutive=True,
    )


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        pytest.param(
            "state_machine: orders.asl.json\nscenarios:\n  - name: a\n   input: {\n",
            ["orders.sfn.yaml:4: invalid YAML: *"],
            id="malformed-yaml",
        ),
        pytest.param(
            "state_machine: orders.asl.json\nscenarios:\n  - name: a\n"
            "    expect: {status: DONE, outptu: 1}\n  - nme: b\n",
            [
                "orders.sfn.yaml:4: /scenarios/0/expect/outptu: unknown key 'outptu' "
                "(did you mean 'output'?); *",
                'orders.sfn.yaml:4: /scenarios/0/expect/status: "DONE" is not one of *',
                "orders.sfn.yaml:5: /scenarios/1: missing required key 'name'",
                "orders.sfn.yaml:5: /scenarios/1/nme: unknown key 'nme' (did you mean 'name'?); *",
            ],
            id="schema-violations",
        ),
        pytest.param(
            "state_machine: orders.asl.json\nscenarios:\n  - name: a\n  - name: a\n",
            ["orders.sfn.yaml:4: /scenarios/1/name: duplicate scenario name 'a' *"],
            id="duplicate-names",
        ),
        pytest.param(
            "state_machine: ordrs.asl.json\nscenarios:\n  - name: a\n",
            [
                "orders.sfn.yaml:1: /state_machine: cannot load 'ordrs.asl.json':",
                "invalid state machine definition in ordrs.asl.json (1 problem):",
                "  - SOURCE_NOT_FOUND: file 'ordrs.asl.json' not found (looked for *ordrs.asl.json)"
                " (did you mean 'orders.asl.json'?)",
            ],
            id="missing-state-machine",
        ),
        pytest.param(
            "state_machine: template.yaml#Ordr\nscenarios:\n  - name: a\n",
            [
                "orders.sfn.yaml:1: /state_machine: cannot load 'template.yaml#Ordr':",
                "invalid state machine definition in template.yaml#Ordr (1 problem):",
                "  - STATE_MACHINE_NOT_FOUND: no state machine 'Ordr' in template.yaml*"
                "(did you mean 'Orders'?)",
            ],
            id="bad-template-logical-id",
        ),
        pytest.param(
            "state_machine: broken.asl.json\nscenarios:\n  - name: a\n",
            [
                "orders.sfn.yaml:1: /state_machine: cannot load 'broken.asl.json':",
                "invalid state machine definition in broken.asl.json (2 problems):",
                "  - MISSING_TRANSITION_TARGET: Missing 'Next' target: B at /States/A/Next",
                "  - *: * at /States/C",
            ],
            id="invalid-definition",
        ),
        pytest.param("", ["orders.sfn.yaml:1: /: the file is empty; *"], id="empty-file"),
    ],
)
def test_malformed_files_are_one_clear_collection_error(
    pytester: pytest.Pytester, orders: Path, text: str, lines: list[str]
) -> None:
    write(
        pytester,
        "template.yaml",
        """\
        Resources:
          Orders:
            Type: AWS::StepFunctions::StateMachine
            Properties:
              DefinitionUri: orders.asl.json
        """,
    )
    write(
        pytester,
        "broken.asl.json",
        '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "C": {"Type": "Succeed"}}}',
    )
    write(pytester, "orders.sfn.yaml", text)
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*_ ERROR collecting orders.sfn.yaml _*", *lines], consecutive=True
    )
    assert "Traceback" not in result.stdout.str()
    assert "pytest_sfn/" not in result.stdout.str()


def test_state_machine_from_a_template(pytester: pytest.Pytester, orders: Path) -> None:
    write(
        pytester,
        "template.yaml",
        """\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Charger:
            Type: AWS::Serverless::Function
            Properties: {Handler: app.handler, Runtime: python3.12}
          Orders:
            Type: AWS::Serverless::StateMachine
            Properties:
              DefinitionUri: orders.asl.json
              DefinitionSubstitutions:
                ChargeArn: !GetAtt Charger.Arn
        """,
    )
    write(pytester, "orders.asl.json", json.dumps(ORDERS).replace('"charge"', '"${ChargeArn}"'))
    write(
        pytester,
        "orders.sfn.yaml",
        """\
        state_machine: template.yaml#Orders
        scenarios:
          - name: from the template
            mocks: {Charge: {return: {Payload: {amount: 3}}}}
            expect:
              calls:
                Charge:
                  - parameters:
                      FunctionName: arn:aws:lambda:us-east-1:123456789012:function:Charger
                      Payload: {}
        """,
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_definitions_dir_option(pytester: pytest.Pytester) -> None:
    write(pytester, "machines/orders.asl.json", json.dumps(ORDERS))
    write(pytester, "scenarios/orders.sfn.yaml", SCENARIOS)
    pytester.runpytest("--sfn-definitions-dir", "machines").assert_outcomes(passed=3)
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["scenarios/orders.sfn.yaml:1: /state_machine: cannot load*"])


def test_yaml_files_are_ignored_without_the_plugin(
    pytester: pytest.Pytester, orders: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PYTEST_ADDOPTS")
    write(pytester, "orders.sfn.yaml", SCENARIOS)
    result = pytester.runpytest("-p", "no:sfn")
    result.assert_outcomes()
    result.stdout.fnmatch_lines(["*no tests ran*"])


def test_import_mode_importlib(pytester: pytest.Pytester, orders: Path) -> None:
    write(pytester, "orders.sfn.yaml", SCENARIOS)
    pytester.makepyfile(
        test_python="""
        import pytest

        @pytest.mark.sfn(definition="orders.asl.json", mocks="orders.sfn.yaml", scenario="happy path")
        def test_from_python(sfn):
            sfn.execute({"orderId": "o-1"}).assert_succeeded()
        """
    )
    pytester.runpytest("--import-mode=importlib").assert_outcomes(passed=4)


def test_xdist_runs_a_generated_suite(pytester: pytest.Pytester, orders: Path) -> None:
    scenarios = "\n".join(
        f"  - name: order {i}\n    input: {{orderId: o-{i}}}\n"
        f"    expect: {{output: {{orderId: o-{i}, charge: {{charged: 30}}}}}}"
        for i in range(40)
    )
    write(
        pytester,
        "generated.sfn.yaml",
        SCENARIOS.split("scenarios:")[0] + "scenarios:\n" + scenarios,
    )
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:randomly")
    result.assert_outcomes(passed=40)
    result.stdout.fnmatch_lines(["created: 2/2 workers*"])
