"""Static checks of JSONata ``{% %}`` strings: syntax, context-item reads, ``$states`` fields.

Expected messages are AWS's (``ValidateStateMachineDefinition``); see
``pytest_sfn/parsing/_validate_jsonata.py`` for where each was recorded.
"""

from __future__ import annotations

import keyword
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_sfn.parsing._validate_jsonata import (
    AFTER_RESULT,
    ANYWHERE,
    IN_CATCHER,
    Reserved,
    analyse,
)
from pytest_sfn.parsing.validate import validate_definition
from tests.unit.test_validate import (
    DISTRIBUTED,
    LAMBDA,
    PROCESSOR,
    SUCCEED,
    dmap,
    jsonata,
    map_,
    one,
    parallel,
    pass_,
    sm,
    summary,
    task,
    wait,
)

INVALID = "INVALID_JSONATA_EXPRESSION"
UNSUPPORTED = "UNSUPPORTED_JSONATA_EXPRESSION"
S = "SCHEMA_VALIDATION_FAILED"
BAD = "{% a[1,2) %}"
BAD_MESSAGE = 'Expected "]", got ","'
READER = {"Resource": "arn:aws:states:::s3:getObject", "Arguments": {"Bucket": "b", "Key": "k"}}
WRITER = {"Resource": "arn:aws:states:::s3:putObject", "Arguments": {"Bucket": "b"}}


def catch(**fields: Any) -> list[dict[str, Any]]:
    """One catcher of everything going to the state ``A`` itself."""
    return [{"ErrorEquals": ["States.ALL"], "Next": "A", **fields}]


def choice_rule(**fields: Any) -> dict[str, Any]:
    """A JSONata machine whose Choice ``C`` has one rule going to the Succeed state ``D``."""
    rule = {"Condition": "{% true %}", "Next": "D", **fields}
    state = {"Type": "Choice", "Choices": [rule], "Default": "D"}
    return jsonata(sm({"C": state, "D": SUCCEED}, start="C"))


def output(expression: str) -> dict[str, Any]:
    """A JSONata machine of one Pass state whose Output is ``{% expression %}``."""
    return jsonata(one(pass_(Output="{% " + expression + " %}")))


def case(id_: str, definition: Any, code: str, location: str, message: str) -> Any:
    return pytest.param(definition, code, location, message, id=id_)


# -- syntax errors, wherever a field takes JSONata -------------------------------------------

# fmt: off
SYNTAX_ERRORS = [
    case("arguments", jsonata(one(task(Arguments={"p": [BAD]}))), INVALID,
         "/States/A/Arguments/p/0", BAD_MESSAGE),
    case("arguments-whole", jsonata(one(task(Arguments=BAD))), INVALID, "/States/A/Arguments",
         BAD_MESSAGE),
    case("output", jsonata(one(pass_(Output=BAD))), INVALID, "/States/A/Output", BAD_MESSAGE),
    case("output-nested", jsonata(one(pass_(Output={"a": {"b": BAD}}))), INVALID,
         "/States/A/Output/a/b", BAD_MESSAGE),
    case("assign", jsonata(one(pass_(Assign={"x": BAD}))), INVALID, "/States/A/Assign/x",
         BAD_MESSAGE),
    case("assign-nested", jsonata(one(pass_(Assign={"x": {"y": [1, BAD]}}))), INVALID,
         "/States/A/Assign/x/y/1", BAD_MESSAGE),
    case("items", jsonata(one(map_(Items=BAD))), INVALID, "/States/A/Items", BAD_MESSAGE),
    case("items-array", jsonata(one(map_(Items=[1, BAD]))), INVALID, "/States/A/Items/1",
         BAD_MESSAGE),
    case("item-selector", jsonata(one(map_(ItemSelector={"v": BAD}))), INVALID,
         "/States/A/ItemSelector/v", BAD_MESSAGE),
    case("condition", choice_rule(Condition=BAD), INVALID, "/States/C/Choices/0/Condition",
         BAD_MESSAGE),
    case("rule-output", choice_rule(Output={"o": BAD}), INVALID,
         "/States/C/Choices/0/Output/o", BAD_MESSAGE),
    case("rule-assign", choice_rule(Assign={"x": BAD}), INVALID,
         "/States/C/Choices/0/Assign/x", BAD_MESSAGE),
    case("seconds", jsonata(one(wait(Seconds=BAD))), INVALID, "/States/A/Seconds", BAD_MESSAGE),
    case("timestamp", jsonata(one(wait(Timestamp=BAD))), INVALID, "/States/A/Timestamp",
         BAD_MESSAGE),
    case("timeout-seconds", jsonata(one(task(TimeoutSeconds=BAD))), INVALID,
         "/States/A/TimeoutSeconds", BAD_MESSAGE),
    case("heartbeat-seconds", jsonata(one(task(HeartbeatSeconds=BAD))), INVALID,
         "/States/A/HeartbeatSeconds", BAD_MESSAGE),
    case("credentials", jsonata(one(task(Credentials={"RoleArn": BAD}))), INVALID,
         "/States/A/Credentials/RoleArn", BAD_MESSAGE),
    case("max-concurrency", jsonata(one(map_(MaxConcurrency=BAD))), INVALID,
         "/States/A/MaxConcurrency", BAD_MESSAGE),
    case("tolerated-failure-count", jsonata(one(dmap(ToleratedFailureCount=BAD))), INVALID,
         "/States/A/ToleratedFailureCount", BAD_MESSAGE),
    case("tolerated-failure-percentage", jsonata(one(dmap(ToleratedFailurePercentage=BAD))),
         INVALID, "/States/A/ToleratedFailurePercentage", BAD_MESSAGE),
    case("fail-error", jsonata(one({"Type": "Fail", "Error": BAD})), INVALID, "/States/A/Error",
         BAD_MESSAGE),
    case("fail-cause", jsonata(one({"Type": "Fail", "Cause": BAD})), INVALID, "/States/A/Cause",
         BAD_MESSAGE),
    case("item-reader-arguments",
         jsonata(one(dmap(ItemReader={**READER, "Arguments": {"Bucket": BAD}}))), INVALID,
         "/States/A/ItemReader/Arguments/Bucket", BAD_MESSAGE),
    case("item-reader-max-items",
         jsonata(one(dmap(ItemReader={**READER, "ReaderConfig": {"MaxItems": BAD}}))), INVALID,
         "/States/A/ItemReader/ReaderConfig/MaxItems", BAD_MESSAGE),
    case("item-batcher", jsonata(one(dmap(ItemBatcher={"MaxItemsPerBatch": BAD}))), INVALID,
         "/States/A/ItemBatcher/MaxItemsPerBatch", BAD_MESSAGE),
    case("result-writer-arguments",
         jsonata(one(dmap(ResultWriter={**WRITER, "Arguments": {"Prefix": BAD}}))), INVALID,
         "/States/A/ResultWriter/Arguments/Prefix", BAD_MESSAGE),
    case("catch-output", jsonata(one(task(Catch=catch(Output=BAD)))), INVALID,
         "/States/A/Catch/0/Output", BAD_MESSAGE),
    case("catch-assign", jsonata(one(task(Catch=catch(Assign={"e": BAD})))), INVALID,
         "/States/A/Catch/0/Assign/e", BAD_MESSAGE),
    case("parallel-arguments", jsonata(one(parallel(Arguments=BAD))), INVALID,
         "/States/A/Arguments", BAD_MESSAGE),
    case("nested-state", jsonata(one(map_(ItemProcessor={
         "StartAt": "I", "States": {"I": pass_(Output=BAD)}}))), INVALID,
         "/States/A/ItemProcessor/States/I/Output", BAD_MESSAGE),
    case("jsonata-state-in-jsonpath-machine", one(pass_(QueryLanguage="JSONata", Output=BAD)),
         INVALID, "/States/A/Output", BAD_MESSAGE),
]
# fmt: on


@pytest.mark.parametrize(("definition", "code", "location", "message"), SYNTAX_ERRORS)
def test_syntax_errors_are_reported_where_the_expression_is(
    definition: dict[str, Any], code: str, location: str, message: str
) -> None:
    assert summary(validate_definition(definition)) == [(code, location, message)]


# Each pair was measured with ValidateStateMachineDefinition (one Pass state's Output).
@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("a[1,2)", 'Expected "]", got ","'),
        ('"unterminated', "String literal must be terminated by a matching quote"),
        ("1 +", "Unexpected end of expression"),
        ('{"a":}', 'The symbol "}" cannot be used as a unary operator'),
        ("$x :=", "Unexpected end of expression"),
        ('$match("a", /abc', "No terminating / in regular expression"),
        ("phone %.other", 'The symbol "." cannot be used as a unary operator'),
        ("", "Unexpected end of expression"),
    ],
)
def test_syntax_error_messages_are_jsonata_js_without_the_code(
    expression: str, message: str
) -> None:
    assert summary(validate_definition(output(expression))) == [
        (INVALID, "/States/A/Output", message)
    ]


def test_a_syntax_error_hides_the_other_rules_of_that_string() -> None:
    assert summary(validate_definition(output("phone + $states.result +"))) == [
        (INVALID, "/States/A/Output", "Unexpected end of expression")
    ]


def test_jsonata_strings_of_jsonpath_states_are_literals() -> None:
    literal = "{% phone[ %}"
    definition = one(pass_(Parameters={"a": literal}, Result={"b": literal}, Assign={"c": literal}))
    assert validate_definition(definition) == []


# -- reads of the context item ----------------------------------------------------------------

# Each expression below was measured with ValidateStateMachineDefinition.
NAMES_PHONE = [
    "phone",
    "phone[0].number",
    "phone.number.street",
    "-phone",
    "phone ? 1 : 2",
    "$states.input.a ? phone : 2",
    "phone & 'x'",
    "phone in $states.input.b",
    "$sum(phone)",
    "phone(1)",
    "phone ~> $string()",
    "[1..phone]",
    "(phone)",
    "(phone).other",
    "[phone].other",
    "[phone, 1]",
    "{phone: 1}",
    "($x := phone; $x)",
    "$map($states.input.a, function($y){ phone })",
    "$count(phone[inner])",
    "phone.**.deeper",
]

ANCHORED = [
    "$states.input.phone",
    "$states.input.a.phone",
    "$states.input.a[0].phone",
    "$states.input.a.phone[0]",
    "$states.input.items[phone > 3]",
    "$states.input.a^(phone)",
    "$states.input.a{'k': phone}",
    "$states.input.a.(phone)",
    "$states.input.a.$phone",
    "$phone",
    "$states.input.a ~> $string()",
    "$states.input ~> |phone|{'b': 1}|",
    "**.phone",
    "{'k': 1}.phone",
    "$states.input.a[0][phone]",
    "$states.input.a[$ > 1]",
    "function($x){ $x.phone }",
    "$map($states.input.a, function($x){ $x.phone })",
    "'phone'",
    "1 + 1",
    "$now()",
]


@pytest.mark.parametrize("expression", NAMES_PHONE)
def test_a_name_read_from_the_context_item_is_refused(expression: str) -> None:
    assert summary(validate_definition(output(expression))) == [
        (UNSUPPORTED, "/States/A/Output", "Reference to 'phone' at the top level is not supported.")
    ]


@pytest.mark.parametrize("expression", ANCHORED)
def test_a_name_read_from_something_else_is_accepted(expression: str) -> None:
    assert validate_definition(output(expression)) == []


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("$", "Reference to '$' at the top level is not supported."),
        ("$.phone", "Reference to '$' at the top level is not supported."),
        ("$[0]", "Reference to '$' at the top level is not supported."),
        ("$string($)", "Reference to '$' at the top level is not supported."),
        (
            "$map($states.input.a, function($x){ $ })",
            "Reference to '$' at the top level is not supported.",
        ),
        ("$$", "Reference to '$$' is not supported."),
        ("$$.phone", "Reference to '$$' is not supported."),
    ],
)
def test_the_context_item_and_its_root_are_refused(expression: str, message: str) -> None:
    assert summary(validate_definition(output(expression))) == [
        (UNSUPPORTED, "/States/A/Output", message)
    ]


@pytest.mark.parametrize(
    ("expression", "names"),
    [
        ("aaa + bbb", ("aaa", "bbb")),
        ("[bbb, aaa]", ("bbb", "aaa")),
        ("aaa + aaa", ("aaa",)),
        ("(aaa; bbb)", ("aaa", "bbb")),
        ("$number(aaa) + $number(bbb)", ("aaa", "bbb")),
        ("$$ + aaa + $ + $$", ("$$", "aaa", "$")),
    ],
)
def test_every_distinct_name_once_in_writing_order(expression: str, names: tuple[str, ...]) -> None:
    assert analyse("{% " + expression + " %}").top_level == names
    messages = [d.message for d in validate_definition(output(expression))]
    assert len(messages) == len(names)
    assert all(f"'{name}'" in message for name, message in zip(names, messages, strict=True))


def test_each_string_reports_its_own_names() -> None:
    definition = jsonata(one(pass_(Output={"v": "{% phone %}", "w": ["{% email + phone %}"]})))
    assert [(d.location, d.message) for d in validate_definition(definition)] == [
        ("/States/A/Output/v", "Reference to 'phone' at the top level is not supported."),
        ("/States/A/Output/w/0", "Reference to 'email' at the top level is not supported."),
        ("/States/A/Output/w/0", "Reference to 'phone' at the top level is not supported."),
    ]


def test_the_condition_of_a_rule_is_checked_too() -> None:
    assert summary(validate_definition(choice_rule(Condition="{% ok %}"))) == [
        (
            UNSUPPORTED,
            "/States/C/Choices/0/Condition",
            "Reference to 'ok' at the top level is not supported.",
        )
    ]


_KEYWORDS = {"and", "or", "in", "true", "false", "null", "function"}
IDENTIFIERS = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,15}", fullmatch=True).filter(
    lambda name: name not in _KEYWORDS and not keyword.iskeyword(name)
)


@settings(max_examples=80, deadline=None)
@given(IDENTIFIERS)
def test_any_bare_name_is_refused_and_any_variable_is_accepted(name: str) -> None:
    assert [d.message for d in validate_definition(output(name))] == [
        f"Reference to '{name}' at the top level is not supported."
    ]
    assert validate_definition(output("$" + name)) == []
    assert validate_definition(output(f"$states.input.{name}")) == []


# -- $states fields -----------------------------------------------------------------------------

RESULT = "{% $states.result %}"
ERROR_OUTPUT = "{% $states.errorOutput.Cause %}"
NO_RESULT = "Field '$states.result' does not exist."
NO_ERROR_OUTPUT = "Field '$states.errorOutput' does not exist."

# fmt: off
STATES_FIELD_REFUSED = [
    case("pass-output-result", jsonata(one(pass_(Output=RESULT))), UNSUPPORTED, "/States/A/Output",
         NO_RESULT),
    case("pass-assign-result", jsonata(one(pass_(Assign={"r": RESULT}))), UNSUPPORTED,
         "/States/A/Assign/r", NO_RESULT),
    case("wait-output-result", jsonata(one(wait(Seconds=1, Output=RESULT))), UNSUPPORTED,
         "/States/A/Output", NO_RESULT),
    case("wait-seconds-result", jsonata(one(wait(Seconds=RESULT))), UNSUPPORTED,
         "/States/A/Seconds", NO_RESULT),
    case("succeed-output-result", jsonata(one({"Type": "Succeed", "Output": RESULT})),
         UNSUPPORTED, "/States/A/Output", NO_RESULT),
    case("fail-cause-result", jsonata(one({"Type": "Fail", "Cause": RESULT})), UNSUPPORTED,
         "/States/A/Cause", NO_RESULT),
    case("choice-output-result", jsonata(sm({"C": {"Type": "Choice", "Choices": [
         {"Condition": True, "Next": "D"}], "Output": RESULT, "Default": "D"}, "D": SUCCEED},
         start="C")), UNSUPPORTED, "/States/C/Output", NO_RESULT),
    case("rule-condition-result", choice_rule(Condition=RESULT), UNSUPPORTED,
         "/States/C/Choices/0/Condition", NO_RESULT),
    case("rule-assign-result", choice_rule(Assign={"r": RESULT}), UNSUPPORTED,
         "/States/C/Choices/0/Assign/r", NO_RESULT),
    case("task-arguments-result", jsonata(one(task(Arguments={"a": RESULT}))), UNSUPPORTED,
         "/States/A/Arguments/a", NO_RESULT),
    case("task-timeout-result", jsonata(one(task(TimeoutSeconds=RESULT))), UNSUPPORTED,
         "/States/A/TimeoutSeconds", NO_RESULT),
    case("task-credentials-result", jsonata(one(task(Credentials={"RoleArn": RESULT}))),
         UNSUPPORTED, "/States/A/Credentials/RoleArn", NO_RESULT),
    case("map-items-result", jsonata(one(map_(Items=RESULT))), UNSUPPORTED, "/States/A/Items",
         NO_RESULT),
    case("map-item-selector-result", jsonata(one(map_(ItemSelector={"r": RESULT}))),
         UNSUPPORTED, "/States/A/ItemSelector/r", NO_RESULT),
    case("map-max-concurrency-result", jsonata(one(map_(MaxConcurrency=RESULT))), UNSUPPORTED,
         "/States/A/MaxConcurrency", NO_RESULT),
    case("parallel-arguments-result", jsonata(one(parallel(Arguments=RESULT))), UNSUPPORTED,
         "/States/A/Arguments", NO_RESULT),
    case("catch-output-result", jsonata(one(task(Catch=catch(Output=RESULT)))), UNSUPPORTED,
         "/States/A/Catch/0/Output", NO_RESULT),
    case("catch-assign-result", jsonata(one(task(Catch=catch(Assign={"r": RESULT})))),
         UNSUPPORTED, "/States/A/Catch/0/Assign/r", NO_RESULT),
    case("task-output-error-output", jsonata(one(task(Output=ERROR_OUTPUT))), UNSUPPORTED,
         "/States/A/Output", NO_ERROR_OUTPUT),
    case("task-assign-error-output", jsonata(one(task(Assign={"e": ERROR_OUTPUT}))),
         UNSUPPORTED, "/States/A/Assign/e", NO_ERROR_OUTPUT),
    case("pass-output-error-output", output("$states.errorOutput"), UNSUPPORTED,
         "/States/A/Output", NO_ERROR_OUTPUT),
    case("unknown-field", output("$states.item"), UNSUPPORTED, "/States/A/Output",
         "Field '$states.item' does not exist."),
    case("unknown-field-wrong-case", jsonata(one(task(Output="{% $states.Result %}"))),
         UNSUPPORTED, "/States/A/Output", "Field '$states.Result' does not exist."),
]
# fmt: on


@pytest.mark.parametrize(("definition", "code", "location", "message"), STATES_FIELD_REFUSED)
def test_states_fields_a_field_cannot_see_are_refused(
    definition: dict[str, Any], code: str, location: str, message: str
) -> None:
    assert summary(validate_definition(definition)) == [(code, location, message)]


STATES_FIELD_ACCEPTED = {
    "task-output-result": jsonata(one(task(Output=RESULT))),
    "task-assign-result": jsonata(one(task(Assign={"r": RESULT}))),
    "parallel-output-result": jsonata(one(parallel(Output={"r": [RESULT]}))),
    "parallel-assign-result": jsonata(one(parallel(Assign={"r": RESULT}))),
    "map-output-result": jsonata(one(map_(Output=RESULT))),
    "distributed-map-assign-result": jsonata(one(dmap(Assign={"r": RESULT}))),
    "catch-output-error-output": jsonata(one(task(Catch=catch(Output=ERROR_OUTPUT)))),
    "catch-assign-error-output": jsonata(one(task(Catch=catch(Assign={"e": ERROR_OUTPUT})))),
    "parallel-catch-error-output": jsonata(one(parallel(Catch=catch(Output=ERROR_OUTPUT)))),
    "input-and-context-anywhere": jsonata(
        one(
            map_(
                Items="{% $states.input.items %}",
                ItemSelector={"v": "{% $states.context.Map.Item.Value %}"},
                MaxConcurrency="{% $states.input.n %}",
                Output="{% [$states.input, $states.context.Execution.Id] %}",
            )
        )
    ),
    "states-read-whole": output("$keys($states)"),
    "result-in-a-lambda": jsonata(
        one(task(Output="{% $map([1], function($v){ $states.result }) %}"))
    ),
}


@pytest.mark.parametrize("definition", STATES_FIELD_ACCEPTED.values(), ids=STATES_FIELD_ACCEPTED)
def test_states_fields_a_field_can_see_are_accepted(definition: dict[str, Any]) -> None:
    assert validate_definition(definition) == []


@pytest.mark.parametrize(
    ("reserved", "readable"),
    [
        (ANYWHERE, {"input", "context"}),
        (AFTER_RESULT, {"input", "context", "result"}),
        (IN_CATCHER, {"input", "context", "errorOutput"}),
    ],
)
def test_reserved_fields_by_place(reserved: Reserved, readable: set[str]) -> None:
    for name in ("input", "context", "result", "errorOutput", "item", "Input", ""):
        assert reserved.allows(name) is (name in readable), name


def test_every_problem_of_a_string_is_reported_in_order() -> None:
    definition = output("[phone, $$, $states.result, $states.errorOutput]")
    assert [d.message for d in validate_definition(definition)] == [
        "Reference to 'phone' at the top level is not supported.",
        "Reference to '$$' is not supported.",
        "Field '$states.errorOutput' does not exist.",
        "Field '$states.result' does not exist.",
    ]


# -- fields of the other query language (AWS-measured wording) ------------------------------


def _language(state_language: str, field_name: str) -> str:
    other = "JSONPath" if state_language == "JSONata" else "JSONata"
    return (
        f"The QueryLanguage is set to '{state_language}', but field '{field_name}' is only "
        f"supported for the '{other}' QueryLanguage"
    )


# fmt: off
LANGUAGE_MISMATCH = [
    case("jsonata-outputpath", jsonata(one(pass_(OutputPath="$.a"))), S, "/States/A",
         _language("JSONata", "OutputPath")),
    case("jsonata-resultpath", jsonata(one(pass_(ResultPath="$.a"))), S, "/States/A",
         _language("JSONata", "ResultPath")),
    case("jsonata-resultselector", jsonata(one(task(ResultSelector={}))), S, "/States/A",
         _language("JSONata", "ResultSelector")),
    case("jsonata-result", jsonata(one(pass_(Result=1))), S, "/States/A",
         _language("JSONata", "Result")),
    case("jsonata-itemspath", jsonata(one(map_(ItemsPath="$.a"))), S, "/States/A",
         _language("JSONata", "ItemsPath")),
    case("jsonata-maxconcurrencypath", jsonata(one(map_(MaxConcurrencyPath="$.a"))), S,
         "/States/A", _language("JSONata", "MaxConcurrencyPath")),
    case("jsonpath-output", one(pass_(Output={})), S, "/States/A", _language("JSONPath", "Output")),
    case("jsonpath-arguments", one(task(Arguments={})), S, "/States/A",
         _language("JSONPath", "Arguments")),
    case("jsonpath-items", one(map_(Items=[])), S, "/States/A", _language("JSONPath", "Items")),
    case("jsonpath-in-jsonata-machine", jsonata(one(pass_(QueryLanguage="JSONPath"))), S,
         "/States/A",
         "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine"),
    case("jsonpath-in-jsonata-machine-nested", jsonata(one(map_(ItemProcessor={
         "StartAt": "I", "States": {"I": pass_(QueryLanguage="JSONPath")}}))), S,
         "/States/A/ItemProcessor/States/I",
         "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine"),
]
# fmt: on


@pytest.mark.parametrize(("definition", "code", "location", "message"), LANGUAGE_MISMATCH)
def test_fields_of_the_other_query_language(
    definition: dict[str, Any], code: str, location: str, message: str
) -> None:
    assert summary(validate_definition(definition)) == [(code, location, message)]


def test_assign_belongs_to_both_query_languages() -> None:
    assert validate_definition(one(pass_(Assign={"x": 1}))) == []
    assert validate_definition(jsonata(one(pass_(Assign={"x": 1})))) == []


# -- a complete valid JSONata machine -----------------------------------------------------------

VALID_JSONATA = jsonata(
    sm(
        {
            "Start": {
                "Type": "Pass",
                "Assign": {
                    "orderId": "{% $states.input.order.id %}",
                    "items": "{% $states.input.order.items %}",
                    "attempts": 0,
                    "startedAt": "{% $states.context.Execution.StartTime %}",
                },
                "Output": {"ids": "{% $map($states.input.order.items, function($i){ $i.id }) %}"},
                "Next": "Charge",
            },
            "Charge": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Arguments": {
                    "FunctionName": "charge",
                    "Payload": {"order": "{% $orderId %}", "n": "{% $count($items) %}"},
                },
                "TimeoutSeconds": "{% 10 + $attempts %}",
                "HeartbeatSeconds": 5,
                "Retry": [{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 2}],
                "Catch": [
                    {
                        "ErrorEquals": ["States.ALL"],
                        "Next": "Failed",
                        "Output": "{% $states.errorOutput %}",
                        "Assign": {"lastError": "{% $states.errorOutput.Error %}"},
                    }
                ],
                "Assign": {"receipt": "{% $states.result.Payload.receipt %}"},
                "Output": "{% $merge([$states.input, {'charged': true}]) %}",
                "Next": "Route",
            },
            "Route": {
                "Type": "Choice",
                "Choices": [
                    {
                        "Condition": "{% $count($items) > 10 %}",
                        "Assign": {"big": True},
                        "Output": {"size": "big"},
                        "Next": "Fan",
                    }
                ],
                "Default": "Pause",
            },
            "Pause": {
                "Type": "Wait",
                "Seconds": "{% $attempts * 2 %}",
                "Assign": {"attempts": "{% $attempts + 1 %}"},
                "Next": "Fan",
            },
            "Fan": {
                "Type": "Parallel",
                "Arguments": {"id": "{% $orderId %}"},
                "Branches": [
                    {
                        "StartAt": "Ship",
                        "States": {
                            "Ship": task(
                                Arguments={"Payload": "{% $states.input %}"},
                                Assign={"shipped": "{% $states.result.StatusCode = 200 %}"},
                                Output="{% $shipped %}",
                            )
                        },
                    },
                    {
                        "StartAt": "Notify",
                        "States": {"Notify": pass_(Output="{% $receipt %}")},
                    },
                ],
                "Output": "{% $states.result %}",
                "Next": "Each",
            },
            "Each": {
                "Type": "Map",
                "Items": "{% $items %}",
                "ItemSelector": {
                    "item": "{% $states.context.Map.Item.Value %}",
                    "order": "{% $orderId %}",
                },
                "MaxConcurrency": "{% $count($items) > 5 ? 5 : 0 %}",
                "ItemProcessor": {
                    "StartAt": "Line",
                    "States": {
                        "Line": pass_(
                            Assign={"line": "{% $states.input.item %}"},
                            Output="{% $states.input.item.price * 2 %}",
                        )
                    },
                },
                "Assign": {"total": "{% $sum($states.result) %}"},
                "Next": "Done",
            },
            "Done": {
                "Type": "Succeed",
                "Output": {"total": "{% $total %}", "id": "{% $orderId %}"},
            },
            "Failed": {
                "Type": "Fail",
                "Error": "{% $lastError %}",
                "Cause": "{% 'order ' & $orderId & ' failed' %}",
            },
        },
        start="Start",
    )
)


def test_a_complete_jsonata_machine_is_valid() -> None:
    assert validate_definition(VALID_JSONATA) == []


def test_a_distributed_map_with_jsonata_everywhere_is_valid() -> None:
    definition = jsonata(
        one(
            dmap(
                ItemReader={
                    "Resource": "arn:aws:states:::s3:getObject",
                    "Arguments": {"Bucket": "{% $states.input.bucket %}", "Key": "k"},
                    "ReaderConfig": {"InputType": "JSON", "MaxItems": "{% 10 %}"},
                },
                ItemBatcher={"MaxItemsPerBatch": "{% 2 %}", "BatchInput": {"b": "{% 1 %}"}},
                ResultWriter={
                    "Resource": "arn:aws:states:::s3:putObject",
                    "Arguments": {"Bucket": "{% $states.input.bucket %}", "Prefix": "out"},
                },
                ToleratedFailureCount="{% 1 %}",
                ToleratedFailurePercentage="{% 5.5 %}",
                ItemProcessor={**DISTRIBUTED, "States": {"I": pass_(Output="{% $states.input %}")}},
            )
        )
    )
    assert validate_definition(definition) == []


def test_processor_constant_is_plain() -> None:
    assert validate_definition(jsonata(one(map_(ItemProcessor=PROCESSOR)))) == []
