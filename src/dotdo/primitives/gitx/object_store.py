"""A dulwich object store on dotdo storage: every git object is a row of the object's SQLite.

Objects are content-addressed by their sha. Small objects live zlib-compressed in the
`_gitx_objects` table; objects larger than `threshold` bytes go to a content-addressed blob tier
(fsx's blob store, namespace `gitx`) when one is configured, and the row keeps only the key. Incoming packs
are read within the store's `GitLimits` (`pack_reader.py`) and exploded into objects inside one
savepoint, every tree held to git's fsck rules (`fsck.py`), so a corrupt, oversized or hostile pack
writes nothing.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from tempfile import SpooledTemporaryFile
from typing import TYPE_CHECKING, BinaryIO, Protocol, cast

from dulwich.errors import ChecksumMismatch, ObjectFormatException
from dulwich.object_store import PackCapableObjectStore
from dulwich.objects import S_ISGITLINK, Blob, Commit, ObjectID, ShaFile, Tag, Tree, sha_to_hex
from dulwich.pack import Pack, UnpackedObject, write_pack_data

from dotdo.runtime.lazy_table import LazyTable

from .errors import BadObjectError, PackLimitError
from .fsck import tree_entry_problem
from .limits import DEFAULT_LIMITS, GitLimits
from .pack_reader import PackReader, object_sha

if TYPE_CHECKING:
    from dotdo.runtime.object_storage import ObjectStorage

OBJECTS_TABLE = "_gitx_objects"
DEFAULT_THRESHOLD = 1024 * 1024
_SPOOL_BYTES = 16 * 1024 * 1024
_CHUNK = 64 * 1024


TIER_NAMESPACE = "gitx"


class BlobTier(Protocol):
    """A content-addressed byte store for large objects (fsx's `BlobStore` is one)."""

    def put(self, data: bytes, *, namespace: str = ...) -> str:
        """Store `data` once and return the key it is stored under (derived from the content)."""
        ...

    def get(self, sha: str, *, namespace: str = ...) -> bytes:
        """The bytes stored under a key `put` returned; FileNotFoundError when absent."""
        ...


def check_object(obj: ShaFile) -> None:
    """Reject a malformed object or a tree entry git's fsck refuses (it could escape or overwrite the repository)."""
    if obj.type_num == Blob.type_num:
        return  # any bytes are a valid blob
    if isinstance(obj, Tree):
        try:
            entries = list(obj.iteritems())
        except (ObjectFormatException, ValueError) as exc:
            raise BadObjectError(f"Rejected tree {obj.id.decode()}: {exc}") from None
        for entry in entries:
            problem = tree_entry_problem(entry.path, entry.mode)
            if problem is not None:
                raise BadObjectError(
                    f"Rejected tree {obj.id.decode()}: an entry has {problem}; git's fsck refuses it, rename it"
                )
    try:
        obj.check()
    except (ObjectFormatException, ChecksumMismatch, ValueError) as exc:
        raise BadObjectError(f"Rejected {obj.type_name.decode()} {obj.id.decode()}: {exc}") from None


def references_of(obj: ShaFile) -> Iterator[bytes]:
    """The hex shas an object points at (a commit's tree and parents, a tree's entries, a tag's target).

    Submodule entries (gitlinks) name commits of another repository and are not included."""
    if isinstance(obj, Commit):
        yield obj.tree
        yield from obj.parents
    elif isinstance(obj, Tree):
        for entry in obj.iteritems():
            if not S_ISGITLINK(entry.mode):
                yield entry.sha
    elif isinstance(obj, Tag):
        yield obj.object[1]


@dataclass
class Ingested:
    """What storing a pack added: each new object's type by hex sha, and every sha they point at."""

    types: dict[bytes, int] = field(default_factory=dict)
    references: set[bytes] = field(default_factory=set)

    @property
    def count(self) -> int:
        """How many objects the pack held (duplicates counted once)."""
        return len(self.types)


class StoredObjectStore(PackCapableObjectStore):
    """Git objects in an object's SQLite (small) and a blob tier (large), content-addressed by sha."""

    def __init__(
        self,
        storage: ObjectStorage,
        *,
        blob_tier: BlobTier | None = None,
        threshold: int = DEFAULT_THRESHOLD,
        limits: GitLimits = DEFAULT_LIMITS,
    ) -> None:
        super().__init__()
        if threshold < 0:
            raise ValueError(f"threshold must be >= 0 bytes, not {threshold}")
        self.storage = storage
        self.blob_tier = blob_tier
        self.threshold = threshold
        self.limits = limits
        self.pack_compression_level = -1
        self._lazy_table = LazyTable(
            storage,
            OBJECTS_TABLE,
            f"CREATE TABLE IF NOT EXISTS {OBJECTS_TABLE} (sha TEXT PRIMARY KEY, type INTEGER NOT NULL, "
            "size INTEGER NOT NULL, data BLOB, tier_key TEXT) WITHOUT ROWID",
        )

    # -- schema ---------------------------------------------------------------------------------

    def _table(self) -> None:
        self._lazy_table.ensure()

    @staticmethod
    def _hex(sha: bytes) -> str:
        if len(sha) == 20:
            return sha_to_hex(cast("bytes", sha)).decode("ascii")
        if len(sha) == 40:
            return sha.decode("ascii")
        raise ValueError(f"Invalid sha {sha!r}: expected 40 hex digits")

    # -- reading --------------------------------------------------------------------------------

    def contains_loose(self, sha: ObjectID) -> bool:
        """Whether the object is stored (every object here is 'loose')."""
        self._table()
        rows = self.storage.sql.exec(f"SELECT 1 FROM {OBJECTS_TABLE} WHERE sha = ?", self._hex(sha)).raw()
        return any(True for _ in rows)

    def contains_packed(self, sha: ObjectID | bytes) -> bool:
        """Always False: packs are exploded into objects on arrival."""
        return False

    def __iter__(self) -> Iterator[ObjectID]:
        self._table()
        shas = [row[0] for row in self.storage.sql.exec(f"SELECT sha FROM {OBJECTS_TABLE}").raw()]
        return iter(ObjectID(sha.encode("ascii")) for sha in shas)

    def iter_prefix(self, prefix: bytes) -> Iterator[ObjectID]:
        """Shas starting with a hex prefix (for abbreviated shas)."""
        self._table()
        text = prefix.decode("ascii", "replace").lower()
        if not text or any(c not in "0123456789abcdef" for c in text):
            return iter(())
        upper = text + "g"
        rows = self.storage.sql.exec(
            f"SELECT sha FROM {OBJECTS_TABLE} WHERE sha >= ? AND sha < ? LIMIT 16", text, upper
        ).raw()
        return iter([ObjectID(row[0].encode("ascii")) for row in rows])

    @property
    def packs(self) -> list[Pack]:
        """No pack files: objects are stored one by one."""
        return []

    def get_raw(self, name: ObjectID | bytes) -> tuple[int, bytes]:
        """(type number, uncompressed content) of an object; KeyError when absent."""
        self._table()
        hexsha = self._hex(name)
        row = self.storage.sql.exec(f"SELECT type, data, tier_key FROM {OBJECTS_TABLE} WHERE sha = ?", hexsha).raw()
        found = next(iter(row), None)
        if found is None:
            raise KeyError(hexsha.encode("ascii"))
        type_num, data, tier_key = found
        if data is None:
            if self.blob_tier is None:
                raise BadObjectError(
                    f"Object {hexsha} lives in the blob tier ({tier_key}) but no blob tier is configured"
                )
            try:
                data = self.blob_tier.get(tier_key, namespace=TIER_NAMESPACE)
            except FileNotFoundError:
                raise BadObjectError(
                    f"Object {hexsha} is missing from the blob tier ({tier_key}); restore the blob store"
                ) from None
        return type_num, zlib.decompress(data)

    def object_size(self, name: ObjectID) -> int:
        """Uncompressed size of an object in bytes, without reading it."""
        self._table()
        row = self.storage.sql.exec(f"SELECT size FROM {OBJECTS_TABLE} WHERE sha = ?", self._hex(name)).raw()
        found = next(iter(row), None)
        if found is None:
            raise KeyError(name)
        return int(found[0])

    def type_of(self, name: ObjectID | bytes) -> int | None:
        """The type number of a stored object (1 commit, 2 tree, 3 blob, 4 tag), or None when absent."""
        self._table()
        row = self.storage.sql.exec(f"SELECT type FROM {OBJECTS_TABLE} WHERE sha = ?", self._hex(name)).raw()
        found = next(iter(row), None)
        return None if found is None else int(found[0])

    def count(self) -> int:
        """How many objects are stored."""
        self._table()
        return int(next(self.storage.sql.exec(f"SELECT count(*) FROM {OBJECTS_TABLE}").raw())[0])

    # -- writing --------------------------------------------------------------------------------

    def add_object(self, obj: ShaFile) -> None:
        """Store one object (checked first: malformed or hostile objects are rejected)."""
        self.add_objects([(obj, None)])

    def add_objects(
        self,
        objects: Iterable[tuple[ShaFile, str | None]],
        progress: Callable[[str], None] | None = None,
    ) -> None:
        """Store objects all-or-nothing: if one is rejected, none is written."""
        self._table()
        self.storage.transaction_sync(lambda: self._insert(obj for obj, _ in objects))

    def _insert(self, objects: Iterable[ShaFile]) -> None:
        for obj in objects:
            check_object(obj)
            self._insert_raw(obj.id.decode("ascii"), obj.type_num, obj.as_raw_string())

    def _insert_raw(self, hexsha: str, type_num: int, raw: bytes) -> None:
        packed = zlib.compress(raw, 1)
        if self.blob_tier is not None and len(raw) > self.threshold:
            key = self.blob_tier.put(packed, namespace=TIER_NAMESPACE)
            self.storage.sql.exec(
                f"INSERT OR IGNORE INTO {OBJECTS_TABLE} (sha, type, size, data, tier_key) VALUES (?, ?, ?, NULL, ?)",
                hexsha,
                type_num,
                len(raw),
                key,
            )
        else:
            self.storage.sql.exec(
                f"INSERT OR IGNORE INTO {OBJECTS_TABLE} (sha, type, size, data, tier_key) VALUES (?, ?, ?, ?, NULL)",
                hexsha,
                type_num,
                len(raw),
                packed,
            )

    def add_pack(self) -> tuple[BinaryIO, Callable[[], None], Callable[[], None]]:
        """A file to write a pack into, a commit() that verifies and stores it, and an abort()."""
        spool = SpooledTemporaryFile(max_size=_SPOOL_BYTES, prefix="gitx-incoming-")  # noqa: SIM115

        def commit() -> None:
            try:
                size = spool.tell()
                if size:
                    spool.seek(0)
                    self.add_pack_file(cast("BinaryIO", spool), size)
            finally:
                spool.close()

        return cast("BinaryIO", spool), commit, spool.close

    def add_pack_file(self, file: BinaryIO, size: int, *, limits: GitLimits | None = None) -> int:
        """Verify a pack (checksum, limits, deltas, every object) and store its objects, all or nothing.

        Returns how many objects were stored. See `ingest_pack`."""
        return self.ingest_pack(file, size, limits=limits).count

    def ingest_pack(self, file: BinaryIO, size: int, *, limits: GitLimits | None = None) -> Ingested:
        """Verify a pack and store its objects inside one savepoint; the first bad object rolls all back.

        Objects are inflated one at a time within `limits` (the store's own by default): sizes are
        checked before they are allocated, so a pack bomb is refused (PackLimitError) early and
        memory stays flat. Every tree is held to git's fsck rules."""
        self._table()
        ingested = Ingested()

        def store(type_num: int, raw: bytes) -> bytes:
            sha = object_sha(type_num, raw)
            if type_num != Blob.type_num:
                obj = ShaFile.from_raw_string(type_num, raw, sha)
                check_object(obj)
                ingested.references.update(references_of(obj))
            self._insert_raw(sha.decode("ascii"), type_num, raw)
            ingested.types[sha] = type_num
            return sha

        def load(sha: bytes) -> tuple[int, bytes] | None:
            try:
                return self.get_raw(sha)
            except KeyError:
                return None

        reader = PackReader(file, size, limits or self.limits, store, load)
        try:
            self.storage.transaction_sync(reader.read)
        except BadObjectError:
            raise
        except (ObjectFormatException, ValueError, zlib.error, OSError) as exc:
            raise BadObjectError(f"Corrupt pack: {exc}; nothing was written") from None
        return ingested

    def add_pack_bytes(self, pack: bytes) -> int:
        """Verify and store a complete pack held in memory; returns how many objects it held."""
        with SpooledTemporaryFile(max_size=_SPOOL_BYTES, prefix="gitx-incoming-") as spool:
            spool.write(pack)
            spool.seek(0)
            return self.add_pack_file(cast("BinaryIO", spool), len(pack))

    def add_pack_data(
        self,
        count: int,
        unpacked_objects: Iterator[UnpackedObject],
        progress: Callable[[str], None] | None = None,
    ) -> None:
        """Store objects given as pack records (deltas resolved through a temporary pack)."""
        if count == 0:
            return
        file, commit, abort = self.add_pack()
        try:
            write_pack_data(file.write, unpacked_objects, num_records=count, progress=progress)
        except BaseException:
            abort()
            raise
        commit()

    def add_thin_pack(
        self,
        read_all: Callable[[int], bytes],
        read_some: Callable[[int], bytes] | None,
        progress: Callable[[str], None] | None = None,
        *,
        max_input_size: int | None = None,
    ) -> None:
        """Read a (possibly thin) pack from a stream, verify it, and store its objects."""
        file, commit, abort = self.add_pack()
        try:
            copy_stream(
                read_some or read_all,
                file,
                min(max_input_size or self.limits.max_input_size, self.limits.max_input_size),
            )
        except BaseException:
            abort()
            raise
        commit()


def copy_stream(read: Callable[[int], bytes], file: BinaryIO, limit: int) -> int:
    """Copy `read` to its end into `file`, refusing (PackLimitError) past `limit` bytes; returns the size."""
    size = 0
    while True:
        chunk = read(_CHUNK)
        if not chunk:
            return size
        size += len(chunk)
        if size > limit:
            raise PackLimitError(f"the pack is over the limit of {limit} bytes (GitLimits.max_input_size)")
        file.write(chunk)
