"""Chroma's HTTP API (v2) as an ASGI app, for `chromadb.HttpClient`: collections, writes, get, query, delete.

Each collection is a `VectorCollection` object (`chroma/<tenant>/<collection id>`), created with
its dimension when the first embeddings arrive, as Chroma fixes it then; each Chroma database's
collection names are a `VectorCatalog` (`chroma/<tenant>/<chroma tenant>/<database>`). Chroma's own
tenants and databases exist as soon as they are named. The key is sent as `x-chroma-token` (or a
bearer token): a dotdo access key's id followed by its secret. Errors are `{"error", "message"}`.
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
from urllib.parse import parse_qs, unquote

from starlette.responses import JSONResponse

from ..request_body import read_body
from ..sharding import check_shard_count
from ..vector import Point, ShardedCollection, VectorCatalog, VectorError
from .filters import DOCUMENT_KEY, ChromaFilterError, where, where_document

if TYPE_CHECKING:
    from starlette.types import Receive, Scope, Send

    from ...runtime.stub import Stub
    from ..layer import CompatContext

log = logging.getLogger("dotdo.compat.chroma")

VERSION = "1.0.0"
MAX_BODY = 64 * 1024 * 1024
MAX_BATCH = 5461
SPACES = {"l2": "euclidean", "cosine": "cosine", "ip": "dot"}
_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9._-]{1,510}[a-zA-Z0-9]")
_ACCESS_KEY_LENGTH = 20
INCLUDABLE = {"documents", "embeddings", "metadatas", "distances", "uris"}


class ChromaError(Exception):
    """An error Chroma would answer: its error type name, message and status."""

    def __init__(self, error: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.error = error
        self.message = message
        self.status = status


@dataclass
class Call:
    """One request: tenant, path parameters, query parameters, JSON body."""

    tenant: str
    params: dict[str, str]
    query: dict[str, str]
    body: Any

    def catalog_name(self) -> str:
        """The object name of the addressed Chroma database's catalog."""
        return f"chroma/{self.tenant}/{self.params['tenant']}/{self.params['database']}"


Handler = Callable[[Call], Awaitable[Any]]


class ChromaApp:
    """Chroma's v2 routes on the runtime of `context`."""

    def __init__(self, context: CompatContext) -> None:
        self.context = context
        self.index_shards = check_shard_count("index_shards", context.options.get("index_shards", 1))
        base = "/api/v2/tenants/(?P<tenant>[^/]+)/databases/(?P<database>[^/]+)"
        collection = base + "/collections/(?P<id>[^/]+)"
        self.routes: list[tuple[str, re.Pattern[str], Handler, bool]] = []
        for method, path, handler, open_route in [
            ("GET", "/api/v2/heartbeat", self.heartbeat, True),
            ("GET", "/api/v2/version", self.version, True),
            ("GET", "/api/v2/pre-flight-checks", self.pre_flight, True),
            ("GET", "/api/v2/healthcheck", self.heartbeat, True),
            ("GET", "/api/v2/auth/identity", self.identity, False),
            ("POST", "/api/v2/tenants", self.create_tenant, False),
            ("GET", "/api/v2/tenants/(?P<tenant>[^/]+)", self.get_tenant, False),
            ("POST", "/api/v2/tenants/(?P<tenant>[^/]+)/databases", self.create_database, False),
            ("GET", "/api/v2/tenants/(?P<tenant>[^/]+)/databases", self.list_databases, False),
            ("GET", base, self.get_database, False),
            ("GET", base + "/collections", self.list_collections, False),
            ("POST", base + "/collections", self.create_collection, False),
            ("GET", base + "/collections_count", self.count_collections, False),
            ("GET", collection, self.get_collection, False),
            ("PUT", collection, self.modify_collection, False),
            ("DELETE", collection, self.delete_collection, False),
            ("POST", collection + "/add", self.add, False),
            ("POST", collection + "/upsert", self.upsert, False),
            ("POST", collection + "/update", self.update, False),
            ("POST", collection + "/get", self.get, False),
            ("POST", collection + "/query", self.query_collection, False),
            ("POST", collection + "/delete", self.delete, False),
            ("GET", collection + "/count", self.count, False),
        ]:
            self.routes.append((method, re.compile(path + "/?"), handler, open_route))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        try:
            response = JSONResponse(await self._respond(scope, receive))
        except ChromaError as exc:
            response = JSONResponse({"error": exc.error, "message": exc.message}, status_code=exc.status)
        except Exception:
            log.exception("Chroma request failed")
            response = JSONResponse({"error": "InternalError", "message": "internal error"}, status_code=500)
        await response(scope, receive, send)

    async def _respond(self, scope: Scope, receive: Receive) -> Any:
        path: str = scope["path"]
        for method, pattern, handler, open_route in self.routes:
            match = pattern.fullmatch(path)
            if match is None or method != scope["method"]:
                continue
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
            raw = await read_body(
                receive, MAX_BODY, lambda: ChromaError("InvalidArgumentError", "the request body is too large", 413)
            )
            tenant = "" if open_route else self._authenticate(headers)
            try:
                body = json.loads(raw, parse_constant=_refuse_constant) if raw.strip() else None
            except ValueError as exc:
                raise ChromaError("InvalidArgumentError", f"the request body is not valid JSON: {exc}") from None
            query = {k: v[-1] for k, v in parse_qs(scope.get("query_string", b"").decode()).items()}
            params = {k: unquote(v) for k, v in match.groupdict().items()}
            return await handler(Call(tenant, params, query, body))
        raise ChromaError("NotFoundError", f"no route for {scope['method']} {path}", 404)

    def _authenticate(self, headers: dict[str, str]) -> str:
        token = headers.get("x-chroma-token") or headers.get("authorization", "").removeprefix("Bearer ").strip()
        access = (
            self.context.credentials.lookup(token[:_ACCESS_KEY_LENGTH]) if len(token) > _ACCESS_KEY_LENGTH else None
        )
        if (
            access is None
            or access.secret is None
            or not hmac.compare_digest(access.secret, token[_ACCESS_KEY_LENGTH:])
            or not access.allows("chroma")
        ):
            raise ChromaError("AuthError", "Unauthorized: a valid x-chroma-token is required", 401)
        return access.tenant

    # -- server, tenants, databases -----------------------------------------------------------------

    async def heartbeat(self, call: Call) -> Any:
        return {"nanosecond heartbeat": time.time_ns()}

    async def version(self, call: Call) -> Any:
        return VERSION

    async def pre_flight(self, call: Call) -> Any:
        return {"max_batch_size": MAX_BATCH, "supports_base64_encoding": False}

    async def identity(self, call: Call) -> Any:
        return {"user_id": call.tenant, "tenant": "default_tenant", "databases": ["default_database"]}

    async def create_tenant(self, call: Call) -> Any:
        return {}

    async def get_tenant(self, call: Call) -> Any:
        return {"name": call.params["tenant"]}

    async def create_database(self, call: Call) -> Any:
        return {}

    async def list_databases(self, call: Call) -> Any:
        return [self._database(call.params["tenant"], "default_database")]

    def _database(self, tenant: str, name: str) -> dict[str, Any]:
        return {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{tenant}/{name}")), "name": name, "tenant": tenant}

    async def get_database(self, call: Call) -> Any:
        return self._database(call.params["tenant"], call.params["database"])

    # -- collections --------------------------------------------------------------------------------

    def _catalog(self, call: Call) -> Stub:
        return self.context.runtime.get(VectorCatalog, call.catalog_name())

    def _object(self, call: Call, collection_id: str) -> ShardedCollection:
        return ShardedCollection(
            self.context.runtime, f"chroma/{call.tenant}/{collection_id}", shards=self.index_shards
        )

    async def _model(self, call: Call, entry: dict[str, Any]) -> dict[str, Any]:
        collection = self._object(call, entry["uid"])
        dimension = (await collection.info())["dimension"] if await collection.exists() else None
        space = entry["metadata"]["space"]
        return {
            "id": entry["uid"],
            "name": entry["name"],
            "configuration_json": {
                "hnsw": {
                    "space": space,
                    "ef_construction": 128,
                    "ef_search": 64,
                    "max_neighbors": 16,
                    "resize_factor": 1.2,
                    "sync_threshold": 1000,
                },
                "spann": None,
                "embedding_function": None,
            },
            "metadata": entry["metadata"]["metadata"],
            "dimension": dimension,
            "tenant": call.params["tenant"],
            "database": call.params["database"],
            "log_position": 0,
            "version": 0,
        }

    async def list_collections(self, call: Call) -> Any:
        limit = _int(call.query.get("limit"), None)
        entries = await self._catalog(call).list(_int(call.query.get("offset"), 0) or 0, limit)
        return [await self._model(call, entry) for entry in entries]

    async def count_collections(self, call: Call) -> Any:
        return len(await self._catalog(call).list())

    async def create_collection(self, call: Call) -> Any:
        body = _body(call)
        name = body.get("name")
        if not isinstance(name, str) or not _NAME.fullmatch(name) or ".." in name:
            raise ChromaError(
                "InvalidArgumentError",
                f"Expected a name containing 3-512 characters from [a-zA-Z0-9._-], starting and ending with a "
                f"character in [a-zA-Z0-9], got {name!r}",
            )
        metadata = body.get("metadata")
        _check_metadata(metadata, allow_none_values=False)
        configuration = body.get("configuration") or {}
        hnsw = configuration.get("hnsw") if isinstance(configuration, dict) else None
        space = (hnsw or {}).get("space") or (metadata or {}).get("hnsw:space") or "l2"
        if space not in SPACES:
            raise ChromaError("InvalidArgumentError", f"unknown space {space!r}; use l2, cosine or ip")
        catalog = self._catalog(call)
        existing = await catalog.find(name)
        if existing is not None and existing["name"] == name:
            if body.get("get_or_create"):
                return await self._model(call, existing)
            raise ChromaError("UniqueConstraintError", f"Collection {name} already exists", 409)
        entry = await catalog.add(name, {"space": space, "metadata": metadata})
        return await self._model(call, entry)

    async def _entry(self, call: Call) -> dict[str, Any]:
        entry = await self._catalog(call).find(call.params["id"])
        if entry is None:
            raise ChromaError("NotFoundError", f"Collection [{call.params['id']}] does not exist", 404)
        return entry

    async def get_collection(self, call: Call) -> Any:
        return await self._model(call, await self._entry(call))

    async def modify_collection(self, call: Call) -> Any:
        entry = await self._entry(call)
        body = _body(call)
        new_name, new_metadata = body.get("new_name"), body.get("new_metadata")
        if new_name is not None and (not isinstance(new_name, str) or not _NAME.fullmatch(new_name)):
            raise ChromaError("InvalidArgumentError", f"invalid collection name {new_name!r}")
        if new_name is not None and new_name != entry["name"] and await self._catalog(call).find(new_name):
            raise ChromaError("UniqueConstraintError", f"Collection {new_name} already exists", 409)
        _check_metadata(new_metadata, allow_none_values=False)
        metadata = None if new_metadata is None else {**entry["metadata"], "metadata": new_metadata}
        await self._catalog(call).update(entry["name"], new_name, metadata)
        return {}

    async def delete_collection(self, call: Call) -> Any:
        entry = await self._entry(call)
        collection = self._object(call, entry["uid"])
        if await collection.exists():
            await collection.drop()
        await self._catalog(call).remove(entry["name"])
        return {}

    # -- records ------------------------------------------------------------------------------------

    async def _write(self, call: Call, mode: str) -> Any:
        entry = await self._entry(call)
        body = _body(call)
        ids = body.get("ids")
        if not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids):
            raise ChromaError("InvalidArgumentError", "Expected IDs to be a non-empty list of non-empty strings")
        if len(ids) > MAX_BATCH:
            raise ChromaError("BatchSizeExceededError", f"Cannot submit more than {MAX_BATCH} embeddings at once")
        if len(set(ids)) != len(ids):
            duplicate = next(i for i in ids if ids.count(i) > 1)
            raise ChromaError("DuplicateIDError", f"Expected IDs to be unique, found duplicates of: {duplicate}")
        columns = {}
        for name in ("embeddings", "metadatas", "documents"):
            values = body.get(name)
            if values is not None and (not isinstance(values, list) or len(values) != len(ids)):
                raise ChromaError("InvalidArgumentError", f"Expected {name} to be a list as long as ids ({len(ids)})")
            columns[name] = values
        for metadata in columns["metadatas"] or []:
            _check_metadata(metadata, allow_none_values=mode == "update")
        if mode != "update" and columns["embeddings"] is None:
            raise ChromaError("InvalidArgumentError", "Expected embeddings: this server does not compute embeddings")
        collection = self._object(call, entry["uid"])
        if not await collection.exists():
            embeddings = columns["embeddings"] or []
            if not embeddings:
                return {}
            first = embeddings[0]
            if not isinstance(first, list):
                raise ChromaError("InvalidArgumentError", "Expected each embedding to be a list of numbers")
            try:
                await collection.create(entry["name"], len(first), SPACES[entry["metadata"]["space"]])
            except VectorError as exc:
                raise ChromaError("InvalidArgumentError", str(exc)) from None
        info = await collection.info()
        existing = {p["id"]: p for p in await collection.get(ids)}
        points = []
        for position, record_id in enumerate(ids):
            if mode == "add" and record_id in existing:
                continue
            if mode == "update" and record_id not in existing:
                continue
            vector = columns["embeddings"][position] if columns["embeddings"] is not None else None
            if vector is not None and isinstance(vector, list) and len(vector) != info["dimension"]:
                raise ChromaError(
                    "InvalidDimension",
                    f"Collection expecting embedding with dimension of {info['dimension']}, got {len(vector)}",
                )
            payload = dict(existing[record_id]["payload"]) if record_id in existing and mode == "update" else {}
            metadata = columns["metadatas"][position] if columns["metadatas"] is not None else None
            if metadata is not None:
                for key, value in metadata.items():
                    if value is None:
                        payload.pop(key, None)
                    else:
                        payload[key] = value
            elif mode == "upsert" and record_id in existing:
                payload = {k: v for k, v in existing[record_id]["payload"].items() if k != DOCUMENT_KEY}
            document = columns["documents"][position] if columns["documents"] is not None else None
            if document is not None:
                if not isinstance(document, str):
                    raise ChromaError("InvalidArgumentError", "Expected each document to be a string")
                payload[DOCUMENT_KEY] = document
            elif record_id in existing and DOCUMENT_KEY in existing[record_id]["payload"]:
                payload[DOCUMENT_KEY] = existing[record_id]["payload"][DOCUMENT_KEY]
            points.append(Point(record_id, vector, payload))
        try:
            await collection.upsert(points)
        except VectorError as exc:
            raise ChromaError("InvalidArgumentError", str(exc)) from None
        return {}

    async def add(self, call: Call) -> Any:
        return await self._write(call, "add")

    async def upsert(self, call: Call) -> Any:
        return await self._write(call, "upsert")

    async def update(self, call: Call) -> Any:
        return await self._write(call, "update")

    def _filters(self, body: dict[str, Any]) -> Any:
        try:
            trees = [tree for tree in (where(body.get("where")), where_document(body.get("where_document"))) if tree]
        except ChromaFilterError as exc:
            raise ChromaError("InvalidArgumentError", str(exc)) from None
        if not trees:
            return None
        from ..search.filters import And

        return trees[0] if len(trees) == 1 else And(tuple(trees))

    async def get(self, call: Call) -> Any:
        entry = await self._entry(call)
        body = _body(call)
        include = _include(body.get("include"), {"documents", "metadatas"})
        if "distances" in include:
            raise ChromaError("InvalidArgumentError", "distances can only be included in a query")
        tree = self._filters(body)
        ids = body.get("ids")
        if ids is not None and (not isinstance(ids, list) or not all(isinstance(i, str) for i in ids)):
            raise ChromaError("InvalidArgumentError", "Expected ids to be a list of strings")
        collection = self._object(call, entry["uid"])
        points: list[dict[str, Any]] = []
        if await collection.exists():
            limit = _int(body.get("limit"), None)
            offset = _int(body.get("offset"), 0) or 0
            page = await collection.scroll(
                tree,
                None,
                2**62 if limit is None else limit,
                with_vectors="embeddings" in include,
                offset=offset,
                ids=ids,
            )
            points = page["points"]
        return _records(points, include)

    async def query_collection(self, call: Call) -> Any:
        entry = await self._entry(call)
        body = _body(call)
        include = _include(body.get("include"), {"documents", "metadatas", "distances"})
        embeddings = body.get("query_embeddings")
        if not isinstance(embeddings, list) or not embeddings:
            raise ChromaError("InvalidArgumentError", "Expected query_embeddings to be a non-empty list of embeddings")
        n_results = _int(body.get("n_results"), 10)
        if n_results is None or n_results < 1:
            raise ChromaError("InvalidArgumentError", "Expected n_results to be a positive integer")
        tree = self._filters(body)
        collection = self._object(call, entry["uid"])
        space = entry["metadata"]["space"]
        batches: dict[str, list[Any]] = {name: [] for name in ("ids", *sorted(INCLUDABLE))}
        exists = await collection.exists()
        dimension = (await collection.info())["dimension"] if exists else None
        for embedding in embeddings:
            if not isinstance(embedding, list):
                raise ChromaError("InvalidArgumentError", "Expected each query embedding to be a list of numbers")
            if dimension is not None and len(embedding) != dimension:
                raise ChromaError(
                    "InvalidDimension",
                    f"Collection expecting embedding with dimension of {dimension}, got {len(embedding)}",
                )
            hits = []
            if exists:
                try:
                    hits = await collection.query(embedding, n_results, tree, with_vectors="embeddings" in include)
                except VectorError as exc:
                    raise ChromaError("InvalidArgumentError", str(exc)) from None
            records = _records(hits, include)
            for name in batches:
                batches[name].append(records.get(name))
            if "distances" in include:
                batches["distances"][-1] = [_distance(space, hit["score"]) for hit in hits]
        result: dict[str, Any] = {"ids": batches["ids"], "include": sorted(include)}
        for name in INCLUDABLE:
            result[name] = batches[name] if name in include else None
        return result

    async def delete(self, call: Call) -> Any:
        entry = await self._entry(call)
        body = _body(call)
        ids = body.get("ids")
        tree = self._filters(body)
        if ids is None and tree is None:
            raise ChromaError("InvalidArgumentError", "Expected ids, where or where_document to choose what to delete")
        collection = self._object(call, entry["uid"])
        if not await collection.exists():
            return {"deleted": 0}
        return {"deleted": await collection.delete(ids, tree) if ids != [] else 0}

    async def count(self, call: Call) -> Any:
        entry = await self._entry(call)
        collection = self._object(call, entry["uid"])
        return await collection.count() if await collection.exists() else 0


def _body(call: Call) -> dict[str, Any]:
    if call.body is None:
        return {}
    if not isinstance(call.body, dict):
        raise ChromaError("InvalidArgumentError", "Expected the request body to be a JSON object")
    return call.body


def _int(value: Any, default: int | None) -> int | None:
    if value is None:
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ChromaError("InvalidArgumentError", f"Expected an integer, got {value!r}") from None
    if number < 0:
        raise ChromaError("InvalidArgumentError", f"Expected a non-negative integer, got {number}")
    return number


def _include(value: Any, default: set[str]) -> set[str]:
    if value is None:
        return default
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ChromaError("InvalidArgumentError", "Expected include to be a list of strings")
    unknown = set(value) - INCLUDABLE
    if unknown:
        raise ChromaError("InvalidArgumentError", f"Expected include items to be one of {sorted(INCLUDABLE)}")
    return set(value)


def _check_metadata(metadata: Any, *, allow_none_values: bool) -> None:
    if metadata is None:
        return
    if not isinstance(metadata, dict):
        raise ChromaError("InvalidArgumentError", f"Expected metadata to be a dict or None, got {metadata!r}")
    for key, value in metadata.items():
        if not isinstance(key, str) or key == DOCUMENT_KEY:
            raise ChromaError("InvalidArgumentError", f"Expected metadata key to be a str, got {key!r}")
        if value is None and allow_none_values:
            continue
        if not isinstance(value, str | int | float | bool) or (isinstance(value, float) and value != value):
            raise ChromaError(
                "InvalidArgumentError", f"Expected metadata value to be a str, int, float or bool, got {value!r}"
            )


def _distance(space: str, score: float) -> float:
    """Chroma's distance from the core's score: squared L2, 1 - cosine similarity, 1 - dot product."""
    if space == "l2":
        return score * score
    return 1.0 - score


def _records(points: list[dict[str, Any]], include: set[str]) -> dict[str, Any]:
    metadatas = []
    for point in points:
        metadata = {k: v for k, v in point["payload"].items() if k != DOCUMENT_KEY}
        metadatas.append(metadata or None)
    return {
        "ids": [str(point["id"]) for point in points],
        "embeddings": [point["vector"] for point in points] if "embeddings" in include else None,
        "documents": [point["payload"].get(DOCUMENT_KEY) for point in points] if "documents" in include else None,
        "metadatas": metadatas if "metadatas" in include else None,
        "uris": [None for _ in points] if "uris" in include else None,
        "distances": None,
        "include": sorted(include),
    }


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid JSON number")


def build(context: CompatContext) -> ChromaApp:
    """The Chroma app on `context`'s runtime."""
    return ChromaApp(context)
