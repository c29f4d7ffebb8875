"""Lambda handlers imported by name ("tests.unit.lambda_fixture_handlers:...") in tests."""

from __future__ import annotations

from typing import Any


def greet(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Return a greeting and the function name the context reports."""
    return {"greeting": f"hello {event['name']}", "function": context.function_name}


def explode(event: Any, context: Any) -> None:
    """Fail the way the AWS-observed example does."""
    raise Exception("Some exception was raised.")


class Handlers:
    """Handlers reachable through a dotted attribute path."""

    @staticmethod
    def double(event: dict[str, int], context: Any) -> int:
        return event["n"] * 2


NOT_CALLABLE = 42
