"""Copy the object's filesystem into a host directory for tiers 2 and 3, and sync changes back."""

from __future__ import annotations

import hashlib
import os
import posixpath
import shutil
import stat as stat_mod
import tempfile
from dataclasses import dataclass, field
from typing import Any

SANDBOX_NAMES = frozenset(
    {"usr", "bin", "lib", "lib32", "lib64", "libx32", "sbin", "proc", "dev", "etc", "tmp", "sys", "run"}
)
"""Top-level names that belong to the tier 2 sandbox (its mount points): the object's files under them
are never copied where the sandbox mounts, and nothing the sandbox leaves there is synced back."""


@dataclass
class Entry:
    """What a path held when materialized."""

    kind: str
    digest: str = ""
    target: str = ""
    mode: int = 0
    size: int = 0


@dataclass
class Workspace:
    """A fresh host directory mirroring the object's filesystem (``root`` stands for ``/``).

    ``root`` lies inside a private directory (``base``) that only the host user who made it can list;
    top-level names in ``excluded`` are neither copied nor synced back.
    """

    base: str
    root: str
    snapshot: dict[str, Entry] = field(default_factory=dict)
    excluded: frozenset[str] = frozenset()
    max_bytes: int | None = None

    def host_path(self, path: str) -> str:
        """Where fsx path ``path`` lives on the host."""
        return os.path.join(self.root, path.lstrip("/"))

    def cleanup(self) -> None:
        """Remove the host directory."""
        shutil.rmtree(self.base, ignore_errors=True)


def materialize(
    fs: Any,
    *,
    max_bytes: int,
    exclude: frozenset[str] = frozenset(),
    owner: tuple[int, int] | None = None,
) -> Workspace:
    """Copy every file, directory and symlink of ``fs`` into a fresh private directory.

    Top-level names in ``exclude`` are skipped (the sandbox mounts its own there). ``owner``
    (uid, gid) hands the copy to the unprivileged host user a sandbox runs as; the private
    directory around it stays the caller's, searchable but not listable by others.
    """
    base = tempfile.mkdtemp(prefix="bashx-")
    # Setuid/setgid bits from fsx are never recreated on the host.
    os.chmod(base, 0o700 if owner is None else 0o711)
    root = os.path.join(base, "root")
    os.mkdir(root, 0o755)
    ws = Workspace(base, root, excluded=exclude, max_bytes=max_bytes)
    total = 0
    stack = ["/"]
    try:
        while stack:
            directory = stack.pop()
            for name in fs.listdir(directory):
                if directory == "/" and name in exclude:
                    continue
                path = posixpath.join(directory, name)
                st = fs.lstat(path)
                host = ws.host_path(path)
                mode = stat_mod.S_IMODE(st.st_mode)
                if stat_mod.S_ISLNK(st.st_mode):
                    target = fs.readlink(path)
                    os.symlink(target, host)
                    ws.snapshot[path] = Entry("link", target=target)
                elif stat_mod.S_ISDIR(st.st_mode):
                    os.mkdir(host, 0o755)
                    ws.snapshot[path] = Entry("dir", mode=mode)
                    stack.append(path)
                else:
                    data = fs.read(path)
                    total += len(data)
                    if total > max_bytes:
                        raise OverflowError(
                            f"the workspace is over {max_bytes} bytes; raise SandboxLimits(workspace_bytes=...)"
                        )
                    with open(host, "wb") as handle:
                        handle.write(data)
                    os.chmod(host, (mode & 0o777) | 0o600)
                    ws.snapshot[path] = Entry("file", hashlib.sha256(data).hexdigest(), mode=mode)
        if owner is not None:
            _hand_over(root, owner)
    except BaseException:
        ws.cleanup()
        raise
    return ws


def _hand_over(root: str, owner: tuple[int, int]) -> None:
    """Give everything under ``root`` (symlinks themselves, never their targets) to ``owner``."""
    uid, gid = owner
    os.chown(root, uid, gid, follow_symlinks=False)
    for current, dirs, files in os.walk(root, followlinks=False):
        for name in dirs + files:
            os.chown(os.path.join(current, name), uid, gid, follow_symlinks=False)


def workspace_size(ws: Workspace) -> int:
    """Bytes of the regular files now under the host directory, excluded names included (apparent sizes)."""
    total = 0
    for current, _, files in os.walk(ws.root, followlinks=False):
        for name in files:
            try:
                st = os.lstat(os.path.join(current, name))
            except OSError:
                continue
            if stat_mod.S_ISREG(st.st_mode):
                total += st.st_size
    return total


def _scan(ws: Workspace) -> dict[str, tuple[Entry, str]]:
    found: dict[str, tuple[Entry, str]] = {}
    for current, dirs, files in os.walk(ws.root, followlinks=False):
        rel_dir = "/" + os.path.relpath(current, ws.root).replace(os.sep, "/")
        rel_dir = "/" if rel_dir == "/." else rel_dir
        if rel_dir == "/":
            # The sandbox's own mount points and scaffolding: never the object's files.
            dirs[:] = [d for d in dirs if d not in ws.excluded]
            files = [f for f in files if f not in ws.excluded]
        for name in list(dirs):
            host = os.path.join(current, name)
            path = posixpath.join(rel_dir, name)
            if os.path.islink(host):
                found[path] = (Entry("link", target=os.readlink(host)), host)
                dirs.remove(name)
                continue
            found[path] = (Entry("dir", mode=stat_mod.S_IMODE(os.lstat(host).st_mode)), host)
        for name in files:
            host = os.path.join(current, name)
            path = posixpath.join(rel_dir, name)
            st = os.lstat(host)
            if stat_mod.S_ISLNK(st.st_mode):
                found[path] = (Entry("link", target=os.readlink(host)), host)
            elif stat_mod.S_ISREG(st.st_mode):
                found[path] = (Entry("file", mode=stat_mod.S_IMODE(st.st_mode), size=st.st_size), host)
    return found


def sync_back(fs: Any, ws: Workspace) -> list[str]:
    """Apply what changed in the host directory to ``fs``; returns the changed fsx paths.

    Raises OverflowError, changing nothing, when the files add up to more than ``ws.max_bytes``.
    """
    found = _scan(ws)
    if ws.max_bytes is not None:
        total = sum(entry.size for entry, _ in found.values() if entry.kind == "file")
        if total > ws.max_bytes:
            raise OverflowError(
                f"the workspace grew to {total} bytes, over the workspace_bytes limit ({ws.max_bytes}); "
                "nothing was synced back: raise SandboxLimits(workspace_bytes=...)"
            )
    changed: list[str] = []
    for path in sorted(set(ws.snapshot) - set(found), key=lambda p: -p.count("/")):
        old = ws.snapshot[path]
        try:
            if old.kind == "dir":
                fs.rm(path, recursive=True)
            else:
                fs.unlink(path)
        except FileNotFoundError:
            pass
        changed.append(path)
    for path in sorted(found, key=lambda p: p.count("/")):
        entry, host = found[path]
        old = ws.snapshot.get(path)
        if entry.kind == "dir":
            if old is None or old.kind != "dir":
                if old is not None:
                    fs.unlink(path)
                fs.mkdir(path, exist_ok=True)
                changed.append(path)
            continue
        if entry.kind == "link":
            if old is None or old.kind != "link" or old.target != entry.target:
                if old is not None:
                    fs.rm(path, recursive=True)
                fs.symlink(entry.target, path)
                changed.append(path)
            continue
        fd = os.open(host, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as handle:
            data = handle.read()
        digest = hashlib.sha256(data).hexdigest()
        if old is not None and old.kind == "file" and old.digest == digest:
            if entry.mode & 0o777 != old.mode & 0o777 and entry.mode & 0o111 != old.mode & 0o111:
                fs.chmod(path, entry.mode & 0o777)
            continue
        if old is not None and old.kind != "file":
            fs.rm(path, recursive=True)
        fs.write(path, data, mode=entry.mode & 0o777)
        changed.append(path)
    return changed
