"""Every way loading can fail gives one DefinitionError naming file, logical id and location."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pytest_sfn.errors import DefinitionError
from pytest_sfn.loading import clear_cache, list_state_machines, load_definition_source

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
PASS_JSON = json.dumps(PASS)


def sfn(
    properties: dict[str, object], kind: str = "AWS::StepFunctions::StateMachine"
) -> dict[str, object]:
    return {"Type": kind, "Properties": properties}


def cfn(**resources: object) -> str:
    return json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources})


@dataclass(frozen=True)
class Case:
    id: str
    files: dict[str, str]
    spec: str
    code: str
    source: str
    fragments: tuple[str, ...]
    location: str = ""
    hint: str = ""
    extra: dict[str, str] = field(default_factory=dict)


SAM_NO_DEFINITION = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Defintion:
        StartAt: P
"""

CASES = [
    Case(
        "missing file",
        {"template.yaml": "Resources: {}"},
        "templat.yaml",
        "SOURCE_NOT_FOUND",
        "templat.yaml",
        ("file 'templat.yaml' not found",),
        hint=" (did you mean 'template.yaml'?)",
    ),
    Case(
        "missing definition file",
        {},
        "order.asl.json",
        "SOURCE_NOT_FOUND",
        "order.asl.json",
        ("not found",),
    ),
    Case(
        "bad JSON template",
        {"template.json": '{\n  "Resources": {\n    "A": ,\n  }\n}'},
        "template.json",
        "INVALID_JSON_DESCRIPTION",
        "template.json",
        ("line 3, column 10: Expecting value",),
    ),
    Case(
        "bad YAML template",
        {"template.yaml": "Resources:\n  Flow:\n    Type: [x\n"},
        "template.yaml",
        "INVALID_JSON_DESCRIPTION",
        "template.yaml",
        ("line 4, column 1",),
    ),
    Case(
        "unknown short tag",
        {"template.yaml": "Resources:\n  A: !GetAttr B.Arn\n"},
        "template.yaml",
        "INVALID_JSON_DESCRIPTION",
        "template.yaml",
        ("line 2, column 6: unknown CloudFormation tag '!GetAttr' (did you mean '!GetAtt'?)",),
    ),
    Case(
        "several machines, no logical id",
        {"t.json": cfn(A=sfn({"Definition": PASS}), B=sfn({"Definition": PASS}))},
        "t.json",
        "AMBIGUOUS_STATE_MACHINE",
        "t.json",
        ("declares 2 state machines; choose one with 't.json#A'", "t.json#A, t.json#B"),
    ),
    Case(
        "no state machine",
        {"t.json": cfn(Fn={"Type": "AWS::Lambda::Function"})},
        "t.json",
        "STATE_MACHINE_NOT_FOUND",
        "t.json",
        ("declares no state machine",),
    ),
    Case(
        "unknown logical id",
        {"t.json": cfn(OrderFlow=sfn({"Definition": PASS}), RefundFlow=sfn({"Definition": PASS}))},
        "t.json#OrderFlw",
        "STATE_MACHINE_NOT_FOUND",
        "t.json#OrderFlw",
        ("no state machine 'OrderFlw' in t.json; state machines: OrderFlow, RefundFlow",),
        hint=" (did you mean 'OrderFlow'?)",
    ),
    Case(
        "logical id of another resource",
        {"t.json": cfn(Fn={"Type": "AWS::Lambda::Function"}, Flow=sfn({"Definition": PASS}))},
        "t.json#Fn",
        "STATE_MACHINE_NOT_FOUND",
        "t.json#Fn",
        (
            "Fn in t.json is of type AWS::Lambda::Function, not a state machine; state machines: Flow",
        ),
        location="/Resources/Fn/Type",
    ),
    Case(
        "logical id on a definition file",
        {"order.asl.json": PASS_JSON},
        "order.asl.json#Flow",
        "INVALID_TEMPLATE",
        "order.asl.json",
        ("is a state machine definition, not a template: remove '#Flow'",),
    ),
    Case(
        "empty logical id",
        {"t.json": cfn()},
        "t.json#",
        "STATE_MACHINE_NOT_FOUND",
        "t.json",
        ("names no logical id",),
    ),
    Case(
        "no definition property (SAM, YAML line, did you mean)",
        {"template.yaml": SAM_NO_DEFINITION},
        "template.yaml",
        "DEFINITION_NOT_FOUND",
        "template.yaml#Flow",
        (
            "Flow (AWS::Serverless::StateMachine) has no Definition or DefinitionUri property (line 6)",
        ),
        location="/Resources/Flow/Properties",
        hint=" (did you mean 'Definition'?)",
    ),
    Case(
        "two definition properties",
        {"t.json": cfn(Flow=sfn({"Definition": PASS, "DefinitionString": PASS_JSON}))},
        "t.json",
        "DEFINITION_NOT_FOUND",
        "t.json#Flow",
        ("sets Definition and DefinitionString; exactly one of them is allowed",),
        location="/Resources/Flow/Properties",
    ),
    Case(
        "DefinitionString is an object",
        {"t.json": cfn(Flow=sfn({"DefinitionString": PASS}))},
        "t.json",
        "INVALID_TEMPLATE",
        "t.json#Flow",
        ("DefinitionString must be a string (JSON text), not dict; use Definition",),
        location="/Resources/Flow/Properties/DefinitionString",
    ),
    Case(
        "DefinitionString is not JSON",
        {
            "t.json": cfn(
                Flow=sfn(
                    {
                        "DefinitionString": {
                            "Fn::Join": [
                                "",
                                ['{"StartAt": "P", "States": {"P": ', '{"Type": "Pass",}}}'],
                            ]
                        }
                    }
                )
            )
        },
        "t.json",
        "INVALID_JSON_DESCRIPTION",
        "t.json#Flow",
        (
            "DefinitionString: line 1, column 50: Expecting property name enclosed in double quotes",
            "near '",
        ),
        location="/Resources/Flow/Properties/DefinitionString",
    ),
    Case(
        "Definition is a list",
        {
            "t.yaml": "Resources:\n  Flow:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      Definition: [1]\n"
        },
        "t.yaml",
        "SCHEMA_VALIDATION_FAILED",
        "t.yaml#Flow",
        ("Definition must be a JSON object, not list (line 5)",),
        location="/Resources/Flow/Properties/Definition",
    ),
    Case(
        "DefinitionUri file missing",
        {
            "t.json": cfn(
                Flow=sfn({"DefinitionUri": "sm/flow.asl.json"}, "AWS::Serverless::StateMachine")
            )
        },
        "t.json",
        "SOURCE_NOT_FOUND",
        "t.json#Flow",
        ("definition file 'sm/flow.asl.json' not found",),
        location="/Resources/Flow/Properties/DefinitionUri",
    ),
    Case(
        "DefinitionUri file has bad JSON",
        {
            "t.json": cfn(
                Flow=sfn({"DefinitionUri": "flow.asl.json"}, "AWS::Serverless::StateMachine")
            ),
            "flow.asl.json": '{"StartAt": }',
        },
        "t.json",
        "INVALID_JSON_DESCRIPTION",
        "t.json#Flow",
        ("DefinitionUri flow.asl.json: line 1, column 13: Expecting value",),
        location="/Resources/Flow/Properties/DefinitionUri",
    ),
    Case(
        "DefinitionUri in S3",
        {
            "t.json": cfn(
                Flow=sfn(
                    {"DefinitionUri": "s3://bucket/flow.json"}, "AWS::Serverless::StateMachine"
                )
            )
        },
        "t.json",
        "DEFINITION_NOT_RESOLVABLE",
        "t.json#Flow",
        ("DefinitionUri points at s3://bucket/flow.json, an S3 object a local test cannot read",),
        location="/Resources/Flow/Properties/DefinitionUri",
    ),
    Case(
        "DefinitionS3Location bucket and key",
        {"t.json": cfn(Flow=sfn({"DefinitionS3Location": {"Bucket": "b", "Key": "k.json"}}))},
        "t.json",
        "DEFINITION_NOT_RESOLVABLE",
        "t.json#Flow",
        ("DefinitionS3Location points at s3://b/k.json", "give a local file path"),
        location="/Resources/Flow/Properties/DefinitionS3Location",
    ),
    Case(
        "Resources not a mapping",
        {"t.yaml": "AWSTemplateFormatVersion: '2010-09-09'\nResources: [a]\n"},
        "t.yaml",
        "INVALID_TEMPLATE",
        "t.yaml",
        ("the Resources section must be a mapping, not list (line 2)",),
        location="/Resources",
    ),
    Case(
        "Properties not a mapping",
        {"t.json": cfn(Flow={"Type": "AWS::StepFunctions::StateMachine", "Properties": "x"})},
        "t.json",
        "INVALID_TEMPLATE",
        "t.json#Flow",
        ("Properties of Flow must be a mapping, not str",),
        location="/Resources/Flow/Properties",
    ),
    Case(
        "DefinitionSubstitutions not a mapping",
        {"t.json": cfn(Flow=sfn({"Definition": PASS, "DefinitionSubstitutions": ["x"]}))},
        "t.json",
        "INVALID_TEMPLATE",
        "t.json#Flow",
        ("DefinitionSubstitutions must be a mapping, not list",),
        location="/Resources/Flow/Properties/DefinitionSubstitutions",
    ),
    Case(
        "plain definition is not an object",
        {"order.asl.json": "[1, 2]"},
        "order.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "order.asl.json",
        ("Definition must be a valid JSON object",),
    ),
    Case(
        "plain definition with bad JSON",
        {"order.asl.json": '{\n  "StartAt": "P",\n  "States": {,}\n}'},
        "order.asl.json",
        "INVALID_JSON_DESCRIPTION",
        "order.asl.json",
        ("line 3, column 14",),
    ),
    Case(
        "a substitution breaks the JSON",
        {
            "order.asl.json": '{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": ${V}, "End": true}}}'
        },
        "order.asl.json",
        "INVALID_JSON_DESCRIPTION",
        "order.asl.json",
        ("line 1, column 61: Expecting value (after substituting ${...} placeholders)",),
        extra={"V": "not json"},
    ),
    Case(
        "an unquoted placeholder without a value",
        {
            "order.asl.json": '{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": ${V}, "End": true}}}'
        },
        "order.asl.json",
        "INVALID_JSON_DESCRIPTION",
        "order.asl.json",
        ("(a ${...} placeholder outside a string has no value)",),
    ),
    Case(
        "a broken file with placeholders reports its own error",
        {
            "order.asl.json": '{"StartAt": "P",\n "States": {"P": {"Type": "Pass", "Result": ${V}, "End": true}}}}'
        },
        "order.asl.json",
        "INVALID_JSON_DESCRIPTION",
        "order.asl.json",
        ("line 2, column ", "Extra data"),
        extra={"V": "1"},
    ),
    Case(
        "a broken DefinitionString with placeholders",
        {
            "t.json": cfn(
                Flow=sfn(
                    {
                        "DefinitionString": '{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": ${V} "End": true}}}',
                        "DefinitionSubstitutions": {"V": "1"},
                    }
                )
            )
        },
        "t.json",
        "INVALID_JSON_DESCRIPTION",
        "t.json#Flow",
        ("DefinitionString: line 1, column ", "Expecting ',' delimiter near '"),
        location="/Resources/Flow/Properties/DefinitionString",
    ),
    Case(
        "a directory that is no cloud assembly",
        {"dir/readme.txt": "x"},
        "dir",
        "INVALID_TEMPLATE",
        "dir",
        ("dir is a directory without manifest.json or *.template.json files",),
    ),
    Case(
        "the same logical id in two stacks",
        {
            "cdk.out/A.template.json": cfn(Flow=sfn({"Definition": PASS})),
            "cdk.out/B.template.json": cfn(Flow=sfn({"Definition": PASS})),
        },
        "cdk.out#Flow",
        "AMBIGUOUS_STATE_MACHINE",
        "cdk.out",
        (
            "'Flow' is a state machine of several stacks",
            "cdk.out/A.template.json#Flow, cdk.out/B.template.json#Flow",
        ),
    ),
    Case(
        "bad CDK manifest",
        {"cdk.out/manifest.json": "{oops"},
        "cdk.out",
        "INVALID_JSON_DESCRIPTION",
        "cdk.out/manifest.json",
        ("line 1, column 2",),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_load_errors(tmp_path: Path, case: Case) -> None:
    clear_cache()
    for name, text in case.files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    with pytest.raises(DefinitionError) as info:
        load_definition_source(case.spec, base_dir=tmp_path, substitutions=case.extra)
    error = info.value
    assert len(error.diagnostics) == 1
    diagnostic = error.diagnostics[0]
    assert diagnostic.code == case.code
    assert error.source == case.source
    assert diagnostic.location == case.location
    assert diagnostic.hint == case.hint
    for fragment in case.fragments:
        assert fragment in diagnostic.message
    assert str(error).startswith(f"invalid state machine definition in {case.source} (1 problem):")


def test_errors_are_not_cached(tmp_path: Path) -> None:
    clear_cache()
    with pytest.raises(DefinitionError):
        load_definition_source("order.asl.json", base_dir=tmp_path)
    (tmp_path / "order.asl.json").write_text(PASS_JSON)
    assert load_definition_source("order.asl.json", base_dir=tmp_path).definition == PASS


def test_list_state_machines_of_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="not found"):
        list_state_machines(tmp_path / "template.yaml")


def test_substitutions_must_be_json(tmp_path: Path) -> None:
    (tmp_path / "order.asl.json").write_text(PASS_JSON)
    with pytest.raises(TypeError, match="substitutions values must be JSON"):
        load_definition_source("order.asl.json", base_dir=tmp_path, substitutions={"X": object()})
