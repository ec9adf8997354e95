"""Fixtures for gitx: repositories on real SQLite files, the real git CLI, and real servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from dulwich.repo import Repo
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dotdo.primitives.fsx import FileSystem
from dotdo.primitives.gitx import Git
from dotdo.runtime.storage import Storage
from tests.conftest import serving

GIT = shutil.which("git") or "git"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def git_env(tmp_path: Path) -> dict[str, str]:
    """Environment for the real git: no user or system config, fixed identity, never prompting."""
    home = tmp_path / "home"
    home.mkdir()
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_AUTHOR_NAME": "Oracle",
        "GIT_AUTHOR_EMAIL": "oracle@example.com",
        "GIT_COMMITTER_NAME": "Oracle",
        "GIT_COMMITTER_EMAIL": "oracle@example.com",
        "LC_ALL": "C",
    }


@pytest.fixture
def run_git(git_env: dict[str, str]) -> Callable[..., str]:
    """Run the real git synchronously (no server of ours involved); returns stdout, raises on failure."""

    def run(*args: str, cwd: Path | str | None = None, check: bool = True) -> str:
        done = subprocess.run([GIT, *args], cwd=cwd, env=git_env, capture_output=True, text=True, timeout=60)
        if check and done.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed ({done.returncode}): {done.stderr}")
        return done.stdout

    return run


@pytest.fixture
def agit(git_env: dict[str, str]) -> Callable[..., object]:
    """Run the real git without blocking the event loop (for servers running in this loop)."""

    async def run(*args: str, cwd: Path | str | None = None, check: bool = True) -> tuple[int, str, str]:
        proc = await asyncio.create_subprocess_exec(
            GIT,
            *args,
            cwd=cwd,
            env=git_env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), 120)
        code = proc.returncode or 0
        if check and code != 0:
            raise AssertionError(f"git {' '.join(args)} failed ({code}): {err.decode()}")
        return code, out.decode(), err.decode()

    return run


@pytest.fixture
def make_git(tmp_path: Path) -> Callable[..., Git]:
    """Build Git repositories on their own SQLite file, the working tree in that object's fsx
    (or, with `host_directory=True`, in a folder of the host)."""
    made: list[Storage] = []

    def make(name: str = "repo", *, host_directory: bool = False, **kwargs: object) -> Git:
        storage = Storage(tmp_path / f"{name}.sqlite")
        made.append(storage)
        if host_directory:
            worktree = tmp_path / f"{name}-worktree"
            worktree.mkdir(exist_ok=True)
            return Git(worktree, storage, **kwargs)
        return Git(FileSystem(storage), **kwargs)

    yield make
    for storage in made:
        storage.close()


def export_repository(git: Git, dest: Path) -> Path:
    """Copy every object and ref of a gitx repository into a bare repository on disk (for git fsck/log)."""
    repo = Repo.init_bare(str(dest), mkdir=True)
    store = git.repo.object_store
    repo.object_store.add_objects([(store[sha], None) for sha in store])
    for name in git.repo.refs.allkeys():
        value = git.repo.refs.read_loose_ref(name)
        if name == b"HEAD":
            if value.startswith(b"ref: "):
                repo.refs.set_symbolic_ref(b"HEAD", value[5:].strip())
            else:
                repo.refs[b"HEAD"] = value
        elif not value.startswith(b"ref: "):
            repo.refs[name] = value
    repo.close()
    return dest


@contextlib.asynccontextmanager
async def serve(app: object) -> AsyncIterator[str]:
    """Run an ASGI app with uvicorn on a free 127.0.0.1 port inside this event loop; yields its base URL."""
    async with serving(app, lifespan="off") as address:
        yield f"http://{address}"


def http_backend_app(project_root: Path, git_env: dict[str, str]) -> Starlette:
    """An ASGI front for the real `git http-backend` CGI program serving repositories under project_root."""

    async def cgi(request: Request) -> Response:
        body = await request.body()
        env = dict(git_env)
        env.update(
            {
                "GIT_PROJECT_ROOT": str(project_root),
                "GIT_HTTP_EXPORT_ALL": "1",
                "REQUEST_METHOD": request.method,
                "PATH_INFO": request.url.path,
                "QUERY_STRING": request.url.query,
                "CONTENT_TYPE": request.headers.get("content-type", ""),
                "CONTENT_LENGTH": str(len(body)),
                "REMOTE_USER": "tester",
                "REMOTE_ADDR": "127.0.0.1",
                "GATEWAY_INTERFACE": "CGI/1.1",
                "SERVER_PROTOCOL": "HTTP/1.1",
            }
        )
        if request.headers.get("content-encoding"):
            env["HTTP_CONTENT_ENCODING"] = request.headers["content-encoding"]
        if request.headers.get("git-protocol"):
            env["HTTP_GIT_PROTOCOL"] = request.headers["git-protocol"]
        proc = await asyncio.create_subprocess_exec(
            GIT, "http-backend", env=env, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
        )
        out, _ = await proc.communicate(body)
        head, _, payload = out.partition(b"\r\n\r\n")
        status, headers = 200, {}
        for line in head.decode("latin-1").split("\r\n"):
            key, _, value = line.partition(":")
            if key.lower() == "status":
                status = int(value.strip().split()[0])
            elif key:
                headers[key] = value.strip()
        headers.pop("Content-Length", None)
        return Response(payload, status_code=status, headers=headers)

    return Starlette(routes=[Route("/{path:path}", cgi, methods=["GET", "POST"])])


@contextlib.contextmanager
def git_daemon(base: Path, git_env: dict[str, str]) -> AsyncIterator[str]:
    """The real `git daemon --enable=receive-pack` serving repositories under base; yields git://host:port."""
    port = free_port()
    proc = subprocess.Popen(
        [
            GIT,
            "daemon",
            "--reuseaddr",
            "--export-all",
            "--enable=receive-pack",
            "--listen=127.0.0.1",
            f"--port={port}",
            f"--base-path={base}",
            str(base),
        ],
        env=git_env,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(500):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            proc.poll()
            if proc.returncode is not None:
                raise RuntimeError("git daemon exited")
            time.sleep(0.01)
        yield f"git://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


def fast_import_history(commits: int = 300) -> bytes:
    """A `git fast-import` stream: `commits` commits on main, a side branch merged back, tags,
    a binary file, a rename and a deletion."""
    out: list[bytes] = []
    mark = 0

    def blob(data: bytes) -> int:
        nonlocal mark
        mark += 1
        out.append(b"blob\nmark :%d\ndata %d\n%s\n" % (mark, len(data), data))
        return mark

    def commit(branch: bytes, when: int, message: bytes, changes: list[bytes], parents: list[int]) -> int:
        nonlocal mark
        mark += 1
        ident = b"Dev <dev@example.com> %d +0000" % when
        out.append(b"commit refs/heads/%s\nmark :%d\nauthor %s\ncommitter %s\n" % (branch, mark, ident, ident))
        out.append(b"data %d\n%s\n" % (len(message), message))
        if parents:
            out.append(b"from :%d\n" % parents[0])
        for extra in parents[1:]:
            out.append(b"merge :%d\n" % extra)
        out.extend(change + b"\n" for change in changes)
        out.append(b"\n")
        return mark

    when = 1_700_000_000
    binary = bytes(range(256)) * 8
    last = commit(
        b"main",
        when,
        b"initial",
        [
            b"M 100644 :%d README.md" % blob(b"# project\n"),
            b"M 100644 :%d assets/logo.bin" % blob(binary),
            b"M 100755 :%d run.sh" % blob(b"#!/bin/sh\necho hi\n"),
        ],
        [],
    )
    side = None
    for n in range(1, commits):
        when += 60
        changes = [b"M 100644 :%d src/file%d.txt" % (blob(b"line %d\n" % n * (n % 7 + 1)), n % 25)]
        if n == 40:
            changes.append(b"R src/file3.txt src/renamed3.txt")
        if n == 80:
            changes.append(b"D src/file5.txt")
        if n % 50 == 0:
            changes.append(b"M 100644 :%d assets/logo.bin" % blob(binary + bytes([n % 256]) * n))
        last = commit(b"main", when, b"change %d" % n, changes, [last])
        if n == commits // 2:
            side = commit(b"feature", when + 1, b"side work", [b"M 100644 :%d side.txt" % blob(b"side\n")], [last])
            out.append(b"tag v1.0\nfrom :%d\ntagger Dev <dev@example.com> %d +0000\ndata 8\nrelease\n\n" % (last, when))
        if n == commits // 2 + 10 and side is not None:
            last = commit(
                b"main",
                when + 2,
                b"Merge branch 'feature'",
                [b"M 100644 :%d side.txt" % blob(b"side\n")],
                [last, side],
            )
    out.append(b"reset refs/tags/light\nfrom :%d\n\n" % last)
    return b"".join(out)


@pytest.fixture
def source_repo(tmp_path: Path, run_git: Callable[..., str], git_env: dict[str, str]) -> Path:
    """A bare repository made by the real git: 300 commits, a merged branch, tags, binaries, a rename."""
    base = tmp_path / "served"
    base.mkdir()
    bare = base / "source.git"
    run_git("init", "--bare", "-b", "main", str(bare))
    subprocess.run([GIT, "fast-import", "--quiet"], cwd=bare, env=git_env, input=fast_import_history(), check=True)
    run_git("config", "http.receivepack", "true", cwd=bare)
    return bare


class Oracle:
    """The real-git helpers tests use: export to disk, git daemon, git http-backend, uvicorn."""

    export_repository = staticmethod(export_repository)
    git_daemon = staticmethod(git_daemon)
    http_backend_app = staticmethod(http_backend_app)
    serve = staticmethod(serve)


@pytest.fixture
def oracle() -> Oracle:
    """Helpers to check gitx against the real git and to run real servers."""
    return Oracle()


@dataclass(frozen=True)
class MergeCase:
    """Three versions of one file for a three-way merge; `base` None means both sides added it."""

    base: bytes | None
    ours: bytes
    theirs: bytes


_ALPHABETS = {
    "tiny": [b"a", b"b", b"c"],
    "letters": [b"a", b"b", b"c", b"d", b"e", b"f", b""],
    "code": [b"{", b"}", b"", b"  x = 1;", b"  return x;", b"if (x) {", b"int f() {", b"// note"],
    "indented": [
        b"",
        b"    ",
        b"def f():",
        b"    x = 1",
        b"        y()",
        b"    return x",
        b"\tz",
        b"class A:",
        b"  # c",
    ],
    "numbered": [b"L%d" % n for n in range(40)],
    "sparse": [b"", b"x"],
    "repetitive": [b"", b"x"],
}


def random_merge_case(rng: random.Random) -> MergeCase:
    """A random base and two edits of it, often close together, drawn from small alphabets so that
    lines repeat (several equally short diffs exist, and hunks can slide). Some files end without a
    newline, some use CR LF, some are added on both sides; the "repetitive" kind (every base line
    seen more than 64 times) makes git's histogram diff hand over to its Myers diff."""
    kind = rng.choice(sorted(_ALPHABETS))
    alphabet = _ALPHABETS[kind]
    unique = [0.0 if kind == "repetitive" else 0.3]
    made = [0]

    def line() -> bytes:
        if rng.random() < unique[0]:
            made[0] += 1
            return b"u%d" % made[0]
        return rng.choice(alphabet)

    size = {"repetitive": (130, 220), "sparse": (0, 150)}.get(kind, (0, 30))
    base = [line() for _ in range(rng.randint(*size))]
    unique[0] = 0.3
    touched: list[int] = []

    def edit(lines: list[bytes]) -> list[bytes]:
        lines = list(lines)
        for _ in range(rng.randint(1, 4)):
            at = rng.choice(touched) if touched and rng.random() < 0.6 else rng.randint(0, len(lines))
            at = max(0, min(len(lines), at + rng.randint(-2, 2)))
            span = rng.randint(1, 3)
            operation = rng.choice(("replace", "insert", "delete"))
            if operation == "replace":
                lines[at : at + span] = [line() for _ in range(rng.randint(1, 3))]
            elif operation == "insert":
                lines[at:at] = [line() for _ in range(span)]
            else:
                del lines[at : at + span]
            touched.append(at)
        return lines

    ours, theirs = edit(base), edit(base)
    crlf = rng.random() < 0.1

    def text(lines: list[bytes]) -> bytes:
        data = b"".join(item + (b"\r\n" if crlf and rng.random() < 0.9 else b"\n") for item in lines)
        return data[:-1] if data and rng.random() < 0.15 else data

    base_text = text(base)
    return MergeCase(None if rng.random() < 0.05 else base_text, text(ours), text(theirs))


@pytest.fixture
def merge_cases() -> Callable[[int, int], list[MergeCase]]:
    """`merge_cases(seed, count)`: the same random three-way merge cases for the same seed."""

    def make(seed: int, count: int) -> list[MergeCase]:
        rng = random.Random(seed)
        return [random_merge_case(rng) for _ in range(count)]

    return make


@pytest.fixture
def real_merge(tmp_path: Path, run_git: Callable[..., str]) -> Callable[..., tuple[dict[str, bytes], list[str]]]:
    """`real_merge({path: MergeCase}, branch="other")`: the real `git merge` of all the cases at once
    (one file each, main holding ours, `branch` theirs); returns (each file's bytes, conflicted paths)."""
    made = [0]

    def merge(cases: dict[str, MergeCase], branch: str = "other") -> tuple[dict[str, bytes], list[str]]:
        made[0] += 1
        repo = tmp_path / f"real-merge-{made[0]}"
        run_git("init", "-q", "-b", "main", str(repo))
        run_git("commit", "-q", "--allow-empty", "-m", "root", cwd=repo)

        def commit(side: str, message: str) -> None:
            for path, case in cases.items():
                data = getattr(case, side)
                if data is not None:
                    (repo / path).write_bytes(data)
            run_git("add", "-A", cwd=repo)
            run_git("commit", "-q", "--allow-empty", "-m", message, cwd=repo)

        commit("base", "base")
        run_git("checkout", "-q", "-b", branch, cwd=repo)
        commit("theirs", "theirs")
        run_git("checkout", "-q", "main", cwd=repo)
        commit("ours", "ours")
        run_git("merge", "-q", "--no-edit", branch, cwd=repo, check=False)
        unmerged = sorted({line.split("\t", 1)[1] for line in run_git("ls-files", "-u", cwd=repo).splitlines()})
        return {path: (repo / path).read_bytes() for path in cases}, unmerged

    return merge


_HUNK_HEADER = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)


@pytest.fixture
def git_diff_hunks(tmp_path: Path, git_env: dict[str, str]) -> Callable[..., list[bytes]]:
    """`git_diff_hunks([(old, new), ...], *options)`: for each pair of texts, the `@@` hunks the real
    `git diff --no-index` prints (empty when equal); all pairs go through one git process."""
    made = [0]

    def hunks(pairs: list[tuple[bytes, bytes]], *options: str) -> list[bytes]:
        made[0] += 1
        root = tmp_path / f"git-diff-{made[0]}"
        for side in ("a", "b"):
            (root / side).mkdir(parents=True)
        for n, (old, new) in enumerate(pairs):
            (root / "a" / f"f{n:04d}").write_bytes(old)
            (root / "b" / f"f{n:04d}").write_bytes(new)
        done = subprocess.run(
            [GIT, "diff", "--no-index", *options, "a", "b"], cwd=root, env=git_env, capture_output=True, timeout=60
        )
        if done.returncode not in (0, 1):
            raise AssertionError(f"git diff failed: {done.stderr.decode()}")
        found = [b""] * len(pairs)
        for section in done.stdout.split(b"diff --git a/a/f")[1:]:
            start = section.find(b"\n@@ -")
            found[int(section[:4])] = section[start + 1 :] if start != -1 else b""
        return found

    return hunks


@pytest.fixture
def git_hunks(git_diff_hunks: Callable[..., list[bytes]]) -> Callable[..., list[list[tuple[int, int, int, int]]]]:
    """`git_hunks([(old, new), ...], algorithm=...)`: for each pair of texts, the hunks of the real
    `git diff -U0 --no-indent-heuristic` as (old start, new start, old count, new count), 0-based."""

    def hunks(pairs: list[tuple[bytes, bytes]], *, algorithm: str) -> list[list[tuple[int, int, int, int]]]:
        found = []
        for text in git_diff_hunks(pairs, "-U0", "--no-indent-heuristic", f"--diff-algorithm={algorithm}"):
            parsed = []
            for match in _HUNK_HEADER.finditer(text):
                old_line, old_count, new_line, new_count = (int(g) if g is not None else 1 for g in match.groups())
                parsed.append(
                    (
                        old_line - 1 if old_count else old_line,
                        new_line - 1 if new_count else new_line,
                        old_count,
                        new_count,
                    )
                )
            found.append(parsed)
        return found

    return hunks
