"""The storage contract: exactly what the layers above the runtime may use of an object's storage.

`Storage` (one SQLite file per object, in `storage.py`) is its first implementation; a replicated
store would be another. Everything above `runtime/` types an object's storage as `ObjectStorage`,
so pyright checks that nothing there reaches past the contract: SQL, key-value pairs, all-or-nothing
blocks, timers and the alarm, table creation, waiting for commits, and a folder for large blobs
(instead of the database's own path).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, overload

if TYPE_CHECKING:
    from .sql import SqlStorage
    from .timer_table import TimerTable

T = TypeVar("T")


class ObjectStorage(Protocol):
    """One object's storage, as the layers above the runtime see it."""

    @property
    def sql(self) -> SqlStorage:
        """`sql.exec(query, *bindings)`: the object's own SQL tables."""
        ...

    @property
    def timers(self) -> TimerTable:
        """The object's timers (the alarm and every internal kind)."""
        ...

    @property
    def thread_lock(self) -> threading.RLock:
        """Held by code that uses this storage from another thread."""
        ...

    @property
    def blob_root(self) -> Path:
        """A folder beside the database for content too large for it (fsx and gitx blobs)."""
        ...

    @property
    def shipped_blobs(self) -> tuple[Any, str] | None:
        """Where large content goes when the object's commits are shipped to object storage: an obstore
        store and a key prefix beside the object's change log, so whoever rebuilds the object from the
        log finds it too. None: the object ships no log; large content goes in `blob_root`."""
        ...

    @property
    def blob_retention(self) -> float:
        """Seconds large content no longer referenced is kept, so that a point-in-time restore within
        the change log's retention finds it (0: the object ships no log, garbage may go at once)."""
        ...

    @property
    def dirty(self) -> bool:
        """Whether there are writes not yet committed."""
        ...

    @property
    def in_transaction_block(self) -> bool:
        """Whether a `transaction_sync` block is running."""
        ...

    # -- key-value ----------------------------------------------------------------------------------

    @overload
    def get(self, key: str) -> Any: ...
    @overload
    def get(self, key: list[str] | tuple[str, ...]) -> dict[str, Any]: ...
    def get(self, key: str | list[str] | tuple[str, ...]) -> Any:
        """The value under `key` (None if absent), or a dict of the keys found."""
        ...

    def put(self, key: str | Mapping[str, Any], value: Any = None) -> None:
        """Store `value` under `key`, or every pair of a dict (all or none)."""
        ...

    @overload
    def delete(self, key: str) -> bool: ...
    @overload
    def delete(self, key: list[str] | tuple[str, ...]) -> int: ...
    def delete(self, key: str | list[str] | tuple[str, ...]) -> bool | int:
        """Delete one key (True if it existed) or several (how many existed)."""
        ...

    def list(
        self,
        *,
        prefix: str | None = None,
        start: str | None = None,
        end: str | None = None,
        limit: int | None = None,
        reverse: bool = False,
        start_after: str | None = None,
    ) -> dict[str, Any]:
        """Pairs in key order, filtered by range, prefix and limit."""
        ...

    def delete_all(self) -> None:
        """Delete every table, key and timer of the object."""
        ...

    # -- transactions, tables, commits ----------------------------------------------------------------

    def transaction_sync(self, fn: Callable[[], T]) -> T:
        """Run `fn()` all-or-nothing and return its result."""
        ...

    def table_exists(self, name: str) -> bool:
        """Whether the object has a table (or view) called `name`."""
        ...

    def known_table(self, name: str) -> bool:
        """Whether the table is known to exist without asking the database: it was in the template the
        object's database file was created from during this activation, and no schema change happened since."""
        ...

    def rename_legacy_table(self, old: str, new: str) -> bool:
        """Rename a table a previous version created under another name; True if it did."""
        ...

    def commit(self) -> None:
        """Commit now (with every other pending write of the group)."""
        ...

    async def settled(self) -> None:
        """Wait until every write made so far is committed (and durable as configured)."""
        ...

    def commit_waiter(self) -> asyncio.Future[None] | None:
        """A future settling once every write made so far is durable, or None if nothing is pending."""
        ...

    def release_connection(self) -> None:
        """Commit and close the database file now; the next use reopens it (for objects that sleep long)."""
        ...

    # -- bookmarks (point-in-time restore; need the runtime's change log) -----------------------------

    async def get_current_bookmark(self) -> str:
        """The bookmark of the object's latest commit."""
        ...

    async def get_bookmark_for_time(self, when: datetime | float) -> str:
        """The bookmark of the object's state at `when` (aware datetime or epoch seconds)."""
        ...

    async def on_next_session_restore_bookmark(self, bookmark: str) -> str:
        """Restore `bookmark` at the object's next activation; returns a bookmark that undoes it."""
        ...

    # -- the alarm ----------------------------------------------------------------------------------

    def set_alarm(self, when: datetime | float) -> None:
        """Set (or move) the object's alarm."""
        ...

    def get_alarm(self) -> datetime | None:
        """When the alarm is set for, or None."""
        ...

    def delete_alarm(self) -> None:
        """Cancel the alarm, if any."""
        ...
