"""CloudFormation intrinsic functions, short-form YAML tags and ``${...}`` substitution."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_sfn.errors import DefinitionError
from pytest_sfn.loading.cfn_yaml import SHORT_FORM_TAGS, decode_template
from pytest_sfn.loading.intrinsics import NO_VALUE, Resolver
from pytest_sfn.loading.placeholders import KINDS, Environment
from pytest_sfn.loading.substitutions import substitute_text
from pytest_sfn.loading.template import Template

TEMPLATE: dict[str, Any] = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Parameters": {
        "Env": {"Type": "String", "Default": "dev"},
        "Limit": {"Type": "Number", "Default": 25},
        "Zones": {"Type": "CommaDelimitedList", "Default": "a, b,c"},
        "Secret": {"Type": "String"},
        "Latest": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/app/version"},
    },
    "Mappings": {"Stage": {"dev": {"Size": "small"}, "prod": {"Size": "large"}}},
    "Conditions": {
        "IsDev": {"Fn::Equals": [{"Ref": "Env"}, "dev"]},
        "IsProd": {"Fn::Not": [{"Condition": "IsDev"}]},
        "DevAndSmall": {"Fn::And": [{"Condition": "IsDev"}, {"Fn::Equals": ["a", "a"]}]},
        "Loop": {"Fn::Not": [{"Condition": "Loop"}]},
    },
    "Resources": {
        "Charge": {"Type": "AWS::Lambda::Function"},
        "NamedFn": {
            "Type": "AWS::Serverless::Function",
            "Properties": {"FunctionName": {"Fn::Sub": "fn-${Env}"}},
        },
        "Queue": {"Type": "AWS::SQS::Queue"},
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "alerts"}},
        "Table": {"Type": "AWS::DynamoDB::Table"},
        "Bucket": {"Type": "AWS::S3::Bucket"},
        "Flow": {
            "Type": "AWS::StepFunctions::StateMachine",
            "Properties": {"StateMachineName": "flow"},
        },
        "Role": {"Type": "AWS::IAM::Role"},
        "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/app/logs"}},
        "Hook": {"Type": "AWS::Events::Connection", "Properties": {"Name": "support-hook"}},
        "Thing": {"Type": "Custom::Thing"},
        "Unnamed": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Ref": "Secret"}}},
    },
}

ARN = "arn:aws:{}:us-east-1:123456789012:{}"


def resolver(overrides: dict[str, Any] | None = None, region: str = "us-east-1") -> Resolver:
    template = Template(
        Path("/x/t.yaml"),
        "t.yaml",
        decode_template(json.dumps(TEMPLATE), source="t", yaml_text=False),
        "teststack",
    )
    return Resolver(template, Environment(region, "123456789012", "teststack"), overrides or {})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"Ref": "Env"}, "dev"),
        ({"Ref": "Limit"}, "25"),
        ({"Ref": "Zones"}, ["a", "b", "c"]),
        ({"Ref": "AWS::Region"}, "us-east-1"),
        ({"Ref": "AWS::AccountId"}, "123456789012"),
        ({"Ref": "AWS::Partition"}, "aws"),
        ({"Ref": "AWS::StackName"}, "teststack"),
        ({"Ref": "AWS::URLSuffix"}, "amazonaws.com"),
        (
            {"Ref": "AWS::StackId"},
            "arn:aws:cloudformation:us-east-1:123456789012:stack/teststack/00000000-0000-0000-0000-000000000000",
        ),
        ({"Ref": "Charge"}, "Charge"),
        ({"Ref": "NamedFn"}, "fn-dev"),
        ({"Ref": "Queue"}, "https://sqs.us-east-1.amazonaws.com/123456789012/Queue"),
        ({"Ref": "Topic"}, ARN.format("sns", "alerts")),
        ({"Ref": "Table"}, "Table"),
        ({"Ref": "Bucket"}, "bucket"),
        ({"Ref": "Flow"}, ARN.format("states", "stateMachine:flow")),
        ({"Ref": "Role"}, "Role"),
        ({"Ref": "Unnamed"}, "https://sqs.us-east-1.amazonaws.com/123456789012/Unnamed"),
        ({"Fn::GetAtt": ["Charge", "Arn"]}, ARN.format("lambda", "function:Charge")),
        ({"Fn::GetAtt": "NamedFn.Arn"}, ARN.format("lambda", "function:fn-dev")),
        ({"Fn::GetAtt": ["Queue", "Arn"]}, ARN.format("sqs", "Queue")),
        ({"Fn::GetAtt": ["Queue", "QueueName"]}, "Queue"),
        ({"Fn::GetAtt": ["Topic", "TopicName"]}, "alerts"),
        ({"Fn::GetAtt": ["Table", "Arn"]}, ARN.format("dynamodb", "table/Table")),
        ({"Fn::GetAtt": ["Bucket", "Arn"]}, "arn:aws:s3:::bucket"),
        ({"Fn::GetAtt": ["Flow", "Name"]}, "flow"),
        ({"Fn::GetAtt": ["Role", "Arn"]}, "arn:aws:iam::123456789012:role/Role"),
        ({"Fn::GetAtt": ["Logs", "Arn"]}, ARN.format("logs", "log-group:/app/logs:*")),
        ({"Ref": "Hook"}, "support-hook"),
        (
            {"Fn::GetAtt": ["Hook", "Arn"]},
            ARN.format("events", "connection/support-hook/00000000-0000-4000-8000-000000000000"),
        ),
        (
            {"Fn::Sub": "${AWS::Region}-${Env}-${Charge.Arn}"},
            "us-east-1-dev-" + ARN.format("lambda", "function:Charge"),
        ),
        ({"Fn::Sub": ["${A}/${B}", {"A": {"Ref": "Env"}, "B": "x"}]}, "dev/x"),
        ({"Fn::Sub": "keep ${!Literal} and ${Unknown}"}, "keep ${Literal} and ${Unknown}"),
        ({"Fn::Sub": "${Limit}"}, "25"),
        ({"Fn::Join": ["-", ["a", {"Ref": "Env"}, 3, True]]}, "a-dev-3-true"),
        ({"Fn::Join": [",", {"Ref": "Zones"}]}, "a,b,c"),
        ({"Fn::Select": ["1", ["x", "y"]]}, "y"),
        ({"Fn::Select": [0, {"Fn::GetAZs": ""}]}, "us-east-1a"),
        ({"Fn::Split": ["|", "a|b"]}, ["a", "b"]),
        ({"Fn::Select": [2, {"Fn::Split": [",", "p,q,r"]}]}, "r"),
        ({"Fn::If": ["IsDev", "yes", "no"]}, "yes"),
        ({"Fn::If": ["IsProd", "yes", "no"]}, "no"),
        ({"Fn::If": ["DevAndSmall", 1, 2]}, 1),
        ({"Fn::Or": [{"Condition": "IsProd"}, {"Fn::Equals": [1, "1"]}]}, True),
        ({"Fn::FindInMap": ["Stage", {"Ref": "Env"}, "Size"]}, "small"),
        ({"Fn::FindInMap": ["Stage", "test", "Size", {"DefaultValue": "tiny"}]}, "tiny"),
        ({"Fn::Base64": {"Fn::Sub": "${Env}!"}}, "ZGV2IQ=="),
        ({"Fn::Cidr": ["10.0.0.0/16", 2, 8]}, ["10.0.0.0/24", "10.0.1.0/24"]),
        ({"Fn::ToJsonString": {"a": [1, {"Ref": "Env"}]}}, '{"a":[1,"dev"]}'),
        ({"Fn::Length": {"Ref": "Zones"}}, 3),
        (
            {
                "k": {"Ref": "AWS::NoValue"},
                "l": [1, {"Fn::If": ["IsProd", 2, {"Ref": "AWS::NoValue"}]}],
            },
            {"l": [1]},
        ),
        (
            {"Resource": {"Fn::Sub": "arn:${AWS::Partition}:states:::lambda:invoke"}},
            {"Resource": "arn:aws:states:::lambda:invoke"},
        ),
    ],
    ids=lambda v: json.dumps(v)[:60] if isinstance(v, dict) else None,
)
def test_resolves_without_warnings(value: Any, expected: Any) -> None:
    r = resolver()
    assert r.resolve(value, "/x") == expected
    assert r.warnings == []


@pytest.mark.parametrize(
    ("value", "expected", "warning"),
    [
        ({"Ref": "Secret"}, "<unresolved Ref Secret>", "parameter Secret has no Default"),
        (
            {"Ref": "Latest"},
            "<unresolved SSM parameter /app/version>",
            "reads SSM parameter '/app/version'",
        ),
        (
            {"Ref": "Chrage"},
            "<unresolved Ref Chrage>",
            "unknown name 'Chrage' (did you mean 'Charge'?)",
        ),
        ({"Ref": "Thing"}, "Thing", "no placeholder for Ref of Thing (Custom::Thing)"),
        (
            {"Fn::GetAtt": ["Thing", "Endpoint"]},
            "<Thing.Endpoint>",
            "no placeholder for Thing.Endpoint",
        ),
        (
            {"Fn::GetAtt": ["Charge", "SnapStartResponse"]},
            "<Charge.SnapStartResponse>",
            "Charge.SnapStartResponse",
        ),
        (
            {"Fn::GetAtt": ["Tabel", "Arn"]},
            "<unresolved Fn::GetAtt Tabel.Arn>",
            "(did you mean 'Table'?)",
        ),
        ({"Fn::GetAtt": "NoDot"}, "<unresolved Fn::GetAtt>", "needs [LogicalId, Attribute]"),
        (
            {"Fn::GetAtt": [{"Ref": "Env"}, "Arn"]},
            "<unresolved Fn::GetAtt>",
            "needs a logical id and an attribute name",
        ),
        (
            {"Fn::ImportValue": "SharedTopic"},
            "<unresolved Fn::ImportValue SharedTopic>",
            "substitutions={'SharedTopic': ...}",
        ),
        (
            {"Fn::ImportValue": {"Fn::Sub": "${Env}-Topic"}},
            "<unresolved Fn::ImportValue dev-Topic>",
            "dev-Topic",
        ),
        (
            {
                "Fn::Transform": {
                    "Name": "AWS::Include",
                    "Parameters": {"Location": "s3://b/k.yaml"},
                }
            },
            "<unresolved Fn::Transform AWS::Include>",
            "cannot be applied locally",
        ),
        ({"Fn::Select": [5, ["a"]]}, "<unresolved Fn::Select>", "cannot take item 5"),
        ({"Fn::Join": ["-", "notalist"]}, "<unresolved Fn::Join>", "needs a list of values"),
        (
            {"Fn::FindInMap": ["Stage", "qa", "Size"]},
            "<unresolved Fn::FindInMap Stage.qa.Size>",
            "no value at Mappings Stage.qa.Size",
        ),
        ({"Fn::If": ["Nope", 1, 2]}, 2, "condition 'Nope' is not defined"),
        ({"Fn::If": ["Loop", 1, 2]}, 1, "refers to itself"),
        ({"Fn::Madeup": 1}, "<unresolved Fn::Madeup>", "Fn::Madeup is not supported locally"),
        ({"Fn::Sub": 5}, "<unresolved Fn::Sub>", "Fn::Sub needs a string"),
    ],
)
def test_unresolvable_values_become_placeholders_with_a_warning(
    value: Any, expected: Any, warning: str
) -> None:
    r = resolver()
    assert r.resolve(value, "/Resources/X/Properties/P") == expected
    assert len(r.warnings) == 1
    assert r.warnings[0].startswith(("/Resources/X/Properties/P", "/Conditions/Loop"))
    assert warning in r.warnings[0]


@pytest.mark.parametrize(
    ("value", "overrides", "expected"),
    [
        ({"Ref": "Charge"}, {"Charge": "charge-prod"}, "charge-prod"),
        ({"Fn::GetAtt": ["Charge", "Arn"]}, {"Charge.Arn": "arn:x"}, "arn:x"),
        (
            {"Fn::GetAtt": ["Charge", "Arn"]},
            {"Charge": "ignored"},
            ARN.format("lambda", "function:Charge"),
        ),
        ({"Fn::Sub": "${Charge.Arn}|${Env}"}, {"Charge.Arn": "A", "Env": "prod"}, "A|prod"),
        ({"Ref": "Secret"}, {"Secret": "s3cr3t"}, "s3cr3t"),
        ({"Fn::ImportValue": "SharedTopic"}, {"SharedTopic": "arn:topic"}, "arn:topic"),
        ({"Fn::If": ["IsDev", "d", "p"]}, {"Env": "prod"}, "p"),
        ({"Ref": "AWS::Region"}, {"AWS::Region": "eu-west-1"}, "eu-west-1"),
        ({"Fn::Sub": ["${V}", {"V": "local"}]}, {"V": "override"}, "override"),
    ],
)
def test_overrides_win_by_name(value: Any, overrides: dict[str, Any], expected: Any) -> None:
    r = resolver(overrides)
    assert r.resolve(value, "") == expected
    assert r.warnings == []


@pytest.mark.parametrize(
    ("region", "partition", "lambda_arn"),
    [
        ("eu-west-1", "aws", "arn:aws:lambda:eu-west-1:123456789012:function:Charge"),
        ("cn-north-1", "aws-cn", "arn:aws-cn:lambda:cn-north-1:123456789012:function:Charge"),
        (
            "us-gov-west-1",
            "aws-us-gov",
            "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:Charge",
        ),
    ],
)
def test_region_sets_partition(region: str, partition: str, lambda_arn: str) -> None:
    r = resolver(region=region)
    assert r.resolve({"Ref": "AWS::Partition"}, "") == partition
    assert r.resolve({"Fn::GetAtt": ["Charge", "Arn"]}, "") == lambda_arn


def test_every_placeholder_kind_formats() -> None:
    env = Environment("us-east-1", "123456789012", "s")
    for kind in KINDS.values():
        fields = {
            "partition": env.partition,
            "region": env.region,
            "account": env.account,
            "url_suffix": env.url_suffix,
            "name": "N",
        }
        assert "{" not in kind.ref.format(**fields)
        for pattern in kind.attributes.values():
            assert "N" in pattern.format(**fields)


def test_no_value_at_top_level_is_the_sentinel() -> None:
    assert resolver().resolve({"Ref": "AWS::NoValue"}, "") is NO_VALUE


# -- short-form YAML tags --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("!Ref Table", {"Ref": "Table"}),
        ("!Condition IsProd", {"Condition": "IsProd"}),
        ("!GetAtt Fn.Arn", {"Fn::GetAtt": ["Fn", "Arn"]}),
        ("!GetAtt Db.Endpoint.Address", {"Fn::GetAtt": ["Db", "Endpoint.Address"]}),
        ("!GetAtt [Fn, Arn]", {"Fn::GetAtt": ["Fn", "Arn"]}),
        ('!Sub "x-${Env}"', {"Fn::Sub": "x-${Env}"}),
        ("!Sub\n  - ${A}\n  - A: !Ref B", {"Fn::Sub": ["${A}", {"A": {"Ref": "B"}}]}),
        ("!Join ['', [a, !Ref B]]", {"Fn::Join": ["", ["a", {"Ref": "B"}]]}),
        ("!Select [0, !GetAZs '']", {"Fn::Select": [0, {"Fn::GetAZs": ""}]}),
        ("!Split [',', !ImportValue Shared]", {"Fn::Split": [",", {"Fn::ImportValue": "Shared"}]}),
        (
            "!If [C, !Base64 x, !Ref AWS::NoValue]",
            {"Fn::If": ["C", {"Fn::Base64": "x"}, {"Ref": "AWS::NoValue"}]},
        ),
        (
            "!And [!Equals [a, b], !Not [!Condition C], !Or [!Condition D]]",
            {
                "Fn::And": [
                    {"Fn::Equals": ["a", "b"]},
                    {"Fn::Not": [{"Condition": "C"}]},
                    {"Fn::Or": [{"Condition": "D"}]},
                ]
            },
        ),
        ("!FindInMap [M, k, v]", {"Fn::FindInMap": ["M", "k", "v"]}),
        ("!Cidr [10.0.0.0/16, 2, 8]", {"Fn::Cidr": ["10.0.0.0/16", 2, 8]}),
        (
            "!Transform {Name: AWS::Include, Parameters: {Location: a.yaml}}",
            {"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "a.yaml"}}},
        ),
        ("!ToJsonString {a: 1}", {"Fn::ToJsonString": {"a": 1}}),
        ("!Length [1, 2]", {"Fn::Length": [1, 2]}),
        ("2010-09-09", "2010-09-09"),
        ("2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"),
    ],
)
def test_short_form_tags_are_data(yaml_text: str, expected: Any) -> None:
    assert decode_template(
        f"v: {yaml_text}" if "\n" not in yaml_text else "v: " + yaml_text.replace("\n", "\n  "),
        source="t.yaml",
        yaml_text=True,
    ).value == {"v": expected}


def test_every_documented_tag_is_known() -> None:
    documented = "Ref Sub GetAtt Join Select Split If Equals Not And Or FindInMap Base64 Cidr ImportValue GetAZs Condition Transform"
    assert set(documented.split()) <= set(SHORT_FORM_TAGS)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "a: !Subb x",
            "line 1, column 4: unknown CloudFormation tag '!Subb' (did you mean '!Sub'?)",
        ),
        ("a: 1\nb: 2\na: 3", "line 3, column 1: duplicate key 'a' (first given on line 1)"),
        (
            "a: [1,\nb: 2",
            "line 3, column 1: did not find expected ',' or ']' (while parsing a flow sequence at line 1, column 4)",
        ),
        (
            "a: 1\n---\nb: 2",
            "line 2, column 1: but found another document (expected a single document in the stream at line 1, column 1)",
        ),
    ],
)
def test_yaml_errors_name_line_and_column(text: str, message: str) -> None:
    with pytest.raises(DefinitionError) as info:
        decode_template(text, source="template.yaml", yaml_text=True)
    assert info.value.source == "template.yaml"
    assert message in str(info.value)


def test_yaml_lines_are_remembered() -> None:
    document = decode_template("A:\n  B:\n    - 1\n  C: {x: 1}\n", source="t", yaml_text=True)
    assert document.line_of(document.value["A"]) == 2
    assert document.line_of(document.value["A"]["B"]) == 3
    assert document.line_of(document.value["A"]["C"]) == 4
    assert document.line_of({}) is None


# -- ${...} substitution -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "values", "json_text", "expected", "missing"),
    [
        ('{"a": "${X}"}', {"X": "v"}, True, '{"a": "v"}', []),
        ('{"a": "${X}"}', {"X": 'say "hi"\\'}, True, '{"a": "say \\"hi\\"\\\\"}', []),
        ('{"n": ${N}}', {"N": "5"}, True, '{"n": 5}', []),
        ('{"n": ${N}}', {"N": 5}, True, '{"n": 5}', []),
        ('{"b": "${B}"}', {"B": True}, True, '{"b": "true"}', []),
        ('{"a": "${X}-${Y}-${X}"}', {"X": "1"}, True, '{"a": "1-${Y}-1"}', ["Y"]),
        ('{"a": "\\"${X}\\""}', {"X": 'q"'}, True, '{"a": "\\"q\\"\\""}', []),
        ('{"a": "{% $x %}", "b": "$${X}"}', {"X": "v"}, True, '{"a": "{% $x %}", "b": "$v"}', []),
        ("a: ${X}\n", {"X": "arn:aws:x"}, False, "a: arn:aws:x\n", []),
        ("no placeholders", {"X": "v"}, True, "no placeholders", []),
    ],
)
def test_substitute_text(
    text: str, values: dict[str, Any], json_text: bool, expected: str, missing: list[str]
) -> None:
    assert substitute_text(text, values, json_text=json_text) == (expected, missing)


@given(st.text().map(lambda s: s.replace("$", "")), st.text(max_size=20))
def test_substituted_strings_stay_valid_json_and_exact(prefix: str, value: str) -> None:
    """Whatever the value holds (quotes, backslashes, newlines), the JSON decodes to it."""
    text = json.dumps({"k": prefix + "${Name}", "n": "${Name}"})
    result, missing = substitute_text(text, {"Name": value}, json_text=True)
    assert missing == []
    assert json.loads(result) == {"k": prefix + value, "n": value}


@given(st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,10}", fullmatch=True), st.text(max_size=10))
def test_sub_escape_round_trip(name: str, tail: str) -> None:
    """``${!Name}`` always comes out as ``${Name}``, whatever the template knows."""
    assert resolver().resolve(
        {"Fn::Sub": "${!" + name + "}" + tail.replace("$", "")}, ""
    ) == "${" + name + "}" + tail.replace("$", "")


_KEYS = st.text(max_size=8).filter(lambda k: k != "Ref" and not k.startswith("Fn::"))
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(alphabet="ab ${}!.:"),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=20,
)


@given(_JSON)
def test_values_without_intrinsics_are_unchanged(value: Any) -> None:
    r = resolver()
    assert r.resolve(value, "") == value
    assert r.warnings == []
