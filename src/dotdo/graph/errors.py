"""Errors of the graph layer, each saying what to do next."""

from __future__ import annotations

from ..runtime.errors import DotdoError


class GraphError(DotdoError):
    """Base class of the graph layer's errors."""


class ThingNotFoundError(GraphError, LookupError):
    """No live thing has that id in this object."""


class DuplicateThingError(GraphError, ValueError):
    """A live thing with that id already exists."""


class DuplicateRelationshipError(GraphError, ValueError):
    """A relationship with the same (from, to, type) already exists."""


class UnknownEndpointError(ThingNotFoundError, ValueError):
    """A relationship names a local thing that does not exist (or was deleted)."""


class InvalidFilterError(GraphError, ValueError):
    """A `where`, `order_by` or field name that cannot be compiled."""


class InvalidCursorError(GraphError, ValueError):
    """A paging cursor that is malformed or belongs to another query."""


class InvalidReferenceError(GraphError, ValueError):
    """A cross-object reference that is not of the form `Class/object-name#thing-id`."""


class SchemaVersionError(GraphError):
    """The database holds a graph schema newer than this version of dotdo understands."""
