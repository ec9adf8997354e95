"""Three-way text merge against the real `git merge` on the same three versions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from dotdo.primitives.gitx.text_merge import merge_text

LINES = [b"line %d\n" % n for n in range(1, 16)]


def text(*changes: tuple[int, bytes | None], lines: list[bytes] = LINES) -> bytes:
    """LINES with line n (1-based) replaced, or deleted when None."""
    out = list(lines)
    for number, new in sorted(changes, reverse=True):
        if new is None:
            del out[number - 1]
        else:
            out[number - 1] = new
    return b"".join(out)


CASES = {
    "same-line": (text((5, b"ours\n")), text((5, b"theirs\n"))),
    "far-apart": (text((2, b"ours\n")), text((13, b"theirs\n"))),
    "conflicts-two-lines-apart-join": (
        text((4, b"o4\n"), (7, b"o7\n")),
        text((4, b"t4\n"), (7, b"t7\n")),
    ),
    "conflicts-five-lines-apart-stay-apart": (
        text((3, b"o3\n"), (9, b"o9\n")),
        text((3, b"t3\n"), (9, b"t9\n")),
    ),
    "same-edit-both-sides": (text((6, b"both\n"), (1, b"o1\n")), text((6, b"both\n"))),
    "delete-vs-edit-elsewhere": (text((8, None), (9, None)), text((2, b"t2\n"))),
    "no-final-newline": (b"a\nb\nours", b"a\nb\ntheirs"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_merge_text_matches_git(name: str, tmp_path: Path, run_git: Callable[..., str]) -> None:
    ours, theirs = CASES[name]
    base = b"a\nb\nbase" if name == "no-final-newline" else b"".join(LINES)
    repo = tmp_path / "repo"
    run_git("init", "-q", "-b", "main", str(repo))
    (repo / "f").write_bytes(base)
    run_git("add", "f", cwd=repo)
    run_git("commit", "-qm", "base", cwd=repo)
    run_git("checkout", "-qb", "other", cwd=repo)
    (repo / "f").write_bytes(theirs)
    run_git("commit", "-qam", "theirs", cwd=repo)
    run_git("checkout", "-q", "main", cwd=repo)
    (repo / "f").write_bytes(ours)
    run_git("commit", "-qam", "ours", cwd=repo)
    conflicted = "CONFLICT" in run_git("merge", "other", cwd=repo, check=False)
    merged, has_conflict = merge_text(base, ours, theirs, ours_label="HEAD", theirs_label="other")
    assert has_conflict == conflicted
    assert merged == (repo / "f").read_bytes()
