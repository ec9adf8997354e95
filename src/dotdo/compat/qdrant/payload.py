"""Qdrant's payload paths (`a.b`, `list[]`, `list[0]`, `"quoted key"`): the values they reach and the parts they pick.

A path is parsed into steps: a key (str), an index (int), or every element (None). Filters compare
the values a path reaches (an array reached at the end counts as its elements); `with_payload`
selections keep or drop the parts of a payload under their paths.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

Step = str | int | None
_KEY = re.compile(r"[\w\-]+")
_BRACKET = re.compile(r"\[(\d*)\]")


class PathError(ValueError):
    """A payload path that cannot be parsed."""


@lru_cache(maxsize=512)
def parse_path(path: str) -> tuple[Step, ...]:
    """The steps of `path`; `PathError` if it is not a valid Qdrant payload path."""
    steps: list[Step] = []
    rest = path
    while rest:
        if rest.startswith('"'):
            end = rest.find('"', 1)
            if end == -1:
                raise PathError(f"invalid payload path {path!r}: unclosed quote")
            steps.append(rest[1:end])
            rest = rest[end + 1 :]
        else:
            key = _KEY.match(rest)
            if not key:
                raise PathError(f"invalid payload path {path!r}")
            steps.append(key.group())
            rest = rest[key.end() :]
        while rest.startswith("["):
            bracket = _BRACKET.match(rest)
            if bracket is None:
                raise PathError(f"invalid payload path {path!r}: bad brackets")
            steps.append(int(bracket.group(1)) if bracket.group(1) else None)
            rest = rest[bracket.end() :]
        if rest:
            if not rest.startswith(".") or len(rest) == 1:
                raise PathError(f"invalid payload path {path!r}")
            rest = rest[1:]
    if not steps:
        raise PathError("an empty payload path")
    return tuple(steps)


def values_at(payload: Any, path: str, flat: bool = True) -> list[Any] | None:
    """The values `path` reaches in `payload` (None if it reaches none); `flat` spreads an array reached at the end."""
    found: list[Any] = []

    def walk(data: Any, steps: tuple[Step, ...]) -> None:
        if not steps:
            if isinstance(data, list) and flat:
                found.extend(data)
            else:
                found.append(data)
            return
        step, rest = steps[0], steps[1:]
        if isinstance(step, str):
            if isinstance(data, dict) and step in data:
                walk(data[step], rest)
        elif isinstance(step, int):
            if isinstance(data, list) and step < len(data):
                walk(data[step], rest)
        elif isinstance(data, list):
            for item in data:
                walk(item, rest)

    walk(payload, parse_path(path))
    return found or None


def _tree(paths: tuple[str, ...]) -> dict[Step, Any]:
    """The paths merged into a prefix tree whose leaves (True) take everything below them."""
    tree: dict[Step, Any] = {}
    for path in paths:
        *parents, last = parse_path(path)
        node: Any = tree
        for step in parents:
            node = node.setdefault(step, {})
            if node is True:
                break
        else:
            node[last] = True
    return tree


def _include(value: Any, tree: dict[Step, Any]) -> Any:
    if isinstance(value, dict):
        return {
            key: item if tree[key] is True else _include(item, tree[key]) for key, item in value.items() if key in tree
        }
    if isinstance(value, list):
        if None not in tree:
            return []
        return value if tree[None] is True else [_include(item, tree[None]) for item in value]
    return value


def _exclude(value: Any, tree: dict[Step, Any]) -> Any:
    if isinstance(value, dict):
        return {
            key: item if key not in tree else _exclude(item, tree[key])
            for key, item in value.items()
            if tree.get(key) is not True
        }
    if isinstance(value, list):
        if None not in tree:
            return value
        return [] if tree[None] is True else [_exclude(item, tree[None]) for item in value]
    return value


def select(payload: dict[str, Any], with_payload: Any) -> dict[str, Any] | None:
    """The payload, or the part `with_payload` picks: a bool, a list of paths, or `{include}` / `{exclude}`."""
    if with_payload is False or with_payload is None:
        return None
    if with_payload is True:
        return payload
    if isinstance(with_payload, list):
        return _include(payload, _tree(tuple(map(str, with_payload))))
    if isinstance(with_payload, dict) and with_payload.get("include") is not None:
        return _include(payload, _tree(tuple(map(str, with_payload["include"]))))
    if isinstance(with_payload, dict) and with_payload.get("exclude") is not None:
        return _exclude(payload, _tree(tuple(map(str, with_payload["exclude"]))))
    raise PathError("`with_payload` must be a boolean, a list of keys, or {include} or {exclude}")
