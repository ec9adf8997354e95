"""The storage contract (`ObjectStorage`): the runtime's SQLite `Storage` satisfies it (checked by
pyright, which `make lint` runs on this file), and the layers above find their blob folder through
it rather than through the database's path."""

from __future__ import annotations

import time
from pathlib import Path

from dotdo import DO, Runtime
from dotdo.runtime.log_store import LogStore
from dotdo.runtime.object_storage import ObjectStorage
from dotdo.runtime.restore import restore
from dotdo.runtime.storage import Storage


def test_the_sqlite_storage_is_an_object_storage(tmp_path: Path) -> None:
    storage: ObjectStorage = Storage(tmp_path / "one.sqlite")
    storage.put("k", {"v": 1})
    assert storage.get("k") == {"v": 1}
    storage.transaction_sync(lambda: storage.sql.exec("CREATE TABLE t (x)"))
    assert storage.table_exists("t")
    storage.commit()
    assert not storage.dirty
    assert storage.blob_root == tmp_path / "one.blobs"


class Notes(DO):
    async def write(self, text: str) -> str:
        await self.ctx.fs.write("/big.txt", text.encode() * 400_000)
        return str(self.storage.blob_root)


async def test_fsx_keeps_large_files_under_the_storage_blob_root(tmp_path: Path) -> None:
    async with Runtime(tmp_path, objects=[Notes]) as rt:
        root = Path(await rt.call(Notes, "n", "write", "large "))
        assert root.suffix == ".blobs"
        assert any(path.is_file() for path in root.rglob("*"))


class ShippedNotes(DO):
    async def write(self, text: str) -> None:
        await self.ctx.fs.write("/big.txt", text.encode() * 400_000)

    async def read(self) -> bytes:
        return await self.ctx.fs.read("/big.txt")


async def test_large_files_of_an_object_that_ships_its_log_go_beside_it_and_follow_it_to_another_folder(
    tmp_path: Path,
) -> None:
    log = tmp_path / "log"
    async with Runtime(tmp_path / "a", objects=[ShippedNotes], durability="replicated", replicate_to=log) as rt:
        await rt.call(ShippedNotes, "n", "write", "large ")
        assert not any(path.is_file() for path in (tmp_path / "a").rglob("*.blobs/**/*"))
    assert any(path.is_file() for path in (log / "blobs").rglob("*"))
    # A fork from the log: a new object at that instant, with the large content it refers to.
    await restore(LogStore.open(log), "ShippedNotes", "n", time.time(), to_name="fork")
    # Another data folder with nothing but the store: the databases and their large file are rebuilt.
    async with Runtime(tmp_path / "b", objects=[ShippedNotes], replicate_to=log) as rt:
        assert await rt.call(ShippedNotes, "n", "read") == b"large " * 400_000
        assert await rt.call(ShippedNotes, "fork", "read") == b"large " * 400_000
