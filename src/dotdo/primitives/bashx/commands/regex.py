"""POSIX basic and extended regular expressions translated to Python's ``re``."""

from __future__ import annotations

import re
from functools import lru_cache

from dotdo.primitives.bashx.pattern import CLASSES


def _bracket(text: str, i: int) -> tuple[str, int]:
    """Translate a bracket expression starting at ``text[i] == '['``."""
    j = i + 1
    out = ["["]
    if j < len(text) and text[j] == "^":
        out.append("^")
        j += 1
    if j < len(text) and text[j] == "]":
        out.append(r"\]")
        j += 1
    while j < len(text) and text[j] != "]":
        if text.startswith("[:", j):
            end = text.find(":]", j)
            name = text[j + 2 : end] if end > 0 else ""
            if name in CLASSES:
                out.append(CLASSES[name])
                j = end + 2
                continue
        ch = text[j]
        out.append("\\\\" if ch == "\\" else re.escape(ch) if ch in "[^" else ch)
        j += 1
    if j >= len(text):
        raise re.error("unterminated [")
    out.append("]")
    return "".join(out), j + 1


@lru_cache(maxsize=512)
def translate(pattern: str, extended: bool) -> str:
    """Python regex source for a POSIX BRE (``extended=False``) or ERE."""
    out: list[str] = []
    i = 0
    n = len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "[":
            cls, i = _bracket(pattern, i)
            out.append(cls)
            continue
        if ch == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            i += 2
            if not extended and nxt in "(){}|+?":
                out.append(nxt)
            elif nxt in "<>":
                out.append(r"\b")
            elif nxt in "wWsSbB" or nxt.isdigit():
                out.append("\\" + nxt)
            elif nxt == "n":
                out.append(r"\n")
            elif nxt == "t":
                out.append(r"\t")
            else:
                out.append(re.escape(nxt))
            continue
        i += 1
        if extended:
            if ch == "{" and not re.match(r"\d*(,\d*)?\}", pattern[i:]):
                out.append(r"\{")
            else:
                out.append(ch)
        elif ch in "(){}|+?":
            out.append("\\" + ch)
        elif ch == "*" and (not out or out[-1] in ("^", "(", "|")):
            out.append(r"\*")
        else:
            out.append(ch)
    return "".join(out)


def compile_posix(pattern: str, *, extended: bool, ignore_case: bool = False) -> re.Pattern[str]:
    """Compile a POSIX regex (raises ``re.error`` with the reason when it is malformed)."""
    flags = re.IGNORECASE if ignore_case else 0
    return re.compile(translate(pattern, extended), flags)


GNU_MESSAGES = (
    ("missing )", "Unmatched ( or \\("),
    ("unbalanced parenthesis", "Unmatched ) or \\)"),
    ("unterminated character set", "Unmatched [, [^, [:, [., or [="),
    ("nothing to repeat", "Invalid preceding regular expression"),
    ("multiple repeat", "Invalid preceding regular expression"),
    ("bad escape (end of pattern)", "Trailing backslash"),
    ("bad character range", "Invalid range end"),
)


def posix_error(exc: Exception) -> str:
    """GNU regex wording for a compile error (what grep and sed print)."""
    text = str(exc)
    for fragment, message in GNU_MESSAGES:
        if fragment in text:
            return message
    return text
