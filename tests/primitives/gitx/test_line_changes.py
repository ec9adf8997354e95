"""Line changes between texts against the real `git diff` with the same algorithm, hunk for hunk."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dotdo.primitives.gitx.line_changes import line_changes, line_ids, split_lines

from .conftest import MergeCase


def test_split_lines_keeps_line_ends_and_an_unterminated_last_line() -> None:
    assert split_lines(b"") == []
    assert split_lines(b"\n") == [b"\n"]
    assert split_lines(b"a\r\nb\rc\nlast") == [b"a\r\n", b"b\rc\n", b"last"]


def test_line_ids_are_shared_across_texts() -> None:
    assert line_ids([b"a\n", b"b\n"], [b"b\n", b"c", b"a\n"]) == [[0, 1], [1, 2, 0]]


def test_unknown_algorithm_is_refused() -> None:
    with pytest.raises(ValueError, match="use 'histogram' or 'myers'"):
        line_changes([b"a\n"], [b"b\n"], algorithm="patience")


@pytest.mark.parametrize("algorithm", ["histogram", "myers"])
def test_hunks_match_git_diff(
    algorithm: str,
    merge_cases: Callable[[int, int], list[MergeCase]],
    git_hunks: Callable[..., list[list[tuple[int, int, int, int]]]],
) -> None:
    pairs: list[tuple[bytes, bytes]] = []
    for case in merge_cases(7, 100):
        base = case.base or b""
        pairs += [(base, case.ours), (base, case.theirs), (case.ours, case.theirs)]
    expected = git_hunks(pairs, algorithm=algorithm)
    different = []
    for n, (old, new) in enumerate(pairs):
        got = [
            (c.old_start, c.new_start, c.old_count, c.new_count)
            for c in line_changes(split_lines(old), split_lines(new), algorithm=algorithm)
        ]
        if got != expected[n]:
            different.append(n)
    assert different == []
    assert sum(1 for hunks in expected if len(hunks) > 1) > 50, "the pairs should have several hunks each"
