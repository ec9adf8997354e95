"""Bracketed form bodies (`metadata[plan]=pro&items[0][price]=p_1&expand[]=customer`) as nested values.

Stripe's SDKs send every request body, and every GET's query, in this encoding. `decode_form` builds
the nested dicts and lists; `coerce` then turns the text leaves into the types the operation's schema
names (integers, numbers, booleans), so one validator checks form and JSON bodies alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_PART = re.compile(r"\[([^\[\]]*)\]")
MAX_DEPTH = 16


class FormError(ValueError):
    """A form key that cannot be read (unbalanced brackets, too deep, a list and a dict at one key)."""

    def __init__(self, message: str, param: str) -> None:
        super().__init__(message)
        self.param = param


def decode_form(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The nested value of `key[a][0]=v` pairs; `[]` and numeric parts make lists, in index order."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        match = _KEY.match(key)
        if match is None:
            raise FormError(f"Invalid parameter name: {key}", key)
        parts = [match.group(1), *_PART.findall(match.group(2))]
        if len(parts) > MAX_DEPTH:
            raise FormError(f"Parameter {key} is nested more than {MAX_DEPTH} levels deep", key)
        _place(root, parts, value, key)
    return _lists(root)


def _place(root: dict[str, Any], parts: list[str], value: str, key: str) -> None:
    node: dict[str, Any] = root
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "":
            part = str(len(node))
            while part in node:
                part = str(int(part) + 1)
        if last:
            node[part] = value
            return
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise FormError(f"Parameter {key} gives both a value and sub-keys to {part}", key)
        node = child


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {key: _lists(value) for key, value in node.items()}
    if converted and all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted


def encode_form(value: dict[str, Any]) -> list[tuple[str, str]]:
    """The bracketed pairs of a nested value (the inverse of `decode_form`), as the SDKs send them."""
    pairs: list[tuple[str, str]] = []

    def walk(prefix: str, item: Any) -> None:
        if isinstance(item, dict):
            for key, child in item.items():
                walk(f"{prefix}[{key}]" if prefix else str(key), child)
        elif isinstance(item, list):
            for index, child in enumerate(item):
                walk(f"{prefix}[{index}]", child)
        elif isinstance(item, bool):
            pairs.append((prefix, "true" if item else "false"))
        elif item is None:
            pairs.append((prefix, ""))
        else:
            pairs.append((prefix, str(item)))

    walk("", value)
    return pairs


def coerce(value: Any, schema: dict[str, Any], resolve: Callable[[Any], Any]) -> Any:
    """`value` (text leaves from a form) converted to the types `schema` names; unconvertible leaves stay text.

    An empty string stays an empty string: the services read it as "unset this field", which is the
    operation's business, not the encoding's.
    """
    schema = resolve(schema)
    for alternative in schema.get("anyOf", []) + schema.get("oneOf", []):
        converted = coerce(value, alternative, resolve)
        if converted is not value or _fits(value, resolve(alternative)):
            return converted
    kind = schema.get("type")
    if isinstance(value, dict):
        if kind == "array":
            return coerce(list(value.values()), schema, resolve)
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        return {
            key: coerce(child, properties[key], resolve)
            if key in properties
            else coerce(child, extra, resolve)
            if isinstance(extra, dict)
            else child
            for key, child in value.items()
        }
    if isinstance(value, list):
        items = schema.get("items")
        return [coerce(child, items, resolve) for child in value] if isinstance(items, dict) else value
    if not isinstance(value, str) or value == "":
        return value
    if kind == "integer" and re.fullmatch(r"-?\d+", value):
        return int(value)
    if kind == "number" and re.fullmatch(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", value):
        return float(value) if not re.fullmatch(r"-?\d+", value) else int(value)
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    return value


def _fits(value: Any, schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    if kind == "string":
        return isinstance(value, str) and ("enum" not in schema or value in schema["enum"])
    return False
