"""`VectorCollection`: one vector collection of one tenant as one durable object.

Points (id, float32 vector, JSON payload, optional document text) are rows of the object's SQLite,
which is what persists. A collection may also have named vectors (`Space`s: dense ones with their
own dimension and metric, and sparse ones), rows of `vector_named`; a point may lack any of them.
Each dense space has an HNSW graph kept in memory beside the rows, updated with every write, and
saved into the object (`vector_graphs`) by an alarm a moment after writes stop, tagged with the
collection's write count, so a restart restores it rather than rebuilding it unless writes came after.
Sparse vectors are always scored exactly (see `sparse`).

A filter (the `search.filters` tree, over the payload) is applied before the search: the matching
row ids come from SQL first. When few points match, they are scored exactly; otherwise the graph is
asked for proportionally more candidates and only matching ones are kept, asking again with more
(and finally scoring exactly) until enough are found. Small collections are always searched exactly.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ...context import DO
from ..search.filters import Filter, FilterError, to_sql
from ..sharding import ShardRoot
from .ann import METRICS, AnnGraph, GraphOutgrown, VectorError, better_first, check_vector, exact_scores, oversample
from .sparse import check_sparse, from_blobs, sparse_scores, to_blobs

SCHEMA = """
CREATE TABLE IF NOT EXISTS vector_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS vector_points (
    rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, id_json TEXT NOT NULL, vector BLOB,
    payload TEXT NOT NULL DEFAULT '{}', document TEXT);
CREATE TABLE IF NOT EXISTS vector_named (
    space TEXT NOT NULL, point INTEGER NOT NULL, vector BLOB NOT NULL, indices BLOB,
    PRIMARY KEY (space, point)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS vector_named_point ON vector_named (point);
CREATE TABLE IF NOT EXISTS vector_graphs (
    space TEXT PRIMARY KEY, version INTEGER NOT NULL, radius REAL NOT NULL, data BLOB NOT NULL);
"""
DEFAULT = ""
"""The space of a point's unnamed vector (`Point.vector`)."""

EXACT_BELOW = 2000
"""Collections or filtered sets up to this many points are scored exactly (it is fast and has full recall)."""
SNAPSHOT_DELAY = 2.0
RERANK_FACTOR = 4
RERANK_MINIMUM = 40


@dataclass
class Point:
    """A point to upsert: its id (int or str), vector, payload, document and named vectors."""

    id: int | str
    vector: list[float] | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    document: str | None = None
    vectors: dict[str, Any] = field(default_factory=dict)
    """Named vectors by space: a list of numbers for a dense space, a `SparseVector` (or
    `{"indices", "values"}`) for a sparse one."""


@dataclass(frozen=True)
class Space:
    """A named vector of the collection's points: dense (its dimension and metric) or sparse (dot product)."""

    dimension: int | None = None
    metric: str = "dot"
    sparse: bool = False

    def describe(self) -> dict[str, Any]:
        """The space as `info()` lists it."""
        return {"sparse": True} if self.sparse else {"dimension": self.dimension, "metric": self.metric}


@runtime_checkable
class PointPredicate(Protocol):
    """A filter a layer evaluates itself, on each point's id and payload (read from every row: a full scan).

    For rules SQL over the payload cannot state (Qdrant's typed matches, array paths, nested filters).
    """

    def accepts(self, point_id: Any, payload: dict[str, Any]) -> bool:
        """Whether the point with this id and payload passes."""
        ...


@runtime_checkable
class PayloadEdit(Protocol):
    """A change a layer makes to each chosen point's payload (its own merge rules, edits under a path)."""

    def apply(self, payload: dict[str, Any]) -> dict[str, Any]:
        """The new payload (`payload` is the point's own copy, free to change)."""
        ...


Selector = Filter | PointPredicate
"""What chooses points: a `search.filters` tree (run as SQL) or a layer's own predicate."""


class MissingPoints(LookupError):
    """Points named by id that the collection does not hold."""

    def __init__(self, ids: list[Any]) -> None:
        super().__init__(f"no point with id {', '.join(map(repr, ids))}")
        self.ids = ids


def point_key(point_id: Any) -> str:
    """The stored form of a point id (ints and strings are distinct ids)."""
    if isinstance(point_id, bool) or not isinstance(point_id, int | str):
        raise VectorError(f"a point id must be an integer or a string, not {point_id!r}")
    return json.dumps(point_id)


def _check_dense(dimension: Any, metric: Any, what: str) -> None:
    if isinstance(dimension, bool) or not isinstance(dimension, int) or not 1 <= dimension <= 65536:
        raise VectorError(f"the dimension of {what} must be an integer from 1 to 65536, not {dimension!r}")
    if metric not in METRICS:
        raise VectorError(f"unknown metric {metric!r} for {what}; use one of {', '.join(METRICS)}")


class VectorCollection(ShardRoot, DO):
    """The points, payloads and nearest-neighbour graphs of one vector collection."""

    graphs: dict[str, AnnGraph]
    decoded: list[tuple[int, Any, dict[str, Any]]] | None
    """Every point's (rowid, id, payload), decoded for predicates, until the next write."""

    async def on_start(self) -> None:
        self.storage.sql.exec(SCHEMA)
        self.graphs = {}
        self.decoded = None

    def _meta(self, key: str) -> Any:
        rows = self.storage.sql.exec("SELECT value FROM vector_meta WHERE key = ?", key).to_list()
        return json.loads(rows[0]["value"]) if rows else None

    def _set_meta(self, key: str, value: Any) -> None:
        self.storage.sql.exec("INSERT OR REPLACE INTO vector_meta VALUES (?, ?)", key, json.dumps(value))

    def exists(self) -> bool:
        """Whether the collection was created (and not dropped)."""
        return self._meta("created_at") is not None

    def create(
        self,
        name: str,
        dimension: int | None,
        metric: str | None,
        config: dict[str, Any] | None = None,
        spaces: dict[str, Space] | None = None,
        *,
        shards: int = 1,
    ) -> dict[str, Any]:
        """Create the collection; `VectorError` if it exists or a dimension, metric or space is wrong.

        `dimension` and `metric` are those of the unnamed vector (None for a collection of named
        vectors, or of payloads only); `spaces` are the named vectors. `shards` > 1 records that the
        points live in that many shard objects (see `shards.ShardedCollection`).
        """
        if self.exists():
            raise VectorError(f"collection {name!r} already exists")
        if dimension is not None:
            _check_dense(dimension, metric, "the vector")
        for space_name, space in (spaces or {}).items():
            if not isinstance(space_name, str) or not space_name:
                raise VectorError("a named vector needs a non-empty name")
            if not space.sparse:
                _check_dense(space.dimension, space.metric, f"vector {space_name!r}")
        self._set_meta("name", name)
        self._set_meta("dimension", dimension)
        self._set_meta("metric", metric if dimension is not None else None)
        self._set_meta("spaces", {key: space.describe() for key, space in (spaces or {}).items()})
        self._set_meta("config", config or {})
        self._set_meta("created_at", time.time())
        self._set_meta("version", 0)
        self._set_meta("shards", shards)
        self.graphs = {}
        return self.info()

    def position_of(self, point_id: Any) -> int | None:
        """The place of point `point_id` in insertion order, or None if there is no such point."""
        rows = self.storage.sql.exec("SELECT rowid FROM vector_points WHERE id = ?", point_key(point_id)).to_list()
        return rows[0]["rowid"] if rows else None

    def _require(self) -> tuple[int, str]:
        if not self.exists():
            raise LookupError("collection not found")
        return self._meta("dimension"), self._meta("metric")

    def _spaces(self) -> dict[str, Space]:
        spaces = {
            name: Space(described.get("dimension"), described.get("metric", "dot"), described.get("sparse", False))
            for name, described in (self._meta("spaces") or {}).items()
        }
        dimension, metric = self._require()
        if dimension is not None:
            spaces[DEFAULT] = Space(dimension, metric)
        return spaces

    def _space(self, name: str | None) -> Space:
        spaces = self._spaces()
        space = spaces.get(name or DEFAULT)
        if space is None:
            if not name:
                raise VectorError("this collection has only named vectors: name the one to search")
            raise VectorError(f"Not existing vector name error: {name}")
        return space

    def info(self) -> dict[str, Any]:
        """name, dimension, metric, spaces, config, count, createdAt."""
        dimension, metric = self._require()
        return {
            "name": self._meta("name"),
            "dimension": dimension,
            "metric": metric,
            "spaces": self._meta("spaces") or {},
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
        self.storage.sql.exec(
            "DELETE FROM vector_points; DELETE FROM vector_named; DELETE FROM vector_meta; DELETE FROM vector_graphs"
        )
        self.graphs = {}
        self.decoded = None

    # -- writes -------------------------------------------------------------------------------------

    def _written(self) -> None:
        self.decoded = None
        self._set_meta("version", (self._meta("version") or 0) + 1)
        if self.storage.get_alarm() is None:
            self.storage.set_alarm(time.time() + SNAPSHOT_DELAY)

    def _checked_vectors(self, point: Point, spaces: dict[str, Space]) -> dict[str, Any]:
        if not isinstance(point.vectors, dict):
            raise VectorError("named vectors must be given by name")
        checked: dict[str, Any] = {}
        for name, value in point.vectors.items():
            space = spaces.get(name) if name != DEFAULT else None
            if space is None:
                raise VectorError(f"Not existing vector name error: {name}")
            checked[name] = check_sparse(value) if space.sparse else check_vector(value, space.dimension or 0)
        return checked

    def _checked_points(
        self, points: list[Point], dimension: int | None, spaces: dict[str, Space]
    ) -> list[tuple[str, Point, np.ndarray | None, dict[str, Any]]]:
        checked = []
        for point in points:
            key = point_key(point.id)
            if point.vector is not None and dimension is None:
                raise VectorError("this collection has only named vectors: name each vector")
            vector = None if point.vector is None else check_vector(point.vector, dimension or 0)
            if not isinstance(point.payload, dict):
                raise VectorError("a payload must be a JSON object")
            checked.append((key, point, vector, self._checked_vectors(point, spaces)))
        return checked

    def check_points(self, points: list[Point]) -> None:
        """`VectorError` if any of `points` has a wrong id, vector, named vector or payload; stores nothing.

        A sharded collection checks a whole batch with its own object before any shard stores a point.
        """
        dimension, _ = self._require()
        self._checked_points(points, dimension, self._spaces())

    def query_order(self, vector: Any, using: str | None = None) -> bool:
        """Whether higher scores are nearer for a query of `vector` in the space `using`; `VectorError`
        if the vector does not fit that space (what a sharded collection checks before asking its shards)."""
        space = self._space(using or DEFAULT)
        if space.sparse:
            check_sparse(vector)
            return True
        check_vector(vector, space.dimension or 0)
        return better_first(space.metric)

    def upsert(
        self,
        points: list[Point],
        *,
        merge_payload: bool = False,
        keep_vectors: bool = True,
        require_vector: bool = True,
        insert: bool = True,
        update: bool | Selector = True,
        positions: dict[str, int] | None = None,
    ) -> int:
        """Insert or replace points, all or none.

        A point without its unnamed vector keeps its stored one (an error if it has none and the
        collection has an unnamed vector, unless `require_vector` is False); named vectors not given
        are kept too. With `keep_vectors` False each point is replaced whole, as Qdrant's upsert does.
        `merge_payload` merges each payload into the stored one instead of replacing it. Points not
        yet stored are written only if `insert`; stored ones only if `update` is True or a filter
        they pass. `positions` (by `point_key`) places new points in insertion order (a shard is given
        them by its collection). Returns how many points were written.
        """
        dimension, _ = self._require()
        spaces = self._spaces()
        checked = self._checked_points(points, dimension, spaces)
        if not insert or update is not True:
            chosen = [point.id for _, point, _, _ in checked]
            stored = {row["id"] for row in self._select(chosen, None, "id")}
            updatable = (
                stored
                if update is True
                else set()
                if update is False
                else {row["id"] for row in self._select(chosen, update, "id")}
            )
            checked = [entry for entry in checked if (entry[0] in updatable if entry[0] in stored else insert)]
        sql = self.storage.sql
        added: dict[str, tuple[list[int], list[np.ndarray]]] = {}
        removed: list[int] = []
        for key, point, vector, named in checked:
            rows = sql.exec("SELECT rowid, payload, vector FROM vector_points WHERE id = ?", key).to_list()
            payload = point.payload
            if rows and merge_payload:
                payload = {**json.loads(rows[0]["payload"]), **payload}
            blob = vector.tobytes() if vector is not None else (rows[0]["vector"] if rows and keep_vectors else None)
            if blob is None and dimension is not None and require_vector:
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
                if not keep_vectors:
                    sql.exec("DELETE FROM vector_named WHERE point = ?", rowid)
                    removed.append(rowid)
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
                added.setdefault(DEFAULT, ([], []))[0].append(rowid)
                added[DEFAULT][1].append(vector)
            self._write_named(rowid, named, spaces, added)
        self._written()
        self._update_graphs(added, removed, spaces)
        return len(checked)

    def _write_named(
        self,
        rowid: int,
        named: dict[str, Any],
        spaces: dict[str, Space],
        added: dict[str, tuple[list[int], list[np.ndarray]]],
    ) -> None:
        for name, value in named.items():
            if spaces[name].sparse:
                values, indices = to_blobs(value)
                self.storage.sql.exec(
                    "INSERT OR REPLACE INTO vector_named VALUES (?, ?, ?, ?)", name, rowid, values, indices
                )
            else:
                self.storage.sql.exec(
                    "INSERT OR REPLACE INTO vector_named VALUES (?, ?, ?, NULL)", name, rowid, value.tobytes()
                )
                added.setdefault(name, ([], []))[0].append(rowid)
                added[name][1].append(value)

    def _update_graphs(
        self, added: dict[str, tuple[list[int], list[np.ndarray]]], removed: list[int], spaces: dict[str, Space]
    ) -> None:
        for name, graph in list(self.graphs.items()):
            if removed:
                graph.remove(removed)
            keys, vectors = added.get(name, ([], []))
            if keys:
                try:
                    graph.add(keys, np.stack(vectors))
                except GraphOutgrown:
                    del self.graphs[name]
        for name, space in spaces.items():
            if space.sparse or name in self.graphs:
                continue
            # Built as a space grows past exact search's range, so no query pays for the build.
            if self._vector_count(name) > EXACT_BELOW:
                self._graph(name, space)

    def update_vectors(self, points: list[Point], filter: Selector | None = None) -> int:
        """Replace the vectors given (unnamed or named) of existing points, keeping the rest; all or none.

        With a `filter`, points it does not accept are left as they are. Returns how many were updated.
        """
        dimension, _ = self._require()
        spaces = self._spaces()
        keys = [point_key(point.id) for point in points]
        found = {row["id"]: row["rowid"] for row in self._select([p.id for p in points], None, "id, rowid")}
        missing = [point.id for point, key in zip(points, keys, strict=True) if key not in found]
        if missing:
            raise MissingPoints(missing)
        if filter is not None:
            passing = {row["id"] for row in self._select([p.id for p in points], filter, "id")}
            points = [point for point, key in zip(points, keys, strict=True) if key in passing]
            keys = [point_key(point.id) for point in points]
        checked = []
        for point, key in zip(points, keys, strict=True):
            if point.vector is not None and dimension is None:
                raise VectorError("this collection has only named vectors: name each vector")
            vector = None if point.vector is None else check_vector(point.vector, dimension)
            checked.append((found[key], vector, self._checked_vectors(point, spaces)))
        added: dict[str, tuple[list[int], list[np.ndarray]]] = {}
        for rowid, vector, named in checked:
            if vector is not None:
                self.storage.sql.exec("UPDATE vector_points SET vector = ? WHERE rowid = ?", vector.tobytes(), rowid)
                added.setdefault(DEFAULT, ([], []))[0].append(rowid)
                added[DEFAULT][1].append(vector)
            self._write_named(rowid, named, spaces, added)
        self._written()
        self._update_graphs(added, [], spaces)
        return len(checked)

    def delete_vectors(self, ids: list[Any] | None, filter: Selector | None, names: list[str]) -> int:
        """Remove the named vectors `names` from the points named by `ids` or accepted by `filter`."""
        self._require()
        spaces = self._spaces()
        for name in names:
            if name not in spaces or name == DEFAULT:
                raise VectorError(f"Not existing vector name error: {name}")
        rowids = [row["rowid"] for row in self._select(ids, filter, "rowid")]
        for name in names:
            self.storage.sql.exec(
                "DELETE FROM vector_named WHERE space = ? AND point IN (SELECT value FROM json_each(?))",
                name,
                json.dumps(rowids),
            )
            if name in self.graphs:
                self.graphs[name].remove(rowids)
        self._written()
        return len(rowids)

    def set_payload(
        self, ids: list[Any] | None, filter: Selector | None, payload: dict[str, Any], replace: bool
    ) -> int:
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

    def edit_payload(self, ids: list[Any] | None, filter: Selector | None, edit: PayloadEdit) -> int:
        """Apply `edit` to the payload of the points named by `ids` or accepted by `filter`."""
        self._require()
        rows = self._select(ids, filter, "rowid, payload")
        for row in rows:
            payload = edit.apply(json.loads(row["payload"]))
            if not isinstance(payload, dict):
                raise VectorError("a payload must be a JSON object")
            self.storage.sql.exec(
                "UPDATE vector_points SET payload = ? WHERE rowid = ?",
                json.dumps(payload, allow_nan=False),
                row["rowid"],
            )
        self._written()
        return len(rows)

    def delete_payload_keys(self, ids: list[Any] | None, filter: Selector | None, keys: list[str]) -> int:
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

    def delete(self, ids: list[Any] | None = None, filter: Selector | None = None) -> int:
        """Delete the points named by `ids` (or accepted by `filter`; all of them if both are None)."""
        self._require()
        rowids = [row["rowid"] for row in self._select(ids, filter, "rowid")]
        if rowids:
            chosen = json.dumps(rowids)
            self.storage.sql.exec("DELETE FROM vector_points WHERE rowid IN (SELECT value FROM json_each(?))", chosen)
            self.storage.sql.exec("DELETE FROM vector_named WHERE point IN (SELECT value FROM json_each(?))", chosen)
            for graph in self.graphs.values():
                graph.remove(rowids)
            self._written()
        return len(rowids)

    # -- reads --------------------------------------------------------------------------------------

    def _where(self, ids: list[Any] | None, filter: Selector | None) -> tuple[str, list[Any]]:
        if isinstance(filter, PointPredicate):
            if self.decoded is None:
                self.decoded = [
                    (row["rowid"], json.loads(row["id_json"]), json.loads(row["payload"]))
                    for row in self.storage.sql.exec("SELECT rowid, id_json, payload FROM vector_points")
                ]
            chosen = [rowid for rowid, point_id, payload in self.decoded if filter.accepts(point_id, payload)]
            condition, bindings = "p.rowid IN (SELECT value FROM json_each(?))", [json.dumps(chosen)]
        else:
            try:
                condition, bindings = to_sql(filter, "p.payload")
            except FilterError as exc:
                raise VectorError(str(exc)) from None
        if ids is not None:
            condition += " AND p.id IN (SELECT value FROM json_each(?))"
            bindings.append(json.dumps([point_key(i) for i in ids]))
        return condition, bindings

    def _select(
        self, ids: list[Any] | None, filter: Selector | None, columns: str, tail: str = ""
    ) -> list[dict[str, Any]]:
        condition, bindings = self._where(ids, filter)
        return self.storage.sql.exec(
            f"SELECT {columns} FROM vector_points p WHERE {condition} {tail}", *bindings
        ).to_list()

    def _views(self, rows: list[dict[str, Any]], with_vectors: bool | list[str]) -> list[dict[str, Any]]:
        """Rows of `vector_points` as points; `with_vectors` (True or the spaces wanted) adds their vectors.

        A point's unnamed vector is its `vector`; its named ones are `vectors`, a dense one as a list
        of numbers and a sparse one as `{"indices", "values"}`.
        """
        named: dict[int, dict[str, Any]] = {}
        if with_vectors and rows:
            wanted = None if with_vectors is True else list(with_vectors)
            for row in self.storage.sql.exec(
                "SELECT space, point, vector, indices FROM vector_named "
                "WHERE point IN (SELECT value FROM json_each(?)) ORDER BY space",
                json.dumps([row["rowid"] for row in rows]),
            ):
                if wanted is not None and row["space"] not in wanted:
                    continue
                if row["indices"] is None:
                    value: Any = np.frombuffer(row["vector"], dtype=np.float32).tolist()
                else:
                    indices, values = from_blobs(row["vector"], row["indices"])
                    value = {"indices": indices.tolist(), "values": values.tolist()}
                named.setdefault(row["point"], {})[row["space"]] = value
        views = []
        for row in rows:
            view = {
                "id": json.loads(row["id_json"]),
                "payload": json.loads(row["payload"]),
                "document": row["document"],
            }
            if with_vectors:
                wants_default = with_vectors is True or DEFAULT in with_vectors
                view["vector"] = (
                    np.frombuffer(row["vector"], dtype=np.float32).tolist()
                    if wants_default and row["vector"] is not None
                    else None
                )
                view["vectors"] = named.get(row["rowid"], {})
            views.append(view)
        return views

    def get(self, ids: list[Any], with_vectors: bool | list[str] = False) -> list[dict[str, Any]]:
        """The points of `ids` that exist, in the order asked."""
        self._require()
        rows = self._select(ids, None, "rowid, id, id_json, vector, payload, document")
        views = {row["id"]: view for row, view in zip(rows, self._views(rows, with_vectors), strict=True)}
        return [views[point_key(i)] for i in ids if point_key(i) in views]

    def scroll(
        self,
        filter: Selector | None = None,
        after: Any = None,
        limit: int = 10,
        with_vectors: bool | list[str] = False,
        offset: int = 0,
        ids: list[Any] | None = None,
        by_id: bool = False,
        from_position: int | None = None,
    ) -> dict[str, Any]:
        """Points in insertion order from the one with id `after` (or skipping `offset`): {"points", "next"}.

        `by_id` orders them by id instead (integers first, ascending, then strings), from `after` on.
        `from_position` starts at that place in insertion order instead; each point then carries its
        `position`.
        """
        self._require()
        condition, bindings = self._where(ids, filter)
        order = "json_extract(p.id_json, '$')" if by_id else "p.rowid"
        if after is not None and by_id:
            point_key(after)
            condition += f" AND {order} >= ?"
            bindings.append(after)
        elif after is not None:
            condition += " AND p.rowid >= coalesce((SELECT rowid FROM vector_points WHERE id = ?), 1e18)"
            bindings.append(point_key(after))
        if from_position is not None:
            condition += " AND p.rowid >= ?"
            bindings.append(from_position)
        rows = self.storage.sql.exec(
            f"SELECT rowid, id, id_json, vector, payload, document FROM vector_points p WHERE {condition} "
            f"ORDER BY {order} LIMIT ? OFFSET ?",
            *bindings,
            limit + 1,
            offset,
        ).to_list()
        following = json.loads(rows[limit]["id_json"]) if len(rows) > limit else None
        points = self._views(rows[:limit], with_vectors)
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

    def count(self, filter: Selector | None = None) -> int:
        """How many points `filter` accepts."""
        self._require()
        condition, bindings = self._where(None, filter)
        return self.storage.sql.exec(f"SELECT count(*) AS n FROM vector_points p WHERE {condition}", *bindings).one()[
            "n"
        ]

    def _vector_count(self, space: str) -> int:
        if space == DEFAULT:
            return self.storage.sql.exec("SELECT count(vector) AS n FROM vector_points").one()["n"]
        return self.storage.sql.exec("SELECT count(*) AS n FROM vector_named WHERE space = ?", space).one()["n"]

    def _vector_rows(self, space: str, rowids: list[int] | None) -> list[dict[str, Any]]:
        """The stored vectors of `space` (of the points `rowids` only, if given): rowid, vector, indices."""
        if space == DEFAULT:
            query = "SELECT rowid, vector, NULL AS indices FROM vector_points WHERE vector IS NOT NULL"
            bindings: list[Any] = []
        else:
            query = "SELECT point AS rowid, vector, indices FROM vector_named WHERE space = ?"
            bindings = [space]
        if rowids is not None:
            query += f" AND {'rowid' if space == DEFAULT else 'point'} IN (SELECT value FROM json_each(?))"
            bindings.append(json.dumps(rowids))
        return self.storage.sql.exec(query, *bindings).to_list()

    def _graph(self, name: str, space: Space) -> AnnGraph:
        graph = self.graphs.get(name)
        if graph is not None:
            return graph
        dimension, metric = space.dimension or 0, space.metric
        saved = self.storage.sql.exec("SELECT version, radius, data FROM vector_graphs WHERE space = ?", name).to_list()
        if saved and saved[0]["version"] == self._meta("version"):
            graph = AnnGraph.from_bytes(dimension, metric, saved[0]["radius"], saved[0]["data"])
        else:
            graph = AnnGraph(dimension, metric)
            rows = self._vector_rows(name, None)
            if rows:
                vectors = np.frombuffer(b"".join(row["vector"] for row in rows), dtype=np.float32)
                graph.add([row["rowid"] for row in rows], vectors.reshape(-1, dimension))
        self.graphs[name] = graph
        return graph

    def save_graph(self) -> bool:
        """Save the graphs with the write count they reflect (a restart then restores rather than rebuilds)."""
        if not self.exists() or not self.graphs:
            return False
        version = self._meta("version")
        for name, graph in self.graphs.items():
            self.storage.sql.exec(
                "INSERT OR REPLACE INTO vector_graphs VALUES (?, ?, ?, ?)",
                name,
                version,
                graph.radius,
                graph.to_bytes(),
            )
        return True

    async def alarm(self, info: Any) -> None:
        """Save the graphs an instant after writes stop."""
        self.save_graph()

    def query(
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
        positions: bool = False,
    ) -> list[dict[str, Any]]:
        """The `limit` points nearest `vector` among those `filter` accepts, each with its exact `score`.

        `using` names the space searched (the unnamed vector by default); points without a vector
        there are not candidates. The score is the cosine similarity, the dot product or the
        euclidean distance; nearest first. `threshold` drops points scoring worse than it. A sparse
        `vector` (`SparseVector` or `{"indices", "values"}`) searches a sparse space: only points
        sharing an index with it are matches. `ids` limits the candidates to those points.
        `positions` adds each point's place in insertion order (`position`), which breaks ties when
        shards' answers are merged.
        """
        name = using or DEFAULT
        space = self._space(name)
        target: Any = check_sparse(vector) if space.sparse else check_vector(vector, space.dimension or 0)
        wanted = limit + offset
        if wanted <= 0:
            return []
        allowed: set[int] | None = None
        if filter is not None or ids is not None:
            allowed = {row["rowid"] for row in self._select(ids, filter, "p.rowid AS rowid")}
        candidates: list[int] | None = None
        total = 0 if space.sparse or exact else self._vector_count(name)
        if total > EXACT_BELOW and (allowed is None or len(allowed) > EXACT_BELOW):
            graph = self._graph(name, space)
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
        if candidates is None and allowed is not None:
            candidates = sorted(allowed)
        rows = self._vector_rows(name, candidates)
        if not rows:
            return []
        if space.sparse:
            scores = sparse_scores(target, [from_blobs(row["vector"], row["indices"]) for row in rows])
        else:
            matrix = np.frombuffer(b"".join(row["vector"] for row in rows), dtype=np.float32)
            scores = exact_scores(space.metric, target, matrix.reshape(-1, space.dimension or 0))
        descending = space.sparse or better_first(space.metric)
        order = np.argsort(-scores if descending else scores, kind="stable")
        chosen = []
        for position in order[offset:wanted]:
            score = float(scores[position])
            if score == -np.inf:
                break  # a sparse vector sharing no index with the query's: no match, nor any after it
            if threshold is not None and (score < threshold if descending else score > threshold):
                break
            chosen.append((rows[position]["rowid"], score))
        if not chosen:
            return []
        details = self.storage.sql.exec(
            "SELECT rowid, id, id_json, vector, payload, document FROM vector_points "
            "WHERE rowid IN (SELECT value FROM json_each(?))",
            json.dumps([rowid for rowid, _ in chosen]),
        ).to_list()
        views = {row["rowid"]: view for row, view in zip(details, self._views(details, with_vectors), strict=True)}
        if positions:
            return [{**views[rowid], "score": score, "position": rowid} for rowid, score in chosen]
        return [{**views[rowid], "score": score} for rowid, score in chosen]
