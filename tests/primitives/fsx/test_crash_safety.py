"""Crash safety: a process killed with SIGKILL mid-rename or mid-write leaves the old or the new state.

A child process works on an object's storage in a loop and reports progress on stdout; the test
kills it (SIGKILL) as soon as it reads a progress line, so the kill lands inside the next
operation. Reopening the storage must show a consistent tree.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import dotdo
from dotdo.primitives.fsx import SyncFileSystem
from dotdo.runtime.storage import Storage

SOURCE_ROOT = str(Path(dotdo.__file__).resolve().parents[1])

PRELUDE = """
import sys
from dotdo.runtime.storage import Storage
from dotdo.primitives.fsx import SyncFileSystem
fs = SyncFileSystem(Storage(sys.argv[1]), warm_threshold=int(sys.argv[2]))
def report(line):
    sys.stdout.write(line + "\\n")
    sys.stdout.flush()
"""

RENAMER = """
fs.mkdir("/left/tree/deep", parents=True)
for i in range(50):
    fs.write(f"/left/tree/deep/f{i}", b"%d" % i * 100)
fs.write("/left/tree/top", b"top")
round = 0
while True:
    if fs.exists("/left"):
        fs.rename("/left", "/right")
    else:
        fs.rename("/right", "/left")
    round += 1
    if round % 20 == 0:
        report(f"renamed {round}")
"""

WRITER = """
import hashlib
old = bytes(range(256)) * 4096
fs.write("/big.bin", old)
report("old " + hashlib.sha256(old).hexdigest())
generation = 0
while True:
    generation += 1
    piece = bytes([generation % 251]) * 65536
    with fs.open("/big.bin", "wb") as handle:
        for i in range(200):
            handle.write(piece)
            if i == 40:
                report("writing " + hashlib.sha256(piece * 200).hexdigest())
    fs.write("/whole.bin", piece * 40)
"""


def run_until(tmp_path: Path, body: str, *, kill_after: int, warm_threshold: int) -> list[str]:
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent(PRELUDE) + textwrap.dedent(body))
    env = {**os.environ, "PYTHONPATH": SOURCE_ROOT}
    child = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path / "object.sqlite"), str(warm_threshold)],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    lines: list[str] = []
    try:
        assert child.stdout is not None
        while len(lines) < kill_after:
            line = child.stdout.readline()
            if not line:
                break
            lines.append(line.strip())
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL, "the child should have been killed mid-work"
    assert len(lines) == kill_after, f"the child stopped early: {lines}"
    return lines


def reopened(tmp_path: Path) -> tuple[Storage, SyncFileSystem]:
    storage = Storage(tmp_path / "object.sqlite")
    return storage, SyncFileSystem(storage)


def assert_consistent(fs: SyncFileSystem) -> None:
    assert fs.usage()["used_bytes"] == fs.du("/"), "space of interrupted writes must be reclaimed"
    assert fs.inodes.orphans() == []


@pytest.mark.parametrize("kill_after", [1, 3])
def test_killed_mid_rename_leaves_the_tree_under_exactly_one_name(tmp_path: Path, kill_after: int) -> None:
    run_until(tmp_path, RENAMER, kill_after=kill_after, warm_threshold=1 << 20)

    storage, fs = reopened(tmp_path)
    try:
        names = fs.listdir("/")
        assert names in (["left"], ["right"])
        root = "/" + names[0]
        assert fs.listdir(root + "/tree") == ["deep", "top"]
        assert len(fs.listdir(root + "/tree/deep")) == 50
        assert fs.read(root + "/tree/deep/f7") == b"7" * 100
        assert_consistent(fs)
    finally:
        storage.close()


@pytest.mark.parametrize(("kill_after", "warm_threshold"), [(2, 1 << 30), (3, 1 << 20)])
def test_killed_mid_large_write_leaves_old_or_new_contents(
    tmp_path: Path, kill_after: int, warm_threshold: int
) -> None:
    lines = run_until(tmp_path, WRITER, kill_after=kill_after, warm_threshold=warm_threshold)
    hashes = {line.split()[1] for line in lines}

    storage, fs = reopened(tmp_path)
    try:
        contents = fs.read("/big.bin")
        assert len(contents) in (1 << 20, 200 * 65536)
        assert hashlib.sha256(contents).hexdigest() in hashes | {
            hashlib.sha256(bytes([g % 251]) * 65536 * 200).hexdigest() for g in range(1, kill_after + 1)
        }
        if fs.exists("/whole.bin"):
            whole = fs.read("/whole.bin")
            assert len(whole) == 40 * 65536 and len(set(whole)) == 1
        assert_consistent(fs)
        fs.collect_garbage(orphans=True)
        assert fs.read("/big.bin") == contents, "garbage collection must keep referenced blobs"
    finally:
        storage.close()


COLLECTOR = """
import asyncio, os, signal
from dotdo.primitives.fsx import FileSystem
afs = FileSystem(fs.storage, warm_threshold=1024)
fs.write("/big.bin", b"b" * 100_000)

async def turn():
    await afs.unlink("/big.bin")
    await afs.collect_garbage()
    report("collected")
    os.kill(os.getpid(), signal.SIGKILL)

asyncio.run(turn())
"""


def test_garbage_collection_never_outruns_the_commit_of_the_unlink(tmp_path: Path) -> None:
    run_until(tmp_path, COLLECTOR, kill_after=1, warm_threshold=1024)

    storage, fs = reopened(tmp_path)
    try:
        if fs.exists("/big.bin"):
            assert fs.read("/big.bin") == b"b" * 100_000
        assert_consistent(fs)
    finally:
        storage.close()


STREAMER = """
import time
fs.write("/big.bin", b"old contents")
piece = bytes(range(256)) * 4096
handle = fs.open("/big.bin", "wb")
for i in range(48):
    handle.write(piece)
handle.flush()
report("streamed")
time.sleep(600)
"""


def test_killed_mid_streamed_write_leaves_no_partial_blob_after_a_restart(tmp_path: Path) -> None:
    run_until(tmp_path, STREAMER, kill_after=1, warm_threshold=1 << 20)
    incoming = tmp_path / "object.blobs" / "incoming"
    left = sum(path.stat().st_size for path in incoming.iterdir())
    assert left >= 47 << 20, "the kill should land with most of the upload written"

    storage, fs = reopened(tmp_path)
    try:
        assert fs.read("/big.bin") == b"old contents"
        assert list(incoming.iterdir()) == [], "the first use after the restart deletes the dead upload"
        assert_consistent(fs)
        assert fs.usage()["used_bytes"] == len(b"old contents")
    finally:
        storage.close()


FAILING_DISK = """
import errno, json, resource, signal
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
fs.write("/big.bin", b"old contents")
soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
resource.setrlimit(resource.RLIMIT_FSIZE, (8 << 20, hard))  # files past 8 MiB fail with EFBIG
handle = fs.open("/big.bin", "wb")
failures = []
for i in range(16):
    try:
        handle.write(bytes([i]) * (1 << 20))
    except OSError as exc:
        failures.append(exc.errno)
handle.close()
resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
report(json.dumps({
    "failures": failures,
    "contents": fs.read("/big.bin").decode(),
    "incoming": fs.blob_store.incoming(),
    "used": fs.usage()["used_bytes"],
    "du": fs.du("/"),
}))
"""


def test_a_streamed_write_the_disk_refuses_is_abandoned_and_keeps_the_old_contents(tmp_path: Path) -> None:
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent(PRELUDE) + textwrap.dedent(FAILING_DISK))
    env = {**os.environ, "PYTHONPATH": SOURCE_ROOT}
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "object.sqlite"), str(1024)],
        capture_output=True,
        env=env,
        text=True,
        timeout=120,
        check=True,
    )
    result = json.loads(done.stdout)
    assert result["failures"][0] == errno.EFBIG, "the disk refused a piece"
    assert set(result["failures"][1:]) == {errno.EIO}, "later writes say the write was abandoned"
    assert result["contents"] == "old contents"
    assert result["incoming"] == [] and result["used"] == result["du"] == len("old contents")
