"""git's histogram diff (what `git merge` uses) against the real `git diff --histogram`."""

from __future__ import annotations

from collections.abc import Callable

from dotdo.primitives.gitx.histogram_diff import histogram_changes
from dotdo.primitives.gitx.line_changes import line_changes, split_lines

Hunks = Callable[..., list[list[tuple[int, int, int, int]]]]


def hunks_of(old: bytes, new: bytes, algorithm: str) -> list[tuple[int, int, int, int]]:
    changes = line_changes(split_lines(old), split_lines(new), algorithm=algorithm)
    return [(c.old_start, c.new_start, c.old_count, c.new_count) for c in changes]


def test_rare_lines_anchor_the_diff_where_myers_would_not(git_hunks: Hunks) -> None:
    old = b"foo\nbar\nbar\n"
    new = b"bar\nfoo\n"
    [histogram] = git_hunks([(old, new)], algorithm="histogram")
    [myers] = git_hunks([(old, new)], algorithm="myers")
    assert histogram != myers
    assert hunks_of(old, new, "histogram") == histogram
    assert hunks_of(old, new, "myers") == myers


def test_lines_repeated_more_than_64_times_fall_back_to_myers(git_hunks: Hunks) -> None:
    old = b"x\n\n" * 80
    new = b"x\n\n" * 30 + b"new\n" + b"x\n" * 20 + b"\n" * 40 + b"x\n\n" * 30
    [expected] = git_hunks([(old, new)], algorithm="histogram")
    assert hunks_of(old, new, "histogram") == expected


def test_no_common_line_changes_everything() -> None:
    changed_old, changed_new = histogram_changes([0, 1], [2, 3, 4])
    assert list(changed_old) == [1, 1] and list(changed_new) == [1, 1, 1]
