"""Shell pattern matching (``*``, ``?``, ``[...]``) compiled to regular expressions."""

from __future__ import annotations

import re
from functools import lru_cache

CLASSES = {
    "alpha": "a-zA-Z",
    "digit": "0-9",
    "alnum": "a-zA-Z0-9",
    "upper": "A-Z",
    "lower": "a-z",
    "space": r" \t\n\r\f\v",
    "blank": r" \t",
    "punct": r"!-/:-@\[-`{-~",
    "xdigit": "0-9A-Fa-f",
    "word": r"\w",
    "cntrl": r"\x00-\x1f\x7f",
    "print": r"\x20-\x7e",
    "graph": r"\x21-\x7e",
}

GLOB_CHARS = frozenset("*?[")


def has_glob(pieces: list[tuple[str, bool]]) -> bool:
    """True when any active (unquoted) piece holds a glob character."""
    return any(active and any(c in GLOB_CHARS for c in text) for text, active in pieces)


def translate(pieces: list[tuple[str, bool]]) -> str:
    """Regex source for a pattern made of (text, active) pieces; inactive text matches literally."""
    out: list[str] = []
    for text, active in pieces:
        if not active:
            out.append(re.escape(text))
            continue
        i = 0
        while i < len(text):
            ch = text[i]
            if ch == "\\" and i + 1 < len(text):
                out.append(re.escape(text[i + 1]))
                i += 2
            elif ch == "*":
                out.append(".*")
                i += 1
            elif ch == "?":
                out.append(".")
                i += 1
            elif ch == "[":
                cls, end = _bracket(text, i)
                out.append(cls)
                i = end
            else:
                out.append(re.escape(ch))
                i += 1
    return "".join(out)


def _bracket(text: str, i: int) -> tuple[str, int]:
    """A bracket expression at ``text[i]`` as a regex class; a lone ``[`` is literal.

    Ranges run by code point (the C locale); a reversed range such as ``[z-a]`` matches nothing,
    as in bash, rather than failing.
    """
    j = i + 1
    negate = False
    if j < len(text) and text[j] in "!^":
        negate = True
        j += 1
    items: list[str] = []
    first = True
    while j < len(text):
        ch = text[j]
        if ch == "]" and not first:
            body = "".join(items)
            if not body:
                return (r"[\s\S]" if negate else "(?!)"), j + 1
            return ("[^" if negate else "[") + body + "]", j + 1
        first = False
        if ch == "[" and j + 1 < len(text) and text[j + 1] in ":=.":
            kind = text[j + 1]
            end = text.find(kind + "]", j + 2)
            if end > 0:
                name = text[j + 2 : end]
                if kind == ":":
                    items.append(CLASSES.get(name, ""))
                else:
                    items.append(re.escape(name))
                j = end + 2
                continue
        start, j = _bracket_char(text, j)
        if j + 1 < len(text) and text[j] == "-" and text[j + 1] != "]":
            end_char, j = _bracket_char(text, j + 1)
            if ord(start) <= ord(end_char):
                items.append(re.escape(start) + "-" + re.escape(end_char))
            continue
        items.append(re.escape(start))
    return re.escape("["), i + 1


def _bracket_char(text: str, j: int) -> tuple[str, int]:
    """One (possibly backslash-escaped) character of a bracket expression, and the index after it."""
    if text[j] == "\\" and j + 1 < len(text):
        return text[j + 1], j + 2
    return text[j], j + 1


@lru_cache(maxsize=2048)
def compile_pattern(pieces: tuple[tuple[str, bool], ...]) -> re.Pattern[str]:
    """Compile a whole-string shell pattern."""
    return re.compile(translate(list(pieces)), re.DOTALL)


def fnmatch(name: str, pattern: str) -> bool:
    """Match ``name`` against an all-active shell ``pattern`` (for find -name, case, [[ == ]])."""
    return compile_pattern(((pattern, True),)).fullmatch(name) is not None
