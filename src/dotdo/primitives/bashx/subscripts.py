"""Array references inside arithmetic (``a[i+1]``, ``assoc[$key]``), found before ``$`` expansion.

bash reads an arithmetic expression's ``name[subscript]`` before it expands the subscript, so a
key whose value holds ``]`` or ``$(...)`` stays one key, expanded once. Each reference is swapped
for a placeholder name the evaluator reads and writes like any variable.
"""

from __future__ import annotations

from dotdo.primitives.bashx.words import WordSyntaxError, skip_backquote, skip_dollar, skip_double, skip_single

PLACEHOLDER = "__bashx_ref_"
"""The prefix of the names that stand for array references in an arithmetic expression."""


def _name_before(text: str, i: int) -> int:
    """Where the identifier ending just before ``text[i]`` starts (``i`` when there is none)."""
    start = i
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    if start == i or text[start].isdigit() or (start > 0 and text[start - 1] in "$#"):
        return i
    return start


def _subscript_end(text: str, i: int) -> int | None:
    """Index of the ``]`` closing the subscript that opens at ``text[i]`` (None when unclosed)."""
    depth = 0
    j = i
    while j < len(text):
        ch = text[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "'":
            j = skip_single(text, j)
            continue
        if ch == '"':
            j = skip_double(text, j)
            continue
        if ch == "`":
            j = skip_backquote(text, j)
            continue
        if ch == "$":
            j = max(skip_dollar(text, j), j + 1)
            continue
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return None


def with_placeholders(text: str) -> tuple[str, dict[str, tuple[str, str]]]:
    """``text`` with each ``name[subscript]`` replaced by a placeholder name, and what each
    placeholder stands for: (array name, raw subscript)."""
    refs: dict[str, tuple[str, str]] = {}
    out: list[str] = []
    i = last = 0
    try:
        while i < len(text):
            ch = text[i]
            if ch == "$":
                i = max(skip_dollar(text, i), i + 1)
                continue
            if ch == "`":
                i = skip_backquote(text, i)
                continue
            if ch == "[":
                start = _name_before(text, i)
                end = _subscript_end(text, i) if start < i else None
                if end is not None:
                    placeholder = f"{PLACEHOLDER}{len(refs)}"
                    refs[placeholder] = (text[start:i], text[i + 1 : end])
                    out.append(text[last:start] + placeholder)
                    i = last = end + 1
                    continue
            i += 1
    except WordSyntaxError:
        return text, {}
    out.append(text[last:])
    return "".join(out), refs
