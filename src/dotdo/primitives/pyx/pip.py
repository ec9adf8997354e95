"""``ctx.pip``: the object's own Python environment, recorded in its files.

What the object asked for is kept in ``/.pyx/requirements.in`` and what that resolved to (every
package, pinned) in ``/.pyx/requirements.lock``; the environment itself is a shared virtualenv named
by the lock (see ``environments``), rebuilt from the lock when a host does not have it yet.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dotdo.primitives.pyx.environments import Environments, normalize_lock, requirement_name

REQUESTED_PATH = "/.pyx/requirements.in"
LOCK_PATH = "/.pyx/requirements.lock"


@dataclass
class InstallResult:
    """What an install or uninstall left: the object's requested requirements and its pinned lock."""

    requested: list[str]
    locked: list[str]
    environment: Path


class Pip:
    """The object's Python packages: ``await pip.install("pandas==2.2.*")``, ``uninstall``, ``list``."""

    def __init__(self, fs: Any, environments: Environments | None = None) -> None:
        self.fs = fs
        self.sync_fs = getattr(fs, "sync", fs)
        self.environments = environments or Environments()

    def requested(self) -> list[str]:
        """The requirements the object asked for, in the order asked."""
        return _lines(self._read(REQUESTED_PATH))

    def locked(self) -> list[str]:
        """Every installed package, pinned (``name==version``)."""
        return _lines(self._read(LOCK_PATH))

    async def install(self, *requirements: str) -> InstallResult:
        """Add ``requirements`` (pip's syntax) to the object's environment; a newer spec of a name replaces the old."""
        specs = _check(requirements)
        wanted = {requirement_name(spec): spec for spec in self.requested()}
        for spec in specs:
            wanted[requirement_name(spec)] = spec
        return await self._resolve(list(wanted.values()))

    async def uninstall(self, *names: str) -> InstallResult:
        """Remove ``names`` from what the object asked for and re-resolve (their own dependencies go too)."""
        drop = {requirement_name(name) for name in _check(names)}
        current = self.requested()
        missing = drop - {requirement_name(spec) for spec in current}
        if missing:
            raise ValueError(f"not installed by this object: {', '.join(sorted(missing))}; installed: {current}")
        return await self._resolve([spec for spec in current if requirement_name(spec) not in drop])

    async def list(self) -> list[str]:
        """The pinned packages of the object's environment."""
        return self.locked()

    def environment(self) -> Path | None:
        """The folder of the object's environment (built from its lock if needed); None without packages."""
        lock = self._read(LOCK_PATH)
        if not lock.strip():
            return None
        return self.environments.for_lock(lock)

    async def ensure(self, packages: list[str]) -> Path | None:
        """The environment with ``packages`` installed: those not yet asked for are installed first."""
        asked = {requirement_name(spec) for spec in self.requested()}
        if any(requirement_name(spec) not in asked for spec in _check(packages)):
            return (await self.install(*packages)).environment
        lock = self._read(LOCK_PATH)
        if not lock.strip():
            return None
        return await asyncio.to_thread(self.environments.for_lock, lock)

    async def _resolve(self, requested: list[str]) -> InstallResult:
        lock, env = await asyncio.to_thread(self.environments.resolve, requested)
        self.sync_fs.mkdir("/.pyx", exist_ok=True)
        self.sync_fs.write(REQUESTED_PATH, "".join(f"{spec}\n" for spec in requested).encode())
        self.sync_fs.write(LOCK_PATH, normalize_lock(lock).encode())
        return InstallResult(requested, _lines(lock), env)

    def _read(self, path: str) -> str:
        try:
            return self.sync_fs.read(path).decode()
        except FileNotFoundError:
            return ""


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _check(requirements: Any) -> list[str]:
    specs = list(requirements)
    for spec in specs:
        if not isinstance(spec, str) or not spec.strip():
            raise TypeError(f"a requirement is a non-empty str such as 'pandas==2.2.*', not {spec!r}")
        requirement_name(spec)
    return specs
