"""Path checks and normalization: every fsx path is inside the object's root.

A path is split into components; `.` and empty components disappear and `..` is kept for the
resolver, which applies it to the directory it actually walked through (so `..` after a symlink
means what it means in POSIX) and never above the root: `../../etc/passwd` is `/etc/passwd` of the
object. NUL bytes give EINVAL; a component over 255 bytes or a path over 4096 bytes ENAMETOOLONG;
bytes that are not UTF-8 (and str holding lone surrogates) EILSEQ, since names are stored as text.
"""

from __future__ import annotations

import errno
import os
from typing import Any

from .errors import fs_error

MAX_NAME_BYTES = 255
MAX_PATH_BYTES = 4096


def as_text(path: Any) -> str:
    """The path as text (str, bytes as UTF-8, or any os.PathLike); TypeError for anything else."""
    try:
        value = os.fspath(path)
    except TypeError:
        raise TypeError(f"A path is a str, bytes or os.PathLike, not {type(path).__name__}") from None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "surrogateescape")
    return value


def split_path(path: Any) -> tuple[str, list[str], bool]:
    """(text, components, trailing slash) of a path, after validation."""
    text = as_text(path)
    if "\0" in text:
        raise fs_error(errno.EINVAL, text.replace("\0", "\\0"), "paths cannot contain NUL bytes")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            shown = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:
            shown = text.encode("utf-8", "backslashreplace").decode("utf-8")
        raise fs_error(errno.EILSEQ, shown, "names must be valid UTF-8") from None
    if len(text.encode("utf-8")) > MAX_PATH_BYTES:
        raise fs_error(errno.ENAMETOOLONG, text[:64] + "...", f"paths are at most {MAX_PATH_BYTES} bytes")
    if not text:
        raise fs_error(errno.ENOENT, text, "the path is empty")
    parts = [part for part in text.split("/") if part and part != "."]
    for part in parts:
        if len(part.encode("utf-8")) > MAX_NAME_BYTES:
            raise fs_error(errno.ENAMETOOLONG, text, f"a name is at most {MAX_NAME_BYTES} bytes")
    trailing = text.endswith("/") or text.endswith("/.") or text == "."
    return text, parts, trailing and bool(parts)


def normalize(path: Any) -> str:
    """The absolute, lexically normalized form of a path: `a/./b/../c` -> `/a/c`, `/../x` -> `/x`."""
    _, parts, _ = split_path(path)
    out: list[str] = []
    for part in parts:
        if part == "..":
            if out:
                out.pop()
        else:
            out.append(part)
    return "/" + "/".join(out)


def join(directory: str, name: str) -> str:
    """`directory/name` for an absolute normalized directory."""
    return directory + name if directory.endswith("/") else f"{directory}/{name}"
