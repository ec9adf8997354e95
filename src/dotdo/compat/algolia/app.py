"""Algolia's search REST API as an ASGI app: indexes, objects, batches, search, browse, settings, tasks, API keys.

Each index is a `SearchIndex` object (`algolia/<tenant>/<name>`) whose primary key is `objectID`;
each tenant's index list (with the settings given through Algolia's API), tasks and keys are its
`AlgoliaAccount`. A request carries `X-Algolia-Application-Id` (a dotdo access key's id: it names the
tenant) and `X-Algolia-API-Key` (that key's secret, with every right, or a key made with
`POST /1/keys`, limited to its ACL and indexes). Errors are Algolia's `{"message", "status"}`.
"""

from __future__ import annotations

import base64
import hmac
import json
import logging
import math
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlencode

from starlette.responses import JSONResponse, Response

from ..request_body import read_body
from ..search import SearchError, SearchQuery, ShardedIndex
from ..search.text import fold, within_distance, words
from ..sharding import check_shard_count
from . import settings as algolia_settings
from .account import AlgoliaAccount, timestamp
from .filter_syntax import AlgoliaFilterError, parse_parameters

if TYPE_CHECKING:
    from starlette.types import Receive, Scope, Send

    from ...runtime.stub import Stub
    from ..layer import CompatContext

log = logging.getLogger("dotdo.compat.algolia")

MAX_BODY = 10 * 1024 * 1024
MAX_RECORD = 100_000
"""The most bytes one record may take (Algolia's limit on its larger plans)."""
MAX_HITS_PER_PAGE = 1000
_INDEX_NAME = re.compile(r"[^/\x00-\x1f]{1,512}")
ACLS = {
    "search",
    "browse",
    "addObject",
    "deleteObject",
    "deleteIndex",
    "settings",
    "editSettings",
    "listIndexes",
    "analytics",
    "logs",
    "recommendation",
    "seeUnretrievableAttributes",
    "usage",
}
SEARCH_PARAMETERS = {
    "query",
    "params",
    "filters",
    "facetFilters",
    "numericFilters",
    "tagFilters",
    "facets",
    "page",
    "hitsPerPage",
    "offset",
    "length",
    "attributesToRetrieve",
    "attributesToHighlight",
    "highlightPreTag",
    "highlightPostTag",
    "typoTolerance",
    "queryType",
    "removeWordsIfNoResults",
    "cursor",
    "getRankingInfo",
    "analytics",
    "analyticsTags",
    "clickAnalytics",
    "enableABTest",
    "enablePersonalization",
    "enableRules",
    "userToken",
    "responseFields",
    "maxValuesPerFacet",
    "attributesToSnippet",
    "sortFacetValuesBy",
    "distinct",
}
"""What a search may carry; analytics, personalization and rule flags are accepted and have no effect."""


class AlgoliaError(Exception):
    """An error Algolia would answer: its message and HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _index_missing() -> AlgoliaError:
    return AlgoliaError(404, "Index does not exist")


@dataclass
class Call:
    """One request: tenant, the key's ACL and indexes (None: every right), path and query parameters, body."""

    tenant: str
    acl: list[str] | None
    indexes: list[str] | None
    params: dict[str, str]
    query: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body as JSON; 400 if it is not (NaN and infinities are not JSON)."""
        try:
            return json.loads(self.body or b"null", parse_constant=_refuse_constant)
        except ValueError as exc:
            raise AlgoliaError(400, f"Invalid JSON: {exc}") from None

    def require(self, acl: str, index: str | None = None) -> None:
        """403 unless the key has right `acl` (on `index`)."""
        if self.acl is None:
            return
        if acl not in self.acl:
            raise AlgoliaError(403, "Method not allowed with this API key")
        if index is not None and self.indexes and not any(_matches(pattern, index) for pattern in self.indexes):
            raise AlgoliaError(403, "Index not allowed with this API key")


def _matches(pattern: str, name: str) -> bool:
    if "*" not in pattern:
        return pattern == name
    return re.fullmatch(".*".join(re.escape(part) for part in pattern.split("*")), name) is not None


Handler = Callable[[Call], Awaitable[Any]]


class AlgoliaApp:
    """Algolia's search routes on the runtime of `context`."""

    def __init__(self, context: CompatContext) -> None:
        self.context = context
        self.index_shards = check_shard_count("index_shards", context.options.get("index_shards", 1))
        index = "/1/indexes/(?P<index>[^/]+)"
        self.routes: list[tuple[str, re.Pattern[str], str | None, Handler]] = []
        for method, path, acl, handler in [
            ("GET", "/1/indexes", "listIndexes", self.list_indices),
            ("POST", "/1/indexes/\\*/queries", "search", self.multiple_queries),
            ("POST", "/1/indexes/\\*/objects", "search", self.get_objects),
            ("POST", "/1/indexes/\\*/batch", None, self.multiple_batch),
            ("POST", index + "/query", "search", self.search),
            ("POST", index + "/browse", "browse", self.browse),
            ("GET", index + "/browse", "browse", self.browse),
            ("POST", index + "/batch", None, self.batch),
            ("POST", index + "/clear", "deleteObject", self.clear_objects),
            ("POST", index + "/deleteByQuery", "deleteObject", self.delete_by),
            ("GET", index + "/settings", "settings", self.get_settings),
            ("PUT", index + "/settings", "editSettings", self.set_settings),
            ("GET", index + "/task/(?P<task>[^/]+)", None, self.get_task),
            ("POST", index, "addObject", self.save_object),
            ("DELETE", index, "deleteIndex", self.delete_index),
            ("POST", index + "/(?P<object>[^/]+)/partial", "addObject", self.partial_update_object),
            ("GET", index + "/(?P<object>[^/]+)", "search", self.get_object),
            ("PUT", index + "/(?P<object>[^/]+)", "addObject", self.add_or_update_object),
            ("DELETE", index + "/(?P<object>[^/]+)", "deleteObject", self.delete_object),
            ("GET", "/1/task/(?P<task>[^/]+)", None, self.get_app_task),
            ("GET", "/1/keys", "admin", self.list_keys),
            ("POST", "/1/keys", "admin", self.add_key),
            ("GET", "/1/keys/(?P<key>[^/]+)", None, self.get_key),
            ("PUT", "/1/keys/(?P<key>[^/]+)", "admin", self.update_key),
            ("DELETE", "/1/keys/(?P<key>[^/]+)", "admin", self.delete_key),
        ]:
            self.routes.append((method, re.compile(path + "/?"), acl, handler))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        try:
            result = await self._respond(scope, receive)
            response = result if isinstance(result, Response) else JSONResponse(result)
        except AlgoliaError as exc:
            response = JSONResponse({"message": exc.message, "status": exc.status}, status_code=exc.status)
        except Exception:
            log.exception("Algolia request failed")
            response = JSONResponse({"message": "Internal error", "status": 500}, status_code=500)
        await response(scope, receive, send)

    async def _respond(self, scope: Scope, receive: Receive) -> Any:
        # The raw path keeps an encoded "/" inside an objectID's segment; each segment is decoded once matched.
        raw: bytes = scope.get("raw_path") or scope["path"].encode()
        path = raw.decode("latin-1")
        allowed = []
        for method, pattern, acl, handler in self.routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            if method != scope["method"]:
                allowed.append(method)
                continue
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
            body = await read_body(receive, MAX_BODY, lambda: AlgoliaError(413, "Request too large"))
            query = {
                k: v[-1] for k, v in parse_qs(scope.get("query_string", b"").decode(), keep_blank_values=True).items()
            }
            try:
                params = {k: unquote(v, errors="strict") for k, v in match.groupdict().items()}
            except UnicodeDecodeError:
                raise AlgoliaError(400, "The path is not valid percent-encoded UTF-8") from None
            call = Call("", None, None, params, query, body)
            await self._authenticate(call, headers)
            if acl == "admin":
                if call.acl is not None:
                    raise AlgoliaError(403, "Method not allowed with this API key")
            elif acl is not None:
                call.require(acl, params.get("index"))
            return await handler(call)
        if allowed:
            raise AlgoliaError(405, f"Method not allowed; use {', '.join(allowed)}")
        raise AlgoliaError(404, "Path not found")

    async def _authenticate(self, call: Call, headers: dict[str, str]) -> None:
        application = headers.get("x-algolia-application-id") or call.query.get("x-algolia-application-id", "")
        api_key = headers.get("x-algolia-api-key") or call.query.get("x-algolia-api-key", "")
        access = self.context.credentials.lookup(application) if application else None
        if access is None or access.secret is None or not access.allows("algolia"):
            raise AlgoliaError(403, "Invalid Application-ID or API key")
        call.tenant = access.tenant
        if hmac.compare_digest(access.secret, api_key):
            return
        key = await self._account(call).key(api_key) if api_key else None
        if key is None or not hmac.compare_digest(key["value"], api_key) or _expired(key):
            raise AlgoliaError(403, "Invalid Application-ID or API key")
        call.acl, call.indexes = key["acl"], key["indexes"]

    # -- where things are ---------------------------------------------------------------------------

    def _account(self, call: Call) -> Stub:
        return self.context.runtime.get(AlgoliaAccount, call.tenant)

    def _index(self, call: Call, name: str | None = None) -> tuple[str, ShardedIndex]:
        name = name if name is not None else call.params["index"]
        if not _INDEX_NAME.fullmatch(name):
            raise AlgoliaError(400, f"Invalid index name {name!r}: use 1 to 512 characters, without '/'")
        return name, ShardedIndex(self.context.runtime, f"algolia/{call.tenant}/{name}", shards=self.index_shards)

    async def _existing(
        self, call: Call, name: str | None = None, checked: bool = True
    ) -> tuple[str, ShardedIndex, dict[str, Any]]:
        """The index with its account entry; 404 if there is none. `checked=False` trusts the entry alone
        (a search then answers the 404 itself if the index is gone)."""
        name, index = self._index(call, name)
        entry = await self._account(call).index(name)
        if entry is None or (checked and not await index.exists()):
            raise _index_missing()
        return name, index, entry

    async def _writable(self, call: Call, name: str | None = None) -> tuple[str, ShardedIndex]:
        """The index, created (as any write to Algolia creates it) if it does not exist."""
        name, index = self._index(call, name)
        if not await index.exists():
            await index.create(name, "objectID", any_string_ids=True)
            await index.update_settings(algolia_settings.core_settings({}))
            await self._account(call).add_index(name)
        return name, index

    async def _task(self, call: Call, name: str | None) -> int:
        account = self._account(call)
        if name is not None:
            await account.touch_index(name)
        return await account.record_task(name)

    # -- objects ------------------------------------------------------------------------------------

    async def _save(self, index: ShardedIndex, records: list[dict[str, Any]], partial: bool = False) -> None:
        try:
            await index.add(records, "objectID", partial=partial)
        except SearchError as exc:
            raise AlgoliaError(400, exc.message) from None

    async def save_object(self, call: Call) -> Any:
        record = _record(call.json(), 0, generate_id=True)
        name, index = await self._writable(call)
        await self._save(index, [record])
        task = await self._task(call, name)
        return JSONResponse(
            {"createdAt": timestamp(time.time()), "taskID": task, "objectID": record["objectID"]}, status_code=201
        )

    async def add_or_update_object(self, call: Call) -> Any:
        record = _record(call.json(), 0)
        record["objectID"] = _object_id(call.params["object"])
        name, index = await self._writable(call)
        await self._save(index, [record])
        task = await self._task(call, name)
        return {"updatedAt": timestamp(time.time()), "taskID": task, "objectID": record["objectID"]}

    async def partial_update_object(self, call: Call) -> Any:
        changes = _record(call.json(), 0)
        object_id = _object_id(call.params["object"])
        create = call.query.get("createIfNotExists", "true").lower() != "false"
        name, index = await self._writable(call)
        await self._partial(index, [{**changes, "objectID": object_id}], create)
        task = await self._task(call, name)
        return {"updatedAt": timestamp(time.time()), "taskID": task, "objectID": object_id}

    async def _partial(self, index: ShardedIndex, changes: list[dict[str, Any]], create: bool) -> None:
        updated = []
        for change in changes:
            current = await index.get(change["objectID"])
            if current is None and not create:
                continue
            updated.append(_apply_partial(current or {}, change))
        if updated:
            await self._save(index, updated)

    async def get_object(self, call: Call) -> Any:
        _, index, entry = await self._existing(call)
        record = await index.get(_object_id(call.params["object"]))
        if record is None:
            raise AlgoliaError(404, "ObjectID does not exist")
        retrieve = call.query.get("attributesToRetrieve")
        return _retrieved(record, retrieve.split(",") if retrieve else None, entry["settings"])

    async def get_objects(self, call: Call) -> Any:
        body = _object(call.json())
        requests = body.get("requests")
        if not isinstance(requests, list):
            raise AlgoliaError(400, "Missing requests in body")
        results = []
        for request in requests:
            if not isinstance(request, dict) or not isinstance(request.get("indexName"), str):
                raise AlgoliaError(400, "Each request needs indexName and objectID")
            call.require("search", request["indexName"])
            try:
                _, index, entry = await self._existing(call, request["indexName"])
            except AlgoliaError:
                results.append(None)
                continue
            record = await index.get(_object_id(request.get("objectID")))
            results.append(
                None if record is None else _retrieved(record, request.get("attributesToRetrieve"), entry["settings"])
            )
        return {"results": results}

    async def delete_object(self, call: Call) -> Any:
        name, index = self._index(call)
        object_id = _object_id(call.params["object"])
        exists = await index.exists()
        if exists:
            await index.delete([object_id])
        task = await self._task(call, name if exists else None)
        return {"deletedAt": timestamp(time.time()), "taskID": task}

    async def clear_objects(self, call: Call) -> Any:
        name, index = self._index(call)
        if await index.exists():
            await index.delete_where(None)
        return {"updatedAt": timestamp(time.time()), "taskID": await self._task(call, name)}

    async def delete_by(self, call: Call) -> Any:
        _, index, _ = await self._existing(call)
        params = _search_params(call.json())
        tree = _filters(params)
        if tree is None:
            raise AlgoliaError(400, "deleteByQuery needs filters, facetFilters, numericFilters or tagFilters")
        try:
            await index.delete_where(tree)
        except SearchError as exc:
            raise AlgoliaError(400, exc.message) from None
        return {"updatedAt": timestamp(time.time()), "taskID": await self._task(call, call.params["index"])}

    async def _apply_batch(self, call: Call, name: str, requests: list[dict[str, Any]]) -> list[str]:
        """Apply one index's batch operations in order; the object ids they touched.

        Consecutive whole-record writes go to the index in one call (one transaction of the object).
        """
        object_ids: list[str] = []
        _, index = await self._writable(call, name)
        pending: list[dict[str, Any]] = []
        for request in requests:
            action = request.get("action")
            body: Any = request.get("body")  # its shape was checked with the whole batch, before any applied
            if action in ("addObject", "updateObject"):
                call.require("addObject", name)
                pending.append(body)
                object_ids.append(body["objectID"])
                continue
            if pending:
                await self._save(index, pending)
                pending = []
            if action in ("partialUpdateObject", "partialUpdateObjectNoCreate"):
                call.require("addObject", name)
                await self._partial(index, [body], action == "partialUpdateObject")
                object_ids.append(body["objectID"])
            elif action in ("deleteObject", "delete", "clear"):
                call.require("deleteObject", name)
                if action == "deleteObject":
                    object_id = _object_id(body.get("objectID") if isinstance(body, dict) else None)
                    await index.delete([object_id])
                    object_ids.append(object_id)
                else:
                    await index.delete_where(None)
        if pending:
            await self._save(index, pending)
        return object_ids

    def _batch_requests(self, body: Any) -> list[dict[str, Any]]:
        """A batch's operations, every one checked before any is applied (a bad one refuses the batch)."""
        requests = _object(body).get("requests")
        if not isinstance(requests, list) or not all(isinstance(r, dict) for r in requests):
            raise AlgoliaError(400, "Missing requests in body")
        for position, request in enumerate(requests):
            action, body = request.get("action"), request.get("body")
            if action in ("addObject", "updateObject", "partialUpdateObject", "partialUpdateObjectNoCreate"):
                record = _record(body, position, generate_id=action == "addObject")
                if action != "addObject":
                    _object_id(record.get("objectID"))
                request["body"] = record
            elif action == "deleteObject":
                _object_id(body.get("objectID") if isinstance(body, dict) else None)
            elif action not in ("delete", "clear"):
                raise AlgoliaError(
                    400,
                    f"Invalid action {action!r} at position {position}: use addObject, updateObject, "
                    "partialUpdateObject, partialUpdateObjectNoCreate, deleteObject, delete or clear",
                )
        return requests

    async def batch(self, call: Call) -> Any:
        requests = self._batch_requests(call.json())
        name = call.params["index"]
        object_ids = await self._apply_batch(call, name, requests)
        return {"taskID": await self._task(call, name), "objectIDs": object_ids}

    async def multiple_batch(self, call: Call) -> Any:
        requests = self._batch_requests(call.json())
        grouped: dict[str, list[dict[str, Any]]] = {}
        for request in requests:
            name = request.get("indexName")
            if not isinstance(name, str):
                raise AlgoliaError(400, "Each request needs an indexName")
            grouped.setdefault(name, []).append(request)
        tasks, object_ids = {}, []
        for name, items in grouped.items():
            object_ids.extend(await self._apply_batch(call, name, items))
            tasks[name] = await self._task(call, name)
        return {"taskID": tasks, "objectIDs": object_ids}

    # -- search -------------------------------------------------------------------------------------

    async def _search(self, call: Call, name: str, params: dict[str, Any], browse: bool = False) -> dict[str, Any]:
        _, index, entry = await self._existing(call, name, checked=False)
        settings = algolia_settings.effective(entry["settings"])
        text = params.get("query", "")
        if not isinstance(text, str):
            raise AlgoliaError(400, "query: expected a string")
        hits_per_page = _integer(params, "hitsPerPage", 1000 if browse else settings["hitsPerPage"])
        if not 0 <= hits_per_page <= MAX_HITS_PER_PAGE:
            raise AlgoliaError(400, f"hitsPerPage must be between 0 and {MAX_HITS_PER_PAGE}")
        page = _integer(params, "page", 0)
        offset = page * hits_per_page
        if "offset" in params or "length" in params:
            offset, hits_per_page = _integer(params, "offset", 0), _integer(params, "length", hits_per_page)
        limited = settings["paginationLimitedTo"]
        limit = hits_per_page if browse else max(0, min(hits_per_page, limited - offset))
        faceting = algolia_settings.facet_names(settings["attributesForFaceting"])
        asked_facets = _strings(params, "facets")
        facets = [] if browse else (faceting if "*" in asked_facets else [f for f in asked_facets if f in faceting])
        highlight = _strings(params, "attributesToHighlight", settings["attributesToHighlight"])
        searchable = algolia_settings.attribute_names(settings["searchableAttributes"])
        highlight_names = ["*"] if highlight == ["*"] or (not highlight and not searchable) else highlight or searchable
        pre = str(params.get("highlightPreTag", settings["highlightPreTag"]))
        post = str(params.get("highlightPostTag", settings["highlightPostTag"]))
        typo = params.get("typoTolerance", settings["typoTolerance"])
        query_type = params.get("queryType", settings["queryType"])
        remove_words = params.get("removeWordsIfNoResults", settings["removeWordsIfNoResults"])
        query = SearchQuery(
            q=text,
            filter=_filters(params),
            facets=facets,
            offset=offset,
            limit=limit,
            attributes_to_highlight=[] if browse or not text else highlight_names,
            highlight_pre=pre,
            highlight_post=post,
            matching_strategy="last" if remove_words == "lastWords" else "all",
            prefix=query_type != "prefixNone",
            typos=typo not in (False, "false"),
            check_attributes=False,
        )
        try:
            result = await index.search(query)
        except SearchError as exc:
            raise (_index_missing() if exc.code == "index_not_found" else AlgoliaError(400, exc.message)) from None
        retrieve = _strings(params, "attributesToRetrieve", settings["attributesToRetrieve"])
        query_words = words(text)
        hits = []
        for hit in result["hits"]:
            formatted = hit.pop("_formatted", None)
            shown = _retrieved(hit, retrieve or None, entry["settings"])
            if formatted is not None and not browse:
                shown["_highlightResult"] = {
                    attribute: converted
                    for attribute, value in formatted.items()
                    if (highlight_names == ["*"] or attribute in highlight_names)
                    and attribute != "objectID"
                    and not isinstance(hit.get(attribute), int | float)
                    and (converted := _highlight(value, query_words, pre, post)) is not None
                }
            hits.append(shown)
        total = result["total"]
        answer: dict[str, Any] = {
            "hits": hits,
            "nbHits": total,
            "page": page,
            "nbPages": math.ceil(min(total, total if browse else limited) / hits_per_page) if hits_per_page else 0,
            "hitsPerPage": hits_per_page,
            "exhaustiveNbHits": True,
            "exhaustiveTypo": True,
            "exhaustive": {"nbHits": True, "typo": True},
            "query": text,
            "params": urlencode({k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}),
            "processingTimeMS": result["processingTimeMs"],
        }
        if facets:
            limit_values = _integer(params, "maxValuesPerFacet", settings["maxValuesPerFacet"])
            answer["facets"] = {
                attribute: dict(sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit_values])
                for attribute, counts in result["facets"].items()
            }
            answer["facets_stats"] = result["facetStats"]
        if browse and offset + len(hits) < total:
            cursor = {key: value for key, value in params.items() if key != "cursor"}
            cursor.update(offset=offset + len(hits), length=hits_per_page)
            answer["cursor"] = base64.urlsafe_b64encode(json.dumps(cursor).encode()).decode()
        return answer

    async def search(self, call: Call) -> Any:
        return await self._search(call, call.params["index"], _search_params(call.json()))

    async def multiple_queries(self, call: Call) -> Any:
        body = _object(call.json())
        requests = body.get("requests")
        if not isinstance(requests, list):
            raise AlgoliaError(400, "Missing requests in body")
        results = []
        for request in requests:
            if not isinstance(request, dict) or not isinstance(request.get("indexName"), str):
                raise AlgoliaError(400, "Each request needs an indexName")
            if request.get("type", "default") != "default":
                raise AlgoliaError(400, "Searching for facet values is not supported by this server")
            name = request["indexName"]
            call.require("search", name)
            params = _search_params({k: v for k, v in request.items() if k not in ("indexName", "type")})
            results.append({**await self._search(call, name, params), "index": name})
        return {"results": results}

    async def browse(self, call: Call) -> Any:
        params = _search_params(call.json()) if call.body.strip() else dict(call.query)
        cursor = params.get("cursor")
        if cursor:
            try:
                params = {**json.loads(base64.urlsafe_b64decode(str(cursor).encode())), "cursor": cursor}
            except ValueError:
                raise AlgoliaError(400, "Invalid cursor") from None
        return await self._search(call, call.params["index"], params, browse=True)

    # -- settings -----------------------------------------------------------------------------------

    async def get_settings(self, call: Call) -> Any:
        _, _, entry = await self._existing(call)
        return {**algolia_settings.effective(entry["settings"]), "version": 2}

    async def set_settings(self, call: Call) -> Any:
        changes = call.json()
        name, index = self._index(call)
        account = self._account(call)
        entry = await account.index(name)
        try:
            updated = algolia_settings.merged(entry["settings"] if entry else {}, changes)
        except algolia_settings.AlgoliaSettingsError as exc:
            raise AlgoliaError(400, str(exc)) from None
        name, index = await self._writable(call, name)
        try:
            await index.update_settings(algolia_settings.core_settings(updated))
        except SearchError as exc:
            raise AlgoliaError(400, exc.message) from None
        await account.set_settings(name, updated)
        return {"updatedAt": timestamp(time.time()), "taskID": await self._task(call, name)}

    # -- indexes and tasks --------------------------------------------------------------------------

    async def list_indices(self, call: Call) -> Any:
        items = []
        for entry in await self._account(call).indexes():
            if call.indexes and not any(_matches(pattern, entry["name"]) for pattern in call.indexes):
                continue
            _, index = self._index(call, entry["name"])
            count = (await index.info())["numberOfDocuments"] if await index.exists() else 0
            items.append(
                {
                    "name": entry["name"],
                    "createdAt": timestamp(entry["createdAt"]),
                    "updatedAt": timestamp(entry["updatedAt"]),
                    "entries": count,
                    "dataSize": 0,
                    "fileSize": 0,
                    "lastBuildTimeS": 0,
                    "numberOfPendingTasks": 0,
                    "pendingTask": False,
                }
            )
        return {"items": items, "nbPages": 1}

    async def delete_index(self, call: Call) -> Any:
        name, index = self._index(call)
        if await index.exists():
            await index.drop()
        await self._account(call).remove_index(name)
        return {"deletedAt": timestamp(time.time()), "taskID": await self._task(call, None)}

    async def get_task(self, call: Call) -> Any:
        return await self.get_app_task(call)

    async def get_app_task(self, call: Call) -> Any:
        task = call.params["task"]
        if not task.isdigit() or not await self._account(call).task_exists(int(task)):
            raise AlgoliaError(404, "Task does not exist")
        return {"status": "published", "pendingTask": False}

    # -- keys ---------------------------------------------------------------------------------------

    def _key_fields(self, body: Any) -> tuple[list[str], list[str], str, int]:
        body = _object(body)
        acl = body.get("acl")
        if not isinstance(acl, list) or not all(isinstance(a, str) and a in ACLS for a in acl):
            raise AlgoliaError(400, f"Invalid ACL: use some of {', '.join(sorted(ACLS))}")
        indexes = body.get("indexes") or []
        if not isinstance(indexes, list) or not all(isinstance(i, str) for i in indexes):
            raise AlgoliaError(400, "indexes: expected an array of strings")
        description = body.get("description") or ""
        validity = body.get("validity") or 0
        if not isinstance(description, str) or isinstance(validity, bool) or not isinstance(validity, int):
            raise AlgoliaError(400, "description must be a string and validity an integer")
        return acl, indexes, description, validity

    async def list_keys(self, call: Call) -> Any:
        return {"keys": await self._account(call).keys()}

    async def add_key(self, call: Call) -> Any:
        key = await self._account(call).create_key(*self._key_fields(call.json()))
        return {"key": key["value"], "createdAt": timestamp(key["createdAt"])}

    async def get_key(self, call: Call) -> Any:
        key = await self._account(call).key(call.params["key"])
        if key is None or (call.acl is not None and key["value"] != call.params["key"]):
            raise AlgoliaError(404, "Key does not exist")
        return key

    async def update_key(self, call: Call) -> Any:
        key = await self._account(call).update_key(call.params["key"], *self._key_fields(call.json()))
        if key is None:
            raise AlgoliaError(404, "Key does not exist")
        return {"key": key["value"], "updatedAt": timestamp(time.time())}

    async def delete_key(self, call: Call) -> Any:
        if not await self._account(call).delete_key(call.params["key"]):
            raise AlgoliaError(404, "Key does not exist")
        return {"deletedAt": timestamp(time.time())}


def _object(body: Any) -> dict[str, Any]:
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise AlgoliaError(400, "Invalid body: expected a JSON object")
    return body


def _object_id(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value or len(value.encode()) > 512:
        raise AlgoliaError(400, f"Invalid objectID {value!r}: it must be a non-empty string of up to 512 bytes")
    return value


def _record(body: Any, position: int, generate_id: bool = False) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise AlgoliaError(400, f"Record at the position {position} is not a JSON object")
    record = dict(body)
    if "objectID" in record:
        record["objectID"] = _object_id(record["objectID"])
    elif generate_id:
        record["objectID"] = uuid.uuid4().hex
    size = len(json.dumps(record, ensure_ascii=False).encode())
    if size > MAX_RECORD:
        raise AlgoliaError(
            400,
            f"Record at the position {position} objectID={record.get('objectID')} is too big size={size}/{MAX_RECORD} "
            "bytes. Please have a look at https://www.algolia.com/doc/guides/sending-and-managing-data/"
            "prepare-your-data/in-depth/index-and-records-size-and-usage-limitations/#record-size-limits",
        )
    return record


_OPERATIONS = {"Increment", "Decrement", "Add", "Remove", "AddUnique", "IncrementFrom", "IncrementSet"}


def _apply_partial(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """`current` with `changes` applied, as Algolia's partial update does (with its built-in operations)."""
    updated = dict(current)
    for attribute, change in changes.items():
        if not (isinstance(change, dict) and "_operation" in change):
            updated[attribute] = change
            continue
        operation, value = change.get("_operation"), change.get("value")
        if operation not in _OPERATIONS:
            raise AlgoliaError(400, f"Invalid _operation {operation!r}: use {', '.join(sorted(_OPERATIONS))}")
        old = updated.get(attribute)
        if operation in ("Increment", "Decrement", "IncrementFrom", "IncrementSet"):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise AlgoliaError(400, f"_operation {operation} on {attribute} needs a number")
            base = old if isinstance(old, int | float) and not isinstance(old, bool) else 0
            if operation == "Increment":
                updated[attribute] = base + value
            elif operation == "Decrement":
                updated[attribute] = base - value
            elif operation == "IncrementFrom":
                updated[attribute] = base + 1 if old == value else (value if old is None else old)
            else:
                updated[attribute] = value if old is None or value > base else old
            continue
        items = list(old) if isinstance(old, list) else ([] if old is None else [old])
        if operation == "Add":
            items.append(value)
        elif operation == "AddUnique":
            if value not in items:
                items.append(value)
        else:
            items = [item for item in items if item != value]
        updated[attribute] = items
    return updated


def _retrieved(record: dict[str, Any], retrieve: list[str] | None, settings: dict[str, Any]) -> dict[str, Any]:
    """The attributes of `record` a reader sees: `attributesToRetrieve` (with `-attribute` exclusions), less
    the unretrievable ones; `objectID` always."""
    hidden = set(settings.get("unretrievableAttributes") or [])
    if retrieve is None or "*" in retrieve:
        excluded = {name[1:] for name in retrieve or [] if name.startswith("-")}
        chosen = {k: v for k, v in record.items() if k not in excluded}
    else:
        chosen = {k: v for k, v in record.items() if k in retrieve}
    shown = {k: v for k, v in chosen.items() if k not in hidden}
    shown["objectID"] = record["objectID"]
    return shown


def _highlight(value: Any, query_words: list[str], pre: str, post: str) -> Any:
    """Algolia's `_highlightResult` entry for one formatted value (None for values it does not highlight)."""
    if isinstance(value, list):
        items = [_highlight(item, query_words, pre, post) for item in value]
        return [item for item in items if item is not None]
    if isinstance(value, dict):
        return {
            key: converted
            for key, item in value.items()
            if (converted := _highlight(item, query_words, pre, post)) is not None
        }
    if not isinstance(value, str):
        return None
    marked = [fold(part) for part in re.findall(re.escape(pre) + "(.*?)" + re.escape(post), value)]
    matched = [
        word
        for word in query_words
        if any(part == word or part.startswith(word) or within_distance(word, part, 2) for part in marked)
    ]
    level = "none" if not matched else "full" if len(matched) == len(query_words) else "partial"
    return {"value": value, "matchLevel": level, "matchedWords": matched, "fullyHighlighted": False}


def _search_params(body: Any) -> dict[str, Any]:
    """A search's parameters: the JSON fields, with those of a `params` query string folded in."""
    params = dict(_object(body))
    encoded = params.pop("params", None)
    if encoded is not None:
        if not isinstance(encoded, str):
            raise AlgoliaError(400, "params: expected a URL-encoded string")
        for name, values in parse_qs(encoded, keep_blank_values=True).items():
            value: Any = values[-1]
            if value[:1] in ("[", "{") or value in ("true", "false") or re.fullmatch(r"-?\d+", value):
                try:
                    value = json.loads(value)
                except ValueError:
                    pass
            params[name] = value
    unknown = set(params) - SEARCH_PARAMETERS
    if unknown:
        raise AlgoliaError(400, f"Unknown parameter: {sorted(unknown)[0]}")
    return params


def _filters(params: dict[str, Any]) -> Any:
    try:
        return parse_parameters(params)
    except AlgoliaFilterError as exc:
        raise AlgoliaError(400, str(exc)) from None


def _strings(params: dict[str, Any], name: str, default: list[str] | None = None) -> list[str]:
    value = params.get(name, default)
    if value is None:
        return []
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise AlgoliaError(400, f"{name}: expected an array of strings")
    return value


def _integer(params: dict[str, Any], name: str, default: int) -> int:
    value = params.get(name, default)
    if isinstance(value, str) and re.fullmatch(r"\d+", value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise AlgoliaError(400, f"{name}: expected a non-negative integer, not {value!r}")
    return value


def _expired(key: dict[str, Any]) -> bool:
    return bool(key["validity"]) and key["createdAt"] + key["validity"] < time.time()


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def build(context: CompatContext) -> AlgoliaApp:
    """The Algolia app on `context`'s runtime."""
    return AlgoliaApp(context)
