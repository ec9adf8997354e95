"""Meilisearch's filter expressions (`genre = drama AND (year > 2000 OR NOT tags IN [a, b])`) as `filters` trees.

A value is untyped text in Meilisearch: `year = 2000` and `year = "2000"` both hold for the number
2000 and for the string "2000"; `flag = true` for the boolean and the string. Arrays of expressions
are the array form of the API: the items are ANDed, and the items of an inner array ORed.
"""

from __future__ import annotations

import re
from typing import Any

from ..search.filters import And, Compare, EqualsIgnoringCase, Exists, Filter, GeoRadius, IsEmpty, IsNull, Not, Or

_TOKEN = re.compile(
    r"""\s*(?:(?P<punct>[()\[\],])|(?P<op>!=|>=|<=|=|>|<)|"(?P<dq>(?:\\.|[^"\\])*)"|'(?P<sq>(?:\\.|[^'\\])*)'|"""
    r"""(?P<word>[^\s()\[\],=!<>"']+))"""
)
_NUMBER = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
MAX_FILTER_LENGTH = 100_000


class FilterSyntaxError(ValueError):
    """A filter Meilisearch would refuse, with its message."""


class _Token:
    def __init__(self, kind: str, text: str, position: int) -> None:
        self.kind, self.text, self.position = kind, text, position

    def keyword(self, *words: str) -> bool:
        return self.kind == "word" and self.text.upper() in words


def _tokens(text: str) -> list[_Token]:
    tokens, position = [], 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:
            raise FilterSyntaxError(f"Found unexpected characters at `{text[position : position + 20]}`.")
        kind = match.lastgroup or "word"
        value, start = match.group(kind), match.start(kind)
        if kind in ("dq", "sq"):
            kind, value = "string", re.sub(r"\\(.)", r"\1", value)
        tokens.append(_Token(kind, value, start))
        position = match.end()
    return tokens


def _literal(text: str, op: str, attribute: str) -> Filter:
    """What `attribute op text` means for every type `text` can be read as."""
    number = float(text) if _NUMBER.fullmatch(text) else None
    if op in (">", ">=", "<", "<="):
        if number is None:
            raise FilterSyntaxError(
                f"The value `{text}` after `{attribute} {op}` is not a number: use a number with {op}."
            )
        return Compare(attribute, op, number)
    # Meilisearch compares strings without regard to case: `genre = 'sci fi'` matches "Sci Fi".
    readings: list[Filter] = [EqualsIgnoringCase(attribute, text)]
    if number is not None:
        readings.append(Compare(attribute, "=", int(number) if number.is_integer() else number))
    if text.lower() in ("true", "false"):
        readings.append(Compare(attribute, "=", text.lower() == "true"))
    equal = readings[0] if len(readings) == 1 else Or(tuple(readings))
    return Not(equal) if op == "!=" else equal


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.at = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise FilterSyntaxError(f"The filter `{self.text}` ends too early: an expression is missing.")
        self.at += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text or token.kind == "string":
            raise FilterSyntaxError(f"Was expecting `{text}` at `{self.text[token.position :][:30]}`.")

    def parse(self) -> Filter:
        tree = self.or_expression()
        rest = self.peek()
        if rest is not None:
            raise FilterSyntaxError(
                f"Found unexpected characters at the end of the filter: `{self.text[rest.position :][:30]}`. "
                "You probably forgot an `OR` or an `AND` rule."
            )
        return tree

    def or_expression(self) -> Filter:
        items = [self.and_expression()]
        while (token := self.peek()) is not None and token.keyword("OR"):
            self.take()
            items.append(self.and_expression())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expression(self) -> Filter:
        items = [self.not_expression()]
        while (token := self.peek()) is not None and token.keyword("AND"):
            self.take()
            items.append(self.not_expression())
        return items[0] if len(items) == 1 else And(tuple(items))

    def not_expression(self) -> Filter:
        token = self.peek()
        if token is not None and token.keyword("NOT"):
            self.take()
            return Not(self.not_expression())
        return self.primary()

    def value(self) -> str:
        token = self.take()
        if token.kind not in ("word", "string"):
            raise FilterSyntaxError(f"Was expecting a value but instead got `{token.text}`.")
        return token.text

    def primary(self) -> Filter:
        token = self.take()
        if token.text == "(" and token.kind == "punct":
            tree = self.or_expression()
            self.expect(")")
            return tree
        if token.kind == "word" and token.text.startswith("_geoRadius"):
            self.expect("(")
            numbers = [self.value()]
            while (comma := self.peek()) is not None and comma.text == ",":
                self.take()
                numbers.append(self.value())
            self.expect(")")
            if len(numbers) != 3 or not all(_NUMBER.fullmatch(n) for n in numbers):
                raise FilterSyntaxError(
                    "The `_geoRadius` filter expects three arguments: `_geoRadius(latitude, longitude, radius)`."
                )
            return GeoRadius(*(float(n) for n in numbers))
        if token.kind not in ("word", "string"):
            raise FilterSyntaxError(
                f"Was expecting an operation `=`, `!=`, `>=`, `>`, `<=`, `<`, `IN`, `NOT IN`, `TO`, `EXISTS`, "
                f"`NOT EXISTS`, `IS NULL`, `IS NOT NULL`, `IS EMPTY`, `IS NOT EMPTY`, `_geoRadius`, or "
                f"`_geoBoundingBox` at `{self.text[token.position :][:30]}`."
            )
        attribute = token.text
        following = self.take()
        if following.kind == "op":
            return _literal(self.value(), following.text, attribute)
        if following.keyword("EXISTS"):
            return Exists(attribute)
        if following.keyword("IN"):
            return self.in_list(attribute)
        if following.keyword("IS"):
            negated = (word := self.take()).keyword("NOT")
            if negated:
                word = self.take()
            if word.keyword("NULL"):
                tree: Filter = IsNull(attribute)
            elif word.keyword("EMPTY"):
                tree = IsEmpty(attribute)
            else:
                raise FilterSyntaxError(f"Was expecting `NULL` or `EMPTY` after `{attribute} IS`.")
            return Not(tree) if negated else tree
        if following.keyword("NOT"):
            word = self.take()
            if word.keyword("EXISTS"):
                return Not(Exists(attribute))
            if word.keyword("IN"):
                return Not(self.in_list(attribute))
            raise FilterSyntaxError(f"Was expecting `EXISTS` or `IN` after `{attribute} NOT`.")
        if following.kind in ("word", "string"):
            low = following.text
            to = self.take()
            if not to.keyword("TO"):
                raise FilterSyntaxError(f"Was expecting an operation after `{attribute}`, found `{low}`.")
            high = self.value()
            return And((_literal(low, ">=", attribute), _literal(high, "<=", attribute)))
        raise FilterSyntaxError(f"Was expecting an operation after `{attribute}`, found `{following.text}`.")

    def in_list(self, attribute: str) -> Filter:
        self.expect("[")
        values: list[Filter] = []
        if (token := self.peek()) is not None and token.text == "]":
            self.take()
            return Or(())
        while True:
            values.append(_literal(self.value(), "=", attribute))
            token = self.take()
            if token.text == "]":
                return Or(tuple(values))
            if token.text != ",":
                raise FilterSyntaxError(f"Expected `,` or `]` in the `IN` list of `{attribute}`.")


def parse(filter: Any) -> Filter | None:
    """The tree of a Meilisearch filter (a string, or arrays of strings); None for no filter."""
    if filter is None or filter == "" or filter == []:
        return None
    if isinstance(filter, str):
        if len(filter) > MAX_FILTER_LENGTH:
            raise FilterSyntaxError(f"The filter is longer than {MAX_FILTER_LENGTH} characters.")
        try:
            return _Parser(filter).parse()
        except RecursionError:
            raise FilterSyntaxError("The filter is nested too deeply.") from None
    if isinstance(filter, list):
        items: list[Filter] = []
        for item in filter:
            if isinstance(item, list):
                inner = [parse(part) for part in item]
                items.append(Or(tuple(tree for tree in inner if tree is not None)))
            elif isinstance(item, str):
                tree = parse(item)
                if tree is not None:
                    items.append(tree)
            else:
                raise FilterSyntaxError("Invalid syntax for the filter parameter: expected a string or an array.")
        return And(tuple(items))
    raise FilterSyntaxError(
        "Invalid syntax for the filter parameter: `expected String, Array, found: " + type(filter).__name__ + "`."
    )
