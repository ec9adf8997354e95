"""`ShardedCollection`: one vector collection, in one object or spread by point id over several.

A collection created with `shards=N` (N > 1, the server's `index_shards` setting) keeps its settings
in its own object (`<name>`) and its points in N shard objects (`<name>-shard-<i>`, the lifecycle's
shard naming), each one a `VectorCollection` of the same dimension and metric. A point's shard is the
lifecycle's `hash` strategy over its id, so getting, upserting or deleting points by id asks only
their shards; a filter asks every shard.

A query asks every shard for its own `offset + limit` nearest points, each scored exactly, and keeps
the best of them: the `k` nearest of the whole collection are among the `k` nearest of their shards,
so the merge loses nothing (each shard's answer has the recall of one collection's). Points keep one
insertion order across shards (the collection's own object hands out positions), which is what scroll
pages follow and what breaks ties between equal scores.

Layers hold a `ShardedCollection` where they held a `VectorCollection` stub: it has the same methods,
and for a collection of one object it passes each call through.
"""

from __future__ import annotations

import asyncio
import heapq
from typing import Any

from ..search.filters import Filter
from ..sharding import ShardedResource, hashed_shard
from .ann import VectorError, better_first, check_vector
from .collection import Point, VectorCollection, point_key


class ShardedCollection(ShardedResource):
    """The collection named `name`: its own object, and its shard objects when it was created sharded.

    `runtime` is what `get(cls, name)` returns stubs from; `shards` is the shard count a collection created
    through this handle gets.
    """

    def __init__(self, runtime: Any, name: str, *, shards: int = 1) -> None:
        super().__init__(runtime, name, VectorCollection, shards)

    async def _by_shard(self, ids: list[Any]) -> dict[int, list[Any]]:
        count = await self.shard_count()
        batches: dict[int, list[Any]] = {}
        for point_id in ids:
            batches.setdefault(hashed_shard(point_key(point_id), count), []).append(point_id)
        return batches

    async def _chosen(self, method: str, ids: list[Any] | None, filter: Filter | None, *args: Any) -> int:
        """`method(ids, filter, *args)` where the points named by `ids` (or any point, for None) live."""
        if await self.shard_count() <= 1:
            return int(await getattr(self.root, method)(ids, filter, *args))
        if ids is None:
            return sum(await self.everywhere(method, None, filter, *args))
        batches = await self._by_shard(ids)
        found = await asyncio.gather(
            *(getattr(self.shard(index), method)(batch, filter, *args) for index, batch in batches.items())
        )
        return sum(found)

    # -- the collection -----------------------------------------------------------------------------

    async def exists(self) -> bool:
        """Whether the collection was created (and not dropped)."""
        return bool(await self.root.exists())

    async def create(
        self, name: str, dimension: int, metric: str, config: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Create the collection (and its shards); `VectorError` if it exists or the dimension or metric is wrong."""
        info = await self.root.create(name, dimension, metric, config, shards=self.new_shards)
        self._count = self.new_shards
        if self.new_shards > 1:
            await asyncio.gather(
                *(self.shard(i).create(name, dimension, metric, config) for i in range(self.new_shards))
            )
        return info

    async def info(self) -> dict[str, Any]:
        """name, dimension, metric, config, count (of every shard), createdAt."""
        info = dict(await self.root.info())
        if await self.shard_count() > 1:
            info["count"] = sum(part["count"] for part in await self.everywhere("info"))
        return info

    async def update_config(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Merge `changes` into the collection's free-form configuration."""
        await self.root.update_config(changes)
        if await self.shard_count() > 1:
            await self.everywhere("update_config", changes)
        return await self.info()

    async def drop(self) -> None:
        """Delete the collection and every point."""
        if await self.shard_count() > 1:
            await self.everywhere("drop")
        await self.root.drop()
        self._count = None

    async def save_graph(self) -> bool:
        """Save every shard's graph now (see `VectorCollection.save_graph`)."""
        return all(await self.everywhere("save_graph"))

    # -- writes -------------------------------------------------------------------------------------

    async def upsert(self, points: list[Point], *, merge_payload: bool = False) -> int:
        """Insert or replace points (see `VectorCollection.upsert`); checked whole before any shard stores one."""
        count = await self.shard_count()
        if count <= 1:
            return int(await self.root.upsert(points, merge_payload=merge_payload))
        dimension = (await self.root.info())["dimension"]
        batches: dict[int, list[Point]] = {}
        keys = []
        for point in points:
            key = point_key(point.id)
            if point.vector is not None:
                check_vector(point.vector, dimension)
            if not isinstance(point.payload, dict):
                raise VectorError("a payload must be a JSON object")
            keys.append(key)
            batches.setdefault(hashed_shard(key, count), []).append(point)
        distinct = list(dict.fromkeys(keys))
        first = await self.root.reserve_positions(len(distinct))
        positions = {key: first + offset for offset, key in enumerate(distinct)}
        await asyncio.gather(
            *(
                self.shard(index).upsert(batch, merge_payload=merge_payload, positions=positions)
                for index, batch in batches.items()
            )
        )
        return len(points)

    async def set_payload(
        self, ids: list[Any] | None, filter: Filter | None, payload: dict[str, Any], replace: bool
    ) -> int:
        """Merge (or, `replace`, set) the payload of the points named by `ids` or accepted by `filter`."""
        return await self._chosen("set_payload", ids, filter, payload, replace)

    async def delete_payload_keys(self, ids: list[Any] | None, filter: Filter | None, keys: list[str]) -> int:
        """Remove payload `keys` from the chosen points."""
        return await self._chosen("delete_payload_keys", ids, filter, keys)

    async def delete(self, ids: list[Any] | None = None, filter: Filter | None = None) -> int:
        """Delete the points named by `ids` (or accepted by `filter`; all of them if both are None)."""
        return await self._chosen("delete", ids, filter)

    # -- reads --------------------------------------------------------------------------------------

    async def get(self, ids: list[Any], with_vectors: bool = False) -> list[dict[str, Any]]:
        """The points of `ids` that exist, in the order asked."""
        if await self.shard_count() <= 1:
            return list(await self.root.get(ids, with_vectors))
        batches = await self._by_shard(ids)
        parts = await asyncio.gather(*(self.shard(index).get(batch, with_vectors) for index, batch in batches.items()))
        found = {point_key(point["id"]): point for part in parts for point in part}
        return [found[point_key(i)] for i in ids if point_key(i) in found]

    async def scroll(
        self,
        filter: Filter | None = None,
        after: Any = None,
        limit: int = 10,
        with_vectors: bool = False,
        offset: int = 0,
        ids: list[Any] | None = None,
    ) -> dict[str, Any]:
        """Points in insertion order from the one with id `after` (or skipping `offset`): {"points", "next"}."""
        count = await self.shard_count()
        if count <= 1:
            return dict(await self.root.scroll(filter, after, limit, with_vectors, offset, ids))
        start = 0
        if after is not None:
            found = await self.shard_of(point_key(after), count).position_of(after)
            if found is None:
                return {"points": [], "next": None}
            start = found
        parts = await self.everywhere("scroll", filter, None, offset + limit + 1, with_vectors, 0, ids, start)
        pages: list[list[dict[str, Any]]] = [part["points"] for part in parts]
        merged = list(heapq.merge(*pages, key=lambda point: point["position"]))
        page = [_without_position(point) for point in merged[offset : offset + limit]]
        following = merged[offset + limit]["id"] if len(merged) > offset + limit else None
        return {"points": page, "next": following}

    async def string_ids(self, prefix: str = "", after: str | None = None, limit: int = 100) -> dict[str, Any]:
        """The string ids starting with `prefix`, sorted, from the first one past `after`: {"ids", "next"}."""
        if await self.shard_count() <= 1:
            return dict(await self.root.string_ids(prefix, after, limit))
        parts = await self.everywhere("string_ids", prefix, after, limit)
        merged = list(heapq.merge(*(part["ids"] for part in parts)))
        more = len(merged) > limit or any(part["next"] is not None for part in parts)
        ids = merged[:limit]
        return {"ids": ids, "next": ids[-1] if more and ids else None}

    async def count(self, filter: Filter | None = None) -> int:
        """How many points `filter` accepts."""
        return sum(await self.everywhere("count", filter))

    async def query(
        self,
        vector: list[float],
        limit: int = 10,
        filter: Filter | None = None,
        offset: int = 0,
        with_vectors: bool = False,
        threshold: float | None = None,
        exact: bool = False,
    ) -> list[dict[str, Any]]:
        """The `limit` points nearest `vector` among those `filter` accepts (see `VectorCollection.query`)."""
        if await self.shard_count() <= 1:
            return list(await self.root.query(vector, limit, filter, offset, with_vectors, threshold, exact))
        info = await self.root.info()
        check_vector(vector, info["dimension"])
        parts = await self.everywhere(
            "query", vector, limit + offset, filter, 0, with_vectors, threshold, exact, positions=True
        )
        sign = -1.0 if better_first(info["metric"]) else 1.0
        merged = heapq.merge(*parts, key=lambda point: (sign * point["score"], point["position"]))
        return [_without_position(point) for point in list(merged)[offset : offset + limit]]


def _without_position(point: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in point.items() if key != "position"}
