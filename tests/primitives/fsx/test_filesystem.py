"""The async FileSystem: every public method awaits, and `attach(ctx)` wires it to an object."""

from __future__ import annotations

import os
import stat
from types import SimpleNamespace

import pytest

from dotdo import DO, Runtime
from dotdo.primitives.fsx import FileSystem, SyncFileSystem, attach
from dotdo.runtime.storage import Storage


async def test_async_api_round_trip(afs: FileSystem) -> None:
    await afs.mkdir("/proj/src", parents=True, exist_ok=True)
    await afs.write("/proj/src/app.py", "print('hi')\n")
    await afs.write("/proj/conf.json", {"debug": True})
    await afs.write("/proj/log", b"a")
    await afs.write("/proj/log", b"b", append=True)

    assert await afs.read_text("/proj/src/app.py") == "print('hi')\n"
    assert await afs.read_json("/proj/conf.json") == {"debug": True}
    assert await afs.read("/proj/log") == b"ab"
    assert await afs.listdir("/proj") == ["conf.json", "log", "src"]
    assert [e.name for e in await afs.scandir("/proj")] == ["conf.json", "log", "src"]
    assert await afs.glob("**/*.py") == ["/proj/src/app.py"]
    assert [top async for top, _, _ in afs.walk("/proj")] == ["/proj", "/proj/src"]
    assert (await afs.stat("/proj/log")).st_size == 2
    assert await afs.exists("/proj") and await afs.is_dir("/proj") and await afs.is_file("/proj/log")

    await afs.symlink("src/app.py", "/proj/link")
    assert await afs.is_symlink("/proj/link") and await afs.readlink("/proj/link") == "src/app.py"
    assert stat.S_ISLNK((await afs.lstat("/proj/link")).st_mode)
    assert await afs.realpath("/proj/link") == "/proj/src/app.py"
    await afs.link("/proj/log", "/proj/log2")
    await afs.copy("/proj/src", "/proj/src2")
    await afs.rename("/proj/src2", "/proj/src3")
    await afs.chmod("/proj/log", 0o600)
    await afs.utime("/proj/log", (1.0, 2.0))
    await afs.truncate("/proj/log", 1)
    assert await afs.read("/proj/log2") == b"a"
    assert await afs.du("/proj") == len("print('hi')\n") * 2 + len('{"debug": true}') + 1
    await afs.unlink("/proj/log2")
    await afs.rm("/proj/src3", recursive=True)
    assert await afs.listdir("/proj") == ["conf.json", "link", "log", "src"]
    assert (await afs.usage())["used_bytes"] == await afs.du("/")


async def test_large_writes_and_reads_await_the_warm_tier(storage: Storage) -> None:
    afs = FileSystem(storage, warm_threshold=1000)
    payload = os.urandom(50_000)
    assert await afs.write("/big", payload) == len(payload)
    assert afs.sync.resolve("/big").inode.blob is not None
    assert await afs.read("/big") == payload
    with pytest.raises(FileExistsError):
        await afs.write("/big", payload, exclusive=True)
    await afs.unlink("/big")
    assert await afs.collect_garbage() == 1


async def test_errors_are_raised_from_async_calls(afs: FileSystem) -> None:
    with pytest.raises(FileNotFoundError):
        await afs.read("/nope")
    with pytest.raises(ValueError, match="older_than"):
        await afs.move_cold()


def test_attach_builds_the_filesystem_of_a_context(storage: Storage) -> None:
    fs = attach(SimpleNamespace(storage=storage))
    assert isinstance(fs, FileSystem) and isinstance(fs.sync, SyncFileSystem)
    assert fs.storage is storage
    fs.sync.write("/x", "y")
    assert FileSystem(storage).sync.read_text("/x") == "y"


class Journal(DO):
    async def add(self, line: str) -> list[str]:
        await self.ctx.fs.mkdir("/journal", exist_ok=True)
        await self.ctx.fs.write("/journal/log.txt", line + "\n", append=True)
        return (await self.ctx.fs.read_text("/journal/log.txt")).splitlines()

    async def lines(self) -> list[str]:
        return (await self.ctx.fs.read_text("/journal/log.txt")).splitlines()


async def test_ctx_fs_of_an_object_survives_eviction(runtime: Runtime) -> None:
    journal = runtime.get(Journal, "mine")
    assert await journal.add("first") == ["first"]
    assert await journal.add("second") == ["first", "second"]
    assert await runtime.get(Journal, "other").add("elsewhere") == ["elsewhere"]

    record = runtime.host.live(("Journal", journal.id.hex))
    assert record is not None and runtime.host.evict(record.key, force=True)
    assert await runtime.get(Journal, "mine").lines() == ["first", "second"]
