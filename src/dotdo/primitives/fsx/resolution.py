"""Path resolution: walk components from the root through `fsx_dentries`, following symlinks.

`..` pops the directory actually walked through (never above the root), symlink targets are
spliced into the remaining components (absolute targets restart at the root), and more than 40
links in one resolution is ELOOP — what Linux does.
"""

from __future__ import annotations

import errno
from collections import deque
from typing import NamedTuple

from .errors import ELOOP_LIMIT, fs_error, not_a_directory, not_found
from .inodes import Inode, InodeTable
from .paths import split_path
from .schema import ROOT_INO


class Resolved(NamedTuple):
    """Where a path leads: its directory, its last name, and the inode if the entry exists.

    `name` is None when the path names a directory without naming its entry (`/`, `a/..`).
    """

    text: str
    parent: int
    name: str | None
    inode: Inode | None
    trailing_slash: bool


class Resolver:
    """Turns paths into inodes."""

    def __init__(self, inodes: InodeTable) -> None:
        self._inodes = inodes

    def resolve(self, path: object, *, follow: bool = True) -> Resolved:
        """Resolve `path`; `follow` says whether a symlink in the last position is followed.

        A trailing slash always follows the last symlink and requires a directory.
        """
        text, parts, trailing = split_path(path)
        follow = follow or trailing
        inodes = self._inodes
        stack = [ROOT_INO]
        todo = deque(parts)
        links = 0
        while todo:
            name = todo.popleft()
            if name == "..":
                if len(stack) > 1:
                    stack.pop()
                continue
            parent = stack[-1]
            inode = inodes.child(parent, name)
            last = not todo
            if inode is None:
                if last:
                    return Resolved(text, parent, name, None, trailing)
                raise not_found(text)
            if inode.is_symlink and (follow or not last):
                links += 1
                if links > ELOOP_LIMIT:
                    raise fs_error(errno.ELOOP, text)
                _, target_parts, target_trailing = split_path(inode.target or "/")
                if (inode.target or "/").startswith("/"):
                    stack = [ROOT_INO]
                todo.extendleft(reversed(target_parts))
                if last and target_trailing:
                    trailing = True
                continue
            if last:
                if trailing and not inode.is_dir:
                    raise not_a_directory(text)
                return Resolved(text, parent, name, inode, trailing)
            if not inode.is_dir:
                raise not_a_directory(text)
            stack.append(inode.ino)
        ino = stack[-1]
        inode = inodes.get(ino)
        parent = stack[-2] if len(stack) > 1 else ROOT_INO
        return Resolved(text, parent, None, inode, trailing)

    def existing(self, path: object, *, follow: bool = True) -> Resolved:
        """Resolve a path that must exist (FileNotFoundError otherwise)."""
        found = self.resolve(path, follow=follow)
        if found.inode is None:
            raise not_found(found.text)
        return found

    def path_of(self, ino: int) -> str:
        """The absolute path of directory `ino` (directories have one entry each)."""
        names: list[str] = []
        seen = 0
        while ino != ROOT_INO:
            entry = self._inodes.entry_of(ino)
            if entry is None:
                raise not_found(f"<inode {ino}>")
            parent, name = entry
            names.append(name)
            ino = parent
            seen += 1
            if seen > 4096:
                raise fs_error(errno.ELOOP, "/".join(reversed(names)))
        return "/" + "/".join(reversed(names))

    def is_ancestor(self, ancestor: int, ino: int) -> bool:
        """Whether directory `ancestor` is `ino` or contains it (at any depth).

        Walks up to the root however deep the tree is: renames can nest directories deeper than
        any one path can name, and stopping early would let a directory move into itself.
        """
        seen: set[int] = set()
        while True:
            if ino == ancestor:
                return True
            if ino == ROOT_INO:
                return False
            if ino in seen:
                raise fs_error(errno.ELOOP, f"<inode {ino}>", "directory entries form a cycle")
            seen.add(ino)
            parent = self._inodes.parent_of(ino)
            if parent is None:
                return False
            ino = parent
