"""npmx: npm inside every object — packages resolved by npm's rules, installed into the object's files.

``Npm(fs)`` over an fsx ``FileSystem``: ``await npm.install("lodash@^4.17")`` writes
``package.json``, ``package-lock.json`` (version 3) and ``node_modules`` as npm lays it out;
``ci()`` installs exactly the lockfile (refusing one out of sync); ``run("build")`` runs scripts
through bashx. Tarballs are checked against their ``sha512`` integrity and cached once per content
in a blob store shared by every object.
"""

from __future__ import annotations

from typing import Any

from dotdo.extras import require_extra

require_extra("npm", "npmx (ctx.npm)")

from dotdo.primitives.npmx.errors import (
    NpmError,
    NpmIntegrityError,
    NpmLockError,
    NpmRegistryError,
    NpmResolveError,
    NpmScriptError,
    NpmSpecError,
    NpmTarballError,
)
from dotdo.primitives.npmx.npm import InstallResult, Npm, RunResult
from dotdo.primitives.npmx.npmrc import DEFAULT_REGISTRY, NpmConfig, parse_npmrc
from dotdo.primitives.npmx.tarball_cache import TarballCache

__all__ = [
    "DEFAULT_REGISTRY",
    "InstallResult",
    "Npm",
    "NpmConfig",
    "NpmError",
    "NpmIntegrityError",
    "NpmLockError",
    "NpmRegistryError",
    "NpmResolveError",
    "NpmScriptError",
    "NpmSpecError",
    "NpmTarballError",
    "RunResult",
    "TarballCache",
    "attach",
    "parse_npmrc",
]


def attach(ctx: Any) -> Npm:
    """``ctx.npm``: npm on the object's ``ctx.fs``, its scripts run by ``ctx.bash``."""
    return Npm(ctx.fs, bash=ctx.bash)
