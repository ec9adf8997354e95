"""The SQLite object store: round trips, large objects in the blob tier, hostile input rejected whole."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest
from dulwich.object_format import DEFAULT_OBJECT_FORMAT
from dulwich.objects import Blob, Commit, Tree
from dulwich.pack import write_pack_objects

from dotdo.primitives.blob_store import BlobStore
from dotdo.primitives.gitx import BadObjectError, Git
from dotdo.primitives.gitx.object_store import OBJECTS_TABLE, StoredObjectStore
from dotdo.runtime.storage import Storage


def raw_tree(entries: list[tuple[bytes, int, bytes]]) -> Tree:
    """A tree holding exactly `entries`, names unchecked (as a hostile peer could send)."""
    body = b"".join(b"%o %s\x00" % (mode, name) + bytes.fromhex(sha.decode()) for name, mode, sha in entries)
    return Tree.from_raw_string(Tree.type_num, body)


def pack_of(objects: list[object]) -> bytes:
    out = BytesIO()
    write_pack_objects(out.write, [(obj, None) for obj in objects], object_format=DEFAULT_OBJECT_FORMAT)
    return out.getvalue()


def rows(storage: Storage) -> int:
    if not storage.table_exists(OBJECTS_TABLE):
        return 0
    return storage.sql.exec(f"SELECT count(*) AS n FROM {OBJECTS_TABLE}").one()["n"]


def test_objects_round_trip_and_survive_reopening(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "o.sqlite")
    store = StoredObjectStore(storage)
    blob = Blob.from_string(b"hello\n")
    tree = raw_tree([(b"hello.txt", 0o100644, blob.id)])
    store.add_objects([(blob, None), (tree, None)])
    storage.close()
    again = StoredObjectStore(Storage(tmp_path / "o.sqlite"))
    assert again[blob.id].as_raw_string() == b"hello\n"
    assert again.get_raw(blob.id) == (3, b"hello\n")
    assert set(again) == {blob.id, tree.id}
    assert blob.id in again and b"0" * 40 not in again
    assert list(again.iter_prefix(blob.id[:6])) == [blob.id]
    assert again.object_size(blob.id) == 6 and again.count() == 2


def test_large_objects_go_to_the_blob_tier(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "o.sqlite")
    tier = BlobStore(tmp_path / "blobs")
    store = StoredObjectStore(storage, blob_tier=tier, threshold=1024)
    small, large = Blob.from_string(b"x" * 100), Blob.from_string(bytes(range(256)) * 64)
    store.add_objects([(small, None), (large, None)])
    row = storage.sql.exec(f"SELECT data, tier_key FROM {OBJECTS_TABLE} WHERE sha = ?", large.id.decode()).one()
    assert row["data"] is None and row["tier_key"]
    assert list(tier.list(namespace="gitx")) == [row["tier_key"]]
    assert store[large.id].as_raw_string() == bytes(range(256)) * 64
    assert store[small.id].as_raw_string() == b"x" * 100
    no_tier = StoredObjectStore(storage)
    with pytest.raises(BadObjectError, match="no blob tier"):
        no_tier[large.id]


def test_packs_are_verified_then_stored(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "o.sqlite")
    store = StoredObjectStore(storage)
    blobs = [Blob.from_string(b"file %d\n" % n * 50) for n in range(20)]
    tree = raw_tree(sorted((b"f%02d" % n, 0o100644, b.id) for n, b in enumerate(blobs)))
    assert store.add_pack_bytes(pack_of([*blobs, tree])) == 21
    assert all(b.id in store for b in blobs)


@pytest.mark.parametrize(
    "damage",
    [
        lambda pack: pack[:-10],
        lambda pack: pack[:12] + bytes([pack[12] ^ 0xFF]) + pack[13:],
        lambda pack: pack[:-1] + bytes([pack[-1] ^ 1]),
        lambda pack: b"PACK" + b"\x00" * 20,
        lambda pack: b"not a pack at all",
    ],
    ids=["truncated", "flipped-object-byte", "bad-checksum", "empty-header", "garbage"],
)
def test_corrupt_packs_are_rejected_and_nothing_is_written(tmp_path: Path, damage: Callable[[bytes], bytes]) -> None:
    storage = Storage(tmp_path / "o.sqlite")
    store = StoredObjectStore(storage)
    pack = pack_of([Blob.from_string(b"payload %d\n" % n * 30) for n in range(5)])
    with pytest.raises(BadObjectError, match="Corrupt pack"):
        store.add_pack_bytes(damage(pack))
    assert rows(storage) == 0


@pytest.mark.parametrize("name", [b"..", b".", b".git", b".GIT", b"a/../../x", b"../x", b"git~1", b""], ids=repr)
def test_trees_with_escaping_entries_are_rejected(tmp_path: Path, name: bytes) -> None:
    storage = Storage(tmp_path / "o.sqlite")
    store = StoredObjectStore(storage)
    blob = Blob.from_string(b"#!/bin/sh\nevil\n")
    hostile = raw_tree([(name, 0o100644, blob.id)])
    commit = Commit()
    commit.tree = hostile.id
    commit.author = commit.committer = b"E <e@x>"
    commit.commit_time = commit.author_time = 0
    commit.commit_timezone = commit.author_timezone = 0
    commit.message = b"evil\n"
    with pytest.raises(BadObjectError):
        store.add_pack_bytes(pack_of([blob, hostile, commit]))
    with pytest.raises(BadObjectError):
        store.add_objects([(blob, None), (hostile, None)])
    assert rows(storage) == 0


def test_hooks_folder_entry_is_rejected(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "o.sqlite")
    store = StoredObjectStore(storage)
    hook = Blob.from_string(b"#!/bin/sh\nrm -rf /\n")
    hooks = raw_tree([(b"post-checkout", 0o100755, hook.id)])
    dotgit = raw_tree([(b"hooks", 0o040000, hooks.id)])
    root = raw_tree([(b".git", 0o040000, dotgit.id)])
    with pytest.raises(BadObjectError, match=r"\.git"):
        store.add_objects([(hook, None), (hooks, None), (dotgit, None), (root, None)])
    assert rows(storage) == 0


async def test_git_uses_the_fsx_blob_store_for_large_files(make_git: Callable[..., Git]) -> None:
    git = make_git(threshold=4096)
    await git.init()
    big = bytes(range(256)) * 100
    git.files.write("big.bin", big)
    await git.add("big.bin")
    await git.commit("big")
    assert await git.show("HEAD:big.bin") == big
    assert list(git.repo.object_store.blob_tier.list(namespace="gitx"))
