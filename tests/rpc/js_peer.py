"""The project's Cap'n Web interop peer (`tests/rpc/js/`: the official `capnweb` npm package and
our scripts around it), installed with `npm ci` into a cache folder shared by later runs.

The cache key is a digest of `package.json` and `package-lock.json`, so changing a pinned version
installs a fresh copy; an install is staged in its own folder and renamed into place, so two runs
installing at once never see each other's half-written `node_modules`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

PEER_SOURCE = Path(__file__).resolve().parent / "js"
MANIFESTS = ("package.json", "package-lock.json")


class PeerUnavailable(RuntimeError):
    """Node.js or npm is missing, or `npm ci` failed; the message says which and what to do."""


def cache_root() -> Path:
    """`$DOTDO_NPM_CACHE`, else `$XDG_CACHE_HOME/dotdo/npm`, else `~/.cache/dotdo/npm`."""
    configured = os.environ.get("DOTDO_NPM_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dotdo" / "npm"


def installed_modules(package_dir: Path, cache: Path | None = None) -> Path:
    """The `node_modules` folder of `package_dir`'s locked dependencies, installed once per lock."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            raise PeerUnavailable(f"`{tool}` is needed for the Cap'n Web interop peer; install Node.js 20+ and npm")
    digest = hashlib.sha256()
    for name in MANIFESTS:
        digest.update((package_dir / name).read_bytes())
    cache = cache or cache_root()
    name = json.loads((package_dir / "package.json").read_text())["name"]
    target = cache / f"{name}-{digest.hexdigest()[:16]}"
    if (target / "node_modules").is_dir():
        return target / "node_modules"
    cache.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=cache))
    try:
        for name in MANIFESTS:
            shutil.copyfile(package_dir / name, staging / name)
        done = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=staging, capture_output=True, text=True, timeout=600
        )
        if done.returncode != 0:
            raise PeerUnavailable(f"npm ci failed for {name}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
        try:
            staging.rename(target)
        except OSError:
            if not (target / "node_modules").is_dir():  # not another run's finished install
                raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target / "node_modules"


def prepare_peer(into: Path) -> Path:
    """A folder holding the peer's scripts and its installed packages, ready for `node SCRIPT`."""
    modules = installed_modules(PEER_SOURCE)
    into.mkdir(parents=True, exist_ok=True)
    for script in PEER_SOURCE.glob("*.mjs"):
        shutil.copyfile(script, into / script.name)
    shutil.copyfile(PEER_SOURCE / "package.json", into / "package.json")
    (into / "node_modules").symlink_to(modules, target_is_directory=True)
    return into
