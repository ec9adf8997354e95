"""The Algolia account object: its index list is events other objects subscribe to."""

from __future__ import annotations

import asyncio
from pathlib import Path

from dotdo import DO, Runtime
from dotdo.compat.algolia import AlgoliaAccount


class IndexWatcher(DO):
    """A user's object told of every index a tenant creates or deletes."""

    async def on_start(self) -> None:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS seen (what TEXT)")

    async def seen(self) -> list[str]:
        return [row["what"] for row in self.storage.sql.exec("SELECT what FROM seen ORDER BY rowid").to_list()]

    async def on_index(self, event) -> None:
        self.storage.sql.exec("INSERT INTO seen VALUES (?)", f"{event.type} {event.data['index']}")


async def test_indexes_created_and_deleted_are_events(tmp_path: Path) -> None:
    async with Runtime(tmp_path, objects=[AlgoliaAccount, IndexWatcher]) as rt:
        account = rt.get(AlgoliaAccount, "acme")
        for kind in ("AlgoliaIndex.created", "AlgoliaIndex.deleted"):
            await rt.run_in(IndexWatcher, "w", lambda w, kind=kind: w.ctx.subscribe(account, kind, "on_index"))
        assert await account.add_index("books")
        assert not await account.add_index("books")  # already there: no second event
        assert await account.remove_index("books")
        expected = ["AlgoliaIndex.created books", "AlgoliaIndex.deleted books"]
        for _ in range(100):
            if await rt.get(IndexWatcher, "w").seen() == expected:
                break
            await asyncio.sleep(0.05)
        assert await rt.get(IndexWatcher, "w").seen() == expected
