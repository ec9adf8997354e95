"""An object's gitx repository at `<object>/repo.git`: the real git clones it and pushes to it."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import hashlib
import os
import threading
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from dulwich.protocol import pkt_line
from starlette.requests import HTTPConnection
from starlette.responses import PlainTextResponse

from dotdo import API, DO
from dotdo.primitives.gitx import GitLimits
from dotdo.primitives.gitx.limits import MiB
from tests.conftest import serving


class Repo(DO):
    async def fetch(self, request):
        if request.url.path == "/init":
            git = self.ctx.git
            await git.init()
            await self.ctx.fs.write("/README.md", f"# {self.name}\n".encode())
            await git.add("README.md")
            return {"sha": await git.commit("Initial commit", author="Ada <ada@example.com>")}
        if request.url.path == "/readme":
            return PlainTextResponse((await self.ctx.git.show("main:README.md")).decode())
        return PlainTextResponse(f"fetch {request.url.path}")


@contextlib.asynccontextmanager
async def served(app: object) -> AsyncIterator[str]:
    async with serving(app, lifespan="off") as address:
        yield f"http://{address}"


def git_env(home: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_AUTHOR_NAME": "T",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "T",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }


async def git(*args: str, cwd: Path | None = None, home: Path) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        "git", *args, cwd=cwd, env=git_env(home), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await proc.communicate()
    return proc.returncode or 0, out.decode()


async def git_input(*args: str, data: bytes, cwd: Path, home: Path) -> str:
    """Run the real git with `data` on its standard input; its standard output (it must succeed)."""
    proc = await asyncio.create_subprocess_exec(
        "git",
        *args,
        cwd=cwd,
        env=git_env(home),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate(data)
    assert proc.returncode == 0, err.decode()
    return out.decode()


async def test_clone_and_push_through_the_object_route(tmp_path: Path) -> None:
    def auth(connection: HTTPConnection, name: str | None) -> bool:
        pushing = "git-receive-pack" in connection.url.path or "git-receive-pack" in connection.url.query
        return not pushing or connection.headers.get("authorization") == "Basic dTpw"  # u:p

    app = API(Repo, ns="/:name", data_dir=tmp_path / "data", auth=auth)
    async with served(app) as base:
        async with httpx.AsyncClient(base_url=base) as http:
            # Without a repository the path falls through to the object's fetch.
            assert (await http.get("/acme/repo.git/info/refs")).text == "fetch /repo.git/info/refs"
            await http.post("/acme/init")
        clone = tmp_path / "clone"
        code, out = await git("clone", f"{base}/acme/repo.git", str(clone), home=tmp_path)
        assert code == 0, out
        assert (clone / "README.md").read_text() == "# acme\n"
        (clone / "README.md").write_text("# acme, edited\n")
        await git("commit", "-qam", "edit", cwd=clone, home=tmp_path)
        code, out = await git("push", "origin", "main", cwd=clone, home=tmp_path)
        assert code != 0  # the app's auth hook refuses anonymous pushes
        # The 401 carries a Basic challenge, so git sends the credentials of the URL.
        authenticated = base.replace("http://", "http://u:p@") + "/acme/repo.git"
        code, out = await git("push", authenticated, "main", cwd=clone, home=tmp_path)
        assert code == 0, out
        async with httpx.AsyncClient(base_url=base) as http:
            assert (await http.get("/acme/readme")).text == "# acme, edited\n"
            assert (await http.get("/other/repo.git/info/refs")).text == "fetch /repo.git/info/refs"


# -- attacks on the git endpoint: each fails safely and the server keeps answering other objects ----

LIMITS = GitLimits(max_object_size=MiB, max_pack_expansion=4 * MiB, max_delta_depth=10, max_input_size=MiB)
BOMB = 64 * MiB  # what each bomb would inflate to on a server without limits
ZERO = b"0" * 40
push_gate = threading.Event()
push_entered = threading.Event()
order: list[str] = []


class BlockingUpdateHook:
    """A receive-pack update hook that waits for the test, to hold a push in the middle of its work."""

    def execute(self, ref: bytes, old: bytes, new: bytes) -> tuple[bytes, bytes]:
        push_entered.set()
        released = push_gate.wait(30)
        order.append("push hook released" if released else "push hook timed out")
        return b"", b""


class HookedRepo(Repo):
    async def fetch(self, request):
        if request.url.path == "/hook":
            self.ctx.git.repo.hooks["update"] = BlockingUpdateHook()
            return {"hooked": True}
        if request.url.path == "/head":
            return {"main": self.ctx.git.repo.refs[b"refs/heads/main"].decode()}
        return await super().fetch(request)


def guarded_app(tmp_path: Path, cls: type[DO] = Repo) -> API:
    return API(cls, ns="/:name", data_dir=tmp_path / "data", max_body_size=MiB, git_limits=LIMITS)


def pack_header(count: int) -> bytes:
    return b"PACK" + (2).to_bytes(4, "big") + count.to_bytes(4, "big")


def entry_header(type_num: int, size: int) -> bytes:
    """A pack entry's type-and-size header."""
    out = bytearray()
    byte = (type_num << 4) | (size & 15)
    size >>= 4
    while size:
        out.append(byte | 0x80)
        byte = size & 0x7F
        size >>= 7
    out.append(byte)
    return bytes(out)


def varint(value: int) -> bytes:
    """A delta header size (little-endian base 128)."""
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def ofs_distance(distance: int) -> bytes:
    """The base offset of an ofs-delta entry, as git encodes it."""
    out = [distance & 0x7F]
    distance >>= 7
    while distance:
        distance -= 1
        out.append(0x80 | (distance & 0x7F))
        distance >>= 7
    return bytes(reversed(out))


def copy_op(offset: int, size: int) -> bytes:
    """A delta instruction copying `size` bytes (at most 16 MiB - 1) from `offset` of the base."""
    op, args = 0x80, bytearray()
    for n in range(4):
        if (offset >> (8 * n)) & 0xFF:
            op |= 1 << n
            args.append((offset >> (8 * n)) & 0xFF)
    for n in range(3):
        if (size >> (8 * n)) & 0xFF:
            op |= 0x10 << n
            args.append((size >> (8 * n)) & 0xFF)
    return bytes([op]) + bytes(args)


def finish_pack(entries: list[bytes]) -> bytes:
    body = pack_header(len(entries)) + b"".join(entries)
    return body + hashlib.sha1(body).digest()


def zeros_compressed(size: int) -> bytes:
    """zlib of `size` zero bytes, made a MiB at a time (the test never holds the inflated bytes)."""
    deflater = zlib.compressobj(9)
    chunk = bytes(MiB)
    parts = [deflater.compress(chunk[: min(MiB, size - done)]) for done in range(0, size, MiB)]
    return b"".join(parts) + deflater.flush()


def blob_bomb() -> bytes:
    """A ~64 KiB pack holding one blob of 64 MiB zeros (its header says so)."""
    return finish_pack([entry_header(3, BOMB) + zeros_compressed(BOMB)])


def doubling_delta_bomb() -> bytes:
    """A few hundred bytes: a 64 KiB blob, then ofs-deltas each doubling the one before, up to 64 MiB."""
    base = b"a" * 64 * 1024
    entries = [entry_header(3, len(base)) + zlib.compress(base)]
    offsets = [12]
    size = len(base)
    while size < BOMB:
        delta = varint(size) + varint(2 * size)
        for _ in range(2):
            for start in range(0, size, 0x800000):
                delta += copy_op(start, min(0x800000, size - start))
        at = offsets[-1] + len(entries[-1])
        entries.append(entry_header(6, len(delta)) + ofs_distance(at - offsets[-1]) + zlib.compress(delta))
        offsets.append(at)
        size *= 2
    return finish_pack(entries)


def deep_delta_chain(depth: int) -> bytes:
    """A blob and a chain of `depth` ofs-deltas, each appending one byte to the one before."""
    size = 100
    entries = [entry_header(3, size) + zlib.compress(b"b" * size)]
    offsets = [12]
    for _ in range(depth):
        delta = varint(size) + varint(size + 1) + copy_op(0, size) + b"\x01x"
        at = offsets[-1] + len(entries[-1])
        entries.append(entry_header(6, len(delta)) + ofs_distance(at - offsets[-1]) + zlib.compress(delta))
        offsets.append(at)
        size += 1
    return finish_pack(entries)


def wide_expansion(copies: int) -> bytes:
    """A 512 KiB blob and `copies` deltas of it, each 512 KiB and one byte: each under the object
    limit, all together over the pack expansion limit."""
    size = 512 * 1024
    entries = [entry_header(3, size) + zeros_compressed(size)]
    for n in range(copies):
        delta = varint(size) + varint(size + 1) + copy_op(0, size) + b"\x01" + bytes([n])
        at = 12 + sum(len(e) for e in entries)
        entries.append(entry_header(6, len(delta)) + ofs_distance(at - 12) + zlib.compress(delta))
    return finish_pack(entries)


def lying_header() -> bytes:
    """A blob whose header says 100 bytes but whose zlib stream inflates to 64 MiB."""
    return finish_pack([entry_header(3, 100) + zeros_compressed(BOMB)])


def receive_pack_body(commands: list[bytes], pack: bytes) -> bytes:
    lines = [pkt_line(commands[0] + b"\x00report-status\n")]
    lines += [pkt_line(command + b"\n") for command in commands[1:]]
    return b"".join(lines) + pkt_line(None) + pack


def report(content: bytes) -> list[bytes]:
    """The pkt-lines of a receive-pack status report."""
    lines, at = [], 0
    while at < len(content):
        length = int(content[at : at + 4], 16)
        if length == 0:
            break
        lines.append(content[at + 4 : at + length].rstrip(b"\n"))
        at += length
    return lines


async def push_raw(http: httpx.AsyncClient, name: str, body: bytes, **headers: str) -> httpx.Response:
    return await http.post(
        f"/{name}/repo.git/git-receive-pack",
        content=body,
        headers={"content-type": "application/x-git-receive-pack-request", **headers},
    )


async def still_serving(http: httpx.AsyncClient, main: str) -> None:
    """Other objects answer, and the attacked repository is as it was."""
    other = await http.get("/other/ping")
    assert other.status_code == 200 and other.text == "fetch /ping"
    refs = await http.get("/acme/repo.git/info/refs", params={"service": "git-upload-pack"})
    assert refs.status_code == 200
    assert f"{main} refs/heads/main".encode() in refs.content
    assert b"refs/heads/bomb" not in refs.content


@contextlib.contextmanager
def peak_allocation() -> Iterator[list[int]]:
    """The peak of Python allocations (bytes) in this process while the block runs, server included."""
    tracemalloc.start()
    found: list[int] = []
    try:
        yield found
    finally:
        found.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()


async def test_gzip_bomb_is_refused_while_inflating(tmp_path: Path) -> None:
    body = gzip.compress(bytes(BOMB), 9)  # 64 MiB of zeros in ~64 KiB
    assert len(body) < MiB
    async with served(guarded_app(tmp_path)) as base, httpx.AsyncClient(base_url=base, timeout=60) as http:
        main = (await http.post("/acme/init")).json()["sha"]
        with peak_allocation() as peak:
            reply = await push_raw(http, "acme", body, **{"content-encoding": "gzip"})
        assert reply.status_code == 413 and f"inflates to more than {MiB} bytes" in reply.text
        assert peak[0] < 16 * MiB  # inflated no further than the limit (a whole inflate is 64 MiB)
        await still_serving(http, main)


@pytest.mark.parametrize(
    ("pack", "refusal"),
    [
        (blob_bomb, f"a blob in the pack is {BOMB} bytes, over the limit of {MiB} bytes (GitLimits.max_object_size)"),
        (doubling_delta_bomb, "over the limit of 1048576 bytes (GitLimits.max_object_size)"),
        (lambda: deep_delta_chain(30), "a delta chain in the pack is deeper than 10 (GitLimits.max_delta_depth)"),
        (lambda: wide_expansion(12), "over the limit of 4194304 bytes (GitLimits.max_pack_expansion)"),
        (lying_header, "inflates past the 100 bytes it declares"),
    ],
    ids=["blob-bomb", "doubling-deltas", "deep-chain", "wide-expansion", "lying-header"],
)
async def test_pack_bombs_are_refused_before_allocating(
    tmp_path: Path, pack: Callable[[], bytes], refusal: str
) -> None:
    data = pack()
    assert len(data) < MiB
    async with served(guarded_app(tmp_path)) as base, httpx.AsyncClient(base_url=base, timeout=60) as http:
        main = (await http.post("/acme/init")).json()["sha"]
        body = receive_pack_body([ZERO + b" " + b"1" * 40 + b" refs/heads/bomb"], data)
        with peak_allocation() as peak:
            reply = await push_raw(http, "acme", body)
        assert reply.status_code == 200
        lines = report(reply.content)
        assert lines[0].startswith(b"unpack ") and refusal.encode() in lines[0], lines
        assert lines[1:] == [b"ng refs/heads/bomb unpacker error"]
        assert peak[0] < 16 * MiB  # refused before allocating (unlimited, each bomb inflates 64 MiB)
        await still_serving(http, main)


async def test_a_pack_within_the_limits_is_received(tmp_path: Path) -> None:
    async with served(guarded_app(tmp_path)) as base, httpx.AsyncClient(base_url=base, timeout=60) as http:
        main = (await http.post("/acme/init")).json()["sha"]
        reply = await push_raw(
            http, "acme", receive_pack_body([ZERO + b" " + b"1" * 40 + b" refs/tags/t"], deep_delta_chain(9))
        )
        lines = report(reply.content)
        # Unpacked fine (depth 9 of 10); the tag names an object the push did not send.
        assert lines == [b"unpack ok", b"ng refs/tags/t missing necessary objects"]
        await still_serving(http, main)


async def test_bad_ref_names_get_ng_not_a_server_error(tmp_path: Path) -> None:
    async with served(guarded_app(tmp_path)) as base, httpx.AsyncClient(base_url=base, timeout=60) as http:
        main = (await http.post("/acme/init")).json()["sha"].encode()
        names = [b"refs/heads/with space", b"refs/heads/nul\x00byte", b"refs/heads/\xff\xfe", b"refs/heads", b"HEAD"]
        commands = [ZERO + b" " + main + b" refs/heads/good"] + [ZERO + b" " + main + b" " + n for n in names]
        reply = await push_raw(http, "acme", receive_pack_body(commands, finish_pack([])))
        assert reply.status_code == 200
        assert report(reply.content) == [
            b"unpack ok",
            b"ok refs/heads/good",
            *[b"ng " + name + b" funny refname" for name in names],
        ]
        refs = (await http.get("/acme/repo.git/info/refs", params={"service": "git-upload-pack"})).content
        assert b"refs/heads/good" in refs and b"space" not in refs and b"\xff" not in refs
        malformed = await push_raw(http, "acme", pkt_line(b"not a command\n") + pkt_line(None))
        assert malformed.status_code == 400 and "Invalid ref update line" in malformed.text
        await still_serving(http, main.decode())


async def test_pushes_that_would_make_the_repository_unclonable_are_refused(tmp_path: Path) -> None:
    async with served(guarded_app(tmp_path)) as base, httpx.AsyncClient(base_url=base, timeout=60) as http:
        main = (await http.post("/acme/init")).json()["sha"]
        clone = tmp_path / "clone"
        code, out = await git("clone", f"{base}/acme/repo.git", str(clone), home=tmp_path)
        assert code == 0, out
        code, out = await git("push", "origin", "main:refs/heads/main/sub", cwd=clone, home=tmp_path)
        assert code != 0 and "cannot lock ref 'refs/heads/main/sub': 'refs/heads/main' exists" in out, out
        code, out = await git("push", "origin", "main:refs/heads", cwd=clone, home=tmp_path)
        assert code != 0 and "funny refname" in out, out
        # An atomic push with one such ref lands none of its refs.
        code, out = await git(
            "push", "--atomic", "origin", "main:refs/heads/fine", "main:refs/heads/main/x", cwd=clone, home=tmp_path
        )
        assert code != 0 and "atomic push failed" in out, out
        code, out = await git("ls-remote", "origin", cwd=clone, home=tmp_path)
        assert "refs/heads/fine" not in out, out
        code, out = await git("push", "origin", "main:refs/heads/topic/one", cwd=clone, home=tmp_path)
        assert code == 0, out
        code, out = await git("push", "origin", "main:refs/heads/topic", cwd=clone, home=tmp_path)
        assert code != 0 and "'refs/heads/topic/one' exists; cannot create 'refs/heads/topic'" in out, out
        again = tmp_path / "again"
        code, out = await git("clone", f"{base}/acme/repo.git", str(again), home=tmp_path)
        assert code == 0, out
        code, out = await git("fsck", "--strict", cwd=again, home=tmp_path)
        assert code == 0, out
        await still_serving(http, main)


HOSTILE_TREE_ENTRIES = [
    ("100644", ".git "),
    ("100644", ".git."),
    ("100644", ".GIT"),
    ("100644", ".g\u200cit"),
    ("100644", "\ufeff.git"),
    ("100644", ".git::$INDEX_ALLOCATION"),
    ("100644", "git~1"),
    ("100644", "GIT~1."),
    ("100644", "a\\.git"),
    ("120000", ".gitmodules"),
    ("120000", ".gitmodules "),
    ("120000", ".g\u200ditmodules"),
    ("120000", "GITMOD~1"),
    ("120000", "gi7eba~4"),
]


async def test_trees_git_fsck_refuses_are_refused_on_push(tmp_path: Path) -> None:
    async with served(guarded_app(tmp_path)) as base, httpx.AsyncClient(base_url=base, timeout=60) as http:
        main = (await http.post("/acme/init")).json()["sha"]
        clone = tmp_path / "clone"
        code, out = await git("clone", "-q", f"{base}/acme/repo.git", str(clone), home=tmp_path)
        assert code == 0, out
        blob = (await git_input("hash-object", "-w", "--stdin", data=b"x", cwd=clone, home=tmp_path)).strip()
        for n, (mode, name) in enumerate(HOSTILE_TREE_ENTRIES):
            kind = "blob"
            line = f"{mode} {kind} {blob}\t{name}\n".encode()
            tree = (await git_input("mktree", data=line, cwd=clone, home=tmp_path)).strip()
            commit = (
                await git_input("commit-tree", tree, "-p", main, "-m", "x", data=b"", cwd=clone, home=tmp_path)
            ).strip()
            code, out = await git("push", "origin", f"{commit}:refs/heads/evil{n}", cwd=clone, home=tmp_path)
            assert code != 0 and "fsck refuses it" in out, (name, out)
        refs = (await http.get("/acme/repo.git/info/refs", params={"service": "git-upload-pack"})).content
        assert b"evil" not in refs
        again = tmp_path / "again"
        code, out = await git("clone", f"{base}/acme/repo.git", str(again), home=tmp_path)
        assert code == 0, out
        await still_serving(http, main)


async def test_other_objects_answer_while_a_push_is_processed(tmp_path: Path) -> None:
    order.clear()
    push_gate.clear()
    push_entered.clear()
    app = API(HookedRepo, ns="/:name", data_dir=tmp_path / "data")
    async with served(app) as base, httpx.AsyncClient(base_url=base, timeout=60) as http:
        await http.post("/acme/init")
        await http.post("/acme/hook")
        clone = tmp_path / "clone"
        code, out = await git("clone", "-q", f"{base}/acme/repo.git", str(clone), home=tmp_path)
        assert code == 0, out
        (clone / "large.bin").write_bytes(os.urandom(4 * MiB))
        await git("add", "large.bin", cwd=clone, home=tmp_path)
        await git("commit", "-qm", "large", cwd=clone, home=tmp_path)

        async def push() -> None:
            code, out = await git("push", "origin", "main", cwd=clone, home=tmp_path)
            order.append("push done" if code == 0 else f"push failed: {out}")

        async def same_object() -> str:
            reply = await http.get("/acme/head")
            order.append(f"acme answered {reply.status_code}")
            return reply.json()["main"]

        pushing = asyncio.create_task(push())
        # The push is inside its update hook: its pack is unpacked, its refs not yet updated.
        assert await asyncio.to_thread(push_entered.wait, 30)
        waiting = asyncio.create_task(same_object())
        reply = await http.get("/other/ping")
        order.append(f"other answered {reply.status_code}")
        push_gate.set()
        await pushing
        seen_by_acme = await waiting
        _, pushed = await git("rev-parse", "HEAD", cwd=clone, home=tmp_path)
    # Another object answered while the push was being processed; the pushed object's own request
    # waited for the push to finish (it saw the new head).
    assert order[:2] == ["other answered 200", "push hook released"], order
    assert sorted(order[2:]) == ["acme answered 200", "push done"], order
    assert seen_by_acme == pushed.strip()
