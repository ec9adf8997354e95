"""Merges in gitx agree with the real git: same merged trees, same conflicts, same markers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dotdo.primitives.gitx import Git, GitError

from .conftest import MergeCase

BASE = b"".join(b"line %d\n" % n for n in range(1, 21))


def edit(text: bytes, line: int, new: bytes) -> bytes:
    lines = text.splitlines(True)
    lines[line - 1] = new
    return b"".join(lines)


async def diverged(git: Git, ours: dict[str, bytes | None], theirs: dict[str, bytes | None]) -> None:
    """main and feature both change files of a common base (None deletes a file)."""
    await git.init()
    git.files.write("shared.txt", BASE)
    git.files.write("keep.txt", b"keep\n")
    git.files.write("doomed.txt", b"doomed\n")
    await git.add(".")
    await git.commit("base")
    await git.branch("feature")
    for branch, changes in (("feature", theirs), ("main", ours)):
        await git.checkout(branch)
        for path, data in changes.items():
            if data is None:
                await git.rm(path)
            else:
                git.files.write(path, data)
        await git.add(".")
        await git.commit(f"work on {branch}")


async def test_fast_forward(make_git: Callable[..., Git]) -> None:
    git = make_git()
    await git.init()
    git.files.write("a.txt", b"a\n")
    await git.add(".")
    await git.commit("a")
    await git.checkout("feature", create=True)
    git.files.write("b.txt", b"b\n")
    await git.add(".")
    tip = await git.commit("b")
    await git.checkout("main")
    result = await git.merge("feature")
    assert result.fast_forward and result.sha == tip and result.ok
    assert git.files.read("b.txt") == b"b\n"
    assert (await git.merge("feature")).up_to_date


async def test_clean_three_way_merge_matches_git(
    make_git: Callable[..., Git], tmp_path: Path, run_git: Callable[..., str], oracle: Any
) -> None:
    git = make_git()
    await diverged(
        git,
        ours={"shared.txt": edit(BASE, 2, b"ours two\n"), "ours.txt": b"o\n"},
        theirs={"shared.txt": edit(BASE, 18, b"theirs eighteen\n"), "doomed.txt": None},
    )
    result = await git.merge("feature")
    assert result.ok and not result.fast_forward
    log = await git.log(n=1)
    assert len(log[0].parents) == 2 and log[0].message == "Merge branch 'feature'\n"
    clone, code = real_merge_checked(git, tmp_path, run_git, oracle, parents=log[0].parents)
    assert code == 0
    assert run_git("rev-parse", "HEAD^{tree}", cwd=clone).strip() == git._commit_tree("HEAD").decode()
    assert not git.files.exists("doomed.txt")
    assert (await git.status()).clean


def real_merge_checked(
    git: Git, tmp_path: Path, run_git: Callable[..., str], oracle: Any, *, parents: list[str]
) -> tuple[Path, int]:
    """Run the same merge with the real git, from main's first parent, in a clone."""
    bare = oracle.export_repository(git, tmp_path / "export.git")
    clone = tmp_path / "real"
    run_git("clone", "-q", str(bare), str(clone))
    run_git("checkout", "-q", "-B", "ours", parents[0], cwd=clone)
    out = run_git("merge", "--no-edit", parents[1], cwd=clone, check=False)
    code = 0 if "CONFLICT" not in out and not run_git("ls-files", "-u", cwd=clone) else 1
    return clone, code


async def test_conflicts_match_git_and_are_never_resolved_silently(
    make_git: Callable[..., Git], tmp_path: Path, run_git: Callable[..., str], oracle: Any
) -> None:
    git = make_git()
    await diverged(
        git,
        ours={
            "shared.txt": edit(edit(BASE, 5, b"ours five\n"), 15, b"same fifteen\n"),
            "added.txt": b"ours added\n",
            "doomed.txt": b"doomed but changed by us\n",
        },
        theirs={
            "shared.txt": edit(edit(BASE, 5, b"theirs five\n"), 15, b"same fifteen\n"),
            "added.txt": b"theirs added\n",
            "doomed.txt": None,
            "clean.txt": b"clean\n",
        },
    )
    ours_before = git.repo.refs[b"refs/heads/main"].decode()
    theirs = git.repo.refs[b"refs/heads/feature"].decode()
    result = await git.merge("feature")
    assert not result.ok and result.sha is None
    assert result.conflicts == ["added.txt", "doomed.txt", "shared.txt"]
    status = await git.status()
    assert status.conflicts == result.conflicts
    assert git.repo.refs[b"refs/heads/main"].decode() == ours_before  # nothing committed

    clone, code = real_merge_checked(git, tmp_path, run_git, oracle, parents=[ours_before, theirs])
    assert code == 1
    real_conflicts = sorted(set(run_git("diff", "--name-only", "--diff-filter=U", cwd=clone).split()))
    assert real_conflicts == result.conflicts
    for path in ("shared.txt", "added.txt", "doomed.txt"):
        real = (clone / path).read_bytes().replace(theirs.encode(), b"feature")
        assert git.files.read(path) == real, path
    assert git.files.read("clean.txt") == b"clean\n"

    with pytest.raises(GitError, match="unresolved merge conflicts"):
        await git.commit("too early")
    with pytest.raises(GitError, match="already in progress"):
        await git.merge("feature")
    git.files.write("shared.txt", edit(BASE, 5, b"resolved five\n"))
    git.files.write("added.txt", b"both\n")
    await git.add(["shared.txt", "added.txt", "doomed.txt"])
    assert (await git.status()).conflicts == []
    merged = await git.commit("Merge branch 'feature'")
    head = (await git.log(n=1))[0]
    assert head.sha == merged and head.parents == [ours_before, theirs]
    bare = oracle.export_repository(git, tmp_path / "after.git")
    run_git("fsck", "--strict", "--no-dangling", cwd=bare)


async def test_hard_reset_abandons_a_conflicted_merge(make_git: Callable[..., Git]) -> None:
    git = make_git()
    await diverged(git, ours={"shared.txt": b"ours\n"}, theirs={"shared.txt": b"theirs\n"})
    result = await git.merge("feature")
    assert result.conflicts == ["shared.txt"]
    assert git.files.read("shared.txt") == b"<<<<<<< HEAD\nours\n=======\ntheirs\n>>>>>>> feature\n"
    await git.reset("HEAD", mode="hard")
    assert (await git.status()).clean and git.files.read("shared.txt") == b"ours\n"


async def test_random_merges_leave_the_files_and_conflicts_real_git_leaves(
    make_git: Callable[..., Git],
    merge_cases: Callable[[int, int], list[MergeCase]],
    real_merge: Callable[..., tuple[dict[str, bytes], list[str]]],
) -> None:
    cases = {f"case{n:03d}.txt": case for n, case in enumerate(merge_cases(1000, 120))}
    git = make_git()
    await git.init()

    async def commit(side: str, message: str) -> None:
        for path, case in cases.items():
            data = getattr(case, side)
            if data is not None:
                git.files.write(path, data)
        git.files.write("side.txt", side.encode())
        await git.add(".")
        await git.commit(message)

    await commit("base", "base")
    await git.checkout("other", create=True)
    await commit("theirs", "theirs")
    await git.checkout("main")
    await commit("ours", "ours")
    result = await git.merge("other")
    real_files, real_conflicts = real_merge(cases, branch="other")
    assert [path for path in result.conflicts if path != "side.txt"] == real_conflicts
    assert len(real_conflicts) >= 20, "the random cases should exercise conflicts"
    assert [path for path in cases if git.files.read(path) != real_files[path]] == []
