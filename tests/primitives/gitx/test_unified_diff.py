"""One file's `git diff` hunks against the real `git diff`, byte for byte."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dotdo.primitives.gitx.unified_diff import function_line, unified_hunks

from .conftest import MergeCase


def test_function_line_is_git_default_hunk_header_context() -> None:
    assert function_line(b"def run(self):\n") == b"def run(self):"
    assert function_line(b"_private = 1 \t\r\n") == b"_private = 1"
    assert function_line(b"$var\n") == b"$var"
    assert function_line(b"    indented()\n") is None
    assert function_line(b"{\n") is None
    assert function_line(b"x" * 100 + b"\n") == b"x" * 80


def test_counts_and_missing_final_newline() -> None:
    hunks = unified_hunks(b"a\nb\nc", b"a\nB\nc\nd\n")
    assert (hunks.additions, hunks.deletions) == (3, 2)
    assert hunks.text == b"@@ -1,3 +1,4 @@\n a\n-b\n-c\n\\ No newline at end of file\n+B\n+c\n+d\n"
    assert unified_hunks(b"same\n", b"same\n").text == b""


def test_random_texts_diff_exactly_as_git(
    merge_cases: Callable[[int, int], list[MergeCase]], git_diff_hunks: Callable[..., list[bytes]]
) -> None:
    pairs: list[tuple[bytes, bytes]] = []
    for case in merge_cases(21, 150):
        pairs += [(case.base or b"", case.ours), (case.ours, case.theirs)]
    expected = git_diff_hunks(pairs)
    different = [n for n, (old, new) in enumerate(pairs) if unified_hunks(old, new).text != expected[n]]
    assert different == []
    assert sum(text.count(b"\n@@ ") for text in expected) > 50, "the pairs should have several hunks each"


def test_text_must_be_bytes() -> None:
    with pytest.raises(TypeError, match="takes bytes"):
        unified_hunks("a\n", b"b\n")  # type: ignore[arg-type]
