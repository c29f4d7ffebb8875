from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_sfn import DefinitionError, StateMachine

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 1, "End": True}}}


def test_from_definition_accepts_dict_and_json_text() -> None:
    assert StateMachine.from_definition(PASS).execute({}).output == 1
    assert StateMachine.from_definition(json.dumps(PASS)).execute({}).output == 1


@pytest.mark.parametrize("suffix", [".asl.json", ".json", ".yaml", ".yml"])
def test_from_file(tmp_path: Path, suffix: str) -> None:
    import yaml

    path = tmp_path / f"order{suffix}"
    text = json.dumps(PASS) if "json" in suffix else yaml.safe_dump(PASS)
    path.write_text(text)
    sm = StateMachine.from_file(path)
    assert sm.name == "order"
    assert sm.arn == "arn:aws:states:us-east-1:123456789012:stateMachine:order"
    assert sm.execute({}).output == 1


def test_bad_json_names_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.asl.json"
    path.write_text('{\n  "StartAt": "P",\n  "States": {,}\n}')
    with pytest.raises(DefinitionError) as info:
        StateMachine.from_file(path)
    message = str(info.value)
    assert str(path) in message
    assert "line 3, column 14" in message
    assert info.value.diagnostics[0].code == "INVALID_JSON_DESCRIPTION"


def test_bad_yaml_names_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("StartAt: P\nStates:\n  P: [unclosed\n")
    with pytest.raises(DefinitionError, match=r"(?s)broken.yaml.*line \d+"):
        StateMachine.from_file(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="cannot read the file"):
        StateMachine.from_file(tmp_path / "nope.json")


def test_every_problem_is_reported_with_its_pointer() -> None:
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Next": "Nowhere"},
            "B": {"Type": "Bogus", "End": True},
        },
    }
    with pytest.raises(DefinitionError) as info:
        StateMachine.from_definition(definition, source="machine.json")
    locations = {d.location for d in info.value.diagnostics}
    assert "/States/A/Next" in locations
    assert "/States/B/Type" in locations
    text = str(info.value)
    assert text.startswith("invalid state machine definition in machine.json")
    assert info.value.aws_message.startswith("Invalid State Machine Definition: '")


def test_state_machine_type_is_checked() -> None:
    with pytest.raises(ValueError, match="STANDARD"):
        StateMachine.from_definition(PASS, type="FAST")


def test_compiled_once_executed_many_times() -> None:
    sm = StateMachine.from_definition(PASS)
    graph = sm.graph
    for _ in range(3):
        sm.execute({})
    assert sm.graph is graph


def test_non_json_input_is_rejected_clearly() -> None:
    from datetime import datetime

    from pytest_sfn import SfnError

    with pytest.raises(SfnError, match="execution input is not JSON"):
        StateMachine.from_definition(PASS).execute({"when": datetime(2024, 1, 1)})


def test_oversized_input_is_rejected() -> None:
    from pytest_sfn import SfnError

    with pytest.raises(SfnError, match="at most 262144 bytes"):
        StateMachine.from_definition(PASS).execute({"big": "x" * 262_144})


def test_non_json_task_result_is_a_mock_error_naming_the_state() -> None:
    from pytest_sfn import MockError

    definition = {
        "StartAt": "T",
        "States": {
            "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}
        },
    }
    with pytest.raises(MockError, match="'T' returned a value that is not JSON"):
        StateMachine.from_definition(definition).execute({}, results={"T": {1, 2}})


def test_empty_definition_text() -> None:
    with pytest.raises(DefinitionError) as info:
        StateMachine.from_definition("   ")
    assert info.value.aws_message == (
        "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: "
        "Definition must be a valid JSON object'"
    )


@pytest.mark.parametrize("suffix", [".waitForTaskToken", ".sync"])
def test_express_rejects_callback_and_sync_patterns(suffix: str) -> None:
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "T",
                        "States": {
                            "T": {
                                "Type": "Task",
                                "Resource": f"arn:aws:states:::states:startExecution{suffix}",
                                "End": True,
                            }
                        },
                    }
                ],
                "End": True,
            }
        },
    }
    StateMachine.from_definition(definition)  # fine for STANDARD
    with pytest.raises(DefinitionError) as info:
        StateMachine.from_definition(definition, type="EXPRESS")
    (diagnostic,) = info.value.diagnostics
    assert diagnostic.location == "/States/P/Branches/0/States/T/Resource"
    # AWS-recorded: only the callback message has a trailing space.
    trailing = " " if suffix == ".waitForTaskToken" else ""
    assert diagnostic.message == (
        f"Express state machine does not support '{suffix}' service integration{trailing}"
    )


def test_hints_help_python_users_but_stay_out_of_aws_text() -> None:
    definition = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Next": "Transfrom"}, "Transform": {"Type": "Succeed"}},
    }
    with pytest.raises(DefinitionError) as info:
        StateMachine.from_definition(definition)
    assert "Missing 'Next' target: Transfrom (did you mean 'Transform'?) at /States/A/Next" in str(
        info.value
    )
    assert "did you mean" not in info.value.aws_message
    api = [d.as_api() for d in info.value.diagnostics]
    assert {
        "severity": "ERROR",
        "code": "MISSING_TRANSITION_TARGET",
        "message": "Missing 'Next' target: Transfrom",
        "location": "/States/A/Next",
    } in api


def test_local_client_validation_has_no_hints() -> None:
    import json as _json

    from pytest_sfn import local_client

    client = local_client()
    definition = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Nxt": "B"}, "B": {"Type": "Succeed"}},
    }
    result = client.validate_state_machine_definition(definition=_json.dumps(definition))
    assert result["result"] == "FAIL"
    assert all("did you mean" not in d["message"] for d in result["diagnostics"])


def test_create_state_machine_message_has_no_hints() -> None:
    import json as _json

    from botocore.exceptions import ClientError

    from pytest_sfn import local_client

    client = local_client()
    definition = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Next": "Bb"}, "B": {"Type": "Succeed"}},
    }
    with pytest.raises(ClientError) as info:
        client.create_state_machine(
            name="m", definition=_json.dumps(definition), roleArn="arn:aws:iam::123456789012:role/r"
        )
    message = info.value.response["Error"]["Message"]
    assert "Missing 'Next' target: Bb at /States/A/Next" in message
    assert "did you mean" not in message
