"""Refs on SQLite: compare-and-swap updates, symbolic HEAD, git's name rules, change events."""

from __future__ import annotations

from pathlib import Path

import pytest

from dotdo.primitives.gitx import InvalidRefError, RefConflictError
from dotdo.primitives.gitx.refs import REFS_TABLE, StoredRefsContainer, check_ref_name
from dotdo.runtime.storage import Storage

A, B, C = b"a" * 40, b"b" * 40, b"c" * 40


def test_compare_and_swap_and_symbolic_head(tmp_path: Path) -> None:
    heard: list[tuple[bytes, bytes | None, bytes | None]] = []
    refs = StoredRefsContainer(Storage(tmp_path / "r.sqlite"), listener=lambda *change: heard.append(change))
    refs.set_symbolic_ref(b"HEAD", b"refs/heads/main")
    assert refs.add_if_new(b"refs/heads/main", A)
    assert not refs.add_if_new(b"refs/heads/main", B)
    assert refs[b"HEAD"] == A
    assert not refs.set_if_equals(b"HEAD", B, C)  # stale expectation: refused
    assert refs[b"refs/heads/main"] == A
    assert refs.set_if_equals(b"HEAD", A, B)  # follows HEAD to the branch
    assert refs[b"refs/heads/main"] == B and refs.read_loose_ref(b"HEAD") == b"ref: refs/heads/main"
    assert not refs.set_if_equals(b"refs/heads/new", A, C)  # must not exist yet: expects A
    assert refs.set_if_equals(b"refs/heads/new", b"0" * 40, C)
    assert not refs.remove_if_equals(b"refs/heads/new", A)
    assert refs.remove_if_equals(b"refs/heads/new", C)
    assert b"refs/heads/new" not in refs.allkeys()
    assert (b"refs/heads/main", A, B) in heard and (b"refs/heads/new", C, None) in heard


@pytest.mark.parametrize(
    "name",
    [
        "refs/heads/../../etc/passwd",
        "refs/heads/a..b",
        "refs/heads/bad\x00name",
        "refs/heads/bell\x07",
        "refs/heads/new\nline",
        "refs/heads/with space",
        "refs/heads/x.lock",
        "refs/heads/@{1}",
        "refs/heads/trailing/",
        "refs/heads/star*",
        "heads/main",
        "refs/heads/-dash/.hidden",
        "refs/heads",
        "refs/main",
        b"refs/heads/\xff\xfe",
    ],
    ids=repr,
)
def test_bad_ref_names_are_rejected_and_nothing_is_written(tmp_path: Path, name: str | bytes) -> None:
    storage = Storage(tmp_path / "r.sqlite")
    refs = StoredRefsContainer(storage)
    with pytest.raises(InvalidRefError, match="Invalid ref name"):
        check_ref_name(name)
    raw = name if isinstance(name, bytes) else name.encode()
    with pytest.raises(InvalidRefError):
        refs.set_if_equals(raw, None, A)
    with pytest.raises(InvalidRefError):
        refs.add_if_new(raw, A)
    assert not storage.table_exists(REFS_TABLE) or refs.allkeys() == set()


def test_ref_values_must_be_shas(tmp_path: Path) -> None:
    refs = StoredRefsContainer(Storage(tmp_path / "r.sqlite"))
    with pytest.raises(InvalidRefError, match="40-hex"):
        refs.set_if_equals(b"refs/heads/main", None, b"not-a-sha")
    assert refs.allkeys() == set()


def test_a_ref_may_not_be_a_folder_of_refs_or_sit_under_a_ref(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "r.sqlite")
    refs = StoredRefsContainer(storage)
    assert refs.add_if_new(b"refs/heads/main", A)
    assert refs.set_if_equals(b"refs/heads/topic/one", None, B)
    attempts = [
        (b"refs/heads/main/sub", "'refs/heads/main' exists; cannot create 'refs/heads/main/sub'"),
        (b"refs/heads/main/a/b", "'refs/heads/main' exists"),
        (b"refs/heads/topic", "'refs/heads/topic/one' exists; cannot create 'refs/heads/topic'"),
    ]
    for name, message in attempts:
        with pytest.raises(RefConflictError, match=message):
            refs.set_if_equals(name, None, C)
        with pytest.raises(RefConflictError, match=message):
            refs.add_if_new(name, C)
        with pytest.raises(RefConflictError, match=message):
            refs.set_symbolic_ref(name, b"refs/heads/main")
    assert refs.allkeys() == {b"refs/heads/main", b"refs/heads/topic/one"}
    # Names that only share a prefix are no conflict, and moving an existing ref is not creating one.
    assert refs.add_if_new(b"refs/heads/mainline", C) and refs.add_if_new(b"refs/heads/topic-2", C)
    assert refs.set_if_equals(b"refs/heads/main", A, C)
    # Once the ref is gone, the folder is free.
    assert refs.remove_if_equals(b"refs/heads/main", C)
    assert refs.add_if_new(b"refs/heads/main/sub", A)


def test_held_announcements_are_told_later(tmp_path: Path) -> None:
    heard: list[tuple[bytes, bytes | None, bytes | None]] = []
    refs = StoredRefsContainer(Storage(tmp_path / "r.sqlite"), listener=lambda *change: heard.append(change))
    with refs.held_announcements() as held:
        refs.add_if_new(b"refs/heads/main", A)
        refs.set_if_equals(b"refs/heads/main", A, B)
    assert heard == [] and held == [(b"refs/heads/main", None, A), (b"refs/heads/main", A, B)]
    refs.announce(held)
    assert heard == held
