"""The automatic split of a bucket that grows: every so many writes, ask it whether a shard got too full.

A server option (`bucket_split_keys`) gives how many objects one shard may hold; past that the
bucket's own object starts an online reshard to about twice as many shards (see `key_resharding`).
The question is asked in the background, so a write never waits for it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..runtime.stub import Stub

log = logging.getLogger("dotdo.compat")

GROW_CHECK_EVERY = 256
"""Writes to one bucket between two checks of whether it has grown past its split threshold."""


class SplitWatcher:
    """Counts writes per bucket and asks a bucket to `grow(split_keys)` every `GROW_CHECK_EVERY` of them.

    `expected` is the layer's error type a bucket answers when there is nothing to do (deleted meanwhile,
    or a reshard started by an operator runs); any other failure is logged.
    """

    def __init__(self, split_keys: int, expected: type[Exception]) -> None:
        self.split_keys = split_keys
        self.expected = expected
        self._writes: dict[str, int] = {}
        self._growing: set[asyncio.Task[None]] = set()

    def count_write(self, name: str, bucket: Stub) -> None:
        """One more write to the bucket `name` (its own object `bucket`)."""
        if not self.split_keys:
            return
        count = self._writes[name] = self._writes.get(name, 0) + 1
        if count % GROW_CHECK_EVERY:
            return
        task = asyncio.ensure_future(self._grow(bucket))
        self._growing.add(task)
        task.add_done_callback(self._growing.discard)

    async def _grow(self, bucket: Stub) -> None:
        try:
            await bucket.grow(self.split_keys)
        except self.expected:
            pass
        except Exception:
            log.exception("checking whether a bucket should split failed")
