"""The Git API on an fsx working tree, checked against the real git reading what gitx wrote."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dotdo.primitives.gitx import (
    Commit,
    DirtyWorktreeError,
    Git,
    GitError,
    NotARepositoryError,
    RefConflictError,
    UnknownRevisionError,
)


async def history(git: Git, commits: int) -> list[str]:
    shas = []
    for n in range(commits):
        git.files.write("notes.txt", "".join(f"line {i}\n" for i in range(n + 1)).encode())
        git.files.write(f"pkg/mod{n % 4}.py", f"VALUE = {n}\n".encode())
        await git.add(".")
        shas.append(await git.commit(f"step {n}\n\nbody of {n}", author="Ada Lovelace <ada@example.com>"))
    return shas


async def test_commits_pass_git_fsck_and_git_log_agrees(
    make_git: Callable[..., Git], tmp_path: Path, run_git: Callable[..., str], oracle: Any
) -> None:
    git = make_git()
    await git.init()
    git.files.write("run.sh", b"#!/bin/sh\necho hi\n", executable=True)
    git.files.write("data/blob.bin", bytes(range(256)) * 40)
    shas = await history(git, 12)
    bare = oracle.export_repository(git, tmp_path / "export.git")
    run_git("fsck", "--strict", "--no-dangling", cwd=bare)
    assert run_git("log", "--format=%H", cwd=bare).split() == list(reversed(shas))
    log = await git.log()
    assert [c.sha for c in log] == list(reversed(shas))
    assert isinstance(log[0], Commit) and log[0].author == "Ada Lovelace <ada@example.com>"
    assert log[0].message == "step 11\n\nbody of 11\n"
    assert log[0].parents == [shas[-2]]
    real = run_git("log", "-1", "--format=%an <%ae>|%ct", cwd=bare).strip().split("|")
    assert real[0] == log[0].author and int(real[1]) == int(log[0].time.timestamp())
    assert [c.sha for c in await git.log(n=3)] == list(reversed(shas))[:3]
    touching = [c.sha for c in await git.log(path="pkg/mod1.py")]
    assert touching == run_git("log", "--format=%H", "--", "pkg/mod1.py", cwd=bare).split()
    assert run_git("ls-tree", "HEAD", "run.sh", cwd=bare).startswith("100755 blob")


async def test_diff_text_matches_git_diff(
    make_git: Callable[..., Git], tmp_path: Path, run_git: Callable[..., str], oracle: Any
) -> None:
    git = make_git()
    await git.init()
    git.files.write("a.txt", b"one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n")
    git.files.write("gone.txt", b"bye\n")
    await git.add(".")
    first = await git.commit("first")
    git.files.write("a.txt", b"one\nTWO\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\neleven\n")
    git.files.write("new.txt", b"hello\n")
    git.files.remove("gone.txt")
    await git.add(".")
    second = await git.commit("second")
    diff = await git.diff(first, second)
    bare = oracle.export_repository(git, tmp_path / "export.git")
    assert diff.text == run_git("diff", "--no-renames", first, second, cwd=bare)
    by_path = {f.path: f for f in diff.files}
    assert by_path["a.txt"].status == "modified"
    assert (by_path["a.txt"].additions, by_path["a.txt"].deletions) == (2, 1)
    assert by_path["new.txt"].status == "added" and by_path["gone.txt"].status == "deleted"
    numstat = run_git("diff", "--numstat", "--no-renames", first, second, cwd=bare).splitlines()
    assert {line.split("\t")[2]: (int(line.split("\t")[0]), int(line.split("\t")[1])) for line in numstat} == {
        f.path: (f.additions, f.deletions) for f in diff.files
    }


async def test_status_add_rm_and_worktree_diff(make_git: Callable[..., Git]) -> None:
    git = make_git()
    await git.init()
    git.files.write("keep.txt", b"keep\n")
    git.files.write("drop.txt", b"drop\n")
    status = await git.status()
    assert status.branch == "main" and status.untracked == ["drop.txt", "keep.txt"]
    await git.add(["keep.txt", "drop.txt"])
    assert (await git.status()).staged == {"drop.txt": "added", "keep.txt": "added"}
    await git.commit("base")
    assert (await git.status()).clean
    git.files.write("keep.txt", b"keep\nmore\n")
    assert (await git.status()).unstaged == {"keep.txt": "modified"}
    unstaged = await git.diff()
    assert "+more" in unstaged.text and [f.path for f in unstaged.files] == ["keep.txt"]
    await git.add("keep.txt")
    assert (await git.diff(staged=True)).files[0].path == "keep.txt"
    await git.rm("drop.txt")
    assert not git.files.exists("drop.txt")
    assert (await git.status()).staged == {"drop.txt": "deleted", "keep.txt": "modified"}
    await git.commit("second")
    with pytest.raises(GitError, match="Nothing to commit"):
        await git.commit("empty")
    await git.commit("empty on purpose", allow_empty=True)
    with pytest.raises(FileNotFoundError, match="did not match"):
        await git.add("nope.txt")


async def test_branches_checkout_tags_reset_show(make_git: Callable[..., Git]) -> None:
    git = make_git()
    await git.init()
    shas = await history(git, 3)
    assert await git.branch() == ["main"]
    await git.checkout("topic", create=True)
    assert (await git.status()).branch == "topic"
    git.files.write("topic.txt", b"topic only\n")
    await git.add("topic.txt")
    topic = await git.commit("on topic")
    await git.checkout("main")
    assert not git.files.exists("topic.txt")
    await git.checkout("topic")
    assert git.files.read("topic.txt") == b"topic only\n"
    assert await git.branch() == ["main", "topic"]
    with pytest.raises(RefConflictError, match="already exists"):
        await git.branch("topic")
    await git.checkout("main")
    with pytest.raises(GitError, match="not fully merged"):
        await git.branch("topic", delete=True)

    assert await git.tag("v1", ref=shas[0]) == ["v1"]
    await git.tag("v2", message="annotated")
    assert await git.show("v1:notes.txt") == b"line 0\n"
    assert await git.show("main", "pkg/mod2.py") == b"VALUE = 2\n"
    assert await git.show(f"{topic}:topic.txt") == b"topic only\n"
    assert await git.show("HEAD~2:notes.txt") == b"line 0\n"
    assert b"mod0.py" in await git.show("HEAD:pkg")
    with pytest.raises(UnknownRevisionError):
        await git.show("HEAD:missing.txt")
    with pytest.raises(UnknownRevisionError):
        await git.show("nope:notes.txt")

    # detached HEAD on a tag, then back
    await git.checkout("v1")
    assert (await git.status()).branch is None
    assert git.files.read("notes.txt") == b"line 0\n"
    await git.checkout("main")

    git.files.write("topic.txt", b"untracked here\n")
    with pytest.raises(DirtyWorktreeError, match=r"topic\.txt"):
        await git.checkout("topic")
    git.files.remove("topic.txt")
    git.files.write("notes.txt", b"scratch\n")
    await git.checkout("topic")  # like git, a change to a file both branches share is carried over
    assert git.files.read("notes.txt") == b"scratch\n"
    await git.checkout("main")
    await git.checkout(paths="notes.txt")
    assert git.files.read("notes.txt") == b"line 0\nline 1\nline 2\n"

    await git.reset(shas[1], mode="soft")
    assert [c.sha for c in await git.log()] == [shas[1], shas[0]]
    assert (await git.status()).staged == {"notes.txt": "modified", "pkg/mod2.py": "added"}
    await git.reset(shas[1], mode="mixed")
    assert (await git.status()).unstaged == {"notes.txt": "modified"}
    await git.reset(shas[0], mode="hard")
    assert git.files.read("notes.txt") == b"line 0\n" and not git.files.exists("pkg/mod1.py")
    after_hard = await git.status()  # like git, reset --hard leaves untracked files alone
    assert not after_hard.staged and not after_hard.unstaged and after_hard.untracked == ["pkg/mod2.py"]
    await git.branch("topic", delete=True, force=True)
    assert await git.tag("v2", delete=True) == ["v1"]


async def test_uninitialised_repository_and_bad_arguments(make_git: Callable[..., Git]) -> None:
    git = make_git()
    with pytest.raises(NotARepositoryError, match="init"):
        await git.status()
    await git.init()
    assert await git.log() == []
    with pytest.raises(ValueError, match="Name <email>"):
        git.files.write("a", b"a")
        await git.add("a")
        await git.commit("x", author="no email")
    with pytest.raises(ValueError, match="mode must be"):
        await git.reset("HEAD", mode="medium")
    with pytest.raises(ValueError, match="non-empty message"):
        await git.commit("   ")


async def test_repository_data_is_not_in_the_working_tree_and_subfolder_worktrees(
    make_git: Callable[..., Git],
) -> None:
    git = make_git(worktree="/project")
    await git.init()
    git.files.write("a.txt", b"a\n")
    await git.add(".")
    await git.commit("one")
    fs = git.files.sync
    assert fs.listdir("/") == ["project"]
    assert fs.listdir("/project") == ["a.txt"]
    fs.write("/outside.txt", b"not tracked by the repo at /project")
    assert (await git.status()).clean


async def test_host_directory_working_tree(make_git: Callable[..., Git], tmp_path: Path) -> None:
    git = make_git("host", host_directory=True)
    await git.init()
    (tmp_path / "host-worktree" / "a.txt").write_text("a\n")
    await git.add("a.txt")
    await git.commit("host")
    assert (await git.status()).clean
    assert await git.show("HEAD:a.txt") == b"a\n"
