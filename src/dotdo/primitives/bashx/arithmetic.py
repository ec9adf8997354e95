"""Bash arithmetic: ``$(( ))``, ``(( ))`` and ``for (( ))`` with 64-bit signed integers."""

from __future__ import annotations

import re
from collections.abc import Callable

TOKEN_RE = re.compile(
    r"\s*(?:(0[xX][0-9a-fA-F]+|\d+#[0-9a-zA-Z@_]+|\d+)|([A-Za-z_][A-Za-z0-9_]*)|"
    r"(<<=|>>=|\*\*|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||\+=|-=|\*=|/=|%=|&=|\^=|\|=|[-+*/%<>=!~&^|?:,()\[\]]))"
)


class ArithmeticError_(ValueError):
    """A bash arithmetic expression is malformed or divides by zero."""


def _wrap(value: int) -> int:
    value &= (1 << 64) - 1
    return value - (1 << 64) if value >= 1 << 63 else value


def _tokens(text: str) -> list[str]:
    pos = 0
    out: list[str] = []
    text = text.rstrip()
    while pos < len(text):
        m = TOKEN_RE.match(text, pos)
        if not m or m.end() == pos:
            raise ArithmeticError_(
                f'{text}: syntax error: invalid arithmetic operator (error token is "{text[pos:].strip()}")'
            )
        out.append(m.group(m.lastindex or 0))
        pos = m.end()
    return out


BINARY = [
    ("||",), ("&&",), ("|",), ("^",), ("&",), ("==", "!="), ("<", ">", "<=", ">="), ("<<", ">>"),
    ("+", "-"), ("*", "/", "%"),
]  # fmt: skip
ASSIGN = ("=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "^=", "|=")


class Evaluator:
    """Evaluate with variables read and written through callbacks."""

    def __init__(self, get: Callable[[str], str], set_: Callable[[str, str], None]) -> None:
        self.get = get
        self.set = set_

    def evaluate(self, text: str) -> int:
        """Value of a whole expression (an empty expression is 0)."""
        self.toks = _tokens(text)
        self.pos = 0
        self.text = text
        if not self.toks:
            return 0
        value = self.comma(True)
        if self.pos != len(self.toks):
            raise ArithmeticError_(
                f'{text.strip()}: syntax error in expression (error token is "{self.toks[self.pos]}")'
            )
        return value

    def peek(self) -> str | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def take(self) -> str:
        tok = self.peek()
        if tok is None:
            raise ArithmeticError_(f"{self.text.strip()}: syntax error: operand expected")
        self.pos += 1
        return tok

    def var_value(self, name: str, live: bool) -> int:
        if not live:
            return 0
        raw = self.get(name).strip()
        if not raw:
            return 0
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", raw):
            return self.var_value(raw, live)
        return Evaluator(self.get, self.set).evaluate(raw)

    def comma(self, live: bool) -> int:
        value = self.assign(live)
        while self.peek() == ",":
            self.take()
            value = self.assign(live)
        return value

    def assign(self, live: bool) -> int:
        tok = self.peek()
        if (
            tok
            and re.fullmatch(r"[A-Za-z_]\w*", tok)
            and self.pos + 1 < len(self.toks)
            and self.toks[self.pos + 1] in ASSIGN
        ):
            name = self.take()
            op = self.take()
            rhs = self.assign(live)
            if op == "=":
                value = rhs
            else:
                value = self.binop(op[:-1], self.var_value(name, live), rhs, live)
            if live:
                self.set(name, str(value))
            return value
        return self.ternary(live)

    def ternary(self, live: bool) -> int:
        cond = self.binary(0, live)
        if self.peek() != "?":
            return cond
        self.take()
        yes = self.assign(live and cond != 0)
        if self.take() != ":":
            raise ArithmeticError_(f"{self.text.strip()}: `:' expected for conditional expression")
        no = self.assign(live and cond == 0)
        return yes if cond else no

    def binary(self, level: int, live: bool) -> int:
        if level == len(BINARY):
            return self.power(live)
        ops = BINARY[level]
        left = self.binary(level + 1, live)
        while self.peek() in ops:
            op = self.take()
            if op == "&&":
                right = self.binary(level + 1, live and left != 0)
                left = int(left != 0 and right != 0)
            elif op == "||":
                right = self.binary(level + 1, live and left == 0)
                left = int(left != 0 or right != 0)
            else:
                left = self.binop(op, left, self.binary(level + 1, live), live)
        return left

    def binop(self, op: str, a: int, b: int, live: bool) -> int:
        if op in ("/", "%"):
            if b == 0:
                if not live:
                    return 0
                raise ArithmeticError_(
                    f'{self.text.strip()}: division by 0 (error token is "{self.text.strip()}")'
                )
            q = abs(a) // abs(b) * (1 if (a >= 0) == (b >= 0) else -1)
            return _wrap(q if op == "/" else a - q * b)
        result = {
            "+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "<<": lambda: a << (b & 63),
            ">>": lambda: a >> (b & 63), "&": lambda: a & b, "|": lambda: a | b, "^": lambda: a ^ b,
            "==": lambda: int(a == b), "!=": lambda: int(a != b), "<": lambda: int(a < b),
            ">": lambda: int(a > b), "<=": lambda: int(a <= b), ">=": lambda: int(a >= b),
        }[op]()  # fmt: skip
        return _wrap(result)

    def power(self, live: bool) -> int:
        base = self.unary(live)
        if self.peek() == "**":
            self.take()
            exp = self.power(live)
            if exp < 0:
                raise ArithmeticError_(f"{self.text.strip()}: exponent less than 0")
            return _wrap(pow(base, exp, 1 << 64))
        return base

    def unary(self, live: bool) -> int:
        tok = self.peek()
        if tok in ("+", "-", "!", "~"):
            self.take()
            value = self.unary(live)
            return {"+": value, "-": _wrap(-value), "!": int(value == 0), "~": ~value}[tok]
        if tok in ("++", "--"):
            self.take()
            name = self.take()
            value = self.var_value(name, live) + (1 if tok == "++" else -1)
            if live:
                self.set(name, str(value))
            return value
        return self.postfix(live)

    def postfix(self, live: bool) -> int:
        tok = self.take()
        if tok == "(":
            value = self.comma(live)
            if self.take() != ")":
                raise ArithmeticError_(f"{self.text.strip()}: missing `)'")
            return value
        if re.fullmatch(r"[A-Za-z_]\w*", tok):
            value = self.var_value(tok, live)
            if self.peek() in ("++", "--"):
                op = self.take()
                if live:
                    self.set(tok, str(value + (1 if op == "++" else -1)))
            return value
        return self.number(tok)

    def number(self, tok: str) -> int:
        try:
            if tok.lower().startswith("0x"):
                return _wrap(int(tok, 16))
            if "#" in tok:
                base, digits = tok.split("#", 1)
                return _wrap(int(digits, int(base)))
            if len(tok) > 1 and tok.startswith("0"):
                return _wrap(int(tok, 8))
            return _wrap(int(tok))
        except ValueError:
            raise ArithmeticError_(f'{tok}: value too great for base (error token is "{tok}")') from None
