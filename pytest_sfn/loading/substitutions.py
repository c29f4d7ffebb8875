"""``${Name}`` placeholders: ``DefinitionSubstitutions`` and the caller's ``substitutions``.

Step Functions replaces each ``${Name}`` of the definition text with the value of ``Name`` in
``DefinitionSubstitutions``. Here the same happens, with one courtesy: inside a JSON string
the value is JSON-escaped, so a value holding ``"`` or ``\\`` keeps the definition valid.
Outside strings (``"MaxConcurrency": ${Limit}``) the value is inserted as is, as AWS does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from pytest_sfn._json import dump_compact
from pytest_sfn._types import JSON

__all__ = ["PLACEHOLDER", "as_text", "substitute_text"]

#: A ``${Name}`` placeholder (no spaces, braces or ``$`` inside).
PLACEHOLDER = re.compile(r"\$\{([^${}\s]+)\}")
# JSON string escapes, quotes and placeholders, scanned in order to know where strings are.
_TOKENS = re.compile(r'\\.|"|\$\{([^${}\s]+)\}', re.DOTALL)


def as_text(value: JSON) -> str:
    """A value as CloudFormation turns it into text (``true``, ``5``, ``a``, JSON otherwise)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return dump_compact(value)


def substitute_text(
    text: str, values: Mapping[str, JSON], *, json_text: bool
) -> tuple[str, list[str]]:
    """Replace every ``${Name}`` of ``text`` that ``values`` knows.

    Args:
        text: the definition text.
        values: placeholder name -> value.
        json_text: ``text`` is JSON (values inside strings are then JSON-escaped).

    Returns:
        The new text and the names of the placeholders left in place (in order, once each).
    """
    if "${" not in text:
        return text, []
    missing: list[str] = []
    out: list[str] = []
    position = 0
    in_string = False
    for match in _TOKENS.finditer(text):
        token = match.group(0)
        if token == '"':
            in_string = not in_string
            continue
        name = match.group(1)
        if name is None:  # an escape sequence
            continue
        if name not in values:
            if name not in missing:
                missing.append(name)
            continue
        replacement = as_text(values[name])
        if json_text and in_string:
            replacement = json.dumps(replacement, ensure_ascii=False)[1:-1]
        out.append(text[position : match.start()])
        out.append(replacement)
        position = match.end()
    out.append(text[position:])
    return "".join(out), missing
