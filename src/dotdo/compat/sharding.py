"""Resources spread over several objects: the shard count a server gives new buckets, queues or SaaS
accounts, the places of a layout, which place holds a key (the lifecycle's `hash` strategy), and the
names of the shard objects (the lifecycle's shard naming, `<tenant>/<name>-shard-<i>`)."""

from __future__ import annotations

from typing import Any

from ..cluster.shard_registry import shard_name
from ..cluster.shard_strategies import ShardingError, check_count, make_strategy

OWN_OBJECT = -1
"""The place of the resource's own object (it holds everything while the layout has one shard)."""

_HASH = make_strategy("hash", 2)


class ReshardError(RuntimeError):
    """A server refused to reshard a bucket, queue or account (a bad count, an unknown name, one running)."""


def places(count: int) -> list[int]:
    """The places of a layout of `count` shards (the resource's own object for one)."""
    return [OWN_OBJECT] if count <= 1 else list(range(count))


def shard_of(key: str, count: int) -> int:
    """The place of `key` among `count` shards: the lifecycle's `hash` strategy, or `OWN_OBJECT` for one."""
    return OWN_OBJECT if count <= 1 else _HASH.shard_for(key, count)


def check_shard_count(setting: str, count: Any) -> int:
    """A valid shard count for `setting` (1 to the lifecycle's maximum), else `ValueError` saying why."""
    try:
        return check_count(count)
    except ShardingError as exc:
        raise ValueError(f"{setting}: {exc}") from None


def shard_object_name(tenant: str, resource: str, index: int) -> str:
    """The object name of shard `index` of a tenant's bucket or queue."""
    return shard_name(f"{tenant}/{resource}", index)


def account_shard_counts(settings: list[str]) -> dict[str, int]:
    """`["acme=8", ...]` (the `--account-shards` option) as {tenant: shard count}, else `ValueError` saying why."""
    counts: dict[str, int] = {}
    for setting in settings:
        tenant, equals, count = setting.rpartition("=")
        if not equals or not tenant or not count.strip().isdigit():
            raise ValueError(f"--account-shards {setting!r}: write TENANT=N, for example acme=8")
        counts[tenant] = check_shard_count(f"--account-shards {tenant}", int(count))
    return counts
