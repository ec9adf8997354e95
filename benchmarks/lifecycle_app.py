"""The store the lifecycle serve benchmark writes to, as a dotdo app: `dotdo serve lifecycle_app:app`.

Routing: `API(Store, ns="/:name")`. `GET /<name>/add/<n>` creates an order of customer `c<n>` (a
write through `ctx.things`, routed to its shard once the store is sharded) and answers its id;
`GET /<name>/shard/<count>` shards the store's orders by customer; `GET /<name>/count` counts them.
"""

import inspect
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse

from dotdo import API
from dotdo.cluster.lifecycle import Lifecycle


async def settled(value: Any) -> Any:
    """The value of a store call, sharded (awaitable) or not."""
    return await value if inspect.isawaitable(value) else value


class Store(Lifecycle):
    """Orders as things, sharded or not."""

    async def fetch(self, request: Request) -> PlainTextResponse:
        """`/add/<n>`, `/shard/<count>`, `/count`."""
        _, action, *rest = request.url.path.split("/")
        if action == "add" and rest:
            thing = await settled(self.ctx.things.create("Order", data={"customer_id": f"c{rest[0]}"}))
            return PlainTextResponse(thing.id)
        if action == "shard" and rest:
            report = await self.shard(key="customer_id", count=int(rest[0]))
            return PlainTextResponse(str(report["moved"]))
        if action == "count":
            return PlainTextResponse(str(await settled(self.ctx.things.count("Order"))))
        return PlainTextResponse("not found", status_code=404)


app = API(Store, ns="/:name")
