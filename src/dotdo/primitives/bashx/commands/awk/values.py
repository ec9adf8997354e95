"""awk values: numbers, strings, and strnums (input that looks numeric compares as a number)."""

from __future__ import annotations

import math
import re

NUMERIC_RE = re.compile(r"^[ \t\n]*[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|inf|nan)[ \t\n]*$", re.I)
PREFIX_RE = re.compile(r"^[ \t\n]*([-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?))")


class StrNum(str):
    """A string from input; compared numerically when it looks like a number."""

    __slots__ = ()


UNINIT = StrNum("")
Value = float | str


def to_num(value: Value) -> float:
    """awk's string-to-number: the longest numeric prefix, else 0."""
    if isinstance(value, int | float):
        return float(value)
    m = PREFIX_RE.match(value)
    return float(m.group(1)) if m else 0.0


def num_to_str(value: float, fmt: str = "%.6g") -> str:
    """Integers print without a decimal point; others use CONVFMT/OFMT."""
    if math.isfinite(value) and value == int(value) and abs(value) < 1e16:
        return str(int(value))
    if math.isnan(value):
        return "nan" if math.copysign(1, value) > 0 else "-nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return fmt % value


def to_str(value: Value, fmt: str = "%.6g") -> str:
    """Value as a string."""
    if isinstance(value, float):
        return num_to_str(value, fmt)
    return str(value)


def looks_numeric(value: Value) -> bool:
    """True for numbers, the uninitialized value and strnums that look numeric."""
    if isinstance(value, float):
        return True
    if isinstance(value, StrNum):
        return value == "" or bool(NUMERIC_RE.match(value))
    return False


def truthy(value: Value) -> bool:
    """awk truth: non-zero numbers, non-empty strings (strnums by their numeric value)."""
    if isinstance(value, float):
        return value != 0
    if isinstance(value, StrNum) and looks_numeric(value) and value != "":
        return to_num(value) != 0
    return value != ""


def compare(a: Value, b: Value) -> int:
    """-1, 0 or 1 with awk's numeric-or-string rule."""
    if looks_numeric(a) and looks_numeric(b):
        x, y = to_num(a), to_num(b)
        return (x > y) - (x < y)
    s, t = to_str(a), to_str(b)
    return (s > t) - (s < t)
