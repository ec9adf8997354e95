"""Qdrant's REST API as an ASGI app: collections, points (upsert, retrieve, delete, payload), query, scroll, count.

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
from ..vector import Point, ShardedCollection, VectorCatalog, VectorError
from .filters import QdrantFilterError, parse

if TYPE_CHECKING:
    from starlette.types import Receive, Scope, Send

    from ...runtime.stub import Stub
    from ..layer import CompatContext

log = logging.getLogger("dotdo.compat.qdrant")

VERSION = "1.16.0"
MAX_BODY = 64 * 1024 * 1024
DISTANCES = {"Cosine": "cosine", "Dot": "dot", "Euclid": "euclidean"}
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
            ("POST", name + "/points/query", self.query_points, False),
            ("POST", name + "/points/query/batch", self.query_batch, False),
            ("POST", name + "/points/search", self.search_points, False),
            ("POST", name + "/points/search/batch", self.search_batch, False),
            ("POST", name + "/points/scroll", self.scroll, False),
            ("POST", name + "/points/count", self.count, False),
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
        body = call.body or {}
        vectors = body.get("vectors") if isinstance(body, dict) else None
        if not isinstance(vectors, dict) or "size" not in vectors:
            raise QdrantError(
                400, "Wrong input: only one unnamed vector per point is supported: `vectors: {size, distance}`"
            )
        metric = DISTANCES.get(str(vectors.get("distance")))
        if metric is None:
            raise QdrantError(
                400, f"Wrong input: unsupported distance {vectors.get('distance')!r}; use Cosine, Dot or Euclid"
            )
        catalog = self._catalog(call)
        if await catalog.find(name) is not None:
            raise QdrantError(409, f"Wrong input: Collection `{name}` already exists!")
        entry = await catalog.add(name)
        collection = self._open(call, entry)
        try:
            await collection.create(name, vectors["size"], metric, {"distance": vectors["distance"], "indexes": {}})
        except VectorError as exc:
            await catalog.remove(name)
            raise QdrantError(422, f"Validation error in JSON body: [vectors.size: {exc}]") from None
        return True

    async def collection_exists(self, call: Call) -> Any:
        entry = await self._catalog(call).find(call.params["name"])
        return {"exists": entry is not None and entry["name"] == call.params["name"]}

    async def get_collection(self, call: Call) -> Any:
        info = await (await self._collection(call)).info()
        return {
            "status": "green",
            "optimizer_status": "ok",
            "indexed_vectors_count": info["count"],
            "points_count": info["count"],
            "segments_count": 1,
            "config": {
                "params": {
                    "vectors": {"size": info["dimension"], "distance": info["config"]["distance"]},
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

    async def upsert(self, call: Call) -> Any:
        collection = await self._collection(call)
        info = await collection.info()
        body = _object(call.body)
        if "points" in body:
            raw = body["points"]
            if not isinstance(raw, list):
                raise QdrantError(400, "Format error in JSON body: `points` must be a list")
        elif isinstance(body.get("batch"), dict):
            batch = body["batch"]
            ids, vectors = batch.get("ids") or [], batch.get("vectors") or []
            payloads = batch.get("payloads") or [None] * len(ids)
            if not (len(ids) == len(vectors) == len(payloads)):
                raise QdrantError(400, "Wrong input: ids, vectors and payloads must have the same length")
            raw = [{"id": i, "vector": v, "payload": p} for i, v, p in zip(ids, vectors, payloads, strict=True)]
        else:
            raise QdrantError(400, "Format error in JSON body: expected `points` or `batch`")
        points = []
        for item in raw:
            if not isinstance(item, dict):
                raise QdrantError(400, "Format error in JSON body: a point must be an object")
            vector = item.get("vector")
            if isinstance(vector, dict):
                raise QdrantError(400, "Wrong input: named and sparse vectors are not supported by this server")
            if isinstance(vector, list) and len(vector) != info["dimension"]:
                raise QdrantError(
                    400, f"Wrong input: Vector dimension error: expected dim: {info['dimension']}, got {len(vector)}"
                )
            if info["metric"] == "cosine" and isinstance(vector, list):
                vector = _normalized(vector)
            payload = item.get("payload") or {}
            if not isinstance(payload, dict):
                raise QdrantError(400, "Format error in JSON body: a payload must be an object")
            points.append(Point(_point_id(item.get("id")), vector, payload))
        try:
            await collection.upsert(points)
        except VectorError as exc:
            raise QdrantError(400, f"Wrong input: {exc}") from None
        return _update_result()

    async def retrieve(self, call: Call) -> Any:
        collection = await self._collection(call)
        body = _object(call.body)
        ids = body.get("ids")
        if not isinstance(ids, list):
            raise QdrantError(400, "Format error in JSON body: missing field `ids`")
        points = await collection.get([_point_id(i) for i in ids], with_vectors=bool(body.get("with_vector")))
        return [_record(p, body.get("with_payload", True)) for p in points]

    async def get_point(self, call: Call) -> Any:
        collection = await self._collection(call)
        raw = call.params["id"]
        points = await collection.get([_point_id(int(raw) if raw.isdigit() else raw)], with_vectors=True)
        if not points:
            raise QdrantError(404, f"Not found: No point with id {raw} found")
        return _record(points[0], True)

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
        await collection.set_payload(ids, tree, payload, replace)
        return _update_result()

    async def set_payload(self, call: Call) -> Any:
        return await self._payload(call, replace=False)

    async def overwrite_payload(self, call: Call) -> Any:
        return await self._payload(call, replace=True)

    async def delete_payload(self, call: Call) -> Any:
        collection = await self._collection(call)
        body = _object(call.body)
        keys = body.get("keys")
        if not isinstance(keys, list):
            raise QdrantError(400, "Format error in JSON body: missing field `keys`")
        ids, tree = await self._selection(body)
        await collection.delete_payload_keys(ids, tree, keys)
        return _update_result()

    async def clear_payload(self, call: Call) -> Any:
        collection = await self._collection(call)
        ids, tree = await self._selection(_object(call.body))
        await collection.set_payload(ids, tree, {}, True)
        return _update_result()

    # -- search -------------------------------------------------------------------------------------

    async def _search(self, collection: ShardedCollection, body: dict[str, Any], vector: Any) -> list[dict[str, Any]]:
        for unsupported in ("prefetch", "using", "lookup_from"):
            if body.get(unsupported) is not None:
                raise QdrantError(400, f"Wrong input: `{unsupported}` is not supported by this server")
        if isinstance(vector, dict) and "nearest" in vector:
            vector = vector["nearest"]
        if not isinstance(vector, list):
            raise QdrantError(400, "Wrong input: only a dense query vector is supported by this server")
        limit, offset = _count(body, "limit", 10), _count(body, "offset", 0)
        threshold = body.get("score_threshold")
        if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, int | float)):
            raise QdrantError(400, "Format error in JSON body: `score_threshold` must be a number")
        try:
            hits = await collection.query(
                vector,
                limit,
                _filter(body.get("filter")),
                offset,
                with_vectors=bool(body.get("with_vector")),
                threshold=threshold,
            )
        except VectorError as exc:
            raise QdrantError(400, f"Wrong input: {exc}") from None
        payload_option = body.get("with_payload", False)
        return [{**_record(hit, payload_option), "version": 0, "score": hit["score"]} for hit in hits]

    async def query_points(self, call: Call) -> Any:
        collection = await self._collection(call)
        body = _object(call.body)
        if body.get("query") is None:
            scrolled = await collection.scroll(_filter(body.get("filter")), None, _count(body, "limit", 10))
            return {
                "points": [
                    {**_record(p, body.get("with_payload", False)), "version": 0, "score": 1.0}
                    for p in scrolled["points"]
                ]
            }
        return {"points": await self._search(collection, body, body["query"])}

    async def query_batch(self, call: Call) -> Any:
        collection = await self._collection(call)
        searches = _object(call.body).get("searches")
        if not isinstance(searches, list):
            raise QdrantError(400, "Format error in JSON body: missing field `searches`")
        return [{"points": await self._search(collection, _object(s), _object(s).get("query"))} for s in searches]

    async def search_points(self, call: Call) -> Any:
        collection = await self._collection(call)
        body = _object(call.body)
        return await self._search(collection, body, body.get("vector"))

    async def search_batch(self, call: Call) -> Any:
        collection = await self._collection(call)
        searches = _object(call.body).get("searches")
        if not isinstance(searches, list):
            raise QdrantError(400, "Format error in JSON body: missing field `searches`")
        return [await self._search(collection, _object(s), _object(s).get("vector")) for s in searches]

    async def scroll(self, call: Call) -> Any:
        collection = await self._collection(call)
        body = _object(call.body or {})
        after = body.get("offset")
        result = await collection.scroll(
            _filter(body.get("filter")),
            None if after is None else _point_id(after),
            _count(body, "limit", 10),
            with_vectors=bool(body.get("with_vector")),
        )
        return {
            "points": [_record(p, body.get("with_payload", True)) for p in result["points"]],
            "next_page_offset": result["next"],
        }

    async def count(self, call: Call) -> Any:
        collection = await self._collection(call)
        body = _object(call.body or {})
        return {"count": await collection.count(_filter(body.get("filter")))}


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


def _normalized(vector: list[Any]) -> list[Any]:
    try:
        array = np.asarray(vector, dtype=np.float64)
    except (TypeError, ValueError):
        return vector
    norm = float(np.linalg.norm(array))
    return (array / norm).tolist() if norm > 0 and np.isfinite(norm) else vector


def _record(point: dict[str, Any], with_payload: Any) -> dict[str, Any]:
    payload = point["payload"]
    if with_payload is False or with_payload is None:
        shown = None
    elif isinstance(with_payload, list):
        shown = {k: v for k, v in payload.items() if k in with_payload}
    elif isinstance(with_payload, dict):
        include, exclude = with_payload.get("include"), with_payload.get("exclude")
        shown = {k: v for k, v in payload.items() if (include is None or k in include) and k not in (exclude or [])}
    else:
        shown = payload
    return {"id": point["id"], "payload": shown, "vector": point.get("vector")}


def _update_result() -> dict[str, Any]:
    return {"operation_id": 0, "status": "completed"}


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid JSON number")


def build(context: CompatContext) -> QdrantApp:
    """The Qdrant app on `context`'s runtime."""
    return QdrantApp(context)
