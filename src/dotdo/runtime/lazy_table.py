"""A table of an object's storage, created on first use (`CREATE TABLE IF NOT EXISTS`) and remembered as created.

Creation inside a `transaction_sync` block is not remembered: if the block rolls back, the table goes
with it, and the next use must create it again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .object_storage import ObjectStorage


class LazyTable:
    """One table (and its indexes) of an object's storage, created when first written."""

    def __init__(self, storage: ObjectStorage, name: str, *ddl: str) -> None:
        self.storage = storage
        self.name = name
        self._ddl = ddl
        self._ready = False

    def ensure(self) -> None:
        """Create the table if it does not exist yet."""
        if self._ready:
            return
        for statement in self._ddl:
            self.storage.sql.exec(statement)
        self._ready = not self.storage.in_transaction_block

    def exists(self) -> bool:
        """Whether the table exists (without creating it): readers use this to answer "nothing" cheaply."""
        if not self._ready and self.storage.table_exists(self.name):
            self._ready = not self.storage.in_transaction_block
            return True
        return self._ready
