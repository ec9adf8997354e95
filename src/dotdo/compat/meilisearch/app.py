"""The Meilisearch HTTP API as an ASGI app: indexes, documents, search, settings, tasks and API keys.

Each index is a `SearchIndex` object named `<tenant>/<uid>` (spread over shard objects when the server's
`index_shards` is above 1, see `search.shards`); each tenant's index list, tasks and
keys are its `MeiliAccount` object. A request carries `Authorization: Bearer <key>`: the tenant's
master key is a dotdo access key (its id followed by its secret, as `client()` sends it), and keys
made with `POST /keys` carry their tenant in their value and are limited to their actions and indexes.
"""

from __future__ import annotations

import csv
import hmac
import io
import json
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlencode

from starlette.responses import JSONResponse, Response

from ..credentials import TENANT_PATTERN
from ..request_body import read_body
from ..search import SearchError, SearchQuery, ShardedIndex, SortKey
from ..search import settings as index_settings
from ..search.text import facet_values_matching, fold
from ..sharding import check_shard_count
from .account import MeiliAccount, timestamp
from .errors import MeiliError
from .filter_syntax import FilterSyntaxError, parse

if TYPE_CHECKING:
    from starlette.types import Receive, Scope, Send

    from ...runtime.stub import Stub
    from ..layer import CompatContext

log = logging.getLogger("dotdo.compat.meilisearch")

VERSION = "1.12.0"
MAX_PAYLOAD = 100 * 1024 * 1024
_INDEX_UID = re.compile(r"[A-Za-z0-9_-]{1,400}")
_ACCESS_KEY_LENGTH = 20
SETTING_PATHS = {re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower(): name for name in index_settings.DEFAULTS}
"""`/settings/filterable-attributes` and the others: each setting's own route."""

SEARCH_PARAMETERS = {
    "q",
    "offset",
    "limit",
    "page",
    "hitsPerPage",
    "filter",
    "facets",
    "sort",
    "attributesToRetrieve",
    "attributesToHighlight",
    "attributesToCrop",
    "cropLength",
    "cropMarker",
    "highlightPreTag",
    "highlightPostTag",
    "matchingStrategy",
    "showMatchesPosition",
    "showRankingScore",
    "showRankingScoreDetails",
    "retrieveVectors",
}
NOT_SUPPORTED = {
    "vector",
    "hybrid",
    "attributesToSearchOn",
    "rankingScoreThreshold",
    "locales",
    "distinct",
    "media",
}
"""Search parameters Meilisearch has and this layer refuses with a clear error rather than ignores."""


@dataclass
class Call:
    """One request: its tenant, the key's limits (None: the master key), path parameters, query, body."""

    tenant: str
    actions: list[str] | None
    indexes: list[str] | None
    params: dict[str, str]
    query: dict[str, str]
    body: bytes
    content_type: str

    def json(self) -> Any:
        """The body as JSON; `bad_request` if it is not."""
        try:
            return json.loads(self.body or b"null")
        except ValueError as exc:
            raise MeiliError("bad_request", f"The JSON payload could not be parsed: {exc}.") from None

    def allows(self, action: str, index_uid: str | None) -> bool:
        """Whether the key may do `action` (on `index_uid`)."""
        if self.actions is None:
            return True
        family = action.split(".")[0] + ".*"
        if not ({"*", action, family} & set(self.actions)):
            return False
        if index_uid is None or self.indexes is None:
            return True
        return any(
            pattern == "*" or pattern == index_uid or (pattern.endswith("*") and index_uid.startswith(pattern[:-1]))
            for pattern in self.indexes
        )


Handler = Callable[[Call], Awaitable[tuple[int, Any]]]


class MeiliApp:
    """Meilisearch's routes, on the runtime of `context`."""

    def __init__(self, context: CompatContext) -> None:
        self.context = context
        self.index_shards = check_shard_count("index_shards", context.options.get("index_shards", 1))
        uid = r"(?P<uid>[^/]+)"
        self.routes: list[tuple[str, re.Pattern[str], str | None, Handler]] = []
        for method, path, action, handler in [
            ("GET", "/health", None, self.health),
            ("GET", "/version", "version", self.version),
            ("GET", "/stats", "stats.get", self.global_stats),
            ("GET", "/indexes", "indexes.get", self.list_indexes),
            ("POST", "/indexes", "indexes.create", self.create_index),
            ("GET", f"/indexes/{uid}", "indexes.get", self.get_index),
            ("PATCH", f"/indexes/{uid}", "indexes.update", self.update_index),
            ("DELETE", f"/indexes/{uid}", "indexes.delete", self.delete_index),
            ("GET", f"/indexes/{uid}/stats", "stats.get", self.index_stats),
            ("GET", f"/indexes/{uid}/documents", "documents.get", self.get_documents),
            ("POST", f"/indexes/{uid}/documents/fetch", "documents.get", self.fetch_documents),
            ("POST", f"/indexes/{uid}/documents", "documents.add", self.add_documents),
            ("PUT", f"/indexes/{uid}/documents", "documents.add", self.update_documents),
            ("DELETE", f"/indexes/{uid}/documents", "documents.delete", self.delete_all_documents),
            ("POST", f"/indexes/{uid}/documents/delete-batch", "documents.delete", self.delete_batch),
            ("POST", f"/indexes/{uid}/documents/delete", "documents.delete", self.delete_by_filter),
            ("GET", f"/indexes/{uid}/documents/(?P<id>[^/]+)", "documents.get", self.get_document),
            ("DELETE", f"/indexes/{uid}/documents/(?P<id>[^/]+)", "documents.delete", self.delete_document),
            ("POST", f"/indexes/{uid}/search", "search", self.search_post),
            ("GET", f"/indexes/{uid}/search", "search", self.search_get),
            ("POST", "/multi-search", "search", self.multi_search),
            ("POST", f"/indexes/{uid}/facet-search", "search", self.facet_search),
            ("GET", f"/indexes/{uid}/settings", "settings.get", self.get_settings),
            ("PATCH", f"/indexes/{uid}/settings", "settings.update", self.update_settings),
            ("DELETE", f"/indexes/{uid}/settings", "settings.update", self.reset_settings),
            ("GET", f"/indexes/{uid}/settings/(?P<setting>[a-z-]+)", "settings.get", self.get_setting),
            ("PUT", f"/indexes/{uid}/settings/(?P<setting>[a-z-]+)", "settings.update", self.update_setting),
            ("PATCH", f"/indexes/{uid}/settings/(?P<setting>[a-z-]+)", "settings.update", self.update_setting),
            ("DELETE", f"/indexes/{uid}/settings/(?P<setting>[a-z-]+)", "settings.update", self.reset_setting),
            ("GET", "/tasks", "tasks.get", self.list_tasks),
            ("DELETE", "/tasks", "tasks.delete", self.delete_tasks),
            ("POST", "/tasks/cancel", "tasks.cancel", self.cancel_tasks),
            ("GET", "/tasks/(?P<task>[^/]+)", "tasks.get", self.get_task),
            ("GET", "/webhooks", "webhooks.get", self.list_webhooks),
            ("GET", "/keys", "keys.get", self.list_keys),
            ("POST", "/keys", "keys.create", self.create_key),
            ("GET", "/keys/(?P<key>[^/]+)", "keys.get", self.get_key),
            ("PATCH", "/keys/(?P<key>[^/]+)", "keys.update", self.update_key),
            ("DELETE", "/keys/(?P<key>[^/]+)", "keys.delete", self.delete_key),
        ]:
            self.routes.append((method, re.compile(path + "/?"), action, handler))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        try:
            response = await self._respond(scope, receive)
        except MeiliError as exc:
            response = JSONResponse(exc.to_json(), status_code=exc.status)
        except Exception:
            log.exception("Meilisearch request failed")
            error = MeiliError("internal", "An internal error occurred.", 500)
            response = JSONResponse(error.to_json(), status_code=500)
        await response(scope, receive, send)

    async def _respond(self, scope: Scope, receive: Receive) -> Response:
        path: str = scope["path"]
        allowed = []
        for method, pattern, action, handler in self.routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            if method != scope["method"]:
                allowed.append(method)
                continue
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
            body = await read_body(
                receive,
                MAX_PAYLOAD,
                lambda: MeiliError("payload_too_large", "The provided payload reached the size limit.", 413),
            )
            params = {k: unquote(v) for k, v in match.groupdict().items()}
            query = {
                k: v[-1] for k, v in parse_qs(scope.get("query_string", b"").decode(), keep_blank_values=True).items()
            }
            call = Call("", None, None, params, query, body, headers.get("content-type", "application/json"))
            if action is not None:
                await self._authenticate(call, headers)
                if not call.allows(action, params.get("uid")):
                    raise MeiliError("invalid_api_key", "The provided API key is invalid.")
            status, payload = await handler(call)
            if status == 204:
                return Response(status_code=204)
            return JSONResponse(payload, status_code=status)
        if allowed:
            raise MeiliError("method_not_allowed", f"Method not allowed; use {', '.join(allowed)}.", 405)
        raise MeiliError("not_found", f"No route for {path}.", 404)

    async def _authenticate(self, call: Call, headers: dict[str, str]) -> None:
        authorization = headers.get("authorization", "")
        if not authorization.startswith("Bearer "):
            raise MeiliError(
                "missing_authorization_header",
                "The Authorization header is missing. It must use the bearer authorization method.",
            )
        token = authorization.removeprefix("Bearer ").strip()
        tenant, _, _ = token.partition("_")
        if _ and TENANT_PATTERN.fullmatch(tenant):
            key = await self._account(tenant).key(token)
            if key is None or not hmac.compare_digest(key["key"], token) or _expired(key["expiresAt"]):
                raise MeiliError("invalid_api_key", "The provided API key is invalid.")
            call.tenant, call.actions, call.indexes = tenant, key["actions"], key["indexes"]
            return
        access = (
            self.context.credentials.lookup(token[:_ACCESS_KEY_LENGTH]) if len(token) > _ACCESS_KEY_LENGTH else None
        )
        if (
            access is None
            or access.secret is None
            or not hmac.compare_digest(access.secret, token[_ACCESS_KEY_LENGTH:])
            or not access.allows("meilisearch")
        ):
            raise MeiliError("invalid_api_key", "The provided API key is invalid.")
        call.tenant = access.tenant

    def _account(self, tenant: str) -> Stub:
        return self.context.runtime.get(MeiliAccount, tenant)

    def _index(self, call: Call, uid: str | None = None) -> ShardedIndex:
        uid = uid or call.params["uid"]
        if not _INDEX_UID.fullmatch(uid):
            raise MeiliError(
                "invalid_index_uid",
                f"`{uid}` is not a valid index uid. Index uid can be an integer or a string containing only "
                "alphanumeric characters, hyphens (-) and underscores (_), and can not be more than 400 bytes.",
            )
        return ShardedIndex(self.context.runtime, f"{call.tenant}/{uid}", shards=self.index_shards)

    async def _existing(self, call: Call, uid: str | None = None) -> ShardedIndex:
        index = self._index(call, uid)
        if not await index.exists():
            raise MeiliError("index_not_found", f"Index `{uid or call.params['uid']}` not found.")
        return index

    async def _task(
        self,
        call: Call,
        index_uid: str | None,
        task_type: str,
        details: dict[str, Any],
        work: Callable[[], Awaitable[Any]],
    ) -> tuple[int, Any]:
        enqueued = time.time()
        error = None
        try:
            outcome = await work()
            if isinstance(outcome, dict):
                details = {**details, **outcome}
        except SearchError as exc:
            error = MeiliError(exc.code, exc.message).to_json()
        except MeiliError as exc:
            error = exc.to_json()
        info = await self._account(call.tenant).record_task(
            index_uid, task_type, details, error, enqueued, enqueued, call.query.get("customMetadata")
        )
        return 202, info

    # -- instance -----------------------------------------------------------------------------------

    async def health(self, call: Call) -> tuple[int, Any]:
        return 200, {"status": "available"}

    async def version(self, call: Call) -> tuple[int, Any]:
        return 200, {"commitSha": "dotdo", "commitDate": "2025-01-01T00:00:00Z", "pkgVersion": VERSION}

    async def global_stats(self, call: Call) -> tuple[int, Any]:
        indexes = {}
        last = None
        for uid in await self._account(call.tenant).indexes():
            index = self._index(call, uid)
            if await index.exists():
                info = await index.info()
                indexes[uid] = await self._stats(index, info)
                last = max(last or 0, info["updatedAt"])
        return 200, {"databaseSize": 0, "usedDatabaseSize": 0, "lastUpdate": timestamp(last), "indexes": indexes}

    async def _stats(self, index: ShardedIndex, info: dict[str, Any]) -> dict[str, Any]:
        return {
            "numberOfDocuments": info["numberOfDocuments"],
            "isIndexing": False,
            "fieldDistribution": await index.field_distribution(),
        }

    # -- indexes ------------------------------------------------------------------------------------

    async def list_indexes(self, call: Call) -> tuple[int, Any]:
        offset, limit = _int(call.query, "offset", 0), _int(call.query, "limit", 20)
        uids = await self._account(call.tenant).indexes()
        results = []
        for uid in uids[offset : offset + limit]:
            if call.allows("indexes.get", uid):
                results.append(_index_view(await self._index(call, uid).info()))
        return 200, {"results": results, "offset": offset, "limit": limit, "total": len(uids)}

    async def create_index(self, call: Call) -> tuple[int, Any]:
        body = call.json()
        if not isinstance(body, dict) or not isinstance(body.get("uid"), str):
            raise MeiliError("missing_index_uid", "Missing field `uid`.")
        uid, primary_key = body["uid"], body.get("primaryKey")
        if not call.allows("indexes.create", uid):
            raise MeiliError("invalid_api_key", "The provided API key is invalid.")
        index = self._index(call, uid)

        async def work() -> None:
            await index.create(uid, primary_key)
            await self._account(call.tenant).add_index(uid)

        return await self._task(call, uid, "indexCreation", {"primaryKey": primary_key}, work)

    async def get_index(self, call: Call) -> tuple[int, Any]:
        return 200, _index_view(await (await self._existing(call)).info())

    async def update_index(self, call: Call) -> tuple[int, Any]:
        body = call.json()
        if not isinstance(body, dict):
            raise MeiliError("bad_request", "The body must be a JSON object.")
        index = self._index(call)

        async def work() -> None:
            if not await index.exists():
                raise MeiliError("index_not_found", f"Index `{call.params['uid']}` not found.")
            if body.get("primaryKey") is not None:
                await index.set_primary_key(body["primaryKey"])

        return await self._task(call, call.params["uid"], "indexUpdate", {"primaryKey": body.get("primaryKey")}, work)

    async def delete_index(self, call: Call) -> tuple[int, Any]:
        index = self._index(call)

        async def work() -> dict[str, Any]:
            if not await index.exists():
                raise MeiliError("index_not_found", f"Index `{call.params['uid']}` not found.")
            count = (await index.info())["numberOfDocuments"]
            await index.drop()
            await self._account(call.tenant).remove_index(call.params["uid"])
            return {"deletedDocuments": count}

        return await self._task(call, call.params["uid"], "indexDeletion", {"deletedDocuments": 0}, work)

    async def index_stats(self, call: Call) -> tuple[int, Any]:
        index = await self._existing(call)
        return 200, await self._stats(index, await index.info())

    # -- documents ----------------------------------------------------------------------------------

    def _documents(self, call: Call) -> list[dict[str, Any]]:
        if len(call.body) > MAX_PAYLOAD:
            raise MeiliError("payload_too_large", "The provided payload reached the size limit.", 413)
        if not call.body.strip():
            raise MeiliError("missing_payload", "A json payload is missing.")
        kind = call.content_type.split(";")[0].strip()
        if kind == "application/x-ndjson":
            try:
                documents = [json.loads(line) for line in call.body.decode().splitlines() if line.strip()]
            except ValueError as exc:
                raise MeiliError("malformed_payload", f"The `ndjson` payload provided is malformed. {exc}.") from None
        elif kind == "text/csv":
            documents = [dict(row) for row in csv.DictReader(io.StringIO(call.body.decode()))]
        else:
            try:
                documents = json.loads(call.body, parse_constant=_refuse_constant)
            except ValueError as exc:
                raise MeiliError("malformed_payload", f"The `json` payload provided is malformed. {exc}.") from None
            if isinstance(documents, dict):
                documents = [documents]
        if not isinstance(documents, list) or not all(isinstance(doc, dict) for doc in documents):
            raise MeiliError("malformed_payload", "The `json` payload must be an array of objects.")
        return documents

    async def _write_documents(self, call: Call, partial: bool) -> tuple[int, Any]:
        documents = self._documents(call)
        uid = call.params["uid"]
        index = self._index(call)
        primary_key = call.query.get("primaryKey")

        async def work() -> dict[str, Any]:
            if not await index.exists():
                if not call.allows("indexes.create", uid):
                    raise MeiliError("index_not_found", f"Index `{uid}` not found.")
                await index.create(uid, None)
                await self._account(call.tenant).add_index(uid)
            result = await index.add(documents, primary_key, partial=partial)
            return {"indexedDocuments": result["indexed"]}

        details = {"receivedDocuments": len(documents), "indexedDocuments": 0}
        return await self._task(call, uid, "documentAdditionOrUpdate", details, work)

    async def add_documents(self, call: Call) -> tuple[int, Any]:
        return await self._write_documents(call, partial=False)

    async def update_documents(self, call: Call) -> tuple[int, Any]:
        return await self._write_documents(call, partial=True)

    async def get_documents(self, call: Call) -> tuple[int, Any]:
        fields = call.query["fields"].split(",") if call.query.get("fields") else None
        return await self._list_documents(
            call, _int(call.query, "offset", 0), _int(call.query, "limit", 20), fields, call.query.get("filter"), None
        )

    async def fetch_documents(self, call: Call) -> tuple[int, Any]:
        body = call.json() or {}
        if not isinstance(body, dict):
            raise MeiliError("bad_request", "The body must be a JSON object.")
        return await self._list_documents(
            call,
            _int(body, "offset", 0),
            _int(body, "limit", 20),
            body.get("fields"),
            body.get("filter"),
            body.get("ids"),
        )

    async def _list_documents(
        self, call: Call, offset: int, limit: int, fields: list[str] | None, filter: Any, ids: list[Any] | None
    ) -> tuple[int, Any]:
        index = await self._existing(call)
        try:
            tree = parse(filter)
        except FilterSyntaxError as exc:
            raise MeiliError("invalid_document_filter", str(exc)) from None
        try:
            page = await index.documents(offset, limit, tree, ids)
        except SearchError as exc:
            raise MeiliError("invalid_document_filter", exc.message) from None
        results = [_pick(doc, fields) for doc in page["results"]]
        return 200, {"results": results, "offset": offset, "limit": limit, "total": page["total"]}

    async def get_document(self, call: Call) -> tuple[int, Any]:
        index = await self._existing(call)
        document = await index.get(call.params["id"])
        if document is None:
            raise MeiliError("document_not_found", f"Document `{call.params['id']}` not found.")
        fields = call.query["fields"].split(",") if call.query.get("fields") else None
        return 200, _pick(document, fields)

    async def _delete(
        self, call: Call, details: dict[str, Any], deleting: Callable[[ShardedIndex], Awaitable[int]]
    ) -> Any:
        index = self._index(call)

        async def work() -> dict[str, Any]:
            if not await index.exists():
                raise MeiliError("index_not_found", f"Index `{call.params['uid']}` not found.")
            return {"deletedDocuments": await deleting(index)}

        return await self._task(call, call.params["uid"], "documentDeletion", details, work)

    async def delete_document(self, call: Call) -> tuple[int, Any]:
        ids = [call.params["id"]]
        return await self._delete(call, {"providedIds": 1, "deletedDocuments": 0}, lambda index: index.delete(ids))

    async def delete_batch(self, call: Call) -> tuple[int, Any]:
        ids = call.json()
        if not isinstance(ids, list):
            raise MeiliError("bad_request", "The body must be an array of document ids.")
        details = {"providedIds": len(ids), "deletedDocuments": 0}
        return await self._delete(call, details, lambda index: index.delete(ids))

    async def delete_by_filter(self, call: Call) -> tuple[int, Any]:
        body = call.json()
        if not isinstance(body, dict) or body.get("filter") in (None, "", []):
            raise MeiliError("missing_document_filter", "Missing field `filter`.")
        try:
            tree = parse(body["filter"])
        except FilterSyntaxError as exc:
            raise MeiliError("invalid_document_filter", str(exc)) from None
        details = {"originalFilter": json.dumps(body["filter"]), "deletedDocuments": 0}
        return await self._delete(call, details, lambda index: index.delete_where(tree))

    async def delete_all_documents(self, call: Call) -> tuple[int, Any]:
        return await self._delete(call, {"deletedDocuments": 0}, lambda index: index.delete_where(None))

    # -- search -------------------------------------------------------------------------------------

    async def search_post(self, call: Call) -> tuple[int, Any]:
        body = call.json()
        if body is None:
            body = {}
        if not isinstance(body, dict):
            raise MeiliError("bad_request", "The search body must be a JSON object.")
        return 200, await self._search(call, call.params["uid"], body)

    async def search_get(self, call: Call) -> tuple[int, Any]:
        body: dict[str, Any] = {}
        for name, value in call.query.items():
            if name in ("offset", "limit", "page", "hitsPerPage", "cropLength"):
                body[name] = _int(call.query, name, 0)
            elif name in ("facets", "sort", "attributesToRetrieve", "attributesToHighlight", "attributesToCrop"):
                body[name] = value.split(",")
            else:
                body[name] = value
        return 200, await self._search(call, call.params["uid"], body)

    async def multi_search(self, call: Call) -> tuple[int, Any]:
        body = call.json()
        if not isinstance(body, dict) or not isinstance(body.get("queries"), list):
            raise MeiliError("bad_request", "Missing field `queries`.")
        results = []
        for position, item in enumerate(body["queries"]):
            if not isinstance(item, dict) or not isinstance(item.get("indexUid"), str):
                raise MeiliError("missing_index_uid", f"Inside `.queries[{position}]`: Missing field `indexUid`.")
            uid = item["indexUid"]
            if not call.allows("search", uid):
                raise MeiliError("invalid_api_key", "The provided API key is invalid.")
            result = await self._search(call, uid, {k: v for k, v in item.items() if k != "indexUid"})
            results.append({"indexUid": uid, **result})
        return 200, {"results": results}

    async def _search(self, call: Call, uid: str, body: dict[str, Any]) -> dict[str, Any]:
        index = await self._existing(call, uid)
        for name in body:
            if name in NOT_SUPPORTED:
                if body[name] in (None, [], False):
                    continue
                raise MeiliError("bad_request", f"The search parameter `{name}` is not supported by this server.")
            if name not in SEARCH_PARAMETERS:
                raise MeiliError(
                    "bad_request", f"Unknown field `{name}`: expected one of {', '.join(sorted(SEARCH_PARAMETERS))}"
                )
        query = _search_query(body)
        settings = await index.settings()
        if settings["prefixSearch"] == "disabled":
            query.prefix = False
        max_hits = settings["pagination"]["maxTotalHits"]
        paged = "page" in body or "hitsPerPage" in body
        if paged:
            page = _positive(body, "page", 1, "invalid_search_page")
            per_page = _positive(body, "hitsPerPage", 20, "invalid_search_hits_per_page")
            # Page 0 holds no hits but still counts them, as Meilisearch's does.
            query.offset, query.limit = max(page - 1, 0) * per_page, per_page if page else 0
        if query.offset + query.limit > max_hits:
            query.limit = max(0, max_hits - query.offset)
        try:
            result = await index.search(query)
        except SearchError as exc:
            raise MeiliError(exc.code, exc.message) from None
        answer: dict[str, Any] = {"hits": result["hits"], "query": body.get("q") or "", "processingTimeMs": 0}
        answer["processingTimeMs"] = result["processingTimeMs"]
        total = min(result["total"], max_hits)
        if paged:
            answer.update(
                hitsPerPage=per_page,
                page=page,
                totalPages=math.ceil(total / per_page) if per_page else 0,
                totalHits=total,
            )
        else:
            answer.update(limit=_positive(body, "limit", 20, "invalid_search_limit"), offset=query.offset)
            answer["estimatedTotalHits"] = total
        if query.facets:
            answer["facetDistribution"] = result["facets"]
            answer["facetStats"] = result["facetStats"]
        return answer

    async def facet_search(self, call: Call) -> tuple[int, Any]:
        """The values of one facet among the documents a search finds, whose words begin with `facetQuery`."""
        body = call.json()
        if not isinstance(body, dict):
            raise MeiliError("bad_request", "The facet search body must be a JSON object.")
        facet = body.get("facetName")
        if not isinstance(facet, str):
            raise MeiliError("missing_facet_search_facet_name", "Missing field `facetName`.")
        facet_query = body.get("facetQuery")
        if facet_query is not None and not isinstance(facet_query, str):
            raise MeiliError(
                "invalid_facet_search_facet_query", "Invalid value type at `.facetQuery`: expected a string."
            )
        index = await self._existing(call)
        settings = await index.settings()
        if not settings["facetSearch"]:
            raise MeiliError("facet_search_disabled", "The facet search is disabled for this index.")
        if facet not in settings["filterableAttributes"]:
            raise MeiliError(
                "invalid_facet_search_facet_name",
                f"Attribute `{facet}` is not facet-searchable. Available facet-searchable attributes are: "
                f"`{', '.join(settings['filterableAttributes'])}`. To make it facet-searchable add it to the "
                "`filterableAttributes` index settings.",
            )
        search = {k: v for k, v in body.items() if k not in ("facetName", "facetQuery", "exhaustiveFacetCount")}
        answer = await self._search(call, call.params["uid"], {**search, "facets": [facet], "limit": 0})
        counts = answer["facetDistribution"].get(facet, {})
        hits = facet_values_matching(counts, facet_query)
        order = settings["faceting"]["sortFacetValuesBy"]
        if order.get(facet, order.get("*")) == "count":
            hits.sort(key=lambda hit: (-hit[1], hit[0]))
        else:
            hits.sort(key=lambda hit: (fold(hit[0]), hit[0]))
        return 200, {
            "facetHits": [{"value": value, "count": count} for value, count in hits],
            "facetQuery": facet_query,
            "processingTimeMs": answer["processingTimeMs"],
        }

    # -- settings -----------------------------------------------------------------------------------

    async def get_settings(self, call: Call) -> tuple[int, Any]:
        return 200, await (await self._existing(call)).settings()

    def _checked(self, changes: Any) -> dict[str, Any]:
        try:
            index_settings.merged(index_settings.defaults(), changes)
        except index_settings.SettingsError as exc:
            setting = re.sub(r"(?<!^)(?=[A-Z])", "_", exc.setting).lower()
            raise MeiliError(f"invalid_settings_{setting}", str(exc)) from None
        return changes

    async def _settings_task(self, call: Call, changes: dict[str, Any]) -> tuple[int, Any]:
        self._checked(changes)
        uid = call.params["uid"]
        index = self._index(call)

        async def work() -> None:
            if not await index.exists():
                if not call.allows("indexes.create", uid):
                    raise MeiliError("index_not_found", f"Index `{uid}` not found.")
                await index.create(uid, None)
                await self._account(call.tenant).add_index(uid)
            await index.update_settings(changes)

        return await self._task(call, uid, "settingsUpdate", dict(changes), work)

    async def update_settings(self, call: Call) -> tuple[int, Any]:
        changes = call.json()
        if not isinstance(changes, dict):
            raise MeiliError("bad_request", "The settings must be a JSON object.")
        return await self._settings_task(call, changes)

    async def reset_settings(self, call: Call) -> tuple[int, Any]:
        return await self._settings_task(call, dict.fromkeys(index_settings.DEFAULTS))

    def _setting_name(self, call: Call) -> str:
        name = SETTING_PATHS.get(call.params["setting"])
        if name is None:
            raise MeiliError("not_found", f"Unknown setting `{call.params['setting']}`.", 404)
        return name

    async def get_setting(self, call: Call) -> tuple[int, Any]:
        name = self._setting_name(call)
        return 200, (await (await self._existing(call)).settings())[name]

    async def update_setting(self, call: Call) -> tuple[int, Any]:
        return await self._settings_task(call, {self._setting_name(call): call.json()})

    async def reset_setting(self, call: Call) -> tuple[int, Any]:
        return await self._settings_task(call, {self._setting_name(call): None})

    # -- tasks --------------------------------------------------------------------------------------

    async def list_tasks(self, call: Call) -> tuple[int, Any]:
        filters = _task_filters(call)
        start = _int(call.query, "from", 0) if "from" in call.query else None
        return 200, await self._account(call.tenant).tasks(filters, _int(call.query, "limit", 20), start)

    async def delete_tasks(self, call: Call) -> tuple[int, Any]:
        filters = _task_filters(call, "delete")
        original = "?" + urlencode({name: ",".join(values) for name, values in filters.items()})

        async def work() -> dict[str, Any]:
            deleted = await self._account(call.tenant).delete_tasks(filters)
            return {"matchedTasks": deleted, "deletedTasks": deleted}

        return await self._task(call, None, "taskDeletion", {"originalFilter": original}, work)

    async def cancel_tasks(self, call: Call) -> tuple[int, Any]:
        # Every task has finished before its answer is sent, so none is left to cancel.
        filters = _task_filters(call, "cancel")
        original = "?" + urlencode({name: ",".join(values) for name, values in filters.items()})

        async def work() -> dict[str, Any]:
            return {"matchedTasks": 0, "canceledTasks": 0}

        return await self._task(call, None, "taskCancelation", {"originalFilter": original}, work)

    async def get_task(self, call: Call) -> tuple[int, Any]:
        if not call.params["task"].isdigit():
            raise MeiliError("invalid_task_uid", f"Task uid `{call.params['task']}` is not an integer.")
        task = await self._account(call.tenant).task(int(call.params["task"]))
        if task is None:
            raise MeiliError("task_not_found", f"Task `{call.params['task']}` not found.")
        return 200, task

    async def list_webhooks(self, call: Call) -> tuple[int, Any]:
        # Webhooks are not part of this layer: the list an instance without any shows.
        return 200, {"results": []}

    # -- keys ---------------------------------------------------------------------------------------

    async def list_keys(self, call: Call) -> tuple[int, Any]:
        offset, limit = _int(call.query, "offset", 0), _int(call.query, "limit", 20)
        keys = await self._account(call.tenant).keys()
        return 200, {"results": keys[offset : offset + limit], "offset": offset, "limit": limit, "total": len(keys)}

    async def create_key(self, call: Call) -> tuple[int, Any]:
        body = call.json()
        if not isinstance(body, dict):
            raise MeiliError("bad_request", "The body must be a JSON object.")
        for name in ("actions", "indexes"):
            value = body.get(name)
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise MeiliError(f"invalid_api_key_{name}", f"`{name}` must be an array of strings.")
        if "expiresAt" not in body:
            raise MeiliError("missing_api_key_expires_at", "Missing field `expiresAt`.")
        expires = body["expiresAt"]
        if expires is not None and (not isinstance(expires, str) or _parse_date(expires) is None):
            raise MeiliError("invalid_api_key_expires_at", "`expiresAt` must be an RFC 3339 date or null.")
        key = await self._account(call.tenant).create_key(
            call.tenant,
            body["actions"],
            body["indexes"],
            expires,
            body.get("name"),
            body.get("description"),
            body.get("uid"),
        )
        return 201, key

    async def get_key(self, call: Call) -> tuple[int, Any]:
        key = await self._account(call.tenant).key(call.params["key"])
        if key is None:
            raise MeiliError("api_key_not_found", f"API key `{call.params['key']}` not found.")
        return 200, key

    async def update_key(self, call: Call) -> tuple[int, Any]:
        body = call.json()
        if not isinstance(body, dict):
            raise MeiliError("bad_request", "The body must be a JSON object.")
        unchangeable = set(body) - {"name", "description"}
        if unchangeable:
            field = sorted(unchangeable)[0]
            raise MeiliError(
                f"immutable_api_key_{re.sub(r'(?<!^)(?=[A-Z])', '_', field).lower()}",
                f"The `{field}` field cannot be modified for the given resource.",
            )
        key = await self._account(call.tenant).update_key(call.params["key"], body.get("name"), body.get("description"))
        if key is None:
            raise MeiliError("api_key_not_found", f"API key `{call.params['key']}` not found.")
        return 200, key

    async def delete_key(self, call: Call) -> tuple[int, Any]:
        if not await self._account(call.tenant).delete_key(call.params["key"]):
            raise MeiliError("api_key_not_found", f"API key `{call.params['key']}` not found.")
        return 204, None


def _search_query(body: dict[str, Any]) -> SearchQuery:
    q = body.get("q")
    if q is not None and not isinstance(q, str):
        raise MeiliError("invalid_search_q", "Invalid value type at `.q`: expected a string.")
    try:
        tree = parse(body.get("filter"))
    except FilterSyntaxError as exc:
        raise MeiliError("invalid_search_filter", str(exc)) from None
    sort = []
    for item in _strings(body, "sort", "invalid_search_sort"):
        target, _, direction = item.rpartition(":")
        if direction not in ("asc", "desc") or not target:
            raise MeiliError(
                "invalid_search_sort", f"Invalid syntax for the sort parameter: `{item}` must be `field:asc|desc`."
            )
        point = re.fullmatch(r"_geoPoint\(\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*\)", target)
        if point:
            sort.append(SortKey("_geo", direction == "asc", (float(point.group(1)), float(point.group(2)))))
        else:
            sort.append(SortKey(target, direction == "asc"))
    crop = []
    for item in _strings(body, "attributesToCrop", "invalid_search_attributes_to_crop"):
        crop.append(item.split(":")[0])
    strategy = body.get("matchingStrategy", "last")
    if strategy not in ("last", "all", "frequency"):
        raise MeiliError("invalid_search_matching_strategy", "`matchingStrategy` must be `last`, `all` or `frequency`.")
    retrieve = body.get("attributesToRetrieve")
    return SearchQuery(
        q=q or "",
        filter=tree,
        facets=_strings(body, "facets", "invalid_search_facets"),
        sort=sort,
        offset=_positive(body, "offset", 0, "invalid_search_offset"),
        limit=_positive(body, "limit", 20, "invalid_search_limit"),
        attributes_to_retrieve=None
        if retrieve is None
        else _strings(body, "attributesToRetrieve", "invalid_search_attributes_to_retrieve"),
        attributes_to_highlight=_strings(body, "attributesToHighlight", "invalid_search_attributes_to_highlight"),
        attributes_to_crop=crop,
        crop_length=_positive(body, "cropLength", 10, "invalid_search_crop_length"),
        crop_marker=str(body.get("cropMarker", "…")),
        highlight_pre=str(body.get("highlightPreTag", "<em>")),
        highlight_post=str(body.get("highlightPostTag", "</em>")),
        matching_strategy="all" if strategy == "all" else "last",
    )


def _task_filters(call: Call, required_for: str | None = None) -> dict[str, list[str]]:
    """The task filters of a `/tasks` query string: uids, statuses, types and indexUids.

    `required_for` names the operation ("delete", "cancel") that refuses to run without a filter.
    """
    filters = {
        name: call.query[name].split(",") for name in ("uids", "statuses", "types", "indexUids") if name in call.query
    }
    if "uids" in filters and not all(v.isdigit() for v in filters["uids"]):
        raise MeiliError("invalid_task_uids", "Task uids must be integers.")
    if required_for and not filters:
        raise MeiliError(
            "missing_task_filters",
            f"Query parameters to filter the tasks to {required_for} are missing. Available query parameters are: "
            "`uids`, `indexUids`, `statuses`, `types`.",
        )
    return filters


def _strings(body: dict[str, Any], name: str, code: str) -> list[str]:
    value = body.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise MeiliError(code, f"Invalid value type at `.{name}`: expected an array of strings.")
    return value


def _positive(body: dict[str, Any], name: str, default: int, code: str, minimum: int = 0) -> int:
    value = body.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise MeiliError(code, f"Invalid value at `.{name}`: expected an integer >= {minimum}, found `{value}`.")
    return value


def _int(source: dict[str, Any], name: str, default: int) -> int:
    value = source.get(name, default)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise MeiliError(
            f"invalid_{name}", f"Invalid value in parameter `{name}`: `{value}` is not an integer."
        ) from None
    if number < 0:
        raise MeiliError(f"invalid_{name}", f"Invalid value in parameter `{name}`: `{value}` is negative.")
    return number


def _pick(document: dict[str, Any], fields: list[str] | None) -> dict[str, Any]:
    if not fields or "*" in fields:
        return document
    return {name: value for name, value in document.items() if name in fields}


def _index_view(info: dict[str, Any]) -> dict[str, Any]:
    return {
        "uid": info["uid"],
        "primaryKey": info["primaryKey"],
        "createdAt": timestamp(info["createdAt"]),
        "updatedAt": timestamp(info["updatedAt"]),
    }


def _parse_date(text: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _expired(expires_at: str | None) -> bool:
    if expires_at is None:
        return False
    parsed = _parse_date(expires_at)
    return parsed is None or parsed <= datetime.now(UTC)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def build(context: CompatContext) -> MeiliApp:
    """The Meilisearch app on `context`'s runtime."""
    return MeiliApp(context)
