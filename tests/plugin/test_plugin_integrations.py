"""Lambda handlers, child state machines, botocore clients and mock validation in the plugin."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.plugin.conftest import WriteMachine

VALIDATE_MOCKS = True  # inner runs use the default validation (see conftest.py)

LAMBDA = {
    "StartAt": "Charge",
    "States": {
        "Charge": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "charge", "Payload.$": "$"},
            "OutputPath": "$.Payload",
            "Next": "Notify",
        },
        "Notify": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:notify",
            "End": True,
        },
    },
}

HANDLERS = """
def charge(event, context):
    if event["amount"] <= 0:
        raise ValueError("amount must be positive")
    return {"charged": event["amount"], "fn": context.function_name}


def notify(event, context):
    return {**event, "notified": True}
"""


def _write_lambda_project(pytester: pytest.Pytester, write_machine: WriteMachine) -> None:
    write_machine("orders.asl.json", LAMBDA)
    pytester.makepyfile(handlers=HANDLERS)


def test_lambdas_from_marker_execute_and_yaml(
    pytester: pytest.Pytester, write_machine: WriteMachine
) -> None:
    _write_lambda_project(pytester, write_machine)
    pytester.makepyfile(
        test_it="""
        import pytest
        from handlers import charge

        @pytest.mark.sfn(definition="orders.asl.json",
                         lambdas={"charge": charge, "notify": "handlers:notify"})
        def test_marker(sfn):
            execution = sfn.execute({"amount": 30})
            assert execution.output == {"charged": 30, "fn": "charge", "notified": True}
            calls = execution.calls("Charge")
            assert calls[0].result["StatusCode"] == 200

        @pytest.mark.sfn(definition="orders.asl.json", lambdas={"notify": "handlers:notify"})
        def test_execute_keyword_and_mock_precedence(sfn):
            execution = sfn.execute(
                {"amount": 1},
                lambdas={"charge": lambda event, context: {"from": "execute"}},
                results={"Notify": {"from": "results"}},
            )
            assert execution.output == {"from": "results"}
        """
    )
    pytester.makefile(
        ".sfn.yaml",
        orders="""\
        state_machine: orders.asl.json
        lambdas:
          charge: handlers:charge
          notify: handlers:notify
        scenarios:
          - name: handlers answer
            input: {amount: 5}
            expect: {output: {charged: 5, fn: charge, notified: true}}
          - name: function error is caught by nothing
            input: {amount: 0}
            expect: {status: FAILED, error: ValueError}
          - name: a mock wins over the handler
            input: {amount: 5}
            mocks: {Notify: {return: {mocked: true}}}
            expect: {output: {mocked: true}}
        """,
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=5)


def test_unmocked_task_says_how_to_register_a_handler(
    pytester: pytest.Pytester, write_machine: WriteMachine
) -> None:
    _write_lambda_project(pytester, write_machine)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.sfn(definition="orders.asl.json", lambdas={"charge": "handlers:charge"})
        def test_it(sfn):
            sfn.execute({"amount": 3})
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       pytest_sfn.errors.UnmockedTaskError: Task state 'Notify' (resource "
            "arn:aws:lambda:us-east-1:123456789012:function:notify) has no mock*",
            "E       Mock it by state name: `mocks: {Notify: {return: ...}}`*",
            "E       Or run its Lambda function in-process (registered: charge): `lambdas: "
            "{arn:aws:lambda:us-east-1:123456789012:function:notify: package.module:function}`*",
            "E       Or register a handler for * with the pytest_sfn_task_handlers hook*",
        ],
        consecutive=True,
    )


def test_bad_handler_import_is_a_clear_error(
    pytester: pytest.Pytester, write_machine: WriteMachine
) -> None:
    _write_lambda_project(pytester, write_machine)
    pytester.makepyfile(
        """
        def test_it(sfn):
            sfn.execute("orders.asl.json", {}, lambdas={"charge": "handlers:chrage"})
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       pytest_sfn.errors.MockError: the Lambda handler 'handlers:chrage' of "
            "'charge': 'handlers' has no attribute 'chrage' (did you mean 'charge'?)"
        ]
    )


PARENT = {
    "StartAt": "Ship",
    "States": {
        "Ship": {
            "Type": "Task",
            "Resource": "arn:aws:states:::states:startExecution.sync:2",
            "Parameters": {
                "StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Shipper",
                "Input.$": "$",
            },
            "OutputPath": "$.Output",
            "End": True,
        }
    },
}
CHILD = {
    "StartAt": "Label",
    "States": {
        "Label": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}
    },
}


def test_machines_run_children_locally(
    pytester: pytest.Pytester, write_machine: WriteMachine
) -> None:
    write_machine("parent.asl.json", PARENT)
    write_machine("child.asl.json", CHILD)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.sfn(definition="parent.asl.json", machines={"Shipper": "child.asl.json"})
        def test_marker(sfn, sfn_mocks):
            sfn_mocks.state("Label").returns({"StatusCode": 200, "Payload": {"label": "L1"}})
            execution = sfn.execute({"orderId": "o-1"})
            assert execution.output == {"StatusCode": 200, "Payload": {"label": "L1"}}

        def test_unregistered_child(sfn):
            execution = sfn.execute("parent.asl.json", {}, strict=False)
        """
    )
    pytester.makefile(
        ".sfn.yaml",
        parent="""\
        state_machine: parent.asl.json
        machines: {Shipper: child.asl.json}
        scenarios:
          - name: child label
            mocks: {Label: {return: {Payload: {label: L2}}}}
            expect: {output: {Payload: {label: L2}}}
        """,
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        ["E       Or run the child state machine locally: `machines: {Shipper: child.asl.json}`*"]
    )


def test_botocore_stubber_and_moto(pytester: pytest.Pytester, write_machine: WriteMachine) -> None:
    definition = {
        "StartAt": "Get",
        "States": {
            "Get": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:dynamodb:getItem",
                "Parameters": {"TableName": "orders", "Key": {"id": {"S": "o-1"}}},
                "End": True,
            }
        },
    }
    write_machine("get.asl.json", definition)
    pytester.makepyfile(
        """
        import boto3
        import botocore.session
        import pytest
        from botocore.stub import Stubber
        from moto import mock_aws

        def test_stubber(sfn):
            client = botocore.session.get_session().create_client(
                "dynamodb", region_name="us-east-1")
            with Stubber(client) as stub:
                stub.add_response("get_item", {"Item": {"id": {"S": "o-1"}}},
                                  {"TableName": "orders", "Key": {"id": {"S": "o-1"}}})
                execution = sfn.execute("get.asl.json", {}, botocore=client)
            assert execution.output == {"Item": {"id": {"S": "o-1"}}}

        @mock_aws
        @pytest.mark.sfn(definition="get.asl.json", botocore=True)
        def test_moto(sfn):
            ddb = boto3.client("dynamodb", region_name="us-east-1")
            ddb.create_table(TableName="orders", BillingMode="PAY_PER_REQUEST",
                             KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                             AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
            ddb.put_item(TableName="orders", Item={"id": {"S": "o-1"}, "n": {"N": "2"}})
            assert sfn.execute({}).output == {"Item": {"id": {"S": "o-1"}, "n": {"N": "2"}}}

        def test_real_session_is_blocked(sfn):
            session = botocore.session.Session()
            sfn.execute("get.asl.json", {}, botocore=session)
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       pytest_sfn.errors.UnmockedTaskError: Task state * made a botocore request "
            "nothing answers in-process: DynamoDB.GetItem *Answer it with moto*Stubber*"
            "opt in with @pytest.mark.sfn_allow_network*",
        ]
    )
    # The test's line, then the message: no frames from inside botocore or pytest-sfn.
    assert "botocore/endpoint.py" not in result.stdout.str()


VALIDATED = {
    "StartAt": "Publish",
    "States": {
        "Publish": {
            "Type": "Task",
            "Resource": "arn:aws:states:::events:putEvents",
            "Parameters": {"Entries": [{"Detail": {}, "DetailType": "x", "Source": "y"}]},
            "End": True,
        }
    },
}


@pytest.mark.parametrize(
    ("where", "outcome"),
    [
        ("", "failed"),
        ("validate: NONE", "passed"),
        ("validate: STRICT", "failed"),
    ],
)
def test_yaml_mock_validation(
    pytester: pytest.Pytester, write_machine: WriteMachine, where: str, outcome: str
) -> None:
    write_machine("events.asl.json", VALIDATED)
    pytester.makefile(
        ".sfn.yaml",
        events=f"""\
        state_machine: events.asl.json
        {where}
        scenarios:
          - name: bad entries
            mocks: {{Publish: {{return: {{Entries: 1}}}}}}
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(**{outcome: 1})
    if outcome == "failed":
        result.stdout.fnmatch_lines(
            [
                "  events.sfn.yaml:* /scenarios/0/mocks/Publish: Task state 'Publish' "
                "(arn:aws:states:::events:putEvents): the mocked result does not fit*",
                "    Mock result schema validation error: Field 'Entries' must be an array",
                # Only the looser modes are suggested.
                "    Fix the result, or relax the check: validate: "
                + ("PRESENT or NONE" if "STRICT" in where else "NONE")
                + " on the mock or *",
            ]
        )


@pytest.mark.parametrize(
    ("args", "marker", "outcome"),
    [
        ((), "", "failed"),
        (("-o", "sfn_validate_mocks=NONE"), "", "passed"),
        (("--sfn-validate-mocks", "none"), "", "passed"),
        ((), "validate='NONE'", "passed"),
        (("-o", "sfn_validate_mocks=NONE"), "validate='STRICT'", "failed"),
    ],
)
def test_validation_mode_sources(
    pytester: pytest.Pytester,
    write_machine: WriteMachine,
    args: tuple[str, ...],
    marker: str,
    outcome: str,
) -> None:
    write_machine("events.asl.json", VALIDATED)
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.sfn(definition="events.asl.json", {marker})
        def test_it(sfn, sfn_mocks):
            sfn_mocks.state("Publish").returns({{"Entries": "nope"}})
            sfn.execute({{}})
        """
    )
    result = pytester.runpytest(*args)
    result.assert_outcomes(**{outcome: 1})


def test_per_response_validate_overrides(
    pytester: pytest.Pytester, write_machine: WriteMachine
) -> None:
    write_machine("events.asl.json", VALIDATED)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.sfn(definition="events.asl.json",
                         mocks={"Publish": {"return": {"Entries": 1}, "validate": "NONE"}})
        def test_it(sfn):
            assert sfn.execute({}).output == {"Entries": 1}
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_bad_validate_values_are_rejected(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("-o", "sfn_validate_mocks=LOOSE")
    result.stderr.fnmatch_lines(
        ["*sfn_validate_mocks: 'LOOSE' is not one of STRICT, PRESENT, NONE"]
    )


def _unused(value: Any) -> str:
    return json.dumps(value)


PIPELINE = {
    "StartAt": "Price",
    "States": {
        "Price": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "price", "Payload.$": "$.order"},
            "ResultSelector": {"total.$": "$.Payload.total"},
            "ResultPath": "$.price",
            "Next": "Notify",
        },
        "Notify": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:notify",
            "ResultPath": "$.notified",
            "Next": "Queue",
        },
        "Queue": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {"QueueUrl.$": "$.queue", "MessageBody.$": "$.price"},
            "ResultPath": None,
            "Next": "Archive",
        },
        "Archive": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:s3:putObject",
            "Parameters": {
                "Bucket": "orders-archive",
                "Key.$": "States.Format('{}.json', $.id)",
                "Body.$": "States.JsonToString($.price)",
            },
            "ResultSelector": {"ETag.$": "$.ETag"},
            "ResultPath": "$.archive",
            "End": True,
        },
    },
}


def test_botocore_moto_sqs_s3_and_a_lambda_stubber(
    pytester: pytest.Pytester, write_machine: WriteMachine
) -> None:
    write_machine("pipeline.asl.json", PIPELINE)
    pytester.makepyfile(
        """
        import io

        import boto3
        import botocore.session
        import pytest
        from botocore.response import StreamingBody
        from botocore.stub import Stubber
        from moto import mock_aws

        def notify(event, context):
            return {"sent": True}

        def body(text):
            return StreamingBody(io.BytesIO(text.encode()), len(text))

        @pytest.fixture
        def aws():
            with mock_aws():
                sqs = boto3.client("sqs", region_name="us-east-1")
                s3 = boto3.client("s3", region_name="us-east-1")
                s3.create_bucket(Bucket="orders-archive")
                yield sqs, sqs.create_queue(QueueName="jobs")["QueueUrl"], s3

        # "notify" runs in-process (the test's lambdas come first); "price" goes to the
        # stubbed lambda client; SQS and S3 to moto.
        @pytest.mark.sfn(definition="pipeline.asl.json", lambdas={"notify": notify})
        def test_pipeline(sfn, aws):
            sqs, url, s3 = aws
            lam = botocore.session.get_session().create_client("lambda", region_name="us-east-1")
            with Stubber(lam) as stub:
                stub.add_response(
                    "invoke",
                    {"StatusCode": 200, "Payload": body('{"total": 42}')},
                    {"FunctionName": "price", "Payload": '{"items":["a","b"]}'},
                )
                execution = sfn.execute(
                    {"id": "o-1", "queue": url, "order": {"items": ["a", "b"]}},
                    botocore={"lambda": lam},
                )
                stub.assert_no_pending_responses()

            assert execution.status == "SUCCEEDED"
            assert execution.output["notified"] == {"sent": True}
            [message] = sqs.receive_message(QueueUrl=url)["Messages"]
            assert message["Body"] == '{"total":42}'
            stored = s3.get_object(Bucket="orders-archive", Key="o-1.json")
            assert stored["Body"].read() == b'{"total":42}'
            assert execution.output["archive"] == {"ETag": stored["ETag"]}

        @mock_aws
        @pytest.mark.sfn(definition="pipeline.asl.json", botocore=True)
        def test_missing_function(sfn):
            execution = sfn.execute({"id": "o-2", "order": {"items": []}})
            assert execution.error == "Lambda.ResourceNotFoundException"
            assert execution.cause.startswith(
                "Function not found: arn:aws:lambda:us-east-1:123456789012:function:price "
                "(Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException;"
            )
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2)
