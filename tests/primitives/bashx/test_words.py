"""Lexing words by bash's quoting rules, and brace expansion."""

from __future__ import annotations

import pytest

from dotdo.primitives.bashx.words import (
    MAX_BRACE_WORDS,
    ArithSub,
    CommandSub,
    Lit,
    Param,
    ProcessSub,
    WordSyntaxError,
    brace_expand,
    lex,
    lex_heredoc,
)


def test_quotes_mark_text_literal() -> None:
    assert lex("a'b c'\"d\"") == (Lit("a", False), Lit("b c", True), Lit("d", True))


def test_expansions_inside_double_quotes_are_quoted() -> None:
    parts = lex('"x $y $(z) $((1+2))"')
    assert parts == (Lit("x ", True), Param("y", True), Lit(" ", True), CommandSub("z", True), Lit(" ", True),
                     ArithSub("1+2", True))  # fmt: skip


def test_braced_parameter_operators() -> None:
    (p,) = lex("${name:-a b}")
    assert (p.name, p.op, p.arg) == ("name", ":-", "a b")
    (p,) = lex("${path//\\//:}")
    assert (p.op, p.arg, p.arg2) == ("//", "\\/", ":")
    (p,) = lex("${#x}")
    assert p.length


def test_nested_command_substitution_with_case() -> None:
    (part,) = lex("$(case a in a) echo hi;; esac)")
    assert part == CommandSub("case a in a) echo hi;; esac", False)


def test_process_substitution() -> None:
    assert lex("<(sort f)") == (ProcessSub("sort f"),)
    with pytest.raises(WordSyntaxError, match="not supported"):
        lex(">(tee f)")


def test_unclosed_constructs_are_errors() -> None:
    for text in ("'open", '"open', "$(open", "${open", "`open"):
        with pytest.raises(WordSyntaxError):
            lex(text)


def test_heredoc_only_dollar_and_backquote_are_special() -> None:
    assert lex_heredoc("'$x' \"y\"\n") == (Lit("'", True), Param("x", True), Lit('\' "y"\n', True))


def test_brace_expansion() -> None:
    assert brace_expand("a{b,c}d") == ["abd", "acd"]
    assert brace_expand("{1..3}{x,y}") == ["1x", "1y", "2x", "2y", "3x", "3y"]
    assert brace_expand("{05..07}") == ["05", "06", "07"]
    assert brace_expand("'{a,b}'") == ["'{a,b}'"]
    assert brace_expand("{a}") == ["{a}"]


def test_brace_expansion_is_bounded() -> None:
    with pytest.raises(WordSyntaxError, match=str(MAX_BRACE_WORDS)):
        brace_expand("{1..100000000}")
