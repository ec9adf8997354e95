"""Each object's name, kept in its own database so a data folder can be listed by name.

Ids are hashes of names and cannot be reversed, so the inspector records the name an object was
first reached by (`runtime.add_storage_hook(record_name)`) in a one-row table of the runtime's
reserved prefix, which user SQL cannot read or change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..runtime.ids import ObjectId
    from ..runtime.storage import Storage

NAME_TABLE = "_dotdo_object_name"


def record_name(oid: ObjectId, storage: Storage) -> None:
    """Keep `oid.name` in the object's database the first time the object is reached by name."""
    if oid.name is None:
        return
    if storage.table_exists(NAME_TABLE):
        return
    storage.run_internal(f"CREATE TABLE {NAME_TABLE} (name TEXT NOT NULL)", write=True)
    storage.run_internal(f"INSERT INTO {NAME_TABLE} (name) VALUES (?)", (oid.name,), write=True)
