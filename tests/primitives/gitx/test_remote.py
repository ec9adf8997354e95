"""gitx clones, fetches, pulls and pushes against the real git over git:// and smart HTTP."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dotdo.primitives.gitx import (
    BadObjectError,
    Git,
    GitLimits,
    NonFastForwardError,
    PackLimitError,
    RemoteError,
    UnknownRevisionError,
)
from dotdo.primitives.gitx.limits import MiB
from dotdo.primitives.gitx.remote import RemoteAuth, auth_for, redact


def real_history(run_git: Callable[..., str], bare: Path, ref: str) -> list[str]:
    return run_git("rev-list", "--topo-order", ref, cwd=bare).split()


def real_tree(run_git: Callable[..., str], bare: Path, ref: str) -> dict[str, tuple[int, str]]:
    tree: dict[str, tuple[int, str]] = {}
    for line in run_git("ls-tree", "-r", ref, cwd=bare).splitlines():
        meta, path = line.split("\t", 1)
        mode, _, sha = meta.split()
        tree[path] = (int(mode, 8), sha)
    return tree


async def gitx_tree(git: Git, ref: str) -> dict[str, tuple[int, str]]:
    return {path: (e.mode, e.sha.decode()) for path, e in git.revisions.tree_of(ref).items()}


async def assert_same_as_source(git: Git, run_git: Callable[..., str], bare: Path) -> None:
    for branch in ("main", "feature"):
        ours = [c.sha for c in await git.log(ref=f"origin/{branch}")]
        assert set(ours) == set(real_history(run_git, bare, branch))
        assert len(ours) == len(set(ours))
        assert await gitx_tree(git, f"origin/{branch}") == real_tree(run_git, bare, branch)
    tags = run_git("show-ref", "--tags", cwd=bare).split()
    for sha, ref in zip(tags[::2], tags[1::2], strict=True):
        assert git.repo.refs.read_loose_ref(ref.encode()) == sha.encode()


def worktree_matches(git: Git, run_git: Callable[..., str], bare: Path, ref: str) -> None:
    expected = real_tree(run_git, bare, ref)
    assert sorted(git.files.walk()) == sorted(expected)
    for path, (mode, _sha) in expected.items():
        assert git.files.read(path) == run_git_bytes(bare, f"{ref}:{path}")
        assert git.files.is_executable(path) == (mode == 0o100755)


def run_git_bytes(bare: Path, spec: str) -> bytes:
    import subprocess

    return subprocess.run(["git", "cat-file", "blob", spec], cwd=bare, capture_output=True, check=True).stdout


async def test_clone_fetch_push_over_git_daemon(
    make_git: Callable[..., Git],
    source_repo: Path,
    run_git: Callable[..., str],
    git_env: dict[str, str],
    oracle: Any,
) -> None:
    with oracle.git_daemon(source_repo.parent, git_env) as base:
        git = make_git()
        assert await git.clone(f"{base}/source.git") == "main"
        await assert_same_as_source(git, run_git, source_repo)
        worktree_matches(git, run_git, source_repo, "main")
        assert (await git.status()).clean

        git.files.write("new.txt", b"from gitx\n")
        await git.add("new.txt")
        sha = await git.commit("gitx commit", author="Ada <ada@example.com>")
        assert await git.push() == {"refs/heads/main": "ok"}
        assert run_git("rev-parse", "main", cwd=source_repo).strip() == sha
        run_git("fsck", "--strict", cwd=source_repo)
        assert run_git("show", "main:new.txt", cwd=source_repo) == "from gitx\n"

        # Someone else pushes; gitx's stale push is refused, fetch + pull brings it in.
        other = source_repo.parent / "other"
        run_git("clone", "-q", f"{base}/source.git", str(other))
        (other / "other.txt").write_text("other\n")
        run_git("add", "other.txt", cwd=other)
        run_git("commit", "-qm", "other work", cwd=other)
        run_git("push", "-q", "origin", "main", cwd=other)
        git.files.write("mine.txt", b"mine\n")
        await git.add("mine.txt")
        await git.commit("my work")
        with pytest.raises(NonFastForwardError, match="pull first"):
            await git.push()
        changed = await git.fetch()
        assert "refs/remotes/origin/main" in changed
        result = await git.pull()
        assert result.ok and not result.fast_forward
        await git.push()
        run_git("fsck", "--strict", cwd=source_repo)
        assert run_git("show", "main:other.txt", cwd=source_repo) == "other\n"
        assert run_git("show", "main:mine.txt", cwd=source_repo) == "mine\n"


async def test_clone_fetch_push_over_http_backend(
    make_git: Callable[..., Git],
    source_repo: Path,
    run_git: Callable[..., str],
    git_env: dict[str, str],
    oracle: Any,
) -> None:
    async with oracle.serve(oracle.http_backend_app(source_repo.parent, git_env)) as base:
        git = make_git()
        assert await git.clone(f"{base}/source.git", branch="feature") == "feature"
        await assert_same_as_source(git, run_git, source_repo)
        worktree_matches(git, run_git, source_repo, "feature")

        git.files.write("side.txt", b"changed over http\n")
        await git.add("side.txt")
        sha = await git.commit("http commit")
        await asyncio.wait_for(git.push(), 60)
        assert run_git("rev-parse", "feature", cwd=source_repo).strip() == sha
        run_git("fsck", "--strict", cwd=source_repo)

        # A forced push rewrites the remote branch; without force it is refused.
        await git.reset("HEAD~2", mode="hard")
        with pytest.raises(NonFastForwardError):
            await git.push()
        await git.push(force=True)
        assert run_git("rev-parse", "feature", cwd=source_repo).strip() == git.repo.refs[b"HEAD"].decode()


async def test_shallow_clone_has_depth_commits(
    make_git: Callable[..., Git],
    source_repo: Path,
    git_env: dict[str, str],
    oracle: Any,
) -> None:
    with oracle.git_daemon(source_repo.parent, git_env) as base:
        git = make_git()
        await git.clone(f"{base}/source.git", depth=3)
        assert len(await git.log()) == 3
        assert len(git.repo.get_shallow()) >= 1


async def test_push_to_a_new_remote_repository_passes_fsck(
    make_git: Callable[..., Git],
    tmp_path: Path,
    run_git: Callable[..., str],
    git_env: dict[str, str],
    oracle: Any,
) -> None:
    served = tmp_path / "served"
    run_git("init", "-q", "--bare", "-b", "main", str(served / "empty.git"))
    git = make_git()
    await git.init()
    for n in range(5):
        git.files.write(f"f{n}.txt", f"{n}\n".encode())
        git.files.write("bin.dat", bytes(range(n, 256)))
        await git.add(".")
        await git.commit(f"commit {n}")
    await git.tag("v0", message="first release")
    with oracle.git_daemon(served, git_env) as base:
        await git.remote_add("origin", f"{base}/empty.git")
        await git.push(tags=True)
    run_git("fsck", "--strict", cwd=served / "empty.git")
    assert run_git("log", "--format=%H", "main", cwd=served / "empty.git").split() == [c.sha for c in await git.log()]
    assert run_git("cat-file", "-t", "v0", cwd=served / "empty.git").strip() == "tag"
    oracle.export_repository(git, tmp_path / "exported.git")
    run_git("fsck", "--strict", cwd=tmp_path / "exported.git")


async def test_unreachable_remote_is_a_clear_error(make_git: Callable[..., Git]) -> None:
    git = make_git()
    await git.init()
    await git.remote_add("origin", "http://user:secret@127.0.0.1:9/nothing.git")
    with pytest.raises(RemoteError) as failure:
        await git.fetch()
    assert "secret" not in str(failure.value)
    assert (await git.remotes()) == {"origin": "http://***@127.0.0.1:9/nothing.git"}
    with pytest.raises(RemoteError, match="No remote named 'upstream'"):
        await git.fetch("upstream")


def test_credentials_are_chosen_by_remote_or_url_prefix_and_never_shown() -> None:
    config = {"origin": "tok-123", "https://git.example.com/": ("bob", "pw-456")}
    assert auth_for(config, "origin", "https://elsewhere/x.git") == RemoteAuth(token="tok-123")
    chosen = auth_for(config, "mirror", "https://git.example.com/team/x.git")
    assert chosen == RemoteAuth(username="bob", password="pw-456")
    assert "pw-456" not in repr(chosen) and "tok-123" not in repr(RemoteAuth(token="tok-123"))
    assert auth_for(config, "mirror", "https://other.example.com/x.git") is None
    assert redact("https://bob:pw@host/x.git") == "https://***@host/x.git"
    with pytest.raises(ValueError, match="Unknown remote auth fields"):
        RemoteAuth.from_config({"user": "x"})


@pytest.mark.parametrize(
    ("mode", "name"),
    [(b"100644", b".."), (b"100644", b".git."), (b"100644", ".g\u200cit".encode()), (b"120000", b".gitmodules")],
    ids=["dotdot", "git-dot", "hfs-dotgit", "gitmodules-symlink"],
)
async def test_cloning_a_hostile_repository_fails_cleanly(
    make_git: Callable[..., Git], tmp_path: Path, git_env: dict[str, str], oracle: Any, mode: bytes, name: bytes
) -> None:
    from dulwich.objects import Blob, Tree
    from dulwich.objects import Commit as RawCommit
    from dulwich.repo import Repo

    served = tmp_path / "served"
    served.mkdir()
    bare = Repo.init_bare(str(served / "evil.git"), mkdir=True)
    blob = Blob.from_string(b"escaped\n")
    tree = Tree.from_raw_string(Tree.type_num, mode + b" " + name + b"\x00" + bytes.fromhex(blob.id.decode()))
    commit = RawCommit()
    commit.tree = tree.id
    commit.author = commit.committer = b"Mallory <m@example.com>"
    commit.commit_time = commit.author_time = 1_700_000_000
    commit.commit_timezone = commit.author_timezone = 0
    commit.message = b"evil\n"
    for obj in (blob, tree, commit):
        bare.object_store.add_object(obj)
    bare.refs[b"refs/heads/main"] = commit.id
    bare.refs.set_symbolic_ref(b"HEAD", b"refs/heads/main")
    with oracle.git_daemon(served, git_env) as base:
        git = make_git()
        with pytest.raises(BadObjectError, match="fsck refuses"):
            await git.clone(f"{base}/evil.git")
    assert git.repo.object_store.count() == 0
    assert not any(r.startswith(b"refs/remotes/") for r in git.repo.refs.allkeys())
    assert git.files.sync.listdir("/") == []


async def test_host_paths_are_refused_unless_allowed(
    make_git: Callable[..., Git], source_repo: Path, run_git: Callable[..., str]
) -> None:
    git = make_git()
    for url in (str(source_repo), f"file://{source_repo}", "../other.git"):
        with pytest.raises(RemoteError, match="allow_local_remotes"):
            await git.clone(url)
    assert git.repo.object_store.count() == 0
    local = make_git("local", allow_local_remotes=True)
    assert await local.clone(str(source_repo)) == "main"
    assert [c.sha for c in await local.log()] == run_git("rev-list", "main", cwd=source_repo).split()


@pytest.mark.parametrize(
    ("content", "limits", "refusal"),
    [
        (bytes(3 * MiB), GitLimits(max_object_size=MiB), "GitLimits.max_object_size"),
        (bytes(3 * MiB), GitLimits(max_pack_expansion=2 * MiB), "GitLimits.max_pack_expansion"),
        (os.urandom(2 * MiB), GitLimits(max_input_size=MiB), "GitLimits.max_input_size"),
    ],
    ids=["object-size", "pack-expansion", "input-size"],
)
async def test_clone_and_fetch_keep_to_the_limits(
    make_git: Callable[..., Git],
    tmp_path: Path,
    run_git: Callable[..., str],
    git_env: dict[str, str],
    oracle: Any,
    content: bytes,
    limits: GitLimits,
    refusal: str,
) -> None:
    served = tmp_path / "served"
    work = tmp_path / "work"
    run_git("init", "-q", "--bare", "-b", "main", str(served / "big.git"))
    run_git("init", "-q", "-b", "main", str(work))
    (work / "big.bin").write_bytes(content)
    run_git("add", "big.bin", cwd=work)
    run_git("commit", "-qm", "big", cwd=work)
    run_git("push", "-q", str(served / "big.git"), "main", cwd=work)
    with oracle.git_daemon(served, git_env) as base:
        git = make_git(limits=limits)
        with pytest.raises(PackLimitError, match=re.escape(refusal)):
            await git.clone(f"{base}/big.git")
        assert git.repo.object_store.count() == 0
        assert not any(r.startswith(b"refs/remotes/") for r in git.repo.refs.allkeys())
        roomy = make_git("roomy")
        assert await roomy.clone(f"{base}/big.git") == "main"
        assert await roomy.show("main:big.bin") == content


async def test_fetch_ignores_refs_with_names_gitx_refuses(
    make_git: Callable[..., Git], source_repo: Path, git_env: dict[str, str], oracle: Any
) -> None:
    import subprocess

    subprocess.run(
        ["git", "update-ref", b"refs/heads/caf\xe9-latin1", "main"], cwd=source_repo, env=git_env, check=True
    )
    with oracle.git_daemon(source_repo.parent, git_env) as base:
        git = make_git()
        assert await git.clone(f"{base}/source.git") == "main"
    remote_branches = {r for r in git.repo.refs.allkeys() if r.startswith(b"refs/remotes/origin/")}
    assert b"refs/remotes/origin/main" in remote_branches
    assert not any(b"caf" in r for r in remote_branches)


async def test_repositories_with_submodules_clone_diff_and_commit(
    make_git: Callable[..., Git], tmp_path: Path, run_git: Callable[..., str], git_env: dict[str, str], oracle: Any
) -> None:
    served = tmp_path / "served"
    work = tmp_path / "work"
    run_git("init", "-q", "-b", "main", str(work))
    (work / "a.txt").write_text("a\n")
    run_git("add", "a.txt", cwd=work)
    run_git("update-index", "--add", "--cacheinfo", f"160000,{'1' * 40},lib/sub", cwd=work)
    run_git("commit", "-qm", "with a submodule", cwd=work)
    run_git("update-index", "--cacheinfo", f"160000,{'2' * 40},lib/sub", cwd=work)
    run_git("commit", "-qm", "submodule moved", cwd=work)
    run_git("clone", "-q", "--bare", str(work), str(served / "sub.git"))
    with oracle.git_daemon(served, git_env) as base:
        git = make_git()
        assert await git.clone(f"{base}/sub.git") == "main"
    # Like git before `git submodule update`: no file for the submodule, and nothing to commit.
    assert sorted(git.files.walk()) == ["a.txt"]
    assert (await git.status()).clean
    assert (await git.diff("HEAD~1", "HEAD")).text == run_git("diff", "HEAD~1", "HEAD", cwd=work)
    with pytest.raises(UnknownRevisionError, match="is a submodule"):
        await git.show("HEAD:lib/sub")
    git.files.write("a.txt", b"changed\n")
    await git.add(".")
    edited = await git.commit("edit")
    await git.reset("HEAD~2", mode="hard")
    assert (await git.status()).clean
    await git.reset(edited, mode="hard")
    exported = oracle.export_repository(git, tmp_path / "exported.git")
    assert f"160000 commit {'2' * 40}\tlib/sub" in run_git("ls-tree", "-r", "main", cwd=exported)


async def test_removing_a_remote_drops_its_tracking_branches_and_keeps_the_others(
    make_git: Callable[..., Git], source_repo: Path, git_env: dict[str, str], oracle: Any
) -> None:
    with oracle.git_daemon(source_repo.parent, git_env) as base:
        git = make_git()
        await git.clone(f"{base}/source.git")
        await git.remote_add("mirror", f"{base}/source.git")
        await git.fetch("mirror")
    tracking = [ref for ref in git.repo.refs.allkeys() if ref.startswith(b"refs/remotes/")]
    assert any(ref.startswith(b"refs/remotes/origin/") for ref in tracking)
    assert any(ref.startswith(b"refs/remotes/mirror/") for ref in tracking)

    await git.remote_remove("origin")
    assert list(await git.remotes()) == ["mirror"]
    remaining = [ref for ref in git.repo.refs.allkeys() if ref.startswith(b"refs/remotes/")]
    assert remaining and all(ref.startswith(b"refs/remotes/mirror/") for ref in remaining)
    assert b"refs/heads/main" in git.repo.refs.allkeys()
    with pytest.raises(RemoteError, match="No remote named 'origin'"):
        await git.remote_remove("origin")
