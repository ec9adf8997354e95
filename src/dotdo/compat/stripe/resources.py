"""Stripe's plain resources: create, retrieve, update, delete and list, with events and `expand[]`.

Customers, products, prices and webhook endpoints need nothing more than Stripe's general rules:
ids with the resource's prefix, parameters laid over the object (metadata merged key by key),
lists newest first paged by `starting_after` / `ending_before`, an event per change, and ids of
related resources replaced by the resources themselves where `expand[]` asks.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from ..openapi import ApiError, Handler, OpenAPIDocument, Reply, blank, lay_over, prefixed_id
from ..openapi.layer_files import document_beside

if TYPE_CHECKING:
    from ..openapi import ApiAccount, ApiCall

MAX_EXPAND_DEPTH = 4


@cache
def document() -> OpenAPIDocument:
    """Stripe's OpenAPI document, trimmed to the operations this layer serves."""
    return document_beside(__file__)


@dataclass(frozen=True)
class Kind:
    """One kind of Stripe resource: its object name, id prefix, the parameters that set its fields."""

    name: str
    prefix: str
    fields: frozenset[str]
    filters: tuple[str, ...] = ()
    url: str = ""

    def new(self, **values: Any) -> dict[str, Any]:
        """A new resource: every required field, a fresh id, `created` now, then `values`."""
        resource = blank(document(), {"$ref": f"#/components/schemas/{self.name}"})
        resource.update(id=prefixed_id(self.prefix), object=self.name, created=int(time.time()), livemode=False)
        if "metadata" in resource or "metadata" in self.fields:
            resource["metadata"] = {}
        resource.update(values)
        return resource

    def missing(self, resource_id: str, param: str = "id") -> ApiError:
        """Stripe's 404 for an id of this kind that does not exist."""
        return ApiError(404, f"No such {self.name}: '{resource_id}'", code="resource_missing", param=param)


def define(name: str, prefix: str, fields: str, filters: str = "", url: str = "") -> Kind:
    """A `Kind` from space-separated field and filter names (its list URL: `/v1/<name>s` unless given)."""
    return Kind(name, prefix, frozenset(fields.split()), tuple(filters.split()), url or f"/v1/{name}s")


CUSTOMER = define(
    "customer",
    "cus",
    "address description email metadata name phone preferred_locales shipping tax_exempt balance",
    "email",
)
PRODUCT = define(
    "product", "prod", "active description metadata name images shippable statement_descriptor unit_label url", "active"
)
PRICE = define(
    "price",
    "price",
    "active currency metadata nickname product unit_amount lookup_key tax_behavior",
    "active currency product type",
)
WEBHOOK_ENDPOINT = define("webhook_endpoint", "we", "description enabled_events metadata url")
PAYMENT_METHOD = define("payment_method", "pm", "billing_details metadata", "customer type")
PAYMENT_INTENT = define(
    "payment_intent",
    "pi",
    "amount currency customer description metadata receipt_email setup_future_usage statement_descriptor",
    "customer",
)
CHARGE = define("charge", "ch", "description metadata receipt_email", "customer payment_intent")
REFUND = define("refund", "re", "metadata", "charge payment_intent")
EVENT = define("event", "evt", "", "type")
SUBSCRIPTION = define(
    "subscription", "sub", "cancel_at_period_end default_payment_method description metadata", "customer price status"
)
SUBSCRIPTION_ITEM = define("subscription_item", "si", "metadata quantity")
INVOICE = define("invoice", "in", "description metadata", "customer subscription status")
TEST_CLOCK = Kind("test_helpers.test_clock", "clock", frozenset({"name"}), (), "/v1/test_helpers/test_clocks")

ALL_KINDS = (CUSTOMER, PRODUCT, PRICE, WEBHOOK_ENDPOINT, PAYMENT_METHOD, PAYMENT_INTENT, CHARGE, REFUND, EVENT)
ALL_KINDS += (SUBSCRIPTION, SUBSCRIPTION_ITEM, INVOICE, TEST_CLOCK)
KINDS = {kind.name: kind for kind in ALL_KINDS}
BY_PREFIX = {kind.prefix: kind for kind in KINDS.values()}


async def get(account: ApiAccount, kind: Kind, resource_id: Any, param: str = "id") -> dict[str, Any]:
    """The stored resource, or Stripe's 404."""
    found = await account.find(kind.name, resource_id) if isinstance(resource_id, str) else None
    if found is None:
        raise kind.missing(str(resource_id), param)
    return found


async def record_event(
    account: ApiAccount, event_type: str, resource: dict[str, Any], previous: dict[str, Any] | None = None
) -> None:
    """Store the event of a change and queue its webhooks to every endpoint listening for it."""
    endpoints, _ = await account.page(WEBHOOK_ENDPOINT.name, limit=100)
    listening = [
        e
        for e in endpoints
        if e.get("status") == "enabled" and ("*" in e["enabled_events"] or event_type in e["enabled_events"])
    ]
    data: dict[str, Any] = {"object": resource}
    if previous:
        data["previous_attributes"] = previous
    event = EVENT.new(
        type=event_type,
        data=data,
        api_version=None,
        pending_webhooks=len(listening),
        request={"id": None, "idempotency_key": None},
    )
    await account.create(EVENT.name, event)
    account.queue_webhooks(event, listening)


async def expand(account: ApiAccount, value: Any, paths: list[str], depth: int = 0) -> Any:
    """`value` with the ids at each dotted path of `paths` replaced by the resources they name."""
    if depth > MAX_EXPAND_DEPTH:
        raise ApiError(400, f"You cannot expand more than {MAX_EXPAND_DEPTH} levels of a property.", param="expand")
    heads: dict[str, list[str]] = {}
    for path in paths:
        head, _, rest = path.partition(".")
        heads.setdefault(head, [])
        if rest:
            heads[head].append(rest)
    for head, rests in heads.items():
        if isinstance(value, dict) and value.get("object") == "list" and head == "data":
            value["data"] = [await expand(account, item, rests, depth + 1) if rests else item for item in value["data"]]
            continue
        if not isinstance(value, dict) or head not in value or head not in _expandable(value.get("object")):
            raise ApiError(400, f"This property cannot be expanded ({head}).", param="expand")
        target = value[head]
        if isinstance(target, str):
            kind = BY_PREFIX.get(target.split("_", 1)[0])
            found = await account.find(kind.name, target) if kind is not None else None
            if found is None:
                raise ApiError(400, f"This property cannot be expanded ({head}).", param="expand")
            target = found
        value[head] = await expand(account, target, rests, depth + 1) if rests and target is not None else target
    return value


def _expandable(object_name: Any) -> list[str]:
    schemas = document().document["components"]["schemas"]
    return schemas.get(object_name, {}).get("x-expandableFields", []) if isinstance(object_name, str) else []


async def reply(account: ApiAccount, call: ApiCall, resource: dict[str, Any], status: int = 200) -> Reply:
    """The resource as answered, expanded as the request's `expand[]` asks, without private fields."""
    paths = call.params.get("expand") or []
    return Reply(public(await expand(account, dict(resource), list(paths)) if paths else resource), status)


def public(value: Any) -> Any:
    """`value` without the fields this layer keeps for itself (names starting with `_`), at any depth."""
    if isinstance(value, dict):
        return {key: public(item) for key, item in value.items() if not key.startswith("_")}
    if isinstance(value, list):
        return [public(item) for item in value]
    return value


# -- the five generic operations -------------------------------------------------------------------------


Hook = Callable[["ApiAccount", "ApiCall", dict[str, Any]], Awaitable[None]]
"""A step of a generic operation a kind adds: fill in or check the resource before it is stored."""


def creator(kind: Kind, prepare: Hook | None = None) -> Handler:
    """The handler that creates a resource of `kind` from the request's parameters."""

    async def create(account: ApiAccount, call: ApiCall) -> Reply:
        resource = lay_over(kind.new(), call.body, kind.fields)
        if prepare is not None:
            await prepare(account, call, resource)
        await account.create(kind.name, resource)
        await record_event(account, f"{kind.name}.created", resource)
        return await reply(account, call, resource)

    return create


def retriever(kind: Kind, param: str) -> Handler:
    """The handler that answers one resource of `kind` by the path parameter `param`."""

    async def retrieve(account: ApiAccount, call: ApiCall) -> Reply:
        return await reply(account, call, await get(account, kind, call.path[param]))

    return retrieve


def updater(kind: Kind, param: str, check: Hook | None = None) -> Handler:
    """The handler that lays the request's parameters over one resource of `kind`."""

    async def update(account: ApiAccount, call: ApiCall) -> Reply:
        resource = await get(account, kind, call.path[param])
        before = dict(resource)
        if check is not None:
            await check(account, call, resource)
        lay_over(resource, call.body, kind.fields)
        previous = {key: before.get(key) for key in resource if resource[key] != before.get(key)}
        await account.save(kind.name, resource)
        if previous:
            await record_event(account, f"{kind.name}.updated", resource, previous)
        return await reply(account, call, resource)

    return update


def deleter(kind: Kind, param: str) -> Handler:
    """The handler that deletes one resource of `kind`, answering Stripe's deleted stub."""

    async def delete(account: ApiAccount, call: ApiCall) -> Reply:
        resource = await get(account, kind, call.path[param])
        await account.remove(kind.name, resource["id"])
        await record_event(account, f"{kind.name}.deleted", resource)
        return Reply({"id": resource["id"], "object": kind.name, "deleted": True})

    return delete


def lister(kind: Kind, url: str | None = None, scope: Callable[[ApiCall], dict[str, Any]] | None = None) -> Handler:
    """The handler that lists resources of `kind`, newest first, with Stripe's paging and filters."""

    async def list_(account: ApiAccount, call: ApiCall) -> Reply:
        params = call.params
        limit = params.get("limit", 10)
        if not isinstance(limit, int) or not 1 <= limit <= 100:
            raise ApiError(400, "Invalid limit: must be between 1 and 100", param="limit")
        # `data.`: the resource's own field, even where the graph has a column of that name (`type`).
        where: dict[str, Any] = {f"data.{key}": params[key] for key in kind.filters if key in params}
        if scope is not None:
            where.update(scope(call))
        created = params.get("created")
        if isinstance(created, int):
            where["created"] = created
        elif isinstance(created, dict):
            where["created"] = {op: created[op] for op in ("gt", "gte", "lt", "lte") if op in created}
        items, more = await account.page(
            kind.name,
            limit=limit,
            starting_after=params.get("starting_after"),
            ending_before=params.get("ending_before"),
            where=where,
        )
        listing = {"object": "list", "data": items, "has_more": more, "url": url or kind.url}
        return await reply(account, call, listing)

    return list_


def webhook_secret() -> str:
    """A new endpoint signing secret, in Stripe's `whsec_…` form."""
    return "whsec_" + secrets.token_urlsafe(24)
