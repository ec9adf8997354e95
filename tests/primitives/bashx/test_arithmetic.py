"""Bash arithmetic: 64-bit wrap-around, C precedence, assignments and clear errors."""

from __future__ import annotations

import pytest

from dotdo.primitives.bashx.arithmetic import ArithmeticError_, Evaluator


def evaluate(text: str, variables: dict[str, str] | None = None) -> int:
    store = variables if variables is not None else {}
    return Evaluator(lambda n: store.get(n, ""), store.__setitem__).evaluate(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [("1+2*3", 7), ("(1+2)*3", 9), ("2**3**2", 512), ("-7/2", -3), ("-7%2", -1), ("1<<62", 1 << 62),
     ("2**63", -(2**63)), ("0x10+010+2#11", 27), ("!0 && 3 || 0", 1), ("5 > 3 ? 10 : 20", 10), ("", 0)],
)  # fmt: skip
def test_values(text: str, value: int) -> None:
    assert evaluate(text) == value


def test_assignment_and_increment() -> None:
    store = {"x": "5"}
    assert evaluate("x += 2, x * 2", store) == 14
    assert store["x"] == "7"
    assert evaluate("x++", store) == 7 and store["x"] == "8"
    assert evaluate("--x", store) == 7


def test_variables_holding_expressions() -> None:
    assert evaluate("a + 1", {"a": "b * 2", "b": "3"}) == 7


def test_short_circuit_skips_side_effects() -> None:
    store = {"x": "0"}
    evaluate("0 && (x = 5)", store)
    assert store["x"] == "0"


def test_division_by_zero_names_the_token() -> None:
    with pytest.raises(ArithmeticError_, match='division by 0 \\(error token is "0"\\)'):
        evaluate("1/0")


def test_syntax_errors() -> None:
    with pytest.raises(ArithmeticError_, match="syntax error"):
        evaluate("1 +")
    with pytest.raises(ArithmeticError_):
        evaluate("1 @ 2")
