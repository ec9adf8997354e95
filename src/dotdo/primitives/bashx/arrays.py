"""Indexed and associative arrays: literals, element assignment and removal."""

from __future__ import annotations

import re
from typing import Any

from dotdo.primitives.bashx.ast import Word

ELEMENT_RE = re.compile(r"^\[(.*?)\](\+?)=(.*)$", re.S)


def literal(expander: Any, words: list[Word], *, assoc: bool) -> list[str] | dict[str, str]:
    """The value of ``(w1 w2 [k]=v ...)``; associative arrays need ``[key]=value`` items."""
    from dotdo.primitives.bashx.expansion import ExpansionError

    if assoc:
        table: dict[str, str] = {}
        for word in words:
            m = ELEMENT_RE.match(word.text)
            if m is None:
                raise ExpansionError(f"{word.text}: must use subscript when assigning associative array", fatal=False)
            table[expander.single(m.group(1))] = expander.single(m.group(3))
        return table
    items: list[str] = []
    for word in words:
        m = ELEMENT_RE.match(word.text)
        if m is None:
            items.extend(expander.words([word]))
            continue
        position = expander.arithmetic(m.group(1))
        if position < 0:
            position += len(items)
            if position < 0:
                raise ExpansionError(f"[{m.group(1)}]: bad array subscript", fatal=False)
        while len(items) <= position:
            items.append("")
        items[position] = expander.single(m.group(3))
    return items


class BadSubscriptError(ValueError):
    """An array index bash refuses (a negative one past the start)."""


def with_element(
    expander: Any, old: Any, index: str, value: str, *, append: bool, name: str = ""
) -> list[str] | dict[str, str]:
    """``old`` with ``[index]`` set to ``value`` (a new container; ``old`` is not changed).

    A negative index past the start is bash's ``bad array subscript`` (:class:`BadSubscriptError`).
    """
    if isinstance(old, dict):
        table = dict(old)
        key = expander.single(index)
        table[key] = table.get(key, "") + value if append else value
        return table
    items = list(old) if isinstance(old, list) else ([old] if old is not None else [])
    position = expander.arithmetic(index)
    if position < 0:
        position += len(items)
        if position < 0:
            raise BadSubscriptError(f"{name}[{index}]: bad array subscript")
    while len(items) <= position:
        items.append("")
    items[position] = items[position] + value if append else value
    return items


def without_element(expander: Any, old: Any, index: str) -> Any:
    """``old`` with ``[index]`` removed (indexed arrays keep later positions by leaving a hole)."""
    if isinstance(old, dict):
        table = dict(old)
        table.pop(index, None)
        return table
    if isinstance(old, list):
        items = list(old)
        position = expander.arithmetic(index)
        if 0 <= position < len(items):
            if position == len(items) - 1:
                items.pop()
            else:
                items[position] = ""
        return items
    return old


def keys(value: Any) -> list[str]:
    """``${!name[@]}``: the keys of an associative array or the indices of an indexed one."""
    if isinstance(value, dict):
        return list(value)
    if isinstance(value, list):
        return [str(i) for i in range(len(value))]
    return [] if value is None else ["0"]
