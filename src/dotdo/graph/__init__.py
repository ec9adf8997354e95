"""The graph layer: things, relationships and walks, stored in each object's own SQLite."""

from __future__ import annotations

from typing import Any

from .errors import (
    DuplicateRelationshipError,
    DuplicateThingError,
    GraphError,
    InvalidCursorError,
    InvalidFilterError,
    InvalidReferenceError,
    SchemaVersionError,
    ThingNotFoundError,
    UnknownEndpointError,
)
from .references import Reference
from .relationships import Relationships
from .thing import Relationship, Thing
from .things import Page, Things


def attach_things(ctx: Any) -> Things:
    """The things store over `ctx.storage`; references resolve through `ctx.runtime`."""
    return Things(ctx.storage, runtime=getattr(ctx, "runtime", None))


def attach_relationships(ctx: Any) -> Relationships:
    """The relationships store over `ctx.storage`."""
    return Relationships(ctx.storage)


__all__ = [
    "DuplicateRelationshipError",
    "DuplicateThingError",
    "GraphError",
    "InvalidCursorError",
    "InvalidFilterError",
    "InvalidReferenceError",
    "Page",
    "Reference",
    "Relationship",
    "Relationships",
    "SchemaVersionError",
    "Thing",
    "ThingNotFoundError",
    "Things",
    "UnknownEndpointError",
    "attach_relationships",
    "attach_things",
]
