from __future__ import annotations

from typing import Any

import pytest

from pytest_sfn import StateMachine


def machine(states: dict[str, Any], start: str | None = None, **top: Any) -> StateMachine:
    """A StateMachine from a States mapping (StartAt = first state unless given)."""
    definition = {"StartAt": start or next(iter(states)), "States": states, **top}
    return StateMachine.from_definition(definition, name="Test")


@pytest.fixture
def build():
    return machine
