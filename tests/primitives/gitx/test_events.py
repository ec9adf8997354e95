"""Ref updates announce themselves: `Branch.updated` for branches, `Repository.pushed` for pushes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from dotdo.primitives.fsx import FileSystem
from dotdo.primitives.gitx import Git, attach
from dotdo.runtime.storage import Storage


async def test_commits_branches_and_pushes_emit_events(
    make_git: Callable[..., Git],
    tmp_path: Path,
    run_git: Callable[..., str],
    git_env: dict[str, str],
    oracle: Any,
) -> None:
    events: list[tuple[str, dict[str, Any]]] = []
    git = make_git(emit=lambda kind, data: events.append((kind, data)))
    await git.init()
    git.files.write("a.txt", b"a\n")
    await git.add("a.txt")
    first = await git.commit("first")
    assert events == [("Branch.updated", {"ref": "refs/heads/main", "branch": "main", "old": None, "new": first})]
    await git.branch("topic")
    assert events[-1] == (
        "Branch.updated",
        {"ref": "refs/heads/topic", "branch": "topic", "old": None, "new": first},
    )
    await git.branch("topic", delete=True)
    assert events[-1][1]["new"] is None
    await git.tag("v1")
    assert events[-1][0] == "Branch.updated" and events[-1][1]["branch"] == "topic"  # tags are not branches

    served = tmp_path / "served"
    run_git("init", "-q", "--bare", "-b", "main", str(served / "r.git"))
    with oracle.git_daemon(served, git_env) as base:
        await git.remote_add("origin", f"{base}/r.git")
        events.clear()
        await git.push()
    pushed = [data for kind, data in events if kind == "Repository.pushed"]
    assert pushed == [{"remote": "origin", "refs": [{"ref": "refs/heads/main", "old": None, "new": first}]}]


async def test_attach_uses_the_context(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "ctx.sqlite")
    sent: list[tuple[str, dict[str, Any]]] = []
    ctx = SimpleNamespace(
        fs=FileSystem(storage),
        storage=storage,
        send=lambda kind, data: sent.append((kind, data)),
        git_worktree="/src",
    )
    git = attach(ctx)
    await git.init()
    git.files.write("x.py", b"x = 1\n")
    await git.add(".")
    await git.commit("via ctx")
    assert ctx.fs.sync.listdir("/") == ["src"]
    assert [kind for kind, _ in sent] == ["Branch.updated"]
    storage.close()
