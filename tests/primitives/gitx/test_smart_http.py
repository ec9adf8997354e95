"""The real git clones from, fetches from and pushes to gitx's smart HTTP endpoint."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from dulwich.protocol import pkt_line
from starlette.requests import Request

from dotdo.primitives.gitx import Git, RemoteError, git_http_app


async def seeded(make_git: Callable[..., Git], name: str = "served") -> Git:
    git = make_git(name)
    await git.init()
    for n in range(30):
        git.files.write(f"dir{n % 3}/file{n}.txt", f"content {n}\n".encode())
        if n % 10 == 0:
            git.files.write("blob.bin", bytes(range(256)) * (n + 1))
        await git.add(".")
        await git.commit(f"commit {n}", author="Ada <ada@example.com>")
    await git.branch("topic")
    await git.tag("v1", message="first")
    return git


async def test_real_git_clones_fetches_and_pushes(
    make_git: Callable[..., Git], tmp_path: Path, agit: Any, oracle: Any
) -> None:
    git = await seeded(make_git)
    events: list[tuple[str, dict[str, Any]]] = []
    git.emit = lambda kind, data: events.append((kind, data))
    async with oracle.serve(git_http_app(git)) as base:
        clone = tmp_path / "clone"
        await agit("clone", "-q", f"{base}/", str(clone))
        await agit("fsck", "--strict", cwd=clone)
        _, log, _ = await agit("log", "--format=%H", cwd=clone)
        assert log.split() == [c.sha for c in await git.log()]
        _, tags, _ = await agit("tag", cwd=clone)
        assert tags.split() == ["v1"]
        assert (clone / "blob.bin").read_bytes() == bytes(range(256)) * 21

        (clone / "pushed.txt").write_text("from real git\n")
        await agit("add", "pushed.txt", cwd=clone)
        await agit("commit", "-qm", "pushed by git", cwd=clone)
        await agit("push", "-q", "origin", "main", "origin/topic:refs/heads/newbranch", cwd=clone)
        _, head, _ = await agit("rev-parse", "HEAD", cwd=clone)
        assert git.repo.refs[b"refs/heads/main"].decode() == head.strip()
        assert await git.show("main:pushed.txt") == b"from real git\n"
        assert "newbranch" in await git.branch()
        pushed = [data for kind, data in events if kind == "Repository.pushed"]
        assert pushed and {r["ref"] for r in pushed[-1]["refs"]} == {
            "refs/heads/main",
            "refs/heads/newbranch",
        }
        assert any(kind == "Branch.updated" and d["branch"] == "main" for kind, d in events)

        # gitx moves on; the real git fetches the new commit.
        await git.reset("main", mode="hard")
        git.files.write("later.txt", b"later\n")
        await git.add("later.txt")
        later = await git.commit("later")
        await agit("fetch", "-q", "origin", cwd=clone)
        _, remote_main, _ = await agit("rev-parse", "origin/main", cwd=clone)
        assert remote_main.strip() == later

        # A non-fast-forward push is refused by the client unless forced; forced, it lands.
        await agit("reset", "-q", "--hard", "HEAD~1", cwd=clone)
        (clone / "diverge.txt").write_text("x\n")
        await agit("add", "diverge.txt", cwd=clone)
        await agit("commit", "-qm", "diverge", cwd=clone)
        code, _, err = await agit("push", "origin", "main", cwd=clone, check=False)
        assert code != 0 and "rejected" in err
        assert git.repo.refs[b"refs/heads/main"].decode() == later
        await agit("push", "-q", "--force", "origin", "main", cwd=clone)
        _, forced, _ = await agit("rev-parse", "HEAD", cwd=clone)
        assert git.repo.refs[b"refs/heads/main"].decode() == forced.strip()


async def test_server_can_deny_non_fast_forward_and_deletes_work(
    make_git: Callable[..., Git], tmp_path: Path, agit: Any, oracle: Any
) -> None:
    git = await seeded(make_git)
    async with oracle.serve(git_http_app(git, deny_non_fast_forward=True)) as base:
        clone = tmp_path / "clone"
        await agit("clone", "-q", f"{base}/", str(clone))
        await agit("reset", "-q", "--hard", "HEAD~1", cwd=clone)
        code, _, err = await agit("push", "--force", "origin", "main", cwd=clone, check=False)
        assert code != 0 and "non-fast-forward" in err
        await agit("push", "-q", "origin", ":topic", cwd=clone)
        assert "topic" not in await git.branch()


async def test_auth_hook_guards_pushes_and_clones_use_credentials(
    make_git: Callable[..., Git], tmp_path: Path, agit: Any, oracle: Any
) -> None:
    git = await seeded(make_git)
    expected = "Basic " + base64.b64encode(b"bob:s3cret").decode()

    def auth(request: Request, service: str) -> bool:
        return service == "git-upload-pack" or request.headers.get("authorization") == expected

    async with oracle.serve(git_http_app(git, auth)) as base:
        clone = tmp_path / "clone"
        await agit("clone", "-q", f"{base}/", str(clone))
        (clone / "x.txt").write_text("x\n")
        await agit("add", "x.txt", cwd=clone)
        await agit("commit", "-qm", "x", cwd=clone)
        before = git.repo.refs[b"refs/heads/main"]
        code, _, _ = await agit("push", "origin", "main", cwd=clone, check=False)
        assert code != 0
        assert git.repo.refs[b"refs/heads/main"] == before
        host = base.removeprefix("http://")
        await agit("push", "-q", f"http://bob:s3cret@{host}/", "main", cwd=clone)
        assert git.repo.refs[b"refs/heads/main"] != before

        # gitx's own client sends configured credentials (basic here) to the same server.
        mirror = make_git("mirror", remotes_auth={"origin": ("bob", "s3cret")})
        await mirror.clone(f"{base}/")
        mirror.files.write("from-mirror.txt", b"m\n")
        await mirror.add("from-mirror.txt")
        await mirror.commit("mirror commit")
        await mirror.push()
        assert await git.show("main:from-mirror.txt") == b"m\n"


async def test_bad_requests_get_clear_http_errors(make_git: Callable[..., Git]) -> None:
    git = await seeded(make_git)
    transport = httpx.ASGITransport(app=git_http_app(git, allow_push=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://gitx") as client:
        dumb = await client.get("/info/refs")
        assert dumb.status_code == 403 and "smart HTTP" in dumb.text
        wrong_type = await client.post("/git-upload-pack", content=b"0000", headers={"content-type": "text/plain"})
        assert wrong_type.status_code == 415
        push = await client.get("/info/refs", params={"service": "git-receive-pack"})
        assert push.status_code == 403
        garbage = await client.post(
            "/git-upload-pack",
            content=b"not gzip",
            headers={"content-type": "application/x-git-upload-pack-request", "content-encoding": "gzip"},
        )
        assert garbage.status_code == 400
        for body in (b"0004", b"0002", b"zzzz", b"00", b"0009abc"):
            malformed = await client.post(
                "/git-upload-pack", content=body, headers={"content-type": "application/x-git-upload-pack-request"}
            )
            assert malformed.status_code == 400 and "Bad git-upload-pack request" in malformed.text
    pushable = httpx.ASGITransport(app=git_http_app(git))
    async with httpx.AsyncClient(transport=pushable, base_url="http://gitx") as client:
        for body in (b"0004", b"00", pkt_line(b"0" * 40 + b" " + b"1" * 40)):
            malformed = await client.post(
                "/git-receive-pack", content=body, headers={"content-type": "application/x-git-receive-pack-request"}
            )
            assert malformed.status_code == 400 and "Bad git-receive-pack request" in malformed.text
    empty = make_git("empty")
    transport = httpx.ASGITransport(app=git_http_app(empty))
    async with httpx.AsyncClient(transport=transport, base_url="http://gitx") as client:
        missing = await client.get("/info/refs", params={"service": "git-upload-pack"})
        assert missing.status_code == 404


def hostile_pack(parent: bytes | None) -> tuple[bytes, bytes]:
    """(pack, commit sha) of a commit whose tree writes into `.git/hooks`."""
    from io import BytesIO

    from dulwich.object_format import DEFAULT_OBJECT_FORMAT
    from dulwich.objects import Blob, Commit, Tree
    from dulwich.pack import write_pack_objects

    def tree(name: bytes, mode: int, sha: bytes) -> Tree:
        return Tree.from_raw_string(Tree.type_num, b"%o %s\x00" % (mode, name) + bytes.fromhex(sha.decode()))

    hook = Blob.from_string(b"#!/bin/sh\necho owned\n")
    hooks = tree(b"post-checkout", 0o100755, hook.id)
    dotgit = tree(b"hooks", 0o040000, hooks.id)
    root = tree(b".git", 0o040000, dotgit.id)
    commit = Commit()
    commit.tree = root.id
    commit.parents = [parent] if parent else []
    commit.author = commit.committer = b"Mallory <m@example.com>"
    commit.commit_time = commit.author_time = 1_700_000_000
    commit.commit_timezone = commit.author_timezone = 0
    commit.message = b"innocent\n"
    out = BytesIO()
    write_pack_objects(
        out.write,
        [(o, None) for o in (hook, hooks, dotgit, root, commit)],
        object_format=DEFAULT_OBJECT_FORMAT,
    )
    return out.getvalue(), commit.id


async def test_hostile_push_is_rejected_and_nothing_is_written(make_git: Callable[..., Git]) -> None:
    from dulwich.protocol import pkt_line

    git = await seeded(make_git)
    old = git.repo.refs[b"refs/heads/main"]
    objects_before = git.repo.object_store.count()
    pack, sha = hostile_pack(old)
    body = pkt_line(old + b" " + sha + b" refs/heads/main\x00report-status\n") + pkt_line(None) + pack
    transport = httpx.ASGITransport(app=git_http_app(git))
    async with httpx.AsyncClient(transport=transport, base_url="http://gitx") as client:
        reply = await client.post(
            "/git-receive-pack",
            content=body,
            headers={"content-type": "application/x-git-receive-pack-request"},
        )
    assert reply.status_code == 200
    assert b"unpack " in reply.content and b"unpack ok" not in reply.content
    assert b".git" in reply.content
    assert git.repo.refs[b"refs/heads/main"] == old
    assert git.repo.object_store.count() == objects_before


async def test_token_credentials_are_sent_as_bearer(make_git: Callable[..., Git], oracle: Any) -> None:
    git = await seeded(make_git)
    seen: list[str | None] = []

    def auth(request: Request, service: str) -> bool:
        seen.append(request.headers.get("authorization"))
        return request.headers.get("authorization") == "Bearer tok-123"

    async with oracle.serve(git_http_app(git, auth)) as base:
        refused = make_git("anonymous")
        with pytest.raises(RemoteError, match="authentication refused") as failure:
            await refused.clone(f"{base}/")
        assert "tok-123" not in str(failure.value)
        mirror = make_git("mirror", remotes_auth={f"{base}/": "tok-123"})
        assert await mirror.clone(f"{base}/") == "main"
        assert [c.sha for c in await mirror.log()] == [c.sha for c in await git.log()]
    assert "Bearer tok-123" in seen
