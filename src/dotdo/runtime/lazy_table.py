"""A table of an object's storage, created on first use and remembered as created.

Every layer that keeps tables in an object's database (the runtime's key-value and timer tables,
the ctx's events and schedules, workflows, fsx, gitx, the graph) creates them the same way: on the
first call that needs them, once per storage object, with this.

Creation inside a `transaction_sync` block is not remembered: if the block rolls back, the table goes
with it, and the next use must create it again. An owner told of every rollback (the runtime's own
tables) remembers it anyway and calls `forget()` when one happens.

The graph's tables are the one exception: several stores of one object share them, so the graph
remembers them per storage object (`graph/schema.py`) and recreates them when a statement finds
them gone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .object_storage import ObjectStorage


class LazyTable:
    """One table (and its indexes) of an object's storage, created when first needed.

    By default creating it runs the DDL statements given (each `CREATE ... IF NOT EXISTS`) through
    `storage.sql.exec`; `create` replaces that with a function of its own, which must be idempotent
    (a versioned schema that checks its version, a runtime table written outside the SQL policy).
    """

    __slots__ = ("_create", "_ddl", "_ready", "_remember_in_blocks", "name", "storage")

    def __init__(
        self,
        storage: ObjectStorage,
        name: str,
        *ddl: str,
        create: Callable[[], object] | None = None,
        remember_in_blocks: bool = False,
    ) -> None:
        self.storage = storage
        self.name = name
        self._ddl = ddl
        self._create = create
        self._remember_in_blocks = remember_in_blocks
        self._ready = False

    def ensure(self) -> None:
        """Create the table if it does not exist yet."""
        if self._ready:
            return
        if self.storage.known_table(self.name):
            # In the database since its file was created: no rollback can take it away.
            self._ready = True
            return
        if self._create is not None:
            self._create()
        else:
            for statement in self._ddl:
                self.storage.sql.exec(statement)
        self._ready = self._remember_in_blocks or not self.storage.in_transaction_block

    def exists(self) -> bool:
        """Whether the table exists (without creating it): readers use this to answer "nothing" cheaply."""
        if not self._ready and self.storage.table_exists(self.name):
            self._ready = self._remember_in_blocks or not self.storage.in_transaction_block
            return True
        return self._ready

    def forget(self) -> None:
        """The table may be gone (a rollback, `delete_all`, a reset): check again on next use."""
        self._ready = False
