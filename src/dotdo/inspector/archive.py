"""A portable archive of one object: a consistent SQLite snapshot, its blobs and a manifest, as .tar.gz.

`dotdo export` writes one, from a data folder or a running server; `dotdo import` lays one into a
data folder that no server holds.
"""

from __future__ import annotations

import contextlib
import io
import json
import sqlite3
import tarfile
import tempfile
from pathlib import Path
from typing import IO, Any

from ..runtime.data_folder import DataFolder
from ..runtime.ids import id_from_name
from .names import NAME_TABLE
from .object_reader import ObjectReader

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE = "object.sqlite"
BLOBS = "blobs"


class ArchiveError(ValueError):
    """An archive that cannot be read or laid into the folder (what to do is in the message)."""


def blob_folder(database: Path) -> Path:
    """Where an object keeps content too large for its database (beside it)."""
    return database.with_suffix(".blobs")


def write_archive(database: Path, namespace: str, hex_id: str, name: str | None, out: IO[bytes]) -> None:
    """Write the archive of the object whose database is `database` to `out`."""
    manifest = {"format": FORMAT, "namespace": namespace, "id": hex_id, "name": name}
    with tempfile.TemporaryDirectory() as scratch:
        snapshot = Path(scratch) / DATABASE
        with ObjectReader(database) as reader:
            reader.snapshot(snapshot)
        with tarfile.open(fileobj=out, mode="w:gz") as tar:
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            tar.add(snapshot, arcname=DATABASE)
            blobs = blob_folder(database)
            if blobs.is_dir():
                tar.add(blobs, arcname=BLOBS)


def read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    """The manifest of an open archive, checked."""
    try:
        member = tar.extractfile(MANIFEST)
        manifest = json.loads(member.read()) if member is not None else None
    except (KeyError, json.JSONDecodeError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError(f"Not a dotdo object archive (no {MANIFEST} of format {FORMAT}): make one with dotdo export")
    for field in ("namespace", "id"):
        if not isinstance(manifest.get(field), str):
            raise ArchiveError(f"The archive's manifest has no {field}")
    return manifest


def import_archive(
    source: Path, folder: DataFolder, *, name: str | None = None, force: bool = False
) -> tuple[str, str]:
    """Lay the object of archive `source` into `folder` (as `name` if given); its class and id.

    Refuses to replace an object that exists unless `force`. The caller makes sure no server holds
    the folder.
    """
    try:
        tar = tarfile.open(source, mode="r:gz")  # noqa: SIM115 - closed by the `with` below, once it opened
    except (OSError, tarfile.TarError) as exc:
        raise ArchiveError(f"Cannot read {source} as a .tar.gz archive: {exc}") from None
    with tar:
        manifest = read_manifest(tar)
        namespace = manifest["namespace"]
        hex_id = id_from_name(namespace, name).hex if name is not None else manifest["id"]
        database = folder.object_path(namespace, hex_id)
        if database.exists() and not force:
            raise ArchiveError(
                f"{namespace} object {hex_id} already exists in {folder.root}; pass --force to replace it"
            )
        database.parent.mkdir(parents=True, exist_ok=True)
        for side in ("-wal", "-shm"):
            database.with_name(database.name + side).unlink(missing_ok=True)
        snapshot = tar.extractfile(DATABASE)
        if snapshot is None:
            raise ArchiveError(f"The archive has no {DATABASE}")
        database.write_bytes(snapshot.read())
        blobs = blob_folder(database)
        for member in tar.getmembers():
            if member.isfile() and member.name.startswith(BLOBS + "/"):
                target = blobs / member.name[len(BLOBS) + 1 :]
                if blobs.resolve() not in target.resolve().parents:
                    raise ArchiveError(f"The archive's entry {member.name!r} points outside the object's blobs")
                target.parent.mkdir(parents=True, exist_ok=True)
                extracted = tar.extractfile(member)
                if extracted is not None:
                    target.write_bytes(extracted.read())
    if name is not None:
        _rename(database, name)
    return namespace, hex_id


def _rename(database: Path, name: str) -> None:
    with contextlib.closing(sqlite3.connect(database)) as conn, conn:
        conn.execute(f"CREATE TABLE IF NOT EXISTS {NAME_TABLE} (name TEXT NOT NULL)")
        conn.execute(f"DELETE FROM {NAME_TABLE}")
        conn.execute(f"INSERT INTO {NAME_TABLE} (name) VALUES (?)", (name,))
