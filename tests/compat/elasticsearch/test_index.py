"""`ElasticIndex` as an object: its writes are events other objects subscribe to."""

from __future__ import annotations

import asyncio
from pathlib import Path

from dotdo import DO
from dotdo.compat.elasticsearch import ElasticIndex
from dotdo.runtime.runtime import Runtime


class Auditor(DO):
    """A user's object keeping what every write of an index changed."""

    async def on_start(self) -> None:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS changes (kind TEXT, id TEXT)")

    async def seen(self) -> list[tuple[str, str]]:
        return [(row["kind"], row["id"]) for row in self.storage.sql.exec("SELECT * FROM changes ORDER BY rowid")]

    async def on_written(self, event) -> None:
        for kind in ("created", "updated", "deleted"):
            for doc_id in event.data[kind]:
                self.storage.sql.exec("INSERT INTO changes VALUES (?, ?)", kind, doc_id)


async def test_each_write_request_is_one_event_naming_the_documents_it_changed(tmp_path: Path) -> None:
    async with Runtime(tmp_path, objects=[ElasticIndex, Auditor]) as rt:
        index = rt.get(ElasticIndex, "default/books")
        await index.open("books", {}, {})
        await rt.run_in(Auditor, "a", lambda a: a.ctx.subscribe(index, "ElasticIndex.written", "on_written"))
        await index.write([{"op": "index", "id": "1", "source": {"t": "a"}}, {"op": "create", "id": "2", "source": {}}])
        await index.write([{"op": "index", "id": "1", "source": {"t": "b"}}, {"op": "delete", "id": "2"}])
        await index.write([{"op": "delete", "id": "missing"}])
        expected = [("created", "1"), ("created", "2"), ("updated", "1"), ("deleted", "2")]
        for _ in range(100):
            if await rt.get(Auditor, "a").seen() == expected:
                break
            await asyncio.sleep(0.05)
        assert await rt.get(Auditor, "a").seen() == expected
