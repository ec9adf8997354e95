"""The storage contract (`ObjectStorage`): the runtime's SQLite `Storage` satisfies it (checked by
pyright, which `make lint` runs on this file), and the layers above find their blob folder through
it rather than through the database's path."""

from __future__ import annotations

from pathlib import Path

from dotdo import DO, Runtime
from dotdo.runtime.object_storage import ObjectStorage
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
