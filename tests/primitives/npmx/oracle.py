"""Real npm as the oracle for npmx: install the same project with both and compare what they leave.

`python -m tests.primitives.npmx.oracle` starts the local registry, publishes the fixtures, and
for every fixture project runs the real `npm install` and `Npm.install` and prints, per project,
whether the `node_modules` trees (names, versions, layout) and the lockfiles agree.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

COMPARED_KEYS = (
    "name",
    "version",
    "resolved",
    "integrity",
    "dev",
    "optional",
    "devOptional",
    "peer",
    "dependencies",
    "optionalDependencies",
    "peerDependencies",
    "peerDependenciesMeta",
    "bin",
    "license",
    "engines",
    "os",
    "deprecated",
)


def npm_install(folder: Path, package_json: dict[str, Any], registry: str, cache: Path, *, lock_only: bool) -> None:
    """Run the real `npm install` in `folder` against `registry` (its own cache; no scripts, audit or fund)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "package.json").write_text(json.dumps(package_json, indent=2) + "\n")
    (folder / ".npmrc").write_text(f"registry={registry}\n")
    # npm's own defaults only: the user's and the machine's npmrc are not read.
    for scope in ("user", "global"):
        (folder.parent / f"{scope}-npmrc").write_text("")
    command = ["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", "--cache", str(cache)]
    command += [
        "--userconfig",
        str(folder.parent / "user-npmrc"),
        "--globalconfig",
        str(folder.parent / "global-npmrc"),
    ]
    if lock_only:
        command.append("--package-lock-only")
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"npm install failed in {folder}:\n{done.stdout}\n{done.stderr}")


def installed(location: str, manifest: dict[str, Any]) -> str:
    """A package's version, as `name@version` when the folder holds another package (an alias)."""
    folder = location.rpartition("node_modules/")[2]
    return manifest["version"] if manifest.get("name") == folder else f"{manifest.get('name')}@{manifest['version']}"


def disk_tree(folder: Path) -> dict[str, str]:
    """{location: version} of every package under `folder`'s node_modules, on the host's disk."""
    found: dict[str, str] = {}
    for manifest in sorted(folder.glob("node_modules/**/package.json")):
        location = manifest.parent.relative_to(folder).as_posix()
        parts = location.split("/")
        if parts[-2] == "node_modules" or (
            len(parts) > 2 and parts[-3] == "node_modules" and parts[-2].startswith("@")
        ):
            found[location] = installed(location, json.loads(manifest.read_text()))
    return found


def fsx_tree(fs: Any, prefix: str = "/") -> dict[str, str]:
    """{location: version} of every package under `prefix`'s node_modules in an fsx filesystem."""
    found: dict[str, str] = {}
    root = prefix.rstrip("/")

    def visit(folder: str, location: str) -> None:
        modules = f"{folder}/node_modules"
        if not fs.is_dir(modules):
            return
        for entry in sorted(fs.listdir(modules)):
            names = (
                [f"{entry}/{n}" for n in sorted(fs.listdir(f"{modules}/{entry}"))] if entry.startswith("@") else [entry]
            )
            for name in names:
                if name.startswith("."):
                    continue
                path = f"{modules}/{name}"
                here = f"{location}/node_modules/{name}" if location else f"node_modules/{name}"
                found[here] = installed(here, json.loads(fs.read(f"{path}/package.json")))
                visit(path, here)

    visit(root, "")
    return found


def lock_view(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The parts of a lockfile npm and npmx must agree on, per package folder."""
    view = {}
    for location, entry in document["packages"].items():
        if location:
            view[location] = {key: entry[key] for key in COMPARED_KEYS if key in entry}
    return view


def differences(npm: dict[str, Any], ours: dict[str, Any]) -> list[str]:
    """Readable differences between two {key: value} maps (empty when they agree)."""
    lines = []
    for key in sorted(set(npm) | set(ours)):
        if npm.get(key) != ours.get(key):
            lines.append(f"{key}: npm {npm.get(key)!r} / npmx {ours.get(key)!r}")
    return lines


async def compare_all(work: Path) -> int:
    from dotdo.primitives.blob_store import BlobStore
    from dotdo.primitives.fsx import FileSystem
    from dotdo.primitives.npmx import Npm, TarballCache
    from dotdo.runtime.storage import Storage
    from tests.primitives.npmx.fixtures import PROJECTS, publish_fixtures
    from tests.primitives.npmx.local_registry import local_registry

    failures = 0
    with local_registry(work / "registry") as registry:
        publish_fixtures(registry)
        cache = TarballCache(BlobStore(work / "npmx-cache"))
        print(f"{'project':22} {'npm s':>6} {'npmx s':>6}  tree  lock")
        for name, fields in PROJECTS:
            package_json = {"name": name, "version": "1.0.0", **fields}
            folder = work / "npm" / name
            started = time.perf_counter()
            npm_install(folder, package_json, registry.url, work / "npm-cache", lock_only=False)
            npm_seconds = time.perf_counter() - started
            fs = FileSystem(Storage(work / f"{name}.sqlite"))
            await fs.write("/package.json", json.dumps(package_json))
            await fs.write("/.npmrc", f"registry={registry.url}\n")
            started = time.perf_counter()
            await Npm(fs, cache=cache).install()
            ours_seconds = time.perf_counter() - started
            tree = differences(disk_tree(folder), fsx_tree(fs.sync))
            lock = differences(
                lock_view(json.loads((folder / "package-lock.json").read_text())),
                lock_view(json.loads(await fs.read("/package-lock.json"))),
            )
            ok_tree, ok_lock = not tree, not lock
            failures += not (ok_tree and ok_lock)
            verdicts = f"{'same' if ok_tree else 'DIFF'}  {'same' if ok_lock else 'DIFF'}"
            print(f"{name:22} {npm_seconds:6.2f} {ours_seconds:6.2f}  {verdicts}")
            for line in tree + lock:
                print(f"    {line}")
    print(f"{len(PROJECTS) - failures} of {len(PROJECTS)} projects agree with npm")
    return failures


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="npmx-oracle-") as work:
        failures = asyncio.run(compare_all(Path(work)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    main()
