"""Resources spread over several objects: the shard count a server gives new buckets, queues or indexes,
the names of their shard objects (the lifecycle's shard naming, `<tenant>/<name>-shard-<i>`), and which
shard holds a key (the lifecycle's `hash` strategy)."""

from __future__ import annotations

from typing import Any

from ..cluster.shard_registry import shard_name
from ..cluster.shard_strategies import ShardingError, check_count, make_strategy

_HASH = make_strategy("hash", 2)


class ReshardError(RuntimeError):
    """A server refused to reshard a bucket or queue (a bad count, an unknown name, a FIFO queue, one running)."""


def check_shard_count(setting: str, count: Any) -> int:
    """A valid shard count for `setting` (1 to the lifecycle's maximum), else `ValueError` saying why."""
    try:
        return check_count(count)
    except ShardingError as exc:
        raise ValueError(f"{setting}: {exc}") from None


def shard_object_name(tenant: str, resource: str, index: int) -> str:
    """The object name of shard `index` of a tenant's bucket or queue."""
    return shard_name(f"{tenant}/{resource}", index)


def hashed_shard(key: str, count: int) -> int:
    """The shard (0 to `count` - 1) holding `key` among `count`: the lifecycle's `hash` strategy (jump hashing)."""
    return _HASH.shard_for(key, count)
