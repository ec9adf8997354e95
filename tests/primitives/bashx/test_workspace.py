"""Materializing fsx into a host directory and syncing changes back (the tier 2/3 bridge)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dotdo.primitives.bashx.workspace import SANDBOX_NAMES, materialize, sync_back


async def test_round_trip_of_files_dirs_and_links(fs) -> None:
    await fs.mkdir("/d/e", parents=True)
    await fs.write("/d/e/f.txt", "hello")
    await fs.write("/top.bin", b"\x00\x01")
    await fs.symlink("d/e/f.txt", "/link")
    ws = materialize(fs.sync, max_bytes=1 << 20, exclude=SANDBOX_NAMES)
    try:
        root = Path(ws.root)
        assert (root / "d/e/f.txt").read_text() == "hello"
        assert os.readlink(root / "link") == "d/e/f.txt"
        (root / "d/e/f.txt").write_text("changed")
        (root / "new.txt").write_text("new")
        (root / "top.bin").unlink()
        os.mkdir(root / "usr")  # mount points a sandbox leaves behind
        (root / "etc").mkdir()
        (root / "etc/hosts").write_text("")
        changed = sync_back(fs.sync, ws)
    finally:
        ws.cleanup()
    assert not Path(ws.root).exists()
    assert await fs.read("/d/e/f.txt") == b"changed"
    assert await fs.read("/new.txt") == b"new"
    assert not await fs.exists("/top.bin")
    assert not await fs.exists("/usr")
    assert set(changed) == {"/d/e/f.txt", "/new.txt", "/top.bin"}


async def test_workspace_size_limit(fs) -> None:
    await fs.write("/big.bin", b"x" * 5000)
    with pytest.raises(OverflowError, match="workspace_bytes"):
        materialize(fs.sync, max_bytes=1000)


async def test_setuid_bits_never_reach_the_host(fs) -> None:
    await fs.write("/tool", b"#!/bin/sh\n")
    await fs.chmod("/tool", 0o4755)
    ws = materialize(fs.sync, max_bytes=1 << 20)
    try:
        assert os.stat(ws.base).st_mode & 0o077 == 0
        assert os.stat(Path(ws.root) / "tool").st_mode & 0o7000 == 0
    finally:
        ws.cleanup()
