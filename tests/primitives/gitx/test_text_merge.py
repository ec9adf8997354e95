"""Three-way text merge against the real `git merge` on the same three versions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dotdo.primitives.gitx.text_merge import merge_text

from .conftest import MergeCase

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
    "interleaved-edits-refined-apart": (
        text((3, b"same\n"), (4, b"o4\n"), (5, b"same\n"), (10, b"o10\n")),
        text((3, b"same\n"), (4, b"t4\n"), (5, b"same\n"), (9, None)),
    ),
    "carriage-returns-are-not-line-ends": (b"a\rb\nours\n", b"a\rb\ntheirs\n"),
}

# Small merges where which lines go inside the markers, or whether there is a conflict at all,
# depends on the diff git computes (histogram), how it slides hunks and how it refines conflicts.
SMALL_CASES = {
    "refined-conflict-keeps-common-blank-line-inside": (b"\n", b"a\n\n", b"}\n\n\n"),
    "one-side-deletes-where-other-slides": (b"b\na\n", b"a\na\n", b"a\n"),
    "slid-deletion-is-not-a-conflict": (b"c\n\n", b"\nc\n", b"\n"),
    "insertions-around-a-repeated-line": (b"b\n", b"a\nb\nb\n", b"b\nb\n"),
}


def with_base(name: str) -> tuple[bytes, bytes, bytes]:
    """(base, ours, theirs) of a named case."""
    if name in SMALL_CASES:
        return SMALL_CASES[name]
    base = b"a\nb\nbase" if name == "no-final-newline" else b"".join(LINES)
    return (base, *CASES[name])


@pytest.mark.parametrize("name", sorted(CASES) + sorted(SMALL_CASES))
def test_merge_text_matches_git(name: str, tmp_path: Path, run_git: Callable[..., str]) -> None:
    base, ours, theirs = with_base(name)
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


RANDOM_SEEDS = range(4)
CASES_PER_SEED = 150


@pytest.mark.parametrize("seed", RANDOM_SEEDS)
def test_random_merges_match_git_byte_for_byte(
    seed: int,
    merge_cases: Callable[[int, int], list[MergeCase]],
    real_merge: Callable[..., tuple[dict[str, bytes], list[str]]],
) -> None:
    cases = {f"case{n:03d}.txt": case for n, case in enumerate(merge_cases(seed, CASES_PER_SEED))}
    real_files, real_conflicts = real_merge(cases)
    different, conflicts = [], []
    for path, case in cases.items():
        merged, conflicted = merge_text(
            case.base or b"", case.ours, case.theirs, ours_label="HEAD", theirs_label="other"
        )
        if merged != real_files[path]:
            different.append(path)
        if conflicted:
            conflicts.append(path)
    assert different == []
    assert conflicts == real_conflicts
    assert len(conflicts) >= CASES_PER_SEED // 5, "the random cases should exercise conflicts"


LINE = st.sampled_from([b"a\n", b"b\n", b"c\n", b"\n", b"}\n", b"d"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(base=st.lists(LINE, max_size=10), ours=st.lists(LINE, max_size=10), theirs=st.lists(LINE, max_size=10))
def test_arbitrary_merges_match_git(
    base: list[bytes],
    ours: list[bytes],
    theirs: list[bytes],
    real_merge: Callable[..., tuple[dict[str, bytes], list[str]]],
) -> None:
    case = MergeCase(b"".join(base), b"".join(ours), b"".join(theirs))
    real_files, real_conflicts = real_merge({"f": case})
    merged, conflicted = merge_text(case.base, case.ours, case.theirs, ours_label="HEAD", theirs_label="other")
    assert merged == real_files["f"]
    assert conflicted == (real_conflicts == ["f"])


def test_text_must_be_bytes() -> None:
    with pytest.raises(TypeError, match="theirs must be bytes, not str; encode text first"):
        merge_text(b"a\n", b"b\n", "c\n")  # type: ignore[arg-type]
