"""Typesense's `filter_by` (`genre:=drama && (year:>2000 || tags:[a, b])`) as `search.filters` trees.

`field:value` and `field:=value` both compare for equality here (Typesense's `:` matches a string
field's words; equality is what this layer offers); `[a, b]` is any of the values, `[10..20]` a
range, `!=` and `!` negate. Values are typed by the schema's field type.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..search.filters import And, Compare, Filter, Not, Or

_TOKEN = re.compile(r"\s*(?:(?P<op>&&|\|\|)|(?P<paren>[()])|(?P<cond>(?:`[^`]*`|[^()&|`]|&(?!&)|\|(?!\|))+))")
_CONDITION = re.compile(r"\s*(?P<field>[^:\s]+)\s*:\s*(?P<op>!=|<=|>=|=|<|>|!)?\s*(?P<value>.*?)\s*$", re.S)
MAX_FILTER_LENGTH = 100_000


class FilterSyntaxError(ValueError):
    """A filter Typesense would refuse (400), with its message."""


def parse(text: str | None, typed: Callable[[str, str], Any]) -> Filter | None:
    """The tree of `filter_by`; `typed(field, text)` reads a value as the field's schema type says."""
    if text is None or not text.strip():
        return None
    if len(text) > MAX_FILTER_LENGTH:
        raise FilterSyntaxError("Filter query is too long.")
    tokens = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            if text[position:].strip() == "":
                break
            raise FilterSyntaxError(f"Could not parse the filter query: unexpected `{text[position : position + 20]}`.")
        kind = match.lastgroup or "cond"
        tokens.append((kind, match.group(kind)))
        position = match.end()
    parser = _Parser(tokens, typed)
    try:
        tree = parser.or_expression()
    except RecursionError:
        raise FilterSyntaxError("Could not parse the filter query: it is nested too deeply.") from None
    if parser.at != len(tokens):
        raise FilterSyntaxError("Could not parse the filter query: unbalanced parentheses or operators.")
    return tree


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], typed: Callable[[str, str], Any]) -> None:
        self.tokens, self.typed, self.at = tokens, typed, 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def or_expression(self) -> Filter:
        items = [self.and_expression()]
        while self.peek() == ("op", "||"):
            self.at += 1
            items.append(self.and_expression())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expression(self) -> Filter:
        items = [self.primary()]
        while self.peek() == ("op", "&&"):
            self.at += 1
            items.append(self.primary())
        return items[0] if len(items) == 1 else And(tuple(items))

    def primary(self) -> Filter:
        token = self.peek()
        if token is None:
            raise FilterSyntaxError("Could not parse the filter query: an expression is missing.")
        self.at += 1
        if token == ("paren", "("):
            tree = self.or_expression()
            if self.peek() != ("paren", ")"):
                raise FilterSyntaxError("Could not parse the filter query: unbalanced parentheses.")
            self.at += 1
            return tree
        if token[0] != "cond":
            raise FilterSyntaxError(f"Could not parse the filter query: unexpected `{token[1]}`.")
        return self.condition(token[1])

    def condition(self, text: str) -> Filter:
        match = _CONDITION.fullmatch(text)
        if match is None or not match.group("value"):
            raise FilterSyntaxError(f"Could not parse the filter query: `{text.strip()}` is not `field: value`.")
        field, op, value = match.group("field"), match.group("op") or "=", match.group("value")
        negate = op in ("!=", "!")
        if value.startswith("[") and value.endswith("]"):
            parts = [part.strip() for part in _split(value[1:-1])]
            options: list[Filter] = []
            for part in parts:
                if ".." in part and not part.startswith("`"):
                    low, _, high = part.partition("..")
                    options.append(
                        And(
                            (
                                Compare(field, ">=", self.typed(field, low)),
                                Compare(field, "<=", self.typed(field, high)),
                            )
                        )
                    )
                elif part:
                    options.append(Compare(field, "=", self.typed(field, part)))
            tree: Filter = Or(tuple(options))
            return Not(tree) if negate else tree
        comparison = "=" if negate else op
        tree = Compare(field, comparison, self.typed(field, value))
        return Not(tree) if negate else tree


def _split(text: str) -> list[str]:
    parts, current, quoted = [], "", False
    for char in text:
        if char == "`":
            quoted = not quoted
        if char == "," and not quoted:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def unquote(text: str) -> str:
    """A value without its backticks."""
    text = text.strip()
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == "`" else text
