"""Lex a word's source text into parts (literals, parameter, command and arithmetic expansions).

Bash's quoting rules are applied to the exact text: single quotes, ``$'...'``, double quotes,
backslashes and backquotes, with nested ``$( )``, ``${ }`` and ``$(( ))`` matched by depth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
CASE_WORD_RE = re.compile(r"(case|esac)(?![A-Za-z0-9_])")
SPECIAL = "@*#?$!-0123456789"


class WordSyntaxError(ValueError):
    """A word is malformed (an unclosed quote or expansion)."""


@dataclass(frozen=True)
class Lit:
    """Literal text; ``quoted`` text is neither split nor globbed."""

    text: str
    quoted: bool


@dataclass(frozen=True)
class Param:
    """``$name`` or ``${name<op><arg>}``; ``index`` is an array subscript."""

    name: str
    quoted: bool
    op: str = ""
    arg: str | None = None
    arg2: str | None = None
    index: str | None = None
    length: bool = False
    indirect: bool = False


@dataclass(frozen=True)
class CommandSub:
    """``$(...)`` or a backquoted command."""

    source: str
    quoted: bool


@dataclass(frozen=True)
class ArithSub:
    """``$(( expression ))``."""

    expression: str
    quoted: bool


@dataclass(frozen=True)
class ProcessSub:
    """``<(commands)``: a path to a file holding the commands' output."""

    source: str


Part = Lit | Param | CommandSub | ArithSub | ProcessSub

ANSI_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}


def byte_char(value: int) -> str:
    """The character standing for one raw byte: ``\\xff`` writes the byte 0xff, not its UTF-8 form.

    Bytes past ASCII become the surrogates that ``surrogateescape`` encodes back to themselves.
    """
    value &= 0xFF
    return chr(value) if value < 0x80 else chr(0xDC00 + value)


def decode_ansi_c(body: str) -> str:
    """Decode the inside of ``$'...'``."""
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\" or i + 1 >= len(body):
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1]
        if nxt in ANSI_ESCAPES:
            out.append(ANSI_ESCAPES[nxt])
            i += 2
        elif nxt == "x":
            m = re.match(r"[0-9a-fA-F]{1,2}", body[i + 2 :])
            out.append(byte_char(int(m.group(), 16)) if m else "\\x")
            i += 2 + (len(m.group()) if m else 0)
        elif nxt in "uU":
            m = re.match(r"[0-9a-fA-F]{1,8}" if nxt == "U" else r"[0-9a-fA-F]{1,4}", body[i + 2 :])
            out.append(chr(int(m.group(), 16)) if m else "\\" + nxt)
            i += 2 + (len(m.group()) if m else 0)
        elif nxt in "01234567":
            m = re.match(r"[0-7]{1,3}", body[i + 1 :])
            assert m is not None
            out.append(byte_char(int(m.group(), 8)))
            i += 1 + len(m.group())
        else:
            out.append("\\" + nxt)
            i += 2
    return "".join(out)


def skip_single(text: str, i: int) -> int:
    """Index just past the single-quoted string opening at ``text[i]``."""
    end = text.find("'", i + 1)
    if end < 0:
        raise WordSyntaxError("unclosed single quote")
    return end + 1


def skip_ansi(text: str, i: int) -> int:
    """Index just past ``$'...'`` starting at ``text[i]`` (the ``$``)."""
    j = i + 2
    while j < len(text):
        if text[j] == "\\":
            j += 2
            continue
        if text[j] == "'":
            return j + 1
        j += 1
    raise WordSyntaxError("unclosed $'...' quote")


def skip_double(text: str, i: int) -> int:
    """Index just past the double-quoted string opening at ``text[i]``."""
    j = i + 1
    while j < len(text):
        ch = text[j]
        if ch == "\\":
            j += 2
        elif ch == '"':
            return j + 1
        elif ch == "$":
            j = skip_dollar(text, j)
        elif ch == "`":
            j = skip_backquote(text, j)
        else:
            j += 1
    raise WordSyntaxError("unclosed double quote")


def skip_backquote(text: str, i: int) -> int:
    """Index just past the backquoted command opening at ``text[i]``."""
    j = i + 1
    while j < len(text):
        if text[j] == "\\":
            j += 2
        elif text[j] == "`":
            return j + 1
        else:
            j += 1
    raise WordSyntaxError("unclosed backquote")


def skip_parens(text: str, i: int, depth: int = 1) -> int:
    """Index just past the ``)`` closing ``depth`` open parentheses before ``text[i]``.

    Inside ``case ... esac`` a ``)`` that closes a pattern does not count.
    """
    j = i
    stack: list[str] = []
    while j < len(text):
        word = CASE_WORD_RE.match(text, j) if (j == 0 or not (text[j - 1].isalnum() or text[j - 1] == "_")) else None
        if word is not None:
            if word.group(1) == "case":
                stack.append("case")
            elif stack and stack[-1] == "case":
                stack.pop()
            j = word.end()
            continue
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
        if ch == "$" and j + 1 < len(text) and text[j + 1] in "({'":
            j = skip_dollar(text, j)
            continue
        if ch == "(":
            stack.append("(")
        elif ch == ")":
            if stack and stack[-1] == "(":
                stack.pop()
            elif not stack:
                depth -= 1
                if depth == 0:
                    return j + 1
        j += 1
    raise WordSyntaxError("unclosed '('")


def _command_list_end(text: str, i: int) -> int:
    """Index just past the ``)`` of a ``$(`` whose commands start at ``text[i]``, read as bash reads
    them (a ``)`` in a comment or closing a ``case`` pattern does not end it)."""
    from dotdo.primitives.bashx.errors import BashSyntaxError
    from dotdo.primitives.bashx.reader import command_list_end

    try:
        return command_list_end(text, i)
    except BashSyntaxError:
        return skip_parens(text, i)


def _balanced(expression: str) -> bool:
    """Whether ``$((…))`` holds one arithmetic expression: ``$((a);(b))`` is a command substitution
    of two subshells, as bash reads it."""
    depth = 0
    for ch in expression:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def skip_quoting(text: str, i: int) -> int | None:
    """If ``text[i]`` opens an escape, a quote, ``$(`` or ``${``: the index just past it; else None."""
    ch = text[i]
    if ch == "\\":
        return i + 2
    if ch == "'":
        return skip_single(text, i)
    if ch == '"':
        return skip_double(text, i)
    if ch == "$" and i + 1 < len(text) and text[i + 1] in "({":
        return skip_dollar(text, i)
    return None


def skip_braces(text: str, i: int) -> int:
    """Index just past the ``}`` closing a ``${`` whose body starts at ``text[i]``."""
    # Only a nested ${ opens a brace that must close first: `${x:-a { b }` ends at the first }.
    j = i
    while j < len(text):
        skipped = skip_quoting(text, j)
        if skipped is not None:
            j = skipped
            continue
        if text[j] == "}":
            return j + 1
        j += 1
    raise WordSyntaxError("unclosed '${'")


def _scan_braces(text: str, j: int, depth: int) -> tuple[int, list[int]] | None:
    """The index of the ``}`` that brings ``depth`` to 0, and the top-level commas met on the way."""
    commas: list[int] = []
    while j < len(text):
        ch = text[j]
        skipped = skip_quoting(text, j)
        if skipped is not None:
            j = skipped
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return j, commas
        elif ch == "," and depth == 1:
            commas.append(j)
        j += 1
    return None


def skip_dollar(text: str, i: int) -> int:
    """Index just past the expansion starting with ``$`` at ``text[i]``."""
    nxt = text[i + 1] if i + 1 < len(text) else ""
    if text.startswith("$((", i):
        return skip_parens(text, i + 3, 2)
    if nxt == "(":
        return _command_list_end(text, i + 2)
    if nxt == "{":
        return skip_braces(text, i + 2)
    if nxt == "'":
        return skip_ansi(text, i)
    m = NAME_RE.match(text, i + 1)
    if m:
        return m.end()
    if nxt and nxt in SPECIAL:
        return i + 2
    return i + 1


@lru_cache(maxsize=4096)
def lex(text: str) -> tuple[Part, ...]:
    """Split an unquoted-context word into its parts."""
    return tuple(_lex(text, quoted=False))


@lru_cache(maxsize=1024)
def lex_heredoc(text: str) -> tuple[Part, ...]:
    """Split a here-document body: only ``$``, backquotes and ``\\`` before ``$ ` \\`` are special."""
    parts: list[Part] = []
    buf: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in "$`\\\n":
            if text[i + 1] != "\n":
                buf.append(text[i + 1])
            i += 2
        elif ch in "$`":
            end = skip_dollar(text, i) if ch == "$" else skip_backquote(text, i)
            part = _dollar_or_backquote(text[i:end], quoted=True)
            if part is None:
                buf.append(text[i:end])
            else:
                if buf:
                    parts.append(Lit("".join(buf), True))
                    buf = []
                parts.append(part)
            i = end
        else:
            buf.append(ch)
            i += 1
    if buf:
        parts.append(Lit("".join(buf), True))
    return tuple(parts)


def lex_arithmetic(text: str) -> tuple[Part, ...]:
    """Split the text of an arithmetic expression (``<(`` and ``>(`` are comparisons there)."""
    return tuple(_lex(text, quoted=False, arithmetic=True))


def _lex(text: str, *, quoted: bool, arithmetic: bool = False) -> list[Part]:
    parts: list[Part] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            parts.append(Lit("".join(buf), quoted))
            buf.clear()

    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            if quoted:
                nxt = text[i + 1] if i + 1 < n else ""
                if nxt in ("$", "`", '"', "\\"):
                    flush()
                    parts.append(Lit(nxt, True))
                    i += 2
                elif nxt == "\n":
                    i += 2
                else:
                    buf.append("\\")
                    i += 1
            else:
                flush()
                if i + 1 < n:
                    if text[i + 1] != "\n":
                        parts.append(Lit(text[i + 1], True))
                    i += 2
                else:
                    parts.append(Lit("\\", True))
                    i += 1
        elif ch == "'" and not quoted and not arithmetic:  # bash keeps them, and then fails
            flush()
            end = skip_single(text, i)
            parts.append(Lit(text[i + 1 : end - 1], True))
            i = end
        elif ch == '"' and not quoted:
            flush()
            end = skip_double(text, i)
            inner = _lex(text[i + 1 : end - 1], quoted=True)
            parts.extend(inner if inner else [Lit("", True)])
            i = end
        elif ch == "$" and text.startswith("$'", i) and not quoted:
            flush()
            end = skip_ansi(text, i)
            parts.append(Lit(decode_ansi_c(text[i + 2 : end - 1]), True))
            i = end
        elif ch in "<>" and text.startswith("(", i + 1) and not quoted and not arithmetic:
            if ch == ">":
                raise WordSyntaxError(">(...) output process substitution is not supported by bashx; use a pipe")
            flush()
            end = skip_parens(text, i + 2)
            parts.append(ProcessSub(text[i + 2 : end - 1]))
            i = end
        elif ch == "$" and text.startswith('$"', i) and not quoted:
            i += 1
        elif ch == "$" and quoted and text.startswith("$'", i):
            buf.append("$")
            i += 1
        elif ch in "$`":
            end = skip_dollar(text, i) if ch == "$" else skip_backquote(text, i)
            part = _dollar_or_backquote(text[i:end], quoted=quoted)
            if part is None:
                buf.append(text[i:end])
            else:
                flush()
                parts.append(part)
            i = end
        else:
            buf.append(ch)
            i += 1
    flush()
    return parts


def _dollar_or_backquote(token: str, *, quoted: bool) -> Part | None:
    if token.startswith("`"):
        body = re.sub(r"\\([$`\\])", r"\1", token[1:-1])
        return CommandSub(body, quoted)
    if token.startswith("$((") and _balanced(token[3:-2]):
        return ArithSub(token[3:-2], quoted)
    if token.startswith("$("):
        return CommandSub(token[2:-1], quoted)
    if token.startswith("${"):
        return parse_braced(token[2:-1], quoted)
    if len(token) > 1:
        return Param(token[1:], quoted)
    return None


OPERATORS = (
    ":-",
    ":=",
    ":+",
    ":?",
    "##",
    "%%",
    "//",
    "/#",
    "/%",
    "^^",
    ",,",
    "~~",
    "-",
    "=",
    "+",
    "?",
    "#",
    "%",
    "/",
    "^",
    ",",
    "~",
    ":",
    "@",
)


def parse_braced(body: str, quoted: bool) -> Param:
    """Parse the inside of ``${...}``."""
    length = indirect = False
    rest = body
    counts_operand = rest[1:2] in (":", "-", "=", "?", "+") and len(rest) > 2
    if rest.startswith("#") and counts_operand:
        pass  # ${#:-word}, ${#-word}: $# with an operator, not a length
    elif rest.startswith("#") and len(rest) > 1 and rest[1] != "}":
        length = True
        rest = rest[1:]
    elif rest.startswith("!") and counts_operand:
        pass  # ${!-word}, ${!:-word}: $! with an operator, not an indirection
    elif rest.startswith("!") and len(rest) > 1:
        indirect = True
        rest = rest[1:]
    m = NAME_RE.match(rest)
    if m:
        name = m.group()
    elif rest[:1] and rest[0] in SPECIAL:
        m2 = re.match(r"[0-9]+", rest)
        name = m2.group() if m2 else rest[0]
    else:
        raise WordSyntaxError(f"${{{body}}}: bad substitution")
    rest = rest[len(name) :]
    if indirect and rest in ("@", "*") and NAME_RE.fullmatch(name):
        return Param(name, quoted, op="!prefix", arg=rest)  # ${!prefix@}: names starting so
    index = None
    if rest.startswith("["):
        close = _matching_bracket(rest)
        if close < 0:
            raise WordSyntaxError(f"${{{body}}}: bad substitution")
        index = rest[1:close]
        rest = rest[close + 1 :]
    if not rest:
        return Param(name, quoted, index=index, length=length, indirect=indirect)
    if length:
        raise WordSyntaxError(f"${{{body}}}: bad substitution")
    for op in OPERATORS:
        if rest.startswith(op):
            arg = rest[len(op) :]
            arg2 = None
            if op in ("/", "//", "/#", "/%"):
                cut = _find_unquoted(arg, "/")
                if cut >= 0:
                    arg, arg2 = arg[:cut], arg[cut + 1 :]
            elif op == ":":
                cut = _offset_end(arg)
                if cut >= 0:
                    arg, arg2 = arg[:cut], arg[cut + 1 :]
            return Param(name, quoted, op=op, arg=arg, arg2=arg2, index=index, indirect=indirect)
    raise WordSyntaxError(f"${{{body}}}: bad substitution")


def _matching_bracket(text: str) -> int:
    """Index of the ``]`` closing ``text[0] == '['`` (nested brackets and expansions skipped)."""
    depth = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "$":
            i = max(skip_dollar(text, i), i + 1)
            continue
        if ch in "'\"":
            i = skip_single(text, i) if ch == "'" else skip_double(text, i)
            continue
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _offset_end(text: str) -> int:
    """Index of the ``:`` ending the offset of ``${x:offset:length}`` (one inside parentheses or
    closing a ``?:`` conditional belongs to the arithmetic), or -1."""
    depth = pending = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "'":
            i = skip_single(text, i)
            continue
        if ch == '"':
            i = skip_double(text, i)
            continue
        if ch == "$":
            i = max(skip_dollar(text, i), i + 1)
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "?" and depth == 0:
            pending += 1
        elif ch == ":" and depth == 0:
            if not pending:
                return i
            pending -= 1
        i += 1
    return -1


def _find_unquoted(text: str, char: str) -> int:
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
        elif ch == "'":
            i = skip_single(text, i)
        elif ch == '"':
            i = skip_double(text, i)
        elif ch == "$":
            i = max(skip_dollar(text, i), i + 1)
        elif ch == char:
            return i
        else:
            i += 1
    return -1


MAX_BRACE_WORDS = 100_000


def split_words(text: str) -> list[str]:
    """Split source text on unquoted blanks and newlines, keeping quotes and expansions whole
    (and a leading ``[subscript]=`` whole, blanks and all, as in an array literal's ``[a b]=c``)."""
    words: list[str] = []
    start: int | None = None
    depth = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in " \t\n" and not (depth and ch != "\n"):
            if start is not None:
                words.append(text[start:i])
                start = None
            i += 1
            continue
        if start is None:
            start = i
            depth = 1 if ch == "[" and re.match(r"\[[^\n]*?\]\+?=", text[i:]) else 0
            if depth:
                i += 1
                continue
        if depth and ch in "[]":
            depth += 1 if ch == "[" else -1
        if ch == "\\":
            i += 2
        elif ch == "'":
            i = skip_single(text, i)
        elif ch == '"':
            i = skip_double(text, i)
        elif ch == "`":
            i = skip_backquote(text, i)
        elif ch == "$":
            i = max(skip_dollar(text, i), i + 1)
        else:
            i += 1
    if start is not None:
        words.append(text[start:])
    return words


def brace_expand(text: str) -> list[str]:
    """Expand ``a{b,c}d`` and ``{1..3}`` sequences (outside quotes), left to right."""
    words = _brace_expand(text)
    if len(words) > MAX_BRACE_WORDS:
        raise WordSyntaxError(f"brace expansion makes {len(words)} words; bashx allows {MAX_BRACE_WORDS}")
    return words


def _brace_expand(text: str) -> list[str]:
    start = _find_brace(text)
    if start is None:
        return [text]
    open_i, close_i, commas = start
    pre, body, post = text[:open_i], text[open_i + 1 : close_i], text[close_i + 1 :]
    if commas:
        pieces = []
        last = 0
        for c in commas:
            pieces.append(body[last : c - open_i - 1])
            last = c - open_i
        pieces.append(body[last:])
        options: list[str] = []
        for piece in pieces:
            options.extend(_brace_expand(piece))
    else:
        seq = _sequence(body)
        if seq is None:
            return [pre + "{" + x for x in _brace_expand(body + "}" + post)]
        options = seq
    return [pre + opt + tail for opt in options for tail in _brace_expand(post)]


def _sequence(body: str) -> list[str] | None:
    m = re.fullmatch(r"(-?\d+)\.\.(-?\d+)(?:\.\.(-?\d+))?", body)
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        step = abs(int(m.group(3))) if m.group(3) else 1
        step = step or 1
        if abs(b - a) // step > MAX_BRACE_WORDS:
            raise WordSyntaxError(f"{{{body}}}: brace expansion makes too many words; bashx allows {MAX_BRACE_WORDS}")
        width = 0
        if re.match(r"-?0\d", m.group(1)) or re.match(r"-?0\d", m.group(2)):
            width = max(len(m.group(1)), len(m.group(2)))
        rng = range(a, b + 1, step) if a <= b else range(a, b - 1, -step)
        return [str(v).zfill(width) if width else str(v) for v in rng]
    m = re.fullmatch(r"([A-Za-z])\.\.([A-Za-z])(?:\.\.(-?\d+))?", body)
    if m:
        a, b = ord(m.group(1)), ord(m.group(2))
        step = abs(int(m.group(3))) if m.group(3) else 1
        step = step or 1
        rng = range(a, b + 1, step) if a <= b else range(a, b - 1, -step)
        return [chr(v) for v in rng]
    return None


def _find_brace(text: str) -> tuple[int, int, list[int]] | None:
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            i += 2
        elif ch == "'":
            i = skip_single(text, i)
        elif ch == '"':
            i = skip_double(text, i)
        elif ch == "$" and i + 1 < n and text[i + 1] in "({":
            i = skip_dollar(text, i)
        elif ch == "{":
            found = _scan_braces(text, i, 0)
            if found is not None:
                close, commas = found
                if commas or _sequence(text[i + 1 : close]) is not None:
                    return i, close, commas
            i += 1
        else:
            i += 1
    return None
