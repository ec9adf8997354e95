"""A dulwich refs container on SQLite: branches, tags, HEAD, with compare-and-swap updates.

Every update runs inside a savepoint that first re-reads the ref, so a concurrent writer that moved
the ref makes `set_if_equals` return False instead of losing its update. Names are checked with
git's own rules before anything is written, and a new ref may be neither a folder of refs nor under
a ref (git could not store both, and clones of such a repository fail).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from dulwich.objects import ObjectID, valid_hexsha
from dulwich.refs import SYMREF, Ref, RefsContainer, check_ref_format

from dotdo.runtime.lazy_table import LazyTable

from .errors import InvalidRefError, RefConflictError

if TYPE_CHECKING:
    from dotdo.runtime.object_storage import ObjectStorage

REFS_TABLE = "_gitx_refs"
ZERO_SHA = b"0" * 40

RefListener = Callable[[bytes, bytes | None, bytes | None], None]


def check_ref_name(name: bytes | str) -> bytes:
    """The ref name as bytes if git accepts it; InvalidRefError (with the rule broken) otherwise.

    git's `check-ref-format` rules, plus: a ref lives under `refs/` with at least one more level
    (`refs/heads` is the folder of branches, not a ref; git refuses to receive it too), and its name
    is UTF-8 (the names are shown, listed and sent in events as text)."""
    raw = name.encode("utf-8") if isinstance(name, str) else name
    if not isinstance(raw, bytes):
        raise InvalidRefError(f"A ref name is a str, not {type(name).__name__}")
    shown = raw.decode("utf-8", "backslashreplace")
    if any(byte < 0x20 or byte == 0x7F for byte in raw):
        raise InvalidRefError(f"Invalid ref name {shown!r}: control characters are not allowed")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidRefError(f"Invalid ref name {shown!r}: a ref name must be UTF-8") from None
    if raw == b"HEAD":
        return raw
    if not raw.startswith(b"refs/") or not check_ref_format(raw):
        raise InvalidRefError(
            f"Invalid ref name {shown!r}: refs live under refs/ and may not contain "
            "'..', '@{', spaces, '~^:?*[\\', a leading '-' or '.', or end with '/', '.' or '.lock'"
        )
    if raw.count(b"/") < 2:
        raise InvalidRefError(
            f"Invalid ref name {shown!r}: a ref needs a name below its folder (refs/heads/<branch>, refs/tags/<tag>)"
        )
    return raw


class StoredRefsContainer(RefsContainer):
    """Refs in the `_gitx_refs` table; `listener(name, old, new)` hears every change."""

    def __init__(self, storage: ObjectStorage, *, listener: RefListener | None = None) -> None:
        super().__init__()
        self.storage = storage
        self.listener = listener
        self._held: list[tuple[bytes, bytes | None, bytes | None]] | None = None
        self._lazy_table = LazyTable(
            storage,
            REFS_TABLE,
            f"CREATE TABLE IF NOT EXISTS {REFS_TABLE} (name BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID",
        )

    def _table(self) -> None:
        self._lazy_table.ensure()

    def _read(self, name: bytes) -> bytes | None:
        self._table()
        row = next(self.storage.sql.exec(f"SELECT value FROM {REFS_TABLE} WHERE name = ?", name).raw(), None)
        return None if row is None else bytes(row[0])

    def _write(self, name: bytes, value: bytes | None) -> None:
        if value is None:
            self.storage.sql.exec(f"DELETE FROM {REFS_TABLE} WHERE name = ?", name)
        else:
            self.storage.sql.exec(
                f"INSERT INTO {REFS_TABLE} (name, value) VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                name,
                value,
            )

    def _announce(self, name: bytes, old: bytes | None, new: bytes | None) -> None:
        if old == new:
            return
        if self._held is not None:
            self._held.append((name, old, new))
        elif self.listener is not None:
            self.listener(name, old, new)

    @contextmanager
    def held_announcements(self) -> Iterator[list[tuple[bytes, bytes | None, bytes | None]]]:
        """Collect ref changes instead of telling the listener (work off the event loop, or that may
        still roll back); the caller passes the collected changes to `announce` when they are final."""
        if self._held is not None:
            raise RuntimeError("ref announcements are already being held")
        self._held = held = []
        try:
            yield held
        finally:
            self._held = None

    def announce(self, changes: Iterable[tuple[bytes, bytes | None, bytes | None]]) -> None:
        """Tell the listener about changes collected by `held_announcements`."""
        for name, old, new in changes:
            self._announce(name, old, new)

    def check_available(self, name: bytes) -> None:
        """Refuse (RefConflictError) a new ref that would be a file where a folder of refs is, or the
        reverse: `refs/heads/main/sub` beside `refs/heads/main` makes the repository unclonable."""
        self._table()
        parts = name.split(b"/")
        for end in range(2, len(parts)):
            parent = b"/".join(parts[:end])
            if self._read(parent) is not None:
                raise RefConflictError(
                    f"cannot lock ref '{name.decode()}': '{parent.decode()}' exists; cannot create '{name.decode()}'"
                )
        below = self.storage.sql.exec(
            f"SELECT name FROM {REFS_TABLE} WHERE name > ? AND name < ? LIMIT 1", name + b"/", name + b"0"
        ).raw()
        child = next(iter(below), None)
        if child is not None:
            raise RefConflictError(
                f"cannot lock ref '{name.decode()}': '{bytes(child[0]).decode()}' exists; "
                f"cannot create '{name.decode()}'"
            )

    # -- dulwich contract ----------------------------------------------------------------------

    def allkeys(self) -> set[Ref]:
        """Every ref name, HEAD included."""
        self._table()
        return {Ref(bytes(row[0])) for row in self.storage.sql.exec(f"SELECT name FROM {REFS_TABLE}").raw()}

    def read_loose_ref(self, name: Ref) -> bytes | None:
        """The stored value of a ref (a sha or `ref: <target>`), or None."""
        return self._read(name)

    def get_packed_refs(self) -> dict[Ref, ObjectID]:
        """No packed refs: every ref is a row."""
        return {}

    def get_peeled(self, name: Ref) -> ObjectID | None:
        """Unknown here (None): callers peel through the object store."""
        return None

    def _check_value(self, value: bytes) -> None:
        if not valid_hexsha(value):
            raise InvalidRefError(f"A ref must point at a 40-hex-digit sha, not {value!r}")

    def set_symbolic_ref(
        self,
        name: Ref,
        other: Ref,
        committer: bytes | None = None,
        timestamp: int | None = None,
        timezone: int | None = None,
        message: bytes | None = None,
    ) -> None:
        """Make `name` (usually HEAD) point at the ref `other`."""
        check_ref_name(name)
        check_ref_name(other)
        self._table()
        old = self._read(name)
        if old is None:
            self.check_available(name)
        self.storage.transaction_sync(lambda: self._write(name, SYMREF + other))
        self._announce(name, old, SYMREF + other)

    def set_if_equals(
        self,
        name: Ref,
        old_ref: ObjectID | None,
        new_ref: ObjectID,
        committer: bytes | None = None,
        timestamp: int | None = None,
        timezone: int | None = None,
        message: bytes | None = None,
    ) -> bool:
        """Point `name` (following symbolic refs) at `new_ref` if it still holds `old_ref` (None: always)."""
        check_ref_name(name)
        self._check_value(new_ref)
        self._table()
        target = self.follow(name)[0][-1]
        check_ref_name(target)
        current = self._read(target)

        def swap() -> bool:
            if old_ref is not None and (current or ZERO_SHA) != old_ref:
                return False
            if current is None:
                self.check_available(target)
            self._write(target, new_ref)
            return True

        swapped = self.storage.transaction_sync(swap)
        if swapped:
            self._announce(target, current, new_ref)
        return swapped

    def add_if_new(
        self,
        name: Ref,
        ref: ObjectID,
        committer: bytes | None = None,
        timestamp: int | None = None,
        timezone: int | None = None,
        message: bytes | None = None,
    ) -> bool:
        """Create `name` pointing at `ref` unless it exists already."""
        check_ref_name(name)
        self._check_value(ref)
        self._table()
        if self._read(name) is not None:
            return False
        self.check_available(name)
        self.storage.transaction_sync(lambda: self._write(name, ref))
        self._announce(name, None, ref)
        return True

    def remove_if_equals(
        self,
        name: Ref,
        old_ref: ObjectID | None,
        committer: bytes | None = None,
        timestamp: int | None = None,
        timezone: int | None = None,
        message: bytes | None = None,
    ) -> bool:
        """Delete `name` (not following symbolic refs) if it still holds `old_ref` (None: always)."""
        check_ref_name(name)
        self._table()
        current = self._read(name)
        if old_ref is not None and (current or ZERO_SHA) != old_ref:
            return False
        if current is not None:
            self.storage.transaction_sync(lambda: self._write(name, None))
            self._announce(name, current, None)
        return True
