"""git's indent heuristic: slid groups of added lines land where `git diff` puts them."""

from __future__ import annotations

from collections.abc import Callable

from dotdo.primitives.gitx.indent_heuristic import indent_of
from dotdo.primitives.gitx.line_changes import line_changes, split_lines


def test_indent_counts_columns_with_tab_stops_and_blank_lines_have_none() -> None:
    assert indent_of(b"x\n") == 0
    assert indent_of(b"   x\n") == 3
    assert indent_of(b"  \tx\n") == 8
    assert indent_of(b" \t \tx") == 16
    assert indent_of(b"  \t \r\n") == -1
    assert indent_of(b" " * 300 + b"x") == 200


def test_a_repeated_block_opener_is_shown_where_git_diff_shows_it(git_diff_hunks: Callable[..., list[bytes]]) -> None:
    old = b"if (x) {\n    x()\n"
    new = b"if (x) {\nif (x) {\n    x()\n"
    [with_heuristic] = git_diff_hunks([(old, new)], "-U0")
    [without] = git_diff_hunks([(old, new)], "-U0", "--no-indent-heuristic")
    assert with_heuristic == b"@@ -0,0 +1 @@\n+if (x) {\n"
    assert without == b"@@ -1,0 +2 @@ if (x) {\n+if (x) {\n"

    def change(indent_heuristic: bool) -> tuple[int, int, int, int]:
        [found] = line_changes(split_lines(old), split_lines(new), algorithm="myers", indent_heuristic=indent_heuristic)
        return found.old_start, found.new_start, found.old_count, found.new_count

    assert change(True) == (0, 0, 0, 1)
    assert change(False) == (1, 1, 0, 1)
