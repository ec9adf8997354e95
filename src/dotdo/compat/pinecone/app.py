"""Pinecone's REST API as an ASGI app: the control plane (indexes) and each index's data plane (vectors).

The control plane answers at the root (`/indexes`), as at `api.pinecone.io`; an index's data plane
answers under `/index/<name>`, the `host` its description gives, so `pc.index(name)` finds it. Each
tenant's indexes are a `VectorCatalog` (`pinecone/<tenant>`) whose entries keep the index's schema,
deployment and tags; each index's namespaces are another catalog (`pinecone/<tenant>/<uid>`), and
each namespace is one `VectorCollection` (spread over shard objects when the server's `index_shards`
is above 1). The key is sent as `Api-Key`: a dotdo access key's id
followed by its secret. Errors take Pinecone's two shapes: `{"error": {"code", "message"},
"status"}` from the control plane, `{"code", "message", "details"}` (gRPC status codes) from the data plane.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote

import numpy as np
from starlette.responses import JSONResponse, Response

from ..request_body import read_body
from ..sharding import check_shard_count
from ..vector import Point, ShardedCollection, VectorCatalog, VectorError
from .filters import PineconeFilterError, parse

if TYPE_CHECKING:
    from starlette.types import Receive, Scope, Send

    from ...runtime.stub import Stub
    from ..layer import CompatContext

log = logging.getLogger("dotdo.compat.pinecone")

MAX_BODY = 2 * 1024 * 1024
"""Pinecone's largest request (an upsert of 2 MB)."""
MAX_UPSERT = 1000
MAX_TOP_K = 10_000
MAX_METADATA = 40 * 1024
"""The most JSON bytes of metadata one record may carry (Pinecone's limit)."""
MAX_ID_LENGTH = 512
DEFAULT_NAMESPACE = "__default__"
"""What the namespace APIs call the namespace the vector APIs call ""."""
METRICS = {"cosine": "cosine", "dotproduct": "dot", "euclidean": "euclidean"}
_INDEX_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,43}[a-z0-9])?")
_ACCESS_KEY_LENGTH = 20
_GRPC_CODES = {400: 3, 401: 16, 403: 7, 404: 5, 409: 6, 412: 9, 413: 8, 500: 13}
_HTTP_CODES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "ALREADY_EXISTS",
    413: "PAYLOAD_TOO_LARGE",
    500: "INTERNAL",
}


class PineconeError(Exception):
    """An error Pinecone would answer, with its HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def control_plane(self) -> dict[str, Any]:
        """The error as the control plane sends it."""
        code = _HTTP_CODES.get(self.status, "UNKNOWN")
        return {"error": {"code": code, "message": self.message}, "status": self.status}

    def data_plane(self) -> dict[str, Any]:
        """The error as an index's data plane sends it."""
        return {"code": _GRPC_CODES.get(self.status, 2), "message": self.message, "details": []}


@dataclass
class Call:
    """One request: tenant, path parameters, query parameters (each a list), JSON body, where it was sent."""

    tenant: str
    params: dict[str, str]
    query: dict[str, list[str]]
    body: Any
    base_url: str

    def one(self, name: str, default: str | None = None) -> str | None:
        """The last value of query parameter `name`."""
        values = self.query.get(name)
        return values[-1] if values else default


Handler = Callable[[Call], Awaitable[Any]]


class PineconeApp:
    """Pinecone's control-plane and data-plane routes on the runtime of `context`."""

    def __init__(self, context: CompatContext) -> None:
        self.context = context
        self.index_shards = check_shard_count("index_shards", context.options.get("index_shards", 1))
        index = "/indexes/(?P<name>[^/]+)"
        data = "/index/(?P<name>[^/]+)"
        self.routes: list[tuple[str, re.Pattern[str], Handler, bool]] = []
        for method, path, handler, data_plane in [
            ("GET", "/indexes", self.list_indexes, False),
            ("POST", "/indexes", self.create_index, False),
            ("GET", index, self.describe_index, False),
            ("PATCH", index, self.configure_index, False),
            ("DELETE", index, self.delete_index, False),
            ("POST", data + "/vectors/upsert", self.upsert, True),
            ("POST", data + "/query", self.query, True),
            ("GET", data + "/vectors/fetch", self.fetch, True),
            ("POST", data + "/vectors/update", self.update, True),
            ("POST", data + "/vectors/delete", self.delete, True),
            ("GET", data + "/vectors/list", self.list_ids, True),
            ("POST", data + "/describe_index_stats", self.describe_index_stats, True),
            ("GET", data + "/describe_index_stats", self.describe_index_stats, True),
            ("GET", data + "/namespaces", self.list_namespaces, True),
            ("GET", data + "/namespaces/(?P<namespace>[^/]*)", self.describe_namespace, True),
            ("DELETE", data + "/namespaces/(?P<namespace>[^/]*)", self.delete_namespace, True),
        ]:
            self.routes.append((method, re.compile(path + "/?"), handler, data_plane))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        data_plane = scope["path"].startswith("/index/")
        try:
            result = await self._respond(scope, receive)
            response = result if isinstance(result, Response) else JSONResponse(result)
        except PineconeError as exc:
            body = exc.data_plane() if data_plane else exc.control_plane()
            response = JSONResponse(body, status_code=exc.status)
        except Exception:
            log.exception("Pinecone request failed")
            error = PineconeError(500, "Internal error")
            response = JSONResponse(error.data_plane() if data_plane else error.control_plane(), status_code=500)
        await response(scope, receive, send)

    async def _respond(self, scope: Scope, receive: Receive) -> Any:
        path: str = scope["path"]
        allowed = []
        for method, pattern, handler, _ in self.routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            if method != scope["method"]:
                allowed.append(method)
                continue
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
            raw = await read_body(
                receive,
                MAX_BODY,
                lambda: PineconeError(413, f"Request size exceeds the maximum supported size of {MAX_BODY} bytes"),
            )
            tenant = self._authenticate(headers)
            try:
                body = json.loads(raw, parse_constant=_refuse_constant) if raw.strip() else None
            except ValueError as exc:
                raise PineconeError(400, f"The request body is not valid JSON: {exc}") from None
            query = parse_qs(scope.get("query_string", b"").decode(), keep_blank_values=True)
            params = {k: unquote(v) for k, v in match.groupdict().items()}
            host = headers.get("host", "127.0.0.1")
            base_url = f"{scope.get('scheme', 'http')}://{host}{scope.get('root_path', '')}"
            return await handler(Call(tenant, params, query, body, base_url))
        if allowed:
            raise PineconeError(405, f"Method not allowed; use {', '.join(allowed)}")
        raise PineconeError(404, f"Not found: no route for {path}")

    def _authenticate(self, headers: dict[str, str]) -> str:
        token = headers.get("api-key", "")
        access = (
            self.context.credentials.lookup(token[:_ACCESS_KEY_LENGTH]) if len(token) > _ACCESS_KEY_LENGTH else None
        )
        if (
            access is None
            or access.secret is None
            or not hmac.compare_digest(access.secret, token[_ACCESS_KEY_LENGTH:])
            or not access.allows("pinecone")
        ):
            raise PineconeError(401, "Invalid API Key")
        return access.tenant

    # -- where things are ---------------------------------------------------------------------------

    def _catalog(self, call: Call) -> Stub:
        return self.context.runtime.get(VectorCatalog, f"pinecone/{call.tenant}")

    async def _entry(self, call: Call) -> dict[str, Any]:
        name = call.params["name"]
        entry = await self._catalog(call).find(name)
        if entry is None or entry["name"] != name:
            raise PineconeError(404, f"Resource {name} not found")
        return entry

    def _namespaces(self, call: Call, entry: dict[str, Any]) -> Stub:
        return self.context.runtime.get(VectorCatalog, f"pinecone/{call.tenant}/{entry['uid']}")

    def _collection(self, call: Call, entry: dict[str, Any], namespace_uid: str) -> ShardedCollection:
        return ShardedCollection(
            self.context.runtime,
            f"pinecone/{call.tenant}/{entry['uid']}/{namespace_uid}",
            shards=self.index_shards,
        )

    async def _namespace(
        self, call: Call, entry: dict[str, Any], namespace: str, create: bool = False
    ) -> ShardedCollection | None:
        """The collection of `namespace` (created on a first write when `create`), or None if it has none."""
        catalog = self._namespaces(call, entry)
        found = await catalog.find(namespace)
        if found is not None and found["name"] == namespace:
            return self._collection(call, entry, found["uid"])
        if not create:
            return None
        found = await catalog.add(namespace)
        collection = self._collection(call, entry, found["uid"])
        if not await collection.exists():
            vector = entry["metadata"]["vector"]
            await collection.create(namespace, vector["dimension"], METRICS[vector["metric"]])
        return collection

    async def _all_namespaces(self, call: Call, entry: dict[str, Any]) -> list[tuple[str, ShardedCollection]]:
        listed = await self._namespaces(call, entry).list()
        return [(item["name"], self._collection(call, entry, item["uid"])) for item in listed]

    # -- control plane ------------------------------------------------------------------------------

    def _describe(self, call: Call, entry: dict[str, Any]) -> dict[str, Any]:
        metadata = entry["metadata"]
        return {
            "name": entry["name"],
            "host": f"{call.base_url}/index/{entry['name']}",
            "status": {"ready": True, "state": "Ready"},
            "schema": metadata["schema"],
            "deployment": metadata["deployment"],
            "deletion_protection": metadata["deletion_protection"],
            "tags": metadata["tags"],
        }

    async def list_indexes(self, call: Call) -> Any:
        return {"indexes": [self._describe(call, entry) for entry in await self._catalog(call).list()]}

    async def create_index(self, call: Call) -> Any:
        body = _object(call.body)
        name = body.get("name")
        if not isinstance(name, str) or not _INDEX_NAME.fullmatch(name):
            raise PineconeError(
                400,
                f"Invalid index name {name!r}: use 1 to 45 lowercase letters, digits and hyphens, "
                "starting and ending with a letter or digit",
            )
        vector = _dense_field(body.get("schema"))
        deployment = body.get("deployment") or {"deployment_type": "managed", "cloud": "aws", "region": "us-east-1"}
        if not isinstance(deployment, dict) or deployment.get("deployment_type") not in ("managed", "pod", "byoc"):
            raise PineconeError(400, "`deployment.deployment_type` must be managed, pod or byoc")
        protection = body.get("deletion_protection", "disabled")
        if protection not in ("enabled", "disabled"):
            raise PineconeError(400, "`deletion_protection` must be enabled or disabled")
        tags = body.get("tags")
        if tags is not None and (
            not isinstance(tags, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in tags.items())
        ):
            raise PineconeError(400, "`tags` must map strings to strings")
        catalog = self._catalog(call)
        if await catalog.find(name) is not None:
            raise PineconeError(409, f"Resource {name} already exists")
        metadata = {
            "schema": body["schema"],
            "deployment": deployment,
            "deletion_protection": protection,
            "tags": tags,
            "vector": vector,
        }
        entry = await catalog.add(name, metadata)
        return JSONResponse(self._describe(call, entry), status_code=201)

    async def describe_index(self, call: Call) -> Any:
        return self._describe(call, await self._entry(call))

    async def configure_index(self, call: Call) -> Any:
        entry = await self._entry(call)
        body = _object(call.body)
        metadata = dict(entry["metadata"])
        if "deletion_protection" in body:
            if body["deletion_protection"] not in ("enabled", "disabled"):
                raise PineconeError(400, "`deletion_protection` must be enabled or disabled")
            metadata["deletion_protection"] = body["deletion_protection"]
        if body.get("tags") is not None:
            tags = body["tags"]
            if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
                raise PineconeError(400, "`tags` must map strings to strings")
            merged = {**(metadata["tags"] or {}), **tags}
            metadata["tags"] = {k: v for k, v in merged.items() if v != ""} or None
        deployment = body.get("deployment")
        if deployment is not None:
            if not isinstance(deployment, dict):
                raise PineconeError(400, "`deployment` must be an object")
            # Replicas and pod types are recorded and shown; every index is served the same way.
            metadata["deployment"] = {**metadata["deployment"], **deployment}
        unsupported = set(body) - {"deletion_protection", "tags", "deployment", "read_capacity"}
        if unsupported:
            raise PineconeError(400, f"Configuring {', '.join(sorted(unsupported))} is not supported by this server")
        updated = await self._catalog(call).update(entry["name"], None, metadata)
        return self._describe(call, updated)

    async def delete_index(self, call: Call) -> Any:
        entry = await self._entry(call)
        if entry["metadata"]["deletion_protection"] == "enabled":
            raise PineconeError(
                403, f"Deletion protection is enabled for this index. Disable it before deleting {entry['name']}"
            )
        for _, collection in await self._all_namespaces(call, entry):
            if await collection.exists():
                await collection.drop()
        namespaces = self._namespaces(call, entry)
        for item in await namespaces.list():
            await namespaces.remove(item["name"])
        await self._catalog(call).remove(entry["name"])
        return Response(status_code=202)

    # -- data plane ---------------------------------------------------------------------------------

    async def upsert(self, call: Call) -> Any:
        entry = await self._entry(call)
        body = _object(call.body)
        vectors = body.get("vectors")
        if not isinstance(vectors, list) or not vectors:
            raise PineconeError(400, "`vectors` must be a non-empty array")
        if len(vectors) > MAX_UPSERT:
            raise PineconeError(400, f"An upsert may hold at most {MAX_UPSERT} vectors, not {len(vectors)}")
        dimension = entry["metadata"]["vector"]["dimension"]
        points = [_point(item, dimension) for item in vectors]
        collection = await self._namespace(call, entry, _namespace_of(body), create=True)
        assert collection is not None
        try:
            await collection.upsert(points)
        except VectorError as exc:
            raise PineconeError(400, str(exc)) from None
        return {"upsertedCount": len(points)}

    async def query(self, call: Call) -> Any:
        entry = await self._entry(call)
        body = _object(call.body)
        top_k = body.get("topK")
        if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= MAX_TOP_K:
            raise PineconeError(400, f"`topK` must be an integer from 1 to {MAX_TOP_K}, not {top_k!r}")
        if body.get("sparseVector") is not None:
            raise PineconeError(400, "Sparse vectors are not supported by this server: query with a dense vector")
        if ("vector" in body) == ("id" in body):
            raise PineconeError(400, "A query needs exactly one of `vector` or `id`")
        namespace = _namespace_of(body)
        tree = _filter(body.get("filter"))
        collection = await self._namespace(call, entry, namespace)
        answer: dict[str, Any] = {"matches": [], "namespace": namespace, "usage": {"readUnits": 1}}
        dimension = entry["metadata"]["vector"]["dimension"]
        if "id" in body:
            if collection is None:
                return answer
            found = await collection.get([_vector_id(body["id"])], with_vectors=True)
            if not found:
                return answer
            vector = found[0]["vector"]
        else:
            vector = _values(body["vector"], dimension)
        if collection is None:
            return answer
        metric = entry["metadata"]["vector"]["metric"]
        try:
            hits = await collection.query(vector, top_k, tree, with_vectors=bool(body.get("includeValues", False)))
        except VectorError as exc:
            raise PineconeError(400, str(exc)) from None
        with_metadata = bool(body.get("includeMetadata", False))
        for hit in hits:
            # Pinecone's euclidean score is the squared distance.
            score = hit["score"] ** 2 if metric == "euclidean" else hit["score"]
            match: dict[str, Any] = {"id": hit["id"], "score": score, "values": hit.get("vector") or []}
            if with_metadata:
                match["metadata"] = hit["payload"]
            answer["matches"].append(match)
        return answer

    async def fetch(self, call: Call) -> Any:
        entry = await self._entry(call)
        ids = call.query.get("ids") or []
        if not ids:
            raise PineconeError(400, "`ids` must name at least one vector")
        namespace = call.one("namespace", "") or ""
        collection = await self._namespace(call, entry, namespace)
        vectors = {}
        if collection is not None:
            for point in await collection.get([_vector_id(i) for i in ids], with_vectors=True):
                vectors[point["id"]] = {"id": point["id"], "values": point["vector"], "metadata": point["payload"]}
        return {"vectors": vectors, "namespace": namespace, "usage": {"readUnits": 1}}

    async def update(self, call: Call) -> Any:
        entry = await self._entry(call)
        body = _object(call.body)
        if body.get("sparseValues") is not None:
            raise PineconeError(400, "Sparse values are not supported by this server")
        metadata = body.get("setMetadata")
        if metadata is not None:
            _check_metadata(metadata)
        has_id, has_filter = "id" in body, body.get("filter") is not None
        if has_id == has_filter:
            raise PineconeError(400, "An update needs exactly one of `id` or `filter`")
        collection = await self._namespace(call, entry, _namespace_of(body))
        if collection is None:
            return {"matchedRecords": 0}
        if has_filter:
            if body.get("values") is not None:
                raise PineconeError(400, "An update by filter can only set metadata")
            tree = _filter(body["filter"])
            if body.get("dryRun"):
                return {"matchedRecords": await collection.count(tree)}
            changed = await collection.set_payload(None, tree, metadata or {}, False) if metadata else 0
            return {"matchedRecords": changed if metadata else await collection.count(tree)}
        vector_id = _vector_id(body["id"])
        if not await collection.get([vector_id]):
            return {"matchedRecords": 0}
        if body.get("values") is not None:
            values = _values(body["values"], entry["metadata"]["vector"]["dimension"])
            try:
                await collection.upsert([Point(vector_id, values, metadata or {})], merge_payload=True)
            except VectorError as exc:
                raise PineconeError(400, str(exc)) from None
        elif metadata:
            await collection.set_payload([vector_id], None, metadata, False)
        return {"matchedRecords": 1}

    async def delete(self, call: Call) -> Any:
        entry = await self._entry(call)
        body = _object(call.body)
        namespace = _namespace_of(body)
        chosen = [name for name in ("ids", "deleteAll", "filter") if body.get(name) not in (None, False)]
        if len(chosen) != 1:
            raise PineconeError(400, "A delete needs exactly one of `ids`, `deleteAll` or `filter`")
        collection = await self._namespace(call, entry, namespace)
        if body.get("deleteAll"):
            if collection is not None:
                await collection.drop()
                await self._namespaces(call, entry).remove(namespace)
            return {}
        if "ids" in chosen:
            ids = body["ids"]
            if not isinstance(ids, list) or len(ids) > MAX_UPSERT:
                raise PineconeError(400, f"`ids` must be an array of at most {MAX_UPSERT} ids")
            selection: tuple[list[str] | None, Any] = ([_vector_id(i) for i in ids], None)
        else:
            selection = (None, _filter(body["filter"]))
        if collection is not None:
            await collection.delete(*selection)
        return {}

    async def list_ids(self, call: Call) -> Any:
        entry = await self._entry(call)
        namespace = call.one("namespace", "") or ""
        prefix = call.one("prefix", "") or ""
        limit_text = call.one("limit", "100") or "100"
        if not limit_text.isdigit() or not 1 <= int(limit_text) <= 100:
            raise PineconeError(400, f"`limit` must be an integer from 1 to 100, not {limit_text!r}")
        collection = await self._namespace(call, entry, namespace)
        answer: dict[str, Any] = {"vectors": [], "namespace": namespace, "usage": {"readUnits": 1}}
        if collection is None:
            return answer
        page = await collection.string_ids(prefix, call.one("paginationToken"), int(limit_text))
        answer["vectors"] = [{"id": vector_id} for vector_id in page["ids"]]
        if page["next"] is not None:
            answer["pagination"] = {"next": page["next"]}
        return answer

    async def describe_index_stats(self, call: Call) -> Any:
        entry = await self._entry(call)
        tree = _filter(_object(call.body).get("filter"))
        namespaces = {}
        for name, collection in await self._all_namespaces(call, entry):
            if await collection.exists():
                count = await collection.count(tree)
                if count or tree is not None:
                    namespaces[name] = {"vectorCount": count}
        vector = entry["metadata"]["vector"]
        return {
            "namespaces": namespaces,
            "dimension": vector["dimension"],
            "indexFullness": 0.0,
            "totalVectorCount": sum(item["vectorCount"] for item in namespaces.values()),
            "metric": vector["metric"],
            "vectorType": "dense",
        }

    async def list_namespaces(self, call: Call) -> Any:
        entry = await self._entry(call)
        prefix, after = call.one("prefix", "") or "", call.one("paginationToken")
        limit_text = call.one("limit", "100") or "100"
        if not limit_text.isdigit() or not 1 <= int(limit_text) <= 100:
            raise PineconeError(400, f"`limit` must be an integer from 1 to 100, not {limit_text!r}")
        found = []
        for name, collection in await self._all_namespaces(call, entry):
            shown = name or DEFAULT_NAMESPACE
            if shown.startswith(prefix) and await collection.exists():
                found.append((shown, collection))
        found.sort(key=lambda item: item[0])
        total = len(found)
        if after is not None:
            found = [item for item in found if item[0] > after]
        page = found[: int(limit_text)]
        answer: dict[str, Any] = {
            "namespaces": [{"name": name, "record_count": await collection.count()} for name, collection in page],
            "total_count": total,
        }
        if len(found) > len(page):
            answer["pagination"] = {"next": page[-1][0]}
        return answer

    async def _named_namespace(self, call: Call) -> tuple[dict[str, Any], str, ShardedCollection]:
        entry = await self._entry(call)
        name = call.params["namespace"]
        collection = await self._namespace(call, entry, "" if name == DEFAULT_NAMESPACE else name)
        if collection is None:
            raise PineconeError(404, f"Namespace {name} not found")
        return entry, name, collection

    async def describe_namespace(self, call: Call) -> Any:
        _, name, collection = await self._named_namespace(call)
        return {"name": name, "record_count": await collection.count()}

    async def delete_namespace(self, call: Call) -> Any:
        entry, name, collection = await self._named_namespace(call)
        await collection.drop()
        await self._namespaces(call, entry).remove("" if name == DEFAULT_NAMESPACE else name)
        return Response(status_code=202)


def _object(body: Any) -> dict[str, Any]:
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise PineconeError(400, "The request body must be a JSON object")
    return body


def _dense_field(schema: Any) -> dict[str, Any]:
    """The one dense vector field of an index's schema: {"dimension", "metric"}."""
    fields = schema.get("fields") if isinstance(schema, dict) else None
    if not isinstance(fields, dict) or not fields:
        raise PineconeError(400, "`schema.fields` must declare the index's dense vector field")
    dense = [f for f in fields.values() if isinstance(f, dict) and f.get("type") == "dense_vector"]
    others = sorted({str(f.get("type")) for f in fields.values() if isinstance(f, dict)} - {"dense_vector"})
    if len(dense) != 1 or others:
        raise PineconeError(
            400,
            "This server serves indexes of one dense vector field (create_index with dimension and metric); "
            f"sparse vectors, documents and integrated embedding are not supported (got {others or 'no'} fields)",
        )
    dimension, metric = dense[0].get("dimension"), str(dense[0].get("metric", "cosine")).lower()
    if isinstance(dimension, bool) or not isinstance(dimension, int) or not 1 <= dimension <= 20_000:
        raise PineconeError(400, f"The dimension must be an integer from 1 to 20000, not {dimension!r}")
    if metric not in METRICS:
        raise PineconeError(400, f"The metric must be cosine, dotproduct or euclidean, not {metric!r}")
    return {"dimension": dimension, "metric": metric}


def _namespace_of(body: dict[str, Any]) -> str:
    namespace = body.get("namespace") or ""
    if not isinstance(namespace, str):
        raise PineconeError(400, "`namespace` must be a string")
    return namespace


def _filter(body: Any) -> Any:
    try:
        return parse(body)
    except PineconeFilterError as exc:
        raise PineconeError(400, f"Invalid filter: {exc}") from None


def _vector_id(value: Any) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_ID_LENGTH:
        raise PineconeError(400, f"A vector id must be a string of 1 to {MAX_ID_LENGTH} characters, not {value!r}")
    return value


def _values(values: Any, dimension: int) -> list[float]:
    if not isinstance(values, list) or any(isinstance(v, bool) or not isinstance(v, int | float) for v in values):
        raise PineconeError(400, "Vector values must be an array of numbers")
    if len(values) != dimension:
        raise PineconeError(
            400, f"Vector dimension {len(values)} does not match the dimension of the index {dimension}"
        )
    array = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(array)):
        raise PineconeError(400, "Vector values must be finite numbers (no NaN or infinity)")
    if not np.any(array):
        raise PineconeError(400, "Dense vectors must contain at least one non-zero value")
    return values


def _check_metadata(metadata: Any) -> dict[str, Any]:
    if not isinstance(metadata, dict):
        raise PineconeError(400, "Metadata must be a JSON object")
    for key, value in metadata.items():
        scalar = isinstance(value, bool | str) or (isinstance(value, int | float) and np.isfinite(value))
        strings = isinstance(value, list) and all(isinstance(item, str) for item in value)
        if not (scalar or strings):
            raise PineconeError(
                400,
                f"Metadata value for field `{key}` must be a string, number, boolean or list of strings, "
                f"not {type(value).__name__}",
            )
    if len(json.dumps(metadata)) > MAX_METADATA:
        raise PineconeError(400, f"Metadata size exceeds the limit of {MAX_METADATA} bytes per vector")
    return metadata


def _point(item: Any, dimension: int) -> Point:
    if not isinstance(item, dict):
        raise PineconeError(400, "Each vector must be an object with `id` and `values`")
    if item.get("sparseValues") is not None:
        raise PineconeError(400, "Sparse values are not supported by this server")
    metadata = _check_metadata(item.get("metadata") or {})
    return Point(_vector_id(item.get("id")), _values(item.get("values"), dimension), metadata)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid JSON number")


def build(context: CompatContext) -> PineconeApp:
    """The Pinecone app on `context`'s runtime."""
    return PineconeApp(context)
