"""``expr``: evaluate an expression given as separate arguments, as GNU expr does."""

from __future__ import annotations

import re

from dotdo.primitives.bashx.commands.base import CommandCall, CommandError, CommandResult, guarded
from dotdo.primitives.bashx.commands.regex import compile_posix

INTEGER = re.compile(r"[-+]?\d+")


class _Expr:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            last = self.tokens[-1] if self.tokens else ""
            raise CommandError(f"expr: syntax error: missing argument after '{last}'", 2)
        self.pos += 1
        return token

    def run(self) -> str:
        value = self.either()
        if self.pos != len(self.tokens):
            raise CommandError(f"expr: syntax error: unexpected argument '{self.tokens[self.pos]}'", 2)
        return value

    def either(self) -> str:
        left = self.both()
        while self.peek() == "|":
            self.take()
            right = self.both()
            left = left if not _null(left) else (right if not _null(right) else "0")
        return left

    def both(self) -> str:
        left = self.compare()
        while self.peek() == "&":
            self.take()
            right = self.compare()
            left = left if not _null(left) and not _null(right) else "0"
        return left

    def compare(self) -> str:
        left = self.additive()
        while self.peek() in ("=", "==", "!=", "<", "<=", ">", ">="):
            op = self.take()
            right = self.additive()
            if INTEGER.fullmatch(left) and INTEGER.fullmatch(right):
                a: int | str = int(left)
                b: int | str = int(right)
            else:
                a, b = left, right
            result = {
                "=": a == b,
                "==": a == b,
                "!=": a != b,
                "<": a < b,  # type: ignore[operator]
                "<=": a <= b,  # type: ignore[operator]
                ">": a > b,  # type: ignore[operator]
                ">=": a >= b,  # type: ignore[operator]
            }[op]
            left = "1" if result else "0"
        return left

    def additive(self) -> str:
        left = self.multiplicative()
        while self.peek() in ("+", "-"):
            op = self.take()
            right = self.multiplicative()
            a, b = _integer(left), _integer(right)
            left = str(a + b if op == "+" else a - b)
        return left

    def multiplicative(self) -> str:
        left = self.match()
        while self.peek() in ("*", "/", "%"):
            op = self.take()
            right = self.match()
            a, b = _integer(left), _integer(right)
            if op != "*" and b == 0:
                raise CommandError("expr: division by zero", 2)
            if op == "*":
                left = str(a * b)
            else:
                quotient = abs(a) // abs(b) * (1 if (a >= 0) == (b >= 0) else -1)
                left = str(quotient if op == "/" else a - b * quotient)
        return left

    def match(self) -> str:
        left = self.primary()
        while self.peek() == ":":
            self.take()
            left = _regex_match(left, self.primary())
        return left

    def primary(self) -> str:
        token = self.take()
        if token == "(":
            value = self.either()
            if self.take() != ")":
                raise CommandError("expr: syntax error: expecting ')'", 2)
            return value
        if token == "+":
            return self.take()
        if token == "length" and self.peek() is not None:
            return str(len(self.take()))
        if token == "match" and self.peek() is not None:
            text = self.take()
            return _regex_match(text, self.take())
        if token == "substr" and self.peek() is not None:
            text, start, length = self.take(), _integer(self.take()), _integer(self.take())
            return text[start - 1 : start - 1 + length] if start > 0 and length > 0 else ""
        if token == "index" and self.peek() is not None:
            text, chars = self.take(), self.take()
            return str(next((i + 1 for i, c in enumerate(text) if c in chars), 0))
        return token


def _null(value: str) -> bool:
    return value == "" or (INTEGER.fullmatch(value) is not None and int(value) == 0)


def _integer(value: str) -> int:
    if not INTEGER.fullmatch(value):
        raise CommandError("expr: non-integer argument", 2)
    return int(value)


def _regex_match(text: str, pattern: str) -> str:
    regex = compile_posix(pattern, extended=False)
    found = regex.match(text)
    if regex.groups:
        return (found.group(1) or "") if found else ""
    return str(found.end()) if found else "0"


@guarded
def expr(call: CommandCall) -> CommandResult:
    """``expr EXPRESSION``: prints the value; exit status 1 when it is null or 0, 2 on errors."""
    tokens = call.argv[1:]
    if tokens[:1] == ["--"]:
        tokens = tokens[1:]
    if not tokens:
        raise CommandError("expr: missing operand\nTry 'expr --help' for more information.", 2)
    value = _Expr(tokens).run()
    return CommandResult((value + "\n").encode("utf-8", "surrogateescape"), b"", 1 if _null(value) else 0)


COMMANDS = {"expr": expr}
