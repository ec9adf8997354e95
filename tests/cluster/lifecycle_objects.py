"""Objects for the lifecycle tests: a shop whose orders can be sharded, and its helpers."""

from __future__ import annotations

from typing import Any

from dotdo import every
from dotdo.cluster.lifecycle import Lifecycle
from dotdo.entities.entity import Entity


def by_region(value: Any, count: int) -> int:
    """A sharding function: region names starting a-m go to shard 0, the rest to the last shard."""
    return 0 if str(value)[:1].lower() <= "m" else count - 1


class Shop(Lifecycle):
    """A shop keeping customers and orders as things; methods are what its users call."""

    async def add(self, type: str, id: str | None = None, **fields: Any) -> dict[str, Any]:
        created = await self._maybe(self.ctx.things.create(type, id=id, data=fields))
        return created.to_dict()

    async def read(self, id: str) -> dict[str, Any] | None:
        found = await self._maybe(self.ctx.things.get(id))
        return None if found is None else found.to_dict()

    async def change(self, id: str, **fields: Any) -> int:
        return (await self._maybe(self.ctx.things.update(id, **fields))).version

    async def remove(self, id: str) -> bool:
        return await self._maybe(self.ctx.things.delete(id))

    async def ids(self, type: str | None = None, **find: Any) -> list[str]:
        return [thing.id for thing in await self._maybe(self.ctx.things.find(type, **find))]

    async def every_copy(self, type: str) -> list[str]:
        """The ids of every stored copy (no merging), to catch a thing seen twice."""
        if self.shard_router.registry.sharded:
            return [thing.id for thing in (await self.query_shards(type=type, aggregate="concat")).rows]
        return await self.ids(type)

    async def count(self, type: str | None = None, where: dict[str, Any] | None = None) -> int:
        return await self._maybe(self.ctx.things.count(type, where))

    async def relate(self, from_: str, to: str, type: str) -> str:
        return (await self._maybe(self.ctx.relationships.create(from_, to, type))).id

    async def related(self, id: str, type: str | None = None, direction: str = "out") -> list[str]:
        return [getattr(t, "id", str(t)) for t in await self._maybe(self.ctx.things.related(id, type, direction))]

    async def walk(self, id: str, types: list[str], depth: int | None = None) -> list[str]:
        return [getattr(t, "id", str(t)) for t in await self._maybe(self.ctx.things.traverse(id, types, depth))]

    def history(self, id: str) -> list[int]:
        return [thing.version for thing in self.ctx.things.history(id)]

    async def note(self, id: str) -> None:
        await self.ctx.do(record_step, id)

    def remember(self, key: str, value: Any) -> None:
        self.storage.put(key, value)

    def recall(self, key: str) -> Any:
        return self.storage.get(key)

    async def write_file(self, path: str, content: bytes) -> None:
        await self.ctx.fs.write(path, content)

    async def read_file(self, path: str) -> bytes:
        return await self.ctx.fs.read(path)

    def schedules(self) -> list[str]:
        return [schedule.id for schedule in self.ctx.schedules.list()]

    @every.hour
    async def tick(self) -> None:
        self.storage.put("ticks", (self.storage.get("ticks") or 0) + 1)

    def events(self, prefix: str) -> list[dict[str, Any]]:
        return [
            {"type": e.type, **e.data} for e in reversed(self.ctx.event_log(limit=1000)) if e.type.startswith(prefix)
        ]

    @staticmethod
    async def _maybe(value: Any) -> Any:
        # The same code runs sharded (awaited stores) and unsharded (plain ones).
        if hasattr(value, "__await__"):
            return await value
        return value


def record_step(thing_id: str) -> str:
    """A durable step about one thing (its journal row names the thing)."""
    return f"noted {thing_id}"


BROKEN: set[str] = set()
"""Names of `Shop` objects that fail to start (a shard that cannot answer)."""


class FlakyShop(Shop):
    """A shop whose objects named in `BROKEN` fail on activation."""

    async def on_start(self) -> None:
        if self.id.name in BROKEN:
            raise RuntimeError(f"{self.id.name} is down")


class BusyShop(Shop):
    """A shop moving things in small batches, so reads and writes interleave with every move."""

    move_batch_size = 20

    def bulk(self, count: int, prefix: str = "b") -> int:
        things = self.ctx.things
        for i in range(count):
            things.create("Order", id=f"{prefix}{i:06}", data={"customer_id": f"c{i % 97}", "total": i})
        return count


class Member(Lifecycle, Entity):
    """An entity class whose name index can be sharded."""

    email: str
    plan: str = "free"
