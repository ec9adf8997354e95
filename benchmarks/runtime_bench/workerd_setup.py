"""Finding (or installing from the npm registry) Cloudflare's workerd for the anchor comparison.

The anchor (`benchmarks/workerd/worker.js` and `config.capnp`: the same counter as a SQLite-backed
Durable Object) is copied to a cache folder where `npm install workerd` fetches the binary, which
ships inside the npm package. Nothing is installed unless npm is present.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

ANCHOR = Path(__file__).resolve().parent.parent / "workerd"
INSTALL_HINT = "install Node.js and npm, then rerun (the benchmark runs `npm install workerd` in its cache folder)"


def default_cache() -> Path:
    """Where the benchmark keeps its workerd install: ~/.cache/dotdo-bench/workerd."""
    return Path.home() / ".cache" / "dotdo-bench" / "workerd"


def _binary(folder: Path) -> Path | None:
    for candidate in sorted(folder.glob("node_modules/@cloudflare/workerd-*/bin/workerd")):
        if candidate.is_file():
            return candidate
    return None


def prepare_workerd(cache: Path, *, install: bool, say: Callable[[str], None]) -> tuple[Path, Path] | None:
    """(workerd binary, folder holding config.capnp), installing into `cache` if allowed; None if absent."""
    cache.mkdir(parents=True, exist_ok=True)
    for name in ("worker.js", "config.capnp"):
        source = ANCHOR / name
        if not (cache / name).exists() or (cache / name).read_bytes() != source.read_bytes():
            shutil.copyfile(source, cache / name)
    binary = _binary(cache)
    if binary is not None:
        return binary, cache
    npm = shutil.which("npm")
    if not install or npm is None:
        say(f"workerd is not installed in {cache}: {INSTALL_HINT}")
        return None
    say(f"installing workerd from the npm registry into {cache} (once)…")
    if not (cache / "package.json").exists():
        subprocess.run([npm, "init", "-y"], cwd=cache, capture_output=True, check=True, timeout=120)
    done = subprocess.run([npm, "install", "workerd"], cwd=cache, capture_output=True, text=True, timeout=900)
    binary = _binary(cache)
    if done.returncode != 0 or binary is None:
        say(f"npm install workerd failed in {cache}:\n{done.stderr[-1500:]}")
        return None
    return binary, cache


def workerd_version(binary: Path) -> str:
    """`workerd --version`, e.g. "workerd 2026-11-17"."""
    done = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=30, check=False)
    return (done.stdout or done.stderr).strip()
