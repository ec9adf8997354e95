"""Installing Cloudflare's workerd for the anchor comparison from the repository's own lock file.

The anchor (`benchmarks/workerd/worker.js` and `config.capnp`: the same counter as a SQLite-backed
Durable Object) and its pinned npm dependency (`benchmarks/workerd/package.json` with its
`package-lock.json`) are copied to a cache folder named after the lock's digest, where `npm ci`
installs the workerd binary that ships inside the npm package. Nothing is installed unless npm is
present; a changed lock installs into a new folder.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

ANCHOR = Path(__file__).resolve().parent.parent / "workerd"
MANIFESTS = ("package.json", "package-lock.json")
INSTALL_HINT = "install Node.js and npm, then rerun (the benchmark runs `npm ci` in its cache folder)"


def default_cache() -> Path:
    """Where the benchmark keeps its workerd installs: ~/.cache/dotdo-bench/workerd."""
    return Path.home() / ".cache" / "dotdo-bench" / "workerd"


def _binary(folder: Path) -> Path | None:
    for candidate in sorted(folder.glob("node_modules/@cloudflare/workerd-*/bin/workerd")):
        if candidate.is_file():
            return candidate
    return None


def _install_folder(cache: Path) -> Path:
    digest = hashlib.sha256(b"".join((ANCHOR / name).read_bytes() for name in MANIFESTS)).hexdigest()[:16]
    return cache / f"workerd-{digest}"


def prepare_workerd(cache: Path, *, install: bool, say: Callable[[str], None]) -> tuple[Path, Path] | None:
    """(workerd binary, folder holding config.capnp), installing into `cache` if allowed; None if absent."""
    folder = _install_folder(cache)
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("worker.js", "config.capnp", *MANIFESTS):
        source = ANCHOR / name
        if not (folder / name).exists() or (folder / name).read_bytes() != source.read_bytes():
            shutil.copyfile(source, folder / name)
    binary = _binary(folder)
    if binary is not None:
        return binary, folder
    npm = shutil.which("npm")
    if not install or npm is None:
        say(f"workerd is not installed in {folder}: {INSTALL_HINT}")
        return None
    say(f"installing the pinned workerd with npm ci into {folder} (once)…")
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund"], cwd=folder, capture_output=True, text=True, timeout=900
    )
    binary = _binary(folder)
    if done.returncode != 0 or binary is None:
        say(f"npm ci failed in {folder}:\n{done.stderr[-1500:]}")
        return None
    return binary, folder


def workerd_version(binary: Path) -> str:
    """`workerd --version`, e.g. "workerd 2026-11-17"."""
    done = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=30, check=False)
    return (done.stdout or done.stderr).strip()
