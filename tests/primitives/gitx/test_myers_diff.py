"""git's Myers diff, including its cut-offs for costly inputs, against the real `git diff --diff-algorithm=myers`."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from dotdo.primitives.gitx.line_changes import line_changes
from dotdo.primitives.gitx.myers_diff import myers_changes, rough_sqrt


def test_rough_sqrt_is_git_power_of_two_estimate() -> None:
    assert [rough_sqrt(n) for n in (0, 1, 3, 4, 15, 16, 6000, 65536, 65537)] == [1, 2, 2, 4, 4, 8, 128, 512, 512]


def test_lines_without_partner_are_changed_and_common_ends_are_not() -> None:
    changed_old, changed_new = myers_changes([0, 1, 2, 3], [0, 4, 2, 3, 5])
    assert list(changed_old) == [0, 1, 0, 0]
    assert list(changed_new) == [0, 1, 0, 0, 1]


def edited(rng: random.Random, size: int, alphabet: int, edits: int) -> tuple[list[bytes], list[bytes]]:
    """A text of `size` lines drawn from `alphabet` distinct lines, and a copy with `edits` random edits."""
    old = [b"line %d\n" % rng.randrange(alphabet) for _ in range(size)]
    new = list(old)
    for _ in range(edits):
        at = rng.randrange(max(1, len(new)))
        new[at : at + rng.randint(1, 5)] = [b"line %d\n" % rng.randrange(alphabet) for _ in range(rng.randint(0, 5))]
    return old, new


@pytest.mark.parametrize(
    ("size", "alphabet", "edits"),
    [
        (3000, 50, 3000),  # the search gives up at its cost limit and takes the furthest-reaching path
        (40000, 300, 1500),  # long common runs inside a costly box: split at a good snake early
    ],
)
def test_costly_diffs_are_cut_short_exactly_as_git_does(
    size: int, alphabet: int, edits: int, git_hunks: Callable[..., list[list[tuple[int, int, int, int]]]]
) -> None:
    old, new = edited(random.Random(size), size, alphabet, edits)
    [expected] = git_hunks([(b"".join(old), b"".join(new))], algorithm="myers")
    got = [(c.old_start, c.new_start, c.old_count, c.new_count) for c in line_changes(old, new, algorithm="myers")]
    assert len(expected) > 200
    assert got == expected
