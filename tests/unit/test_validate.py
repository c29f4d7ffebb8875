"""Static validation of definitions: one row per rule (code, location, message)."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_sfn.errors import Diagnostic
from pytest_sfn.parsing.validate import validate_definition

LAMBDA = "arn:aws:states:::lambda:invoke"
SUCCEED = {"Type": "Succeed"}
PROCESSOR = {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}
DISTRIBUTED = {
    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
    "StartAt": "I",
    "States": {"I": {"Type": "Pass", "End": True}},
}
READER = {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": "b", "Key": "k"}}


def sm(states: dict[str, Any], start: str = "A", **top: Any) -> dict[str, Any]:
    """A state machine."""
    return {"StartAt": start, "States": states, **top}


def one(state: dict[str, Any], name: str = "A", **top: Any) -> dict[str, Any]:
    """A state machine of one state."""
    return sm({name: state}, start=name, **top)


def jsonata(definition: dict[str, Any]) -> dict[str, Any]:
    """The same machine with ``QueryLanguage: JSONata`` at the top level."""
    return {"QueryLanguage": "JSONata", **definition}


def pass_(**fields: Any) -> dict[str, Any]:
    return {"Type": "Pass", "End": True, **fields}


def task(**fields: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": LAMBDA, "End": True, **fields}


def wait(**fields: Any) -> dict[str, Any]:
    return {"Type": "Wait", "End": True, **fields}


def map_(**fields: Any) -> dict[str, Any]:
    return {"Type": "Map", "ItemProcessor": PROCESSOR, "End": True, **fields}


def dmap(**fields: Any) -> dict[str, Any]:
    return {"Type": "Map", "ItemProcessor": DISTRIBUTED, "End": True, **fields}


def parallel(*branches: Any, **fields: Any) -> dict[str, Any]:
    return {"Type": "Parallel", "Branches": list(branches) or [PROCESSOR], "End": True, **fields}


def choice(*rules: Any, **fields: Any) -> dict[str, Any]:
    """A machine whose Choice ``C`` leads to the Succeed state ``D``."""
    state = {"Type": "Choice", "Choices": list(rules), "Default": "D", **fields}
    return sm({"C": state, "D": SUCCEED}, start="C")


def rule(**fields: Any) -> dict[str, Any]:
    """A top-level JSONPath choice rule on ``$.x`` going to ``D``."""
    return {"Variable": "$.x", "Next": "D", **fields}


def summary(diagnostics: list[Diagnostic]) -> list[tuple[str, str, str]]:
    """(code, location, message + our hint) of each diagnostic."""
    return [(d.code, d.location, d.message + d.hint) for d in diagnostics]


def case(id_: str, definition: Any, code: str, location: str, message: str) -> Any:
    return pytest.param(definition, code, location, message, id=id_)


S = "SCHEMA_VALIDATION_FAILED"
T = "MISSING_TRANSITION_TARGET"

# -- valid definitions ----------------------------------------------------------------------

VALID = {
    "pass": one(pass_()),
    "pass-everything": one(
        pass_(
            Comment="c",
            InputPath="$.a",
            Parameters={"x.$": "$.b", "ctx.$": "$$.Execution.Id", "v.$": "$myVar", "lit": 1},
            ResultPath="$.r",
            OutputPath="$",
            Assign={"counter": 1, "fromInput.$": "$.a", "nested": {"k.$": "$.b"}},
        )
    ),
    "null-paths": one(pass_(InputPath=None, OutputPath=None, ResultPath=None)),
    "state-name-with-spaces": one(pass_(), name="Ask for Approval"),
    "task-full": one(
        task(
            Parameters={"FunctionName": "f", "Payload.$": "States.Format('{}', $.x)"},
            ResultSelector={"body.$": "$.Payload"},
            TimeoutSeconds=10,
            HeartbeatSeconds=5,
            Credentials={"RoleArn": "arn:aws:iam::111111111111:role/r"},
            Retry=[
                {
                    "ErrorEquals": ["Lambda.ServiceException", "States.Timeout"],
                    "IntervalSeconds": 2,
                    "MaxAttempts": 0,
                    "BackoffRate": 1.0,
                    "MaxDelaySeconds": 31622400,
                    "JitterStrategy": "FULL",
                    "Comment": "c",
                },
                {"ErrorEquals": ["States.ALL"]},
            ],
            Catch=[
                {"ErrorEquals": ["States.Http.StatusCode.404"], "Next": "A", "ResultPath": None},
                {"ErrorEquals": ["States.ALL"], "Next": "A", "ResultPath": "$.error"},
            ],
        )
    ),
    "task-paths": one(task(TimeoutSecondsPath="$.t", HeartbeatSecondsPath="$$.Execution.x")),
    "task-credentials-path": one(task(Credentials={"RoleArn.$": "$.role"})),
    "activity-and-lambda-arn": sm(
        {
            "A": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:1:activity:x", "Next": "B"},
            "B": task(Resource="arn:aws:lambda:us-east-1:111111111111:function:f"),
        }
    ),
    "choice-all-operators": choice(
        rule(StringEquals="a"),
        rule(StringEqualsPath="$.y"),
        rule(StringMatches="a*"),
        rule(StringLessThanEqualsPath="$$.State.Name"),
        rule(NumericGreaterThan=1.5),
        rule(NumericLessThanPath="$limit"),
        rule(BooleanEquals=False),
        rule(TimestampEquals="2016-03-14T01:59:00Z"),
        rule(TimestampLessThan="2016-03-14T01:59:00.123+02:00"),
        rule(IsNull=True),
        rule(IsTimestamp=False),
        {"Not": {"Variable": "$.type", "StringEquals": "Private"}, "Next": "D"},
        {
            "And": [
                {"Variable": "$.v", "NumericGreaterThanEquals": 20},
                {"Or": [{"Variable": "$.v", "IsPresent": True}]},
            ],
            "Next": "D",
            "Assign": {"x": 1},
            "Comment": "c",
        },
        InputPath="$",
        Assign={"y.$": "$.x"},
    ),
    "wait-seconds": one(wait(Seconds=0)),
    "wait-timestamp": one(wait(Timestamp="2016-03-14T01:59:00Z")),
    "wait-seconds-path": one(wait(SecondsPath="$waitTime")),
    "wait-timestamp-path": one(wait(TimestampPath="$.t")),
    "fail-bare": one({"Type": "Fail"}),
    "fail-literal": one({"Type": "Fail", "Error": "E", "Cause": "C"}),
    "fail-paths": one(
        {"Type": "Fail", "ErrorPath": "$.e", "CausePath": "States.Format('x {}', $.c)"}
    ),
    "parallel": one(
        parallel(PROCESSOR, {"StartAt": "X", "States": {"X": SUCCEED}, "Comment": "c"})
    ),
    "map-inline": one(map_(ItemsPath="$.items", ItemSelector={"i.$": "$$.Map.Item.Value"})),
    "map-legacy-iterator": one(
        {"Type": "Map", "Iterator": PROCESSOR, "Parameters": {"a.$": "$"}, "End": True}
    ),
    "map-inline-processor-config": one(
        map_(ItemProcessor={**PROCESSOR, "ProcessorConfig": {"Mode": "INLINE"}}, MaxConcurrency=0)
    ),
    "map-distributed": one(
        dmap(
            ItemReader={
                **READER,
                "ReaderConfig": {
                    "InputType": "CSV",
                    "CSVHeaderLocation": "FIRST_ROW",
                    "MaxItems": 10,
                },
            },
            ItemBatcher={
                "MaxItemsPerBatch": 10,
                "MaxInputBytesPerBatch": 262144,
                "BatchInput": {"a.$": "$.a"},
            },
            ResultWriter={
                "Resource": "arn:aws:states:::s3:putObject",
                "Parameters": {"Bucket": "b", "Prefix": "p"},
                "WriterConfig": {"Transformation": "FLATTEN", "OutputType": "JSONL"},
            },
            ToleratedFailurePercentage=12.5,
            ToleratedFailureCount=3,
            MaxConcurrencyPath="$.mc",
            Label="my-label_1",
        )
    ),  # fmt: skip
    "map-result-writer-config-only": one(
        dmap(ResultWriter={"WriterConfig": {"Transformation": "COMPACT", "OutputType": "JSON"}})
    ),
    "nested-loop-without-terminal-state": one(
        map_(
            ItemProcessor={
                "StartAt": "X",
                "States": {"X": {"Type": "Pass", "Next": "Y"}, "Y": {"Type": "Pass", "Next": "X"}},
            }
        )
    ),  # fmt: skip
    "jsonata-machine": jsonata(
        sm(
            {
                "A": {
                    "Type": "Task",
                    "Resource": LAMBDA,
                    "Arguments": {"FunctionName": "f", "Payload": "{% $states.input %}"},
                    "Output": "{% $states.result.Payload %}",
                    "Assign": {"x": "{% $states.input.x %}", "lit": 1},
                    "TimeoutSeconds": "{% $t %}",
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "C", "Output": {"e": 1}}],
                    "Next": "C",
                },
                "C": {
                    "Type": "Choice",
                    "Choices": [
                        {"Condition": "{% $x > 1 %}", "Next": "M", "Assign": {"y": 2}},
                        {"Condition": True, "Next": "W", "Output": "{% 1 %}"},
                    ],
                    "Default": "M",
                },
                "W": {"Type": "Wait", "Seconds": "{% $s %}", "Next": "M"},
                "M": {
                    "Type": "Map",
                    "Items": "{% $states.input.items %}",
                    "ItemSelector": {"v": "{% $states.context.Map.Item.Value %}"},
                    "MaxConcurrency": "{% 2 %}",
                    "ItemProcessor": PROCESSOR,
                    "Next": "F",
                },
                "F": {"Type": "Fail", "Error": "{% 'E' %}", "Cause": "plain"},
            }
        )
    ),
    "jsonata-literal-with-spaces-is-not-an-expression": jsonata(one(pass_(Output=" {% %} "))),
    "jsonata-state-in-jsonpath-machine": sm(
        {
            "A": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": {"a": 1}, "Next": "B"},
            "B": pass_(QueryLanguage="JSONPath", InputPath="$.a"),
        }
    ),
    "jsonata-keeps-dollar-keys-verbatim": jsonata(one(pass_(Output={"k.$": "not a path"}))),
    "top-level-fields": one(
        pass_(), Comment="c", Version="1.0", TimeoutSeconds=99999999, QueryLanguage="JSONPath"
    ),
    "choice-loop-with-terminal": sm(
        {
            "A": {"Type": "Pass", "Next": "B"},
            "B": {"Type": "Choice", "Choices": [rule(Next="A", IsNull=True)], "Default": "C"},
            "C": SUCCEED,
        }
    ),
}


@pytest.mark.parametrize("definition", list(VALID.values()), ids=list(VALID))
def test_valid_definitions_have_no_diagnostics(definition: dict[str, Any]) -> None:
    assert summary(validate_definition(definition)) == []


# -- one row per rule ---------------------------------------------------------------------

LONG = "x" * 81
CASES = [
    # top level
    case("not-an-object", [], S, "", "Definition must be a valid JSON object"),
    case("a-string", "{}", S, "", "Definition must be a valid JSON object"),
    case("empty", {}, S, "/", "These fields are required: [States, StartAt]"),
    case("no-startat", {"States": {"A": pass_()}}, S, "/", "These fields are required: [StartAt]"),
    case("unknown-top-field", one(pass_(), Foo=1), S, "/", "Field 'Foo' is not supported"),
    case("top-field-typo", {**one(pass_()), "Comnent": "c"}, S, "/", "(did you mean 'Comment'?)"),
    case("top-query-language-enum", one(pass_(), QueryLanguage="jsonata"), S, "/QueryLanguage",
         "Value should be one of the following: [JSONPath, JSONata]"),
    case("top-query-language-type", one(pass_(), QueryLanguage=5), S, "/QueryLanguage",
         "Expected value of type [STRING]"),
    case("version", one(pass_(), Version="2.0"), S, "/Version", "Value should be one of the following: [1.0]"),
    case("timeout-min", one(pass_(), TimeoutSeconds=0), S, "/TimeoutSeconds", "Minimum value is 1"),
    case("timeout-max", one(pass_(), TimeoutSeconds=100_000_000), S, "/TimeoutSeconds",
         "Maximum value is 99999999"),
    case("timeout-type", one(pass_(), TimeoutSeconds="9"), S, "/TimeoutSeconds",
         "Expected value of type [INTEGER]"),
    case("timeout-bool", one(pass_(), TimeoutSeconds=True), S, "/TimeoutSeconds",
         "Expected value of type [INTEGER]"),
    case("top-comment", one(pass_(), Comment=1), S, "/Comment", "Expected value of type [STRING]"),
    case("states-type", {"StartAt": "A", "States": []}, S, "/States", "Expected value of type [OBJECT]"),
    case("states-empty", {"StartAt": "A", "States": {}}, S, "/States", "Value cannot be empty"),
    case("startat-type", sm({"A": pass_()}, start=1), S, "/StartAt", "Expected value of type [STRING]"),
    case("startat-target", sm({"A": pass_()}, start="Nope"), T, "/StartAt", "Missing 'Next' target: Nope"),
    # any state
    case("state-not-object", one([]), S, "/States/A", "Expected value of type [OBJECT]"),
    case("no-type", one({"End": True}), S, "/States/A", "These fields are required: [Type]"),
    case("bad-type", one({"Type": "Job", "End": True}), S, "/States/A/Type",
         "The field 'Type' should have one of these values: "
         "[Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]"),
    case("type-typo", one({"Type": "Taks", "End": True}), S, "/States/A/Type", "(did you mean 'Task'?)"),
    case("type-not-string", one({"Type": 1}), S, "/States/A/Type", "should have one of these values"),
    case("field-typo", one({"Type": "Pass", "Nxt": "A"}), S, "/States/A",
         "Field 'Nxt' is not supported (did you mean 'Next'?)"),
    case("next-and-end", one(pass_(Next="A")), S, "/States/A",
         "There should only be one of the following fields: [Next, End]"),
    case("no-next-no-end", one({"Type": "Pass"}), S, "/States/A",
         "This object should have only one of the following fields: [Next, End]"),
    case("end-false", one({"Type": "Pass", "End": False}), S, "/States/A",
         "This object should have only one of the following fields: [Next, End]"),
    case("end-type", one({"Type": "Pass", "End": "yes"}), S, "/States/A/End", "Expected value of type [BOOLEAN]"),
    case("next-type", sm({"A": {"Type": "Pass", "Next": 1}, "B": SUCCEED}), S, "/States/A/Next",
         "Expected value of type [STRING]"),
    case("succeed-next", one({"Type": "Succeed", "Next": "A"}), S, "/States/A", "Field 'Next' is not supported"),
    case("fail-end", one({"Type": "Fail", "End": True}), S, "/States/A", "Field 'End' is not supported"),
    case("fail-inputpath", one({"Type": "Fail", "InputPath": "$"}), S, "/States/A",
         "Field 'InputPath' is not supported"),
    case("choice-end", choice(rule(IsNull=True), End=True), S, "/States/C", "Field 'End' is not supported"),
    case("choice-next", choice(rule(IsNull=True), Next="D"), S, "/States/C", "Field 'Next' is not supported"),
    case("pass-result-selector", one(pass_(ResultSelector={})), S, "/States/A",
         "Field 'ResultSelector' is not supported"),
    case("map-arguments", jsonata(one(map_(Arguments={}))), S, "/States/A", "Field 'Arguments' is not supported"),
    case("state-comment", one(pass_(Comment=5)), S, "/States/A/Comment", "Expected value of type [STRING]"),
    case("state-name-too-long", one(pass_(), name=LONG), "INVALID_STATE_NAME", f"/States/{LONG}",
         f"Invalid State name: State '{LONG}' exceeds the 80-character limit allowed by the service"),
    case("state-name-empty", one(pass_(), name=""), "INVALID_STATE_NAME", "/States/", "Invalid State name ''"),
    # paths
    case("inputpath", one(pass_(InputPath="foo")), S, "/States/A/InputPath",
         "The value for the field 'InputPath' must be a valid JSONPath"),
    case("inputpath-syntax", one(pass_(InputPath="$[")), S, "/States/A/InputPath", "must be a valid JSONPath"),
    case("outputpath-type", one(pass_(OutputPath=5)), S, "/States/A/OutputPath", "Expected value of type [STRING]"),
    case("resultpath-wildcard", one(pass_(ResultPath="$.a[*]")), S, "/States/A/ResultPath",
         "The value for the field 'ResultPath' must be a valid Reference Path"),
    case("resultpath-context", one(pass_(ResultPath="$$.Execution")), S, "/States/A/ResultPath",
         "must be a valid Reference Path"),
    case("resultpath-variable", one(pass_(ResultPath="$var.x")), S, "/States/A/ResultPath",
         "must be a valid Reference Path"),
    case("itemspath-deep-scan", one(map_(ItemsPath="$..a")), S, "/States/A/ItemsPath",
         "The value for the field 'ItemsPath' must be a valid Reference Path"),
    case("timeoutsecondspath", one(task(TimeoutSecondsPath="t")), S, "/States/A/TimeoutSecondsPath",
         "must be a valid Reference Path"),
    case("secondspath-slice", one(wait(SecondsPath="$.a[0:1]")), S, "/States/A/SecondsPath",
         "must be a valid Reference Path"),
    case("dollar-key-not-path", one(pass_(Parameters={"k.$": "nope"})), S, "/States/A/Parameters/k.$",
         "The value for the field 'k.$' must be a valid JSONPath or a valid intrinsic function call"),
    case("dollar-key-not-string", one(pass_(Parameters={"k.$": 5})), S, "/States/A/Parameters/k.$",
         "must be a valid JSONPath or a valid intrinsic function call"),
    case("dollar-key-bad-path", one(pass_(Parameters={"o": {"k.$": "$["}})), S,
         "/States/A/Parameters/o/k.$", "'k.$' must be a valid JSONPath"),
    case("dollar-key-in-array", one(pass_(Parameters={"l": [{"k.$": "x"}]})), S,
         "/States/A/Parameters/l/0/k.$", "must be a valid JSONPath"),
    case("dollar-key-unknown-intrinsic", one(pass_(Parameters={"k.$": "States.Nope(1)"})), S,
         "/States/A/Parameters/k.$", "or a valid intrinsic function call"),
    case("dollar-key-bad-intrinsic", one(pass_(Parameters={"k.$": "States.Format("})), S,
         "/States/A/Parameters/k.$", "or a valid intrinsic function call"),
    case("dollar-key-duplicate", one(pass_(Parameters={"k": 1, "k.$": "$"})), S,
         "/States/A/Parameters/k.$", "Field 'k' is defined twice"),
    case("result-selector-type", one(task(ResultSelector=[])), S, "/States/A/ResultSelector",
         "Expected value of type [OBJECT]"),
    case("result-selector-path", one(task(ResultSelector={"k.$": "x"})), S,
         "/States/A/ResultSelector/k.$", "must be a valid JSONPath"),
    case("item-selector-path", one(map_(ItemSelector={"k.$": "x"})), S, "/States/A/ItemSelector/k.$",
         "must be a valid JSONPath"),
    case("credentials-empty", one(task(Credentials={})), S, "/States/A/Credentials",
         "These fields are required: [RoleArn]"),
    case("credentials-both", one(task(Credentials={"RoleArn": "r", "RoleArn.$": "$.r"})), S,
         "/States/A/Credentials", "There should only be one of the following fields: [RoleArn, RoleArn.$]"),
    case("credentials-path", one(task(Credentials={"RoleArn.$": "x"})), S,
         "/States/A/Credentials/RoleArn.$", "must be a valid JSONPath"),
    case("credentials-unknown", one(task(Credentials={"Role": "r"})), S, "/States/A/Credentials",
         "Field 'Role' is not supported"),
    # variables
    case("assign-type", one(pass_(Assign=[])), S, "/States/A/Assign", "Expected value of type [OBJECT]"),
    case("assign-path", one(pass_(Assign={"x.$": "nope"})), S, "/States/A/Assign/x.$",
         "must be a valid JSONPath or a valid intrinsic function call"),
    case("assign-states", one(pass_(Assign={"states": 1})), "RESERVED_VARIABLE_NAME",
         "/States/A/Assign/states", "Cannot assign to reserved variable '$states'."),
    case("assign-dot", one(pass_(Assign={"a.b": 1})), "INVALID_VARIABLE_NAME", "/States/A/Assign/a.b",
         "Invalid variable name 'a.b'"),
    case("assign-bracket", one(pass_(Assign={"a[0]": 1})), "INVALID_VARIABLE_NAME",
         "/States/A/Assign/a[0]", "contains invalid characters"),
    case("assign-digit-first", one(pass_(Assign={"1a": 1})), "INVALID_VARIABLE_NAME",
         "/States/A/Assign/1a", "contains invalid characters"),
    case("assign-underscore-first", one(pass_(Assign={"_a": 1})), "INVALID_VARIABLE_NAME",
         "/States/A/Assign/_a", "contains invalid characters"),
    case("assign-empty-name", one(pass_(Assign={"": 1})), "INVALID_VARIABLE_NAME",
         "/States/A/Assign/", "contains invalid characters"),
    case("assign-too-long", one(pass_(Assign={"v" * 81: 1})), "INVALID_VARIABLE_NAME",
         "/States/A/Assign/" + "v" * 81, "longer than 80 characters"),
    case("assign-jsonata-dollar-key", jsonata(one(pass_(Assign={"x.$": 1}))), "INVALID_VARIABLE_NAME",
         "/States/A/Assign/x.$", "contains invalid characters"),
    case("assign-duplicate", one(pass_(Assign={"x": 1, "x.$": "$"})), S, "/States/A/Assign/x.$",
         "Field 'x' is defined twice"),
    case("assign-in-rule", choice(rule(IsNull=True, Assign={"states": 1})), "RESERVED_VARIABLE_NAME",
         "/States/C/Choices/0/Assign/states", "reserved variable"),
    case("assign-in-catcher", one(task(Catch=[{"ErrorEquals": ["E"], "Next": "A", "Assign": {"a b": 1}}])),
         "INVALID_VARIABLE_NAME", "/States/A/Catch/0/Assign/a b", "Invalid variable name 'a b'"),
    # query languages
    case("jsonata-inputpath", jsonata(one(pass_(InputPath="$.a"))), S, "/States/A",
         "The QueryLanguage is set to 'JSONata', but field 'InputPath' is only supported "
         "for the 'JSONPath' QueryLanguage"),
    case("jsonata-parameters", jsonata(one(task(Parameters={}))), S, "/States/A",
         "field 'Parameters' is only supported for the 'JSONPath' QueryLanguage"),
    case("jsonata-secondspath", jsonata(one(wait(SecondsPath="$.s"))), S, "/States/A",
         "field 'SecondsPath' is only supported for the 'JSONPath' QueryLanguage"),
    case("jsonpath-arguments", one(task(Arguments={})), S, "/States/A",
         "The QueryLanguage is set to 'JSONPath', but field 'Arguments' is only supported "
         "for the 'JSONata' QueryLanguage"),
    case("jsonpath-output", one(pass_(Output={})), S, "/States/A", "field 'Output' is only supported"),
    case("jsonpath-items", one(map_(Items=[1])), S, "/States/A", "field 'Items' is only supported"),
    case("jsonpath-condition", choice({"Condition": "{% true %}", "Next": "D"}), S, "/States/C/Choices/0",
         "field 'Condition' is only supported for the 'JSONata' QueryLanguage"),
    case("jsonata-variable", jsonata(choice({"Variable": "$.x", "IsNull": True, "Next": "D"})), S,
         "/States/C/Choices/0", "field 'Variable' is only supported for the 'JSONPath' QueryLanguage"),
    case("jsonata-catcher-resultpath",
         jsonata(one(task(Catch=[{"ErrorEquals": ["E"], "Next": "A", "ResultPath": "$.e"}]))), S,
         "/States/A/Catch/0", "field 'ResultPath' is only supported for the 'JSONPath'"),
    case("jsonpath-catcher-output", one(task(Catch=[{"ErrorEquals": ["E"], "Next": "A", "Output": 1}])),
         S, "/States/A/Catch/0", "field 'Output' is only supported for the 'JSONata'"),
    case("downgrade", jsonata(one(pass_(QueryLanguage="JSONPath"))), S, "/States/A",
         "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine"),
    case("state-query-language-enum", one(pass_(QueryLanguage="jsonata")), S, "/States/A/QueryLanguage",
         "Value should be one of the following: [JSONPath, JSONata] (did you mean 'JSONata'?)"),
    case("state-query-language-type", one(pass_(QueryLanguage=1)), S, "/States/A/QueryLanguage",
         "Expected value of type [STRING]"),
    case("jsonata-empty-expression", jsonata(one(pass_(Output="{%  %}"))), "INVALID_JSONATA_EXPRESSION",
         "/States/A/Output", "Unexpected end of expression"),
    case("jsonata-empty-nested", jsonata(one(task(Arguments={"a": ["{%%}"]}))),
         "INVALID_JSONATA_EXPRESSION", "/States/A/Arguments/a/0", "Unexpected end of expression"),
    case("jsonata-condition-literal", jsonata(choice({"Condition": "x > 1", "Next": "D"})), S,
         "/States/C/Choices/0/Condition", "must be a JSONata expression"),
    case("jsonata-condition-missing", jsonata(choice({"Next": "D"})), S, "/States/C/Choices/0",
         "These fields are required: [Condition]"),
    case("jsonata-condition-empty", jsonata(choice({"Condition": "{% %}", "Next": "D"})),
         "INVALID_JSONATA_EXPRESSION", "/States/C/Choices/0/Condition", "Unexpected end of expression"),
    case("jsonata-timeout-string", jsonata(one(task(TimeoutSeconds="10"))), S,
         "/States/A/TimeoutSeconds", "Expected value of type [INTEGER]"),
    case("jsonata-items-type", jsonata(one(map_(Items=5))), S, "/States/A/Items", "Expected value of type [ARRAY]"),
    case("jsonata-assign-expression", jsonata(one(pass_(Assign={"x": "{%%}"}))),
         "INVALID_JSONATA_EXPRESSION", "/States/A/Assign/x", "Unexpected end of expression"),
    # Task
    case("task-no-resource", one({"Type": "Task", "End": True}), S, "/States/A",
         "These fields are required: [Resource]"),
    case("task-resource", one(task(Resource="lambda")), S, "/States/A/Resource",
         "The resource provided lambda is not recognized. The value is not a valid resource ARN"),
    case("task-resource-type", one(task(Resource=5)), S, "/States/A/Resource", "Expected value of type [STRING]"),
    case("task-timeout-min", one(task(TimeoutSeconds=0)), S, "/States/A/TimeoutSeconds", "Minimum value is 1"),
    case("task-timeout-max", one(task(TimeoutSeconds=100_000_000)), S, "/States/A/TimeoutSeconds",
         "Maximum value is 99999999"),
    case("task-timeout-exclusive", one(task(TimeoutSeconds=1, TimeoutSecondsPath="$.t")), S, "/States/A",
         "There should only be one of the following fields: [TimeoutSeconds, TimeoutSecondsPath]"),
    case("task-heartbeat-exclusive", one(task(HeartbeatSeconds=1, HeartbeatSecondsPath="$.t")), S,
         "/States/A", "[HeartbeatSeconds, HeartbeatSecondsPath]"),
    case("task-heartbeat-vs-timeout", one(task(TimeoutSeconds=10, HeartbeatSeconds=10)), S,
         "/States/A/HeartbeatSeconds", "'HeartbeatSeconds' must be less than the value of 'TimeoutSeconds'"),
    case("task-heartbeat-type", one(task(HeartbeatSeconds=1.5)), S, "/States/A/HeartbeatSeconds",
         "Expected value of type [INTEGER]"),
    # Retry
    case("retry-type", one(task(Retry={})), S, "/States/A/Retry", "Expected value of type [ARRAY]"),
    case("retrier-type", one(task(Retry=[1])), S, "/States/A/Retry/0", "Expected value of type [OBJECT]"),
    case("retrier-no-error-equals", one(task(Retry=[{}])), S, "/States/A/Retry/0",
         "These fields are required: [ErrorEquals]"),
    case("retrier-empty-error-equals", one(task(Retry=[{"ErrorEquals": []}])), S,
         "/States/A/Retry/0/ErrorEquals", "Value cannot be empty"),
    case("error-equals-type", one(task(Retry=[{"ErrorEquals": "States.ALL"}])), S,
         "/States/A/Retry/0/ErrorEquals", "Expected value of type [ARRAY]"),
    case("error-name-type", one(task(Retry=[{"ErrorEquals": [1]}])), S,
         "/States/A/Retry/0/ErrorEquals/0", "Expected value of type [STRING]"),
    case("states-all-not-alone", one(task(Retry=[{"ErrorEquals": ["States.ALL", "E"]}])), S,
         "/States/A/Retry/0/ErrorEquals", "States.ALL must appear alone and at end of list"),
    case("states-all-not-last-retrier",
         one(task(Retry=[{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["E"]}])), S,
         "/States/A/Retry/0/ErrorEquals", "States.ALL must appear alone and at end of list"),
    case("unknown-states-error", one(task(Retry=[{"ErrorEquals": ["States.Timout"]}])), S,
         "/States/A/Retry/0/ErrorEquals/0",
         "'States.Timout' is not a predefined error name; names starting with 'States.' are "
         "reserved (did you mean 'States.Timeout'?)"),
    case("interval-min", one(task(Retry=[{"ErrorEquals": ["E"], "IntervalSeconds": 0}])), S,
         "/States/A/Retry/0/IntervalSeconds", "Minimum value is 1"),
    case("interval-max", one(task(Retry=[{"ErrorEquals": ["E"], "IntervalSeconds": 100_000_000}])), S,
         "/States/A/Retry/0/IntervalSeconds", "Maximum value is 99999999"),
    case("interval-float", one(task(Retry=[{"ErrorEquals": ["E"], "IntervalSeconds": 1.5}])), S,
         "/States/A/Retry/0/IntervalSeconds", "Expected value of type [INTEGER]"),
    case("max-attempts-min", one(task(Retry=[{"ErrorEquals": ["E"], "MaxAttempts": -1}])), S,
         "/States/A/Retry/0/MaxAttempts", "Minimum value is 0"),
    case("backoff-min", one(task(Retry=[{"ErrorEquals": ["E"], "BackoffRate": 0.5}])), S,
         "/States/A/Retry/0/BackoffRate", "Minimum value is 1.0"),
    case("backoff-type", one(task(Retry=[{"ErrorEquals": ["E"], "BackoffRate": "2"}])), S,
         "/States/A/Retry/0/BackoffRate", "Expected value of type [NUMBER]"),
    case("max-delay-min", one(task(Retry=[{"ErrorEquals": ["E"], "MaxDelaySeconds": 0}])), S,
         "/States/A/Retry/0/MaxDelaySeconds", "Minimum value is 1"),
    case("max-delay-max", one(task(Retry=[{"ErrorEquals": ["E"], "MaxDelaySeconds": 31622401}])), S,
         "/States/A/Retry/0/MaxDelaySeconds", "Maximum value is 31622400"),
    case("jitter", one(task(Retry=[{"ErrorEquals": ["E"], "JitterStrategy": "HALF"}])), S,
         "/States/A/Retry/0/JitterStrategy", "Value should be one of the following: [FULL, NONE]"),
    case("retrier-field-typo", one(task(Retry=[{"ErrorEquals": ["E"], "Interval": 1}])), S,
         "/States/A/Retry/0", "Field 'Interval' is not supported (did you mean 'IntervalSeconds'?)"),
    case("retry-on-pass", one(pass_(Retry=[])), S, "/States/A", "Field 'Retry' is not supported"),
    # Catch
    case("catcher-no-next", one(task(Catch=[{"ErrorEquals": ["E"]}])), S, "/States/A/Catch/0",
         "These fields are required: [Next]"),
    case("catcher-empty", one(task(Catch=[{}])), S, "/States/A/Catch/0",
         "These fields are required: [ErrorEquals, Next]"),
    case("catcher-next-type", one(task(Catch=[{"ErrorEquals": ["E"], "Next": 1}])), S,
         "/States/A/Catch/0/Next", "Expected value of type [STRING]"),
    case("catcher-target", one(task(Catch=[{"ErrorEquals": ["E"], "Next": "Nope"}])), T,
         "/States/A/Catch/0/Next", "Missing 'Next' target: Nope"),
    case("states-all-not-last-catcher",
         one(task(Catch=[{"ErrorEquals": ["States.ALL"], "Next": "A"}, {"ErrorEquals": ["E"], "Next": "A"}])),
         S, "/States/A/Catch/0/ErrorEquals", "States.ALL must appear alone and at end of list"),
    case("catcher-resultpath", one(task(Catch=[{"ErrorEquals": ["E"], "Next": "A", "ResultPath": "x"}])),
         S, "/States/A/Catch/0/ResultPath", "must be a valid Reference Path"),
    case("catcher-field-typo", one(task(Catch=[{"ErrorEquals": ["E"], "Nxt": "A"}])), S,
         "/States/A/Catch/0", "Field 'Nxt' is not supported (did you mean 'Next'?)"),
    case("catch-on-wait", one(wait(Seconds=1, Catch=[])), S, "/States/A", "Field 'Catch' is not supported"),
    # Choice
    case("choices-missing", sm({"C": {"Type": "Choice", "Default": "D"}, "D": SUCCEED}, start="C"), S,
         "/States/C", "These fields are required: [Choices]"),
    case("choices-empty", choice(), S, "/States/C/Choices", "Value cannot be empty"),
    case("choices-type", choice(Choices={}), S, "/States/C/Choices", "Expected value of type [ARRAY]"),
    case("rule-type", choice("x"), S, "/States/C/Choices/0", "Expected value of type [OBJECT]"),
    case("rule-no-next", choice({"Variable": "$.x", "IsNull": True}), S, "/States/C/Choices/0",
         "These fields are required: [Next]"),
    case("nested-rule-next", choice({"Not": rule(IsNull=True), "Next": "D"}), S, "/States/C/Choices/0/Not",
         "Field 'Next' is not supported"),
    case("nested-rule-assign", choice({"And": [{"Variable": "$.x", "IsNull": True, "Assign": {}}], "Next": "D"}),
         S, "/States/C/Choices/0/And/0", "Field 'Assign' is not supported"),
    case("rule-no-selector", choice({"Next": "D"}), S, "/States/C/Choices/0",
         "This object should have only one of the following fields: [And, Or, Not, Variable]"),
    case("rule-two-selectors", choice(rule(IsNull=True, And=[rule(IsNull=True)])), S, "/States/C/Choices/0",
         "There should only be one of the following fields: [And, Or, Not, Variable]"),
    case("rule-no-operator", choice(rule()), S, "/States/C/Choices/0",
         "A rule with 'Variable' must have exactly one comparison operator"),
    case("rule-two-operators", choice(rule(StringEquals="a", StringMatches="a*")), S, "/States/C/Choices/0",
         "There should only be one of the following fields: [StringEquals, StringMatches]"),
    case("operator-without-variable", choice({"StringEquals": "a", "Next": "D"}), S, "/States/C/Choices/0",
         "These fields are required: [Variable]"),
    case("and-empty", choice({"And": [], "Next": "D"}), S, "/States/C/Choices/0/And", "Value cannot be empty"),
    case("or-type", choice({"Or": {}, "Next": "D"}), S, "/States/C/Choices/0/Or", "Expected value of type [ARRAY]"),
    case("not-type", choice({"Not": [], "Next": "D"}), S, "/States/C/Choices/0/Not",
         "Expected value of type [OBJECT]"),
    case("nested-rule-problem", choice({"Or": [{"Variable": "$.x", "NumericEquals": "1"}], "Next": "D"}), S,
         "/States/C/Choices/0/Or/0/NumericEquals", "Expected value of type [NUMBER]"),
    case("variable-path", choice(rule(Variable="$.a[?(@.b)]", IsNull=True)), S, "/States/C/Choices/0/Variable",
         "The value for the field 'Variable' must be a valid Reference Path"),
    case("operator-path", choice(rule(NumericEqualsPath="x")), S, "/States/C/Choices/0/NumericEqualsPath",
         "The value for the field 'NumericEqualsPath' must be a valid Reference Path"),
    case("string-operand", choice(rule(StringEquals=1)), S, "/States/C/Choices/0/StringEquals",
         "Expected value of type [STRING]"),
    case("string-matches-operand", choice(rule(StringMatches=None)), S, "/States/C/Choices/0/StringMatches",
         "Expected value of type [STRING]"),
    case("numeric-operand", choice(rule(NumericEquals="1")), S, "/States/C/Choices/0/NumericEquals",
         "Expected value of type [NUMBER]"),
    case("numeric-operand-bool", choice(rule(NumericLessThan=True)), S,
         "/States/C/Choices/0/NumericLessThan", "Expected value of type [NUMBER]"),
    case("boolean-operand", choice(rule(BooleanEquals="true")), S, "/States/C/Choices/0/BooleanEquals",
         "Expected value of type [BOOLEAN]"),
    case("type-test-operand", choice(rule(IsNull="yes")), S, "/States/C/Choices/0/IsNull",
         "Expected value of type [BOOLEAN]"),
    case("timestamp-date-only", choice(rule(TimestampEquals="2020-01-01")), S,
         "/States/C/Choices/0/TimestampEquals", "String does not match RFC3339 timestamp"),
    case("timestamp-lowercase", choice(rule(TimestampGreaterThan="2020-01-01t00:00:00z")), S,
         "/States/C/Choices/0/TimestampGreaterThan", "RFC3339"),
    case("timestamp-bad-month", choice(rule(TimestampEquals="2020-13-01T00:00:00Z")), S,
         "/States/C/Choices/0/TimestampEquals", "RFC3339"),
    case("timestamp-type", choice(rule(TimestampEquals=1)), S, "/States/C/Choices/0/TimestampEquals",
         "Expected value of type [STRING]"),
    case("rule-field-typo", choice({"Varible": "$.x", "IsNull": True, "Next": "D"}), S, "/States/C/Choices/0",
         "Field 'Varible' is not supported (did you mean 'Variable'?)"),
    case("rule-target", choice(rule(IsNull=True, Next="Nope")), T, "/States/C/Choices/0/Next",
         "Missing 'Next' target: Nope"),
    case("default-target", choice(rule(IsNull=True), Default="Nope"), T, "/States/C/Default",
         "Missing 'Next' target: Nope"),
    case("default-type", choice(rule(IsNull=True), Default=1), S, "/States/C/Default",
         "Expected value of type [STRING]"),
    # Wait
    case("wait-nothing", one(wait()), S, "/States/A",
         "This object should have only one of the following fields: [SecondsPath, Seconds, TimestampPath, Timestamp]"),
    case("wait-two", one(wait(Seconds=1, Timestamp="2016-03-14T01:59:00Z")), S, "/States/A",
         "There should only be one of the following fields: [SecondsPath, Seconds, TimestampPath, Timestamp]"),
    case("wait-seconds-min", one(wait(Seconds=-1)), S, "/States/A/Seconds", "Minimum value is 0"),
    case("wait-seconds-type", one(wait(Seconds="5")), S, "/States/A/Seconds", "Expected value of type [INTEGER]"),
    case("wait-timestamp-space", one(wait(Timestamp="2016-03-14 01:59:00Z")), S, "/States/A/Timestamp",
         "String does not match RFC3339 timestamp"),
    case("wait-timestamp-type", one(wait(Timestamp=5)), S, "/States/A/Timestamp", "Expected value of type [STRING]"),
    # Fail
    case("fail-error-exclusive", one({"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}), S, "/States/A",
         "There should only be one of the following fields: [Error, ErrorPath]"),
    case("fail-cause-exclusive", one({"Type": "Fail", "Cause": "C", "CausePath": "$.c"}), S, "/States/A",
         "There should only be one of the following fields: [Cause, CausePath]"),
    case("fail-errorpath-intrinsic", one({"Type": "Fail", "ErrorPath": "States.MathAdd(1, 2)"}), S,
         "/States/A/ErrorPath", "must be a valid Reference Path or one of the intrinsic functions [States.Format,"),
    case("fail-causepath-wildcard", one({"Type": "Fail", "CausePath": "$.a[*]"}), S, "/States/A/CausePath",
         "The value for the field 'CausePath' must be a valid Reference Path"),
    case("fail-causepath-bad-call", one({"Type": "Fail", "CausePath": "States.Format("}), S,
         "/States/A/CausePath", "or a valid intrinsic function call"),
    case("fail-error-type", one({"Type": "Fail", "Error": 5}), S, "/States/A/Error", "Expected value of type [STRING]"),
    case("fail-jsonata-errorpath", jsonata(one({"Type": "Fail", "ErrorPath": "$.e"})), S, "/States/A",
         "field 'ErrorPath' is only supported for the 'JSONPath' QueryLanguage"),
    # Parallel
    case("parallel-no-branches", one({"Type": "Parallel", "End": True}), S, "/States/A",
         "These fields are required: [Branches]"),
    case("parallel-empty", one(parallel(Branches=[])), S, "/States/A/Branches", "Value cannot be empty"),
    case("parallel-type", one(parallel(Branches={})), S, "/States/A/Branches", "Expected value of type [ARRAY]"),
    case("branch-type", one(parallel(Branches=[1])), S, "/States/A/Branches/0", "Expected value of type [OBJECT]"),
    case("branch-no-startat", one(parallel({"States": {"X": SUCCEED}})), S, "/States/A/Branches/0",
         "These fields are required: [StartAt]"),
    case("branch-query-language", one(parallel({**PROCESSOR, "QueryLanguage": "JSONata"})), S,
         "/States/A/Branches/0", "Field 'QueryLanguage' is not supported"),
    case("branch-empty-states", one(parallel({"StartAt": "X", "States": {}})), S,
         "/States/A/Branches/0/States", "Value cannot be empty"),
    case("branch-nested-state", one(parallel({"StartAt": "X", "States": {"X": {"Type": "Pass"}}})), S,
         "/States/A/Branches/0/States/X", "[Next, End]"),
    case("branch-unreachable", one(parallel({"StartAt": "X", "States": {"X": SUCCEED, "Ghost": SUCCEED}})), T,
         "/States/A/Branches/0/States/Ghost", 'State "Ghost" is not reachable.'),
    case("branch-startat-target", one(parallel({"StartAt": "Nope", "States": {"X": SUCCEED}})), T,
         "/States/A/Branches/0/StartAt", "Missing 'Next' target: Nope"),
    # Map
    case("map-no-processor", one({"Type": "Map", "End": True}), S, "/States/A",
         "These fields are required: [ItemProcessor]"),
    case("map-two-processors", one(map_(Iterator=PROCESSOR)), S, "/States/A",
         "There should only be one of the following fields: [ItemProcessor, Iterator]"),
    case("map-parameters-and-selector", one(map_(Parameters={}, ItemSelector={})), S, "/States/A",
         "There should only be one of the following fields: [Parameters, ItemSelector]"),
    case("map-concurrency-min", one(map_(MaxConcurrency=-1)), S, "/States/A/MaxConcurrency", "Minimum value is 0"),
    case("map-concurrency-exclusive", one(map_(MaxConcurrency=1, MaxConcurrencyPath="$.m")), S, "/States/A",
         "There should only be one of the following fields: [MaxConcurrency, MaxConcurrencyPath]"),
    case("map-processor-type", one(map_(ItemProcessor=[])), S, "/States/A/ItemProcessor",
         "Expected value of type [OBJECT]"),
    case("map-processor-query-language", one(map_(ItemProcessor={**PROCESSOR, "QueryLanguage": "JSONata"})), S,
         "/States/A/ItemProcessor", "Field 'QueryLanguage' is not supported"),
    case("map-iterator-unknown", one({"Type": "Map", "Iterator": {**PROCESSOR, "Foo": 1}, "End": True}), S,
         "/States/A/Iterator", "Field 'Foo' is not supported"),
    case("map-mode", one(map_(ItemProcessor={**PROCESSOR, "ProcessorConfig": {"Mode": "PARALLEL"}})), S,
         "/States/A/ItemProcessor/ProcessorConfig/Mode", "Value should be one of the following: [INLINE, DISTRIBUTED]"),
    case("map-distributed-no-execution-type",
         one(map_(ItemProcessor={**PROCESSOR, "ProcessorConfig": {"Mode": "DISTRIBUTED"}})), S,
         "/States/A/ItemProcessor/ProcessorConfig", "These fields are required: [ExecutionType]"),
    case("map-inline-execution-type",
         one(map_(ItemProcessor={**PROCESSOR, "ProcessorConfig": {"Mode": "INLINE", "ExecutionType": "EXPRESS"}})),
         S, "/States/A/ItemProcessor/ProcessorConfig", "Field 'ExecutionType' is not supported"),
    case("map-execution-type", one(dmap(ItemProcessor={**DISTRIBUTED, "ProcessorConfig": {
        "Mode": "DISTRIBUTED", "ExecutionType": "FAST"}})), S,
         "/States/A/ItemProcessor/ProcessorConfig/ExecutionType", "[STANDARD, EXPRESS]"),
    case("map-processor-config-unknown", one(dmap(ItemProcessor={**DISTRIBUTED, "ProcessorConfig": {
        "Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS", "Type": 1}})), S,
         "/States/A/ItemProcessor/ProcessorConfig", "Field 'Type' is not supported"),
    case("inline-item-reader", one(map_(ItemReader=READER)), S, "/States/A",
         "Field 'ItemReader' is not supported (only a Map whose ProcessorConfig Mode is DISTRIBUTED"),
    case("inline-item-batcher", one(map_(ItemBatcher={})), S, "/States/A", "Field 'ItemBatcher' is not supported"),
    case("inline-result-writer", one(map_(ResultWriter={"WriterConfig": {}})), S, "/States/A",
         "Field 'ResultWriter' is not supported"),
    case("inline-label", one(map_(Label="l")), S, "/States/A", "Field 'Label' is not supported"),
    case("tolerated-percentage-max", one(dmap(ToleratedFailurePercentage=101)), S,
         "/States/A/ToleratedFailurePercentage", "Maximum value is 100"),
    case("tolerated-count-min", one(dmap(ToleratedFailureCount=-1)), S, "/States/A/ToleratedFailureCount",
         "Minimum value is 0"),
    case("tolerated-exclusive", one(dmap(ToleratedFailureCount=1, ToleratedFailureCountPath="$.c")), S,
         "/States/A", "[ToleratedFailureCount, ToleratedFailureCountPath]"),
    case("item-reader-no-resource", one(dmap(ItemReader={"Parameters": {}})), S, "/States/A/ItemReader",
         "These fields are required: [Resource]"),
    case("item-reader-resource", one(dmap(ItemReader={**READER, "Resource": "arn:aws:states:::s3:get"})), S,
         "/States/A/ItemReader/Resource", "The field 'Resource' does not match any of the allowed values"),
    case("item-reader-input-type", one(dmap(ItemReader={**READER, "ReaderConfig": {"InputType": "XML"}})), S,
         "/States/A/ItemReader/ReaderConfig/InputType", "[CSV, JSON, JSONL, PARQUET, MANIFEST]"),
    case("item-reader-csv-headers", one(dmap(ItemReader={**READER, "ReaderConfig": {
        "InputType": "CSV", "CSVHeaderLocation": "GIVEN"}})), S, "/States/A/ItemReader/ReaderConfig",
         "These fields are required: [CSVHeaders]"),
    case("item-reader-max-items", one(dmap(ItemReader={**READER, "ReaderConfig": {"MaxItems": -1}})), S,
         "/States/A/ItemReader/ReaderConfig/MaxItems", "Minimum value is 0"),
    case("item-reader-arguments", one(dmap(ItemReader={**READER, "Arguments": {}})), S, "/States/A/ItemReader",
         "field 'Arguments' is only supported for the 'JSONata' QueryLanguage"),
    case("item-reader-parameters-path", one(dmap(ItemReader={**READER, "Parameters": {"Key.$": "k"}})), S,
         "/States/A/ItemReader/Parameters/Key.$", "must be a valid JSONPath"),
    case("item-batcher-bytes", one(dmap(ItemBatcher={"MaxInputBytesPerBatch": 262145})), S,
         "/States/A/ItemBatcher/MaxInputBytesPerBatch", "Maximum value is 262144"),
    case("item-batcher-exclusive", one(dmap(ItemBatcher={"MaxItemsPerBatch": 1, "MaxItemsPerBatchPath": "$.m"})),
         S, "/States/A/ItemBatcher", "[MaxItemsPerBatch, MaxItemsPerBatchPath]"),
    case("result-writer-empty", one(dmap(ResultWriter={})), S, "/States/A/ResultWriter", "Value cannot be empty"),
    case("result-writer-no-parameters", one(dmap(ResultWriter={"Resource": "arn:aws:states:::s3:putObject"})),
         S, "/States/A/ResultWriter", "These fields are required: [Parameters]"),
    case("result-writer-resource", one(dmap(ResultWriter={"Resource": "x", "Parameters": {}})), S,
         "/States/A/ResultWriter/Resource", "does not match any of the allowed values"),
    case("writer-config", one(dmap(ResultWriter={"WriterConfig": {"Transformation": "ZIP"}})), S,
         "/States/A/ResultWriter/WriterConfig/Transformation", "[NONE, COMPACT, FLATTEN]"),
    case("label-space", one(dmap(Label="my label")), "INVALID_LABEL_NAME", "/States/A/Label",
         "Invalid Label name 'my label'"),
    case("label-too-long", one(dmap(Label="l" * 41)), "INVALID_LABEL_NAME", "/States/A/Label", "1 to 40 characters"),
    case("label-type", one(dmap(Label=1)), S, "/States/A/Label", "Expected value of type [STRING]"),
    case("map-processor-unreachable", one(map_(ItemProcessor={"StartAt": "I", "States": {
        "I": SUCCEED, "Ghost": SUCCEED}})), T, "/States/A/ItemProcessor/States/Ghost",
         'State "Ghost" is not reachable.'),
    case("map-processor-startat", one(map_(ItemProcessor={"StartAt": "Nope", "States": {"I": SUCCEED}})), T,
         "/States/A/ItemProcessor/StartAt", "Missing 'Next' target: Nope"),
    # transitions and names
    case("next-typo", sm({"A": {"Type": "Pass", "Next": "Chrge"}, "Charge": SUCCEED}), T, "/States/A/Next",
         "Missing 'Next' target: Chrge (did you mean 'Charge'?)"),
    case("next-other-scope", sm({"A": parallel({"StartAt": "X", "States": {"X": {"Type": "Pass", "Next": "B"}}},
                                              Next="B", End=None), "B": SUCCEED}),
         T, "/States/A/Branches/0/States/X/Next",
         "Missing 'Next' target: B (the state 'B' is defined at /States/B, in another scope"),
    case("unreachable", sm({"A": pass_(), "B": pass_()}), T, "/States/B", 'State "B" is not reachable.'),
    case("duplicate-state", sm({"A": parallel({"StartAt": "A", "States": {"A": SUCCEED}})}),
         "DUPLICATE_STATE_NAME", "/States/A/Branches/0/States/A", "Duplicate State name: A"),
    case("duplicate-label", sm({"A": dmap(Label="l", End=None, Next="B"), "B": dmap(Label="l")}),
         "DUPLICATE_LABEL_NAME", "/States/B/Label", "Duplicate Label name: l"),
    case("no-terminal-state", sm({"A": {"Type": "Pass", "Next": "A"}}), "MISSING_END_STATE", "",
         "Workflow has no terminal state"),
    case("pointer-escaping", sm({"a/b~c": {"Type": "Pass"}}, start="a/b~c"), S, "/States/a~1b~0c",
         "[Next, End]"),
]  # fmt: skip


def _cleanup(definition: Any) -> Any:
    """Drop the ``None`` placeholders the builders use to remove a default field."""
    if isinstance(definition, dict):
        return {
            key: _cleanup(value)
            for key, value in definition.items()
            if not (value is None and key in ("End", "Next"))
        }
    if isinstance(definition, list):
        return [_cleanup(item) for item in definition]
    return definition


@pytest.mark.parametrize(("definition", "code", "location", "message"), CASES)
def test_rule(definition: Any, code: str, location: str, message: str) -> None:
    diagnostics = validate_definition(_cleanup(definition))
    matching = [
        d
        for d in diagnostics
        if d.code == code and d.location == location and message in d.message + d.hint
    ]
    assert matching, summary(diagnostics)
    assert all(d.severity == "ERROR" for d in matching)
