"""`S3Bucket`: one bucket of one tenant as one durable object: its object versions, uploads, settings.

A small object's bytes (up to `INLINE_MAX`) live in its row; a larger one's in the blob store, in
the bucket's own namespace, as a list of blobs (one per multipart part, or one for a plain PUT): the
row holds that list, the ETag, the size, the content headers and the user metadata. Each blob's
references (versions and upload parts) are counted. Every change is one transaction of this object, so a PUT, a copy or
a completed multipart upload appears whole or not at all, and readers see the newest acknowledged
version. A blob that no row references any more is not deleted at once (an upload of the same bytes
may be in flight): it is noted as garbage and removed by a sweep once it has stayed unreferenced for
`GARBAGE_GRACE` seconds.

A bucket made with more than one shard keeps only its settings here; its keys live in its shard
objects, each an `S3Bucket` too (see `shards`). A reshard (`reshard`) moves keys between layouts
while requests go on (see `ShardedBucket`, `key_fence` and `key_rows`); the bucket's own object records
the move and carries it out, and finishes it when it next starts if a crash cut it short.

Unreferenced blobs are swept by the object's alarm: a change that leaves a blob unused sets the
alarm for when that blob's grace period (`garbage_grace`, given at creation) ends.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from ...primitives.blob_store import BlobStore
from ...runtime.durable_object import AlarmInfo
from .. import key_resharding
from ..blob_references import GARBAGE_GRACE, BlobReferences, schema
from ..sharded_bucket import ShardedBucket
from . import key_fence, key_rows
from .errors import S3Error

PREFIX = "s3"
"""The prefix of the tables an `S3Bucket` keeps."""

INLINE_MAX = 64 * 1024
"""Objects up to this size are kept in their row rather than in the blob store."""

SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS s3_bucket (
    name TEXT PRIMARY KEY, tenant TEXT NOT NULL, blobs TEXT NOT NULL, namespace TEXT NOT NULL,
    created_at REAL NOT NULL, versioning TEXT NOT NULL DEFAULT '', cors TEXT);
CREATE TABLE IF NOT EXISTS s3_objects (
    key TEXT NOT NULL, version_id TEXT NOT NULL, seq INTEGER NOT NULL, is_latest INTEGER NOT NULL,
    delete_marker INTEGER NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL, parts TEXT NOT NULL,
    content_type TEXT, headers TEXT NOT NULL, metadata TEXT NOT NULL, checksums TEXT NOT NULL,
    last_modified REAL NOT NULL, inline BLOB, PRIMARY KEY (key, version_id));
CREATE INDEX IF NOT EXISTS s3_objects_latest ON s3_objects(is_latest, key);
CREATE TABLE IF NOT EXISTS s3_uploads (
    upload_id TEXT PRIMARY KEY, key TEXT NOT NULL, created_at REAL NOT NULL, content_type TEXT,
    headers TEXT NOT NULL, metadata TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS s3_completed (
    upload_id TEXT PRIMARY KEY, key TEXT NOT NULL, version_id TEXT NOT NULL, completed_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS s3_parts (
    upload_id TEXT NOT NULL, part_number INTEGER NOT NULL, etag TEXT NOT NULL, size INTEGER NOT NULL,
    sha TEXT NOT NULL, md5 TEXT NOT NULL, last_modified REAL NOT NULL, PRIMARY KEY (upload_id, part_number));
"""
    + schema("s3")
    + key_fence.SCHEMA
    + key_resharding.schema(PREFIX)
)

NULL_VERSION = "null"


@dataclass
class StoredObject:
    """One version of an object as the bucket keeps it (what HEAD and GET answer from)."""

    key: str
    version_id: str
    size: int
    etag: str
    parts: list[tuple[str, int]]
    last_modified: float
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)
    checksums: dict[str, str] = field(default_factory=dict)
    delete_marker: bool = False
    is_latest: bool = True
    inline: bytes | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> StoredObject:
        """A row of `s3_objects` as an object."""
        return cls(
            key=row["key"],
            version_id=row["version_id"],
            size=row["size"],
            etag=row["etag"],
            parts=[(sha, size) for sha, size in json.loads(row["parts"])],
            last_modified=row["last_modified"],
            content_type=row["content_type"],
            headers=json.loads(row["headers"]),
            metadata=json.loads(row["metadata"]),
            checksums=json.loads(row["checksums"]),
            delete_marker=bool(row["delete_marker"]),
            is_latest=bool(row["is_latest"]),
            inline=row["inline"],
        )


@dataclass
class NewObject:
    """What a PUT, a copy or a completed upload stores (the blobs are already in the blob store)."""

    key: str
    size: int
    etag: str
    parts: list[tuple[str, int]]
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)
    checksums: dict[str, str] = field(default_factory=dict)
    inline: bytes | None = None


@dataclass
class Listing:
    """One page of a listing: the objects (or versions), the common prefixes, where the next page starts."""

    contents: list[StoredObject]
    common_prefixes: list[str]
    truncated: bool
    next_marker: str | None = None
    next_version_marker: str | None = None


class S3Bucket(ShardedBucket):
    """One bucket: created by `create`, reached by name `<tenant>/<bucket>`."""

    layout_prefix = PREFIX
    rows_format = key_rows
    event_prefix = "S3Bucket"

    async def on_start(self) -> None:
        self.storage.sql.exec(SCHEMA)
        self._references = BlobReferences(self.storage, "s3")
        self._start_layout(key_fence.fence(self.storage.sql))

    # -- the bucket ---------------------------------------------------------------------------------

    def create(
        self,
        tenant: str,
        name: str,
        blobs: str,
        *,
        shards: int = 1,
        shard: bool = False,
        garbage_grace: float = GARBAGE_GRACE,
    ) -> bool:
        """Make this object the bucket `name` of `tenant` (with its keys over `shards` shard objects, or as
        one of those shards when `shard`); False if it already was. Unreferenced blobs are swept once
        they have stayed so for `garbage_grace` seconds."""
        existing = self.storage.sql.exec("SELECT name FROM s3_bucket").to_list()
        if existing:
            return False

        def create() -> None:
            self.storage.sql.exec(
                "INSERT INTO s3_bucket (name, tenant, blobs, namespace, created_at) VALUES (?, ?, ?, ?, ?)",
                name,
                tenant,
                blobs,
                f"s3-{self.id.hex}",
                time.time(),
            )
            key_resharding.set_layout_shards(self.storage.sql, PREFIX, 1 if shard else shards)
            self._references.set_grace(garbage_grace)
            self._fence.forget_place()  # a bucket made again starts with no reshard behind it

        self.storage.transaction_sync(create)
        self._place = None
        if not shard:
            self.ctx.send("S3Bucket.created", {"tenant": tenant, "bucket": name, "shards": shards})
        return True

    def info(self) -> dict[str, Any]:
        """The bucket's settings (`shards`: over how many objects its keys are); `NoSuchBucket` if none."""
        rows = self.storage.sql.exec("SELECT * FROM s3_bucket").to_list()
        if not rows:
            raise S3Error("NoSuchBucket")
        return {
            **rows[0],
            "shards": key_resharding.layout_shards(self.storage.sql, PREFIX),
            "reshard": key_resharding.moving_layouts(self.storage.sql, PREFIX),
        }

    def is_empty(self) -> bool:
        """Whether the bucket holds no object version (what DeleteBucket needs of every shard)."""
        self.info()
        return not self.storage.sql.exec("SELECT 1 FROM s3_objects LIMIT 1").to_list()

    def delete_bucket(self, *, shard: bool = False) -> None:
        """Delete the bucket if it holds no object (in-progress uploads are aborted)."""
        bucket = self.info()

        def delete() -> None:
            if self.storage.sql.exec("SELECT 1 FROM s3_objects LIMIT 1").to_list():
                raise S3Error("BucketNotEmpty")
            for row in self.storage.sql.exec("SELECT sha FROM s3_parts").to_list():
                self._references.drop(row["sha"])
            self.storage.sql.exec("DELETE FROM s3_parts")
            self.storage.sql.exec("DELETE FROM s3_uploads")
            self.storage.sql.exec("DELETE FROM s3_bucket")
            self.storage.sql.exec("DELETE FROM s3_layout")
            self._fence.forget_place()

        self.storage.transaction_sync(delete)
        self._place = None
        if not shard:
            self.ctx.send("S3Bucket.deleted", {"tenant": bucket["tenant"], "bucket": bucket["name"]})

    def set_versioning(self, status: str) -> None:
        """`Enabled` or `Suspended` (a bucket never returns to unversioned)."""
        if status not in ("Enabled", "Suspended"):
            raise S3Error("MalformedXML", "versioning status must be Enabled or Suspended")
        self.info()
        self.storage.sql.exec("UPDATE s3_bucket SET versioning = ?", status)

    def set_cors(self, rules: list[dict[str, Any]] | None) -> None:
        """Replace the bucket's CORS rules (None deletes them)."""
        self.info()
        self.storage.sql.exec("UPDATE s3_bucket SET cors = ?", None if rules is None else json.dumps(rules))

    # -- objects ------------------------------------------------------------------------------------

    def head(self, key: str, version_id: str | None = None) -> StoredObject:
        """The newest version of `key` (or the one asked); `NoSuchKey`/`NoSuchVersion` otherwise."""
        self.info()
        self._check_key(key, write=False)
        if version_id is None:
            rows = self.storage.sql.exec("SELECT * FROM s3_objects WHERE key = ? AND is_latest = 1", key).to_list()
            if not rows or rows[0]["delete_marker"]:
                marker = "true" if rows else "false"
                raise S3Error("NoSuchKey", key=key, headers={"x-amz-delete-marker": marker})
            return StoredObject.from_row(rows[0])
        rows = self.storage.sql.exec(
            "SELECT * FROM s3_objects WHERE key = ? AND version_id = ?", key, version_id
        ).to_list()
        if not rows:
            raise S3Error("NoSuchVersion", key=key)
        found = StoredObject.from_row(rows[0])
        if found.delete_marker:
            raise S3Error("MethodNotAllowed", "the specified version is a delete marker", key=key)
        return found

    def put(self, new: NewObject, *, if_match: str | None = None, if_none_match: str | None = None) -> StoredObject:
        """Store a new version of `new.key` (replacing the current one when unversioned).

        `if_none_match="*"` stores only if the key has no current object, `if_match=etag` only if the
        current object has that ETag (S3's conditional writes): checked and written in one transaction.
        """
        bucket = self.info()
        missing = [sha for sha, _ in new.parts if not self._blobs(bucket).exists(sha, namespace=bucket["namespace"])]
        if missing:
            raise S3Error("InternalError", "the object's bytes were lost before they were recorded; send it again")

        def put() -> StoredObject:
            self._check_key(new.key, write=True)
            if if_match is not None or if_none_match is not None:
                self._check_write_condition(new.key, if_match, if_none_match)
            return self._add_version(bucket, new, delete_marker=False)

        stored = self.storage.transaction_sync(put)
        self.ctx.send(
            "S3Object.created",
            {
                "tenant": bucket["tenant"],
                "bucket": bucket["name"],
                "key": new.key,
                "size": new.size,
                "etag": new.etag,
                "version_id": stored.version_id,
            },
        )
        return stored

    def _check_write_condition(self, key: str, if_match: str | None, if_none_match: str | None) -> None:
        rows = self.storage.sql.exec(
            "SELECT etag FROM s3_objects WHERE key = ? AND is_latest = 1 AND delete_marker = 0", key
        ).to_list()
        current = rows[0]["etag"].strip('"') if rows else None
        if (
            if_none_match is not None
            and current is not None
            and (if_none_match.strip() == "*" or if_none_match.strip().strip('"') == current)
        ):
            raise S3Error("PreconditionFailed", key=key)
        if if_match is not None:
            if current is None:
                raise S3Error("NoSuchKey", key=key)
            if if_match.strip() != "*" and if_match.strip().strip('"') != current:
                raise S3Error("PreconditionFailed", key=key)

    def delete(self, key: str, version_id: str | None = None) -> tuple[str | None, bool]:
        """Delete `key` (a delete marker when versioned) or one version; (version id, is a delete marker)."""
        bucket = self.info()

        def delete() -> tuple[str | None, bool]:
            self._check_key(key, write=True)
            if version_id is not None:
                rows = self.storage.sql.exec(
                    "SELECT * FROM s3_objects WHERE key = ? AND version_id = ?", key, version_id
                ).to_list()
                if not rows:
                    return version_id, False
                self._drop_rows(rows)
                if rows[0]["is_latest"]:
                    self._promote_newest(key)
                return version_id, bool(rows[0]["delete_marker"])
            if bucket["versioning"]:
                marker = NewObject(key=key, size=0, etag="", parts=[])
                stored = self._add_version(bucket, marker, delete_marker=True)
                return stored.version_id, True
            rows = self.storage.sql.exec("SELECT * FROM s3_objects WHERE key = ?", key).to_list()
            self._drop_rows(rows)
            return None, False

        result = self.storage.transaction_sync(delete)
        self.ctx.send(
            "S3Object.deleted",
            {"tenant": bucket["tenant"], "bucket": bucket["name"], "key": key, "version_id": result[0]},
        )
        return result

    def _add_version(self, bucket: dict[str, Any], new: NewObject, *, delete_marker: bool) -> StoredObject:
        sql = self.storage.sql
        seq = sql.exec("SELECT coalesce(max(seq), 0) + 1 AS n FROM s3_objects").one()["n"]
        if bucket["versioning"] == "Enabled":
            version_id = uuid.uuid4().hex
        else:
            version_id = NULL_VERSION
            self._drop_rows(
                sql.exec("SELECT * FROM s3_objects WHERE key = ? AND version_id = ?", new.key, NULL_VERSION).to_list()
            )
        sql.exec("UPDATE s3_objects SET is_latest = 0 WHERE key = ? AND is_latest = 1", new.key)
        now = time.time()
        sql.exec(
            "INSERT INTO s3_objects VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            new.key,
            version_id,
            seq,
            int(delete_marker),
            new.size,
            new.etag,
            json.dumps(new.parts),
            new.content_type,
            json.dumps(new.headers),
            json.dumps(new.metadata),
            json.dumps(new.checksums),
            now,
            new.inline,
        )
        for sha, _ in new.parts:
            self._references.add(sha)
        return StoredObject(
            key=new.key,
            version_id=version_id,
            size=new.size,
            etag=new.etag,
            parts=new.parts,
            last_modified=now,
            content_type=new.content_type,
            headers=new.headers,
            metadata=new.metadata,
            checksums=new.checksums,
            delete_marker=delete_marker,
        )

    def _drop_rows(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            self.storage.sql.exec(
                "DELETE FROM s3_objects WHERE key = ? AND version_id = ?", row["key"], row["version_id"]
            )
            for sha, _ in json.loads(row["parts"]):
                self._references.drop(sha)

    def _promote_newest(self, key: str) -> None:
        self.storage.sql.exec(
            "UPDATE s3_objects SET is_latest = 1 WHERE key = ? AND seq = (SELECT max(seq) FROM s3_objects "
            "WHERE key = ?)",
            key,
            key,
        )

    def sweep_garbage(self, *, older_than: float | None = None) -> int:
        """Delete the blobs unreferenced for longer than `older_than` seconds (the bucket's grace by default);
        how many went."""
        rows = self.storage.sql.exec("SELECT * FROM s3_bucket").to_list()
        if not rows:
            return 0
        return self._references.sweep(self._blobs(rows[0]), rows[0]["namespace"], older_than=older_than)

    async def alarm(self, info: AlarmInfo) -> None:
        """Sweep the blobs whose grace has ended, and set the alarm again for any still waiting."""
        self.sweep_garbage()
        self._references.schedule_sweep()

    def _blobs(self, bucket: dict[str, Any]) -> BlobStore:
        return BlobStore(bucket["blobs"])

    # -- listing ------------------------------------------------------------------------------------

    def list_objects(self, *, prefix: str = "", delimiter: str = "", after: str = "", max_keys: int = 1000) -> Listing:
        """The newest live version of each key after `after`, grouped by `delimiter` (one page)."""
        self.info()
        contents: list[StoredObject] = []
        prefixes: list[str] = []
        if max_keys == 0:
            return Listing(contents, prefixes, truncated=False)
        cursor_key = after
        last = ""
        while True:
            rows = self.storage.sql.exec(
                "SELECT * FROM s3_objects WHERE is_latest = 1 AND delete_marker = 0 AND key > ? AND key >= ? "
                "ORDER BY key LIMIT 1000",
                cursor_key,
                prefix,
            ).to_list()
            if not rows:
                return Listing(contents, prefixes, truncated=False)
            for row in rows:
                key = row["key"]
                if not key.startswith(prefix):
                    return Listing(contents, prefixes, truncated=False)
                if len(contents) + len(prefixes) >= max_keys:
                    return Listing(contents, prefixes, truncated=True, next_marker=last)
                rest = key[len(prefix) :]
                if delimiter and delimiter in rest:
                    common = prefix + rest[: rest.index(delimiter) + len(delimiter)]
                    if common > after:  # a prefix at or before the marker was on an earlier page
                        prefixes.append(common)
                        last = common
                    cursor_key = common + "\U0010ffff"
                    break
                contents.append(StoredObject.from_row(row))
                last = cursor_key = key

    def list_versions(
        self,
        *,
        prefix: str = "",
        delimiter: str = "",
        key_marker: str = "",
        version_marker: str = "",
        max_keys: int = 1000,
    ) -> Listing:
        """Every version (and delete marker), newest first within a key, one page."""
        self.info()
        rows = self.storage.sql.exec(
            "SELECT * FROM s3_objects WHERE key >= ? ORDER BY key, seq DESC", max(prefix, key_marker)
        ).to_list()
        contents: list[StoredObject] = []
        prefixes: list[str] = []
        skipping = bool(version_marker)
        for row in rows:
            key = row["key"]
            if not key.startswith(prefix):
                if key > prefix:
                    break
                continue
            if key_marker and (key < key_marker or (key == key_marker and not version_marker)):
                continue
            if skipping and key == key_marker:
                if row["version_id"] == version_marker:
                    skipping = False
                continue
            rest = key[len(prefix) :]
            if delimiter and delimiter in rest:
                common = prefix + rest[: rest.index(delimiter) + len(delimiter)]
                if common not in prefixes:
                    if len(contents) + len(prefixes) >= max_keys:
                        return self._versions_page(contents, prefixes)
                    prefixes.append(common)
                continue
            if len(contents) + len(prefixes) >= max_keys:
                return self._versions_page(contents, prefixes)
            contents.append(StoredObject.from_row(row))
        return Listing(contents, prefixes, truncated=False)

    @staticmethod
    def _versions_page(contents: list[StoredObject], prefixes: list[str]) -> Listing:
        last = contents[-1] if contents else None
        return Listing(
            contents,
            prefixes,
            truncated=True,
            next_marker=last.key if last else (prefixes[-1] if prefixes else None),
            next_version_marker=last.version_id if last else None,
        )

    # -- multipart uploads --------------------------------------------------------------------------

    def create_upload(
        self, key: str, content_type: str | None, headers: dict[str, str], metadata: dict[str, str]
    ) -> str:
        """Start a multipart upload of `key`; its id."""
        self.info()
        self._check_key(key, write=True)
        upload_id = uuid.uuid4().hex
        self.storage.sql.exec(
            "INSERT INTO s3_uploads VALUES (?, ?, ?, ?, ?, ?)",
            upload_id,
            key,
            time.time(),
            content_type,
            json.dumps(headers),
            json.dumps(metadata),
        )
        return upload_id

    def upload(self, upload_id: str, key: str) -> dict[str, Any]:
        """An upload in progress; `NoSuchUpload` if there is none of that id for `key`."""
        self.info()
        self._check_key(key, write=False)
        rows = self.storage.sql.exec("SELECT * FROM s3_uploads WHERE upload_id = ?", upload_id).to_list()
        if not rows or rows[0]["key"] != key:
            raise S3Error("NoSuchUpload", key=key)
        return rows[0]

    def put_part(self, upload_id: str, key: str, part_number: int, etag: str, size: int, sha: str, md5: str) -> None:
        """Record a part (a later upload of the same number replaces it)."""
        self.upload(upload_id, key)

        def put() -> None:
            self._check_key(key, write=True)
            old = self.storage.sql.exec(
                "SELECT sha FROM s3_parts WHERE upload_id = ? AND part_number = ?", upload_id, part_number
            ).to_list()
            self.storage.sql.exec(
                "INSERT OR REPLACE INTO s3_parts VALUES (?, ?, ?, ?, ?, ?, ?)",
                upload_id,
                part_number,
                etag,
                size,
                sha,
                md5,
                time.time(),
            )
            self._references.add(sha)
            for row in old:
                self._references.drop(row["sha"])

        self.storage.transaction_sync(put)

    def parts(self, upload_id: str, key: str, *, after: int = 0, max_parts: int = 1000) -> list[dict[str, Any]]:
        """The parts uploaded so far, by number, after `after` (one page)."""
        self.upload(upload_id, key)
        return self.storage.sql.exec(
            "SELECT part_number, etag, size, last_modified FROM s3_parts WHERE upload_id = ? AND part_number > ? "
            "ORDER BY part_number LIMIT ?",
            upload_id,
            after,
            max_parts + 1,
        ).to_list()

    def uploads(self, *, prefix: str = "") -> list[dict[str, Any]]:
        """Uploads in progress whose key starts with `prefix`, by key then start time."""
        self.info()
        rows = self.storage.sql.exec("SELECT * FROM s3_uploads ORDER BY key, created_at").to_list()
        return [row for row in rows if row["key"].startswith(prefix)]

    def complete_upload(
        self,
        upload_id: str,
        key: str,
        chosen: list[tuple[int, str]],
        min_part_size: int,
        *,
        if_match: str | None = None,
        if_none_match: str | None = None,
    ) -> StoredObject:
        """Assemble the chosen (part number, ETag) pairs into the object, in one transaction.

        Completing an upload again answers as the first completion did (while that version exists),
        as S3 does for a client retrying a completion whose answer it lost.
        """
        self._check_key(key, write=True)
        done = self.storage.sql.exec(
            "SELECT version_id FROM s3_completed WHERE upload_id = ? AND key = ?", upload_id, key
        ).to_list()
        if done:
            return self.head(key, done[0]["version_id"])
        upload = self.upload(upload_id, key)
        bucket = self.info()
        if not chosen:
            raise S3Error("MalformedXML", "the upload must name at least one part")
        numbers = [number for number, _ in chosen]
        if numbers != sorted(numbers) or len(set(numbers)) != len(numbers):
            raise S3Error("InvalidPartOrder")
        stored_parts = {
            row["part_number"]: row
            for row in self.storage.sql.exec("SELECT * FROM s3_parts WHERE upload_id = ?", upload_id).to_list()
        }
        pieces: list[tuple[str, int]] = []
        md5s: list[bytes] = []
        for index, (number, etag) in enumerate(chosen):
            part = stored_parts.get(number)
            if part is None or part["etag"].strip('"') != etag.strip('"'):
                raise S3Error("InvalidPart", f"part {number} was not uploaded or its ETag does not match", key=key)
            if index < len(chosen) - 1 and part["size"] < min_part_size:
                raise S3Error("EntityTooSmall", f"part {number} is smaller than the minimum of {min_part_size} bytes")
            pieces.append((part["sha"], part["size"]))
            md5s.append(bytes.fromhex(part["md5"]))
        etag = f'"{hashlib.md5(b"".join(md5s)).hexdigest()}-{len(chosen)}"'
        new = NewObject(
            key=key,
            size=sum(size for _, size in pieces),
            etag=etag,
            parts=pieces,
            content_type=upload["content_type"],
            headers=json.loads(upload["headers"]),
            metadata=json.loads(upload["metadata"]),
        )

        def complete() -> StoredObject:
            if if_match is not None or if_none_match is not None:
                self._check_write_condition(key, if_match, if_none_match)
            stored = self._add_version(bucket, new, delete_marker=False)
            self.storage.sql.exec(
                "INSERT INTO s3_completed VALUES (?, ?, ?, ?)", upload_id, key, stored.version_id, time.time()
            )
            self.storage.sql.exec("DELETE FROM s3_parts WHERE upload_id = ?", upload_id)
            self.storage.sql.exec("DELETE FROM s3_uploads WHERE upload_id = ?", upload_id)
            # The parts' references end with the upload; the object now holds those it uses.
            for row in stored_parts.values():
                self._references.drop(row["sha"])
            return stored

        stored = self.storage.transaction_sync(complete)
        self.ctx.send(
            "S3Object.created",
            {
                "tenant": bucket["tenant"],
                "bucket": bucket["name"],
                "key": key,
                "size": new.size,
                "etag": etag,
                "version_id": stored.version_id,
            },
        )
        return stored

    def abort_upload(self, upload_id: str, key: str) -> None:
        """Drop an upload in progress and its parts."""
        self.upload(upload_id, key)

        def abort() -> None:
            self._check_key(key, write=True)
            shas = [
                row["sha"]
                for row in self.storage.sql.exec("SELECT sha FROM s3_parts WHERE upload_id = ?", upload_id).to_list()
            ]
            self.storage.sql.exec("DELETE FROM s3_parts WHERE upload_id = ?", upload_id)
            self.storage.sql.exec("DELETE FROM s3_uploads WHERE upload_id = ?", upload_id)
            for sha in shas:
                self._references.drop(sha)

        self.storage.transaction_sync(abort)

    # -- resharding (see `ShardedBucket`) -------------------------------------------------------------

    @staticmethod
    def _invalid(message: str) -> Exception:
        return S3Error("InvalidArgument", message)

    @staticmethod
    def _busy(message: str) -> Exception:
        return S3Error("OperationAborted", message)

    def shard_settings(self) -> dict[str, Any]:
        """What a shard of this bucket is made with (`join_layout`'s settings)."""
        info = self.info()
        settings = {key: info[key] for key in ("tenant", "name", "blobs", "versioning")}
        return {**settings, "garbage_grace": self._references.grace()}

    def _join(self, settings: dict[str, Any]) -> None:
        if not self.storage.sql.exec("SELECT 1 FROM s3_bucket").to_list():
            grace = settings["garbage_grace"]
            self.create(settings["tenant"], settings["name"], settings["blobs"], shard=True, garbage_grace=grace)
        if settings["versioning"]:
            self.storage.sql.exec("UPDATE s3_bucket SET versioning = ?", settings["versioning"])

    def count_keys(self) -> int:
        """How many objects (current, not deleted) this object holds."""
        return self.storage.sql.exec(
            "SELECT count(*) AS n FROM s3_objects WHERE is_latest = 1 AND delete_marker = 0"
        ).one()["n"]
