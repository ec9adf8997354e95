"""Bash arithmetic: ``$(( ))``, ``(( ))`` and ``for (( ))`` with 64-bit signed integers."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

TOKEN_RE = re.compile(
    r"\s*(?:(0[xX][0-9a-fA-F]+|\d+#[0-9a-zA-Z@_]+|\d+)|([A-Za-z_][A-Za-z0-9_]*)|"
    r"(<<=|>>=|\*\*|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||\+=|-=|\*=|/=|%=|&=|\^=|\|=|[-+*/%<>=!~&^|?:,()\[\]]))"
)


class ArithmeticError_(ValueError):
    """A bash arithmetic expression is malformed or divides by zero."""


def _wrap(value: int) -> int:
    value &= (1 << 64) - 1
    return value - (1 << 64) if value >= 1 << 63 else value


@lru_cache(maxsize=2048)
def _tokens(text: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The tokens of an expression and where each starts (cached: loops evaluate the same text)."""
    pos = 0
    out: list[str] = []
    starts: list[int] = []
    text = text.rstrip()
    while pos < len(text):
        m = TOKEN_RE.match(text, pos)
        if not m or m.end() == pos:
            raise ArithmeticError_(
                f'{text.strip()}: syntax error: invalid arithmetic operator (error token is "{text[pos:].strip()}")'
            )
        out.append(m.group(m.lastindex or 0))
        starts.append(m.start(m.lastindex or 0))
        pos = m.end()
    return tuple(out), tuple(starts)


BINARY = [
    ("||",),
    ("&&",),
    ("|",),
    ("^",),
    ("&",),
    ("==", "!="),
    ("<", ">", "<=", ">="),
    ("<<", ">>"),
    ("+", "-"),
    ("*", "/", "%"),
]
PRECEDENCE = {op: level for level, ops in enumerate(BINARY) for op in ops}
ASSIGN = ("=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "^=", "|=")


DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ@_"


def _in_base(digits: str, base: int, token: str) -> int:
    """``base#digits``: up to base 36 letters are either case; past it a-z, A-Z, @ and _ follow 9."""
    if not 2 <= base <= 64:
        raise ArithmeticError_(f'{token}: invalid arithmetic base (error token is "{token}")')
    value = 0
    for ch in digits:
        digit = DIGITS.find(ch.lower() if base <= 36 else ch)
        if digit < 0 or digit >= base:
            raise ArithmeticError_(f'{token}: value too great for base (error token is "{token}")')
        value = value * base + digit
    return value


class Evaluator:
    """Evaluate with variables read and written through callbacks."""

    def __init__(self, get: Callable[[str], str], set_: Callable[[str, str], None]) -> None:
        self.get = get
        self.set = set_

    def evaluate(self, text: str) -> int:
        """Value of a whole expression (an empty expression is 0)."""
        self.toks, self.starts = _tokens(text)
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
        """The next token, or None at the end."""
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def take(self) -> str:
        """Consume the next token (an operand is expected when there is none)."""
        tok = self.peek()
        if tok is None:
            last = self.toks[-1] if self.toks else ""
            raise ArithmeticError_(f'{self.text.strip()}: syntax error: operand expected (error token is "{last}")')
        self.pos += 1
        return tok

    def var_value(self, name: str, live: bool) -> int:
        """A variable's value as a number (its text is evaluated recursively)."""
        if not live:
            return 0
        raw = self.get(name).strip()
        if not raw:
            return 0
        if raw.isascii() and raw.isdigit() and (raw == "0" or raw[0] != "0"):
            return _wrap(int(raw))
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", raw):
            return self.var_value(raw, live)
        return Evaluator(self.get, self.set).evaluate(raw)

    def comma(self, live: bool) -> int:
        """Parse ``a, b``."""
        value = self.assign(live)
        while self.peek() == ",":
            self.take()
            value = self.assign(live)
        return value

    def assign(self, live: bool) -> int:
        """Parse ``name = value`` and the compound assignments."""
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
            value = rhs if op == "=" else self.binop(op[:-1], self.var_value(name, live), rhs, live)
            if live:
                self.set(name, str(value))
            return value
        value = self.ternary(live)
        if self.peek() in ASSIGN:  # `1 ? 2 : x += 3` assigns to the conditional, not to x
            rest = "".join(self.toks[self.pos :])
            raise ArithmeticError_(
                f'{self.text.strip()}: attempted assignment to non-variable (error token is "{rest}")'
            )
        return value

    def ternary(self, live: bool) -> int:
        """Parse ``cond ? a : b``."""
        cond = self.binary(0, live)
        if self.peek() != "?":
            return cond
        self.take()
        yes = self.assign(live and cond != 0)
        if self.take() != ":":
            raise ArithmeticError_(f"{self.text.strip()}: `:' expected for conditional expression")
        no = self.ternary(live and cond == 0)  # C's grammar: no assignment after `:` unparenthesized
        return yes if cond else no

    def binary(self, level: int, live: bool) -> int:
        """Parse binary operators binding at least as tightly as ``level`` (precedence climbing)."""
        left = self.power(live)
        while True:
            op = self.peek()
            prec = PRECEDENCE.get(op) if op is not None else None
            if op is None or prec is None or prec < level:
                return left
            self.take()
            if op == "&&":
                right = self.binary(prec + 1, live and left != 0)
                left = int(left != 0 and right != 0)
            elif op == "||":
                right = self.binary(prec + 1, live and left == 0)
                left = int(left != 0 or right != 0)
            else:
                right_start = self.starts[self.pos] if self.pos < len(self.starts) else len(self.text)
                self.error_token = self.text[right_start:].strip()
                left = self.binop(op, left, self.binary(prec + 1, live), live)

    def binop(self, op: str, a: int, b: int, live: bool) -> int:
        """Apply a binary operator with 64-bit wrap-around."""
        if op in ("/", "%"):
            if b == 0:
                if not live:
                    return 0
                token = getattr(self, "error_token", self.text.strip())
                raise ArithmeticError_(f'{self.text.strip()}: division by 0 (error token is "{token}")')
            q = abs(a) // abs(b) * (1 if (a >= 0) == (b >= 0) else -1)
            return _wrap(q if op == "/" else a - q * b)
        result = {
            "+": lambda: a + b,
            "-": lambda: a - b,
            "*": lambda: a * b,
            "<<": lambda: a << (b & 63),
            ">>": lambda: a >> (b & 63),
            "&": lambda: a & b,
            "|": lambda: a | b,
            "^": lambda: a ^ b,
            "==": lambda: int(a == b),
            "!=": lambda: int(a != b),
            "<": lambda: int(a < b),
            ">": lambda: int(a > b),
            "<=": lambda: int(a <= b),
            ">=": lambda: int(a >= b),
        }[op]()
        return _wrap(result)

    def power(self, live: bool) -> int:
        """Parse ``a ** b`` (right associative)."""
        base = self.unary(live)
        if self.peek() == "**":
            self.take()
            exp = self.power(live)
            if exp < 0:
                raise ArithmeticError_(f"{self.text.strip()}: exponent less than 0")
            return _wrap(pow(base, exp, 1 << 64))
        return base

    def unary(self, live: bool) -> int:
        """Parse ``+ - ! ~`` and prefix ``++``/``--``."""
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
        """Parse a parenthesized expression, a variable with postfix ``++``/``--``, or a number."""
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
        """A literal in base 10, 8 (``0``), 16 (``0x``) or ``base#digits``."""
        try:
            if tok.lower().startswith("0x"):
                return _wrap(int(tok, 16))
            if "#" in tok:
                base, digits = tok.split("#", 1)
                return _wrap(_in_base(digits, int(base), tok))
            if len(tok) > 1 and tok.startswith("0"):
                return _wrap(int(tok, 8))
            return _wrap(int(tok))
        except ArithmeticError_:
            raise
        except ValueError:
            raise ArithmeticError_(f'{tok}: value too great for base (error token is "{tok}")') from None
