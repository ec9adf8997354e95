"""Resharding a standard queue while it serves: sends switch to the new layout, dropped objects drain.

Messages of a standard queue have no key: any shard may hold any message, and a receive asks every
shard. So a reshard moves only what the new layout no longer keeps. The queue's own object records
the move (`sqs_reshard`) before anything changes, so a restart finishes it. The new layout's shard
objects are created first; then the queue switches to the new layout in one transaction (sends go
there from then on) and lists the objects it drops as draining (`sqs_draining`): receives keep
asking them, receipts from them keep working, and they refuse new sends. Each draining object's
visible messages move in batches, hidden from receives while they are copied (same id, send time and
receive count, new place in line); its in-flight messages stay until deleted or visible again, so
the drain lasts at most as long as the longest visibility timeout or delay among them.

FIFO queues are not resharded: a message group's order and the deduplication window are one
object's transaction, so a FIFO queue stays in one object (as it is created).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from itertools import cycle
from typing import TYPE_CHECKING, Any

from ...runtime.sql import SqlStorage
from ..sharding import OWN_OBJECT, check_shard_count, places, shard_object_name
from .errors import SqsError

if TYPE_CHECKING:
    from .queue import SqsQueue

SCHEMA = """
CREATE TABLE IF NOT EXISTS sqs_reshard (
    id TEXT NOT NULL, source INTEGER NOT NULL, target INTEGER NOT NULL, started_at REAL NOT NULL,
    moved INTEGER NOT NULL DEFAULT 0, switched INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS sqs_draining (place INTEGER PRIMARY KEY);
"""

BATCH = 200
"""Messages moved per batch from a draining object."""

DEFAULT_SPLIT_MESSAGES = 1_000_000
"""Messages one shard may hold before the server splits the queue (`--queue-split-messages`)."""


def pending(sql: SqlStorage) -> dict[str, Any] | None:
    """The reshard this queue's object has recorded and not finished, if any."""
    rows = sql.exec("SELECT * FROM sqs_reshard").to_list()
    return rows[0] if rows else None


class QueueResharder:
    """The reshard of one standard queue, run by the queue's own object."""

    def __init__(self, queue: SqsQueue) -> None:
        self.queue = queue
        self.sql = queue.storage.sql
        info = queue.info()
        self.tenant: str = info["tenant"]
        self.name: str = info["name"]
        self.attributes: dict[str, str] = info["attributes"]

    def check(self, shards: Any) -> int:
        """The shard count asked for, checked against the queue (`InvalidParameterValue` saying why)."""
        if self.attributes.get("FifoQueue") == "true":
            raise SqsError(
                "InvalidParameterValue",
                f"{self.name} is a FIFO queue: it stays in one object (its message groups' order and "
                "deduplication are one transaction) and cannot be resharded",
            )
        try:
            count = check_shard_count("Shards", shards)
        except ValueError as exc:
            raise SqsError("InvalidParameterValue", str(exc)) from None
        move = pending(self.sql)
        if move is not None:
            raise SqsError(
                "InvalidParameterValue",
                f"{self.name} is already being resharded to {move['target']} shards; wait for it to finish",
            )
        return count

    def begin(self, target: int) -> None:
        """Record a reshard to `target` shards (`run` carries it out)."""
        self.sql.exec(
            "INSERT INTO sqs_reshard (id, source, target, started_at) VALUES (?, ?, ?, ?)",
            uuid.uuid4().hex,
            int(self.queue.info()["shards"]),
            target,
            time.time(),
        )

    async def run(self) -> dict[str, Any]:
        """Switch to the new layout, then drain every object it drops; what moved."""
        move = pending(self.sql)
        if move is None:
            return {"moved": 0}
        target = int(move["target"])
        active = places(target)
        for place in active:
            await self._join(place, target)
        if not move["switched"]:

            def switch() -> None:
                dropped = [p for p in places(int(move["source"])) if p not in active]
                self.sql.exec("UPDATE sqs_layout SET shards = ?", target)
                for place in dropped:
                    self.sql.exec("INSERT OR IGNORE INTO sqs_draining VALUES (?)", place)
                self.sql.exec(
                    "DELETE FROM sqs_draining WHERE place IN (SELECT value FROM json_each(?))",
                    f"[{','.join(map(str, active))}]",
                )
                self.sql.exec("UPDATE sqs_reshard SET switched = 1")

            self.queue.storage.transaction_sync(switch)
        draining = [row["place"] for row in self.sql.exec("SELECT place FROM sqs_draining ORDER BY place").to_list()]
        for place in draining:
            await self._join(place, target)
        turn = cycle(active)
        for place in draining:
            await self._drain(place, turn)
            self.sql.exec("DELETE FROM sqs_draining WHERE place = ?", place)
            if place != OWN_OBJECT:
                await self.call(place, "delete_queue", shard=True)  # drained: no longer part of the queue
        moved = int(self.sql.exec("SELECT moved FROM sqs_reshard").one()["moved"])
        self.sql.exec("DELETE FROM sqs_reshard")
        return {"queue": self.name, "target": target, "moved": moved}

    async def _drain(self, place: int, turn: cycle[int]) -> None:
        while True:
            rows = await self.call(place, "export_visible", BATCH)
            if rows:
                destination = next(turn)
                await self.call(destination, "import_messages", rows, time.time())
                await self.call(place, "release_messages", [row["message_id"] for row in rows])
                self.sql.exec("UPDATE sqs_reshard SET moved = moved + ?", len(rows))
                continue
            left = await self.call(place, "remaining")
            if not left["messages"]:
                return
            # In flight or delayed: wait until the next one shows (it is then visible, and moves).
            wait = (left["next_visible_at"] or time.time()) - time.time()
            await asyncio.sleep(min(max(wait, 0.02), 1.0))

    async def _join(self, place: int, target: int) -> None:
        await self.call(place, "join_layout", self.tenant, self.name, self.attributes, place, target)

    async def call(self, place: int, method: str, *args: Any, **kwargs: Any) -> Any:
        """Call `method` of the object at `place` (this queue's own object directly)."""
        if place == OWN_OBJECT:
            return getattr(self.queue, method)(*args, **kwargs)
        stub = self.queue.runtime.get(type(self.queue), shard_object_name(self.tenant, self.name, place))
        return await getattr(stub, method)(*args, **kwargs)
