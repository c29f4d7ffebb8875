r"""Tokenizer and recursive-descent parser for intrinsic function calls.

Grammar (whitespace -- space, tab, CR, LF -- may separate any two tokens)::

    intrinsic := call EOF
    call      := NAME '(' [ argument ( ',' argument )* ] ')'
    argument  := STRING | NUMBER | 'true' | 'false' | 'null' | PATH | call

    NAME      := 'States.' [A-Za-z0-9_]+          e.g. States.Format
    STRING    := "'" ( any character except ' and \ | ESCAPE )* "'"
    ESCAPE    := '\' ( "'" | '{' | '}' | '\' )
    NUMBER    := '-'? ( '0' | [1-9][0-9]* ) ( '.' [0-9]+ )? ( [eE] [+-]? [0-9]+ )?
    PATH      := '$' ...                         $.a.b, $, $$.Execution.Id, $myVar.x

Notes on the less obvious rules:

* Only the four reserved characters ``' { } \`` may be escaped (ASL spec, "Reserved
  characters in intrinsic functions"). Any other backslash, including one left dangling
  at the end of a string, is an error. Other characters, newlines included, are taken
  as they are: ``'{"a": 1}'`` is a valid literal, and so is a lone ``{``.
* ``{}`` is a ``States.Format`` placeholder only when neither brace is escaped, so a
  string literal keeps both its value and the :attr:`StringLiteral.pieces` between
  unescaped placeholders.
* A PATH runs to the next ``,``, ``)`` or whitespace that is outside brackets,
  parentheses and quoted names, so ``$.a[0,1]``, ``$['x, y']`` and
  ``$.items[?(@.price > 10)]`` are single paths. Its syntax is checked later, by the
  JSONPath layer that resolves it.
* ``true``, ``false`` and ``null`` are literals (``States.JsonMerge(a, b, false)`` is the
  documented form). Numbers follow JSON: an integer literal becomes an ``int``, anything
  with a fraction or an exponent a ``float``.

The style follows ``_pytest/mark/expression.py``: a :class:`TokenType` enum, frozen
:class:`Token` records carrying their position, ``accept``/``reject`` on a small
:class:`Parser`, and one method per grammar rule.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import NoReturn, Protocol, TypeAlias, cast

from pytest_sfn.errors import SfnError, did_you_mean

__all__ = [
    "Arg",
    "IntrinsicCall",
    "IntrinsicSyntaxError",
    "PathArg",
    "StringLiteral",
    "Token",
    "TokenType",
    "parse",
]

#: Deepest nesting of calls the parser accepts (AWS documents 10; this only guards recursion).
MAX_DEPTH = 100
#: Characters that may follow a backslash inside a string literal.
ESCAPABLE = frozenset("'{}\\")
_WHITESPACE = frozenset(" \t\r\n")
_NUMBER_RE = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_WORD_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_KEYWORDS: dict[str, bool | None] = {"true": True, "false": False, "null": None}
_FUNCTION_PREFIX = "States."


class IntrinsicSyntaxError(SfnError):
    """An intrinsic function call is malformed.

    Attributes:
        message: What is wrong, without the location.
        text: The whole intrinsic expression.
        position: 0-based offset into ``text`` where the problem is.
    """

    def __init__(self, message: str, text: str, position: int) -> None:
        self.message = message
        self.text = text
        self.position = position
        super().__init__(self._render())

    def _render(self) -> str:
        # Tabs and newlines are shown as spaces so the caret stays under the right column.
        shown = self.text.translate(_FLATTEN)
        caret = " " * self.position + "^"
        return f"{self.message} (at position {self.position})\n    {shown}\n    {caret}"


_FLATTEN = {ord("\n"): " ", ord("\r"): " ", ord("\t"): " "}


@dataclass(frozen=True, slots=True)
class StringLiteral:
    """A single-quoted string argument, escapes already applied.

    Attributes:
        value: The string the literal denotes.
        pieces: ``value`` cut at every unescaped ``{}``; ``States.Format`` fills the gaps.
            ``"{}".join(pieces) == value`` always holds.
    """

    value: str
    pieces: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PathArg:
    """A path argument: ``$.a.b``, ``$``, ``$$.Execution.Id`` or ``$myVar.x``."""

    text: str


@dataclass(frozen=True, slots=True)
class IntrinsicCall:
    """A parsed ``States.Name(arg, ...)`` call.

    Attributes:
        name: The function name, ``States.`` prefix included.
        args: The arguments in source order.
        text: The source text of this call (for a nested call, just that part).
    """

    name: str
    args: tuple[Arg, ...]
    text: str


#: One argument of a call. Strings are wrapped in :class:`StringLiteral`; numbers, booleans
#: and ``null`` are the plain Python values ``int``, ``float``, ``bool`` and ``None``.
Arg: TypeAlias = StringLiteral | PathArg | IntrinsicCall | int | float | bool | None


class TokenType(enum.Enum):
    """Kinds of token; the value is how error messages name them."""

    NAME = "function name"
    STRING = "string literal"
    NUMBER = "number"
    KEYWORD = "literal"
    PATH = "path"
    LPAREN = "'('"
    RPAREN = "')'"
    COMMA = "','"
    EOF = "end of input"


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its type, source text, 0-based position and literal value (if any)."""

    type: TokenType
    text: str
    pos: int
    value: object = None


class SupportsArity(Protocol):
    """What the parser needs to know about a function to check a call statically."""

    @property
    def min_args(self) -> int: ...

    @property
    def max_args(self) -> int | None: ...


class Scanner:
    """Turns an intrinsic expression into tokens, one at a time."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = self._lex()
        self.current = next(self.tokens)

    def error(self, message: str, pos: int) -> IntrinsicSyntaxError:
        return IntrinsicSyntaxError(message, self.text, pos)

    def _lex(self) -> Iterator[Token]:
        text, pos, end = self.text, 0, len(self.text)
        single = {"(": TokenType.LPAREN, ")": TokenType.RPAREN, ",": TokenType.COMMA}
        while True:
            while pos < end and text[pos] in _WHITESPACE:
                pos += 1
            if pos >= end:
                yield Token(TokenType.EOF, "", pos)
                return
            char = text[pos]
            if char in single:
                token = Token(single[char], char, pos)
            elif char == "'":
                token = self._string(pos)
            elif char == "$":
                token = self._path(pos)
            elif char == "-" or char.isdigit():
                token = self._number(pos)
            elif (word := _WORD_RE.match(text, pos)) is not None:
                token = self._word(word.group(), pos)
            else:
                raise self.error(f"unexpected character {char!r}", pos)
            yield token
            pos += len(token.text)

    def _string(self, start: int) -> Token:
        text, end = self.text, len(self.text)
        pieces: list[str] = []
        chars: list[str] = []
        pos = start + 1
        while pos < end:
            char = text[pos]
            if char == "'":
                pieces.append("".join(chars))
                value = StringLiteral("{}".join(pieces), tuple(pieces))
                return Token(TokenType.STRING, text[start : pos + 1], start, value)
            if char == "\\":
                if pos + 1 >= end:
                    raise self.error("dangling '\\' at the end of the expression", pos)
                escaped = text[pos + 1]
                if escaped not in ESCAPABLE:
                    raise self.error(
                        f"invalid escape sequence '\\{escaped}' in string literal: only "
                        "\\', \\{, \\} and \\\\ are allowed (write \\\\ for a backslash)",
                        pos,
                    )
                chars.append(escaped)
                pos += 2
            elif char == "{" and text.startswith("}", pos + 1):
                pieces.append("".join(chars))
                chars = []
                pos += 2
            else:
                chars.append(char)
                pos += 1
        raise self.error("unterminated string literal: no closing quote", start)

    def _path(self, start: int) -> Token:
        text, end = self.text, len(self.text)
        closers: list[str] = []
        pos = start
        while pos < end:
            char = text[pos]
            if not closers and (char in ",)" or char in _WHITESPACE):
                break
            if char in "[(":
                closers.append("]" if char == "[" else ")")
            elif closers and char == closers[-1]:
                closers.pop()
            elif closers and char in "'\"":
                pos = self._skip_quoted(pos, char)
            pos += 1
        if closers:
            raise self.error(f"unbalanced brackets in path: missing {closers[-1]!r}", start)
        return Token(TokenType.PATH, text[start:pos], start, PathArg(text[start:pos]))

    def _skip_quoted(self, start: int, quote: str) -> int:
        """Position of the quote closing the quoted name that opens at ``start``."""
        text, pos = self.text, start + 1
        while pos < len(text):
            if text[pos] == "\\":
                pos += 2
                continue
            if text[pos] == quote:
                return pos
            pos += 1
        raise self.error("unterminated quoted name in path", start)

    def _number(self, start: int) -> Token:
        match = _NUMBER_RE.match(self.text, start)
        after = match.end() if match else start + 1
        if match is None or (after < len(self.text) and _continues_number(self.text[after])):
            while after < len(self.text) and _continues_number(self.text[after]):
                after += 1
            raise self.error(f"invalid number {self.text[start:after]!r}", start)
        source = match.group()
        if source.lstrip("-").isdigit():
            return Token(TokenType.NUMBER, source, start, int(source))
        value = float(source)
        if math.isinf(value):
            raise self.error(f"number {source} is out of range", start)
        return Token(TokenType.NUMBER, source, start, value)

    def _word(self, word: str, start: int) -> Token:
        if word in _KEYWORDS:
            return Token(TokenType.KEYWORD, word, start, _KEYWORDS[word])
        return Token(TokenType.NAME, word, start, word)

    def accept(self, type_: TokenType) -> Token | None:
        """Consume and return the current token if it has ``type_``, else return None."""
        if self.current.type is not type_:
            return None
        token = self.current
        if type_ is not TokenType.EOF:
            self.current = next(self.tokens)
        return token

    def expect(self, type_: TokenType) -> Token:
        """Consume and return the current token, which must have ``type_``."""
        token = self.accept(type_)
        if token is None:
            self.reject((type_,))
        return token

    def reject(self, expected: tuple[TokenType, ...]) -> NoReturn:
        """Raise a syntax error saying what was expected at the current token."""
        names = " or ".join(t.value for t in expected)
        got = self.current
        found = got.type.value if got.type is TokenType.EOF else repr(got.text)
        raise self.error(f"expected {names}, got {found}", got.pos)


def _continues_number(char: str) -> bool:
    return char.isalnum() or char in "._"


class Parser:
    """Recursive-descent parser; one method per grammar rule."""

    def __init__(self, text: str, functions: Mapping[str, SupportsArity] | None) -> None:
        self.text = text
        self.scanner = Scanner(text)
        self.functions = functions

    def intrinsic(self) -> IntrinsicCall:
        if self.scanner.current.type is not TokenType.NAME:
            self.scanner.reject((TokenType.NAME,))
        call = self.call(depth=1)
        trailing = self.scanner.current
        if trailing.type is not TokenType.EOF:
            raise self.scanner.error(
                f"unexpected {trailing.text!r} after the end of the call", trailing.pos
            )
        return call

    def call(self, depth: int) -> IntrinsicCall:
        name = self.scanner.expect(TokenType.NAME)
        if depth > MAX_DEPTH:
            raise self.scanner.error(f"calls are nested more than {MAX_DEPTH} deep", name.pos)
        self._check_name(name)
        self.scanner.expect(TokenType.LPAREN)
        args: list[Arg] = []
        closing = self.scanner.accept(TokenType.RPAREN)
        if closing is None:
            args.append(self.argument(depth))
            while self.scanner.accept(TokenType.COMMA) is not None:
                args.append(self.argument(depth))
            closing = self.scanner.accept(TokenType.RPAREN)
            if closing is None:
                self.scanner.reject((TokenType.COMMA, TokenType.RPAREN))
        self._check_arity(name, len(args))
        return IntrinsicCall(name.text, tuple(args), self.text[name.pos : closing.pos + 1])

    def argument(self, depth: int) -> Arg:
        token = self.scanner.current
        if token.type in _VALUE_TOKENS:
            self.scanner.accept(token.type)
            return cast(Arg, token.value)
        if token.type is TokenType.NAME:
            return self.call(depth + 1)
        raise self.scanner.error(
            "expected an argument (a 'quoted string', number, true, false, null, "
            f"$path or States.* call), got {_describe(token)}",
            token.pos,
        )

    def _check_name(self, name: Token) -> None:
        following = self.scanner.current
        if not name.text.startswith(_FUNCTION_PREFIX) or len(name.text) == len(_FUNCTION_PREFIX):
            if following.type is not TokenType.LPAREN:
                raise self.scanner.error(
                    f"unexpected word {name.text!r}: string literals must be single-quoted",
                    name.pos,
                )
            raise self.scanner.error(
                f"{name.text!r} is not an intrinsic function: names start with 'States.'",
                name.pos,
            )
        if self.functions is not None and name.text not in self.functions:
            same_but_case = [f for f in self.functions if f.lower() == name.text.lower()]
            hint = f" (did you mean {same_but_case[0]!r}?)" if same_but_case else ""
            hint = hint or did_you_mean(name.text, self.functions)
            raise self.scanner.error(f"unknown intrinsic function {name.text!r}{hint}", name.pos)

    def _check_arity(self, name: Token, count: int) -> None:
        if self.functions is None:
            return
        function = self.functions[name.text]
        low, high = function.min_args, function.max_args
        if low <= count and (high is None or count <= high):
            return
        raise self.scanner.error(
            f"{name.text} takes {describe_arity(low, high)}, got {count}", name.pos
        )


_VALUE_TOKENS = frozenset({TokenType.STRING, TokenType.NUMBER, TokenType.KEYWORD, TokenType.PATH})


def _describe(token: Token) -> str:
    return token.type.value if token.type is TokenType.EOF else repr(token.text)


def describe_arity(low: int, high: int | None) -> str:
    """``exactly 2 arguments``, ``at least 1 argument``, ``2 or 3 arguments``..."""

    def plural(n: int) -> str:
        return f"{n} argument{'s' if n != 1 else ''}"

    if high is None:
        return f"at least {plural(low)}"
    if low == high:
        return "no arguments" if low == 0 else f"exactly {plural(low)}"
    if high == low + 1:
        return f"{low} or {plural(high)}"
    return f"between {low} and {plural(high)}"


def parse(text: str, functions: Mapping[str, SupportsArity] | None = None) -> IntrinsicCall:
    """Parse ``text`` as one intrinsic call.

    Args:
        text: The whole expression, e.g. ``States.Format('{}', $.name)``.
        functions: When given, function names must be keys of this mapping and the
            argument counts must fit each function's arity.

    Raises:
        IntrinsicSyntaxError: with the position of the first problem.
    """
    return Parser(text, functions).intrinsic()
