"""dotdo: Durable Objects for Python — stateful objects with their own SQLite, addressed by name."""

from .context import DO, Context, ctx
from .http import API
from .runtime.durable_object import AlarmInfo, DurableObject
from .runtime.errors import DotdoError, StorageError, UnknownClassError
from .runtime.ids import ObjectId, id_from_name, id_from_string, new_unique_id
from .runtime.runtime import Runtime

__version__ = "0.1.0"

__all__ = [
    "API",
    "DO",
    "AlarmInfo",
    "Context",
    "DotdoError",
    "DurableObject",
    "ObjectId",
    "Runtime",
    "StorageError",
    "UnknownClassError",
    "__version__",
    "ctx",
    "id_from_name",
    "id_from_string",
    "new_unique_id",
]
