"""What a compat layer is: a named, wire-compatible server for one service's API, built on objects."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Scope

    from ..runtime.durable_object import DurableObject
    from ..runtime.runtime import Runtime
    from .credentials import Credentials


@dataclass
class CompatContext:
    """What every layer is built with: the runtime holding its objects, the key table, its own folder."""

    runtime: Runtime
    credentials: Credentials
    folder: Path
    """A folder of the data folder for this service's own files (its blob store, for one)."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """The server's settings for this layer (S3: `bucket_shards`, the shard count of new buckets)."""


class Companion(Protocol):
    """A server a layer runs on its own port beside its HTTP routes (Weaviate's gRPC), for the app's lifetime."""

    async def start(self) -> str:
        """Listen and serve; the address it listens on."""
        ...

    async def stop(self) -> None:
        """Stop serving."""
        ...


@dataclass(frozen=True)
class Service:
    """One compat layer: its name, the operations it implements, how to build its ASGI app.

    `claims(scope)` tells, when several services share one port, whether a request is this service's
    (S3 answers what no other service claims). `objects` are the Durable Object classes holding its
    resources. `client(**options)` returns the service's official SDK client pointed at dotdo.
    """

    name: str
    title: str
    operations: frozenset[str]
    build: Callable[[CompatContext], ASGIApp]
    objects: tuple[type[DurableObject], ...]
    claims: Callable[[Scope], bool]
    client: Callable[..., Any]
    catch_all: bool = False
    notes: dict[str, str] = field(default_factory=dict)
    """Operations that differ from the real service on purpose, with the reason."""
    companion: Callable[[CompatContext], Companion] | None = None
    """The second server the layer needs on its own port, if any (started with the app, not when mounted)."""
