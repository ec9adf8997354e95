"""Resources spread over several objects: the shard count a server gives new buckets or queues, and the
names of their shard objects (the lifecycle's shard naming, `<tenant>/<name>-shard-<i>`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ..cluster.shard_registry import shard_name
from ..cluster.shard_strategies import ShardingError, check_count


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
