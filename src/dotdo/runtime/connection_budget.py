"""Bounds the SQLite connections (and so file descriptors) open at once, independent of live objects."""

from __future__ import annotations

import os
import resource
from collections import OrderedDict
from typing import TYPE_CHECKING

from .connection_closer import ConnectionCloser

if TYPE_CHECKING:
    from .storage import Storage

# Each WAL database in exclusive mode holds two descriptors (database, WAL) plus the fsync one.
_DESCRIPTORS_PER_DATABASE = 3
_RESERVED_DESCRIPTORS = 512
# An open SQLite connection costs ~150 KB (lookaside, page cache, prepared statements); 1,024 of them
# keep 10,000 live idle objects well under 300 MB while the busiest objects stay connected.
DEFAULT_MAX_OPEN = 1024
MAX_OPEN_VARIABLE = "DOTDO_MAX_OPEN_DATABASES"
"""Overrides `DEFAULT_MAX_OPEN` for the process; a cluster host sets it to its share of its machine's budget."""


def default_max_open() -> int:
    """How many databases may be open: `$DOTDO_MAX_OPEN_DATABASES` or 1,024, within this process's
    descriptor limit (`ulimit -n`)."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        soft = 65536
    return max(16, min(configured_max_open(), (soft - _RESERVED_DESCRIPTORS) // _DESCRIPTORS_PER_DATABASE))


def configured_max_open() -> int:
    """`$DOTDO_MAX_OPEN_DATABASES` if set (`ValueError` unless a whole number of at least 1), else 1,024."""
    value = os.environ.get(MAX_OPEN_VARIABLE)
    if value is None or not value.strip():
        return DEFAULT_MAX_OPEN
    try:
        count = int(value)
    except ValueError:
        count = 0
    if count < 1:
        raise ValueError(f"{MAX_OPEN_VARIABLE} must be a whole number of databases, at least 1 (not {value!r})")
    return count


class ConnectionBudget:
    """An LRU of open storages: opening one past the limit closes the least recently used idle one."""

    def __init__(self, max_open: int | None = None) -> None:
        self.max_open = max_open or default_max_open()
        self.closer = ConnectionCloser()
        """Closes the connections this budget releases, off the event loop."""
        self._open: OrderedDict[int, Storage] = OrderedDict()

    def admit(self, storage: Storage) -> None:
        """Make room for `storage`'s connection, closing idle ones if needed."""
        self._open[id(storage)] = storage
        if len(self._open) <= self.max_open:
            return
        # Oldest first, stopping as soon as there is room: with many idle storages open this looks at
        # a few entries per admission, not at every open storage.
        busy: list[tuple[int, Storage]] = []
        excess = len(self._open) - self.max_open
        while excess > 0 and self._open:
            key, candidate = self._open.popitem(last=False)
            if candidate is storage or candidate.unsettled or candidate.in_transaction_block:
                busy.append((key, candidate))
                continue
            candidate.release_connection(background=True)
            excess -= 1
        for key, candidate in reversed(busy):
            self._open[key] = candidate
            self._open.move_to_end(key, last=False)

    def touch(self, storage: Storage) -> None:
        """Mark `storage` as recently used."""
        key = id(storage)
        if key in self._open:
            self._open.move_to_end(key)

    def forget(self, storage: Storage) -> None:
        """`storage` closed its connection."""
        self._open.pop(id(storage), None)

    def __len__(self) -> int:
        return len(self._open)
