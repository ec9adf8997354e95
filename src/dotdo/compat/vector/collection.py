"""`VectorCollection`: one vector collection of one tenant as one durable object.

Points (id, float32 vector, JSON payload, optional document text) are rows of the object's SQLite,
which is what persists; the HNSW graph is kept in memory beside them, updated with every write, and
saved into the object (`vector_graph`) by an alarm a moment after writes stop, tagged with the
collection's write count, so a restart restores it rather than rebuilding it unless writes came after.

A filter (the `search.filters` tree, over the payload) is applied before the search: the matching
row ids come from SQL first. When few points match, they are scored exactly; otherwise the graph is
asked for proportionally more candidates and only matching ones are kept, asking again with more
(and finally scoring exactly) until enough are found. Small collections are always searched exactly.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...context import DO
from ..search.filters import Filter, FilterError, to_sql
from ..sharding import ShardRoot
from .ann import METRICS, AnnGraph, GraphOutgrown, VectorError, better_first, check_vector, exact_scores, oversample

SCHEMA = """
CREATE TABLE IF NOT EXISTS vector_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS vector_points (
    rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, id_json TEXT NOT NULL, vector BLOB,
    payload TEXT NOT NULL DEFAULT '{}', document TEXT);
CREATE TABLE IF NOT EXISTS vector_graph (version INTEGER NOT NULL, radius REAL NOT NULL, data BLOB NOT NULL);
"""

EXACT_BELOW = 2000
"""Collections or filtered sets up to this many points are scored exactly (it is fast and has full recall)."""
SNAPSHOT_DELAY = 2.0
RERANK_FACTOR = 4
RERANK_MINIMUM = 40


@dataclass
class Point:
    """A point to upsert: its id (int or str), vector, payload and document."""

    id: int | str
    vector: list[float] | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    document: str | None = None


def point_key(point_id: Any) -> str:
    """The stored form of a point id (ints and strings are distinct ids)."""
    if isinstance(point_id, bool) or not isinstance(point_id, int | str):
        raise VectorError(f"a point id must be an integer or a string, not {point_id!r}")
    return json.dumps(point_id)


class VectorCollection(ShardRoot, DO):
    """The points, payloads and nearest-neighbour graph of one vector collection."""

    graph: AnnGraph | None = None

    async def on_start(self) -> None:
        self.storage.sql.exec(SCHEMA)
        self.graph = None

    def _meta(self, key: str) -> Any:
        rows = self.storage.sql.exec("SELECT value FROM vector_meta WHERE key = ?", key).to_list()
        return json.loads(rows[0]["value"]) if rows else None

    def _set_meta(self, key: str, value: Any) -> None:
        self.storage.sql.exec("INSERT OR REPLACE INTO vector_meta VALUES (?, ?)", key, json.dumps(value))

    def exists(self) -> bool:
        """Whether the collection was created (and not dropped)."""
        return self._meta("dimension") is not None

    def create(
        self, name: str, dimension: int, metric: str, config: dict[str, Any] | None = None, *, shards: int = 1
    ) -> dict[str, Any]:
        """Create the collection; `VectorError` if it exists or the dimension or metric is wrong.

        `shards` > 1 records that the points live in that many shard objects (see `shards.ShardedCollection`).
        """
        if self.exists():
            raise VectorError(f"collection {name!r} already exists")
        if isinstance(dimension, bool) or not isinstance(dimension, int) or not 1 <= dimension <= 65536:
            raise VectorError(f"the dimension must be an integer from 1 to 65536, not {dimension!r}")
        if metric not in METRICS:
            raise VectorError(f"unknown metric {metric!r}; use one of {', '.join(METRICS)}")
        self._set_meta("name", name)
        self._set_meta("dimension", dimension)
        self._set_meta("metric", metric)
        self._set_meta("config", config or {})
        self._set_meta("created_at", time.time())
        self._set_meta("version", 0)
        self._set_meta("shards", shards)
        self.graph = None
        return self.info()

    def position_of(self, point_id: Any) -> int | None:
        """The place of point `point_id` in insertion order, or None if there is no such point."""
        rows = self.storage.sql.exec("SELECT rowid FROM vector_points WHERE id = ?", point_key(point_id)).to_list()
        return rows[0]["rowid"] if rows else None

    def _require(self) -> tuple[int, str]:
        dimension = self._meta("dimension")
        if dimension is None:
            raise LookupError("collection not found")
        return dimension, self._meta("metric")

    def info(self) -> dict[str, Any]:
        """name, dimension, metric, config, count, createdAt."""
        dimension, metric = self._require()
        return {
            "name": self._meta("name"),
            "dimension": dimension,
            "metric": metric,
            "config": self._meta("config"),
            "count": self.storage.sql.exec("SELECT count(*) AS n FROM vector_points").one()["n"],
            "createdAt": self._meta("created_at"),
        }

    def update_config(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Merge `changes` into the collection's free-form configuration (the layers' own settings)."""
        self._require()
        self._set_meta("config", {**self._meta("config"), **changes})
        return self.info()

    def drop(self) -> None:
        """Delete the collection and every point."""
        self._require()
        self.storage.sql.exec("DELETE FROM vector_points; DELETE FROM vector_meta; DELETE FROM vector_graph")
        self.graph = None

    # -- writes -------------------------------------------------------------------------------------

    def _written(self) -> None:
        self._set_meta("version", (self._meta("version") or 0) + 1)
        if self.storage.get_alarm() is None:
            self.storage.set_alarm(time.time() + SNAPSHOT_DELAY)

    def upsert(
        self, points: list[Point], *, merge_payload: bool = False, positions: dict[str, int] | None = None
    ) -> int:
        """Insert or replace points, all or none; a point without a vector keeps its stored one.

        `merge_payload` merges each payload into the stored one instead of replacing it. `positions`
        (by `point_key`) places new points in insertion order (a shard is given them by its collection).
        """
        dimension, metric = self._require()
        checked = []
        for point in points:
            key = point_key(point.id)
            vector = None if point.vector is None else check_vector(point.vector, dimension)
            if not isinstance(point.payload, dict):
                raise VectorError("a payload must be a JSON object")
            checked.append((key, point, vector))
        sql = self.storage.sql
        added_keys, added_vectors = [], []
        for key, point, vector in checked:
            rows = sql.exec("SELECT rowid, payload, vector FROM vector_points WHERE id = ?", key).to_list()
            payload = point.payload
            if rows and merge_payload:
                payload = {**json.loads(rows[0]["payload"]), **payload}
            blob = vector.tobytes() if vector is not None else (rows[0]["vector"] if rows else None)
            if vector is None and blob is None:
                raise VectorError(f"point {point.id!r} has no vector")
            text = json.dumps(payload, allow_nan=False)
            if rows:
                rowid = rows[0]["rowid"]
                sql.exec(
                    "UPDATE vector_points SET vector = ?, payload = ?, document = coalesce(?, document) "
                    "WHERE rowid = ?",
                    blob,
                    text,
                    point.document,
                    rowid,
                )
            else:
                rowid = sql.exec(
                    "INSERT INTO vector_points (rowid, id, id_json, vector, payload, document) "
                    "VALUES (?, ?, ?, ?, ?, ?) RETURNING rowid",
                    (positions or {}).get(key),
                    key,
                    json.dumps(point.id),
                    blob,
                    text,
                    point.document,
                ).one()["rowid"]
            if vector is not None:
                added_keys.append(rowid)
                added_vectors.append(vector)
        self._written()
        if self.graph is not None and added_keys:
            try:
                self.graph.add(added_keys, np.stack(added_vectors))
            except GraphOutgrown:
                self.graph = None
        if (
            self.graph is None
            and self.storage.sql.exec("SELECT count(*) AS n FROM vector_points").one()["n"] > EXACT_BELOW
        ):
            # Built as the collection grows past exact search's range, so no query pays for the build.
            self._graph(dimension, metric)
        return len(checked)

    def set_payload(self, ids: list[Any] | None, filter: Filter | None, payload: dict[str, Any], replace: bool) -> int:
        """Merge (or, `replace`, set) the payload of the points named by `ids` or accepted by `filter`."""
        self._require()
        rows = self._select(ids, filter, "rowid, payload")
        for row in rows:
            merged = payload if replace else {**json.loads(row["payload"]), **payload}
            self.storage.sql.exec(
                "UPDATE vector_points SET payload = ? WHERE rowid = ?",
                json.dumps(merged, allow_nan=False),
                row["rowid"],
            )
        self._written()
        return len(rows)

    def delete_payload_keys(self, ids: list[Any] | None, filter: Filter | None, keys: list[str]) -> int:
        """Remove payload `keys` from the chosen points."""
        self._require()
        rows = self._select(ids, filter, "rowid, payload")
        for row in rows:
            payload = {k: v for k, v in json.loads(row["payload"]).items() if k not in keys}
            self.storage.sql.exec(
                "UPDATE vector_points SET payload = ? WHERE rowid = ?", json.dumps(payload), row["rowid"]
            )
        self._written()
        return len(rows)

    def delete(self, ids: list[Any] | None = None, filter: Filter | None = None) -> int:
        """Delete the points named by `ids` (or accepted by `filter`; all of them if both are None)."""
        self._require()
        rowids = [row["rowid"] for row in self._select(ids, filter, "rowid")]
        if rowids:
            self.storage.sql.exec(
                "DELETE FROM vector_points WHERE rowid IN (SELECT value FROM json_each(?))", json.dumps(rowids)
            )
            if self.graph is not None:
                self.graph.remove(rowids)
            self._written()
        return len(rowids)

    # -- reads --------------------------------------------------------------------------------------

    def _where(self, ids: list[Any] | None, filter: Filter | None) -> tuple[str, list[Any]]:
        try:
            condition, bindings = to_sql(filter, "p.payload")
        except FilterError as exc:
            raise VectorError(str(exc)) from None
        if ids is not None:
            condition += " AND p.id IN (SELECT value FROM json_each(?))"
            bindings.append(json.dumps([point_key(i) for i in ids]))
        return condition, bindings

    def _select(
        self, ids: list[Any] | None, filter: Filter | None, columns: str, tail: str = ""
    ) -> list[dict[str, Any]]:
        condition, bindings = self._where(ids, filter)
        return self.storage.sql.exec(
            f"SELECT {columns} FROM vector_points p WHERE {condition} {tail}", *bindings
        ).to_list()

    def _view(self, row: dict[str, Any], with_vector: bool) -> dict[str, Any]:
        view = {"id": json.loads(row["id_json"]), "payload": json.loads(row["payload"]), "document": row["document"]}
        if with_vector:
            view["vector"] = np.frombuffer(row["vector"], dtype=np.float32).tolist()
        return view

    def get(self, ids: list[Any], with_vectors: bool = False) -> list[dict[str, Any]]:
        """The points of `ids` that exist, in the order asked."""
        self._require()
        rows = {row["id"]: row for row in self._select(ids, None, "id, id_json, vector, payload, document")}
        return [self._view(rows[point_key(i)], with_vectors) for i in ids if point_key(i) in rows]

    def scroll(
        self,
        filter: Filter | None = None,
        after: Any = None,
        limit: int = 10,
        with_vectors: bool = False,
        offset: int = 0,
        ids: list[Any] | None = None,
        from_position: int | None = None,
    ) -> dict[str, Any]:
        """Points in insertion order from the one with id `after` (or skipping `offset`): {"points", "next"}.

        `from_position` starts at that place in insertion order instead; each point then carries its `position`.
        """
        self._require()
        condition, bindings = self._where(ids, filter)
        if after is not None:
            condition += " AND p.rowid >= coalesce((SELECT rowid FROM vector_points WHERE id = ?), 1e18)"
            bindings.append(point_key(after))
        if from_position is not None:
            condition += " AND p.rowid >= ?"
            bindings.append(from_position)
        rows = self.storage.sql.exec(
            f"SELECT rowid, id, id_json, vector, payload, document FROM vector_points p WHERE {condition} "
            "ORDER BY p.rowid LIMIT ? OFFSET ?",
            *bindings,
            limit + 1,
            offset,
        ).to_list()
        following = json.loads(rows[limit]["id_json"]) if len(rows) > limit else None
        points = [self._view(row, with_vectors) for row in rows[:limit]]
        if from_position is not None:
            points = [{**point, "position": row["rowid"]} for point, row in zip(points, rows, strict=False)]
        return {"points": points, "next": following}

    def string_ids(self, prefix: str = "", after: str | None = None, limit: int = 100) -> dict[str, Any]:
        """The string ids starting with `prefix`, sorted, from the first one past `after`: {"ids", "next"}."""
        self._require()
        text = "json_extract(id_json, '$')"
        rows = self.storage.sql.exec(
            f"SELECT {text} AS id FROM vector_points WHERE typeof({text}) = 'text' "
            f"AND substr({text}, 1, ?) = ? AND {text} > ? ORDER BY {text} LIMIT ?",
            len(prefix),
            prefix,
            after or "",
            limit + 1,
        ).to_list()
        ids = [row["id"] for row in rows[:limit]]
        return {"ids": ids, "next": ids[-1] if len(rows) > limit else None}

    def count(self, filter: Filter | None = None) -> int:
        """How many points `filter` accepts."""
        self._require()
        condition, bindings = self._where(None, filter)
        return self.storage.sql.exec(f"SELECT count(*) AS n FROM vector_points p WHERE {condition}", *bindings).one()[
            "n"
        ]

    def _graph(self, dimension: int, metric: str) -> AnnGraph:
        if self.graph is not None:
            return self.graph
        version = self._meta("version")
        saved = self.storage.sql.exec("SELECT version, radius, data FROM vector_graph").to_list()
        if saved and saved[0]["version"] == version:
            self.graph = AnnGraph.from_bytes(dimension, metric, saved[0]["radius"], saved[0]["data"])
            return self.graph
        graph = AnnGraph(dimension, metric)
        rows = self.storage.sql.exec("SELECT rowid, vector FROM vector_points").to_list()
        if rows:
            vectors = np.frombuffer(b"".join(row["vector"] for row in rows), dtype=np.float32).reshape(-1, dimension)
            graph.add([row["rowid"] for row in rows], vectors)
        self.graph = graph
        return graph

    def _save_graph(self) -> None:
        if self.graph is None:
            return
        self.storage.sql.exec("DELETE FROM vector_graph")
        self.storage.sql.exec(
            "INSERT INTO vector_graph VALUES (?, ?, ?)", self._meta("version"), self.graph.radius, self.graph.to_bytes()
        )

    def save_graph(self) -> bool:
        """Save the graph with the write count it reflects (a restart then restores rather than rebuilds)."""
        if not self.exists() or self.graph is None:
            return False
        self._save_graph()
        return True

    async def alarm(self, info: Any) -> None:
        """Save the graph an instant after writes stop."""
        self.save_graph()

    def query(
        self,
        vector: list[float],
        limit: int = 10,
        filter: Filter | None = None,
        offset: int = 0,
        with_vectors: bool = False,
        threshold: float | None = None,
        exact: bool = False,
        positions: bool = False,
    ) -> list[dict[str, Any]]:
        """The `limit` points nearest `vector` among those `filter` accepts, each with its exact `score`.

        The score is the cosine similarity, the dot product or the euclidean distance; nearest first.
        `threshold` drops points scoring worse than it. `positions` adds each point's place in insertion
        order (`position`), which breaks ties when shards' answers are merged.
        """
        dimension, metric = self._require()
        target = check_vector(vector, dimension)
        wanted = limit + offset
        if wanted <= 0:
            return []
        total = self.storage.sql.exec("SELECT count(*) AS n FROM vector_points").one()["n"]
        allowed: set[int] | None = None
        if filter is not None:
            allowed = {row["rowid"] for row in self._select(None, filter, "p.rowid AS rowid")}
        candidates: list[int] | None = None
        if not exact and total > EXACT_BELOW and (allowed is None or len(allowed) > EXACT_BELOW):
            graph = self._graph(dimension, metric)
            # The graph proposes more candidates than asked for and exact scores pick among them: this
            # is what keeps recall high for the dot product, whose graph search is not metric.
            pool = max(RERANK_FACTOR * wanted, RERANK_MINIMUM)
            asked = min(total, pool) if allowed is None else oversample(pool, len(allowed), total)
            while True:
                found = graph.nearest(target, asked)
                candidates = [key for key in found if allowed is None or key in allowed]
                if len(candidates) >= min(pool, len(allowed) if allowed is not None else total) or asked >= total:
                    break
                asked = min(total, asked * 4)
            if len(candidates) < wanted:
                candidates = None  # the graph could not find enough: score the allowed set exactly
        if candidates is None:
            candidates = sorted(allowed) if allowed is not None else None
        if candidates is None:
            rows = self.storage.sql.exec("SELECT rowid, vector FROM vector_points").to_list()
        else:
            rows = self.storage.sql.exec(
                "SELECT rowid, vector FROM vector_points WHERE rowid IN (SELECT value FROM json_each(?))",
                json.dumps(candidates),
            ).to_list()
        if not rows:
            return []
        matrix = np.frombuffer(b"".join(row["vector"] for row in rows), dtype=np.float32).reshape(-1, dimension)
        scores = exact_scores(metric, target, matrix)
        descending = better_first(metric)
        order = np.argsort(-scores if descending else scores, kind="stable")
        chosen = []
        for position in order[offset:wanted]:
            score = float(scores[position])
            if threshold is not None and (score < threshold if descending else score > threshold):
                break
            chosen.append((rows[position]["rowid"], score))
        if not chosen:
            return []
        details = {
            row["rowid"]: row
            for row in self.storage.sql.exec(
                "SELECT rowid, id, id_json, vector, payload, document FROM vector_points "
                "WHERE rowid IN (SELECT value FROM json_each(?))",
                json.dumps([rowid for rowid, _ in chosen]),
            )
        }
        found = [{**self._view(details[rowid], with_vectors), "score": score} for rowid, score in chosen]
        if positions:
            found = [{**point, "position": rowid} for point, (rowid, _) in zip(found, chosen, strict=True)]
        return found
