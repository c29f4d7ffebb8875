"""Decode JSON text the way the Step Functions service does, with its parser's error messages.

AWS parses definitions and execution inputs with Jackson (Java) and quotes its messages:
``InvalidExecutionInput`` carries the first line (``Unrecognized token 'not': was expecting
(JSON String, Number, Array, Object or token 'null', 'true' or 'false')``) and
``ValidateStateMachineDefinition`` the full text with its location
(``... at [Source: (String)"not a definition"; line: 1, column: 4]``).

:func:`decode` accepts what Jackson's ``readTree`` accepts: one JSON value, optionally followed
by anything (Jackson ignores trailing tokens by default), without ``NaN``/``Infinity``. On bad
input it raises :class:`JsonSyntaxError` with the message Jackson gives for the common
mistakes: an unknown bare word, a single-quoted name, a missing comma/colon, a mismatched or
missing close marker, an unterminated string, a control character in a string, a bad escape
and the number errors. Locations follow Jackson: 1-based line, and the column *after* the
offending character or token.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

__all__ = ["JsonSyntaxError", "decode"]

_VALUES = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
_SNIPPET = 500  # Jackson's MAX_CONTENT_SNIPPET
_WHITESPACE = " \t\n\r"
_LITERALS = {"true": True, "false": False, "null": None}


class JsonSyntaxError(ValueError):
    """JSON text Jackson would reject.

    Attributes:
        problem: the message without location (what ``InvalidExecutionInput`` quotes).
        line, column: where Jackson reports it (1-based).
        location: ``[Source: (String)"..."; line: L, column: C]``.
    """

    def __init__(self, problem: str, text: str, line: int, column: int) -> None:
        self.problem = problem
        self.line = line
        self.column = column
        self.location = _location(text, line, column)
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The full Jackson message: the problem, a newline and `` at <location>``."""
        return f"{self.problem}\n at {self.location}"


def decode(text: str) -> Any:
    """Decode ``text`` as the Step Functions service does.

    Returns:
        The decoded value; ``None`` for empty or whitespace-only text (Jackson's "missing
        node", which the callers treat as "no value").

    Raises:
        JsonSyntaxError: the text is not JSON, with Jackson's message and location.
    """
    scanner = _Scanner(text)
    start = scanner.skip_ws()
    if start >= len(text):
        return None
    scanner.value(root=True)
    try:
        value, _ = json.JSONDecoder(parse_constant=_reject_constant).raw_decode(text, start)
    except ValueError as exc:  # pragma: no cover - the scanner accepted it: parsers disagree
        raise JsonSyntaxError(str(exc), text, 1, 1) from None
    return value


def _reject_constant(name: str) -> Any:  # pragma: no cover - the scanner rejects them first
    raise ValueError(f"Non-standard token '{name}'")


def _location(text: str, line: int, column: int) -> str:
    if len(text) > _SNIPPET:
        source = f'(String)"{text[:_SNIPPET]}"[truncated {len(text) - _SNIPPET} chars]'
    else:
        source = f'(String)"{text}"'
    return f"[Source: {source}; line: {line}, column: {column}]"


def _char(ch: str) -> str:
    """Jackson's rendering of a character in a message: ``'x' (code 120)``."""
    code = ord(ch)
    if code < 32:
        return f"(CTRL-CHAR, code {code})"
    return f"'{ch}' (code {code})"


def _identifier_part(ch: str) -> bool:
    """Approximates Java's ``Character.isJavaIdentifierPart``."""
    if ch.isalnum() or ch in "_$":
        return True
    return unicodedata.category(ch) in ("Sc", "Pc", "Mn", "Mc", "Nl")


class _Scanner:
    """A recursive-descent JSON checker that fails exactly where Jackson does."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    # --- positions and errors -------------------------------------------------------------

    def where(self, pos: int) -> tuple[int, int]:
        """Jackson's (line, column) for the pointer ``pos`` (column is ``pos - row + 1``)."""
        line = self.text.count("\n", 0, pos) + 1
        row_start = self.text.rfind("\n", 0, pos) + 1
        return line, pos - row_start + 1

    def fail(self, problem: str, pos: int) -> JsonSyntaxError:
        line, column = self.where(pos)
        return JsonSyntaxError(problem, self.text, line, column)

    def unexpected(self, at: int, expectation: str) -> JsonSyntaxError:
        """``Unexpected character ('x' (code 120)): <expectation>``, reported after it."""
        return self.fail(f"Unexpected character ({_char(self.text[at])}): {expectation}", at + 1)

    def start_marker(self, at: int) -> str:
        line, column = self.where(at)
        return _location(self.text, line, column)

    # --- lexing ---------------------------------------------------------------------------

    def skip_ws(self) -> int:
        text = self.text
        while self.pos < len(text) and text[self.pos] in _WHITESPACE:
            self.pos += 1
        if self.pos < len(text) and ord(text[self.pos]) < 32:
            raise self.fail(
                f"Illegal character ({_char(text[self.pos])}): only regular white space "
                "(\\r, \\n, \\t) is allowed between tokens",
                self.pos + 1,
            )
        return self.pos

    def peek(self) -> str | None:
        self.skip_ws()
        return self.text[self.pos] if self.pos < len(self.text) else None

    def token_run(self, start: int) -> int:
        end = start + 1
        while end < len(self.text) and end - start < 256 and _identifier_part(self.text[end]):
            end += 1
        return end

    # --- grammar --------------------------------------------------------------------------

    def value(self, *, root: bool = False, in_array: bool = False) -> None:
        ch = self.peek()
        if ch is None:  # pragma: no cover - containers check for the end first
            raise self.fail("Unexpected end-of-input", self.pos)
        start = self.pos
        if ch == "{":
            self.container(start, "}", "Object")
        elif ch == "[":
            self.container(start, "]", "Array")
        elif ch == '"':
            self.string()
        elif ch == "-" or ch.isdigit():
            self.number(root=root)
        elif ch in "]}":
            if ch == "}" or in_array:
                raise self.unexpected(start, "expected a value")
            raise self.unexpected(start, f"expected a valid value {_VALUES}")
        elif ch in "NI":
            self.non_numeric(start)
        elif ch.isalpha() or ch in "_$":
            end = self.token_run(start)
            word = self.text[start:end]
            if word not in _LITERALS:
                raise self.fail(f"Unrecognized token '{word}': was expecting {_VALUES}", end)
            self.pos = end
        else:
            raise self.unexpected(start, f"expected a valid value {_VALUES}")

    def non_numeric(self, start: int) -> None:
        end = self.token_run(start)
        word = self.text[start:end]
        if word in ("NaN", "Infinity"):
            raise self.fail(
                f"Non-standard token '{word}': enable "
                "`JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow",
                end,
            )
        raise self.fail(f"Unrecognized token '{word}': was expecting {_VALUES}", end)

    def container(self, start: int, closer: str, desc: str) -> None:
        """An object or array; Jackson checks close markers before commas and values."""
        self.pos = start + 1
        expect_comma = False
        while True:
            ch = self.peek()
            if ch is None:
                raise self.fail(
                    f"Unexpected end-of-input: expected close marker for {desc} "
                    f"(start marker at {self.start_marker(start)})",
                    self.pos,
                )
            if ch in "]}":
                if ch != closer:
                    raise self.fail(
                        f"Unexpected close marker '{ch}': expected '{closer}' (for {desc} "
                        f"starting at {self.start_marker(start)})",
                        self.pos + 1,
                    )
                self.pos += 1
                return
            if expect_comma:
                if ch != ",":
                    raise self.unexpected(
                        self.pos, f"was expecting comma to separate {desc} entries"
                    )
                self.pos += 1
                self.expect_more(desc)
            if desc == "Object":
                self.member()
            else:
                self.value(in_array=True)
            expect_comma = True

    def expect_more(self, desc: str) -> None:
        if self.peek() is None:
            raise self.fail(f"Unexpected end-of-input within/between {desc} entries", self.pos)

    def member(self) -> None:
        if self.peek() != '"':
            raise self.unexpected(self.pos, "was expecting double-quote to start field name")
        self.string()
        self.expect_more("Object")
        if self.peek() != ":":
            raise self.unexpected(
                self.pos, "was expecting a colon to separate field name and value"
            )
        self.pos += 1
        self.expect_more("Object")
        self.value()

    def string(self) -> None:
        text = self.text
        pos = self.pos + 1
        while True:
            if pos >= len(text):
                raise self.fail(
                    "Unexpected end-of-input: was expecting closing quote for a string value", pos
                )
            ch = text[pos]
            if ch == '"':
                self.pos = pos + 1
                return
            if ch == "\\":
                pos = self.escape(pos + 1)
                continue
            if ord(ch) < 32:
                raise self.fail(
                    f"Illegal unquoted character ({_char(ch)}): has to be escaped using "
                    "backslash to be included in string value",
                    pos + 1,
                )
            pos += 1

    def escape(self, pos: int) -> int:
        text = self.text
        if pos >= len(text):
            raise self.fail(
                "Unexpected end-of-input: was expecting closing quote for a string value", pos
            )
        ch = text[pos]
        if ch in '"\\/bfnrt':
            return pos + 1
        if ch != "u":
            raise self.fail(f"Unrecognized character escape {_char(ch)}", pos + 1)
        for i in range(pos + 1, pos + 5):
            if i >= len(text):
                raise self.fail(
                    "Unexpected end-of-input: was expecting closing quote for a string value", i
                )
            if text[i] not in "0123456789abcdefABCDEF":
                raise self.unexpected(i, "expected a hex-digit for character escape sequence")
        return pos + 5

    def number(self, *, root: bool) -> None:
        text = self.text
        pos = self.pos
        if text[pos] == "-":
            pos += 1
            if pos >= len(text) or not text[pos].isdigit():
                if pos < len(text) and text[pos] == "I":
                    end = self.token_run(pos)
                    if text[pos:end] == "Infinity":
                        raise self.fail(
                            "Non-standard token '-Infinity': enable "
                            "`JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow",
                            end,
                        )
                if pos >= len(text):
                    raise self.fail("Unexpected end-of-input in a Number value", pos)
                raise self.fail(
                    f"Unexpected character ({_char(text[pos])}) in numeric value: expected "
                    "digit (0-9) to follow minus sign, for valid numeric value",
                    pos + 1,
                )
        digits = pos
        while pos < len(text) and text[pos].isdigit():
            pos += 1
        if pos - digits > 1 and text[digits] == "0":
            raise self.fail("Invalid numeric value: Leading zeroes not allowed", digits + 1)
        pos = self.fraction(pos)
        if root and pos < len(text) and text[pos] not in _WHITESPACE:
            raise self.unexpected(pos, "Expected space separating root-level values")
        self.pos = pos

    def fraction(self, pos: int) -> int:
        text = self.text
        for marker, what in ((".", "Decimal point"), ("eE", "Exponent indicator")):
            if pos < len(text) and text[pos] in marker:
                pos += 1
                if what == "Exponent indicator" and pos < len(text) and text[pos] in "+-":
                    pos += 1
                start = pos
                while pos < len(text) and text[pos].isdigit():
                    pos += 1
                if pos == start:
                    if pos >= len(text):
                        raise self.fail("Unexpected end-of-input in a Number value", pos)
                    raise self.fail(
                        f"Unexpected character ({_char(text[pos])}) in numeric value: "
                        f"{what} not followed by a digit",
                        pos + 1,
                    )
        return pos
