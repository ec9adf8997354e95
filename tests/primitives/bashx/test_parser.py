"""Parsing: tree-sitter-bash to bashx's tree, with syntax errors that say where."""

from __future__ import annotations

import pytest

from dotdo.primitives.bashx import BashSyntaxError, ast
from dotdo.primitives.bashx.parser import MAX_SCRIPT_BYTES, parse


def test_pipeline_and_list_shapes() -> None:
    program = parse("cat f | grep x && echo ok || echo no")
    (node,) = program.body
    assert isinstance(node, ast.AndOr) and node.op == "||"
    assert isinstance(node.left, ast.AndOr) and node.left.op == "&&"
    pipeline = node.left.left
    assert isinstance(pipeline, ast.Pipeline)
    assert [c.words[0].text for c in pipeline.commands] == ["cat", "grep"]


def test_words_keep_their_source_text() -> None:
    (cmd,) = parse("echo \"a $b\" 'c' ${d:-e}").body
    assert [w.text for w in cmd.words] == ["echo", '"a $b"', "'c'", "${d:-e}"]


def test_heredoc_body_and_quoting() -> None:
    (cmd,) = parse("cat <<'EOF'\nliteral $x\nEOF\n").body
    (redirect,) = cmd.redirects
    assert redirect.heredoc == "literal $x\n"
    assert redirect.heredoc_expand is False


def test_words_after_a_redirect_stay_arguments() -> None:
    (cmd,) = parse("echo > out.txt hello world").body
    assert [w.text for w in cmd.words] == ["echo", "hello", "world"]
    assert cmd.redirects[0].target.text == "out.txt"


def test_control_flow_nodes() -> None:
    source = "if a; then b; elif c; then d; else e; fi\nfor x in 1 2; do :; done\nwhile a; do b; done\n"
    source += "case $x in a|b) echo;; esac\nf() { return 1; }\n(( x++ ))\n[[ -n $x ]]\n"
    kinds = [type(n).__name__ for n in parse(source).body]
    assert kinds == ["If", "For", "While", "Case", "FunctionDef", "ArithCommand", "TestExpr"]


def test_syntax_error_has_line_and_column() -> None:
    with pytest.raises(BashSyntaxError) as info:
        parse("echo ok\nif true; then\n  echo missing fi\n")
    assert info.value.line >= 1 and info.value.column >= 1
    assert "line" in str(info.value) and "column" in str(info.value)


def test_unclosed_quote_is_a_syntax_error() -> None:
    with pytest.raises(BashSyntaxError) as info:
        parse("echo 'never closed")
    assert info.value.line == 1


def test_oversized_script_is_refused() -> None:
    with pytest.raises(BashSyntaxError, match="limit"):
        parse("#" * (MAX_SCRIPT_BYTES + 1))


def test_non_string_script_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        parse(b"echo hi")  # type: ignore[arg-type]
