"""bash's own grammar: the tree it builds where tree-sitter-bash gives up, and what it refuses."""

from __future__ import annotations

import pytest

from dotdo.primitives.bashx import ast
from dotdo.primitives.bashx.errors import BashSyntaxError
from dotdo.primitives.bashx.reader import command_list_end, read


def test_a_here_document_after_a_function_body_belongs_to_the_function() -> None:
    program = read("f() { cat; } <<EOF\nhi\nEOF\nf\n")
    definition, call = program.body
    assert isinstance(definition, ast.FunctionDef)
    assert isinstance(definition.body, ast.Redirected)
    assert definition.body.redirects[0].heredoc == "hi\n"
    assert isinstance(call, ast.SimpleCommand) and call.line == 4


def test_two_here_documents_on_a_line_take_their_bodies_in_order() -> None:
    (command,) = read("cat <<A 3<<'B'\none\nA\n$two\nB\n").body
    assert isinstance(command, ast.SimpleCommand)
    first, second = command.redirects
    assert (first.heredoc, first.heredoc_expand) == ("one\n", True)
    assert (second.fd, second.heredoc, second.heredoc_expand) == (3, "$two\n", False)


def test_words_are_cut_where_bash_cuts_them() -> None:
    (command,) = read("echo ${x!y} $((1+)) @(a|b)c $(case a in a) echo ')';; esac) x\n").body
    assert isinstance(command, ast.SimpleCommand)
    assert [w.text for w in command.words] == [
        "echo",
        "${x!y}",
        "$((1+))",
        "@(a|b)c",
        "$(case a in a) echo ')';; esac)",
        "x",
    ]


def test_a_command_substitution_ends_at_its_own_parenthesis() -> None:
    text = "$(echo a # ) not yet\n)rest"
    assert text[command_list_end(text, 2) :] == "rest"


@pytest.mark.parametrize(
    ("script", "line"),
    [("echo a\nif then fi\n", 2), ("while true; do\n", 2), ("echo 'open\n", 1), ("{ }\n", 1), ("fi\n", 1)],
)
def test_what_bash_refuses_is_a_syntax_error_with_its_line(script: str, line: int) -> None:
    with pytest.raises(BashSyntaxError) as info:
        read(script)
    assert info.value.line == line


def test_an_unquoted_here_document_joins_backslash_newline_before_it_looks_for_the_end() -> None:
    program = read("cat <<EOF\nhi\nEO\\\nF\ncat <<'E'\nq\\\nE\n")
    first, second = program.body
    assert first.redirects[0].heredoc == "hi\n"
    assert second.redirects[0].heredoc == "q\\\n"


def test_redirections_keep_what_printing_them_back_needs() -> None:
    (command,) = read("exec {fd}>out <<'END'\nx\nEND\n").body
    named, doc = command.redirects
    assert named.variable == "fd" and named.target.text == "out"
    assert doc.target.text == "'END'" and not doc.heredoc_expand


def test_coproc_takes_a_name_only_before_a_compound_command() -> None:
    named, simple = read("coproc W { cat; }\ncoproc cat -n\n").body
    assert isinstance(named, ast.Coproc) and named.name == "W"
    assert isinstance(simple, ast.Coproc) and simple.name == "COPROC"
    assert simple.body.words[0].text == "cat"
