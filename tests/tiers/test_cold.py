"""Old versions move to the cold archive and read back transparently."""

from __future__ import annotations

from typing import Any

from dotdo.tiers import Runtime
from dotdo.tiers.cold import COLD_FILES_TABLE
from tests.tiers.dataset import Shop


async def test_old_versions_move_to_the_cold_archive_and_read_back(runtime: Runtime) -> None:
    def write(obj: Any) -> None:
        obj.ctx.things.create("Order", id="a", amount=1)
        obj.ctx.things.update("a", amount=2)
        obj.ctx.things.update("a", amount=3, note="x" * 5000)
        obj.ctx.things.update("a", amount=4)

    await runtime.run_in(Shop, "s", write)
    before = await runtime.run_in(Shop, "s", lambda obj: [(t.version, t.data) for t in obj.ctx.things.history("a")])
    assert await runtime.archive(older_than=0) == 3
    hot = await runtime.run_in(Shop, "s", lambda obj: obj.storage.sql.exec("SELECT count(*) FROM thing_versions").raw())
    assert list(hot) == [(0,)]
    after = await runtime.run_in(Shop, "s", lambda obj: [(t.version, t.data) for t in obj.ctx.things.history("a")])
    assert after == before
    old = await runtime.run_in(Shop, "s", lambda obj: obj.ctx.things.get("a", version=2))
    assert old.data == {"amount": 2}
    assert await runtime.archive(older_than=0) == 0


async def test_archives_recorded_as_plain_paths_by_earlier_releases_still_read_back(runtime: Runtime) -> None:
    await runtime.run_in(Shop, "s", lambda obj: obj.ctx.things.create("Order", id="a", amount=1))
    await runtime.run_in(Shop, "s", lambda obj: obj.ctx.things.update("a", amount=2))
    assert await runtime.archive(older_than=0) == 1

    def to_plain_paths(obj: Any) -> list[str]:
        obj.storage.sql.exec(f"UPDATE {COLD_FILES_TABLE} SET path = substr(path, length('file://') + 1)")
        return [row[0] for row in obj.storage.sql.exec(f"SELECT path FROM {COLD_FILES_TABLE}").raw()]

    paths = await runtime.run_in(Shop, "s", to_plain_paths)
    assert paths and all(path.startswith("/") for path in paths)
    old = await runtime.run_in(Shop, "s", lambda obj: obj.ctx.things.get("a", version=1))
    assert old.data == {"amount": 1}
