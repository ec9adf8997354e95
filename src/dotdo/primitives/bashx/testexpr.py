"""``test``/``[ ]`` (POSIX argument rules) and ``[[ ]]`` (bash's conditional expressions)."""

from __future__ import annotations

import re
import stat as stat_mod
from typing import Any

from dotdo.primitives.bashx import arrays
from dotdo.primitives.bashx.arrays import AssocArray, IndexedArray
from dotdo.primitives.bashx.ast import Word
from dotdo.primitives.bashx.pattern import compile_pattern

UNARY_FILE = set("ebcdfghkprsuwxOGLSN")
UNARY = {"-" + c for c in UNARY_FILE} | {"-z", "-n", "-v", "-t", "-o", "-a"}
BINARY = {"=", "==", "!=", "<", ">", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-nt", "-ot", "-ef", "=~"}


class TestSyntaxError(ValueError):
    """A malformed test expression (status 2)."""


CHARACTER_DEVICES = frozenset({"/dev/null", "/dev/zero", "/dev/tty", "/dev/random", "/dev/urandom"})
"""Devices every system has: they exist, readable and writable, whatever the object's files hold."""
STANDARD_STREAMS = {"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2}


def _device_test(interp: Any, op: str, path: str) -> bool | None:
    """A file test on a device or an open descriptor's name (None for any other path)."""
    if path in CHARACTER_DEVICES:
        return op in ("-e", "-a", "-c", "-r", "-w")
    fd = STANDARD_STREAMS.get(path)
    if fd is None and re.fullmatch(r"/dev/fd/\d+", path):
        fd = int(path.rsplit("/", 1)[1])
    if fd is None:
        return None
    stream = interp.io.get(fd)
    if stream is None:
        return False
    from dotdo.primitives.bashx.streams import PipeReader, PipeWriter

    if op == "-p":
        return isinstance(stream, PipeReader | PipeWriter)
    return op in ("-e", "-a", "-r", "-w")


def file_test(interp: Any, op: str, path: str) -> bool:
    """Evaluate a unary file operator against the object's filesystem."""
    if not path:
        return False
    device = _device_test(interp, op, path)
    if device is not None:
        return device
    full = interp.resolve(path)
    fs = interp.fs
    try:
        st = fs.lstat(full) if op in ("-h", "-L") else fs.stat(full)
    except (OSError, ValueError):
        return False
    mode = st.st_mode
    checks = {
        "-e": True,
        "-a": True,
        "-f": stat_mod.S_ISREG(mode),
        "-d": stat_mod.S_ISDIR(mode),
        "-h": stat_mod.S_ISLNK(mode),
        "-L": stat_mod.S_ISLNK(mode),
        "-s": st.st_size > 0,
        "-r": bool(mode & 0o444),
        "-w": bool(mode & 0o222),
        "-x": bool(mode & 0o111),
        "-p": stat_mod.S_ISFIFO(mode),
        "-S": stat_mod.S_ISSOCK(mode),
        "-b": stat_mod.S_ISBLK(mode),
        "-c": stat_mod.S_ISCHR(mode),
        "-g": bool(mode & stat_mod.S_ISGID),
        "-u": bool(mode & stat_mod.S_ISUID),
        "-k": bool(mode & stat_mod.S_ISVTX),
        "-O": True,
        "-G": True,
        "-N": False,
    }
    return checks[op]


def _integer(text: str) -> int:
    stripped = text.strip()
    if not re.fullmatch(r"[-+]?\d+", stripped):
        raise TestSyntaxError(f"{text}: integer expression expected")
    return int(stripped)


def _mtime(interp: Any, path: str) -> float | None:
    try:
        return interp.fs.stat(interp.resolve(path)).st_mtime
    except (OSError, ValueError):
        return None


def binary(interp: Any, op: str, left: str, right: str, *, pattern: Any = None, arithmetic: bool = False) -> bool:
    """Evaluate a binary operator; ``pattern`` (for [[ ]]) is a compiled shell pattern for == and !=.

    ``arithmetic`` (in [[ ]]) evaluates the operands of -eq and the like as arithmetic
    expressions (``0x10``, ``010``, names), where ``test`` takes decimal integers only.
    """
    if op in ("=", "=="):
        return pattern.fullmatch(left) is not None if pattern is not None else left == right
    if op == "!=":
        return pattern.fullmatch(left) is None if pattern is not None else left != right
    if op == "<":
        return left.encode() < right.encode()
    if op == ">":
        return left.encode() > right.encode()
    if op in ("-eq", "-ne", "-lt", "-le", "-gt", "-ge"):
        if arithmetic:
            a, b = interp.expander.arithmetic(left), interp.expander.arithmetic(right)
        else:
            a, b = _integer(left), _integer(right)
        return {"-eq": a == b, "-ne": a != b, "-lt": a < b, "-le": a <= b, "-gt": a > b, "-ge": a >= b}[op]
    if op in ("-nt", "-ot"):
        ma, mb = _mtime(interp, left), _mtime(interp, right)
        if op == "-nt":
            return ma is not None and (mb is None or ma > mb)
        return mb is not None and (ma is None or ma < mb)
    if op == "-ef":
        try:
            sa, sb = interp.fs.stat(interp.resolve(left)), interp.fs.stat(interp.resolve(right))
        except (OSError, ValueError):
            return False
        return sa.st_ino == sb.st_ino
    raise TestSyntaxError(f"{op}: binary operator expected")


def is_set(interp: Any, operand: str) -> bool:
    """``-v NAME`` or ``-v NAME[INDEX]``: the variable, or that element of it, has a value."""
    match = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)\[(.+)\]", operand, re.S)
    if match is None:
        name, index = interp.expander.resolve_reference(operand, None)
        if index is not None:
            return is_set(interp, f"{name}[{index}]")
        value = interp.state.variables.get(name)
        if isinstance(value, IndexedArray):
            return 0 in value
        if isinstance(value, AssocArray):
            return "0" in value
        return value is not None
    value = interp.state.variables.get(interp.state.resolve(match.group(1)))
    key = match.group(2)
    if key in ("@", "*") and not isinstance(value, AssocArray):  # an associative array's @ is a key
        return bool(value) if isinstance(value, IndexedArray) else value is not None
    return arrays.element(interp.expander, value, key) is not None


def unary(interp: Any, op: str, operand: str) -> bool:
    """Evaluate a unary operator."""
    if op == "-z":
        return operand == ""
    if op == "-n":
        return operand != ""
    if op == "-v":
        return is_set(interp, operand)
    if op == "-t":
        return False
    if op == "-o":
        return bool(getattr(interp.state.options, operand, False))
    return file_test(interp, op, operand)


# test / [ -----------------------------------------------------------------------------------
def run_test(interp: Any, args: list[str]) -> bool:
    """POSIX ``test`` with its argument-count rules."""
    parser = _TestParser(interp, args)
    return parser.run()


class _TestParser:
    def __init__(self, interp: Any, args: list[str]) -> None:
        self.interp = interp
        self.args = args
        self.pos = 0

    def run(self) -> bool:
        n = len(self.args)
        a = self.args
        if n == 0:
            return False
        if n == 1:
            return a[0] != ""
        if n == 2:
            if a[0] == "!":
                return a[1] == ""
            if a[0] in UNARY:
                return unary(self.interp, a[0], a[1])
            raise TestSyntaxError(f"{a[0]}: unary operator expected")
        if n == 3:
            if a[1] in BINARY and a[1] != "=~":
                return binary(self.interp, a[1], a[0], a[2])
            if a[0] == "!":
                return not _TestParser(self.interp, a[1:]).run()
            if a[0] == "(" and a[2] == ")":
                return a[1] != ""
            if a[1] in ("-a", "-o"):
                return (a[0] != "" and a[2] != "") if a[1] == "-a" else (a[0] != "" or a[2] != "")
            raise TestSyntaxError(f"{a[1]}: binary operator expected")
        if n == 4 and a[0] == "!":
            return not _TestParser(self.interp, a[1:]).run()
        value = self.or_expr()
        if self.pos != n:
            raise TestSyntaxError("too many arguments")
        return value

    def peek(self) -> str | None:
        return self.args[self.pos] if self.pos < len(self.args) else None

    def take(self) -> str:
        tok = self.peek()
        if tok is None:
            raise TestSyntaxError("argument expected")
        self.pos += 1
        return tok

    def or_expr(self) -> bool:
        value = self.and_expr()
        while self.peek() == "-o":
            self.take()
            right = self.and_expr()
            value = value or right
        return value

    def and_expr(self) -> bool:
        value = self.not_expr()
        while self.peek() == "-a":
            self.take()
            right = self.not_expr()
            value = value and right
        return value

    def not_expr(self) -> bool:
        if self.peek() == "!":
            self.take()
            return not self.not_expr()
        return self.primary()

    def primary(self) -> bool:
        tok = self.take()
        if tok == "(":
            value = self.or_expr()
            if self.take() != ")":
                raise TestSyntaxError("`)' expected")
            return value
        nxt = self.peek()
        if nxt in BINARY and nxt != "=~":
            self.take()
            return binary(self.interp, nxt, tok, self.take())
        if tok in UNARY and nxt is not None:
            return unary(self.interp, tok, self.take())
        return tok != ""


# [[ ]] --------------------------------------------------------------------------------------
def evaluate_test(interp: Any, tokens: list[Word | str]) -> int:
    """Exit status of ``[[ tokens ]]``: 0 true, 1 false, 2 on errors."""
    from dotdo.primitives.bashx.builtins import ShellBuiltinError

    try:
        value = _CondParser(interp, tokens).run()
    except TestSyntaxError as exc:
        raise ShellBuiltinError(str(exc), 2) from None
    return 0 if value else 1


class _CondParser:
    def __init__(self, interp: Any, tokens: list[Word | str]) -> None:
        self.interp = interp
        self.tokens = tokens
        self.pos = 0

    def run(self) -> bool:
        value = self.or_expr(True)
        if self.pos != len(self.tokens):
            raise TestSyntaxError("syntax error in conditional expression")
        return value

    def peek(self) -> Word | str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> Word | str:
        tok = self.peek()
        if tok is None:
            raise TestSyntaxError("unexpected end of conditional expression")
        self.pos += 1
        return tok

    def text(self, tok: Word | str) -> str:
        return tok.text if isinstance(tok, Word) else tok

    def value(self, tok: Word | str, live: bool) -> str:
        if not live:
            return ""
        if isinstance(tok, str):
            return tok
        return self.interp.expander.single(tok)

    def or_expr(self, live: bool) -> bool:
        value = self.and_expr(live)
        while self.peek() == "||":
            self.take()
            right = self.and_expr(live and not value)
            value = value or right
        return value

    def and_expr(self, live: bool) -> bool:
        value = self.not_expr(live)
        while self.peek() == "&&":
            self.take()
            right = self.not_expr(live and value)
            value = value and right
        return value

    def not_expr(self, live: bool) -> bool:
        if self.peek() == "!":
            self.take()
            return not self.not_expr(live)
        return self.primary(live)

    def primary(self, live: bool) -> bool:
        tok = self.take()
        if tok == "(":
            value = self.or_expr(live)
            if self.take() != ")":
                raise TestSyntaxError("expected `)'")
            return value
        nxt = self.peek()
        nxt_text = self.text(nxt) if nxt is not None else None
        if nxt_text in BINARY:
            self.take()
            right_tok = self.take()
            left = self.value(tok, live)
            if not live:
                return False
            if nxt_text == "=~":
                regex_text = self.regex_source(right_tok)
                try:
                    match = re.search(regex_text, left)
                except re.error:
                    raise TestSyntaxError(f"{regex_text}: invalid regular expression") from None
                if match:
                    groups = [match.group(0), *[g or "" for g in match.groups()]]
                    self.interp.state.variables["BASH_REMATCH"] = IndexedArray.of(groups)
                    return True
                self.interp.state.variables["BASH_REMATCH"] = IndexedArray()
                return False
            if nxt_text in ("=", "==", "!="):
                pieces = (
                    self.interp.expander.pattern(right_tok) if isinstance(right_tok, Word) else [(right_tok, False)]
                )
                nocase = "nocasematch" in self.interp.state.shopts
                return binary(self.interp, nxt_text, left, "", pattern=compile_pattern(tuple(pieces), nocase=nocase))
            return binary(self.interp, nxt_text, left, self.value(right_tok, live), arithmetic=True)
        text = self.text(tok)
        if text in UNARY and nxt is not None and nxt not in ("&&", "||", ")"):
            operand = self.value(self.take(), live)
            return live and unary(self.interp, text, operand)
        return self.value(tok, live) != ""

    def regex_source(self, tok: Word | str) -> str:
        if isinstance(tok, str):
            return tok
        pieces = self.interp.expander.pattern(tok)
        return "".join(text if active else re.escape(text) for text, active in pieces)
