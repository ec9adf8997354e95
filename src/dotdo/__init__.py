"""dotdo: Durable Objects for Python — stateful objects with their own SQLite, addressed by name."""

from typing import Any

from .context import DO, Context, ctx
from .graph import (
    DuplicateRelationshipError,
    DuplicateThingError,
    GraphError,
    InvalidCursorError,
    InvalidFilterError,
    InvalidReferenceError,
    Page,
    Reference,
    Relationship,
    Thing,
    ThingNotFoundError,
    UnknownEndpointError,
)
from .http import API
from .runtime.durable_object import AlarmInfo, DurableObject
from .runtime.errors import DotdoError, StorageError, UnknownClassError
from .runtime.ids import ObjectId, id_from_name, id_from_string, new_unique_id
from .runtime.runtime import Runtime

__version__ = "0.1.0"

# Names whose modules import heavy dependencies (pydantic), loaded on first use.
_LAZY = {
    "Entity": "dotdo.graph.entity",
    "EntityExistsError": "dotdo.graph.entity",
    "EntityNotFoundError": "dotdo.graph.entity",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'dotdo' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = [
    "API",
    "DO",
    "AlarmInfo",
    "Context",
    "DotdoError",
    "DuplicateRelationshipError",
    "DuplicateThingError",
    "DurableObject",
    "Entity",
    "EntityExistsError",
    "EntityNotFoundError",
    "GraphError",
    "InvalidCursorError",
    "InvalidFilterError",
    "InvalidReferenceError",
    "ObjectId",
    "Page",
    "Reference",
    "Relationship",
    "Runtime",
    "StorageError",
    "Thing",
    "ThingNotFoundError",
    "UnknownClassError",
    "UnknownEndpointError",
    "__version__",
    "ctx",
    "id_from_name",
    "id_from_string",
    "new_unique_id",
]
