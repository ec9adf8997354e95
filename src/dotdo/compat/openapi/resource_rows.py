"""One place's share of an account's resources: things of an object's graph, named by creation sequence.

An account keeps its resources in its own object, or (sharded) in several `ResourceShard` objects; each
place stores them the same way, through `ResourceRows`, so the account's own object and a shard answer
the same questions with the same code. Answers are plain lists and dicts, so a shard can send them back
over RPC unchanged: a resource is `[name, data]`, where the name is the account's creation sequence.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ...context import DO
from ...graph import Things
from ...primitives.attachments import attach_things
from ...runtime.extensions import Extensions


class ResourceRows:
    """Resources as things: `type` the resource kind, `id` the resource id, `name` its creation sequence."""

    def __init__(self, things: Things) -> None:
        self.things = things

    def put(self, kind: str, name: str, resource: dict[str, Any], replace: bool = True) -> None:
        """Store a resource; one already stored under its id is replaced, or with `replace=False` kept (a move
        resumed after a crash must not lay an old copy over a newer one written since)."""
        if self.things.get(resource["id"]) is None:
            self.things.create(kind, name, id=resource["id"], data=resource)
        elif replace:
            self.things.replace(resource["id"], data=resource)

    def get(self, kind: str | None, resource_id: str) -> list[Any] | None:
        """`[name, data]` of the resource with this id (of `kind`, unless None), or None."""
        thing = self.things.get(resource_id)
        if thing is None or (kind is not None and thing.type != kind):
            return None
        return [thing.name, thing.data]

    def replace(self, resource: dict[str, Any]) -> None:
        """Store a resource's new state under its id."""
        self.things.replace(resource["id"], data=resource)

    def delete(self, resource_id: str) -> bool:
        """Delete a resource; False if there was none."""
        return self.things.delete(resource_id)

    def scan(self, kind: str, where: dict[str, Any], order_by: str, limit: int) -> list[list[Any]]:
        """`[name, data]` of up to `limit` resources of `kind` matching `where`, in `order_by` order."""
        return [
            [thing.name, thing.data] for thing in self.things.find(kind, where=where, order_by=order_by, limit=limit)
        ]

    def batch(self, after: str, limit: int) -> list[list[Any]]:
        """`[id, kind, name, data]` of up to `limit` resources with ids after `after`, in id order (a move's walk)."""
        found = self.things.find(where={"id": {"gt": after}}, order_by="id", limit=limit)
        return [[thing.id, thing.type, thing.name, thing.data] for thing in found]

    def drop(self, resource_id: str) -> None:
        """Remove a resource that moved to another place, leaving no deleted copy behind."""
        self.things.delete(resource_id, purge=True)

    def count(self) -> int:
        """How many resources this place holds."""
        return self.things.count()


class ResourceShard(DO):
    """One shard of a large account (`<tenant>/<service>-shard-<i>`): its resources, asked by the account."""

    extensions: ClassVar[Extensions] = Extensions(attachments={"things": attach_things})

    @property
    def rows(self) -> ResourceRows:
        """This shard's resources."""
        return ResourceRows(self.ctx.things)

    async def put(self, kind: str, name: str, resource: dict[str, Any], replace: bool = True) -> None:
        """See `ResourceRows.put`."""
        self.rows.put(kind, name, resource, replace)

    async def get(self, kind: str | None, resource_id: str) -> list[Any] | None:
        """See `ResourceRows.get`."""
        return self.rows.get(kind, resource_id)

    async def replace(self, resource: dict[str, Any]) -> None:
        """See `ResourceRows.replace`."""
        self.rows.replace(resource)

    async def delete(self, resource_id: str) -> bool:
        """See `ResourceRows.delete`."""
        return self.rows.delete(resource_id)

    async def scan(self, kind: str, where: dict[str, Any], order_by: str, limit: int) -> list[list[Any]]:
        """See `ResourceRows.scan`."""
        return self.rows.scan(kind, where, order_by, limit)

    async def batch(self, after: str, limit: int) -> list[list[Any]]:
        """See `ResourceRows.batch`."""
        return self.rows.batch(after, limit)

    async def drop(self, resource_id: str) -> None:
        """See `ResourceRows.drop`."""
        self.rows.drop(resource_id)

    async def count(self) -> int:
        """See `ResourceRows.count`."""
        return self.rows.count()
