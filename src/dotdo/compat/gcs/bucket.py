"""`GcsBucket`: one Cloud Storage bucket of one tenant as one durable object.

Every write of an object makes a new generation (a number that only grows); a metadata change makes
a new metageneration of the same generation. Preconditions on both are checked inside the write's
transaction. Without versioning, the previous generation is dropped; with it, it stays as a
noncurrent generation. Small objects live in their row, larger ones as blobs of the blob store,
counted by `BlobReferences`. Resumable uploads keep their received chunks as blobs until the last
one arrives; a session's id carries its object's name, so the object holding that name answers for it.

A bucket made with more than one shard keeps only its settings here; its objects, their generations
and their resumable sessions live in its shard objects, each a `GcsBucket` too, placed by object
name (see `ShardedBucket` and `key_layout`). A reshard moves names between layouts while requests go
on; generation numbers move with their rows, unchanged.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from ...primitives.blob_store import BlobStore
from ...runtime.durable_object import AlarmInfo
from .. import key_resharding
from ..blob_references import GARBAGE_GRACE, BlobReferences, schema
from ..key_layout import KeyFence, fence_schema
from ..sharded_bucket import ShardedBucket
from . import key_rows
from .errors import GcsError, KeyElsewhere, KeyMoving, NoSuchBucket

PREFIX = "gcs"
"""The prefix of the tables a `GcsBucket` keeps."""

SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS gcs_bucket (
    name TEXT PRIMARY KEY, tenant TEXT NOT NULL, blobs TEXT NOT NULL, namespace TEXT NOT NULL,
    created_at REAL NOT NULL, updated_at REAL NOT NULL, metageneration INTEGER NOT NULL,
    versioning INTEGER NOT NULL DEFAULT 0, labels TEXT NOT NULL DEFAULT '{}');
CREATE TABLE IF NOT EXISTS gcs_objects (
    name TEXT NOT NULL, generation INTEGER NOT NULL, metageneration INTEGER NOT NULL, live INTEGER NOT NULL,
    size INTEGER NOT NULL, md5 TEXT NOT NULL, crc32c TEXT NOT NULL, parts TEXT NOT NULL, inline BLOB,
    content_type TEXT, metadata TEXT NOT NULL, headers TEXT NOT NULL, created_at REAL NOT NULL,
    updated_at REAL NOT NULL, deleted_at REAL, PRIMARY KEY (name, generation));
CREATE INDEX IF NOT EXISTS gcs_objects_live ON gcs_objects(live, name);
CREATE TABLE IF NOT EXISTS gcs_uploads (
    upload_id TEXT PRIMARY KEY, name TEXT NOT NULL, resource TEXT NOT NULL, conditions TEXT NOT NULL,
    received INTEGER NOT NULL, parts TEXT NOT NULL, created_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS gcs_uploads_name ON gcs_uploads(name);
"""
    + schema(PREFIX)
    + fence_schema(PREFIX)
    + key_resharding.schema(PREFIX)
)


def past_prefix(prefix: str) -> str:
    """Where a listing whose page ended on the common prefix `prefix` goes on: after every name under it
    (an object named like the prefix itself, listed before it, is not listed again)."""
    return prefix + "\U0010ffff"


HEADER_FIELDS = ("contentEncoding", "contentDisposition", "contentLanguage", "cacheControl")


@dataclass
class GcsObject:
    """One generation of an object."""

    name: str
    generation: int
    metageneration: int
    size: int
    md5: str
    crc32c: str
    parts: list[tuple[str, int]]
    created_at: float
    updated_at: float
    content_type: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    inline: bytes | None = None
    live: bool = True

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> GcsObject:
        """A row of `gcs_objects` as an object."""
        return cls(
            name=row["name"],
            generation=row["generation"],
            metageneration=row["metageneration"],
            size=row["size"],
            md5=row["md5"],
            crc32c=row["crc32c"],
            parts=[(s, n) for s, n in json.loads(row["parts"])],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            content_type=row["content_type"],
            metadata=json.loads(row["metadata"]),
            headers=json.loads(row["headers"]),
            inline=row["inline"],
            live=bool(row["live"]),
        )


@dataclass
class NewGcsObject:
    """What an upload, a copy or a compose stores (blobs already in the blob store)."""

    name: str
    size: int
    md5: str
    crc32c: str
    parts: list[tuple[str, int]]
    inline: bytes | None = None
    content_type: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Conditions:
    """Preconditions of a request (`ifGenerationMatch=0`: only if the object does not exist)."""

    if_generation_match: int | None = None
    if_generation_not_match: int | None = None
    if_metageneration_match: int | None = None
    if_metageneration_not_match: int | None = None

    def check(self, current: GcsObject | None) -> None:
        """`GcsError(412)` unless `current` (None: no live object) satisfies every precondition."""
        generation = current.generation if current is not None else 0
        if self.if_generation_match is not None and self.if_generation_match != generation:
            raise GcsError(412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.")
        if self.if_generation_not_match is not None and self.if_generation_not_match == generation:
            raise GcsError(412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.")
        if current is None:
            if self.if_metageneration_match is not None:
                raise GcsError(412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.")
            return
        if self.if_metageneration_match is not None and self.if_metageneration_match != current.metageneration:
            raise GcsError(412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.")
        if self.if_metageneration_not_match is not None and self.if_metageneration_not_match == current.metageneration:
            raise GcsError(412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.")


def session_object_name(upload_id: str) -> str | None:
    """The object name a resumable session's id carries (None for an id this layer did not make)."""
    _, separator, encoded = upload_id.partition("-")
    if not separator:
        return None
    try:
        name = base64.b64decode(encoded + "=" * (-len(encoded) % 4), altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return name or None


class GcsBucket(ShardedBucket):
    """One bucket, reached by name `<tenant>/<bucket>` (or one of its shards, `<tenant>/<bucket>-shard-<i>`)."""

    layout_prefix = PREFIX
    rows_format = key_rows
    event_prefix = "GcsBucket"

    async def on_start(self) -> None:
        sql = self.storage.sql
        sql.exec(SCHEMA)
        self._references = BlobReferences(self.storage, PREFIX)
        fence = KeyFence(
            sql, PREFIX, holds=lambda name: key_rows.holds(sql, name), elsewhere=KeyElsewhere, moving=KeyMoving
        )
        self._start_layout(fence)

    # -- the bucket ---------------------------------------------------------------------------------

    def create(
        self,
        tenant: str,
        name: str,
        blobs: str,
        versioning: bool,
        labels: dict[str, str],
        garbage_grace: float = GARBAGE_GRACE,
        *,
        shards: int = 1,
        shard: bool = False,
    ) -> bool:
        """Make this object the bucket `name` (with its objects over `shards` shard objects, or as one of
        those shards when `shard`); False if it already was. Blobs its objects no longer use are deleted
        once they have stayed so for `garbage_grace` seconds."""
        if self.storage.sql.exec("SELECT 1 FROM gcs_bucket").to_list():
            return False
        now = time.time()

        def create() -> None:
            self._references.set_grace(garbage_grace)
            self.storage.sql.exec(
                "INSERT INTO gcs_bucket VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)",
                name,
                tenant,
                blobs,
                f"gcs-{self.id.hex}",
                now,
                now,
                int(versioning),
                json.dumps(labels),
            )
            key_resharding.set_layout_shards(self.storage.sql, PREFIX, 1 if shard else shards)
            self._fence.forget_place()  # a bucket made again starts with no reshard behind it

        self.storage.transaction_sync(create)
        self._place = None
        if not shard:
            self.ctx.send("GcsBucket.created", {"tenant": tenant, "bucket": name, "shards": shards})
        return True

    def info(self) -> dict[str, Any]:
        """The bucket's row (`shards`: over how many objects its objects are, `reshard`: the move under
        way); `NoSuchBucket` if there is no such bucket."""
        rows = self.storage.sql.exec("SELECT * FROM gcs_bucket").to_list()
        if not rows:
            raise NoSuchBucket()
        row = rows[0]
        row["labels"] = json.loads(row["labels"])
        row["shards"] = key_resharding.layout_shards(self.storage.sql, PREFIX)
        row["reshard"] = key_resharding.moving_layouts(self.storage.sql, PREFIX)
        return row

    def update_bucket(
        self, versioning: bool | None, labels: dict[str, str] | None, if_metageneration_match: int | None
    ) -> dict[str, Any]:
        """Change versioning or labels (a new metageneration)."""
        bucket = self.info()
        if if_metageneration_match is not None and if_metageneration_match != bucket["metageneration"]:
            raise GcsError(412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.")
        self.storage.sql.exec(
            "UPDATE gcs_bucket SET versioning = coalesce(?, versioning), labels = coalesce(?, labels), "
            "metageneration = metageneration + 1, updated_at = ?",
            None if versioning is None else int(versioning),
            None if labels is None else json.dumps(labels),
            time.time(),
        )
        return self.info()

    def set_versioning(self, enabled: bool) -> None:
        """Keep noncurrent generations (or not): what a sharded bucket's shards learn from its own object."""
        self.info()
        self.storage.sql.exec("UPDATE gcs_bucket SET versioning = ?", int(enabled))

    def is_empty(self) -> bool:
        """Whether the bucket holds no live object (what deleting a sharded bucket needs of every shard)."""
        self.info()
        return not self.storage.sql.exec("SELECT 1 FROM gcs_objects WHERE live = 1 LIMIT 1").to_list()

    def delete_bucket(self, *, shard: bool = False) -> None:
        """Delete the bucket if it holds no live object."""
        bucket = self.info()
        if not self.is_empty():
            raise GcsError(409, "conflict", "The bucket you tried to delete is not empty.")

        def delete() -> None:
            for row in self.storage.sql.exec("SELECT parts FROM gcs_objects").to_list():
                for sha, _ in json.loads(row["parts"]):
                    self._references.drop(sha)
            for row in self.storage.sql.exec("SELECT parts FROM gcs_uploads").to_list():
                for sha, _ in json.loads(row["parts"]):
                    self._references.drop(sha)
            self.storage.sql.exec("DELETE FROM gcs_objects")
            self.storage.sql.exec("DELETE FROM gcs_uploads")
            self.storage.sql.exec("DELETE FROM gcs_bucket")
            self.storage.sql.exec("DELETE FROM gcs_layout")
            self._fence.forget_place()

        self.storage.transaction_sync(delete)
        self._place = None
        if not shard:
            self.ctx.send("GcsBucket.deleted", {"tenant": bucket["tenant"], "bucket": bucket["name"]})

    # -- objects ------------------------------------------------------------------------------------

    def _live(self, name: str) -> GcsObject | None:
        rows = self.storage.sql.exec("SELECT * FROM gcs_objects WHERE name = ? AND live = 1", name).to_list()
        return GcsObject.from_row(rows[0]) if rows else None

    def get(self, name: str, generation: int | None = None, conditions: Conditions | None = None) -> GcsObject:
        """The live generation of `name` (or the one asked); 404 otherwise; 412 on a failed precondition."""
        self.info()
        self._check_key(name, write=False)
        if generation is None:
            found = self._live(name)
        else:
            rows = self.storage.sql.exec(
                "SELECT * FROM gcs_objects WHERE name = ? AND generation = ?", name, generation
            ).to_list()
            found = GcsObject.from_row(rows[0]) if rows else None
        if found is None:
            raise GcsError(404, "notFound", f"No such object: {self.info()['name']}/{name}")
        if conditions is not None:
            conditions.check(found)
        return found

    def put(self, new: NewGcsObject, conditions: Conditions) -> GcsObject:
        """Store a new generation of `new.name`, if the preconditions hold."""
        bucket = self.info()
        blobs = BlobStore(bucket["blobs"])
        if any(not blobs.exists(sha, namespace=bucket["namespace"]) for sha, _ in new.parts):
            raise GcsError(503, "backendError", "The object's bytes were lost before they were recorded; retry.")

        def put() -> GcsObject:
            self._check_key(new.name, write=True)
            current = self._live(new.name)
            conditions.check(current)
            return self._add_generation(bucket, new, current)

        stored = self.storage.transaction_sync(put)
        self.ctx.send(
            "GcsObject.created",
            {
                "tenant": bucket["tenant"],
                "bucket": bucket["name"],
                "name": new.name,
                "generation": stored.generation,
                "size": new.size,
            },
        )
        return stored

    def _add_generation(self, bucket: dict[str, Any], new: NewGcsObject, current: GcsObject | None) -> GcsObject:
        sql = self.storage.sql
        now = time.time()
        generation = max(
            int(now * 1_000_000), sql.exec("SELECT coalesce(max(generation), 0) + 1 AS g FROM gcs_objects").one()["g"]
        )
        if current is not None:
            if bucket["versioning"]:
                sql.exec(
                    "UPDATE gcs_objects SET live = 0, deleted_at = ? WHERE name = ? AND generation = ?",
                    now,
                    current.name,
                    current.generation,
                )
            else:
                self._drop(current)
        sql.exec(
            "INSERT INTO gcs_objects VALUES (?, ?, 1, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
            new.name,
            generation,
            new.size,
            new.md5,
            new.crc32c,
            json.dumps(new.parts),
            new.inline,
            new.content_type,
            json.dumps(new.metadata),
            json.dumps(new.headers),
            now,
            now,
        )
        for sha, _ in new.parts:
            self._references.add(sha)
        return GcsObject(
            name=new.name,
            generation=generation,
            metageneration=1,
            size=new.size,
            md5=new.md5,
            crc32c=new.crc32c,
            parts=new.parts,
            created_at=now,
            updated_at=now,
            content_type=new.content_type,
            metadata=new.metadata,
            headers=new.headers,
            inline=new.inline,
        )

    def _drop(self, obj: GcsObject) -> None:
        self.storage.sql.exec("DELETE FROM gcs_objects WHERE name = ? AND generation = ?", obj.name, obj.generation)
        for sha, _ in obj.parts:
            self._references.drop(sha)

    def patch(self, name: str, changes: dict[str, Any], conditions: Conditions, *, replace: bool) -> GcsObject:
        """Change an object's metadata (a new metageneration); `replace` drops what `changes` leaves out."""
        bucket = self.info()

        def patch() -> GcsObject:
            self._check_key(name, write=True)
            current = self.get(name, None, conditions)
            metadata = {} if replace else dict(current.metadata)
            for key, value in (changes.get("metadata") or {}).items():
                if value is None:
                    metadata.pop(key, None)
                else:
                    metadata[key] = str(value)
            headers = {} if replace else dict(current.headers)
            for key in HEADER_FIELDS:
                if key in changes:
                    if changes[key] is None:
                        headers.pop(key, None)
                    else:
                        headers[key] = str(changes[key])
            content_type = changes.get("contentType", None if replace else current.content_type)
            self.storage.sql.exec(
                "UPDATE gcs_objects SET metageneration = metageneration + 1, metadata = ?, headers = ?, "
                "content_type = ?, updated_at = ? WHERE name = ? AND generation = ?",
                json.dumps(metadata),
                json.dumps(headers),
                content_type,
                time.time(),
                name,
                current.generation,
            )
            return self.get(name)

        updated = self.storage.transaction_sync(patch)
        self.ctx.send("GcsObject.updated", {"tenant": bucket["tenant"], "bucket": bucket["name"], "name": name})
        return updated

    def delete(self, name: str, generation: int | None, conditions: Conditions) -> None:
        """Delete the live generation (kept as noncurrent when versioned) or one generation for good."""
        bucket = self.info()

        def delete() -> None:
            self._check_key(name, write=True)
            target = self.get(name, generation, conditions)
            if generation is None and bucket["versioning"]:
                self.storage.sql.exec(
                    "UPDATE gcs_objects SET live = 0, deleted_at = ? WHERE name = ? AND generation = ?",
                    time.time(),
                    name,
                    target.generation,
                )
            else:
                self._drop(target)

        self.storage.transaction_sync(delete)
        self.ctx.send("GcsObject.deleted", {"tenant": bucket["tenant"], "bucket": bucket["name"], "name": name})

    def list_objects(
        self,
        *,
        prefix: str = "",
        delimiter: str = "",
        after: str = "",
        max_results: int = 1000,
        versions: bool = False,
        start_offset: str = "",
        end_offset: str = "",
        include_trailing_delimiter: bool = False,
    ) -> tuple[list[GcsObject], list[str], str | None]:
        """One page: objects, prefixes, and the name to continue after (None on the last page)."""
        self.info()
        where = "" if versions else "live = 1 AND "
        rows = self.storage.sql.exec(
            f"SELECT * FROM gcs_objects WHERE {where}name > ? AND name >= ? AND name >= ? ORDER BY name, generation",
            after,
            prefix,
            start_offset,
        ).to_list()
        items: list[GcsObject] = []
        prefixes: list[str] = []
        last = None
        for row in rows:
            name = row["name"]
            if not name.startswith(prefix):
                break
            if end_offset and name >= end_offset:
                break
            rest = name[len(prefix) :]
            if delimiter and delimiter in rest[: len(rest) - (len(delimiter) if include_trailing_delimiter else 0)]:
                common = prefix + rest[: rest.index(delimiter) + len(delimiter)]
                if common in prefixes or common < after:
                    continue  # listed already, on this page or on an earlier one
                if len(items) + len(prefixes) >= max_results:
                    return items, prefixes, last
                prefixes.append(common)
                last = past_prefix(common)
                continue
            if len(items) + len(prefixes) >= max_results and name != last:
                return items, prefixes, last
            items.append(GcsObject.from_row(row))
            last = name
        return items, prefixes, None

    # -- resumable uploads --------------------------------------------------------------------------

    def start_upload(self, name: str, resource: dict[str, Any], conditions: Conditions) -> str:
        """Open a resumable upload session; its id (which carries `name`, see `session_object_name`)."""
        self.info()
        self._check_key(name, write=True)
        upload_id = f"{uuid.uuid4().hex}-{base64.urlsafe_b64encode(name.encode()).decode().rstrip('=')}"
        self.storage.sql.exec(
            "INSERT INTO gcs_uploads VALUES (?, ?, ?, ?, 0, '[]', ?)",
            upload_id,
            name,
            json.dumps(resource),
            json.dumps(conditions.__dict__),
            time.time(),
        )
        return upload_id

    def upload(self, upload_id: str, name: str) -> dict[str, Any]:
        """A resumable session's state (of an upload of `name`); 404 if there is none."""
        self.info()
        self._check_key(name, write=False)
        rows = self.storage.sql.exec("SELECT * FROM gcs_uploads WHERE upload_id = ?", upload_id).to_list()
        if not rows or rows[0]["name"] != name:
            raise GcsError(404, "notFound", "No such upload session.")
        row = rows[0]
        row["resource"] = json.loads(row["resource"])
        row["conditions"] = Conditions(**json.loads(row["conditions"]))
        row["parts"] = [(s, n) for s, n in json.loads(row["parts"])]
        return row

    def add_chunk(self, upload_id: str, name: str, offset: int, sha: str, size: int) -> int:
        """Record a chunk received at `offset` (a repeat of bytes already held is ignored); bytes held now."""

        def add() -> int:
            self._check_key(name, write=True)
            session = self.upload(upload_id, name)
            if offset != session["received"]:
                if offset < session["received"]:
                    return int(session["received"])
                raise GcsError(
                    400, "invalid", f"the chunk starts at {offset}, but {session['received']} bytes are held"
                )
            parts = [*session["parts"], (sha, size)]
            self.storage.sql.exec(
                "UPDATE gcs_uploads SET received = ?, parts = ? WHERE upload_id = ?",
                offset + size,
                json.dumps(parts),
                upload_id,
            )
            self._references.add(sha)
            return offset + size

        return self.storage.transaction_sync(add)

    def finish_upload(self, upload_id: str, new: NewGcsObject) -> GcsObject:
        """Store the session's object and close the session."""
        bucket = self.info()

        def finish() -> GcsObject:
            self._check_key(new.name, write=True)
            session = self.upload(upload_id, new.name)
            current = self._live(new.name)
            session["conditions"].check(current)
            stored = self._add_generation(bucket, new, current)
            for sha, _ in session["parts"]:
                self._references.drop(sha)
            self.storage.sql.exec("DELETE FROM gcs_uploads WHERE upload_id = ?", upload_id)
            return stored

        stored = self.storage.transaction_sync(finish)
        self.ctx.send(
            "GcsObject.created",
            {
                "tenant": bucket["tenant"],
                "bucket": bucket["name"],
                "name": new.name,
                "generation": stored.generation,
                "size": new.size,
            },
        )
        return stored

    def cancel_upload(self, upload_id: str, name: str) -> None:
        """Drop a resumable session and its chunks."""

        def cancel() -> None:
            self._check_key(name, write=True)
            session = self.upload(upload_id, name)
            for sha, _ in session["parts"]:
                self._references.drop(sha)
            self.storage.sql.exec("DELETE FROM gcs_uploads WHERE upload_id = ?", upload_id)

        self.storage.transaction_sync(cancel)

    def sweep_garbage(self, *, older_than: float | None = None) -> int:
        """Delete the blobs unreferenced for longer than `older_than` seconds (the bucket's grace by default);
        how many went."""
        rows = self.storage.sql.exec("SELECT * FROM gcs_bucket").to_list()
        if not rows:
            return 0
        return self._references.sweep(BlobStore(rows[0]["blobs"]), rows[0]["namespace"], older_than=older_than)

    async def alarm(self, info: AlarmInfo) -> None:
        """Sweep the blobs whose grace has ended, and set the alarm again for any still waiting."""
        self.sweep_garbage()
        self._references.schedule_sweep()

    # -- resharding (see `ShardedBucket`) -------------------------------------------------------------

    @staticmethod
    def _invalid(message: str) -> Exception:
        return GcsError(400, "invalid", message)

    @staticmethod
    def _busy(message: str) -> Exception:
        return GcsError(409, "conflict", message)

    def shard_settings(self) -> dict[str, Any]:
        """What a shard of this bucket is made with (`join_layout`'s settings)."""
        info = self.info()
        settings = {key: info[key] for key in ("tenant", "name", "blobs", "versioning", "labels")}
        return {**settings, "garbage_grace": self._references.grace()}

    def _join(self, settings: dict[str, Any]) -> None:
        if not self.storage.sql.exec("SELECT 1 FROM gcs_bucket").to_list():
            self.create(
                settings["tenant"],
                settings["name"],
                settings["blobs"],
                bool(settings["versioning"]),
                settings["labels"],
                settings["garbage_grace"],
                shard=True,
            )
        self.storage.sql.exec("UPDATE gcs_bucket SET versioning = ?", int(settings["versioning"]))

    def count_keys(self) -> int:
        """How many live objects this object holds."""
        return self.storage.sql.exec("SELECT count(*) AS n FROM gcs_objects WHERE live = 1").one()["n"]
