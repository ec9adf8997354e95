"""A jq filter made safe to run in the server's process: it sees the script's variables, never the host.

libjq reads the process environment for ``$ENV`` and ``env`` and loads modules from host
directories for ``import``/``include``/``modulemeta``. The native ``jq`` rewrites every ``$ENV`` and
``env`` in a filter's code into a variable bound to the script's exported variables (what a real
jq started by bash would see), and refuses module loading: a module search path can only name a
host directory.
"""

from __future__ import annotations

from dataclasses import dataclass

ENV_VARIABLE = "__bashx_env"
"""The jq variable that stands for ``$ENV``; it is bound to the script's exported variables."""

MODULE_WORDS = frozenset({"import", "include", "modulemeta", "get_search_list"})
IDENT_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
IDENT_CHARS = IDENT_START | frozenset("0123456789")


class JqProgramError(ValueError):
    """A filter that bashx refuses to run, with the reason."""


@dataclass
class _Token:
    start: int
    end: int
    text: str


def _skip_comment(text: str, i: int) -> int:
    """The index after a ``#`` comment starting at ``i``; a backslash continues it past a newline."""
    n = len(text)
    while i < n:
        char = text[i]
        if char == "\\":
            i += 3 if text.startswith("\r\n", i + 1) else 2
            continue
        if char == "\n":
            return i
        i += 1
    return n


def _code_identifiers(text: str) -> list[tuple[_Token, int]]:
    """Every identifier in the code of ``text`` (outside strings and comments), with its position.

    Returns (token, index of the innermost open bracket's character or -1). String interpolations
    ``"\\(...)"`` are code; comments follow jq's rule (a backslash escapes the next character,
    newlines included).
    """
    found: list[tuple[_Token, int]] = []
    brackets: list[int] = []
    # Each entry is the bracket depth at which an interpolation returns to its string.
    interpolations: list[int] = []
    n = len(text)
    i = 0
    in_string = False
    while i < n:
        char = text[i]
        if in_string:
            if char == "\\":
                if text.startswith("(", i + 1):
                    interpolations.append(len(brackets))
                    brackets.append(i + 1)
                    in_string = False
                    i += 2
                    continue
                i += 2
                continue
            if char == '"':
                in_string = False
            i += 1
            continue
        if char == '"':
            in_string = True
            i += 1
        elif char == "#":
            i = _skip_comment(text, i + 1)
        elif char in "([{":
            brackets.append(i)
            i += 1
        elif char in ")]}":
            if brackets:
                brackets.pop()
            if interpolations and char == ")" and len(brackets) == interpolations[-1]:
                interpolations.pop()
                in_string = True
            i += 1
        elif char in IDENT_START:
            start = i
            while i < n and (text[i] in IDENT_CHARS or (text.startswith("::", i) and i + 2 < n)):
                i += 2 if text.startswith("::", i) else 1
            if start > 0 and text[start - 1] == "$":
                start -= 1
            found.append((_Token(start, i, text[start:i]), brackets[-1] if brackets else -1))
        else:
            i += 1
    return found


def _neighbours(text: str, token: _Token) -> tuple[str, str]:
    """The nearest non-blank characters before and after ``token``."""
    before = text[: token.start].rstrip()
    after = text[token.end :].lstrip()
    return (before[-1:] if before else ""), after[:2]


def _is_key_or_field(text: str, token: _Token, bracket: int) -> bool:
    """Whether an identifier names an object key (``{env: 1}``, ``{env}``) or a field (``.env``)."""
    if token.start > 0 and text[token.start - 1] == ".":
        return True
    if bracket < 0 or text[bracket] != "{":
        return False
    before, after = _neighbours(text, token)
    if before not in ("{", ","):
        return False
    return (after[:1] == ":" and after != "::") or after[:1] in (",", "}")


def confine(program: str) -> str:
    """``program`` with ``$ENV``/``env`` bound to the script's variables; refuses module loading."""
    pieces: list[str] = []
    last = 0
    previous: _Token | None = None
    for token, bracket in _code_identifiers(program):
        name = token.text
        defines = previous is not None and previous.text == "def" and not program[previous.end : token.start].strip()
        previous = token
        if name in MODULE_WORDS and not _is_key_or_field(program, token, bracket):
            raise JqProgramError(
                f"jq: error: {name} is not supported by bashx: jq modules would load host files; "
                "put the definitions in the filter itself"
            )
        if name == "$ENV" or (name == "env" and not defines and not _is_key_or_field(program, token, bracket)):
            pieces.append(program[last : token.start])
            pieces.append(f"${ENV_VARIABLE}")
            last = token.end
    pieces.append(program[last:])
    return "".join(pieces)
