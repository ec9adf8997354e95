"""Algolia's filters as `search.filters` trees: the `filters` string, `facetFilters`, `numericFilters`, `tagFilters`.

    filters="(category:Book OR category:Ebook) AND price < 20 AND NOT author:\"J. Doe\" AND year:2000 TO 2010"
    facetFilters=[["category:Book", "category:Ebook"], "author:-Doe"]     # outer AND, inner OR, `-` negates
    numericFilters=["price<20", "year:2000 TO 2010"]

A facet filter `attribute:value` holds when the attribute (or one item of it, for an array) is the
string `value` in any case of its ASCII letters (`objectID` excepted, as in Algolia), or the number
or boolean it spells (`year:2000`, `free:true`); comparisons need a number; `NOT` negates one
condition or group.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..search.filters import And, Compare, EqualsIgnoringCase, Filter, Not, Or

_TOKEN = re.compile(
    r'\s*(?:(?P<string>"(?:[^"\\]|\\.)*")|(?P<op><=|>=|!=|<|>|=|:)|(?P<paren>[()])|(?P<word>[^\s()"<>=!:]+))'
)
_KEYWORDS = {"AND", "OR", "NOT", "TO"}
MAX_LENGTH = 100_000
"""The longest filter string accepted (a guard against filters built to exhaust the server)."""


class AlgoliaFilterError(ValueError):
    """A filter Algolia would refuse; the message says where and why."""


def _number(text: str) -> float | int | None:
    try:
        number = float(text)
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number


def facet_value(attribute: str, text: str) -> Filter:
    """`attribute:text`: the string `text` (case ignored but for `objectID`), or the number or boolean it spells."""
    forms: list[Filter] = [
        Compare(attribute, "=", text) if attribute == "objectID" else EqualsIgnoringCase(attribute, text)
    ]
    number = _number(text)
    if number is not None:
        forms.append(Compare(attribute, "=", number))
    if text.lower() in ("true", "false"):
        forms.append(Compare(attribute, "=", text.lower() == "true"))
    return forms[0] if len(forms) == 1 else Or(tuple(forms))


class _Parser:
    def __init__(self, text: str) -> None:
        if len(text) > MAX_LENGTH:
            raise AlgoliaFilterError(f"filters: the filter is longer than {MAX_LENGTH} characters")
        self.text = text
        self.tokens: list[tuple[str, str, int]] = []
        position = 0
        while position < len(text):
            match = _TOKEN.match(text, position)
            if match is None or match.end() == position:
                if text[position:].strip() == "":
                    break
                raise AlgoliaFilterError(f"filters: Unexpected token {text[position]!r} at col {position + 1}")
            kind = match.lastgroup or ""
            value, column = match.group(kind), match.start(kind) + 1
            if kind == "string":
                value = re.sub(r"\\(.)", r"\1", value[1:-1])
            elif kind == "word" and value in _KEYWORDS:
                kind = "keyword"
            self.tokens.append((kind, value, column))
            position = match.end()
        self.position = 0

    def _peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _take(self) -> tuple[str, str, int]:
        token = self._peek()
        if token is None:
            raise AlgoliaFilterError("filters: Unexpected end of filter")
        self.position += 1
        return token

    def _is(self, kind: str, value: str | None = None) -> bool:
        token = self._peek()
        return token is not None and token[0] == kind and (value is None or token[1] == value)

    def parse(self) -> Filter | None:
        if not self.tokens:
            return None
        tree = self._or()
        if self._peek() is not None:
            _, value, column = self._take()
            raise AlgoliaFilterError(f"filters: Unexpected token {value!r} at col {column}")
        return tree

    def _or(self) -> Filter:
        items = [self._and()]
        while self._is("keyword", "OR"):
            self._take()
            items.append(self._and())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def _and(self) -> Filter:
        items = [self._unary()]
        while self._is("keyword", "AND"):
            self._take()
            items.append(self._unary())
        return items[0] if len(items) == 1 else And(tuple(items))

    def _unary(self) -> Filter:
        if self._is("keyword", "NOT"):
            self._take()
            return Not(self._unary())
        if self._is("paren", "("):
            self._take()
            tree = self._or()
            if not self._is("paren", ")"):
                raise AlgoliaFilterError("filters: Missing closing parenthesis")
            self._take()
            return tree
        return self._condition()

    def _value(self) -> tuple[str, str, int]:
        kind, value, column = self._take()
        if kind not in ("word", "string"):
            raise AlgoliaFilterError(f"filters: Unexpected token {value!r} at col {column}: expected a value")
        return kind, value, column

    def _condition(self) -> Filter:
        kind, attribute, column = self._take()
        if kind not in ("word", "string"):
            raise AlgoliaFilterError(f"filters: Unexpected token {attribute!r} at col {column}: expected an attribute")
        operator = self._take() if self._is("op") else None
        if operator is None:
            raise AlgoliaFilterError(
                f"filters: Unexpected token after {attribute!r} at col {column}: expected ':' or a comparison"
            )
        if operator[1] == ":":
            value_kind, value, value_column = self._value()
            if self._is("keyword", "TO"):
                self._take()
                low = _number(value) if value_kind == "word" else None
                _, high_text, high_column = self._value()
                high = _number(high_text)
                if low is None or high is None:
                    raise AlgoliaFilterError(
                        f"filters: a range on {attribute!r} needs two numbers (col {value_column} and {high_column})"
                    )
                return And((Compare(attribute, ">=", low), Compare(attribute, "<=", high)))
            return facet_value(attribute, value)
        _, value, value_column = self._value()
        number = _number(value)
        if number is None:
            raise AlgoliaFilterError(
                f"filters: Invalid syntax for numeric condition: {attribute}{operator[1]}{value} "
                f"(col {value_column}): expected a number"
            )
        return Compare(attribute, "!=" if operator[1] == "!=" else operator[1], number)


def parse_filters(text: Any) -> Filter | None:
    """The tree of a `filters` string; None for an empty one."""
    if text is None:
        return None
    if not isinstance(text, str):
        raise AlgoliaFilterError("filters: must be a string")
    return _Parser(text).parse()


def _facet_item(item: str, parameter: str, tag: bool) -> Filter:
    if tag:
        negated, value = item.startswith("-"), item.removeprefix("-")
        tree = EqualsIgnoringCase("_tags", value.replace("\\-", "-", 1) if value.startswith("\\-") else value)
        return Not(tree) if negated else tree
    attribute, colon, value = item.partition(":")
    if not colon or not attribute:
        raise AlgoliaFilterError(f"{parameter}: {item!r} is not of the form attribute:value")
    attribute = attribute.strip().strip('"')
    if value.startswith("-"):
        return Not(facet_value(attribute, value[1:]))
    return facet_value(attribute, value[1:] if value.startswith("\\-") else value)


def _numeric_item(item: str) -> Filter:
    tree = _Parser(item).parse()
    if tree is None:
        raise AlgoliaFilterError("numericFilters: empty condition")
    comparisons = tree.items if isinstance(tree, And) else (tree,)
    if not all(isinstance(part, Compare) and not isinstance(part.value, str | bool) for part in comparisons):
        raise AlgoliaFilterError(f"numericFilters: {item!r} is not a numeric condition (attribute<op>number)")
    return tree


def _array(value: Any, parameter: str, parse_item: Any) -> Filter | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise AlgoliaFilterError(f"{parameter}: must be an array of strings or of arrays of strings")
    groups: list[Filter] = []
    for item in value:
        if isinstance(item, str):
            groups.append(parse_item(item))
        elif isinstance(item, list) and all(isinstance(part, str) for part in item):
            groups.append(Or(tuple(parse_item(part) for part in item)))
        else:
            raise AlgoliaFilterError(f"{parameter}: must be an array of strings or of arrays of strings")
    return And(tuple(groups)) if groups else None


def parse_parameters(params: dict[str, Any]) -> Filter | None:
    """The tree of a search's `filters`, `facetFilters`, `numericFilters` and `tagFilters`, all of which must hold."""
    parts = [
        parse_filters(params.get("filters")),
        _array(params.get("facetFilters"), "facetFilters", lambda item: _facet_item(item, "facetFilters", False)),
        _array(params.get("numericFilters"), "numericFilters", _numeric_item),
        _array(params.get("tagFilters"), "tagFilters", lambda item: _facet_item(item, "tagFilters", True)),
    ]
    present = tuple(part for part in parts if part is not None)
    if not present:
        return None
    return present[0] if len(present) == 1 else And(present)
