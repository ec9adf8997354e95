"""`ShardedCollection`: one vector collection, in one object or spread by point id over several.

A collection created with `shards=N` (N > 1, the server's `index_shards` setting) keeps its settings
in its own object (`<name>`) and its points in N shard objects (`<name>-shard-<i>`, the lifecycle's
shard naming), each one a `VectorCollection` of the same dimension and metric. A point's shard is the
lifecycle's `hash` strategy over its id, so getting, upserting or deleting points by id asks only
their shards; a filter asks every shard.

A query asks every shard for its own `offset + limit` nearest points, each scored exactly, and keeps
the best of them: the `k` nearest of the whole collection are among the `k` nearest of their shards,
so the merge loses nothing (each shard's answer has the recall of one collection's); this holds for
every space, named dense or sparse. Points keep one insertion order across shards (the collection's own
object hands out positions), which is what scroll pages follow and what breaks ties between equal
scores; a scroll by id merges the shards' pages by id. Writes are checked whole by the collection's own
object (which knows its spaces) before any shard stores a point.

Layers hold a `ShardedCollection` where they held a `VectorCollection` stub: it has the same methods,
and for a collection of one object it passes each call through.
"""

from __future__ import annotations

import asyncio
import heapq
from typing import Any

from ..sharding import ShardedResource, hashed_shard
from .collection import MissingPoints, PayloadEdit, Point, Selector, Space, VectorCollection, point_key


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

    async def _chosen(self, method: str, ids: list[Any] | None, filter: Selector | None, *args: Any) -> int:
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
        self,
        name: str,
        dimension: int | None,
        metric: str | None,
        config: dict[str, Any] | None = None,
        spaces: dict[str, Space] | None = None,
    ) -> dict[str, Any]:
        """Create the collection (and its shards); `VectorError` if it exists or a dimension, metric or space
        is wrong (see `VectorCollection.create`)."""
        info = await self.root.create(name, dimension, metric, config, spaces, shards=self.new_shards)
        self._count = self.new_shards
        if self.new_shards > 1:
            await asyncio.gather(
                *(self.shard(i).create(name, dimension, metric, config, spaces) for i in range(self.new_shards))
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

    async def upsert(
        self,
        points: list[Point],
        *,
        merge_payload: bool = False,
        keep_vectors: bool = True,
        require_vector: bool = True,
        insert: bool = True,
        update: bool | Selector = True,
    ) -> int:
        """Insert or replace points (see `VectorCollection.upsert`); checked whole before any shard stores one.

        Returns how many points were written.
        """
        options = {
            "merge_payload": merge_payload,
            "keep_vectors": keep_vectors,
            "require_vector": require_vector,
            "insert": insert,
            "update": update,
        }
        count = await self.shard_count()
        if count <= 1:
            return int(await self.root.upsert(points, **options))
        await self.root.check_points(points)
        batches: dict[int, list[Point]] = {}
        keys = []
        for point in points:
            key = point_key(point.id)
            keys.append(key)
            batches.setdefault(hashed_shard(key, count), []).append(point)
        distinct = list(dict.fromkeys(keys))
        first = await self.root.reserve_positions(len(distinct))
        positions = {key: first + offset for offset, key in enumerate(distinct)}
        written = await asyncio.gather(
            *(self.shard(index).upsert(batch, **options, positions=positions) for index, batch in batches.items())
        )
        return sum(written)

    async def update_vectors(self, points: list[Point], filter: Selector | None = None) -> int:
        """Replace the given vectors of existing points (see `VectorCollection.update_vectors`); all or none:
        `MissingPoints` or `VectorError` before any shard changes a point."""
        count = await self.shard_count()
        if count <= 1:
            return int(await self.root.update_vectors(points, filter))
        await self.root.check_points(points)
        ids = [point.id for point in points]
        stored = {point_key(point["id"]) for point in await self.get(ids)}
        missing = [point_id for point_id in ids if point_key(point_id) not in stored]
        if missing:
            raise MissingPoints(missing)
        batches: dict[int, list[Point]] = {}
        for point in points:
            batches.setdefault(hashed_shard(point_key(point.id), count), []).append(point)
        updated = await asyncio.gather(
            *(self.shard(index).update_vectors(batch, filter) for index, batch in batches.items())
        )
        return sum(updated)

    async def delete_vectors(self, ids: list[Any] | None, filter: Selector | None, names: list[str]) -> int:
        """Remove the named vectors `names` from the points named by `ids` or accepted by `filter`."""
        return await self._chosen("delete_vectors", ids, filter, names)

    async def set_payload(
        self, ids: list[Any] | None, filter: Selector | None, payload: dict[str, Any], replace: bool
    ) -> int:
        """Merge (or, `replace`, set) the payload of the points named by `ids` or accepted by `filter`."""
        return await self._chosen("set_payload", ids, filter, payload, replace)

    async def edit_payload(self, ids: list[Any] | None, filter: Selector | None, edit: PayloadEdit) -> int:
        """Apply `edit` to the payload of the points named by `ids` or accepted by `filter`."""
        return await self._chosen("edit_payload", ids, filter, edit)

    async def delete_payload_keys(self, ids: list[Any] | None, filter: Selector | None, keys: list[str]) -> int:
        """Remove payload `keys` from the chosen points."""
        return await self._chosen("delete_payload_keys", ids, filter, keys)

    async def delete(self, ids: list[Any] | None = None, filter: Selector | None = None) -> int:
        """Delete the points named by `ids` (or accepted by `filter`; all of them if both are None)."""
        return await self._chosen("delete", ids, filter)

    # -- reads --------------------------------------------------------------------------------------

    async def get(self, ids: list[Any], with_vectors: bool | list[str] = False) -> list[dict[str, Any]]:
        """The points of `ids` that exist, in the order asked."""
        if await self.shard_count() <= 1:
            return list(await self.root.get(ids, with_vectors))
        batches = await self._by_shard(ids)
        parts = await asyncio.gather(*(self.shard(index).get(batch, with_vectors) for index, batch in batches.items()))
        found = {point_key(point["id"]): point for part in parts for point in part}
        return [found[point_key(i)] for i in ids if point_key(i) in found]

    async def scroll(
        self,
        filter: Selector | None = None,
        after: Any = None,
        limit: int = 10,
        with_vectors: bool | list[str] = False,
        offset: int = 0,
        ids: list[Any] | None = None,
        by_id: bool = False,
    ) -> dict[str, Any]:
        """Points in insertion order from the one with id `after` (or skipping `offset`): {"points", "next"}.

        `by_id` orders them by id instead (integers first, ascending, then strings), from `after` on.
        """
        count = await self.shard_count()
        if count <= 1:
            return dict(await self.root.scroll(filter, after, limit, with_vectors, offset, ids, by_id))
        if by_id:
            parts = await self.everywhere("scroll", filter, after, offset + limit + 1, with_vectors, 0, ids, True)
            pages: list[list[dict[str, Any]]] = [part["points"] for part in parts]
            by_id_order = list(heapq.merge(*pages, key=lambda point: _id_order(point["id"])))
            following = by_id_order[offset + limit]["id"] if len(by_id_order) > offset + limit else None
            return {"points": by_id_order[offset : offset + limit], "next": following}
        start = 0
        if after is not None:
            found = await self.shard_of(point_key(after), count).position_of(after)
            if found is None:
                return {"points": [], "next": None}
            start = found
        parts = await self.everywhere(
            "scroll", filter, None, offset + limit + 1, with_vectors, 0, ids, from_position=start
        )
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

    async def count(self, filter: Selector | None = None) -> int:
        """How many points `filter` accepts."""
        return sum(await self.everywhere("count", filter))

    async def query(
        self,
        vector: Any,
        limit: int = 10,
        filter: Selector | None = None,
        offset: int = 0,
        with_vectors: bool | list[str] = False,
        threshold: float | None = None,
        exact: bool = False,
        using: str | None = None,
        ids: list[Any] | None = None,
    ) -> list[dict[str, Any]]:
        """The `limit` points nearest `vector` in the space `using` among those `filter` accepts (and, given
        `ids`, among those points): see `VectorCollection.query`."""
        count = await self.shard_count()
        if count <= 1:
            return list(
                await self.root.query(vector, limit, filter, offset, with_vectors, threshold, exact, using, ids)
            )
        descending = await self.root.query_order(vector, using)
        asked = limit + offset
        if ids is None:
            parts = await self.everywhere(
                "query", vector, asked, filter, 0, with_vectors, threshold, exact, using, None, positions=True
            )
        else:
            batches = await self._by_shard(ids)
            parts = await asyncio.gather(
                *(
                    self.shard(index).query(
                        vector, asked, filter, 0, with_vectors, threshold, exact, using, batch, positions=True
                    )
                    for index, batch in batches.items()
                )
            )
        sign = -1.0 if descending else 1.0
        merged = heapq.merge(*parts, key=lambda point: (sign * point["score"], point["position"]))
        return [_without_position(point) for point in list(merged)[offset : offset + limit]]


def _id_order(point_id: Any) -> tuple[int, Any]:
    """Where a point id falls in the order of ids: integers first, ascending, then strings (SQLite's order)."""
    return (1, point_id) if isinstance(point_id, str) else (0, point_id)


def _without_position(point: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in point.items() if key != "position"}
