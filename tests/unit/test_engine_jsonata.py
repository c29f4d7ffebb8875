"""JSONata states and workflow variables, through whole executions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pytest_sfn import InOrder, StateMachine, Throw

from ..conftest import machine

LAMBDA = "arn:aws:states:::lambda:invoke"


def jsonata(states: dict[str, object], **top: object) -> StateMachine:
    return machine(states, QueryLanguage="JSONata", **top)


def test_pass_output_defaults_to_input_and_evaluates_expressions() -> None:
    sm = jsonata(
        {
            "Same": {"Type": "Pass", "Next": "Shaped"},
            "Shaped": {
                "Type": "Pass",
                "Output": {"total": "{% $sum($states.input.items.price) %}", "fixed": "x"},
                "End": True,
            },
        }
    )
    execution = sm.execute({"items": [{"price": 2}, {"price": 3.5}]})
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.state("Same").output == {"items": [{"price": 2}, {"price": 3.5}]}
    assert execution.output == {"total": 5.5, "fixed": "x"}


def test_literal_strings_stay_literal() -> None:
    # TV-17: only a string that starts with {% and ends with %} is an expression.
    output = {
        "spaced": " {% $states.input %} ",
        "states": "$states.input",
        "dollar": "$",
        "context": "$$",
        "intrinsic": "States.Format('Format:{}', 101)",
        "constant_jp_input.$": "$",
    }
    sm = jsonata({"P": {"Type": "Pass", "Output": output, "End": True}})
    assert sm.execute({"a": 1}).output == output


def test_assign_and_output_see_the_same_values() -> None:
    sm = jsonata(
        {
            "Init": {"Type": "Pass", "Assign": {"x": 3, "a": 6}, "Next": "Swap"},
            "Swap": {
                "Type": "Pass",
                "Assign": {"x": "{% $a %}", "nextX": "{% $x %}"},
                "Output": {"xSeenByOutput": "{% $x %}"},
                "Next": "Read",
            },
            "Read": {
                "Type": "Pass",
                "Output": {"x": "{% $x %}", "nextX": "{% $nextX %}"},
                "End": True,
            },
        }
    )
    execution = sm.execute({})
    assert execution.state("Swap").output == {"xSeenByOutput": 3}
    assert execution.output == {"x": 6, "nextX": 3}
    exited = [e for e in execution.history if e.type == "PassStateExited"][1]
    assert exited.details["assignedVariables"] == {"x": "6", "nextX": "3"}


def test_task_arguments_output_and_assign() -> None:
    sm = jsonata(
        {
            "Charge": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Arguments": {
                    "FunctionName": "charge",
                    "Payload": {"amount": "{% $states.input.amount %}"},
                },
                "Output": "{% $states.result.Payload %}",
                "Assign": {
                    "chargeId": "{% $states.result.Payload.id %}",
                    "was": "{% $states.input.amount %}",
                },
                "Next": "Done",
            },
            "Done": {
                "Type": "Pass",
                "Output": {"id": "{% $chargeId %}", "was": "{% $was %}"},
                "End": True,
            },
        }
    )
    seen = []

    def charge(request):
        seen.append(request.parameters)
        return {"StatusCode": 200, "Payload": {"id": "ch_1"}}

    execution = sm.execute({"amount": 30}, results={"Charge": charge})
    assert seen == [{"FunctionName": "charge", "Payload": {"amount": 30}}]
    assert execution.state("Charge").output == {"id": "ch_1"}
    assert execution.output == {"id": "ch_1", "was": 30}


def test_task_output_defaults_to_the_result_and_arguments_to_the_input() -> None:
    sm = jsonata({"T": {"Type": "Task", "Resource": LAMBDA, "End": True}})
    seen = []
    execution = sm.execute(
        {"in": 1}, results={"T": lambda r: seen.append(r.parameters) or {"out": 2}}
    )
    assert seen == [{"in": 1}]
    assert execution.output == {"out": 2}


def test_choice_conditions_and_rule_assign() -> None:
    sm = jsonata(
        {
            "Route": {
                "Type": "Choice",
                "Choices": [
                    {
                        "Condition": "{% $states.input.n > 10 %}",
                        "Assign": {"size": "big"},
                        "Next": "Read",
                    },
                    {
                        "Condition": "{% $states.input.n > 0 %}",
                        "Assign": {"size": "small"},
                        "Next": "Read",
                    },
                ],
                "Default": "Zero",
                "Assign": {"size": "none"},
            },
            "Read": {"Type": "Pass", "Output": "{% $size %}", "End": True},
            "Zero": {"Type": "Pass", "Output": "{% $size %}", "End": True},
        }
    )
    assert sm.execute({"n": 50}).output == "big"
    assert sm.execute({"n": 5}).output == "small"
    zero = sm.execute({"n": 0})
    assert (zero.path, zero.output) == (["Route", "Zero"], "none")


def test_wait_seconds_expression_advances_virtual_time() -> None:
    sm = jsonata({"W": {"Type": "Wait", "Seconds": "{% $states.input.delay * 60 %}", "End": True}})
    execution = sm.execute({"delay": 5})
    assert execution.stop_time - execution.start_time == timedelta(minutes=5)


def test_wait_invalid_timestamp_is_a_query_evaluation_error() -> None:
    sm = jsonata({"W": {"Type": "Wait", "Timestamp": "{% $states.input.t %}", "End": True}})
    execution = sm.execute({"t": "2016-12-05 21:29:29Z"})
    assert execution.error == "States.QueryEvaluationError"
    assert execution.cause.endswith(
        "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format "
        "string: 2016-12-05 21:29:29Z"
    )


def test_fail_error_and_cause_expressions() -> None:
    sm = jsonata(
        {
            "F": {
                "Type": "Fail",
                "Error": "{% 'E.' & $states.input.code %}",
                "Cause": "{% $string($states.input) %}",
            }
        }
    )
    execution = sm.execute({"code": "X"})
    assert (execution.error, execution.cause) == ("E.X", '{"code":"X"}')


def test_map_items_and_item_selector() -> None:
    sm = jsonata(
        {
            "M": {
                "Type": "Map",
                "Items": "{% $states.input.orders %}",
                "ItemSelector": {
                    "index": "{% $states.context.Map.Item.Index %}",
                    "value": "{% $states.context.Map.Item.Value %}",
                    "customer": "{% $states.input.customer %}",
                },
                "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
                "MaxConcurrency": "{% 1 %}",
                "Output": "{% $states.result.value %}",
                "End": True,
            }
        }
    )
    execution = sm.execute({"orders": ["a", "b"], "customer": "c-1"})
    assert execution.state("I").input == {"index": 1, "value": "b", "customer": "c-1"}
    assert execution.output == ["a", "b"]


def test_map_items_must_be_an_array() -> None:
    sm = jsonata(
        {
            "M": {
                "Type": "Map",
                "Items": "{% $states.input.orders %}",
                "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        }
    )
    execution = sm.execute({"orders": {"foo": "bar"}})
    assert execution.error == "States.QueryEvaluationError"
    assert execution.cause.endswith(
        "The JSONata expression '$states.input.orders' specified for the field 'Items' returned an "
        "unexpected result type. Expected 'array', but was 'object' for value: {\"foo\":\"bar\"}"
    )


def test_parallel_arguments() -> None:
    def branch(name: str) -> dict[str, object]:
        doubled = {"Type": "Pass", "Output": "{% $states.input.v * 2 %}", "End": True}
        return {"StartAt": name, "States": {name: doubled}}

    sm = jsonata(
        {
            "P": {
                "Type": "Parallel",
                "Arguments": {"v": "{% $states.input.n %}"},
                "Branches": [branch("B1"), branch("B2")],
                "End": True,
            }
        }
    )
    assert sm.execute({"n": 4}).output == [8, 8]


def test_catch_output_and_assign_see_the_error_output() -> None:
    sm = jsonata(
        {
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Catch": [
                    {
                        "ErrorEquals": ["States.ALL"],
                        "Output": {
                            "failed": "{% $states.errorOutput.Error %}",
                            "in": "{% $states.input.k %}",
                        },
                        "Assign": {"why": "{% $states.errorOutput.Cause %}"},
                        "Next": "After",
                    }
                ],
                "End": True,
            },
            "After": {
                "Type": "Pass",
                "Output": {"why": "{% $why %}", "input": "{% $states.input %}"},
                "End": True,
            },
        }
    )
    execution = sm.execute({"k": 1}, results={"T": Throw("Boom", "broke")})
    assert execution.output == {"why": "broke", "input": {"failed": "Boom", "in": 1}}


def test_catch_output_defaults_to_the_error_output() -> None:
    sm = jsonata(
        {
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "After"}],
                "End": True,
            },
            "After": {"Type": "Succeed"},
        }
    )
    assert sm.execute({}, results={"T": Throw("Boom", "broke")}).output == {
        "Error": "Boom",
        "Cause": "broke",
    }


def test_undefined_output_fails_with_evaluation_failed_event() -> None:
    sm = jsonata({"P": {"Type": "Pass", "Output": "{% $doesNotExist %}", "End": True}})
    execution = sm.execute({})
    assert execution.error == "States.QueryEvaluationError"
    assert execution.cause.endswith(
        "The JSONata expression '$doesNotExist' specified for the field 'Output' returned nothing (undefined)."
    )
    chain = [(e.id, e.previous_event_id, e.type) for e in execution.history]
    assert chain == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "PassStateEntered"),
        (3, 0, "EvaluationFailed"),
        (4, 3, "ExecutionFailed"),
    ]
    details = execution.history[2].details
    assert details["state"] == "P" and details["error"] == "States.QueryEvaluationError"


def test_query_errors_in_a_task_are_retriable_and_catchable() -> None:
    sm = jsonata(
        {
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Output": "{% $states.result.missing %}",
                "Retry": [{"ErrorEquals": ["States.QueryEvaluationError"], "MaxAttempts": 1}],
                "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Succeed"},
        }
    )
    execution = sm.execute({}, results={"T": InOrder({"a": 1}, {"a": 2})})
    assert execution.path == ["T", "Caught"]
    assert execution.state("T").attempts == 2


def test_map_iterations_read_outer_variables_but_do_not_leak_theirs() -> None:
    sm = jsonata(
        {
            "Init": {"Type": "Pass", "Assign": {"rate": 2}, "Next": "M"},
            "M": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "I",
                    "States": {
                        "I": {
                            "Type": "Pass",
                            "Assign": {"inner": 1},
                            "Output": "{% $states.input * $rate %}",
                            "End": True,
                        }
                    },
                },
                "Next": "After",
            },
            "After": {
                "Type": "Pass",
                "Output": {"inner": "{% $exists($inner) %}", "results": "{% $states.input %}"},
                "End": True,
            },
        }
    )
    assert sm.execute([1, 2]).output == {"inner": False, "results": [2, 4]}


def test_jsonata_state_inside_a_jsonpath_machine() -> None:
    sm = machine(
        {
            "Old": {"Type": "Pass", "Parameters": {"n.$": "$.n"}, "Next": "New"},
            "New": {
                "Type": "Pass",
                "QueryLanguage": "JSONata",
                "Output": "{% $states.input.n + 1 %}",
                "End": True,
            },
        }
    )
    assert sm.execute({"n": 1}).output == 2


def test_jsonpath_states_read_variables_set_by_jsonata_states() -> None:
    sm = machine(
        {
            "Set": {
                "Type": "Pass",
                "QueryLanguage": "JSONata",
                "Assign": {"who": "{% $states.input.name %}"},
                "Next": "Use",
            },
            "Use": {
                "Type": "Pass",
                "Parameters": {"greeting.$": "States.Format('hi {}', $who)"},
                "End": True,
            },
        }
    )
    assert sm.execute({"name": "ada"}).output == {"greeting": "hi ada"}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("{% $partition([1,2,3,4,5], 2) %}", [[1, 2], [3, 4], [5]]),
        ("{% $range(0, 10, 5) %}", [0, 5, 10]),
        ("{% $hash('input data', 'MD5') %}", "812f45842bc6d66ee14572ce20db8e86"),
        ("{% $parse('{\"a\":1}') %}", {"a": 1}),
        ("{% 1 + 1 %}", 2),
        ("{% 10 / 4 %}", 2.5),
    ],
)
def test_aws_functions_and_numbers(expression: str, expected: object) -> None:
    sm = jsonata({"P": {"Type": "Pass", "Output": expression, "End": True}})
    assert sm.execute({}).output == expected


def test_random_and_uuid_are_seeded() -> None:
    sm = jsonata(
        {
            "P": {
                "Type": "Pass",
                "Output": {"r": "{% $random() %}", "u": "{% $uuid() %}"},
                "End": True,
            }
        }
    )
    first, again, other = sm.execute({}, seed=3), sm.execute({}, seed=3), sm.execute({}, seed=4)
    assert first.output == again.output
    assert first.output != other.output
    assert 0 <= first.output["r"] < 1


@pytest.mark.parametrize(
    ("assign", "message"),
    [
        (
            {"big": "{% $pad('', 270000, 'x') %}"},
            "The variable 'big' assigned by the state 'P' exceeds the maximum size of 256 KiB.",
        ),
        (
            {"a": "{% $pad('', 140000, 'x') %}", "b": "{% $pad('', 140000, 'x') %}"},
            "The variables assigned by the state 'P' together exceed the maximum size of 256 KiB.",
        ),
    ],
)
def test_variable_size_limits(assign: dict[str, str], message: str) -> None:
    sm = jsonata({"P": {"Type": "Pass", "Assign": assign, "Output": {}, "End": True}})
    execution = sm.execute({})
    assert (execution.error, execution.cause) == ("States.DataLimitExceeded", message)


def test_evaluation_failed_links_like_the_entered_event() -> None:
    sm = jsonata(
        {
            "State0": {"Type": "Pass", "Next": "State1"},
            "State1": {"Type": "Pass", "Output": {"result": "{% $doesNotExist %}"}, "End": True},
        }
    )
    execution = sm.execute({})
    chain = [(e.id, e.previous_event_id, e.type) for e in execution.history]
    assert chain[3:] == [
        (4, 3, "PassStateEntered"),
        (5, 3, "EvaluationFailed"),
        (6, 5, "ExecutionFailed"),
    ]
    assert execution.history[4].details == {
        "error": "States.QueryEvaluationError",
        "cause": "An error occurred while executing the state 'State1' (entered at the event id #4). "
        "The JSONata expression '$doesNotExist' specified for the field 'Output/result' returned nothing (undefined).",
        "location": "Output/result",
        "state": "State1",
    }


def test_choice_condition_type_error_names_the_rule() -> None:
    sm = jsonata(
        {
            "C": {
                "Type": "Choice",
                "Choices": [
                    {"Condition": "{% false %}", "Next": "D"},
                    {"Condition": "{% 'yes' %}", "Next": "D"},
                ],
                "Default": "D",
            },
            "D": {"Type": "Succeed"},
        }
    )
    execution = sm.execute({})
    assert execution.error == "States.QueryEvaluationError"
    assert (
        "specified for the field 'Choices[1]/Condition' returned an unexpected result type"
        in execution.cause
    )
    assert execution.events("EvaluationFailed")[0].details["location"] == "Choices[1]/Condition"
