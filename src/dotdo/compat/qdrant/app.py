"""Qdrant's REST API as an ASGI app: collections, points, vectors and payloads, the query and search APIs, facets.

Each collection is a `VectorCollection` object (`qdrant/<tenant>/<uid>`, spread over shard objects when
the server's `index_shards` is above 1); each tenant's collection
names are its `VectorCatalog` (`qdrant/<tenant>`). The key is sent as `api-key` (or a bearer token):
a dotdo access key's id followed by its secret, as `client()` sends it. Answers are Qdrant's envelope
`{"result", "status": "ok", "time"}`, and errors `{"status": {"error": ...}, "time"}`.
"""

from __future__ import annotations

import hmac
import json
import logging
import random
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from starlette.responses import JSONResponse

from ..request_body import read_body
from ..sharding import check_shard_count
from ..vector import MissingPoints, Point, ShardedCollection, VectorCatalog, VectorError
from .filters import QdrantFilter, QdrantFilterError, parse
from .payload import DeletePayload, PathError, SetPayload, select, values_at
from .vectors import Shape, as_point, incoming_batch, is_point_id, query_vector, spaces_of

if TYPE_CHECKING:
    from starlette.types import Receive, Scope, Send

    from ...runtime.stub import Stub
    from ..layer import CompatContext

log = logging.getLogger("dotdo.compat.qdrant")

VERSION = "1.16.0"
MAX_BODY = 64 * 1024 * 1024
_NAME = re.compile(r"[^/\\\x00-\x1f]{1,255}")
_ACCESS_KEY_LENGTH = 20


class QdrantError(Exception):
    """An error Qdrant would answer, with its HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _not_found(name: str) -> QdrantError:
    return QdrantError(404, f"Not found: Collection `{name}` doesn't exist!")


@dataclass
class Call:
    """One request: tenant, path parameters, query parameters, JSON body."""

    tenant: str
    params: dict[str, str]
    query: dict[str, str]
    body: Any


Handler = Callable[[Call], Awaitable[Any]]


class QdrantApp:
    """Qdrant's REST routes on the runtime of `context`."""

    def __init__(self, context: CompatContext) -> None:
        self.context = context
        self.index_shards = check_shard_count("index_shards", context.options.get("index_shards", 1))
        name = r"/collections/(?P<name>[^/]+)"
        self.routes: list[tuple[str, re.Pattern[str], Handler, bool]] = []
        for method, path, handler, open_route in [
            ("GET", "/", self.root, True),
            ("GET", "/healthz", self.health, True),
            ("GET", "/livez", self.health, True),
            ("GET", "/readyz", self.health, True),
            ("GET", "/collections", self.list_collections, False),
            ("PUT", name, self.create_collection, False),
            ("GET", name, self.get_collection, False),
            ("PATCH", name, self.update_collection, False),
            ("DELETE", name, self.delete_collection, False),
            ("GET", name + "/exists", self.collection_exists, False),
            ("PUT", name + "/index", self.create_field_index, False),
            ("DELETE", name + "/index/(?P<field>[^/]+)", self.delete_field_index, False),
            ("PUT", name + "/points", self.upsert, False),
            ("POST", name + "/points", self.retrieve, False),
            ("GET", name + "/points/(?P<id>[^/]+)", self.get_point, False),
            ("POST", name + "/points/delete", self.delete_points, False),
            ("POST", name + "/points/payload", self.set_payload, False),
            ("PUT", name + "/points/payload", self.overwrite_payload, False),
            ("POST", name + "/points/payload/delete", self.delete_payload, False),
            ("POST", name + "/points/payload/clear", self.clear_payload, False),
            ("PUT", name + "/points/vectors", self.update_vectors, False),
            ("POST", name + "/points/vectors/delete", self.delete_vectors, False),
            ("POST", name + "/points/batch", self.batch_update, False),
            ("POST", name + "/points/query", self.query_points, False),
            ("POST", name + "/points/query/batch", self.query_batch, False),
            ("POST", name + "/points/query/groups", self.query_groups, False),
            ("POST", name + "/points/search/groups", self.search_groups, False),
            ("POST", name + "/points/search", self.search_points, False),
            ("POST", name + "/points/search/batch", self.search_batch, False),
            ("POST", name + "/points/recommend", self.recommend, False),
            ("POST", name + "/points/recommend/batch", self.recommend_batch, False),
            ("POST", name + "/points/scroll", self.scroll, False),
            ("POST", name + "/points/count", self.count, False),
            ("POST", name + "/facet", self.facet, False),
            ("POST", name + "/points/search/matrix/pairs", self.matrix_pairs, False),
            ("POST", name + "/points/search/matrix/offsets", self.matrix_offsets, False),
        ]:
            self.routes.append((method, re.compile(path + "/?"), handler, open_route))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        started = time.perf_counter()
        try:
            result = await self._respond(scope, receive)
            response = JSONResponse(
                result
                if isinstance(result, dict) and "title" in result
                else {"result": result, "status": "ok", "time": time.perf_counter() - started}
            )
        except QdrantError as exc:
            response = JSONResponse(
                {"status": {"error": exc.message}, "time": time.perf_counter() - started}, status_code=exc.status
            )
        except Exception:
            log.exception("Qdrant request failed")
            response = JSONResponse(
                {"status": {"error": "Service internal error"}, "time": time.perf_counter() - started},
                status_code=500,
            )
        await response(scope, receive, send)

    async def _respond(self, scope: Scope, receive: Receive) -> Any:
        path: str = scope["path"]
        allowed = []
        for method, pattern, handler, open_route in self.routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            if method != scope["method"]:
                allowed.append(method)
                continue
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
            raw = await read_body(receive, MAX_BODY, lambda: QdrantError(413, "Payload too large"))
            tenant = "" if open_route else self._authenticate(headers)
            try:
                body = json.loads(raw, parse_constant=_refuse_constant) if raw.strip() else None
            except ValueError as exc:
                raise QdrantError(400, f"Format error in JSON body: {exc}") from None
            query = dict(
                pair.split("=", 1) for pair in scope.get("query_string", b"").decode().split("&") if "=" in pair
            )
            return await handler(Call(tenant, match.groupdict(), query, body))
        if allowed:
            raise QdrantError(405, f"Method not allowed; use {', '.join(allowed)}")
        raise QdrantError(404, f"Not found: no route for {path}")

    def _authenticate(self, headers: dict[str, str]) -> str:
        token = headers.get("api-key") or headers.get("authorization", "").removeprefix("Bearer ").strip()
        access = (
            self.context.credentials.lookup(token[:_ACCESS_KEY_LENGTH]) if len(token) > _ACCESS_KEY_LENGTH else None
        )
        if (
            access is None
            or access.secret is None
            or not hmac.compare_digest(access.secret, token[_ACCESS_KEY_LENGTH:])
            or not access.allows("qdrant")
        ):
            raise QdrantError(401, "Must provide an API key or an Authorization bearer token")
        return access.tenant

    def _catalog(self, call: Call) -> Stub:
        return self.context.runtime.get(VectorCatalog, f"qdrant/{call.tenant}")

    async def _collection(self, call: Call) -> ShardedCollection:
        name = call.params["name"]
        entry = await self._catalog(call).find(name)
        if entry is None or entry["name"] != name:
            raise _not_found(name)
        return self._open(call, entry)

    def _open(self, call: Call, entry: dict[str, Any]) -> ShardedCollection:
        return ShardedCollection(self.context.runtime, f"qdrant/{call.tenant}/{entry['uid']}", shards=self.index_shards)

    # -- service ------------------------------------------------------------------------------------

    async def root(self, call: Call) -> Any:
        return {"title": "qdrant - vector search engine", "version": VERSION, "commit": "dotdo"}

    async def health(self, call: Call) -> Any:
        return {"title": "healthz check passed"}

    # -- collections --------------------------------------------------------------------------------

    async def list_collections(self, call: Call) -> Any:
        return {"collections": [{"name": entry["name"]} for entry in await self._catalog(call).list()]}

    async def create_collection(self, call: Call) -> Any:
        name = call.params["name"]
        if not _NAME.fullmatch(name):
            raise QdrantError(422, f"Validation error in path parameters: [name: invalid collection name {name!r}]")
        body = _object(call.body)
        try:
            dimension, metric, spaces, described = spaces_of(body.get("vectors"), body.get("sparse_vectors"))
        except ValueError as exc:
            raise QdrantError(400, f"Wrong input: {exc}") from None
        catalog = self._catalog(call)
        if await catalog.find(name) is not None:
            raise QdrantError(409, f"Wrong input: Collection `{name}` already exists!")
        entry = await catalog.add(name)
        collection = self._open(call, entry)
        try:
            await collection.create(name, dimension, metric, {**described, "indexes": {}}, spaces)
        except VectorError as exc:
            await catalog.remove(name)
            raise QdrantError(422, f"Validation error in JSON body: [vectors: {exc}]") from None
        return True

    async def collection_exists(self, call: Call) -> Any:
        entry = await self._catalog(call).find(call.params["name"])
        return {"exists": entry is not None and entry["name"] == call.params["name"]}

    async def get_collection(self, call: Call) -> Any:
        info = await (await self._collection(call)).info()
        # Collections made before named vectors kept only the unnamed vector's distance.
        distance = info["config"].get("distance")
        return {
            "status": "green",
            "optimizer_status": "ok",
            "indexed_vectors_count": info["count"],
            "points_count": info["count"],
            "segments_count": 1,
            "config": {
                "params": {
                    "vectors": info["config"].get("vectors", {"size": info["dimension"], "distance": distance}),
                    "sparse_vectors": info["config"].get("sparse_vectors"),
                    "shard_number": 1,
                    "replication_factor": 1,
                    "write_consistency_factor": 1,
                    "on_disk_payload": True,
                },
                "hnsw_config": {"m": 16, "ef_construct": 128, "full_scan_threshold": 2000},
                "optimizer_config": {
                    "deleted_threshold": 0.2,
                    "vacuum_min_vector_number": 1000,
                    "default_segment_number": 1,
                    "flush_interval_sec": 5,
                },
                "wal_config": {"wal_capacity_mb": 32, "wal_segments_ahead": 0},
                "quantization_config": None,
            },
            "payload_schema": {
                field: {"data_type": kind, "points": info["count"]} for field, kind in info["config"]["indexes"].items()
            },
        }

    async def update_collection(self, call: Call) -> Any:
        await (await self._collection(call)).info()
        return True

    async def delete_collection(self, call: Call) -> Any:
        catalog = self._catalog(call)
        entry = await catalog.find(call.params["name"])
        if entry is None:
            return False
        collection = self._open(call, entry)
        if await collection.exists():
            await collection.drop()
        await catalog.remove(call.params["name"])
        return True

    async def create_field_index(self, call: Call) -> Any:
        collection = await self._collection(call)
        body = _object(call.body)
        field, schema = body.get("field_name"), body.get("field_schema")
        if not isinstance(field, str):
            raise QdrantError(400, "Format error in JSON body: missing field `field_name`")
        kind = schema.get("type") if isinstance(schema, dict) else schema
        indexes = (await collection.info())["config"]["indexes"]
        await collection.update_config({"indexes": {**indexes, field: kind or "keyword"}})
        return _update_result()

    async def delete_field_index(self, call: Call) -> Any:
        collection = await self._collection(call)
        indexes = dict((await collection.info())["config"]["indexes"])
        indexes.pop(call.params["field"], None)
        await collection.update_config({"indexes": indexes})
        return _update_result()

    # -- points -------------------------------------------------------------------------------------

    async def _shaped(self, call: Call) -> tuple[ShardedCollection, Shape]:
        collection = await self._collection(call)
        return collection, Shape.of(await collection.info())

    def _points(self, raw: list[Any], shape: Shape) -> list[Point]:
        points = []
        for item in raw:
            if not isinstance(item, dict):
                raise QdrantError(400, "Format error in JSON body: a point must be an object")
            payload = item.get("payload") or {}
            if not isinstance(payload, dict):
                raise QdrantError(400, "Format error in JSON body: a payload must be an object")
            try:
                points.append(as_point(_point_id(item.get("id")), item.get("vector"), payload, shape))
            except ValueError as exc:
                raise QdrantError(400, f"Wrong input: {exc}") from None
        return points

    def _upserted(self, body: dict[str, Any], shape: Shape) -> list[Point]:
        if "points" in body:
            raw = body["points"]
            if not isinstance(raw, list):
                raise QdrantError(400, "Format error in JSON body: `points` must be a list")
        elif isinstance(body.get("batch"), dict):
            try:
                raw = incoming_batch(body["batch"])
            except ValueError as exc:
                raise QdrantError(400, f"Wrong input: {exc}") from None
        else:
            raise QdrantError(400, "Format error in JSON body: expected `points` or `batch`")
        return self._points(raw, shape)

    async def upsert(self, call: Call) -> Any:
        collection, shape = await self._shaped(call)
        body = _object(call.body)
        points = self._upserted(body, shape)
        mode = body.get("update_mode") or "upsert"
        if mode not in ("upsert", "insert_only", "update_only"):
            raise QdrantError(400, f"Format error in JSON body: unknown update_mode `{mode}`")
        only_matching = _filter(body.get("update_filter"))
        update: Any = False if mode == "insert_only" else True if only_matching is None else only_matching
        await _write(
            collection.upsert(
                points, keep_vectors=False, require_vector=False, insert=mode != "update_only", update=update
            )
        )
        return _update_result()

    async def update_vectors(self, call: Call) -> Any:
        collection, shape = await self._shaped(call)
        body = _object(call.body)
        raw = body.get("points")
        if not isinstance(raw, list):
            raise QdrantError(400, "Format error in JSON body: missing field `points`")
        await _write(collection.update_vectors(self._points(raw, shape), _filter(body.get("update_filter"))))
        return _update_result()

    async def delete_vectors(self, call: Call) -> Any:
        collection = await self._collection(call)
        body = _object(call.body)
        names = body.get("vector")
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise QdrantError(400, "Format error in JSON body: `vector` must list the vector names to delete")
        ids, tree = await self._selection(body)
        await _write(collection.delete_vectors(ids, tree, names))
        return _update_result()

    async def batch_update(self, call: Call) -> Any:
        """`POST /points/batch`: each operation in order, as its own request would do it."""
        operations = _object(call.body).get("operations")
        if not isinstance(operations, list):
            raise QdrantError(400, "Format error in JSON body: missing field `operations`")
        handlers: dict[str, Handler] = {
            "upsert": self.upsert,
            "delete": self.delete_points,
            "set_payload": self.set_payload,
            "overwrite_payload": self.overwrite_payload,
            "delete_payload": self.delete_payload,
            "clear_payload": self.clear_payload,
            "update_vectors": self.update_vectors,
            "delete_vectors": self.delete_vectors,
        }
        results = []
        for operation in operations:
            if not isinstance(operation, dict) or len(operation) != 1:
                raise QdrantError(400, "Format error in JSON body: an operation is an object with one key")
            [(kind, body)] = operation.items()
            handler = handlers.get(kind)
            if handler is None:
                raise QdrantError(400, f"Format error in JSON body: unknown operation `{kind}`")
            results.append(await handler(Call(call.tenant, call.params, call.query, body)))
        return results

    async def retrieve(self, call: Call) -> Any:
        collection, shape = await self._shaped(call)
        body = _object(call.body)
        ids = body.get("ids")
        if not isinstance(ids, list):
            raise QdrantError(400, "Format error in JSON body: missing field `ids`")
        points = await collection.get([_point_id(i) for i in ids], with_vectors=_with_vectors(body))
        return [_record(p, body.get("with_payload", True), shape) for p in points]

    async def get_point(self, call: Call) -> Any:
        collection, shape = await self._shaped(call)
        raw = call.params["id"]
        points = await collection.get([_point_id(int(raw) if raw.isdigit() else raw)], with_vectors=True)
        if not points:
            raise QdrantError(404, f"Not found: No point with id {raw} found")
        return _record(points[0], True, shape)

    async def _selection(self, body: dict[str, Any]) -> tuple[list[Any] | None, Any]:
        if "points" in body:
            ids = body["points"]
            if not isinstance(ids, list):
                raise QdrantError(400, "Format error in JSON body: `points` must be a list of ids")
            return [_point_id(i) for i in ids], None
        if "filter" in body:
            return None, _filter(body["filter"])
        raise QdrantError(400, "Format error in JSON body: expected `points` or `filter`")

    async def delete_points(self, call: Call) -> Any:
        collection = await self._collection(call)
        ids, tree = await self._selection(_object(call.body))
        if ids is not None and not ids:
            return _update_result()
        await collection.delete(ids, tree)
        return _update_result()

    async def _payload(self, call: Call, replace: bool) -> Any:
        collection = await self._collection(call)
        body = _object(call.body)
        payload = body.get("payload")
        if not isinstance(payload, dict):
            raise QdrantError(400, "Format error in JSON body: missing field `payload`")
        ids, tree = await self._selection(body)
        key = body.get("key")
        if key is not None and not isinstance(key, str):
            raise QdrantError(400, "Format error in JSON body: `key` must be a payload path")
        try:
            if replace:
                await collection.set_payload(ids, tree, payload, True)
            else:
                await collection.edit_payload(ids, tree, SetPayload(payload, key))
        except PathError as exc:
            raise QdrantError(400, f"Format error in JSON body: {exc}") from None
        return _update_result()

    async def set_payload(self, call: Call) -> Any:
        return await self._payload(call, replace=False)

    async def overwrite_payload(self, call: Call) -> Any:
        return await self._payload(call, replace=True)

    async def delete_payload(self, call: Call) -> Any:
        collection = await self._collection(call)
        body = _object(call.body)
        keys = body.get("keys")
        if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys):
            raise QdrantError(400, "Format error in JSON body: missing field `keys`")
        ids, tree = await self._selection(body)
        try:
            await collection.edit_payload(ids, tree, DeletePayload(tuple(keys)))
        except PathError as exc:
            raise QdrantError(400, f"Format error in JSON body: {exc}") from None
        return _update_result()

    async def clear_payload(self, call: Call) -> Any:
        collection = await self._collection(call)
        ids, tree = await self._selection(_object(call.body))
        await collection.set_payload(ids, tree, {}, True)
        return _update_result()

    # -- search -------------------------------------------------------------------------------------

    async def _stored_vector(
        self, collection: ShardedCollection, shape: Shape, point_id: Any, using: str | None
    ) -> Any:
        """The vector of point `point_id` in the space `using`, as a query gives it."""
        points = await collection.get([_point_id(point_id)], with_vectors=True)
        if not points:
            raise QdrantError(404, f"Not found: No point with id {point_id} found")
        vector = points[0]["vectors"].get(using) if using else points[0]["vector"]
        if vector is None:
            raise QdrantError(400, f"Wrong input: point {point_id} has no vector `{using or ''}`")
        return vector

    async def _example(self, collection: ShardedCollection, shape: Shape, example: Any, using: str | None) -> Any:
        if isinstance(example, list):
            return example
        return await self._stored_vector(collection, shape, example, using)

    async def _recommended_vector(
        self, collection: ShardedCollection, shape: Shape, recommend: dict[str, Any], using: str | None
    ) -> tuple[list[float], list[Any]]:
        """The `average_vector` recommendation's query, and the ids of the examples (which it leaves out)."""
        if recommend.get("strategy") not in (None, "average_vector"):
            raise QdrantError(400, f"Wrong input: the `{recommend['strategy']}` recommend strategy is not supported")
        if shape.is_sparse(using or ""):
            raise QdrantError(400, "Wrong input: recommendations over sparse vectors are not supported by this server")
        positive, negative = recommend.get("positive") or [], recommend.get("negative") or []
        if not isinstance(positive, list) or not isinstance(negative, list) or not positive:
            raise QdrantError(400, "Wrong input: a recommendation needs at least one positive example")
        try:
            good = np.asarray([await self._example(collection, shape, e, using) for e in positive], dtype=np.float64)
            bad = [await self._example(collection, shape, e, using) for e in negative]
            mean = good.mean(axis=0)
            vector = mean + mean - np.asarray(bad, dtype=np.float64).mean(axis=0) if bad else mean
        except (TypeError, ValueError):
            raise QdrantError(400, "Wrong input: the examples must be point ids or vectors of one size") from None
        mentioned = [_point_id(e) for e in [*positive, *negative] if not isinstance(e, list)]
        return vector.tolist(), mentioned

    async def _nearest(
        self,
        collection: ShardedCollection,
        shape: Shape,
        body: dict[str, Any],
        query: Any,
        tree: Any,
        ids: list[Any] | None = None,
    ) -> list[dict[str, Any]]:
        """The points nearest `query` (a vector, `{nearest}`, `{recommend}` or a point id) in the space `using`."""
        using = body.get("using")
        if using is not None and not isinstance(using, str):
            raise QdrantError(400, "Format error in JSON body: `using` must be a vector name")
        exclude: list[Any] = []
        if isinstance(query, dict) and "nearest" in query:
            query = query["nearest"]
        if isinstance(query, dict) and isinstance(query.get("recommend"), dict):
            query, exclude = await self._recommended_vector(collection, shape, query["recommend"], using)
        elif is_point_id(query):
            exclude = [_point_id(query)]
            query = await self._stored_vector(collection, shape, query, using)
        limit, offset = _count(body, "limit", 10), _count(body, "offset", 0)
        threshold = body.get("score_threshold")
        if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, int | float)):
            raise QdrantError(400, "Format error in JSON body: `score_threshold` must be a number")
        try:
            hits = await collection.query(
                query_vector(query, using, shape),
                offset + limit + len(exclude),
                tree,
                with_vectors=_with_vectors(body),
                threshold=threshold,
                using=using or None,
                ids=ids,
            )
        except (VectorError, ValueError) as exc:
            raise QdrantError(400, f"Wrong input: {exc}") from None
        hits = [hit for hit in hits if hit["id"] not in exclude][offset : offset + limit]
        payload_option = body.get("with_payload", False)
        return [{**_record(hit, payload_option, shape), "version": 0, "score": hit["score"]} for hit in hits]

    async def _query(
        self, collection: ShardedCollection, shape: Shape, body: dict[str, Any], inherited: Any = None
    ) -> list[dict[str, Any]]:
        """One level of the Query API: its prefetches first (the filter propagates down), then its query."""
        if body.get("lookup_from") is not None:
            raise QdrantError(400, "Wrong input: `lookup_from` is not supported by this server")
        tree = _filter(body.get("filter"))
        if inherited is not None:
            tree = inherited if tree is None else QdrantFilter({"must": [inherited.body, tree.body]})
        query = body.get("query")
        prefetch = body.get("prefetch")
        if prefetch is None:
            if query is None:
                scrolled = await collection.scroll(tree, None, _count(body, "limit", 10), by_id=True)
                payload_option = body.get("with_payload", False)
                return [{**_record(p, payload_option, shape), "version": 0, "score": 0.0} for p in scrolled["points"]]
            return await self._nearest(collection, shape, body, query, tree)
        prefetches = prefetch if isinstance(prefetch, list) else [prefetch]
        sources = []
        for inner in prefetches:
            inner = _object(inner)
            sources.append(
                await self._query(collection, shape, {**inner, "with_payload": False, "with_vector": False}, tree)
            )
        limit, offset = _count(body, "limit", 10), _count(body, "offset", 0)
        if isinstance(query, dict) and "fusion" in query:
            if query["fusion"] != "rrf":
                raise QdrantError(400, f"Wrong input: `{query['fusion']}` fusion is not supported (use rrf)")
            fused = _reciprocal_rank_fusion(sources)[: offset + limit]
            threshold = body.get("score_threshold")
            if threshold is not None:
                fused = [(point_id, score) for point_id, score in fused if score >= threshold]
            fused = fused[offset:]
            points = await collection.get([point_id for point_id, _ in fused], with_vectors=_with_vectors(body))
            records = {p["id"]: _record(p, body.get("with_payload", False), shape) for p in points}
            return [{**records[point_id], "version": 0, "score": score} for point_id, score in fused]
        candidates = list(dict.fromkeys(hit["id"] for source in sources for hit in source))
        if query is None:
            raise QdrantError(400, "Wrong input: a query with `prefetch` needs a `query` (a vector or a fusion)")
        if not candidates:
            return []
        return await self._nearest(collection, shape, body, query, tree, ids=candidates)

    async def query_points(self, call: Call) -> Any:
        collection, shape = await self._shaped(call)
        return {"points": await self._query(collection, shape, _object(call.body))}

    async def query_batch(self, call: Call) -> Any:
        collection, shape = await self._shaped(call)
        searches = _object(call.body).get("searches")
        if not isinstance(searches, list):
            raise QdrantError(400, "Format error in JSON body: missing field `searches`")
        return [{"points": await self._query(collection, shape, _object(s))} for s in searches]

    async def _groups(
        self,
        collection: ShardedCollection,
        shape: Shape,
        body: dict[str, Any],
        search: Callable[[dict[str, Any]], Awaitable[Any]],
    ) -> Any:
        """Hits grouped by the values of the payload path `group_by`, best group first, `group_size` hits each."""
        group_by = body.get("group_by")
        if not isinstance(group_by, str):
            raise QdrantError(400, "Format error in JSON body: missing field `group_by`")
        if body.get("with_lookup") is not None:
            raise QdrantError(400, "Wrong input: `with_lookup` is not supported by this server")
        group_size, limit = _count(body, "group_size", 3), _count(body, "limit", 10)
        everything = (await collection.info())["count"]
        wanted_payload = body.get("with_payload", False)
        hits = await search({**body, "limit": everything, "offset": 0, "with_payload": True})
        groups: dict[tuple[type, Any], dict[str, Any]] = {}
        for hit in hits:
            try:
                values = values_at(hit["payload"] or {}, group_by)
            except PathError as exc:
                raise QdrantError(400, f"Format error in JSON body: {exc}") from None
            # A point with a value that cannot name a group (a float, an object) joins no group, as in Qdrant.
            if values is None or any(type(value) not in (int, str) for value in values):
                continue
            hit = {**hit, "payload": select(hit["payload"], wanted_payload)}
            for value in dict.fromkeys(values):
                group = groups.setdefault((type(value), value), {"id": value, "hits": []})
                if len(group["hits"]) < group_size:
                    group["hits"].append(hit)
        return {"groups": list(groups.values())[:limit]}

    async def query_groups(self, call: Call) -> Any:
        collection, shape = await self._shaped(call)
        body = _object(call.body)
        if body.get("prefetch") is not None:
            raise QdrantError(400, "Wrong input: `prefetch` in a grouped query is not supported by this server")
        return await self._groups(collection, shape, body, lambda b: self._query(collection, shape, b))

    async def search_groups(self, call: Call) -> Any:
        collection, shape = await self._shaped(call)
        return await self._groups(collection, shape, _object(call.body), lambda b: self._search(collection, shape, b))

    async def _search(self, collection: ShardedCollection, shape: Shape, body: dict[str, Any]) -> list[dict[str, Any]]:
        """The older search API: `vector` is a list, or `{name, vector}` for a named (dense or sparse) one."""
        vector = body.get("vector")
        if isinstance(vector, dict) and "name" in vector:
            body = {**body, "using": vector["name"]}
            vector = vector.get("vector")
        return await self._nearest(collection, shape, body, vector, _filter(body.get("filter")))

    async def search_points(self, call: Call) -> Any:
        collection, shape = await self._shaped(call)
        return await self._search(collection, shape, _object(call.body))

    async def search_batch(self, call: Call) -> Any:
        collection, shape = await self._shaped(call)
        searches = _object(call.body).get("searches")
        if not isinstance(searches, list):
            raise QdrantError(400, "Format error in JSON body: missing field `searches`")
        return [await self._search(collection, shape, _object(s)) for s in searches]

    async def _recommend(
        self, collection: ShardedCollection, shape: Shape, body: dict[str, Any]
    ) -> list[dict[str, Any]]:
        recommend = {key: body.get(key) for key in ("positive", "negative", "strategy")}
        return await self._nearest(collection, shape, body, {"recommend": recommend}, _filter(body.get("filter")))

    async def recommend(self, call: Call) -> Any:
        collection, shape = await self._shaped(call)
        return await self._recommend(collection, shape, _object(call.body))

    async def recommend_batch(self, call: Call) -> Any:
        collection, shape = await self._shaped(call)
        searches = _object(call.body).get("searches")
        if not isinstance(searches, list):
            raise QdrantError(400, "Format error in JSON body: missing field `searches`")
        return [await self._recommend(collection, shape, _object(s)) for s in searches]

    async def scroll(self, call: Call) -> Any:
        collection, shape = await self._shaped(call)
        body = _object(call.body or {})
        if body.get("order_by") is not None:
            raise QdrantError(400, "Wrong input: `order_by` is not supported by this server")
        after = body.get("offset")
        result = await collection.scroll(
            _filter(body.get("filter")),
            None if after is None else _point_id(after),
            _count(body, "limit", 10),
            with_vectors=_with_vectors(body),
            by_id=True,
        )
        return {
            "points": [_record(p, body.get("with_payload", True), shape) for p in result["points"]],
            "next_page_offset": result["next"],
        }

    async def _everything(
        self, collection: ShardedCollection, tree: Any, with_vectors: bool | list[str] = False
    ) -> list[Any]:
        total = (await collection.info())["count"]
        return (await collection.scroll(tree, None, max(total, 1), with_vectors=with_vectors, by_id=True))["points"]

    async def facet(self, call: Call) -> Any:
        """How many points (passing `filter`) hold each value of the payload path `key`, most first."""
        collection = await self._collection(call)
        body = _object(call.body)
        key = body.get("key")
        if not isinstance(key, str):
            raise QdrantError(400, "Format error in JSON body: missing field `key`")
        counts: dict[tuple[int, Any], int] = {}
        kinds = (bool, int, str)
        for point in await self._everything(collection, _filter(body.get("filter"))):
            try:
                values = values_at(point["payload"], key) or []
            except PathError as exc:
                raise QdrantError(400, f"Format error in JSON body: {exc}") from None
            # A value counts once per point; the kind's position keeps True apart from 1 when sorting.
            for tagged in {(kinds.index(type(v)), v) for v in values if type(v) in kinds}:
                counts[tagged] = counts.get(tagged, 0) + 1
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[: _count(body, "limit", 10)]
        return {"hits": [{"value": value, "count": count} for (_, value), count in ranked]}

    async def _matrix(self, call: Call) -> tuple[list[Any], list[list[dict[str, Any]]]]:
        """A random sample of points (by id) and each one's `limit` nearest among the others, in the space `using`."""
        collection, shape = await self._shaped(call)
        body = _object(call.body)
        using = body.get("using") or ""
        tree = _filter(body.get("filter"))
        holding = [p for p in await self._everything(collection, tree, [using]) if _space_vector(p, using) is not None]
        sample = _count(body, "sample", 10)
        chosen = sorted(random.sample(holding, min(sample, len(holding))), key=lambda p: _id_order(p["id"]))
        if len(chosen) < 2:
            return [], []
        ids = [point["id"] for point in chosen]
        rows = []
        for point in chosen:
            others = [other for other in ids if other != point["id"]]
            query = {"using": using or None, "limit": _count(body, "limit", 3)}
            rows.append(await self._nearest(collection, shape, query, _space_vector(point, using), tree, ids=others))
        return ids, rows

    async def matrix_pairs(self, call: Call) -> Any:
        ids, rows = await self._matrix(call)
        return {
            "pairs": [
                {"a": a, "b": hit["id"], "score": hit["score"]}
                for a, hits in zip(ids, rows, strict=True)
                for hit in hits
            ]
        }

    async def matrix_offsets(self, call: Call) -> Any:
        ids, rows = await self._matrix(call)
        position = {point_id: i for i, point_id in enumerate(ids)}
        cells = [(row, position[hit["id"]], hit["score"]) for row, hits in enumerate(rows) for hit in hits]
        return {
            "offsets_row": [row for row, _, _ in cells],
            "offsets_col": [column for _, column, _ in cells],
            "scores": [score for _, _, score in cells],
            "ids": ids,
        }

    async def count(self, call: Call) -> Any:
        collection = await self._collection(call)
        body = _object(call.body or {})
        return {"count": await collection.count(_filter(body.get("filter")))}


def _id_order(point_id: Any) -> tuple[int, Any]:
    """Qdrant's order of point ids: integers first, then UUIDs."""
    return (0, point_id) if isinstance(point_id, int) else (1, point_id)


def _reciprocal_rank_fusion(sources: list[list[dict[str, Any]]], k: int = 2) -> list[tuple[Any, float]]:
    """Each point's RRF score, sum of 1 / (rank + k) over the sources (rank from 1, k 2 as Qdrant), best first."""
    scores: dict[Any, float] = {}
    for source in sources:
        for rank, hit in enumerate(source, start=1):
            scores[hit["id"]] = scores.get(hit["id"], 0.0) + 1.0 / (rank + k - 1)
    return sorted(scores.items(), key=lambda item: item[1], reverse=True)


async def _write(call: Awaitable[Any]) -> Any:
    """A core write, its refusals as Qdrant's errors."""
    try:
        return await call
    except MissingPoints as exc:
        raise QdrantError(404, f"Not found: No point with id {exc.ids[0]} found") from None
    except VectorError as exc:
        raise QdrantError(400, f"Wrong input: {exc}") from None


def _space_vector(point: dict[str, Any], using: str) -> Any:
    return point["vectors"].get(using) if using else point["vector"]


def _with_vectors(body: dict[str, Any]) -> bool | list[str]:
    value = body.get("with_vector", body.get("with_vectors", False))
    if isinstance(value, list):
        return [str(name) for name in value]
    return bool(value)


def _object(body: Any) -> dict[str, Any]:
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise QdrantError(400, "Format error in JSON body: expected an object")
    return body


def _filter(body: Any) -> Any:
    try:
        return parse(body)
    except QdrantFilterError as exc:
        raise QdrantError(400, str(exc)) from None


def _count(body: dict[str, Any], name: str, default: int) -> int:
    value = body.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise QdrantError(400, f"Format error in JSON body: `{name}` must be a non-negative integer")
    return value


def _point_id(value: Any) -> int | str:
    """A Qdrant point id: an unsigned integer, or a UUID (kept in its canonical form)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str):
        try:
            return str(uuid.UUID(value))
        except ValueError:
            pass
    raise QdrantError(400, f"Format error in JSON body: Unable to parse UUID: {value}")


def _record(point: dict[str, Any], with_payload: Any, shape: Shape) -> dict[str, Any]:
    try:
        shown = select(point["payload"], with_payload)
    except PathError as exc:
        raise QdrantError(400, f"Format error in JSON body: {exc}") from None
    return {"id": point["id"], "payload": shown, "vector": shape.outgoing(point)}


def _update_result() -> dict[str, Any]:
    return {"operation_id": 0, "status": "completed"}


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid JSON number")


def build(context: CompatContext) -> QdrantApp:
    """The Qdrant app on `context`'s runtime."""
    return QdrantApp(context)
