"""Typesense's routes for aliases, synonyms, overrides, stopword sets and `/metrics.json`.

Aliases (`/aliases/NAME`) name a collection; every collection route accepts one in its place.
Synonyms and overrides belong to a collection (`/collections/NAME/synonyms/ID`, `.../overrides/ID`)
and go with it; stopword sets (`/stopwords/ID`) are the tenant's. All are kept in the tenant's
`TypesenseAccount`; `curation.py` says what they change in a search.
"""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psutil

from .call import Call, Handler, TypesenseError
from .curation import (
    CurationError,
    checked_id,
    checked_override,
    checked_stopwords,
    checked_synonym,
    synonym_map,
)

if TYPE_CHECKING:
    from ...runtime.stub import Stub

_MISSING = "Could not find that `id`."


class RulesApi:
    """The handlers of the rule routes, given how the app reaches a tenant's account and a collection."""

    def __init__(
        self,
        account: Callable[[str], Stub],
        schema: Callable[[Call], Awaitable[dict[str, Any]]],
        apply_synonyms: Callable[[Call, dict[str, list[str]]], Awaitable[None]],
        data_folder: Path,
    ) -> None:
        self._account_of = account
        self._schema = schema
        self._apply_synonyms = apply_synonyms
        self._data_folder = data_folder

    def routes(self, collection: str) -> list[tuple[str, str, str | None, Handler]]:
        """(method, path pattern, action, handler) of every rule route; `collection` is the app's pattern."""
        return [
            ("GET", "/aliases", "aliases:list", self.list_aliases),
            ("PUT", "/aliases/(?P<alias>[^/]+)", "aliases:create", self.put_alias),
            ("GET", "/aliases/(?P<alias>[^/]+)", "aliases:get", self.get_alias),
            ("DELETE", "/aliases/(?P<alias>[^/]+)", "aliases:delete", self.delete_alias),
            ("GET", collection + "/synonyms", "synonyms:list", self.list_synonyms),
            ("PUT", collection + "/synonyms/(?P<id>[^/]+)", "synonyms:create", self.put_synonym),
            ("GET", collection + "/synonyms/(?P<id>[^/]+)", "synonyms:get", self.get_synonym),
            ("DELETE", collection + "/synonyms/(?P<id>[^/]+)", "synonyms:delete", self.delete_synonym),
            ("GET", collection + "/overrides", "overrides:list", self.list_overrides),
            ("PUT", collection + "/overrides/(?P<id>[^/]+)", "overrides:create", self.put_override),
            ("GET", collection + "/overrides/(?P<id>[^/]+)", "overrides:get", self.get_override),
            ("DELETE", collection + "/overrides/(?P<id>[^/]+)", "overrides:delete", self.delete_override),
            ("GET", "/stopwords", "stopwords:list", self.list_stopwords),
            ("PUT", "/stopwords/(?P<id>[^/]+)", "stopwords:create", self.put_stopwords),
            ("GET", "/stopwords/(?P<id>[^/]+)", "stopwords:get", self.get_stopwords),
            ("DELETE", "/stopwords/(?P<id>[^/]+)", "stopwords:delete", self.delete_stopwords),
            ("GET", "/metrics.json", "metrics.json:list", self.metrics),
        ]

    def _account(self, call: Call) -> Stub:
        return self._account_of(call.tenant)

    @staticmethod
    def _id(kind: str, call: Call, group: str = "id") -> str:
        try:
            return checked_id(kind, call.params[group])
        except CurationError as exc:
            raise TypesenseError(400, str(exc)) from None

    @staticmethod
    def _checked(check: Callable[[Any], dict[str, Any]], call: Call) -> dict[str, Any]:
        try:
            return check(call.json())
        except CurationError as exc:
            raise TypesenseError(400, str(exc)) from None

    # -- aliases --------------------------------------------------------------------------------------

    async def list_aliases(self, call: Call) -> Any:
        rules = await self._account(call).rules("alias", "")
        return {"aliases": [{"name": name, **body} for name, body in rules]}

    async def put_alias(self, call: Call) -> Any:
        name = self._id("alias", call, "alias")
        body = call.json()
        if not isinstance(body, dict) or not isinstance(body.get("collection_name"), str):
            raise TypesenseError(400, "Parameter `collection_name` is required.")
        target = {"collection_name": body["collection_name"]}
        await self._account(call).put_rule("alias", "", name, target)
        return {"name": name, **target}

    async def get_alias(self, call: Call) -> Any:
        name = call.params["alias"]
        body = await self._account(call).rule("alias", "", name)
        if body is None:
            raise TypesenseError(404, "Not Found")
        return {"name": name, **body}

    async def delete_alias(self, call: Call) -> Any:
        name = call.params["alias"]
        body = await self._account(call).delete_rule("alias", "", name)
        if body is None:
            raise TypesenseError(404, "Not Found")
        return {"name": name, **body}

    # -- synonyms -------------------------------------------------------------------------------------

    async def _refresh_synonyms(self, call: Call, collection: str) -> None:
        rules = await self._account(call).rules("synonym", collection)
        await self._apply_synonyms(call, synonym_map([body for _, body in rules]))

    async def list_synonyms(self, call: Call) -> Any:
        schema = await self._schema(call)
        rules = await self._account(call).rules("synonym", schema["name"])
        return {"synonyms": [{"id": rule_id, **body} for rule_id, body in rules]}

    async def put_synonym(self, call: Call) -> Any:
        schema = await self._schema(call)
        rule_id = self._id("synonym", call)
        body = self._checked(checked_synonym, call)
        await self._account(call).put_rule("synonym", schema["name"], rule_id, body)
        await self._refresh_synonyms(call, schema["name"])
        return {"id": rule_id, **body}

    async def get_synonym(self, call: Call) -> Any:
        schema = await self._schema(call)
        body = await self._account(call).rule("synonym", schema["name"], call.params["id"])
        if body is None:
            raise TypesenseError(404, _MISSING)
        return {"id": call.params["id"], **body}

    async def delete_synonym(self, call: Call) -> Any:
        schema = await self._schema(call)
        if await self._account(call).delete_rule("synonym", schema["name"], call.params["id"]) is None:
            raise TypesenseError(404, _MISSING)
        await self._refresh_synonyms(call, schema["name"])
        return {"id": call.params["id"]}

    # -- overrides ------------------------------------------------------------------------------------

    async def list_overrides(self, call: Call) -> Any:
        schema = await self._schema(call)
        rules = await self._account(call).rules("override", schema["name"])
        return {"overrides": [{"id": rule_id, **body} for rule_id, body in rules]}

    async def put_override(self, call: Call) -> Any:
        schema = await self._schema(call)
        rule_id = self._id("override", call)
        body = self._checked(checked_override, call)
        await self._account(call).put_rule("override", schema["name"], rule_id, body)
        return {"id": rule_id, **body}

    async def get_override(self, call: Call) -> Any:
        schema = await self._schema(call)
        body = await self._account(call).rule("override", schema["name"], call.params["id"])
        if body is None:
            raise TypesenseError(404, _MISSING)
        return {"id": call.params["id"], **body}

    async def delete_override(self, call: Call) -> Any:
        schema = await self._schema(call)
        if await self._account(call).delete_rule("override", schema["name"], call.params["id"]) is None:
            raise TypesenseError(404, _MISSING)
        return {"id": call.params["id"]}

    # -- stopword sets --------------------------------------------------------------------------------

    async def list_stopwords(self, call: Call) -> Any:
        rules = await self._account(call).rules("stopwords", "")
        return {"stopwords": [{"id": rule_id, **body} for rule_id, body in rules]}

    async def put_stopwords(self, call: Call) -> Any:
        rule_id = self._id("stopword set", call)
        body = self._checked(checked_stopwords, call)
        await self._account(call).put_rule("stopwords", "", rule_id, body)
        return {"id": rule_id, **body}

    async def get_stopwords(self, call: Call) -> Any:
        body = await self._account(call).rule("stopwords", "", call.params["id"])
        if body is None:
            raise TypesenseError(404, f"Stopword `{call.params['id']}` not found.")
        return {"stopwords": {"id": call.params["id"], **body}}

    async def delete_stopwords(self, call: Call) -> Any:
        if await self._account(call).delete_rule("stopwords", "", call.params["id"]) is None:
            raise TypesenseError(404, f"Stopword `{call.params['id']}` not found.")
        return {"id": call.params["id"]}

    # -- metrics --------------------------------------------------------------------------------------

    async def metrics(self, call: Call) -> Any:
        """The server's figures under Typesense's names (as strings, as Typesense gives them): the
        machine's CPU, memory, disk (of the data folder) and network, and this process's memory."""
        memory = psutil.virtual_memory()
        disk = shutil.disk_usage(next(p for p in (self._data_folder, *self._data_folder.parents) if p.exists()))
        network = psutil.net_io_counters()
        process = psutil.Process().memory_info()
        figures: dict[str, Any] = {
            "system_cpu_active_percentage": f"{psutil.cpu_percent(interval=None):.2f}",
            "system_disk_total_bytes": disk.total,
            "system_disk_used_bytes": disk.used,
            "system_memory_total_bytes": memory.total,
            "system_memory_used_bytes": memory.total - memory.available,
            "system_network_received_bytes": network.bytes_recv if network else 0,
            "system_network_sent_bytes": network.bytes_sent if network else 0,
            "typesense_memory_active_bytes": process.rss,
            "typesense_memory_allocated_bytes": process.rss,
            "typesense_memory_fragmentation_ratio": "0.00",
            "typesense_memory_mapped_bytes": process.vms,
            "typesense_memory_metadata_bytes": 0,
            "typesense_memory_resident_bytes": process.rss,
            "typesense_memory_retained_bytes": 0,
        }
        for index, percent in enumerate(psutil.cpu_percent(interval=None, percpu=True), start=1):
            figures[f"system_cpu{index}_active_percentage"] = f"{percent:.2f}"
        return {key: str(value) for key, value in figures.items()}
