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
    "ascii": r"\x00-\x7f",
}

COLLATING_NAMES = {
    "NUL": "\0",
    "alert": "\a",
    "backspace": "\b",
    "tab": "\t",
    "newline": "\n",
    "vertical-tab": "\v",
    "form-feed": "\f",
    "carriage-return": "\r",
    "space": " ",
    "exclamation-mark": "!",
    "quotation-mark": '"',
    "number-sign": "#",
    "dollar-sign": "$",
    "percent-sign": "%",
    "ampersand": "&",
    "apostrophe": "'",
    "left-parenthesis": "(",
    "right-parenthesis": ")",
    "asterisk": "*",
    "plus-sign": "+",
    "comma": ",",
    "hyphen": "-",
    "hyphen-minus": "-",
    "period": ".",
    "full-stop": ".",
    "slash": "/",
    "solidus": "/",
    "zero": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "colon": ":",
    "semicolon": ";",
    "less-than-sign": "<",
    "equals-sign": "=",
    "greater-than-sign": ">",
    "question-mark": "?",
    "commercial-at": "@",
    "left-square-bracket": "[",
    "backslash": "\\",
    "reverse-solidus": "\\",
    "right-square-bracket": "]",
    "circumflex": "^",
    "circumflex-accent": "^",
    "underscore": "_",
    "low-line": "_",
    "grave-accent": "`",
    "left-brace": "{",
    "left-curly-bracket": "{",
    "vertical-line": "|",
    "right-brace": "}",
    "right-curly-bracket": "}",
    "tilde": "~",
    "DEL": "\x7f",
}
"""POSIX collating-symbol names bash knows inside ``[[.name.]]``."""

GLOB_CHARS = frozenset("*?[")
"""Characters that make a word a pattern (an extended glob also starts with ``*`` or ``?``, or
``+(``, ``@(``, ``!(``)."""


def has_glob(pieces: list[tuple[str, bool]]) -> bool:
    """True when any active (unquoted) piece holds a glob character."""
    return any(
        active and (any(c in GLOB_CHARS for c in text) or re.search(r"[+@!]\(", text) is not None)
        for text, active in pieces
    )


def translate(pieces: list[tuple[str, bool]]) -> str:
    """Regex source for a pattern made of (text, active) pieces; inactive text matches literally.

    Quoted text becomes backslash-escaped text first, so a bracket expression may hold quoted
    characters (``["a-c"]`` is the three characters, ``[\\\\]`` a backslash).
    """
    text = "".join(piece if active else "".join("\\" + ch for ch in piece) for piece, active in pieces)
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        close = _extglob_end(text, i)
        if close is not None:
            out.append(_extglob(ch, text[i + 2 : close - 1], last=close == len(text)))
            i = close
        elif ch == "\\" and i + 1 < len(text):
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


def _extglob_end(text: str, i: int) -> int | None:
    """Where the extended glob ``?(…)``, ``*(…)``, ``+(…)``, ``@(…)`` or ``!(…)`` at ``i`` ends."""
    if text[i] not in "?*+@!" or not text.startswith("(", i + 1):
        return None
    depth = 0
    j = i + 1
    while j < len(text):
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    return None


def _alternatives(inner: str) -> list[str]:
    """The ``|``-separated patterns of an extended glob (nested groups kept whole)."""
    parts, depth, start, j = [], 0, 0, 0
    while j < len(inner):
        c = inner[j]
        if c == "\\":
            j += 2
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(inner[start:j])
            start = j + 1
        j += 1
    parts.append(inner[start:])
    return parts


def _extglob(kind: str, inner: str, *, last: bool) -> str:
    """Regex source for one extended glob; ``!(…)`` at the end of a pattern is exact, elsewhere
    it refuses only a match of its patterns at that place."""
    group = "(?:" + "|".join(translate([(alt, True)]) for alt in _alternatives(inner)) + ")"
    if kind == "!":
        return f"(?:(?!{group}$)[\\s\\S]*)" if last else f"(?:(?!{group})[\\s\\S]*?)"
    return group + {"?": "?", "*": "*", "+": "+", "@": ""}[kind]


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
        if text.startswith("[:", j):
            end = text.find(":]", j + 2)
            if end > 0:
                items.append(CLASSES.get(text[j + 2 : end], ""))
                j = end + 2
                continue
        start, j = _bracket_element(text, j)
        if j + 1 < len(text) and text[j] == "-" and text[j + 1] != "]":
            end_char, j = _bracket_element(text, j + 1)
            if start is not None and end_char is not None and ord(start) <= ord(end_char):
                items.append(re.escape(start) + "-" + re.escape(end_char))
            continue
        if start is not None:
            items.append(re.escape(start))
    return re.escape("["), i + 1


def _bracket_element(text: str, j: int) -> tuple[str | None, int]:
    """A character of a bracket expression: plain, escaped, a collating symbol ``[.x.]`` or an
    equivalence class ``[=x=]`` (None for a symbol naming no single character), and the index after."""
    if text.startswith(("[.", "[="), j):
        kind = text[j + 1]
        end = text.find(kind + "]", j + 2)
        if end > 0:
            name = text[j + 2 : end]
            char = name if len(name) == 1 else COLLATING_NAMES.get(name) if kind == "." else None
            return char, end + 2
    return _bracket_char(text, j)


def _bracket_char(text: str, j: int) -> tuple[str, int]:
    """One (possibly backslash-escaped) character of a bracket expression, and the index after it."""
    if text[j] == "\\" and j + 1 < len(text):
        return text[j + 1], j + 2
    return text[j], j + 1


@lru_cache(maxsize=2048)
def compile_pattern(pieces: tuple[tuple[str, bool], ...], *, nocase: bool = False) -> re.Pattern[str]:
    """Compile a whole-string shell pattern (``nocase``: letters match either case, ``nocasematch``)."""
    return re.compile(translate(list(pieces)), re.DOTALL | (re.IGNORECASE if nocase else 0))


def fnmatch(name: str, pattern: str) -> bool:
    """Match ``name`` against an all-active shell ``pattern`` (for find -name, case, [[ == ]])."""
    return compile_pattern(((pattern, True),)).fullmatch(name) is not None
