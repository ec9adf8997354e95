"""Copying files and trees without copying bytes: copies share content-addressed chunks and blobs.

Symlinks inside a tree are copied as symlinks; a file copied onto an existing directory lands
inside it, like `shutil.copy`; a tree needs a destination that does not exist yet, like
`shutil.copytree`. The caller holds the transaction.
"""

from __future__ import annotations

import stat
from typing import TYPE_CHECKING

from . import errors
from .inodes import Inode
from .paths import as_text, join, normalize
from .schema import UMASK

if TYPE_CHECKING:
    from .sync_filesystem import PathArg, SyncFileSystem


def copy_path(fs: SyncFileSystem, src: PathArg, dst: PathArg, follow_symlinks: bool) -> str:
    """Copy a file or a tree (inside the caller's transaction); returns the path of the copy."""
    source = fs.existing(src, follow=follow_symlinks)
    assert source.inode is not None
    destination = normalize(dst)
    if source.inode.is_dir:
        if fs.probe(dst, follow=False) is not None:
            raise errors.exists(as_text(dst))
        if fs.resolver.is_ancestor(source.inode.ino, fs.resolve(dst).parent):
            raise errors.invalid(as_text(dst), "cannot copy a directory into itself")
        _copy_tree(fs, source.inode, destination)
        return destination
    if fs.is_dir(dst):
        destination = join(destination, source.name or "")
    _copy_node(fs, source.inode, destination)
    return destination


def _copy_node(fs: SyncFileSystem, inode: Inode, destination: str) -> None:
    if inode.is_symlink:
        found = fs.resolve(destination, follow=False)
        if found.inode is not None:
            fs.drop_entry(found.parent, found.name or "", found.inode)
        fs.symlink(inode.target or "", destination)
        return
    found = fs.creatable(destination, exclusive=False)
    target = found.inode or fs.new_file(found, inode.mode)
    if target.ino != inode.ino:
        fs.contents.share(inode, target, found.text)


def _copy_tree(fs: SyncFileSystem, directory: Inode, destination: str) -> None:
    # Iterative and by inode (parents before children): a tree may nest deeper than Python's
    # recursion limit, and resolving each copy's path again would cost a lookup per level.
    fs.mkdir_one(destination, directory.mode, False)
    top = fs.resolve(destination).inode
    assert top is not None
    stack = [(directory, top.ino, destination)]
    while stack:
        source, target, path = stack.pop()
        for name, child in fs.inodes.entries_with_inodes(source.ino):
            child_path = join(path, name)
            if child.is_symlink:
                target_text = child.target or ""
                ino = fs.inodes.create(
                    stat.S_IFLNK | 0o777, nlink=1, target=target_text, size=len(target_text.encode())
                )
            elif child.is_dir:
                ino = fs.inodes.create(stat.S_IFDIR | (child.mode & 0o7777 & ~UMASK), nlink=2)
                fs.inodes.change_links(target, 1)
                stack.append((child, ino, child_path))
            else:
                ino = fs.inodes.create(stat.S_IFREG | (child.mode & 0o7777 & ~UMASK), nlink=1)
            fs.inodes.add_entry(target, name, ino)
            if child.is_file:
                copy = fs.inodes.get(ino)
                assert copy is not None
                fs.contents.share(child, copy, child_path)
