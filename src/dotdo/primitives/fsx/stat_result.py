"""`os.stat_result` objects for fsx inodes, so `stat.S_ISDIR(st.st_mode)` and friends just work."""

from __future__ import annotations

import os

from .inodes import Inode

FSX_DEVICE = 0x6673  # "fs": one device number for every fsx tree
BLOCK_SIZE = 4096


def stat_result(inode: Inode) -> os.stat_result:
    """The `os.stat_result` of an inode (times also in `st_*_ns`)."""
    return os.stat_result(
        (
            inode.mode,
            inode.ino,
            FSX_DEVICE,
            inode.nlink,
            inode.uid,
            inode.gid,
            inode.size,
            inode.atime // 1_000_000_000,
            inode.mtime // 1_000_000_000,
            inode.ctime // 1_000_000_000,
            inode.atime / 1e9,
            inode.mtime / 1e9,
            inode.ctime / 1e9,
            inode.atime,
            inode.mtime,
            inode.ctime,
            BLOCK_SIZE,
            (inode.size + 511) // 512,
            0,
        )
    )
