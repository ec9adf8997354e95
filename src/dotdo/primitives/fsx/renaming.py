"""Rename with POSIX rules: which replacements are allowed and which errno each refusal gets.

Checked in the order Linux checks them: both parent directories are looked up first, then the
source entry; moving a directory into itself is EINVAL, onto one of its ancestors ENOTEMPTY; a
file replaces a file, a directory an empty directory. The caller holds the transaction.
"""

from __future__ import annotations

import errno
import time
from typing import TYPE_CHECKING

from . import errors
from .schema import ROOT_INO

if TYPE_CHECKING:
    from .sync_filesystem import PathArg, SyncFileSystem


def rename_entry(fs: SyncFileSystem, src: PathArg, dst: PathArg) -> None:
    """Rename `src` to `dst` with the checks and errno of rename(2) (inside the caller's transaction)."""
    # Like rename(2): both parent directories are looked up before the source entry itself, so a
    # bad destination directory is reported even when the source is missing.
    fs.resolve(src, follow=False)
    target = fs.resolve(dst, follow=False)
    source = fs.named(src)
    moving = source.inode
    assert moving is not None and source.name is not None
    if target.name is None:
        raise errors.fs_error(errno.EBUSY if target.parent == ROOT_INO else errno.EINVAL, target.text)
    if moving.is_dir and fs.resolver.is_ancestor(moving.ino, target.parent):
        raise errors.invalid(target.text, "cannot move a directory into itself")
    if target.trailing_slash and not moving.is_dir:
        raise errors.not_a_directory(source.text)
    replaced = target.inode
    if replaced is not None:
        if replaced.ino == moving.ino:
            return
        if replaced.is_dir and fs.resolver.is_ancestor(replaced.ino, source.parent):
            raise errors.not_empty(target.text)
        if moving.is_dir and not replaced.is_dir:
            raise errors.not_a_directory(target.text)
        if not moving.is_dir and replaced.is_dir:
            raise errors.is_a_directory(target.text)
        if replaced.is_dir and fs.inodes.has_entries(replaced.ino):
            raise errors.not_empty(target.text)
    fs.inodes.remove_entry(source.parent, source.name)
    if replaced is not None:
        fs.inodes.set_entry(target.parent, target.name, moving.ino)
        if replaced.is_dir:
            fs.inodes.change_links(target.parent, -1)
            fs.inodes.delete(replaced.ino)
        else:
            fs.inodes.change_links(replaced.ino, -1)
            fs.unlinked(replaced.ino)
    else:
        fs.inodes.add_entry(target.parent, target.name, moving.ino)
    if moving.is_dir and source.parent != target.parent:
        fs.inodes.change_links(source.parent, -1)
        fs.inodes.change_links(target.parent, 1)
    fs.inodes.touch(source.parent)
    fs.inodes.touch(target.parent)
    fs.inodes.update(moving.ino, ctime=time.time_ns())
