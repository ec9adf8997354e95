"""`ShardedIndex`: one search index, in one object or spread by document id over several.

An index created with `shards=N` (N > 1, the server's `index_shards` setting) keeps its settings in
its own object (`<name>`) and its documents in N shard objects (`<name>-shard-<i>`, the lifecycle's
shard naming), each one a `SearchIndex` with the same settings. A document's shard is the lifecycle's
`hash` strategy over its id, so getting, replacing or deleting one document is one shard's turn; a
delete by filter asks every shard.

A search asks every shard twice. First for its part of the statistics BM25 needs (documents, words,
and how many documents hold each phrase of the query), which are summed; then for its first
`offset + limit` hits ranked with those global statistics, so a shard scores a document exactly as
one index holding every document would. The hits are merged by their ranking keys, then insertion
order: the index's own object hands out positions, so a sharded index keeps one insertion order
across shards. Facet counts are summed before being cut to `maxValuesPerFacet`.

Layers hold a `ShardedIndex` where they held a `SearchIndex` stub: it has the same methods, and for an
index of one object it passes each call through.
"""

from __future__ import annotations

import asyncio
import functools
import time
from typing import Any

from ..sharding import ShardedResource, hashed_shard
from .filters import Filter
from .index import SearchError, SearchIndex, SearchQuery, TextStatistics, compare_ranked


class ShardedIndex(ShardedResource):
    """The index named `name`: its own object, and its shard objects when it was created sharded.

    `runtime` is what `get(cls, name)` returns stubs from; `shards` is the shard count an index created
    through this handle gets.
    """

    def __init__(self, runtime: Any, name: str, *, cls: type[SearchIndex] = SearchIndex, shards: int = 1) -> None:
        super().__init__(runtime, name, cls, shards)

    # -- the index ----------------------------------------------------------------------------------

    async def exists(self) -> bool:
        """Whether the index was created (and not dropped)."""
        return bool(await self.root.exists())

    async def create(self, uid: str, primary_key: str | None = None, **options: Any) -> dict[str, Any]:
        """Create the index (and its shards): `SearchIndex.create`'s arguments."""
        info = await self.root.create(uid, primary_key, shards=self.new_shards, **options)
        self._count = self.new_shards
        if self.new_shards > 1:
            await asyncio.gather(*(self.shard(i).create(uid, primary_key, **options) for i in range(self.new_shards)))
        return info

    async def info(self) -> dict[str, Any]:
        """uid, primaryKey, createdAt, updatedAt, numberOfDocuments (of every shard)."""
        info = await self.root.info()
        if await self.sharded():
            parts = await self.everywhere("info")
            info["numberOfDocuments"] = sum(part["numberOfDocuments"] for part in parts)
            info["updatedAt"] = max([info["updatedAt"], *(part["updatedAt"] for part in parts)])
        return info

    async def field_distribution(self) -> dict[str, int]:
        """How many documents hold each top-level attribute."""
        totals: dict[str, int] = {}
        for part in await self.everywhere("field_distribution"):
            for name, count in part.items():
                totals[name] = totals.get(name, 0) + count
        return dict(sorted(totals.items()))

    async def set_primary_key(self, primary_key: str) -> dict[str, Any]:
        """Set the primary key; refused once the index holds documents under another one."""
        if await self.sharded():
            info = await self.info()
            if info["primaryKey"] not in (None, primary_key) and info["numberOfDocuments"]:
                raise SearchError(
                    "index_primary_key_already_exists", "The primary key cannot be changed once documents are indexed."
                )
            await self.everywhere("set_primary_key", primary_key)
        await self.root.set_primary_key(primary_key)
        return await self.info()

    async def drop(self) -> None:
        """Delete the index with every document and setting."""
        if await self.sharded():
            await self.everywhere("drop")
        await self.root.drop()
        self._count = None

    async def settings(self) -> dict[str, Any]:
        """Every setting of the index."""
        return dict(await self.root.settings())

    async def update_settings(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Apply `changes` to the index and every shard (null resets one)."""
        updated = await self.root.update_settings(changes)
        if await self.sharded():
            await self.everywhere("update_settings", changes)
        return dict(updated)

    async def reset_settings(self) -> dict[str, Any]:
        """Every setting back to its default."""
        updated = await self.root.reset_settings()
        if await self.sharded():
            await self.everywhere("reset_settings")
        return dict(updated)

    # -- documents ----------------------------------------------------------------------------------

    async def add(
        self, documents: list[dict[str, Any]], primary_key: str | None = None, *, partial: bool = False
    ) -> dict[str, Any]:
        """Add or replace documents (or, `partial`, merge fields in): {"indexed": n, "primaryKey": key}.

        The index's own object checks the whole batch first, so a refused batch stores nothing anywhere.
        """
        count = await self.shard_count()
        if count <= 1:
            return dict(await self.root.add(documents, primary_key, partial=partial))
        routed = await self.root.route(documents, primary_key)
        key, ids = routed["primaryKey"], routed["ids"]
        distinct = list(dict.fromkeys(ids))
        first = await self.root.reserve_positions(len(distinct))
        positions = {doc_id: first + offset for offset, doc_id in enumerate(distinct)}
        batches: dict[int, list[dict[str, Any]]] = {}
        for doc_id, document in zip(ids, documents, strict=True):
            batches.setdefault(hashed_shard(doc_id, count), []).append(document)
        await asyncio.gather(
            *(
                self.shard(index).add(batch, key, partial=partial, positions=positions)
                for index, batch in batches.items()
            )
        )
        return {"indexed": len(distinct), "primaryKey": key}

    async def get(self, doc_id: str) -> dict[str, Any] | None:
        """The document with id `doc_id`, or None."""
        count = await self.shard_count()
        stub = self.root if count <= 1 else self.shard_of(str(doc_id), count)
        return await stub.get(doc_id)

    async def documents(
        self, offset: int = 0, limit: int = 20, filter: Filter | None = None, ids: list[str] | None = None
    ) -> dict[str, Any]:
        """A page of documents in insertion order: {"results": [...], "total": n, "positions": [...]}."""
        if not await self.sharded():
            return dict(await self.root.documents(offset, limit, filter, ids))
        parts = await self.everywhere("documents", 0, offset + limit, filter, ids)
        rows = sorted(
            (position, document)
            for part in parts
            for position, document in zip(part["positions"], part["results"], strict=True)
        )
        page = rows[offset : offset + limit]
        return {
            "results": [document for _, document in page],
            "total": sum(part["total"] for part in parts),
            "positions": [position for position, _ in page],
        }

    async def delete(self, ids: list[Any]) -> int:
        """Delete the documents of these ids; how many there were."""
        count = await self.shard_count()
        if count <= 1:
            return int(await self.root.delete(ids))
        batches: dict[int, list[str]] = {}
        for doc_id in ids:
            batches.setdefault(hashed_shard(str(doc_id), count), []).append(str(doc_id))
        found = await asyncio.gather(*(self.shard(index).delete(batch) for index, batch in batches.items()))
        return sum(found)

    async def delete_where(self, filter: Filter | None) -> int:
        """Delete the documents `filter` accepts (all of them for None), in every shard; how many."""
        return sum(await self.everywhere("delete_where", filter))

    # -- search -------------------------------------------------------------------------------------

    async def search(self, query: SearchQuery) -> dict[str, Any]:
        """The hits of `query`, ranked as one index holding every document would rank them."""
        if not await self.sharded():
            return dict(await self.root.search(query))
        started = time.perf_counter()
        statistics = TextStatistics()
        if query.q:
            for part in await self.everywhere("text_statistics", query):
                statistics.add(part)
        parts, settings = await asyncio.gather(self.everywhere("search", query, statistics), self.root.settings())
        ascending = parts[0]["ascending"]
        entries = [(entry, hit) for part in parts for entry, hit in zip(part["ranked"], part["hits"], strict=True)]

        def compare(a: tuple[dict[str, Any], Any], b: tuple[dict[str, Any], Any]) -> int:
            return compare_ranked(a[0]["keys"], b[0]["keys"], ascending) or a[0]["position"] - b[0]["position"]

        entries.sort(key=functools.cmp_to_key(compare))
        total = sum(part["total"] for part in parts)
        if settings["distinctAttribute"]:
            entries = _distinct(entries)
            values = {value for part in parts for value in part["distinctValues"]}
            total = len(values) + sum(part["distinctNulls"] for part in parts)
        page = entries[query.offset : query.offset + query.limit] if query.limit > 0 else []
        facets, stats = _merged_facets(parts, settings["faceting"]["maxValuesPerFacet"])
        return {
            "hits": [hit for _, hit in page],
            "total": total,
            "facets": facets,
            "facetStats": stats,
            "offset": query.offset,
            "limit": query.limit,
            "processingTimeMs": int((time.perf_counter() - started) * 1000),
        }


def _distinct(entries: list[tuple[dict[str, Any], Any]]) -> list[tuple[dict[str, Any], Any]]:
    seen: set[str] = set()
    kept = []
    for entry in entries:
        value = entry[0]["distinct"]
        if value != "null":
            if value in seen:
                continue
            seen.add(value)
        kept.append(entry)
    return kept


def _merged_facets(
    parts: list[dict[str, Any]], limit: int
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, float]]]:
    facets: dict[str, dict[str, int]] = {}
    stats: dict[str, dict[str, float]] = {}
    for part in parts:
        for name, counts in part["facets"].items():
            merged = facets.setdefault(name, {})
            for label, count in counts.items():
                merged[label] = merged.get(label, 0) + count
        for name, found in part["facetStats"].items():
            known = stats.setdefault(name, dict(found))
            known["min"], known["max"] = min(known["min"], found["min"]), max(known["max"], found["max"])
    return {name: dict(sorted(counts.items())[:limit]) for name, counts in facets.items()}, stats
