"""Typesense's HTTP API as an ASGI app: collections with schemas, documents (single and JSONL import), search, keys.

Each collection is a `SearchIndex` object (`typesense/<tenant>/<name>`) whose searchable attributes
are the schema's string fields; each tenant's schemas and keys are its `TypesenseAccount`. The key
is sent as `X-TYPESENSE-API-KEY`: a dotdo access key's id followed by its secret, or a key made with
`POST /keys` (limited to its actions and collections). Errors are `{"message": ...}` with
Typesense's status codes, which the client turns into its exceptions.
"""

from __future__ import annotations

import hmac
import json
import logging
import math
import re
import time
import uuid
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote

from starlette.responses import JSONResponse, Response

from ..credentials import TENANT_PATTERN
from ..request_body import read_body
from ..search import SearchError, SearchQuery, ShardedIndex, SortKey
from ..sharding import check_shard_count
from .account import TypesenseAccount
from .call import Call, Handler, TypesenseError, refuse_json_constant
from .curation import CuratedSearch, curated_search
from .filter_syntax import FilterSyntaxError, parse
from .filter_syntax import unquote as unquote_value
from .rules_api import RulesApi

if TYPE_CHECKING:
    from starlette.types import Receive, Scope, Send

    from ...runtime.stub import Stub
    from ..layer import CompatContext

log = logging.getLogger("dotdo.compat.typesense")

MAX_BODY = 100 * 1024 * 1024
TYPES = {"string", "int32", "int64", "float", "bool", "auto", "string*", "object", "geopoint"}
_NAME = re.compile(r"[A-Za-z0-9_.-]{1,255}")
_ACCESS_KEY_LENGTH = 20


VERSION = "30.0"
"""The Typesense release whose API this layer follows, as `GET /debug` reports it."""


def _base_type(kind: str) -> str:
    return kind[:-2] if kind.endswith("[]") else kind


def _check_schema_fields(fields: Any) -> list[dict[str, Any]]:
    if not isinstance(fields, list) or not fields:
        raise TypesenseError(400, "Parameter `fields` is required.")
    checked = []
    for field in fields:
        if (
            not isinstance(field, dict)
            or not isinstance(field.get("name"), str)
            or not isinstance(field.get("type"), str)
        ):
            raise TypesenseError(
                400, "Wrong format for `fields`. It should be an array of objects with `name` and `type`."
            )
        if _base_type(field["type"]) not in TYPES:
            raise TypesenseError(400, f"Field `{field['name']}` has an invalid data type `{field['type']}`.")
        numeric = _base_type(field["type"]) in ("int32", "int64", "float")
        checked.append(
            {
                "name": field["name"],
                "type": field["type"],
                "facet": bool(field.get("facet", False)),
                "optional": bool(field.get("optional", field["type"] == "auto")),
                "index": bool(field.get("index", True)),
                "sort": bool(field.get("sort", numeric or field["type"] == "bool")),
                "infix": False,
                "locale": "",
                "stem": False,
                "stem_dictionary": "",
                "truncate_len": 100,
                "store": True,
            }
        )
        if field.get("stem") or field.get("stem_dictionary") or field.get("store") is False:
            raise TypesenseError(400, f"Field `{field['name']}`: stemming and `store: false` are not supported here.")
    return checked


_FIELD_DEFAULTS = {"stem": False, "stem_dictionary": "", "truncate_len": 100, "store": True}
"""What Typesense shows of a field's attributes this layer does not vary (older stored schemas lack them)."""


class TypesenseApp:
    """Typesense's routes on the runtime of `context`."""

    def __init__(self, context: CompatContext) -> None:
        self.context = context
        self.index_shards = check_shard_count("index_shards", context.options.get("index_shards", 1))
        self.rules = RulesApi(self._account, self._schema, self._apply_synonyms, context.folder)
        collection = "/collections/(?P<name>[^/]+)"
        self.routes: list[tuple[str, re.Pattern[str], str | None, Handler]] = []
        for method, path, action, handler in [
            ("GET", "/health", None, self.health),
            ("GET", "/debug", "debug:list", self.debug),
            ("GET", "/collections", "collections:list", self.list_collections),
            ("POST", "/collections", "collections:create", self.create_collection),
            ("GET", collection, "collections:get", self.get_collection),
            ("PATCH", collection, "collections:update", self.update_collection),
            ("DELETE", collection, "collections:delete", self.delete_collection),
            ("POST", collection + "/documents", "documents:create", self.create_document),
            ("DELETE", collection + "/documents", "documents:delete", self.delete_by_filter),
            ("PATCH", collection + "/documents", "documents:update", self.update_by_filter),
            ("POST", collection + "/documents/import", "documents:import", self.import_documents),
            ("GET", collection + "/documents/export", "documents:export", self.export_documents),
            ("GET", collection + "/documents/search", "documents:search", self.search),
            ("GET", collection + "/documents/(?P<id>[^/]+)", "documents:get", self.get_document),
            ("PATCH", collection + "/documents/(?P<id>[^/]+)", "documents:update", self.update_document),
            ("DELETE", collection + "/documents/(?P<id>[^/]+)", "documents:delete", self.delete_document),
            ("POST", "/multi_search", "documents:search", self.multi_search),
            ("GET", "/keys", "keys:list", self.list_keys),
            ("POST", "/keys", "keys:create", self.create_key),
            ("GET", "/keys/(?P<id>[^/]+)", "keys:get", self.get_key),
            ("DELETE", "/keys/(?P<id>[^/]+)", "keys:delete", self.delete_key),
            *self.rules.routes(collection),
        ]:
            self.routes.append((method, re.compile(path + "/?"), action, handler))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        try:
            result = await self._respond(scope, receive)
            response = result if isinstance(result, Response) else JSONResponse(result)
        except TypesenseError as exc:
            response = JSONResponse({"message": exc.message}, status_code=exc.status)
        except Exception:
            log.exception("Typesense request failed")
            response = JSONResponse({"message": "Internal server error."}, status_code=500)
        await response(scope, receive, send)

    async def _respond(self, scope: Scope, receive: Receive) -> Any:
        path: str = scope["path"]
        for method, pattern, action, handler in self.routes:
            match = pattern.fullmatch(path)
            if match is None or method != scope["method"]:
                continue
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
            body = await read_body(receive, MAX_BODY, lambda: TypesenseError(413, "Request body is too large."))
            params = {k: unquote(v) for k, v in match.groupdict().items()}
            query = {
                k: v[-1] for k, v in parse_qs(scope.get("query_string", b"").decode(), keep_blank_values=True).items()
            }
            call = Call("", None, None, params, query, body)
            if action is not None:
                await self._authenticate(
                    call, headers.get("x-typesense-api-key") or query.get("x-typesense-api-key", "")
                )
                if not call.allows(action, params.get("name")):
                    raise TypesenseError(401, "Forbidden - a valid `x-typesense-api-key` header must be sent.")
                if "name" in params:
                    params["name"] = await self._account(call.tenant).resolve(params["name"])
            return await handler(call)
        raise TypesenseError(404, "Not Found")

    async def _authenticate(self, call: Call, token: str) -> None:
        tenant, _, _ = token.partition("_")
        if _ and TENANT_PATTERN.fullmatch(tenant):
            key = await self._account(tenant).key_by_value(token)
            if key is None or not hmac.compare_digest(key["value"], token) or key["expires_at"] < time.time():
                raise TypesenseError(401, "Forbidden - a valid `x-typesense-api-key` header must be sent.")
            call.tenant, call.actions, call.collections = tenant, key["actions"], key["collections"]
            return
        access = (
            self.context.credentials.lookup(token[:_ACCESS_KEY_LENGTH]) if len(token) > _ACCESS_KEY_LENGTH else None
        )
        if (
            access is None
            or access.secret is None
            or not hmac.compare_digest(access.secret, token[_ACCESS_KEY_LENGTH:])
            or not access.allows("typesense")
        ):
            raise TypesenseError(401, "Forbidden - a valid `x-typesense-api-key` header must be sent.")
        call.tenant = access.tenant

    def _account(self, tenant: str) -> Stub:
        return self.context.runtime.get(TypesenseAccount, tenant)

    def _index(self, call: Call, name: str | None = None) -> ShardedIndex:
        name = f"typesense/{call.tenant}/{name or call.params['name']}"
        return ShardedIndex(self.context.runtime, name, shards=self.index_shards)

    async def _apply_synonyms(self, call: Call, synonyms: dict[str, list[str]]) -> None:
        await self._index(call).update_settings({"synonyms": synonyms})

    async def _schema(self, call: Call, name: str | None = None) -> dict[str, Any]:
        name = name or call.params["name"]
        schema = await self._account(call.tenant).collection(name)
        if schema is None:
            raise TypesenseError(404, f"Collection `{name}` not found.")
        return schema

    async def health(self, call: Call) -> Any:
        return {"ok": True}

    async def debug(self, call: Call) -> Any:
        # State 1 is a leader that accepts writes: every dotdo server does.
        return {"state": 1, "version": VERSION}

    # -- collections --------------------------------------------------------------------------------

    async def _view(self, call: Call, schema: dict[str, Any]) -> dict[str, Any]:
        count = (await self._index(call, schema["name"]).info())["numberOfDocuments"]
        fields = [{**_FIELD_DEFAULTS, **field} for field in schema["fields"]]
        return {**schema, "fields": fields, "num_documents": count, "synonym_sets": [], "curation_sets": []}

    async def list_collections(self, call: Call) -> Any:
        return [await self._view(call, schema) for schema in await self._account(call.tenant).collections()]

    def _settings(self, fields: list[dict[str, Any]]) -> dict[str, Any]:
        strings = [f["name"] for f in fields if _base_type(f["type"]) in ("string", "string*") and f["index"]]
        wildcard = any(f["name"] == ".*" for f in fields)
        return {
            "searchableAttributes": ["*"] if wildcard or not strings else strings,
            "faceting": {"maxValuesPerFacet": 100_000},
            "pagination": {"maxTotalHits": 1_000_000},
        }

    async def create_collection(self, call: Call) -> Any:
        body = call.json()
        if not isinstance(body, dict) or not isinstance(body.get("name"), str):
            raise TypesenseError(400, "Parameter `name` is required.")
        name = body["name"]
        if not _NAME.fullmatch(name):
            raise TypesenseError(400, f"Collection name `{name}` is invalid.")
        fields = _check_schema_fields(body.get("fields"))
        sorting = body.get("default_sorting_field") or ""
        if sorting and sorting not in {f["name"] for f in fields if f["sort"]}:
            raise TypesenseError(
                400, f"Default sorting field is defined as `{sorting}` but is not found in the schema."
            )
        schema = {
            "name": name,
            "fields": fields,
            "default_sorting_field": sorting,
            "enable_nested_fields": False,
            "token_separators": [],
            "symbols_to_index": [],
        }
        if not await self._account(call.tenant).add_collection(name, schema):
            raise TypesenseError(409, f"A collection with name `{name}` already exists.")
        index = self._index(call, name)
        if await index.exists():
            await index.drop()
        await index.create(name, "id")
        await index.update_settings(self._settings(fields))
        return JSONResponse(await self._view(call, await self._schema(call, name)), status_code=201)

    async def get_collection(self, call: Call) -> Any:
        return await self._view(call, await self._schema(call))

    async def update_collection(self, call: Call) -> Any:
        schema = await self._schema(call)
        body = call.json()
        if not isinstance(body, dict) or not isinstance(body.get("fields"), list):
            raise TypesenseError(400, "Parameter `fields` is required.")
        fields = list(schema["fields"])
        added = []
        for field in body["fields"]:
            if isinstance(field, dict) and field.get("drop"):
                fields = [f for f in fields if f["name"] != field.get("name")]
            else:
                added.extend(_check_schema_fields([field]))
        fields.extend(added)
        updated = {k: v for k, v in schema.items() if k != "created_at"}
        updated["fields"] = fields
        await self._account(call.tenant).set_schema(schema["name"], updated)
        await self._index(call).update_settings(self._settings(fields))
        shown = iter(added)
        return {
            "fields": [
                field if field.get("drop") else {**_FIELD_DEFAULTS, **next(shown)}
                for field in body["fields"]
                if isinstance(field, dict)
            ]
        }

    async def delete_collection(self, call: Call) -> Any:
        view = await self._view(call, await self._schema(call))
        await self._index(call).drop()
        await self._account(call.tenant).remove_collection(view["name"])
        return view

    # -- documents ----------------------------------------------------------------------------------

    def _checked(self, schema: dict[str, Any], document: Any, partial: bool) -> dict[str, Any]:
        if not isinstance(document, dict):
            raise TypesenseError(400, "Bad JSON: the document must be an object.")
        if "id" in document and not isinstance(document["id"], str):
            raise TypesenseError(400, "Document's `id` field should be a string.")
        for field in schema["fields"]:
            name, kind = field["name"], field["type"]
            if name == ".*" or kind in ("auto", "string*"):
                continue
            if name not in document or document[name] is None:
                if not field["optional"] and not partial:
                    raise TypesenseError(
                        400, f"Field `{name}` has been declared in the schema, but is not found in the document."
                    )
                continue
            if not _fits(document[name], kind):
                raise TypesenseError(
                    400, f"Field `{name}` must be {'an array of ' if kind.endswith('[]') else 'a'} {_base_type(kind)}."
                )
        return document

    async def _write(
        self, call: Call, schema: dict[str, Any], documents: list[Any], action: str
    ) -> list[dict[str, Any]]:
        """Write documents by `action`; one outcome per document ({"success": ...}), each on its own."""
        if action not in ("create", "upsert", "update", "emplace"):
            raise TypesenseError(400, "The `action` parameter must be one of create, upsert, update or emplace.")
        index = self._index(call, schema["name"])
        outcomes: list[dict[str, Any]] = []
        valid: list[tuple[int, dict[str, Any]]] = []
        for document in documents:
            try:
                checked = self._checked(schema, document, partial=action in ("update", "emplace"))
                if "id" not in checked:
                    if action == "update":
                        raise TypesenseError(400, "For update, the `id` key must be provided.")
                    checked = {"id": uuid.uuid4().hex[:16], **checked}
                outcomes.append({"success": True, "id": checked["id"]})
                valid.append((len(outcomes) - 1, checked))
            except TypesenseError as exc:
                outcomes.append(
                    {"success": False, "error": exc.message, "code": exc.status, "document": json.dumps(document)}
                )
        ids = [doc["id"] for _, doc in valid]
        existing = (
            {str(d["id"]) for d in (await index.documents(0, len(ids) + 1, None, ids))["results"]} if ids else set()
        )
        writes: list[dict[str, Any]] = []
        for position, document in valid:
            if action == "create" and document["id"] in existing:
                outcomes[position] = {
                    "success": False,
                    "error": f"A document with id {document['id']} already exists.",
                    "code": 409,
                    "document": json.dumps(document),
                }
            elif action == "update" and document["id"] not in existing:
                outcomes[position] = {
                    "success": False,
                    "error": f"Could not find a document with id: {document['id']}",
                    "code": 404,
                    "document": json.dumps(document),
                }
            else:
                writes.append(document)
                existing.add(document["id"])
        if writes:
            try:
                await index.add(writes, "id", partial=action in ("update", "emplace"))
            except SearchError as exc:
                raise TypesenseError(400, exc.message) from None
        return outcomes

    async def create_document(self, call: Call) -> Any:
        schema = await self._schema(call)
        document = call.json()
        [outcome] = await self._write(call, schema, [document], call.query.get("action", "create"))
        if not outcome["success"]:
            raise TypesenseError(outcome["code"], outcome["error"])
        return await self._index(call).get(outcome["id"])

    async def import_documents(self, call: Call) -> Any:
        schema = await self._schema(call)
        documents: list[Any] = []
        for line in call.body.decode("utf-8", "replace").splitlines():
            if not line.strip():
                continue
            try:
                documents.append(json.loads(line, parse_constant=refuse_json_constant))
            except ValueError:
                documents.append(line)
        outcomes = await self._write(call, schema, documents, call.query.get("action", "create"))
        hidden = {"code"} if call.query.get("return_id") == "true" else {"code", "id"}
        lines = [json.dumps({k: v for k, v in o.items() if k not in hidden}) for o in outcomes]
        return Response("\n".join(lines), media_type="text/plain")

    async def export_documents(self, call: Call) -> Any:
        await self._schema(call)
        documents = (await self._index(call).documents(0, 10_000_000))["results"]
        return Response("\n".join(json.dumps(d) for d in documents), media_type="text/plain")

    async def get_document(self, call: Call) -> Any:
        await self._schema(call)
        document = await self._index(call).get(call.params["id"])
        if document is None:
            raise TypesenseError(404, f"Could not find a document with id: {call.params['id']}")
        return document

    async def update_document(self, call: Call) -> Any:
        schema = await self._schema(call)
        changes = call.json()
        if not isinstance(changes, dict):
            raise TypesenseError(400, "Bad JSON: the document must be an object.")
        document = {**changes, "id": call.params["id"]}
        [outcome] = await self._write(call, schema, [document], "update")
        if not outcome["success"]:
            raise TypesenseError(outcome["code"], outcome["error"])
        return await self._index(call).get(call.params["id"])

    async def delete_document(self, call: Call) -> Any:
        await self._schema(call)
        if call.query.get("ignore_not_found") == "true" and await self._index(call).get(call.params["id"]) is None:
            return {"id": call.params["id"]}
        document = await self.get_document(call)
        await self._index(call).delete([call.params["id"]])
        return document

    def _filter(self, schema: dict[str, Any], text: str | None) -> Any:
        types = {f["name"]: _base_type(f["type"]) for f in schema["fields"]}

        def typed(field: str, raw: str) -> Any:
            value = unquote_value(raw)
            kind = types.get(field)
            if kind is None and ".*" not in types:
                raise FilterSyntaxError(f"Could not find a filter field named `{field}` in the schema.")
            if kind in ("int32", "int64", "float") or (
                kind in (None, "auto") and re.fullmatch(r"-?\d+(\.\d+)?", value)
            ):
                try:
                    number = float(value)
                except ValueError:
                    raise FilterSyntaxError(f"Error with filter field `{field}`: Not an {kind}.") from None
                if not math.isfinite(number):
                    raise FilterSyntaxError(f"Error with filter field `{field}`: Not a finite number.")
                return int(number) if number.is_integer() else number
            if kind == "bool" or (kind in (None, "auto") and value in ("true", "false")):
                if value not in ("true", "false"):
                    raise FilterSyntaxError(f"Value of filter field `{field}` must be `true` or `false`.")
                return value == "true"
            return value

        try:
            return parse(text, typed)
        except FilterSyntaxError as exc:
            raise TypesenseError(400, str(exc)) from None

    async def delete_by_filter(self, call: Call) -> Any:
        schema = await self._schema(call)
        tree = self._filter(schema, call.query.get("filter_by"))
        if tree is None:
            raise TypesenseError(400, "Parameter `filter_by` must be provided.")
        return {"num_deleted": await self._index(call).delete_where(tree)}

    async def update_by_filter(self, call: Call) -> Any:
        schema = await self._schema(call)
        tree = self._filter(schema, call.query.get("filter_by"))
        changes = call.json()
        if tree is None or not isinstance(changes, dict):
            raise TypesenseError(400, "Parameter `filter_by` and a JSON object body must be provided.")
        self._checked(schema, changes, partial=True)
        index = self._index(call)
        matching = (await index.documents(0, 10_000_000, tree))["results"]
        if matching:
            await index.add([{**changes, "id": d["id"]} for d in matching], "id", partial=True)
        return {"num_updated": len(matching)}

    # -- search -------------------------------------------------------------------------------------

    async def search(self, call: Call) -> Any:
        return await self._search(call, call.params["name"], call.query)

    async def multi_search(self, call: Call) -> Any:
        body = call.json()
        if not isinstance(body, dict) or not isinstance(body.get("searches"), list):
            raise TypesenseError(400, "Parameter `searches` is required.")
        results = []
        for search in body["searches"]:
            merged = {**call.query, **{k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in search.items()}}
            name = merged.get("collection", "")
            try:
                if not call.allows("documents:search", name):
                    raise TypesenseError(401, "Forbidden - a valid `x-typesense-api-key` header must be sent.")
                collection = await self._account(call.tenant).resolve(name)
                results.append(await self._search(call, collection, merged))
            except TypesenseError as exc:
                results.append({"error": exc.message, "code": exc.status})
        return {"results": results}

    async def _curation(self, account: Stub, name: str, params: dict[str, str]) -> CuratedSearch | None:
        """The search as the collection's overrides and the named stopword set change it (None: they don't)."""
        set_name = params.get("stopwords")
        overrides, stopwords = await account.search_rules(name, set_name, params.get("enable_overrides") != "false")
        if set_name and stopwords is None:
            raise TypesenseError(404, f"Could not find the stopword set named `{set_name}`.")
        if not overrides and not set_name:
            return None
        return curated_search(overrides, params, stopwords, time.time())

    async def _search(self, call: Call, name: str, params: dict[str, str]) -> Any:
        """Search collection `name` (an alias already resolved)."""
        account = self._account(call.tenant)
        schema = await self._schema(call, name)
        fields = {f["name"]: f for f in schema["fields"]}
        q = params.get("q")
        if q is None:
            raise TypesenseError(400, "Parameter `q` is required.")
        curation = await self._curation(account, name, params)
        if curation is not None:
            params = curation.params
            q = params["q"]
        query_by = [f.strip() for f in params.get("query_by", "").split(",") if f.strip()]
        if q != "*" and not query_by:
            raise TypesenseError(400, "Parameter `query_by` is required.")
        for field in query_by:
            if field not in fields and ".*" not in fields:
                raise TypesenseError(404, f"Could not find a field named `{field}` in the schema.")
        facets = [f.strip() for f in params.get("facet_by", "").split(",") if f.strip()]
        for facet in facets:
            if facet not in fields or not fields[facet]["facet"]:
                raise TypesenseError(404, f"Could not find a facet field named `{facet}` in the schema.")
        sort, relevance_first = [], True
        for position, item in enumerate(s.strip() for s in params.get("sort_by", "").split(",") if s.strip()):
            field, _, direction = item.partition(":")
            if direction not in ("asc", "desc"):
                raise TypesenseError(400, f"Order should be either ASC or DESC in `{item}`.")
            if field == "_text_match":
                relevance_first = position == 0
                continue
            if field not in fields or not fields[field]["sort"]:
                raise TypesenseError(404, f"Could not find a field named `{field}` in the schema for sorting.")
            sort.append(SortKey(field, direction == "asc"))
        if not sort and schema.get("default_sorting_field"):
            sort.append(SortKey(schema["default_sorting_field"], False))
            relevance_first = True
        page, per_page = _number(params, "page", 1, 1), _number(params, "per_page", 10, 0)
        if per_page > 250:
            raise TypesenseError(422, "Only upto 250 hits can be fetched per page.")
        start_tag, end_tag = params.get("highlight_start_tag", "<mark>"), params.get("highlight_end_tag", "</mark>")
        typos = params.get("num_typos", "2").split(",")[0].strip() != "0"
        prefix = params.get("prefix", "true").split(",")[0].strip() != "false"
        tree = self._filter(schema, params.get("filter_by"))
        index = self._index(call, name)
        organic_offset, organic_limit, pinned = (page - 1) * per_page, per_page, []
        if curation is not None:
            tree = curation.hiding(tree)
            await curation.fetch_pinned(index)
            organic_offset, organic_limit, pinned = curation.page((page - 1) * per_page, per_page, None)
        query = SearchQuery(
            q="" if q == "*" else q,
            filter=tree,
            facets=facets,
            sort=sort,
            offset=organic_offset,
            limit=organic_limit,
            attributes_to_highlight=query_by if q != "*" else [],
            highlight_pre=start_tag,
            highlight_post=end_tag,
            matching_strategy="last" if _number(params, "drop_tokens_threshold", 1, 0) > 0 else "all",
            prefix=prefix,
            typos=typos,
            check_attributes=False,
            ranking_rules=["words", "typo", "sort"] if relevance_first else ["sort", "words", "typo"],
        )
        started = time.perf_counter()
        try:
            result = await index.search(query)
            if curation is not None:
                # Pinned documents past the end of the other hits follow them: lay the page out again
                # once their number is known.
                laid_out = curation.page((page - 1) * per_page, per_page, result["total"])
                if laid_out != (organic_offset, organic_limit, pinned):
                    organic_offset, organic_limit, pinned = laid_out
                    result = await index.search(replace(query, offset=organic_offset, limit=organic_limit))
        except SearchError as exc:
            raise TypesenseError(400, exc.message) from None
        include = params.get("include_fields")
        exclude = set(params.get("exclude_fields", "").split(",")) - {""}
        hits = []
        if curation is not None:
            result["hits"] = curation.place(result["hits"], (page - 1) * per_page, pinned)
            result["total"] += curation.pinned_found
        for hit in result["hits"]:
            curated = hit.pop("_curated", False)
            formatted = hit.pop("_formatted", {})
            document = {k: v for k, v in hit.items() if (not include or k in include.split(",")) and k not in exclude}
            highlights = []
            for field in query_by:
                snippet = formatted.get(field)
                if isinstance(snippet, str) and start_tag in snippet:
                    tokens = re.findall(re.escape(start_tag) + "(.*?)" + re.escape(end_tag), snippet)
                    highlights.append({"field": field, "snippet": snippet, "matched_tokens": tokens})
            hits.append(
                {
                    "document": document,
                    "highlights": highlights,
                    "highlight": {
                        h["field"]: {"snippet": h["snippet"], "matched_tokens": h["matched_tokens"]} for h in highlights
                    },
                    "text_match": 0,
                    **({"curated": True} if curated else {}),
                }
            )
        limit = _number(params, "max_facet_values", 10, 0)
        facet_counts = []
        for facet in facets:
            counts = sorted(result["facets"].get(facet, {}).items(), key=lambda item: (-item[1], item[0]))
            stats: dict[str, Any] = {"total_values": len(counts)}
            if facet in result["facetStats"]:
                stats.update(result["facetStats"][facet])
            facet_counts.append(
                {
                    "field_name": facet,
                    "counts": [{"count": n, "highlighted": v, "value": v} for v, n in counts[:limit]],
                    "sampled": False,
                    "stats": stats,
                }
            )
        return {
            "facet_counts": facet_counts,
            "found": result["total"],
            "out_of": (await index.info())["numberOfDocuments"],
            "page": page,
            "request_params": {"collection_name": name, "per_page": per_page, "q": q},
            "search_cutoff": False,
            "search_time_ms": int((time.perf_counter() - started) * 1000),
            "hits": hits,
            **({"metadata": curation.metadata} if curation is not None and curation.metadata else {}),
        }

    # -- keys ---------------------------------------------------------------------------------------

    async def list_keys(self, call: Call) -> Any:
        return {"keys": await self._account(call.tenant).keys()}

    async def create_key(self, call: Call) -> Any:
        body = call.json()
        if not isinstance(body, dict):
            raise TypesenseError(400, "Bad JSON.")
        for name in ("actions", "collections"):
            if not isinstance(body.get(name), list) or not all(isinstance(v, str) for v in body[name]):
                raise TypesenseError(400, f"Could not find a `{name}` array of strings in the request body.")
        expires = body.get("expires_at")
        if expires is not None and (isinstance(expires, bool) or not isinstance(expires, int)):
            raise TypesenseError(400, "`expires_at` must be an integer (seconds since the epoch).")
        if body.get("autodelete"):
            raise TypesenseError(400, "`autodelete` is not supported here: an expired key is refused, not deleted.")
        key = await self._account(call.tenant).create_key(
            call.tenant, body.get("description"), body["actions"], body["collections"], expires
        )
        return JSONResponse(key, status_code=201)

    async def get_key(self, call: Call) -> Any:
        if not call.params["id"].isdigit():
            raise TypesenseError(400, "Key id must be an integer.")
        key = await self._account(call.tenant).key(int(call.params["id"]))
        if key is None:
            raise TypesenseError(404, "Key not found.")
        return key

    async def delete_key(self, call: Call) -> Any:
        if not call.params["id"].isdigit() or not await self._account(call.tenant).delete_key(int(call.params["id"])):
            raise TypesenseError(404, "Key not found.")
        return {"id": int(call.params["id"])}


def _fits(value: Any, kind: str) -> bool:
    if kind.endswith("[]"):
        return isinstance(value, list) and all(_fits(item, kind[:-2]) for item in value)
    if kind in ("int32", "int64"):
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "float":
        return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    if kind == "geopoint":
        return isinstance(value, list) and len(value) == 2 and all(isinstance(v, int | float) for v in value)
    return True


def _number(params: dict[str, str], name: str, default: int, minimum: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or int(raw) < minimum:
        raise TypesenseError(400, f"Parameter `{name}` must be an unsigned integer.")
    return int(raw)


def build(context: CompatContext) -> TypesenseApp:
    """The Typesense app on `context`'s runtime."""
    return TypesenseApp(context)
