"""Distributed Map ItemReader in pytest: results, mocks, YAML scenarios and ``botocore=``."""

from __future__ import annotations

import json
import textwrap

import pytest

READER = {
    "StartAt": "Orders",
    "States": {
        "Orders": {
            "Type": "Map",
            "ItemReader": {
                "Resource": "arn:aws:states:::s3:getObject",
                "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                "Parameters": {"Bucket": "orders-bucket", "Key.$": "$.key"},
            },
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "Ship",
                "States": {
                    "Ship": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::lambda:invoke",
                        "Parameters": {"FunctionName": "ship", "Payload.$": "$"},
                        "OutputPath": "$.Payload",
                        "End": True,
                    }
                },
            },
            "End": True,
        }
    },
}


@pytest.fixture
def machine_file(pytester: pytest.Pytester) -> None:
    pytester.path.joinpath("orders.asl.json").write_text(json.dumps(READER), encoding="utf-8")


def test_results_and_mocks_answer_the_reader(pytester: pytest.Pytester, machine_file: None) -> None:
    pytester.makepyfile(
        textwrap.dedent(
            """
            import pytest

            CSV = "id,qty\\n1,5\\n2,7\\n"

            @pytest.mark.sfn(definition="orders.asl.json", results={"Orders": CSV})
            def test_marker_results(sfn):
                execution = sfn.execute(
                    {"key": "in/orders.csv"},
                    lambdas={"ship": lambda event, context: {"shipped": event["id"]}},
                )
                assert execution.output == [{"shipped": "1"}, {"shipped": "2"}]

            def test_mocks(sfn):
                mocks = {
                    "Orders": {"return": "id\\n9\\n"},
                    "Ship": {"return": {"Payload": "done"}},
                }
                execution = sfn.execute("orders.asl.json", {"key": "k"}, mocks=mocks)
                assert execution.output == ["done"]

            def test_unanswered(sfn):
                with pytest.raises(Exception, match="ItemReader of Distributed Map state"):
                    sfn.execute("orders.asl.json", {"key": "k"}, results={"Ship": {}})
            """
        )
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=3)


def test_yaml_scenario_mocks_the_reader(pytester: pytest.Pytester, machine_file: None) -> None:
    pytester.path.joinpath("orders.sfn.yaml").write_text(
        textwrap.dedent(
            """\
            state_machine: orders.asl.json
            mocks:
              Orders:
                return: "id,qty\\n1,5\\n"
              Ship:
                return: {Payload: shipped}
            scenarios:
              - name: one row
                input: {key: in/orders.csv}
                expect:
                  status: SUCCEEDED
                  output: [shipped]
              - name: duplicate headers
                input: {key: in/orders.csv}
                mocks:
                  Orders:
                    return: "id,id\\n1,2\\n"
                expect:
                  status: FAILED
                  error: States.ItemReaderFailed
                  cause: CSV headers cannot contain duplicates.
            """
        ),
        encoding="utf-8",
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_botocore_moto_answers_the_reader(pytester: pytest.Pytester, machine_file: None) -> None:
    pytest.importorskip("moto")
    pytester.makepyfile(
        textwrap.dedent(
            """
            import boto3
            from moto import mock_aws

            def test_moto(sfn):
                with mock_aws():
                    s3 = boto3.client("s3", region_name="us-east-1")
                    s3.create_bucket(Bucket="orders-bucket")
                    s3.put_object(Bucket="orders-bucket", Key="in/o.csv", Body=b"id\\n3\\n")
                    execution = sfn.execute(
                        "orders.asl.json",
                        {"key": "in/o.csv"},
                        botocore=True,
                        results={"Ship": {"Payload": "ok"}},
                    )
                assert execution.output == ["ok"]
            """
        )
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
