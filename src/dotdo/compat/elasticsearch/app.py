"""Elasticsearch's REST API as an ASGI app: cluster info, indices, documents, `_bulk`, `_search` and friends.

Each index is an `ElasticIndex` object named `elasticsearch/<tenant>/<index>`; each tenant's index
list is a `VectorCatalog` (`elasticsearch/<tenant>`); each `dense_vector` field's vectors are also in
a `VectorCollection` (`elasticsearch/<tenant>/<index>/<field>`), which answers `knn`. A request
authenticates as Elasticsearch's clients do, with `Authorization: ApiKey base64(id:key)` or basic
auth (user and password), both a dotdo access key's id and secret. Every answer carries
`X-Elastic-Product: Elasticsearch`, which the official clients check, and every error has
Elasticsearch's shape; a route this server does not have is a 400 or 405 in that shape, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import functools
import hmac
import json
import logging
import math
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from starlette.responses import Response

from ..request_body import read_body
from ..routing import RouteTable
from ..search.filters import Compare, Or
from ..vector import Point, VectorCatalog, VectorCollection, VectorError
from ..vector.collection import EXACT_BELOW
from . import matching
from . import query_dsl as dsl
from .bulk import parse_bulk
from .errors import ElasticError, illegal_argument, index_not_found, parsing
from .index import VERSION, ElasticIndex, compare_keys
from .json_body import parse_json
from .mappings import SIMILARITIES
from .names import INDEX_NAME, check_document_id, check_index_name, invalid_index_name
from .search_body import Knn, SearchBody, parse_body, source_filter

if TYPE_CHECKING:
    from starlette.types import Receive, Scope, Send

    from ...runtime.stub import Stub
    from ..layer import CompatContext

log = logging.getLogger("dotdo.compat.elasticsearch")

MAX_BODY = 100 * 1024 * 1024
"""Elasticsearch's `http.max_content_length`."""
_COMPAT_TYPE = "application/vnd.elasticsearch+json;compatible-with=9"
_SHARDS = {"total": 1, "successful": 1, "skipped": 0, "failed": 0}
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@dataclass
class Call:
    """One request: its tenant, path and query parameters, raw body, method."""

    tenant: str
    method: str
    path: str
    params: dict[str, str]
    query: dict[str, str]
    body: bytes

    def json(self, required: bool = False) -> Any:
        """The body as JSON (None when empty); `x_content_parse_exception` when it is not JSON."""
        if not self.body.strip():
            if required:
                raise parsing("request body is required")
            return None
        return parse_json(self.body)


def new_id() -> str:
    """An automatic document id: 20 URL-safe characters, time-ordered then random, as Elasticsearch makes them."""
    stamp = int(time.time() * 1000)
    head = ""
    for _ in range(8):
        head = _LETTERS[stamp % 64] + head
        stamp //= 64
    return head + "".join(secrets.choice(_LETTERS) for _ in range(12))


Handler = Callable[[Call], Awaitable[tuple[int, Any]]]


class ElasticApp:
    """Elasticsearch's routes on the runtime of `context`."""

    def __init__(self, context: CompatContext) -> None:
        self.context = context
        self.max_body = int(context.options.get("max_body_bytes", MAX_BODY))
        self.routes: RouteTable[Handler] = RouteTable(
            [
                ("GET", "/", self.info),
                ("HEAD", "/", self.info),
                ("GET", "/_cluster/health", self.health),
                ("GET", "/_cat/indices", self.cat_indices),
                ("GET", "/_cat/indices/{index}", self.cat_indices),
                ("POST", "/_bulk", self.bulk),
                ("PUT", "/_bulk", self.bulk),
                ("POST", "/{index}/_bulk", self.bulk),
                ("PUT", "/{index}/_bulk", self.bulk),
                ("POST", "/_search/scroll", self.scroll),
                ("GET", "/_search/scroll", self.scroll),
                ("DELETE", "/_search/scroll", self.clear_scroll),
                ("GET", "/_search", self.search),
                ("POST", "/_search", self.search),
                ("GET", "/{index}/_search", self.search),
                ("POST", "/{index}/_search", self.search),
                ("GET", "/_msearch", self.multi_search),
                ("POST", "/_msearch", self.multi_search),
                ("GET", "/{index}/_msearch", self.multi_search),
                ("POST", "/{index}/_msearch", self.multi_search),
                ("GET", "/_count", self.count),
                ("POST", "/_count", self.count),
                ("GET", "/{index}/_count", self.count),
                ("POST", "/{index}/_count", self.count),
                ("GET", "/_mget", self.mget),
                ("POST", "/_mget", self.mget),
                ("GET", "/{index}/_mget", self.mget),
                ("POST", "/{index}/_mget", self.mget),
                ("POST", "/_refresh", self.refresh),
                ("GET", "/_refresh", self.refresh),
                ("POST", "/{index}/_refresh", self.refresh),
                ("GET", "/{index}/_refresh", self.refresh),
                ("POST", "/{index}/_delete_by_query", self.delete_by_query),
                ("POST", "/{index}/_update_by_query", self.update_by_query),
                ("GET", "/_mapping", self.get_mapping),
                ("GET", "/_settings", self.get_settings),
                ("GET", "/{index}/_mapping", self.get_mapping),
                ("PUT", "/{index}/_mapping", self.put_mapping),
                ("POST", "/{index}/_mapping", self.put_mapping),
                ("GET", "/{index}/_settings", self.get_settings),
                ("POST", "/{index}/_doc", self.index_auto_id),
                ("PUT", "/{index}/_doc/{id}", self.index_document),
                ("POST", "/{index}/_doc/{id}", self.index_document),
                ("PUT", "/{index}/_create/{id}", self.create_document),
                ("POST", "/{index}/_create/{id}", self.create_document),
                ("GET", "/{index}/_doc/{id}", self.get_document),
                ("HEAD", "/{index}/_doc/{id}", self.document_exists),
                ("DELETE", "/{index}/_doc/{id}", self.delete_document),
                ("GET", "/{index}/_source/{id}", self.get_source),
                ("HEAD", "/{index}/_source/{id}", self.document_exists),
                ("POST", "/{index}/_update/{id}", self.update_document),
                ("PUT", "/{index}", self.create_index),
                ("GET", "/{index}", self.get_index),
                ("HEAD", "/{index}", self.index_exists),
                ("DELETE", "/{index}", self.delete_index),
            ]
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        compatible = "vnd.elasticsearch" in headers.get("accept", "") + headers.get("content-type", "")
        media_type = _COMPAT_TYPE if compatible else "application/json"
        extra_headers = {"X-Elastic-Product": "Elasticsearch"}
        try:
            status, payload = await self._respond(scope, receive, headers)
        except ElasticError as exc:
            status, payload = exc.status, exc.to_json()
            if status == 401:
                extra_headers["WWW-Authenticate"] = 'Basic realm="security", ApiKey'
        except Exception:
            log.exception("Elasticsearch request failed")
            error = ElasticError(500, "exception", "An internal error occurred; the server's log has the details.")
            status, payload = 500, error.to_json()
        if scope["method"] == "HEAD":
            response = Response(status_code=status, headers=extra_headers, media_type=media_type)
        elif isinstance(payload, str):
            response = Response(payload, status_code=status, headers=extra_headers, media_type="text/plain")
        else:
            body = json.dumps(payload, ensure_ascii=False, allow_nan=False).encode()
            response = Response(body, status_code=status, headers=extra_headers, media_type=media_type)
        await response(scope, receive, send)

    async def _respond(self, scope: Scope, receive: Receive, headers: dict[str, str]) -> tuple[int, Any]:
        path: str = scope["path"]
        method: str = scope["method"]
        tenant = self._authenticate(headers, path)
        resolved = self.routes.resolve(method, path)
        if resolved.handler is None:
            if resolved.allowed:
                raise ElasticError(
                    405,
                    "method_not_allowed",
                    f"Incorrect HTTP method for uri [{path}] and method [{method}], allowed: "
                    f"[{', '.join(resolved.allowed)}]",
                )
            raise illegal_argument(
                f"no handler found for uri [{path}] and method [{method}]; this server implements cluster info, "
                "indices, documents, _bulk, _search, _msearch, scroll, _count, _mget, _delete_by_query and "
                "_update_by_query"
            )
        body = await read_body(
            receive,
            self.max_body,
            lambda: ElasticError(
                413, "content_too_long_exception", f"request body exceeds the limit of [{self.max_body}] bytes"
            ),
        )
        query = {k: v[-1] for k, v in parse_qs(scope.get("query_string", b"").decode("latin-1")).items()}
        return await resolved.handler(Call(tenant, method, path, resolved.params, query, body))

    def _authenticate(self, headers: dict[str, str], path: str) -> str:
        authorization = headers.get("authorization", "")
        scheme, _, token = authorization.partition(" ")
        if not token:
            raise ElasticError(
                401, "security_exception", f"missing authentication credentials for REST request [{path}]"
            )
        try:
            decoded = base64.b64decode(token.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        key_id, _, secret = decoded.partition(":")
        if scheme.lower() not in ("apikey", "basic") or not secret:
            raise ElasticError(
                401, "security_exception", f"unable to authenticate with provided credentials for REST request [{path}]"
            )
        access = self.context.credentials.lookup(key_id)
        if (
            access is None
            or access.secret is None
            or not hmac.compare_digest(access.secret, secret)
            or not access.allows("elasticsearch")
        ):
            raise ElasticError(
                401, "security_exception", f"unable to authenticate with provided credentials for REST request [{path}]"
            )
        return access.tenant

    # -- objects ------------------------------------------------------------------------------------

    def _catalog(self, call: Call) -> Stub:
        return self.context.runtime.get(VectorCatalog, f"elasticsearch/{call.tenant}")

    def _index(self, call: Call, name: str) -> Stub:
        return self.context.runtime.get(ElasticIndex, f"elasticsearch/{call.tenant}/{name}")

    def _vectors(self, call: Call, index: str, field: str) -> Stub:
        return self.context.runtime.get(VectorCollection, f"elasticsearch/{call.tenant}/{index}/{field}")

    async def _existing(self, call: Call, name: str) -> Stub:
        check_index_name(name)
        index = self._index(call, name)
        if not await index.exists():
            raise index_not_found(name)
        return index

    async def _names(self, call: Call) -> list[str]:
        return sorted(entry["name"] for entry in await self._catalog(call).list())

    async def _resolve(self, call: Call, target: str | None) -> list[str]:
        """The indices a target names (`a,b`, `logs-*`, `_all`); `index_not_found_exception` for a missing one."""
        if target is None or target in ("_all", "*"):
            return await self._names(call)
        chosen: list[str] = []
        names: list[str] | None = None
        for part in target.split(","):
            if "*" in part:
                names = names if names is not None else await self._names(call)
                chosen.extend(n for n in names if fnmatch.fnmatchcase(n, part))
            else:
                check_index_name(part)
                if not await self._index(call, part).exists():
                    if call.query.get("ignore_unavailable") == "true":
                        continue
                    raise index_not_found(part)
                chosen.append(part)
        return list(dict.fromkeys(chosen))

    async def _ensure(self, call: Call, name: str) -> Stub:
        """The index `name`, created with dynamic mappings if it does not exist (as a write to it does)."""
        check_index_name(name)
        index = self._index(call, name)
        if not await index.exists():
            await index.open(name, {}, {})
            await self._catalog(call).add(name)
        return index

    # -- cluster ------------------------------------------------------------------------------------

    async def info(self, call: Call) -> tuple[int, Any]:
        return 200, {
            "name": "dotdo",
            "cluster_name": "dotdo",
            "cluster_uuid": "dotdo-compat-elasticsearch",
            "version": {
                "number": VERSION,
                "build_flavor": "default",
                "build_type": "dotdo",
                "build_hash": "dotdo",
                "build_date": "2025-07-01T00:00:00.000Z",
                "build_snapshot": False,
                "lucene_version": "10.2.2",
                "minimum_wire_compatibility_version": "8.19.0",
                "minimum_index_compatibility_version": "8.0.0",
            },
            "tagline": "You Know, for Search",
        }

    async def health(self, call: Call) -> tuple[int, Any]:
        count = len(await self._names(call))
        return 200, {
            "cluster_name": "dotdo",
            "status": "green",
            "timed_out": False,
            "number_of_nodes": 1,
            "number_of_data_nodes": 1,
            "active_primary_shards": count,
            "active_shards": count,
            "relocating_shards": 0,
            "initializing_shards": 0,
            "unassigned_shards": 0,
            "number_of_pending_tasks": 0,
            "active_shards_percent_as_number": 100.0,
        }

    async def cat_indices(self, call: Call) -> tuple[int, Any]:
        rows = []
        for name in await self._resolve(call, call.params.get("index")):
            stats = await self._index(call, name).stats()
            rows.append(
                {
                    "health": "green",
                    "status": "open",
                    "index": name,
                    "uuid": stats["uuid"],
                    "pri": "1",
                    "rep": "0",
                    "docs.count": str(stats["docs"]),
                    "docs.deleted": "0",
                }
            )
        if call.query.get("format") == "json":
            return 200, rows
        return 200, "".join(" ".join(row.values()) + "\n" for row in rows)

    # -- indices ------------------------------------------------------------------------------------

    async def create_index(self, call: Call) -> tuple[int, Any]:
        name = call.params["index"]
        check_index_name(name)
        body = call.json() or {}
        if not isinstance(body, dict):
            raise parsing("request body must be an object")
        for key in body:
            if key not in ("settings", "mappings", "aliases"):
                raise parsing(f"unknown key [{key}] for create index")
        mappings = body.get("mappings", {})
        settings = body.get("settings", {})
        if not isinstance(mappings, dict) or not isinstance(settings, dict):
            raise parsing("[mappings] and [settings] must be objects")
        result = await self._index(call, name).open(name, settings, mappings)
        await self._catalog(call).add(name)
        return 200, result

    async def index_exists(self, call: Call) -> tuple[int, Any]:
        name = call.params["index"]
        check_index_name(name)
        return (200 if await self._index(call, name).exists() else 404), None

    async def get_index(self, call: Call) -> tuple[int, Any]:
        result = {}
        for name in await self._resolve(call, call.params["index"]):
            result[name] = await self._index(call, name).describe()
        return 200, result

    async def delete_index(self, call: Call) -> tuple[int, Any]:
        target = call.params["index"]
        if "*" in target or target == "_all":
            raise illegal_argument("Wildcard expressions or all indices are not allowed")
        for name in await self._resolve(call, target):
            index = self._index(call, name)
            vector_fields = (await index.describe())["mappings"].get("properties", {})
            await index.drop()
            for field in _vector_fields(vector_fields):
                collection = self._vectors(call, name, field)
                if await collection.exists():
                    await collection.drop()
            await self._catalog(call).remove(name)
        return 200, {"acknowledged": True}

    async def get_mapping(self, call: Call) -> tuple[int, Any]:
        result = {}
        for name in await self._resolve(call, call.params.get("index")):
            result[name] = {"mappings": (await self._index(call, name).describe())["mappings"]}
        return 200, result

    async def put_mapping(self, call: Call) -> tuple[int, Any]:
        body = call.json(required=True)
        if not isinstance(body, dict):
            raise parsing("request body must be an object")
        for name in await self._resolve(call, call.params["index"]):
            await self._index(call, name).put_mapping(body)
        return 200, {"acknowledged": True}

    async def get_settings(self, call: Call) -> tuple[int, Any]:
        result = {}
        for name in await self._resolve(call, call.params.get("index")):
            result[name] = {"settings": (await self._index(call, name).describe())["settings"]}
        return 200, result

    async def refresh(self, call: Call) -> tuple[int, Any]:
        await self._resolve(call, call.params.get("index"))
        # Every write is searchable once acknowledged: there is nothing to refresh.
        return 200, {"_shards": {"total": 1, "successful": 1, "failed": 0}}

    # -- documents ----------------------------------------------------------------------------------

    async def _write(self, call: Call, index_name: str, operations: list[dict[str, Any]]) -> list[dict[str, Any]]:
        index = await self._ensure(call, index_name)
        outcome = await index.write(operations)
        await self._apply_vectors(call, index_name, index, outcome["vectors"])
        return outcome["items"]

    async def _apply_vectors(
        self, call: Call, index_name: str, index: Stub, changes: dict[str, dict[str, Any]]
    ) -> None:
        if not changes:
            return
        properties = (await index.describe())["mappings"].get("properties", {})
        specs = _vector_fields(properties)
        for field, by_id in changes.items():
            spec = specs.get(field)
            if spec is None or spec.get("dims") is None:
                continue
            collection = self._vectors(call, index_name, field)
            if not await collection.exists():
                metric = SIMILARITIES[spec.get("similarity", "cosine")]
                await collection.create(f"{index_name}/{field}", spec["dims"], metric)
            upserts = [Point(doc_id, change["vector"], change["payload"]) for doc_id, change in by_id.items() if change]
            removed = [doc_id for doc_id, change in by_id.items() if change is None]
            try:
                if upserts:
                    await collection.upsert(upserts)
                if removed:
                    await collection.delete(removed)
            except VectorError as exc:
                raise ElasticError(400, "document_parsing_exception", str(exc)) from None

    def _conditions(self, call: Call) -> dict[str, Any]:
        conditions: dict[str, Any] = {}
        for name in ("if_seq_no", "if_primary_term"):
            if name in call.query:
                try:
                    conditions[name] = int(call.query[name])
                except ValueError:
                    raise illegal_argument(f"[{name}] must be a number, not [{call.query[name]}]") from None
        if "if_primary_term" in conditions and "if_seq_no" not in conditions:
            raise ElasticError(
                400, "action_request_validation_exception", "Validation Failed: 1: ifSeqNo is unassigned;"
            )
        return conditions

    async def _single(self, call: Call, operation: dict[str, Any]) -> tuple[int, Any]:
        item = (await self._write(call, call.params["index"], [operation]))[0]
        if "error" in item:
            raise ElasticError(
                item["status"],
                item["error"]["type"],
                item["error"]["reason"],
                {k: v for k, v in item["error"].items() if k not in ("type", "reason")},
            )
        status = item.pop("status")
        return status, item

    async def index_document(self, call: Call) -> tuple[int, Any]:
        op = call.query.get("op_type", "index")
        if op not in ("index", "create"):
            raise illegal_argument(f"opType must be 'create' or 'index', found: [{op}]")
        return await self._index_source(call, call.params["id"], op)

    async def index_auto_id(self, call: Call) -> tuple[int, Any]:
        return await self._index_source(call, new_id(), "create")

    async def create_document(self, call: Call) -> tuple[int, Any]:
        return await self._index_source(call, call.params["id"], "create")

    async def _index_source(self, call: Call, doc_id: str, op: str) -> tuple[int, Any]:
        check_document_id(doc_id)
        source = call.json(required=True)
        if not isinstance(source, dict):
            raise ElasticError(400, "document_parsing_exception", "[1:1] the document must be a JSON object")
        return await self._single(call, {"op": op, "id": doc_id, "source": source, **self._conditions(call)})

    async def get_document(self, call: Call) -> tuple[int, Any]:
        name, doc_id = call.params["index"], call.params["id"]
        found = await (await self._existing(call, name)).get_document(doc_id)
        if found is None:
            return 404, {"_index": name, "_id": doc_id, "found": False}
        chosen = source_filter(
            call.query.get("_source"), call.query.get("_source_includes"), call.query.get("_source_excludes")
        )
        view: dict[str, Any] = {"_index": name, **found, "found": True}
        _filter_source(view, chosen)
        return 200, view

    async def get_source(self, call: Call) -> tuple[int, Any]:
        name, doc_id = call.params["index"], call.params["id"]
        found = await (await self._existing(call, name)).get_document(doc_id)
        if found is None:
            raise ElasticError(404, "resource_not_found_exception", f"Document not found [{name}]/[{doc_id}]")
        return 200, found["_source"]

    async def document_exists(self, call: Call) -> tuple[int, Any]:
        name = call.params["index"]
        check_index_name(name)
        index = self._index(call, name)
        if not await index.exists():
            return 404, None
        return (200 if await index.get_document(call.params["id"]) is not None else 404), None

    async def delete_document(self, call: Call) -> tuple[int, Any]:
        index = await self._existing(call, call.params["index"])
        outcome = await index.write([{"op": "delete", "id": call.params["id"], **self._conditions(call)}])
        await self._apply_vectors(call, call.params["index"], index, outcome["vectors"])
        item = outcome["items"][0]
        if "error" in item:
            raise ElasticError(item["status"], item["error"]["type"], item["error"]["reason"])
        return item.pop("status"), item

    async def update_document(self, call: Call) -> tuple[int, Any]:
        body = call.json(required=True)
        if not isinstance(body, dict):
            raise parsing("request body must be an object")
        for key in body:
            if key not in ("doc", "script", "upsert", "doc_as_upsert", "scripted_upsert", "detect_noop", "_source"):
                raise parsing(f"[UpdateRequest] unknown field [{key}]")
        if "doc" in body and "script" in body:
            raise ElasticError(
                400, "action_request_validation_exception", "Validation Failed: 1: can't provide both script and doc;"
            )
        return await self._single(
            call, {"op": "update", "id": call.params["id"], "update": body, **self._conditions(call)}
        )

    async def mget(self, call: Call) -> tuple[int, Any]:
        body = call.json(required=True)
        default = call.params.get("index")
        if not isinstance(body, dict):
            raise parsing("request body must be an object")
        if "ids" in body:
            if default is None or not isinstance(body["ids"], list):
                raise ElasticError(
                    400, "action_request_validation_exception", "Validation Failed: 1: index is missing;"
                )
            wanted = [{"_index": default, "_id": str(i)} for i in body["ids"]]
        elif isinstance(body.get("docs"), list):
            wanted = [
                {**item, "_index": item.get("_index", default)} for item in body["docs"] if isinstance(item, dict)
            ]
        else:
            raise ElasticError(400, "action_request_validation_exception", "Validation Failed: 1: no documents to get;")
        docs = []
        for item in wanted:
            name, doc_id = item.get("_index"), str(item.get("_id"))
            if name is None:
                raise ElasticError(
                    400, "action_request_validation_exception", "Validation Failed: 1: index is missing;"
                )
            index = self._index(call, name)
            if not INDEX_NAME.fullmatch(name) or not await index.exists():
                docs.append({"_index": name, "_id": doc_id, "error": index_not_found(name).cause()})
                continue
            found = await index.get_document(doc_id)
            if found is None:
                docs.append({"_index": name, "_id": doc_id, "found": False})
                continue
            view = {"_index": name, **found, "found": True}
            _filter_source(view, source_filter(item.get("_source", call.query.get("_source"))))
            docs.append(view)
        return 200, {"docs": docs}

    async def bulk(self, call: Call) -> tuple[int, Any]:
        started = time.perf_counter()
        default = call.params.get("index")
        if call.body and not call.body.endswith(b"\n"):
            raise illegal_argument("The bulk request must be terminated by a newline [\\n]")
        operations, actions = parse_bulk(call.body, default)
        items: list[dict[str, Any] | None] = [None] * len(operations)
        by_index: dict[str, list[int]] = {}
        for slot, (name, operation) in enumerate(operations):
            error = operation.pop("error", None)
            if operation["id"] is None:
                if operation["op"] in ("update", "delete"):
                    error = ElasticError(
                        400, "action_request_validation_exception", "Validation Failed: 1: id is missing;"
                    )
                else:
                    operation["id"] = new_id()
                    operation["op"] = "create"  # a new id cannot exist yet
            if error is None and not INDEX_NAME.fullmatch(name):
                error = invalid_index_name(name)
            if error is None and operation["op"] == "update" and not isinstance(operation.get("update"), dict):
                error = parsing("the update line must be an object")
            if error is not None:
                items[slot] = {"_index": name, "_id": operation["id"], "status": error.status, "error": error.cause()}
            else:
                operation["id"] = str(operation["id"])
                by_index.setdefault(name, []).append(slot)
        for name, slots in by_index.items():
            if all(operations[s][1]["op"] == "delete" for s in slots) and not await self._index(call, name).exists():
                for slot in slots:
                    error = index_not_found(name)
                    items[slot] = {
                        "_index": name,
                        "_id": operations[slot][1]["id"],
                        "status": 404,
                        "error": error.cause(),
                    }
                continue
            results = await self._write(call, name, [operations[s][1] for s in slots])
            for slot, result in zip(slots, results, strict=True):
                items[slot] = {"_index": name, **result}
        shown = []
        for action, item in zip(actions, items, strict=True):
            assert item is not None
            shown.append({action: item})
        errors = any("error" in item for item in items if item is not None)
        return 200, {"errors": errors, "took": int((time.perf_counter() - started) * 1000), "items": shown}

    # -- search -------------------------------------------------------------------------------------

    async def _knn_scores(self, call: Call, name: str, index: Stub, clauses: tuple[Knn, ...]) -> dict[str, float]:
        properties = (await index.describe())["mappings"].get("properties", {})
        specs = _vector_fields(properties)
        scores: dict[str, float] = {}
        for clause in clauses:
            spec = specs.get(clause.field)
            if spec is None:
                raise illegal_argument(
                    f"[knn] queries are only supported on [dense_vector] fields; [{clause.field}] is not one"
                )
            if spec.get("dims") is not None and len(clause.vector) != spec["dims"]:
                raise illegal_argument(
                    f"The query vector has a different number of dimensions [{len(clause.vector)}] than the "
                    f"document vectors [{spec['dims']}]."
                )
            collection = self._vectors(call, name, clause.field)
            if not await collection.exists():
                continue
            similarity = spec.get("similarity", "cosine")
            found = await self._nearest(index, collection, clause)
            for point in found:
                score = _knn_score(similarity, point["score"]) * clause.boost
                scores[str(point["id"])] = scores.get(str(point["id"]), 0.0) + score
        return scores

    async def _nearest(self, index: Stub, collection: Stub, clause: Knn) -> list[dict[str, Any]]:
        vector = list(clause.vector)
        if clause.filter is None:
            return await collection.query(vector, clause.k, None, threshold=clause.similarity)
        allowed = await index.matching_ids(clause.filter)
        if len(allowed) <= EXACT_BELOW:
            chosen = Or(tuple(Compare("_id", "=", doc_id) for doc_id in allowed))
            return await collection.query(vector, clause.k, chosen, threshold=clause.similarity)
        # Too many to name: ask for more neighbours until k of them pass the filter (all of them, at worst).
        wanted = set(allowed)
        total = (await collection.info())["count"]
        asked = max(clause.num_candidates, clause.k) * 4
        while True:
            found = await collection.query(vector, min(asked, total), None, threshold=clause.similarity)
            kept = [point for point in found if str(point["id"]) in wanted]
            if len(kept) >= clause.k or asked >= total:
                return kept[: clause.k]
            asked *= 4

    async def search(self, call: Call) -> tuple[int, Any]:
        raw = call.json()
        if "scroll" not in call.query:
            return 200, await self._search(call, call.params.get("index"), parse_body(raw, call.query))
        if not isinstance(raw, dict | None):
            raise parsing("request body or source parameter is required to be an object")
        raw = dict(raw or {})
        if raw.get("from", call.query.get("from", 0)) not in (0, "0"):
            raise ElasticError(
                400,
                "action_request_validation_exception",
                "Validation Failed: 1: using [from] is not allowed in a scroll context;",
            )
        return 200, await self._scroll_page(call, call.params.get("index"), raw, 0)

    async def multi_search(self, call: Call) -> tuple[int, Any]:
        started = time.perf_counter()
        lines = [line for line in call.body.split(b"\n") if line.strip()]
        if len(lines) % 2:
            raise illegal_argument("the _msearch body must hold a header line and a body line for each search")
        responses = []
        for header_line, body_line in zip(lines[::2], lines[1::2], strict=True):
            try:
                header = parse_json(header_line)
                if not isinstance(header, dict):
                    raise illegal_argument("an _msearch header must be an object")
                target = header.get("index", call.params.get("index"))
                if isinstance(target, list):
                    target = ",".join(str(t) for t in target)
                params = {k: str(v) for k, v in header.items() if k in ("ignore_unavailable",)}
                body = parse_body(parse_json(body_line), params)
                responses.append({**await self._search(call, target, body), "status": 200})
            except ElasticError as exc:
                responses.append(exc.to_json())
        return 200, {"took": int((time.perf_counter() - started) * 1000), "responses": responses}

    async def scroll(self, call: Call) -> tuple[int, Any]:
        body = call.json() or {}
        scroll_id = body.get("scroll_id", call.query.get("scroll_id")) if isinstance(body, dict) else None
        try:
            state = json.loads(base64.urlsafe_b64decode(str(scroll_id).encode()))
            target, raw, offset = state["target"], state["body"], state["offset"]
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise ElasticError(400, "illegal_argument_exception", f"Cannot parse scroll id [{scroll_id}]") from None
        return 200, await self._scroll_page(call, target, raw, offset)

    async def clear_scroll(self, call: Call) -> tuple[int, Any]:
        # A scroll id carries its whole state: there is nothing to free on the server.
        return 200, {"succeeded": True, "num_freed": 0}

    async def _scroll_page(self, call: Call, target: str | None, raw: dict[str, Any], offset: int) -> dict[str, Any]:
        """One page of a scroll from `offset`, with the id of the next one (the request and the offset, encoded)."""
        size = raw.get("size", call.query.get("size", 10))
        page = parse_body({**raw, "from": offset}, {k: v for k, v in call.query.items() if k != "from"}, scrolling=True)
        response = await self._search(call, target, page)
        state = {"target": target, "body": {**raw, "size": size}, "offset": offset + page.size}
        response["_scroll_id"] = base64.urlsafe_b64encode(json.dumps(state).encode()).decode()
        return response

    async def _search(self, call: Call, target: str | None, body: SearchBody) -> dict[str, Any]:
        started = time.perf_counter()
        names = await self._resolve(call, target)
        if len(names) > 1 and (body.aggs or body.knn):
            raise illegal_argument("aggregations and knn over several indices are not supported by this server")
        window = SearchBody(**{**body.__dict__, "offset": 0, "size": body.offset + body.size})
        results = []
        for name in names:
            index = self._index(call, name)
            knn = await self._knn_scores(call, name, index, body.knn) if body.knn else None
            results.append(await index.search(window if len(names) > 1 else body, knn))
        if len(results) == 1:
            result = results[0]
            hits = result["hits"]
        else:
            hits = [hit for result in results for hit in result["hits"]]
            hits.sort(key=_merge_key(body))
            hits = hits[body.offset : body.offset + body.size]
            totals = [r["total"] for r in results if r["total"] is not None]
            total_value = sum(t["value"] for t in totals)
            result = {
                "total": {
                    "value": total_value,
                    "relation": "gte" if any(t["relation"] == "gte" for t in totals) else "eq",
                }
                if body.track_total_hits is not False
                else None,
                "max_score": max((r["max_score"] for r in results if r["max_score"] is not None), default=None),
            }
        response: dict[str, Any] = {
            "took": int((time.perf_counter() - started) * 1000),
            "timed_out": False,
            "_shards": {**_SHARDS, "total": len(names), "successful": len(names)},
            "hits": {"max_score": result["max_score"], "hits": hits},
        }
        if result["total"] is not None:
            response["hits"] = {"total": result["total"], **response["hits"]}
        if len(results) == 1 and "aggregations" in result:
            response["aggregations"] = result["aggregations"]
        return response

    async def count(self, call: Call) -> tuple[int, Any]:
        body = call.json() or {}
        if not isinstance(body, dict) or any(key != "query" for key in body):
            raise parsing(
                "request does not support [" + next(iter(body), "") + "]"
                if isinstance(body, dict)
                else "request body must be an object"
            )
        query = dsl.parse(body["query"]) if "query" in body else dsl.MatchAll()
        names = await self._resolve(call, call.params.get("index"))
        total = 0
        for name in names:
            total += await self._index(call, name).count(query)
        return 200, {"count": total, "_shards": {**_SHARDS, "total": len(names), "successful": len(names)}}

    async def _by_query(self, call: Call, update: bool) -> tuple[int, Any]:
        started = time.perf_counter()
        body = call.json() or {}
        if not isinstance(body, dict):
            raise parsing("request body must be an object")
        for key in body:
            if key not in ("query", "script", "max_docs", "conflicts", "slice"):
                raise parsing(f"[{'update' if update else 'delete'}_by_query] unknown field [{key}]")
        if not update and "query" not in body:
            raise ElasticError(400, "action_request_validation_exception", "Validation Failed: 1: query is missing;")
        query = dsl.parse(body["query"]) if "query" in body else dsl.MatchAll()
        counts = {"total": 0, "updated": 0, "deleted": 0, "noops": 0}
        for name in await self._resolve(call, call.params["index"]):
            index = self._index(call, name)
            outcome = await (
                index.update_by_query(query, body.get("script")) if update else index.delete_by_query(query)
            )
            await self._apply_vectors(call, name, index, outcome["vectors"])
            for key in counts:
                counts[key] += outcome.get(key, 0) if key != "total" else len(outcome["items"])
        result: dict[str, Any] = {
            "took": int((time.perf_counter() - started) * 1000),
            "timed_out": False,
            "total": counts["total"],
            "deleted": counts["deleted"],
            "batches": 1 if counts["total"] else 0,
            "version_conflicts": 0,
            "noops": counts["noops"],
            "retries": {"bulk": 0, "search": 0},
            "throttled_millis": 0,
            "requests_per_second": -1.0,
            "throttled_until_millis": 0,
            "failures": [],
        }
        if update:
            result["updated"] = counts["updated"]
        return 200, result

    async def delete_by_query(self, call: Call) -> tuple[int, Any]:
        return await self._by_query(call, update=False)

    async def update_by_query(self, call: Call) -> tuple[int, Any]:
        return await self._by_query(call, update=True)


def _merge_key(body: SearchBody) -> Callable[[dict[str, Any]], Any]:
    if not body.sort:
        return lambda hit: -(hit["_score"] or 0.0)

    def compare(a: dict[str, Any], b: dict[str, Any]) -> int:
        return compare_keys(a["sort"], b["sort"], body.sort)

    return functools.cmp_to_key(compare)


def _knn_score(similarity: str, raw: float) -> float:
    """A vector engine score as Elasticsearch's `_score` for the field's similarity."""
    if similarity == "l2_norm":
        return 1.0 / (1.0 + raw * raw)
    if similarity == "max_inner_product":
        return 1.0 / (1.0 - raw) if raw < 0 else raw + 1.0
    return max(0.0, (1.0 + raw) / 2.0) if math.isfinite(raw) else 0.0


def _vector_fields(properties: dict[str, Any], prefix: str = "") -> dict[str, dict[str, Any]]:
    found = {}
    for name, spec in properties.items():
        if spec.get("type") == "dense_vector":
            found[prefix + name] = spec
        if "properties" in spec:
            found.update(_vector_fields(spec["properties"], prefix + name + "."))
    return found


def _filter_source(view: dict[str, Any], chosen: Any) -> None:
    if not chosen.enabled:
        view.pop("_source", None)
    elif chosen.includes or chosen.excludes:
        view["_source"] = matching.source_filter(view["_source"], list(chosen.includes), list(chosen.excludes))


def build(context: CompatContext) -> ElasticApp:
    """The Elasticsearch layer's ASGI app."""
    return ElasticApp(context)
