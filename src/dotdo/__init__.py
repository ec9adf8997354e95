"""dotdo: Durable Objects for Python — stateful objects with their own SQLite, addressed by name."""

from typing import TYPE_CHECKING, Any

from .cluster.location import Location, UnknownLocationError, normalize_location
from .context import (
    DO,
    ActionFailedError,
    CircuitOpenError,
    Context,
    DeadLetter,
    Event,
    RetryPolicy,
    ScheduleError,
    ScheduleInfo,
    StubPolicy,
    TransientError,
    ctx,
    every,
    on,
)
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
from .rpc import RpcTarget, connect, connect_sync, rpc_app
from .runtime.clock import ManualClock
from .runtime.durable_object import AlarmInfo, DurableObject
from .runtime.errors import DotdoError, StorageError, UnknownClassError
from .runtime.folder_lock import DataFolderInUseError
from .runtime.ids import ObjectId, id_from_name, id_from_string, new_unique_id
from .runtime.storage import Storage
from .tiers import Runtime, TierConfig

__version__ = "0.1.0"

if TYPE_CHECKING:
    # What type checkers and editors see of the lazily loaded names below.
    from .entities.entity import Entity, EntityExistsError, EntityNotFoundError
    from .primitives.bashx import Bash
    from .primitives.fsx import FileSystem
    from .primitives.gitx import Git
    from .workflows import (
        EventTimeoutError,
        InvalidTransitionError,
        NonDeterminismError,
        NonRetryableError,
        Retries,
        StateMachine,
        Workflow,
        WorkflowInstance,
        state,
        transition,
    )

# Names whose modules import heavy dependencies (pydantic) or need an extra (fs, bash, git),
# loaded on first use: a missing extra is named then, not when dotdo is imported.
_LAZY = {
    "FileSystem": "dotdo.primitives.fsx",
    "Bash": "dotdo.primitives.bashx",
    "Git": "dotdo.primitives.gitx",
    "Entity": "dotdo.entities.entity",
    "EntityExistsError": "dotdo.entities.entity",
    "EntityNotFoundError": "dotdo.entities.entity",
    **{
        name: "dotdo.workflows"
        for name in (
            "EventTimeoutError",
            "InvalidTransitionError",
            "NonDeterminismError",
            "NonRetryableError",
            "Retries",
            "StateMachine",
            "Workflow",
            "WorkflowInstance",
            "state",
            "transition",
        )
    },
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
    "ActionFailedError",
    "AlarmInfo",
    "Bash",
    "CircuitOpenError",
    "Context",
    "DataFolderInUseError",
    "DeadLetter",
    "DotdoError",
    "DuplicateRelationshipError",
    "DuplicateThingError",
    "DurableObject",
    "Entity",
    "EntityExistsError",
    "EntityNotFoundError",
    "Event",
    "EventTimeoutError",
    "FileSystem",
    "Git",
    "GraphError",
    "InvalidCursorError",
    "InvalidFilterError",
    "InvalidReferenceError",
    "InvalidTransitionError",
    "Location",
    "ManualClock",
    "NonDeterminismError",
    "NonRetryableError",
    "ObjectId",
    "Page",
    "Reference",
    "Relationship",
    "Retries",
    "RetryPolicy",
    "RpcTarget",
    "Runtime",
    "ScheduleError",
    "ScheduleInfo",
    "StateMachine",
    "Storage",
    "StorageError",
    "StubPolicy",
    "Thing",
    "ThingNotFoundError",
    "TierConfig",
    "TransientError",
    "UnknownClassError",
    "UnknownEndpointError",
    "UnknownLocationError",
    "Workflow",
    "WorkflowInstance",
    "__version__",
    "connect",
    "connect_sync",
    "ctx",
    "every",
    "id_from_name",
    "id_from_string",
    "new_unique_id",
    "normalize_location",
    "on",
    "rpc_app",
    "state",
    "transition",
]
