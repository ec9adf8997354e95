"""SRI integrity strings: made, parsed (strongest algorithm wins) and checked."""

from __future__ import annotations

import hashlib

import pytest

from dotdo.primitives.npmx import NpmIntegrityError
from dotdo.primitives.npmx.integrity import check, from_shasum, sri, strongest


def test_check_passes_and_fails() -> None:
    check(b"data", sri(b"data"), what="x")
    with pytest.raises(NpmIntegrityError, match="x: integrity check failed"):
        check(b"other", sri(b"data"), what="x")


def test_the_strongest_algorithm_is_checked() -> None:
    both = f"{sri(b'data', 'sha1')} {sri(b'data')}"
    assert strongest(both)[0] == "sha512"
    check(b"data", both, what="x")
    with pytest.raises(NpmIntegrityError):
        check(b"data", f"{sri(b'data', 'sha1')} {sri(b'other')}", what="x")


def test_old_shasums() -> None:
    check(b"data", from_shasum(hashlib.sha1(b"data").hexdigest()), what="x")


@pytest.mark.parametrize("bad", ["", "md5-abc", "sha512-***"])
def test_unreadable_integrity(bad: str) -> None:
    with pytest.raises(NpmIntegrityError, match="not an integrity string"):
        strongest(bad)
