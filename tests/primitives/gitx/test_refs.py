"""Refs on SQLite: compare-and-swap updates, symbolic HEAD, git's name rules, change events."""

from __future__ import annotations

from pathlib import Path

import pytest

from dotdo.primitives.gitx import InvalidRefError
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
    ],
    ids=repr,
)
def test_bad_ref_names_are_rejected_and_nothing_is_written(tmp_path: Path, name: str) -> None:
    storage = Storage(tmp_path / "r.sqlite")
    refs = StoredRefsContainer(storage)
    with pytest.raises(InvalidRefError, match="Invalid ref name"):
        check_ref_name(name)
    with pytest.raises(InvalidRefError):
        refs.set_if_equals(name.encode(), None, A)
    with pytest.raises(InvalidRefError):
        refs.add_if_new(name.encode(), A)
    assert not storage.table_exists(REFS_TABLE) or refs.allkeys() == set()


def test_ref_values_must_be_shas(tmp_path: Path) -> None:
    refs = StoredRefsContainer(Storage(tmp_path / "r.sqlite"))
    with pytest.raises(InvalidRefError, match="40-hex"):
        refs.set_if_equals(b"refs/heads/main", None, b"not-a-sha")
    assert refs.allkeys() == set()
