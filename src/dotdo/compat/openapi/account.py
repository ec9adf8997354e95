"""`ApiAccount`: one tenant's account at one SaaS service, as a durable object.

Every request of the tenant runs here, one at a time, so a state machine (a payment intent being
confirmed twice at once) never races. Resources are things of the object's graph, ordered by a
per-account sequence so lists page stably; idempotency keys and the webhook outbox are tables beside
them, written in the same commit as the change they belong to. Webhooks are delivered by `ctx.do`
steps: retried with backoff, resumed after a restart, never sent again once a receiver acknowledged.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import httpx

from ...context import DO, RetryPolicy
from ...graph import Thing
from ...primitives.attachments import attach_things
from ...runtime.extensions import Extensions

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
    """Subclass per service: set `handlers` (operationId → handler) and `sign_webhook`."""

    handlers: ClassVar[dict[str, Handler]] = {}
    service_name: ClassVar[str] = "openapi"
    extensions = Extensions(attachments={"things": attach_things})

    async def on_start(self) -> None:
        for statement in SCHEMA:
            self.storage.sql.exec(statement)
        self._last_sequence = 0
        if self.storage.sql.exec("SELECT 1 FROM openapi_outbox WHERE state = 'pending' LIMIT 1").to_list():
            self.ctx.spawn(self.deliver_pending)

    # -- requests --------------------------------------------------------------------------------------

    async def handle(self, call: dict[str, Any], idempotency_key: str | None = None) -> dict[str, Any]:
        """Run one request; a repeated idempotency key answers what the first request answered."""
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

    def create(self, kind: str, resource: dict[str, Any]) -> dict[str, Any]:
        """Store a new resource of `kind` (its `id` inside it)."""
        self.ctx.things.create(kind, self._sequence(), id=resource["id"], data=resource)
        return resource

    def find(self, kind: str, resource_id: str) -> dict[str, Any] | None:
        """The resource of `kind` with this id, or None."""
        thing = self.ctx.things.get(resource_id) if _plausible(resource_id) else None
        return None if thing is None or thing.type != kind else thing.data

    def save(self, kind: str, resource: dict[str, Any]) -> dict[str, Any]:
        """Replace a stored resource with its new state."""
        self.ctx.things.replace(resource["id"], data=resource)
        return resource

    def remove(self, kind: str, resource_id: str) -> bool:
        """Delete a resource; False if there was none."""
        return self.find(kind, resource_id) is not None and self.ctx.things.delete(resource_id)

    def page(
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
            anchor = self._anchor(kind, ending_before, "ending_before")
            conditions["name"] = {"gt" if newest_first else "lt": anchor}
            order = "name" if newest_first else "-name"
        elif starting_after is not None:
            anchor = self._anchor(kind, starting_after, "starting_after")
            conditions["name"] = {"lt" if newest_first else "gt": anchor}
        things = self.ctx.things.find(kind, where=conditions, order_by=order, limit=limit + 1)
        items = [thing.data for thing in things[:limit]]
        if ending_before is not None:
            items.reverse()
        return items, len(things) > limit

    def _anchor(self, kind: str, resource_id: str, param: str) -> str:
        thing: Thing | None = self.ctx.things.get(resource_id) if _plausible(resource_id) else None
        if thing is None or thing.type != kind or thing.name is None:
            raise ApiError(404, f"No such {kind}: '{resource_id}'", code="resource_missing", param=param)
        return thing.name

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
        endpoint = self.ctx.things.get(rows[0]["endpoint"])
        event = self.ctx.things.get(rows[0]["event"])
        if endpoint is None or event is None:
            return 0
        url, payload, headers = self.delivery_request(endpoint.data, event.data, rows[0]["attempts"])
        async with httpx.AsyncClient(timeout=10.0) as client:
            try:
                response = await client.post(url, content=payload, headers=headers)
            except httpx.HTTPError as exc:
                raise DeliveryFailed(f"{url}: {exc}") from None
        if not 200 <= response.status_code < 300:
            raise DeliveryFailed(f"{url} answered {response.status_code}")
        return response.status_code

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
