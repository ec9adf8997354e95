"""gitx against the git CLI, measured in the same run.

    python benchmarks/gitx.py [--files 1000] [--commits 1000]

1. add + commit of N files (gitx on fsx vs `git add . && git commit` on a real directory);
2. log of N commits (gitx `log()` vs `git log --format=%H`);
3. clone of a local repository with N commits (gitx `clone(path)` vs `git clone`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from dotdo.primitives.fsx import FileSystem
from dotdo.primitives.gitx import Git
from dotdo.runtime.storage import Storage

ENV = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}


def git(*args: str, cwd: Path, stdin: bytes | None = None) -> bytes:
    env = dict(ENV, HOME=str(cwd))
    return subprocess.run(["git", *args], cwd=cwd, env=env, input=stdin, check=True, capture_output=True).stdout


def history_stream(commits: int) -> bytes:
    """A fast-import stream of `commits` commits, each changing one of 50 files."""
    out: list[bytes] = []
    for n in range(commits):
        data = b"revision %d\n" % n * 20
        ident = b"Bench <bench@example.com> %d +0000" % (1_700_000_000 + n)
        message = b"commit %d" % n
        out.append(b"commit refs/heads/main\ncommitter %s\ndata %d\n%s\n" % (ident, len(message), message))
        out.append(b"M 100644 inline file%d.txt\ndata %d\n%s\n\n" % (n % 50, len(data), data))
    return b"".join(out)


def timed(label: str, fn: object) -> float:
    start = time.perf_counter()
    result = fn() if callable(fn) else None
    if asyncio.iscoroutine(result):
        asyncio.run(result)
    elapsed = time.perf_counter() - start
    print(f"  {label:<28} {elapsed * 1000:9.1f} ms")
    return elapsed


def report(name: str, ours: float, baseline: float) -> None:
    print(f"  => {name}: gitx / git CLI = {ours / baseline:.2f}x\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--commits", type=int, default=1000)
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="gitx-bench-"))
    try:
        run(work, options.files, options.commits)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(work: Path, files: int, commits: int) -> None:
    print(f"commit of {files} files")
    real = work / "real"
    real.mkdir()
    git("init", "-q", "-b", "main", cwd=real)
    for n in range(files):
        (real / f"dir{n % 20}").mkdir(exist_ok=True)
        (real / f"dir{n % 20}" / f"file{n}.txt").write_bytes(b"content of file %d\n" % n * 10)
    baseline = timed("git add + commit", lambda: (git("add", ".", cwd=real), git("commit", "-qm", "x", cwd=real)))

    storage = Storage(work / "commit.sqlite")
    fs = FileSystem(storage)
    repo = Git(fs)
    for n in range(files):
        fs.sync.mkdir(f"/dir{n % 20}", exist_ok=True)
        fs.sync.write(f"/dir{n % 20}/file{n}.txt", b"content of file %d\n" % n * 10)

    async def commit() -> None:
        await repo.init()
        await repo.add(".")
        await repo.commit("x")
        storage.commit()

    report("commit", timed("gitx add + commit", commit), baseline)

    print(f"log of {commits} commits")
    source = work / "source.git"
    git("init", "-q", "--bare", "-b", "main", str(source), cwd=work)
    git("fast-import", "--quiet", cwd=source, stdin=history_stream(commits))
    baseline = timed("git log", lambda: git("log", "--format=%H", cwd=source))
    clone_storage = Storage(work / "clone.sqlite")
    cloned = Git(FileSystem(clone_storage), allow_local_remotes=True)

    async def clone() -> None:
        await cloned.clone(str(source))
        clone_storage.commit()

    async def log() -> None:
        assert len(await cloned.log()) == commits

    clone_baseline = timed("git clone (local)", lambda: git("clone", "-q", str(source), str(work / "c"), cwd=work))
    clone_time = timed("gitx clone (local)", clone)
    report("log", timed("gitx log", log), baseline)
    print(f"clone of a local repository with {commits} commits")
    report("clone", clone_time, clone_baseline)


if __name__ == "__main__":
    main()
