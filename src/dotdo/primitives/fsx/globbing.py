"""Globbing with `pathlib` semantics: `*`, `?`, `[...]` within a name, `**` for any depth.

Like `pathlib.Path.glob` on POSIX: case-sensitive, `*` matches names starting with a dot, `**`
matches zero or more directories without descending into symlinked directories, and a pattern
ending in `**` matches directories only.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .paths import join

if TYPE_CHECKING:
    from .sync_filesystem import SyncFileSystem

_MAGIC = re.compile(r"[*?\[]")


def _directory_ino(fs: SyncFileSystem, path: str) -> int | None:
    try:
        found = fs.resolve(path)
    except OSError:
        return None
    if found.inode is None or not found.inode.is_dir:
        return None
    return found.inode.ino


def _tree(fs: SyncFileSystem, path: str, ino: int) -> Iterator[tuple[str, int]]:
    """`(path, inode)` of a directory and every directory below it (symlinks not followed).

    Iterative: a tree may nest deeper than Python's recursion limit.
    """
    stack = [(path, ino)]
    while stack:
        path, ino = stack.pop()
        yield path, ino
        children = [(join(path, name), child) for name, child in fs.inodes.subdirectories(ino)]
        stack.extend(reversed(children))


def glob_paths(fs: SyncFileSystem, pattern: str, root: str) -> list[str]:
    """Sorted absolute paths under `root` matching `pattern`."""
    if not isinstance(pattern, str):
        raise TypeError(f"A glob pattern is a str, not {type(pattern).__name__}")
    parts = [part for part in pattern.split("/") if part and part != "."]
    if not parts:
        raise ValueError(f"Unacceptable glob pattern {pattern!r}: give at least one name, e.g. '*.txt'")
    for part in parts:
        if "**" in part and part != "**":
            raise ValueError(f"Invalid glob pattern {pattern!r}: '**' can only be an entire path component")
    start = _directory_ino(fs, root)
    if start is None:
        return []
    matchers = [
        None if part == "**" or not _MAGIC.search(part) else re.compile(fnmatch.translate(part)) for part in parts
    ]
    found: set[str] = set()
    last = len(parts) - 1

    # (directory path, its inode, index of the pattern part to match in it); iterative, because
    # both trees and patterns can be deeper than Python's recursion limit.
    todo = [(root, start, 0)]
    while todo:
        path, ino, index = todo.pop()
        part = parts[index]
        if part == "**":
            for sub_path, sub_ino in _tree(fs, path, ino):
                if index == last:
                    found.add(sub_path)
                else:
                    todo.append((sub_path, sub_ino, index + 1))
            continue
        matcher = matchers[index]
        if matcher is None:
            child_path = join(path, part)
            if part == "..":
                parent = _directory_ino(fs, child_path)
                if index != last and parent is not None:
                    todo.append((child_path, parent, index + 1))
                continue
            # A plain name: one lookup in this directory (a path is resolved only for symlinks).
            entry = fs.inodes.child(ino, part)
            if entry is None:
                continue
            if index == last:
                if not entry.is_symlink or fs.exists(child_path):
                    found.add(child_path)
            elif entry.is_dir:
                todo.append((child_path, entry.ino, index + 1))
            elif entry.is_symlink:
                target = _directory_ino(fs, child_path)
                if target is not None:
                    todo.append((child_path, target, index + 1))
            continue
        for name, child_inode in fs.inodes.entries_with_inodes(ino):
            if not matcher.match(name):
                continue
            child_path = join(path, name)
            if index == last:
                found.add(child_path)
            elif child_inode.is_dir:
                todo.append((child_path, child_inode.ino, index + 1))
            elif child_inode.is_symlink:
                target = _directory_ino(fs, child_path)
                if target is not None:
                    todo.append((child_path, target, index + 1))
    return sorted(found)
