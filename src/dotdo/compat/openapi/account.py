"""`ApiAccount`: one tenant's account at one SaaS service, as a durable object.

Every request of the tenant runs here, one at a time, so a state machine (a payment intent being
confirmed twice at once) never races. Resources are things of a graph, ordered by a per-account
sequence so lists page stably: the object's own graph, or, for a large tenant, the graphs of its shard
objects (`account_layout`), where a resource's place is a hash of its id and a list merges every
shard's page by the same sequence. Idempotency keys and the webhook outbox are tables of the account's
own object either way, so a key answers once per tenant. Webhooks are delivered by `ctx.do` steps:
retried with backoff, resumed after a restart, never sent again once a receiver acknowledged.

A sharded account runs one request at a time even across its awaits (a lock held for the request), as
its resources are now asked for over RPC: without it two requests could interleave between the reads
and writes of one state change.
"""

from __future__ import annotations

import asyncio
import hashlib
import heapq
import json
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, ClassVar

import httpx

from ...context import DO, RetryPolicy
from ...primitives.attachments import attach_things
from ...runtime.extensions import Extensions
from ..sharding import OWN_OBJECT, check_shard_count, shard_object_name
from . import account_layout
from .resource_rows import ResourceRows, ResourceShard

IDEMPOTENCY_SECONDS = 24 * 3600
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS openapi_idempotency (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, "
    "status INTEGER NOT NULL, body TEXT NOT NULL, created REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS openapi_outbox (id INTEGER PRIMARY KEY, endpoint TEXT NOT NULL, "
    "event TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, "
    "last_status INTEGER, finished REAL)",
)
DELIVERY_POLICY = RetryPolicy(max_attempts=8, initial=0.5, backoff=2.0, max_interval=60.0)


class ApiError(Exception):
    """An error to answer in the service's own shape: HTTP status, the service's kind, message, parameter."""

    def __init__(self, status: int, message: str, *, kind: str = "invalid_request_error", **details: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.kind = kind
        self.details = details


class DeliveryFailed(Exception):
    """A webhook receiver answered with an error status or could not be reached (the step retries)."""


@dataclass
class ApiCall:
    """One validated request, as the account's handler sees it."""

    operation_id: str
    path: dict[str, str]
    query: dict[str, Any]
    body: dict[str, Any]
    base_url: str
    headers: dict[str, str] = field(default_factory=dict)
    items: list[Any] | None = None
    """A JSON array sent as the whole body, where the operation's schema takes one (GitHub's add-labels)."""

    @property
    def params(self) -> dict[str, Any]:
        """Query and body parameters together (the services accept many in either)."""
        return {**self.query, **self.body}


@dataclass
class Reply:
    """What a handler answers: status, JSON body, extra headers."""

    body: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[["ApiAccount", ApiCall], Awaitable[Reply]]


class ApiAccount(DO):
    """Subclass per service: set `handlers` (operationId → handler) and `sign_webhook`.

    `shardable` says whether the account's resources may be spread over shard objects: only when every
    handler reaches them through `create`/`find`/`save`/`remove`/`page`, never `ctx.things` directly.
    """

    handlers: ClassVar[dict[str, Handler]] = {}
    service_name: ClassVar[str] = "openapi"
    shardable: ClassVar[bool] = True
    extensions = Extensions(attachments={"things": attach_things})

    async def on_start(self) -> None:
        for statement in SCHEMA + account_layout.SCHEMA:
            self.storage.sql.exec(statement)
        self._last_sequence = 0
        self._rows = ResourceRows(self.ctx.things)
        self._turn = asyncio.Lock()
        self._moved = 0
        self._layout = account_layout.read_layout(self.storage.sql)
        if self._layout.target is not None:
            self.ctx.spawn(self.move)
        if self.storage.sql.exec("SELECT 1 FROM openapi_outbox WHERE state = 'pending' LIMIT 1").to_list():
            self.ctx.spawn(self.deliver_pending)

    # -- requests --------------------------------------------------------------------------------------

    async def handle(
        self, call: dict[str, Any], idempotency_key: str | None = None, shards: int | None = None
    ) -> dict[str, Any]:
        """Run one request; a repeated idempotency key answers what the first request answered.

        `shards` is the server's setting for this tenant (None: keep the account's layout); an account
        with another layout starts moving to it, online.
        """
        async with self._one_at_a_time():
            if shards is not None:
                self._aim(shards)
            return await self._run(call, idempotency_key)

    def _one_at_a_time(self) -> AbstractAsyncContextManager[Any]:
        """The account's lock, held from a request's start to its answer (none for an unshardable account)."""
        return self._turn if self.shardable else nullcontext()

    async def _run(self, call: dict[str, Any], idempotency_key: str | None) -> dict[str, Any]:
        request = ApiCall(**call)
        handler = self.handlers.get(request.operation_id)
        if handler is None:
            raise ApiError(501, f"{request.operation_id} is not implemented by this {self.service_name} layer")
        fingerprint = hashlib.sha256(
            json.dumps([request.operation_id, request.path, request.params], sort_keys=True).encode()
        ).hexdigest()
        if idempotency_key is not None:
            stored = self._recall(idempotency_key)
            if stored is not None:
                if stored[0] != fingerprint:
                    raise ApiError(
                        400,
                        "Keys for idempotent requests can only be used with the same parameters they were first "
                        f"used with. Try using a key other than '{idempotency_key}' if you meant to execute a "
                        "different request.",
                        kind="idempotency_error",
                    )
                return {"status": stored[1], "body": json.loads(stored[2]), "headers": {"Idempotent-Replayed": "true"}}
        reply = await handler(self, request)
        if idempotency_key is not None and reply.status < 500:
            self.storage.sql.exec(
                "INSERT OR REPLACE INTO openapi_idempotency VALUES (?, ?, ?, ?, ?)",
                idempotency_key,
                fingerprint,
                reply.status,
                json.dumps(reply.body),
                time.time(),
            )
        return {"status": reply.status, "body": reply.body, "headers": reply.headers}

    def _recall(self, key: str) -> tuple[str, int, str] | None:
        self.storage.sql.exec("DELETE FROM openapi_idempotency WHERE created < ?", time.time() - IDEMPOTENCY_SECONDS)
        rows = self.storage.sql.exec(
            "SELECT fingerprint, status, body FROM openapi_idempotency WHERE key = ?", key
        ).to_list()
        return None if not rows else (rows[0]["fingerprint"], rows[0]["status"], rows[0]["body"])

    # -- resources --------------------------------------------------------------------------------------

    def _sequence(self) -> str:
        # Lists page in creation order; a clock reading kept strictly increasing orders them.
        self._last_sequence = max(time.time_ns(), self._last_sequence + 1)
        return f"{self._last_sequence:020d}"

    @property
    def tenant(self) -> str:
        """The tenant whose account this is (the object's name)."""
        name = self.ctx.name
        if name is None:
            raise RuntimeError("an ApiAccount is reached by its tenant's name, not by a unique id")
        return name

    async def _ask(self, place: int, method: str, *args: Any) -> Any:
        """`method(*args)` of the resources at `place`: this object's own, or a shard's over RPC."""
        if place == OWN_OBJECT:
            return getattr(self._rows, method)(*args)
        shard = self.ctx.runtime.get(ResourceShard, shard_object_name(self.tenant, self.service_name, place))
        return await getattr(shard, method)(*args)

    async def _locate(self, kind: str | None, resource_id: Any) -> tuple[int, list[Any]] | None:
        """(place, [name, data]) of the resource with this id, or None."""
        if not _plausible(resource_id):
            return None
        for place in self._layout.places_of(resource_id):
            found = await self._ask(place, "get", kind, resource_id)
            if found is not None:
                return place, found
        return None

    async def create(self, kind: str, resource: dict[str, Any]) -> dict[str, Any]:
        """Store a new resource of `kind` (its `id` inside it)."""
        await self._ask(self._layout.home(resource["id"]), "put", kind, self._sequence(), resource)
        return resource

    async def find(self, kind: str | None, resource_id: Any) -> dict[str, Any] | None:
        """The resource of `kind` (of any kind for None) with this id, or None."""
        found = await self._locate(kind, resource_id)
        return None if found is None else found[1][1]

    async def save(self, kind: str, resource: dict[str, Any]) -> dict[str, Any]:
        """Replace a stored resource with its new state."""
        found = await self._locate(kind, resource["id"])
        await self._ask(self._layout.home(resource["id"]) if found is None else found[0], "replace", resource)
        return resource

    async def remove(self, kind: str, resource_id: str) -> bool:
        """Delete a resource; False if there was none."""
        found = await self._locate(kind, resource_id)
        return found is not None and bool(await self._ask(found[0], "delete", resource_id))

    async def page(
        self,
        kind: str,
        *,
        limit: int,
        starting_after: str | None = None,
        ending_before: str | None = None,
        where: dict[str, Any] | None = None,
        newest_first: bool = True,
    ) -> tuple[list[dict[str, Any]], bool]:
        """A page of resources of `kind`, and whether more follow (Stripe's list semantics)."""
        conditions: dict[str, Any] = dict(where or {})
        order = "-name" if newest_first else "name"
        if ending_before is not None:
            anchor = await self._anchor(kind, ending_before, "ending_before")
            conditions["name"] = {"gt" if newest_first else "lt": anchor}
            order = "name" if newest_first else "-name"
        elif starting_after is not None:
            anchor = await self._anchor(kind, starting_after, "starting_after")
            conditions["name"] = {"lt" if newest_first else "gt": anchor}
        found = await self._scan(kind, conditions, order, limit + 1)
        items = found[:limit]
        if ending_before is not None:
            items.reverse()
        return items, len(found) > limit

    async def _scan(self, kind: str, where: dict[str, Any], order: str, limit: int) -> list[dict[str, Any]]:
        """The first `limit` resources in `order` of every place, merged: each place's answer is sorted by
        the account's sequence, which no two resources share, so the merge is the unsharded order."""
        everywhere = self._layout.everywhere()
        if everywhere == [OWN_OBJECT]:
            return [resource for _, resource in self._rows.scan(kind, where, order, limit)]
        answers = await asyncio.gather(*(self._ask(place, "scan", kind, where, order, limit) for place in everywhere))
        merged = heapq.merge(*answers, key=lambda row: row[0], reverse=order.startswith("-"))
        seen: set[str] = set()
        items: list[dict[str, Any]] = []
        for _, resource in merged:
            if len(items) == limit:
                break
            if resource["id"] not in seen:
                seen.add(resource["id"])
                items.append(resource)
        return items

    async def _anchor(self, kind: str, resource_id: str, param: str) -> str:
        found = await self._locate(kind, resource_id)
        if found is None or found[1][0] is None:
            raise ApiError(404, f"No such {kind}: '{resource_id}'", code="resource_missing", param=param)
        return found[1][0]

    # -- shards ------------------------------------------------------------------------------------------

    def _aim(self, shards: int) -> None:
        """Start moving to `shards` shards unless the account has (or is moving to) that layout already."""
        if self._layout.target is not None or shards == self._layout.shards:
            return
        if not self.shardable:
            raise ValueError(f"{self.service_name} accounts keep their resources in one object; they cannot be sharded")
        check_shard_count("account_shards", shards)
        self._layout = account_layout.begin_move(self.storage.sql, self._layout, shards)
        if self._layout.shards == 1 and self._rows.count() == 0:
            self._layout = account_layout.finish_move(self.storage.sql, self._layout)  # a new account: nothing to move
            return
        self.ctx.spawn(self.move)

    async def layout(self) -> dict[str, Any]:
        """{"shards": N, "target": M or None, "counts": resources per place} (what tests and operators read)."""
        async with self._turn:
            everywhere = self._layout.everywhere()
            counts = await asyncio.gather(*(self._ask(place, "count") for place in everywhere))
            return {
                "shards": self._layout.shards,
                "target": self._layout.target,
                "running": self._layout.target is not None,
                "moved": self._moved,
                "counts": {str(place): count for place, count in zip(everywhere, counts, strict=True)},
            }

    async def reshard(self, shards: int) -> None:
        """Start moving the account's resources to `shards` shard objects (1: back into this object)."""
        async with self._turn:
            self._aim(shards)

    async def move(self) -> None:
        """Walk every old place, one step at a time between requests, moving each resource the new layout
        puts elsewhere: copied to its new place, then dropped from the old one."""
        while True:
            async with self._turn:
                if self._layout.target is None:
                    return
                walk = account_layout.next_walk(self.storage.sql)
                if walk is None:
                    self._layout = account_layout.finish_move(self.storage.sql, self._layout)
                    return
                place, after = walk
                batch = await self._ask(place, "batch", after, account_layout.MOVE_BATCH)
                for resource_id, kind, name, resource in batch:
                    home = self._layout.home(resource_id)
                    if home != place:
                        await self._ask(home, "put", kind, name, resource, False)
                        await self._ask(place, "drop", resource_id)
                        self._moved += 1
                last = batch[-1][0] if batch else after
                account_layout.record_walk(self.storage.sql, place, last, len(batch) < account_layout.MOVE_BATCH)
            await asyncio.sleep(0)

    # -- events and webhooks -------------------------------------------------------------------------------

    def queue_webhooks(self, event: dict[str, Any], endpoints: list[dict[str, Any]]) -> None:
        """Put one delivery of `event` per endpoint in the outbox (same commit as the change), then send."""
        for endpoint in endpoints:
            self.storage.sql.exec(
                "INSERT INTO openapi_outbox (endpoint, event) VALUES (?, ?)", endpoint["id"], event["id"]
            )
        if endpoints:
            self.ctx.spawn(self.deliver_pending)

    async def deliver_pending(self) -> None:
        """Send every pending delivery, each as its own journaled step, all at once: an endpoint that
        fails and backs off holds up none of the others' deliveries."""
        rows = self.storage.sql.exec("SELECT id FROM openapi_outbox WHERE state = 'pending' ORDER BY id").to_list()
        await asyncio.gather(*(self.deliver(row["id"]) for row in rows))

    async def deliver(self, delivery: int) -> None:
        """Send one delivery until acknowledged or its retries are spent (a step already running is joined)."""
        try:
            step = f"webhook-{delivery}"
            status = await self.ctx.do(self.post_delivery, delivery, step_id=step, retry=DELIVERY_POLICY)
            state = "delivered"
        except Exception as exc:  # the step's retries are spent: it stays a dead letter to replay
            status, state = getattr(exc, "status", None), "failed"
        self.storage.sql.exec(
            "UPDATE openapi_outbox SET state = ?, last_status = ?, finished = ? WHERE id = ?",
            state,
            status,
            time.time(),
            delivery,
        )

    async def post_delivery(self, delivery: int) -> int:
        """POST one event to one endpoint, signed; the receiver's 2xx acknowledges it."""
        rows = self.storage.sql.exec(
            "SELECT endpoint, event, attempts FROM openapi_outbox WHERE id = ?", delivery
        ).to_list()
        if not rows:
            return 0
        self.storage.sql.exec("UPDATE openapi_outbox SET attempts = attempts + 1 WHERE id = ?", delivery)
        endpoint, event = await self._delivered(rows[0]["endpoint"], rows[0]["event"])
        if endpoint is None or event is None:
            return 0
        url, payload, headers = self.delivery_request(endpoint, event, rows[0]["attempts"])
        async with httpx.AsyncClient(timeout=10.0) as client:
            try:
                response = await client.post(url, content=payload, headers=headers)
            except httpx.HTTPError as exc:
                raise DeliveryFailed(f"{url}: {exc}") from None
        if not 200 <= response.status_code < 300:
            raise DeliveryFailed(f"{url} answered {response.status_code}")
        return response.status_code

    async def _delivered(self, endpoint_id: str, event_id: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        async with self._one_at_a_time():
            return await self.find(None, endpoint_id), await self.find(None, event_id)

    def delivery_request(
        self, endpoint: dict[str, Any], event: dict[str, Any], retries: int
    ) -> tuple[str, bytes, dict[str, str]]:
        """Where one attempt goes, its body and its headers: by default the event as JSON to `endpoint["url"]`."""
        payload = json.dumps(event, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", **self.delivery_headers(endpoint, event, payload, retries)}
        return endpoint["url"], payload, headers

    def sign_webhook(self, endpoint: dict[str, Any], event: dict[str, Any], payload: bytes) -> dict[str, str]:
        """The signature headers of one delivery (each service has its own scheme)."""
        raise NotImplementedError(f"{type(self).__name__} must say how its webhooks are signed")

    def delivery_headers(
        self, endpoint: dict[str, Any], event: dict[str, Any], payload: bytes, retries: int
    ) -> dict[str, str]:
        """The headers of one attempt; `retries` counts the attempts before it (services that number retries)."""
        return self.sign_webhook(endpoint, event, payload)

    def deliveries(self) -> list[dict[str, Any]]:
        """Every webhook delivery, oldest first (what the compat API and the inspector show)."""
        return self.storage.sql.exec("SELECT * FROM openapi_outbox ORDER BY id").to_list()


def _plausible(resource_id: Any) -> bool:
    return (
        isinstance(resource_id, str)
        and 0 < len(resource_id) <= 255
        and "/" not in resource_id
        and "#" not in resource_id
    )
