"""Qdrant's payload paths (`a.b`, `list[]`, `list[0]`, `"quoted key"`): the values they reach and the parts they pick.

A path is parsed into steps: a key (str), an index (int), or every element (None). Filters compare
the values a path reaches (an array reached at the end counts as its elements); `with_payload`
selections keep or drop the parts of a payload under their paths; `SetPayload` and `DeletePayload`
edit a payload under them, as the collection applies them to each chosen point.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
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


def merged(target: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """`target` with `values` set in it, as Qdrant merges a payload: a null value removes its key."""
    for key, value in values.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value
    return target


def _set(data: Any, steps: tuple[Step, ...], values: dict[str, Any], parent: Any, parent_step: Step) -> None:
    """Qdrant's `set_payload` with a `key`: merge `values` into the objects `steps` reach, making what is missing."""
    step, rest = steps[0], steps[1:]
    if isinstance(step, str):
        if not isinstance(data, dict):
            # A key under something that is not an object replaces it with an object.
            data = {}
            parent[parent_step] = data
        if rest:
            data.setdefault(step, {})
            _set(data[step], rest, values, data, step)
        else:
            data[step] = merged(data[step] if isinstance(data.get(step), dict) else {}, copy.deepcopy(values))
        return
    if not isinstance(data, list):
        parent[parent_step] = []  # an index under something that is not an array makes an empty array
        return
    positions = range(len(data)) if step is None else [step] if step < len(data) else []
    for position in positions:
        if rest:
            _set(data[position], rest, copy.deepcopy(values), data, position)
        else:
            item = data[position]
            data[position] = merged(item if isinstance(item, dict) else {}, copy.deepcopy(values))


def _delete(data: Any, steps: tuple[Step, ...]) -> None:
    step, rest = steps[0], steps[1:]
    if not rest:
        if isinstance(data, dict) and isinstance(step, str):
            data.pop(step, None)
        elif isinstance(data, list) and step is None:
            data.clear()
        return
    if isinstance(data, dict):
        if isinstance(step, str) and step in data:
            _delete(data[step], rest)
    elif isinstance(data, list):
        for item in data if step is None else data[step : step + 1] if isinstance(step, int) else []:
            _delete(item, rest)


@dataclass(frozen=True)
class SetPayload:
    """Qdrant's `set_payload`: merge `values` into the payload, or into the objects under the path `key`."""

    values: dict[str, Any]
    key: str | None = None

    def apply(self, payload: dict[str, Any]) -> dict[str, Any]:
        """The payload with the values set."""
        if self.key is None:
            return merged(payload, copy.deepcopy(self.values))
        holder = {"": payload}
        _set(payload, parse_path(self.key), self.values, holder, "")
        return holder[""]


@dataclass(frozen=True)
class DeletePayload:
    """Qdrant's `delete_payload`: remove what each path reaches (a trailing `[]` empties an array)."""

    keys: tuple[str, ...]

    def apply(self, payload: dict[str, Any]) -> dict[str, Any]:
        """The payload without those keys."""
        for key in self.keys:
            _delete(payload, parse_path(key))
        return payload
