"""Path validation and normalization."""

from __future__ import annotations

import errno
from pathlib import PurePosixPath

import pytest

from dotdo.primitives.fsx.paths import normalize, split_path


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("a/b", "/a/b"),
        ("/a/./b/", "/a/b"),
        ("a//b", "/a/b"),
        ("../../etc/passwd", "/etc/passwd"),
        ("/a/b/../../..", "/"),
        (".", "/"),
        (PurePosixPath("x/y"), "/x/y"),
        (b"bytes/path", "/bytes/path"),
    ],
)
def test_normalize(path: object, expected: str) -> None:
    assert normalize(path) == expected


def test_split_keeps_dotdot_for_the_resolver_and_notes_trailing_slashes() -> None:
    assert split_path("a/../b/") == ("a/../b/", ["a", "..", "b"], True)
    assert split_path("/") == ("/", [], False)


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("a\0b", errno.EINVAL),
        ("x" * 256, errno.ENAMETOOLONG),
        ("/a" * 2049, errno.ENAMETOOLONG),
        ("", errno.ENOENT),
        (b"/not-utf8-\xff\xfe", errno.EILSEQ),
        ("/lone-surrogate-\udcff", errno.EILSEQ),
        ("/\ud800", errno.EILSEQ),
    ],
)
def test_bad_paths_get_errno(path: str | bytes, code: int) -> None:
    with pytest.raises(OSError) as caught:
        split_path(path)
    assert caught.value.errno == code


def test_non_paths_are_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"str, bytes or os\.PathLike"):
        normalize(3.5)
