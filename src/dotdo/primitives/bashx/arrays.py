"""Indexed and associative arrays: their containers, literals, element assignment and removal.

An indexed array is sparse (``a[5]=x`` leaves 0..4 unset) and lists in index order. An
associative array lists its keys in the order of bash's hash table (FNV-1 into 1024 buckets,
the newest key first within a bucket), so ``declare -p`` and ``${!a[@]}`` print as bash does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from dotdo.primitives.bashx.ast import Word

ELEMENT_RE = re.compile(r"^\[(.*?)\](\+?)=(.*)$", re.S)
ASSOC_BUCKETS = 1024


class IndexedArray(dict[int, str]):
    """A sparse indexed array: index -> value, listed in index order."""

    @classmethod
    def of(cls, items: Iterable[str]) -> IndexedArray:
        """An array holding ``items`` at 0, 1, 2..."""
        return cls(enumerate(items))

    def indices(self) -> list[int]:
        """The set indices, in order."""
        return sorted(self)

    def ordered(self) -> list[str]:
        """The values, in index order."""
        return [self[i] for i in sorted(self)]

    def next_index(self) -> int:
        """Where ``a+=(x)`` puts its first value: one past the highest index."""
        return max(self) + 1 if self else 0


def _fnv1(key: str) -> int:
    value = 2166136261
    for byte in key.encode("utf-8", "surrogateescape"):
        value = (value * 16777619) & 0xFFFFFFFF
        value ^= byte
    return value


class AssocArray(dict[str, str]):
    """An associative array, listed in bash's hash-table order."""

    def ordered_keys(self) -> list[str]:
        """The keys as bash lists them."""
        newest_first = list(reversed(self))
        return sorted(newest_first, key=lambda k: _fnv1(k) & (ASSOC_BUCKETS - 1))

    def ordered(self) -> list[str]:
        """The values, in the order of :meth:`ordered_keys`."""
        return [self[k] for k in self.ordered_keys()]


def as_container(value: Any) -> Any:
    """``value`` with plain lists and dicts turned into the array classes (scalars unchanged)."""
    if isinstance(value, IndexedArray | AssocArray):
        return value
    if isinstance(value, list):
        return IndexedArray.of(value)
    if isinstance(value, dict):
        return AssocArray(value)
    return value


def values(value: Any) -> list[str]:
    """``${a[@]}``: every value of an array in order, a scalar as one value, nothing for unset."""
    if isinstance(value, IndexedArray | AssocArray):
        return value.ordered()
    return [] if value is None else [value]


def literal(
    expander: Any,
    words: list[Word],
    *,
    assoc: bool,
    base: IndexedArray | AssocArray | None = None,
    warn: Callable[[str], None] = lambda _message: None,
    name: str = "",
    integer: bool = False,
) -> IndexedArray | AssocArray:
    """The value of ``(w1 w2 [k]=v ...)``.

    ``base`` is the array's current value when ``+=`` extends it: values without a subscript go
    after its highest index, and ``[k]+=v`` appends to its element. An associative literal is
    ``[key]=value`` items, or ``key value`` pairs when its first word has no subscript; a word
    without a subscript among subscripted ones is reported through ``warn`` and skipped, as bash does.
    With ``integer`` (``declare -i``), ``[k]+=v`` adds rather than appends.
    """

    def added(old: str, value: str) -> str:
        if integer:
            return str(expander.arithmetic(f"({old or 0})+({value or 0})"))
        return old + value

    if assoc:
        table = AssocArray(base if isinstance(base, AssocArray) else {})
        if words and ELEMENT_RE.match(words[0].text) is None:
            flat = expander.words(words)
            for position in range(0, len(flat), 2):
                key = flat[position]
                table[key] = flat[position + 1] if position + 1 < len(flat) else ""
            return table
        for word in words:
            m = ELEMENT_RE.match(word.text)
            if m is None:
                warn(f"{name}: {word.text}: must use subscript when assigning associative array")
                continue
            key = expander.single(m.group(1))
            if key == "":
                warn(f"{word.text}: bad array subscript")
                continue
            value = expander.single(m.group(3))
            table[key] = added(table.get(key, ""), value) if m.group(2) else value
        return table
    items = IndexedArray(base if isinstance(base, IndexedArray) else {})
    position = items.next_index()
    for word in words:
        m = ELEMENT_RE.match(word.text)
        if m is None:
            for value in expander.words([word]):
                items[position] = value
                position += 1
            continue
        subscript = m.group(1)
        if subscript.strip() in ("@", "*"):
            warn(f"{word.text}: cannot assign to non-numeric index")
            continue
        if not subscript.strip():
            warn(f"{word.text}: bad array subscript")
            continue
        index = expander.arithmetic(subscript)
        if index < 0:
            index += items.next_index()
            if index < 0:
                warn(f"{word.text}: bad array subscript")
                continue
        value = expander.single(m.group(3))
        items[index] = added(items.get(index, ""), value) if m.group(2) else value
        position = index + 1
    return items


class BadSubscriptError(ValueError):
    """An array index bash refuses (a negative one past the start)."""


def with_element(
    expander: Any, old: Any, index: str, value: str, *, append: bool, name: str = ""
) -> IndexedArray | AssocArray:
    """``old`` with ``[index]`` set to ``value`` (a new container; ``old`` is not changed).

    A negative index past the start is bash's ``bad array subscript`` (:class:`BadSubscriptError`).
    """
    if isinstance(old, AssocArray):
        table = AssocArray(old)
        key = expander.single(index)
        if key == "":
            raise BadSubscriptError(f"{name}[{index}]: bad array subscript")
        table[key] = table.get(key, "") + value if append else value
        return table
    items = IndexedArray(old) if isinstance(old, IndexedArray) else IndexedArray.of([] if old is None else [old])
    if index.strip() in ("", "@", "*"):
        raise BadSubscriptError(f"{name}[{index}]: bad array subscript")
    position = expander.arithmetic(index)
    if position < 0:
        position += items.next_index()
        if position < 0:
            raise BadSubscriptError(f"{name}[{index}]: bad array subscript")
    items[position] = items.get(position, "") + value if append else value
    return items


def without_element(expander: Any, old: Any, index: str, name: str = "") -> Any:
    """``old`` with ``[index]`` removed (other indices keep their places)."""
    if isinstance(old, AssocArray):
        table = AssocArray(old)
        table.pop(expander.single(index), None)
        return table
    if isinstance(old, IndexedArray):
        items = IndexedArray(old)
        position = expander.arithmetic(index)
        if position < 0:
            position += items.next_index()
            if position < 0:
                raise BadSubscriptError(f"{name}[{index}]: bad array subscript")
        items.pop(position, None)
        return items
    if old is not None and expander.arithmetic(index) in (0, -1):
        return None
    return old


def keys(value: Any) -> list[str]:
    """``${!name[@]}``: the keys of an associative array or the indices of an indexed one."""
    if isinstance(value, AssocArray):
        return value.ordered_keys()
    if isinstance(value, IndexedArray):
        return [str(i) for i in value.indices()]
    return [] if value is None else ["0"]


def items(value: IndexedArray | AssocArray) -> list[tuple[str, str]]:
    """(key, value) pairs in the order bash lists them."""
    if isinstance(value, AssocArray):
        return [(k, value[k]) for k in value.ordered_keys()]
    return [(str(i), value[i]) for i in value.indices()]


def element(expander: Any, value: Any, index: str) -> str | None:
    """``${a[index]}`` for one subscript (not ``@`` or ``*``)."""
    if isinstance(value, AssocArray):
        return value.get(expander.single(index))
    position = expander.arithmetic(index)
    if isinstance(value, IndexedArray):
        if position < 0:
            position += value.next_index()
        return value.get(position)
    if position in (0, -1):
        return value
    return None
