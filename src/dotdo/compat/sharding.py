"""Resources spread over several objects: the shard count a server gives new buckets, queues, indexes or
SaaS accounts, the places of a layout, which shard holds a key (the lifecycle's `hash` strategy), and the
names of the shard objects (the lifecycle's shard naming, `<tenant>/<name>-shard-<i>`)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..cluster.shard_registry import shard_name
from ..cluster.shard_strategies import ShardingError, check_count, make_strategy

if TYPE_CHECKING:
    from ..runtime.stub import Stub

OWN_OBJECT = -1
"""The place of the resource's own object (it holds everything while the layout has one shard)."""

_HASH = make_strategy("hash", 2)


class ReshardError(RuntimeError):
    """A server refused to reshard a bucket, queue or account (a bad count, an unknown name, one running)."""


def hashed_shard(key: str, count: int) -> int:
    """The shard (0 to `count` - 1) holding `key` among `count`: the lifecycle's `hash` strategy (jump hashing)."""
    return _HASH.shard_for(key, count)


def places(count: int) -> list[int]:
    """The places of a layout of `count` shards (the resource's own object for one)."""
    return [OWN_OBJECT] if count <= 1 else list(range(count))


def shard_of(key: str, count: int) -> int:
    """The place of `key` among `count` shards: the lifecycle's `hash` strategy, or `OWN_OBJECT` for one."""
    return OWN_OBJECT if count <= 1 else hashed_shard(key, count)


def check_shard_count(setting: str, count: Any) -> int:
    """A valid shard count for `setting` (1 to the lifecycle's maximum), else `ValueError` saying why."""
    try:
        return check_count(count)
    except ShardingError as exc:
        raise ValueError(f"{setting}: {exc}") from None


def shard_object_name(tenant: str, resource: str, index: int) -> str:
    """The object name of shard `index` of a tenant's bucket, queue or account."""
    return shard_name(f"{tenant}/{resource}", index)


def follow_reshard(
    status: dict[str, Any],
    current: Callable[[], dict[str, Any]],
    *,
    wait: bool,
    on_progress: Callable[[dict[str, Any]], None] | None,
    poll: float,
) -> dict[str, Any]:
    """`status` of a reshard just started; with `wait`, asks `current()` every `poll` seconds until it has
    finished (telling `on_progress(status)` along the way) and returns the last answer."""
    while wait and status["running"]:
        if on_progress is not None:
            on_progress(status)
        time.sleep(poll)
        status = current()
    return status


def account_shard_counts(settings: list[str]) -> dict[str, int]:
    """`["acme=8", ...]` (the `--account-shards` option) as {tenant: shard count}, else `ValueError` saying why."""
    counts: dict[str, int] = {}
    for setting in settings:
        tenant, equals, count = setting.rpartition("=")
        if not equals or not tenant or not count.strip().isdigit():
            raise ValueError(f"--account-shards {setting!r}: write TENANT=N, for example acme=8")
        counts[tenant] = check_shard_count(f"--account-shards {tenant}", int(count))
    return counts


class ShardRoot:
    """What the own object of a resource created sharded keeps: its shard count and its insertion order.

    Mixed into an index's or collection's object class, which stores both as metadata (`_meta`).
    """

    def _meta(self, key: str) -> Any:
        raise NotImplementedError

    def _set_meta(self, key: str, value: Any) -> None:
        raise NotImplementedError

    def exists(self) -> bool:
        """Whether the resource was created (and not dropped)."""
        raise NotImplementedError

    def shard_count(self) -> int:
        """How many shard objects hold the resource's entries (1: this object does); 0 if it does not exist."""
        return int(self._meta("shards") or 1) if self.exists() else 0

    def reserve_positions(self, count: int) -> int:
        """The first of `count` places in insertion order that no entry of the resource has had."""
        first = int(self._meta("next_position") or 1)
        self._set_meta("next_position", first + count)
        return first


class ShardedResource:
    """A handle on a resource named `name`: its own object of class `cls`, and its shards when it has some.

    `runtime` is what `get(cls, name)` returns stubs from; `shards` is the shard count a resource created
    through this handle gets. For a resource of one object, every call goes to that object.
    """

    def __init__(self, runtime: Any, name: str, cls: type, shards: int = 1) -> None:
        self.runtime = runtime
        self.name = name
        self.cls = cls
        self.new_shards = shards
        self.root: Stub = runtime.get(cls, name)
        self._count: int | None = None

    def shard(self, index: int) -> Stub:
        """The object holding shard `index` of the entries."""
        return self.runtime.get(self.cls, shard_name(self.name, index))

    def shard_of(self, key: str, count: int) -> Stub:
        """The object holding the entry with `key` among `count` shards."""
        return self.shard(hashed_shard(key, count))

    async def shard_count(self) -> int:
        """How many objects hold the entries (1: the resource's own object); 0 if there is no such resource."""
        if self._count is None:
            self._count = int(await self.root.shard_count())
        return self._count

    async def places(self) -> list[Stub]:
        """Every object holding entries: the shards, or the resource's own object."""
        count = await self.shard_count()
        return [self.root] if count <= 1 else [self.shard(index) for index in range(count)]

    async def everywhere(self, method: str, *args: Any, **kwargs: Any) -> list[Any]:
        """`method(*args, **kwargs)` of every object holding entries, in shard order."""
        return list(await asyncio.gather(*(getattr(stub, method)(*args, **kwargs) for stub in await self.places())))

    async def sharded(self) -> bool:
        """Whether the entries are spread over shard objects."""
        return await self.shard_count() > 1
