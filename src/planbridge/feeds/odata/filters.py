"""``$filter``: a small recursive-descent parser that compiles an expression into a predicate.

Supported: ``eq ne gt ge lt le and or not``, parentheses, the functions in :data:`FUNCTIONS`,
primitive properties of the entity set, and literals: integers and decimals, ``'strings'``
(``''`` escapes a quote), ``true``, ``false``, ``null``, dates (``2026-11-20``) and date-times
with an offset (``2026-11-20T15:00:00Z``). Anything else is refused by name, never ignored.

Operator precedence is OData's: ``not`` binds tightest, then ``gt ge lt le``, then ``eq ne``,
then ``and``, then ``or``. Comparisons with null follow OData: ``null eq null`` is true and an
ordering comparison with null is false; ``and``/``or``/``not`` are three-valued and a row
passes only when the whole expression is true.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from planbridge.feeds.odata.errors import InvalidQuery, NotSupported
from planbridge.feeds.odata.model import EDM_TYPES, EntitySet

Row = dict[str, Any]
Predicate = Callable[[Row], bool]
Getter = Callable[[Row], Any]

TARGET: Final = "$filter"
FUNCTIONS: Final = ("contains", "startswith", "endswith")
UNSUPPORTED_OPERATORS: Final = frozenset({"has", "in", "add", "sub", "mul", "div", "divby", "mod"})
EQUALITY: Final[dict[str, Callable[[Any, Any], bool]]] = {"eq": operator.eq, "ne": operator.ne}
ORDERING: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}
KEYWORDS: Final = frozenset({"and", "or", "not", *EQUALITY, *ORDERING})
NUMERIC: Final = frozenset({"integer", "number"})
EDM_NAMES: Final[dict[str, str]] = {"null": "null", **{k: v for k, v in EDM_TYPES.items()}}

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>'(?:[^']|'')*')
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))
        (?![\w:.])
  | (?P<date>\d{4}-\d{2}-\d{2})(?![\w:.])
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?![\w.])
  | (?P<name>[A-Za-z_$@][A-Za-z0-9_.]*)
  | (?P<punct>[(),/:])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str
    pos: int


@dataclass(frozen=True, slots=True)
class Typed:
    """A compiled operand: its type (a registry type, ``null`` or ``boolean``) and its getter."""

    type: str
    get: Getter
    label: str


def _fail(message: str, hint: str | None = None) -> InvalidQuery:
    return InvalidQuery(message, target=TARGET, hint=hint)


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            if text[pos] == "'":
                raise _fail(f"Unterminated string literal at position {pos + 1}.")
            raise _fail(f"Unexpected '{text[pos : pos + 12]}' at position {pos + 1}.")
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(Token(kind, match.group(), pos + 1))
        pos = match.end()
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


def _moment(value: str | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(value)


def _and3(a: Any, b: Any) -> bool | None:
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def _or3(a: Any, b: Any) -> bool | None:
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


def _edm(type_: str) -> str:
    return EDM_NAMES.get(type_, "Edm.Boolean")


def _comparable(left: Typed, right: Typed) -> bool:
    if "null" in (left.type, right.type) or left.type == right.type:
        return True
    return left.type in NUMERIC and right.type in NUMERIC


def _compare(op: str, left: Typed, right: Typed) -> Typed:
    if not _comparable(left, right):
        raise _fail(
            f"Cannot compare {left.label} ({_edm(left.type)}) with {right.label} "
            f"({_edm(right.type)}).",
            hint="Dates are written 2026-11-20, date-times 2026-11-20T15:00:00Z, "
            "strings in single quotes.",
        )
    lget, rget = left.get, right.get
    if op in EQUALITY:
        test = EQUALITY[op]
        return Typed("boolean", lambda row: test(lget(row), rget(row)), op)
    order = ORDERING[op]

    def ordered(row: Row) -> bool:
        a, b = lget(row), rget(row)
        return a is not None and b is not None and order(a, b)

    return Typed("boolean", ordered, op)


_STRING_TESTS: Final[dict[str, Callable[[str, str], bool]]] = {
    "contains": lambda a, b: b in a,
    "startswith": lambda a, b: a.startswith(b),
    "endswith": lambda a, b: a.endswith(b),
}


def _string_function(name: str, args: list[Typed]) -> Typed:
    if len(args) != 2:
        raise _fail(f"{name}() takes 2 arguments, not {len(args)}.")
    for arg in args:
        if arg.type not in ("string", "null"):
            raise _fail(f"{name}() takes strings; {arg.label} is {_edm(arg.type)}.")
    test = _STRING_TESTS[name]
    first, second = args[0].get, args[1].get

    def call(row: Row) -> bool | None:
        a, b = first(row), second(row)
        return None if a is None or b is None else test(a, b)

    return Typed("boolean", call, f"{name}()")


class _Parser:
    def __init__(self, text: str, entity: EntitySet) -> None:
        self.tokens = tokenize(text)
        self.index = 0
        self.entity = entity

    def peek(self) -> Token:
        return self.tokens[self.index]

    def take(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at(self, *words: str) -> str | None:
        token = self.peek()
        return token.text if token.kind == "name" and token.text in words else None

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text or token.kind not in ("punct", "name"):
            raise _fail(f"Expected '{text}' at position {token.pos}, found {_show(token)}.")

    def parse(self) -> Predicate:
        expr = self.disjunction()
        token = self.peek()
        if token.kind != "end":
            raise _fail(f"Unexpected {_show(token)} at position {token.pos}.")
        _need_boolean(expr, "The filter")
        get = expr.get
        return lambda row: get(row) is True

    def disjunction(self) -> Typed:
        left = self.conjunction()
        while self.at("or"):
            self.take()
            left = _logical("or", left, self.conjunction())
        return left

    def conjunction(self) -> Typed:
        left = self.equality()
        while self.at("and"):
            self.take()
            left = _logical("and", left, self.equality())
        return left

    def equality(self) -> Typed:
        left = self.relational()
        while op := self.at(*EQUALITY):
            self.take()
            left = _compare(op, left, self.relational())
        return left

    def relational(self) -> Typed:
        left = self.unary()
        while True:
            if op := self.at(*UNSUPPORTED_OPERATORS):
                raise NotSupported(
                    f"The operator '{op}' is not supported in $filter.",
                    target=TARGET,
                    hint="Supported: eq, ne, gt, ge, lt, le, and, or, not, parentheses.",
                )
            op = self.at(*ORDERING)
            if op is None:
                return left
            self.take()
            left = _compare(op, left, self.unary())

    def unary(self) -> Typed:
        if self.at("not"):
            self.take()
            operand = self.unary()
            _need_boolean(operand, "The operand of 'not'")
            get = operand.get
            return Typed("boolean", lambda row: None if (v := get(row)) is None else not v, "not")
        return self.primary()

    def primary(self) -> Typed:
        token = self.take()
        if token.kind == "punct" and token.text == "(":
            inner = self.disjunction()
            self.expect(")")
            return inner
        if token.kind in ("string", "number", "date", "datetime"):
            return _literal(token)
        if token.kind != "name":
            raise _fail(f"Unexpected {_show(token)} at position {token.pos}.")
        return self.name(token)

    def name(self, token: Token) -> Typed:
        word = token.text
        if word in ("true", "false"):
            return _constant("boolean", word == "true", word)
        if word == "null":
            return Typed("null", lambda _row: None, "null")
        if word in KEYWORDS:
            raise _fail(f"Unexpected '{word}' at position {token.pos}.")
        if word[0] in "$@":
            raise NotSupported(f"'{word}' is not supported in $filter.", target=TARGET)
        following = self.peek()
        if following.kind == "punct" and following.text == "(":
            return self.function(token)
        if following.kind == "string":
            raise NotSupported(
                f"The typed literal {word}{following.text} is not supported.",
                target=TARGET,
                hint="Write dates as 2026-11-20 and date-times as 2026-11-20T15:00:00Z.",
            )
        if following.kind == "punct" and following.text == "/":
            raise NotSupported(
                f"Paths ('{word}/...') are not supported in $filter: filter on this entity "
                "set's own properties.",
                target=TARGET,
            )
        return self.property(token)

    def property(self, token: Token) -> Typed:
        entity = self.entity
        column = entity.column(token.text)
        if column is None:
            if entity.navigation(token.text) is not None:
                raise NotSupported(
                    f"'{token.text}' is a navigation property; $filter works on primitive "
                    "properties only.",
                    target=TARGET,
                )
            raise _fail(
                f"{entity.name} has no property '{token.text}' (position {token.pos}).",
                hint=f"Properties: {', '.join(entity.column_names)}.",
            )
        name = column.name
        get: Getter = operator.itemgetter(name)
        if column.type == "datetime":
            get = lambda row: _moment(row[name])  # noqa: E731
        return Typed(column.type, get, f"property '{name}'")

    def function(self, token: Token) -> Typed:
        if token.text not in FUNCTIONS:
            raise NotSupported(
                f"The function '{token.text}' is not supported in $filter.",
                target=TARGET,
                hint=f"Supported functions: {', '.join(FUNCTIONS)}.",
            )
        self.expect("(")
        args = [self.disjunction()]
        while self.peek().text == "," and self.peek().kind == "punct":
            self.take()
            args.append(self.disjunction())
        self.expect(")")
        return _string_function(token.text, args)


def _show(token: Token) -> str:
    return "the end of the filter" if token.kind == "end" else f"'{token.text}'"


def _need_boolean(expr: Typed, what: str) -> None:
    if expr.type not in ("boolean", "null"):
        raise _fail(f"{what} must be true or false, but {expr.label} is {_edm(expr.type)}.")


def _logical(op: str, left: Typed, right: Typed) -> Typed:
    _need_boolean(left, f"The left operand of '{op}'")
    _need_boolean(right, f"The right operand of '{op}'")
    combine = _and3 if op == "and" else _or3
    lget, rget = left.get, right.get
    return Typed("boolean", lambda row: combine(lget(row), rget(row)), op)


def _literal(token: Token) -> Typed:
    text = token.text
    value: Any
    try:
        if token.kind == "string":
            return _constant("string", text[1:-1].replace("''", "'"), text)
        if token.kind == "number":
            is_int = not any(c in text for c in ".eE")
            value = int(text) if is_int else float(text)
            return _constant("integer" if is_int else "number", value, text)
        if token.kind == "date":
            return _constant("date", dt.date.fromisoformat(text).isoformat(), text)
        return _constant("datetime", dt.datetime.fromisoformat(text), text)
    except ValueError:
        raise _fail(f"'{text}' at position {token.pos} is not a valid {token.kind}.") from None


def _constant(type_: str, value: Any, text: str) -> Typed:
    return Typed(type_, lambda _row: value, text)


def parse_filter(text: str, entity: EntitySet) -> Predicate:
    """Compile ``$filter`` for rows of ``entity``; raises :class:`InvalidQuery` or
    :class:`NotSupported` naming what is wrong."""
    if not text.strip():
        raise _fail("$filter is empty.")
    return _Parser(text, entity).parse()
