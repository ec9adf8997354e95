"""One runtime per data folder: the `flock` lock file, its holder's pid, and stale locks."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from dotdo import DataFolderInUseError, Runtime
from dotdo.runtime.folder_lock import LOCK_FILE, FolderLock

SRC = Path(__file__).parent.parent.parent / "src"

HOLDER = """
import asyncio, sys
from dotdo import Runtime

async def main():
    async with Runtime(sys.argv[1]):
        print("holding", flush=True)
        await asyncio.sleep(3600)

asyncio.run(main())
"""


def _hold_in_child(data: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(SRC))
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    line = child.stdout.readline()
    assert line.strip() == "holding", child.stderr.read()
    return child


async def test_a_second_runtime_in_this_process_is_told_to_share(tmp_path: Path) -> None:
    async with Runtime(tmp_path):
        second = Runtime(tmp_path)
        with pytest.raises(DataFolderInUseError, match="another Runtime in this process") as caught:
            await second.start()
        assert str(tmp_path.resolve()) in str(caught.value) and "Runtime.shared" in str(caught.value)
    async with Runtime(tmp_path) as again:
        assert again.started


async def test_another_process_holding_the_folder_is_named_until_it_dies(tmp_path: Path) -> None:
    child = _hold_in_child(tmp_path)
    try:
        assert (tmp_path / LOCK_FILE).read_text().strip() == str(child.pid)
        with pytest.raises(DataFolderInUseError) as caught:
            await Runtime(tmp_path).start()
        assert f"in use by process {child.pid}" in str(caught.value)
        assert str(tmp_path.resolve()) in str(caught.value)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    # The kernel released the dead holder's lock; its pid left in the file is taken over.
    assert (tmp_path / LOCK_FILE).read_text().strip() == str(child.pid)
    async with Runtime(tmp_path) as rt:
        assert rt.started and (tmp_path / LOCK_FILE).read_text().strip() == str(os.getpid())


async def test_a_lock_file_of_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / LOCK_FILE).write_text(gone.stdout)
    async with Runtime(tmp_path) as rt:
        assert rt.started
    assert (tmp_path / LOCK_FILE).read_text() == ""


def test_check_takes_nothing_and_release_is_idempotent(tmp_path: Path) -> None:
    lock = FolderLock(tmp_path)
    lock.check()
    assert not lock.held
    lock.acquire()
    other = FolderLock(tmp_path)
    with pytest.raises(DataFolderInUseError, match=str(os.getpid())):
        other.check()
    lock.release()
    lock.release()
    other.check()
