"""Loading definitions from SAM, CloudFormation and CDK templates (fixtures in loading_fixtures/)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from pytest_sfn import StateMachine
from pytest_sfn.loading import (
    LoadedDefinition,
    clear_cache,
    list_state_machines,
    load_definition_source,
)
from pytest_sfn.loading import source as source_module

FIXTURES = Path(__file__).parent / "loading_fixtures"
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"


def load(spec: str, **kwargs: Any) -> LoadedDefinition:
    return load_definition_source(spec, base_dir=FIXTURES, **kwargs)


def state(loaded: LoadedDefinition, *path: str) -> Any:
    value: Any = loaded.definition
    for key in path:
        value = value[int(key)] if isinstance(value, list) else value[key]
    return value


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    clear_cache()


ALL_SPECS = [
    "sam/template.yaml#OrderStateMachine",
    "sam/template.yaml#RefundStateMachine",
    "cfn/template.json#ApprovalStateMachine",
    "cfn/template.json#AuditStateMachine",
    "cfn/packaged.yaml",
    "cdk.out#OrderFlowE5F6A7B8",
    "cdk.out#OrderStack/ReportFlow",
    "cdk.out/OrderStack.template.json#OrderFlowE5F6A7B8",
    "order.asl.yaml",
    "sam/statemachine/order.asl.json",
]


@pytest.mark.parametrize("spec", ALL_SPECS)
def test_every_loaded_definition_compiles(spec: str) -> None:
    loaded = load(spec)
    machine = StateMachine.from_definition(
        loaded.definition,
        name=loaded.name,
        type=loaded.machine_type or "STANDARD",
        source=loaded.source,
    )
    assert machine.name == loaded.name
    assert machine.definition == loaded.definition


# -- SAM ------------------------------------------------------------------------------------


def test_sam_definition_uri_with_substitutions() -> None:
    loaded = load("sam/template.yaml#OrderStateMachine")
    assert (loaded.name, loaded.source, loaded.logical_id) == (
        "OrderStateMachine",
        "sam/template.yaml#OrderStateMachine",
        "OrderStateMachine",
    )
    assert loaded.machine_type is None and loaded.role_arn is None
    assert loaded.warnings == ()
    assert (
        state(loaded, "States", "Validate", "Parameters", "FunctionName")
        == LAMBDA + "ValidateFunction"
    )
    # FunctionName: !Sub "charge-${Env}" with Env defaulting to dev
    assert state(loaded, "States", "Charge", "Parameters", "FunctionName") == LAMBDA + "charge-dev"
    put_item = state(loaded, "States", "RecordItems", "ItemProcessor", "States", "PutItem")
    assert put_item["Parameters"]["TableName"] == "OrdersTable"
    branches = state(loaded, "States", "Notify", "Branches")
    assert (
        branches[0]["States"]["Publish"]["Parameters"]["TopicArn"]
        == "arn:aws:sns:us-east-1:123456789012:NotifyTopic"
    )
    # QueueName: !If [IsProd, shipping, !Sub "shipping-${Env}"] -> shipping-dev
    assert (
        branches[1]["States"]["Enqueue"]["Parameters"]["QueueUrl"]
        == "https://sqs.us-east-1.amazonaws.com/123456789012/shipping-dev"
    )


def test_sam_order_workflow_runs() -> None:
    loaded = load("sam/template.yaml#OrderStateMachine")
    machine = StateMachine.from_definition(
        loaded.definition, name=loaded.name, source=loaded.source
    )
    order = {"orderId": "o-1", "amount": 30, "items": [{"sku": "a"}, {"sku": "b"}]}
    execution = machine.execute(
        order,
        results={
            "Validate": {"Payload": order},
            "Charge": {"Payload": {"chargeId": "ch-1"}},
            "PutItem": {},
            "Publish": {"MessageId": "m-1"},
            "Enqueue": {"MessageId": "m-2"},
        },
    )
    assert execution.status == "SUCCEEDED"
    assert execution.path == ["Validate", "IsLargeOrder", "Charge", "RecordItems", "Notify", "Done"]
    assert execution.output["charge"] == {"chargeId": "ch-1"}
    assert machine.arn == "arn:aws:states:us-east-1:123456789012:stateMachine:OrderStateMachine"


def test_sam_inline_definition_with_short_tags() -> None:
    loaded = load("sam/template.yaml#RefundStateMachine")
    assert loaded.name == "refund-dev"  # Name: !Sub "refund-${Env}"
    assert loaded.machine_type == "EXPRESS"
    assert loaded.role_arn == "arn:aws:iam::123456789012:role/RefundRole"
    refund = state(loaded, "States", "Refund")
    assert refund["Resource"] == LAMBDA + "charge-dev"
    # mode: !If [IsProd, live, !Ref AWS::NoValue] disappears in dev
    assert refund["Parameters"] == {
        "region": "us-east-1",
        "table": "OrdersTable",
        "queue": "shipping-dev",
    }
    assert state(loaded, "States", "Wait", "Timestamp") == "2024-01-01T00:00:00Z"
    notify = state(loaded, "States", "Notify")
    assert notify["Resource"] == "arn:aws:states:::sns:publish"
    assert notify["Parameters"]["Message"] == "refund issued"  # DefinitionSubstitutions
    execution = StateMachine.from_definition(loaded.definition, type="EXPRESS").execute(
        {}, results={"Refund": {"ok": True}, "Notify": {}}
    )
    assert execution.status == "SUCCEEDED"


# -- CloudFormation ----------------------------------------------------------------------------


def test_cloudformation_definition_string_sub_with_variables() -> None:
    loaded = load("cfn/template.json#ApprovalStateMachine")
    assert loaded.warnings == ()
    assert loaded.machine_type == "STANDARD"
    assert loaded.role_arn == "arn:aws:iam::123456789012:role/workflow-role"
    request = state(loaded, "States", "RequestApproval")
    assert request["Resource"] == "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
    assert (
        request["Parameters"]["QueueUrl"]
        == "https://sqs.us-east-1.amazonaws.com/123456789012/approvals"
    )
    assert request["Parameters"]["MessageBody"]["region"] == "us-east-1"
    assert request["TimeoutSeconds"] == 3600  # an unquoted ${Timeout} becomes a number
    record = state(loaded, "States", "Record")
    assert record["Resource"] == LAMBDA + "Recorder"
    # ${!Greeting} survives Fn::Sub as ${Greeting}, then DefinitionSubstitutions fills it.
    assert record["Parameters"] == {"stage": "prod", "literal": "hello", "bucket": "archivebucket"}


def test_cloudformation_definition_string_join_with_import_value() -> None:
    loaded = load("cfn/template.json#AuditStateMachine")
    assert loaded.name == "audit-trail"
    audit = state(loaded, "States", "Audit")
    assert audit["Parameters"] == {
        "TopicArn": "<unresolved Fn::ImportValue SharedTopic>",
        "Message": "audit entry",
    }
    assert len(loaded.warnings) == 1
    assert loaded.warnings[0].startswith(
        "/Resources/AuditStateMachine/Properties/DefinitionString/Fn::Join/1/3"
    )
    assert "substitutions={'SharedTopic': ...}" in loaded.warnings[0]
    # TableName: !Sub "${AWS::StackName}-audit", the stack named after the template file
    assert state(loaded, "States", "Store", "Parameters", "TableName") == "template-audit"
    assert state(loaded, "States", "Callback", "Resource") == LAMBDA + "Recorder"


def test_cloudformation_package_local_definition_s3_location() -> None:
    loaded = load("cfn/packaged.yaml")
    assert loaded.source == "cfn/packaged.yaml#NotifyStateMachine"
    assert state(loaded, "States", "Notify", "Parameters") == {
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:alerts",
        "Message.$": "$.message",
    }
    assert loaded.role_arn == "arn:aws:iam::123456789012:role/notify"


# -- CDK ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec",
    [
        "cdk.out#OrderFlowE5F6A7B8",
        "cdk.out#OrderStack/OrderFlow",
        "cdk.out#OrderStack/OrderFlow/Resource",
        "cdk.out/OrderStack.template.json#OrderFlowE5F6A7B8",
        "cdk.out/#OrderFlowE5F6A7B8",
    ],
)
def test_cdk_join_with_getatt_pieces(spec: str) -> None:
    loaded = load(spec)
    assert loaded.logical_id == "OrderFlowE5F6A7B8"
    assert loaded.source.endswith("OrderStack.template.json#OrderFlowE5F6A7B8")
    assert loaded.warnings == ()
    charge = state(loaded, "States", "Charge")
    assert charge["Resource"] == "arn:aws:states:::lambda:invoke"
    assert charge["Parameters"]["FunctionName"] == LAMBDA + "ChargeFnA1B2C3D4"
    assert (
        state(loaded, "States", "Ship", "Parameters", "QueueUrl")
        == "https://sqs.us-east-1.amazonaws.com/123456789012/ShipQueue5A6B7C8D"
    )
    assert loaded.role_arn == "arn:aws:iam::123456789012:role/OrderFlowRole1A2B3C4D"


def test_cdk_file_asset_definition() -> None:
    loaded = load("cdk.out#ReportFlow9F8E7D6C")
    assert loaded.machine_type == "EXPRESS"
    assert (
        state(loaded, "States", "Report", "Parameters", "FunctionName")
        == LAMBDA + "ChargeFnA1B2C3D4"
    )


def test_cdk_nested_stage_assembly_and_pinned_environment(tmp_path: Path) -> None:
    stage = tmp_path / "cdk.out" / "assembly-Prod"
    stage.mkdir(parents=True)
    shutil.copy(
        FIXTURES / "cdk.out" / "OrderStack.template.json", stage / "ProdOrderStack.template.json"
    )
    (tmp_path / "cdk.out" / "manifest.json").write_text(
        json.dumps(
            {
                "artifacts": {
                    "Prod": {
                        "type": "cdk:cloud-assembly",
                        "properties": {"directoryName": "assembly-Prod"},
                    }
                }
            }
        )
    )
    (stage / "manifest.json").write_text(
        json.dumps(
            {
                "artifacts": {
                    "ProdOrderStack": {
                        "type": "aws:cloudformation:stack",
                        "environment": "aws://111122223333/eu-west-1",
                        "properties": {
                            "templateFile": "ProdOrderStack.template.json",
                            "stackName": "Prod-OrderStack",
                        },
                    }
                }
            }
        )
    )
    assert list_state_machines(tmp_path / "cdk.out") == ["OrderFlowE5F6A7B8", "ReportFlow9F8E7D6C"]
    loaded = load_definition_source("cdk.out#OrderFlowE5F6A7B8", base_dir=tmp_path)
    assert loaded.source == "cdk.out/assembly-Prod/ProdOrderStack.template.json#OrderFlowE5F6A7B8"
    assert (
        state(loaded, "States", "Charge", "Parameters", "FunctionName")
        == "arn:aws:lambda:eu-west-1:111122223333:function:ChargeFnA1B2C3D4"
    )
    explicit = load_definition_source(
        "cdk.out#OrderFlowE5F6A7B8", base_dir=tmp_path, region="us-west-2"
    )
    assert "us-west-2:111122223333" in state(
        explicit, "States", "Charge", "Parameters", "FunctionName"
    )


def test_cdk_directory_without_manifest_scans_templates(tmp_path: Path) -> None:
    shutil.copy(
        FIXTURES / "cdk.out" / "OrderStack.template.json", tmp_path / "OrderStack.template.json"
    )
    assert list_state_machines(tmp_path) == ["OrderFlowE5F6A7B8", "ReportFlow9F8E7D6C"]
    assert load_definition_source(f"{tmp_path}#OrderFlowE5F6A7B8").logical_id == "OrderFlowE5F6A7B8"


# -- plain definition files -------------------------------------------------------------------


def test_plain_files_are_named_after_their_stem() -> None:
    loaded = load("sam/statemachine/order.asl.json")
    assert (loaded.name, loaded.source, loaded.logical_id) == (
        "order",
        "sam/statemachine/order.asl.json",
        None,
    )
    assert {w.split("${")[1].split("}")[0] for w in loaded.warnings} == {
        "ValidateFunctionArn",
        "ChargeFunctionArn",
        "OrdersTable",
        "NotifyTopicArn",
        "ShippingQueueUrl",
    }


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".yml", ".asl.json", ".asl.yaml"])
def test_plain_definitions_in_any_format(tmp_path: Path, suffix: str) -> None:
    definition = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Result": "${Who}", "End": True}},
    }
    text = (
        json.dumps(definition)
        if "json" in suffix
        else "StartAt: P\nStates:\n  P: {Type: Pass, Result: '${Who}', End: true}\n"
    )
    (tmp_path / f"hello{suffix}").write_text(text)
    loaded = load_definition_source(
        f"hello{suffix}", base_dir=tmp_path, substitutions={"Who": "world"}
    )
    assert loaded.name == "hello"
    assert loaded.definition == {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Result": "world", "End": True}},
    }
    assert loaded.warnings == ()
    assert list_state_machines(tmp_path / f"hello{suffix}") == []


def test_plain_yaml_with_substitutions() -> None:
    loaded = load("order.asl.yaml", substitutions={"Env": "prod"})
    assert state(loaded, "States", "Greet", "Parameters", "greeting") == "Hello from prod"
    assert loaded.warnings == ()
    execution = StateMachine.from_definition(loaded.definition).execute({"name": "Ada"})
    assert execution.output == {"greeting": "Hello from prod", "who": "Ada"}


# -- substitutions= ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "substitutions", "path", "expected"),
    [
        # a DefinitionSubstitutions key
        (
            "sam/template.yaml#OrderStateMachine",
            {"ChargeFunctionArn": "arn:aws:lambda:eu-west-1:1:function:charge-prod"},
            ("States", "Charge", "Parameters", "FunctionName"),
            "arn:aws:lambda:eu-west-1:1:function:charge-prod",
        ),
        # a GetAtt target feeding a DefinitionSubstitutions value
        (
            "sam/template.yaml#OrderStateMachine",
            {"ValidateFunction.Arn": "arn:validate"},
            ("States", "Validate", "Parameters", "FunctionName"),
            "arn:validate",
        ),
        # a Ref target (the SNS topic)
        (
            "sam/template.yaml#OrderStateMachine",
            {"NotifyTopic": "arn:topic"},
            ("States", "Notify", "Branches", "0", "States", "Publish", "Parameters", "TopicArn"),
            "arn:topic",
        ),
        # a parameter: changes the condition and the derived queue name
        (
            "sam/template.yaml#OrderStateMachine",
            {"Env": "prod"},
            ("States", "Notify", "Branches", "1", "States", "Enqueue", "Parameters", "QueueUrl"),
            "https://sqs.us-east-1.amazonaws.com/123456789012/shipping",
        ),
        (
            "sam/template.yaml#RefundStateMachine",
            {"Env": "prod"},
            ("States", "Refund", "Parameters", "mode"),
            "live",
        ),
        # GetAtt inline in a SAM Definition
        (
            "sam/template.yaml#RefundStateMachine",
            {"ChargeFunction.Arn": LAMBDA + "charge-prod"},
            ("States", "Refund", "Resource"),
            LAMBDA + "charge-prod",
        ),
        # Fn::Sub variables map entry in DefinitionString
        (
            "cfn/template.json#ApprovalStateMachine",
            {"QueueUrl": "https://q"},
            ("States", "RequestApproval", "Parameters", "QueueUrl"),
            "https://q",
        ),
        (
            "cfn/template.json#ApprovalStateMachine",
            {"Timeout": 60},
            ("States", "RequestApproval", "TimeoutSeconds"),
            60,
        ),
        (
            "cfn/template.json#ApprovalStateMachine",
            {"Greeting": "hi"},
            ("States", "Record", "Parameters", "literal"),
            "hi",
        ),
        # an export, inside Fn::Join
        (
            "cfn/template.json#AuditStateMachine",
            {"SharedTopic": "arn:shared"},
            ("States", "Audit", "Parameters", "TopicArn"),
            "arn:shared",
        ),
        # CDK GetAtt piece of a Fn::Join
        (
            "cdk.out#OrderFlowE5F6A7B8",
            {"ChargeFnA1B2C3D4.Arn": "arn:cdk"},
            ("States", "Charge", "Parameters", "FunctionName"),
            "arn:cdk",
        ),
        (
            "cdk.out#OrderFlowE5F6A7B8",
            {"AWS::Partition": "aws-cn"},
            ("States", "Charge", "Resource"),
            "arn:aws-cn:states:::lambda:invoke",
        ),
    ],
)
def test_substitutions_override(
    spec: str, substitutions: dict[str, Any], path: tuple[str, ...], expected: Any
) -> None:
    loaded = load(spec, substitutions=substitutions)
    assert state(loaded, *path) == expected
    assert loaded.warnings == ()
    StateMachine.from_definition(loaded.definition)


def test_region_and_account() -> None:
    loaded = load(
        "sam/template.yaml#OrderStateMachine", region="eu-central-1", account="999988887777"
    )
    assert (
        state(loaded, "States", "Validate", "Parameters", "FunctionName")
        == "arn:aws:lambda:eu-central-1:999988887777:function:ValidateFunction"
    )


def test_aws_include_of_a_local_file(tmp_path: Path) -> None:
    (tmp_path / "states.yaml").write_text(
        "Only:\n  Type: Pass\n  Result: !Ref AWS::Region\n  End: true\n"
    )
    (tmp_path / "template.yaml").write_text(
        "Resources:\n  Flow:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"
        "      Definition:\n        StartAt: Only\n        States:\n"
        "          Fn::Transform: {Name: AWS::Include, Parameters: {Location: states.yaml}}\n"
    )
    loaded = load_definition_source(tmp_path / "template.yaml")
    assert loaded.definition == {
        "StartAt": "Only",
        "States": {"Only": {"Type": "Pass", "Result": "us-east-1", "End": True}},
    }


def test_list_state_machines() -> None:
    assert list_state_machines(FIXTURES / "sam/template.yaml") == [
        "OrderStateMachine",
        "RefundStateMachine",
    ]
    assert list_state_machines(FIXTURES / "cfn/template.json") == [
        "ApprovalStateMachine",
        "AuditStateMachine",
    ]
    assert list_state_machines(FIXTURES / "cfn/packaged.yaml") == ["NotifyStateMachine"]
    assert list_state_machines(FIXTURES / "cdk.out") == ["OrderFlowE5F6A7B8", "ReportFlow9F8E7D6C"]
    assert list_state_machines(FIXTURES / "order.asl.yaml") == []
    assert list_state_machines("sam/template.yaml", base_dir=FIXTURES) == [
        "OrderStateMachine",
        "RefundStateMachine",
    ]


def test_relative_specs_default_to_the_working_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES / "sam")
    assert (
        load_definition_source("template.yaml#OrderStateMachine").source
        == "template.yaml#OrderStateMachine"
    )
    assert load_definition_source(Path("statemachine/order.asl.json")).name == "order"


# -- cache ---------------------------------------------------------------------------------------


def test_results_are_cached_until_a_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(FIXTURES / "sam", tmp_path / "sam")
    calls: list[str] = []
    real_load = source_module._load

    def counting_load(*args: Any) -> LoadedDefinition:
        calls.append(str(args[0]))
        return real_load(*args)

    monkeypatch.setattr(source_module, "_load", counting_load)
    spec = "sam/template.yaml#OrderStateMachine"
    first = load_definition_source(spec, base_dir=tmp_path)
    second = load_definition_source(spec, base_dir=tmp_path)
    assert len(calls) == 1
    assert first == second
    load_definition_source(spec, base_dir=tmp_path, substitutions={"Env": "prod"})
    load_definition_source("sam/template.yaml#RefundStateMachine", base_dir=tmp_path)
    assert len(calls) == 3

    # The definition file named by DefinitionUri changes: the cached result is dropped.
    asl = tmp_path / "sam/statemachine/order.asl.json"
    asl.write_text(asl.read_text().replace('"Comment": "Order workflow', '"Comment": "Changed'))
    stat = asl.stat()
    os.utime(asl, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    third = load_definition_source(spec, base_dir=tmp_path)
    assert len(calls) == 4
    assert third.definition["Comment"].startswith("Changed")


def test_callers_cannot_corrupt_the_cache() -> None:
    first = load("cfn/packaged.yaml")
    first.definition["States"]["Notify"]["Type"] = "Pass"
    assert load("cfn/packaged.yaml").definition["States"]["Notify"]["Type"] == "Task"


def test_state_machine_from_source_loads_a_template_in_one_call() -> None:
    from pytest_sfn import StateMachine

    here = Path(__file__).parent / "loading_fixtures"
    templates = sorted(
        p
        for p in here.rglob("*")
        if p.suffix in (".yaml", ".yml", ".json") and "template" in p.name
    )
    assert templates, "fixtures exist"
    from pytest_sfn.loading import list_state_machines

    for template in templates:
        ids = list_state_machines(template)
        if ids:
            machine = StateMachine.from_source(f"{template}#{ids[0]}")
            assert machine.definition["States"]
            assert machine.source == f"{template}#{ids[0]}" or machine.source.endswith(f"#{ids[0]}")
            return
    raise AssertionError("no template with a state machine among the fixtures")
