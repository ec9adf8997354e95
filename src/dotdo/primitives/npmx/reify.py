"""Write a resolved tree into the object's files: package folders, ``.bin`` links, the lockfiles.

What is already installed (per ``node_modules/.package-lock.json``) at the same folder with the
same version and integrity is left alone; everything else is fetched, checked and unpacked
first, and only then written, in one fsx transaction: a bad tarball or a failed check leaves the
object's files exactly as they were.
"""

from __future__ import annotations

import asyncio
import json
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dotdo.primitives.npmx.errors import NpmIntegrityError, NpmTarballError
from dotdo.primitives.npmx.lockfile import dumps, hidden_lock, lock_from_tree
from dotdo.primitives.npmx.registry import Registry
from dotdo.primitives.npmx.tarballs import PackageFile, read_tarball
from dotdo.primitives.npmx.tree import Node, normalize_bin

HIDDEN_LOCK = "node_modules/.package-lock.json"


@dataclass
class ReifyResult:
    """What an install changed: packages added or replaced, packages removed, tarballs downloaded."""

    added: list[str]
    removed: list[str]
    downloaded: int


def installed_entries(fs: Any, prefix: str) -> dict[str, Any]:
    """The package entries of ``node_modules/.package-lock.json`` (what is installed now), or {}."""
    try:
        document = json.loads(fs.read(posixpath.join(prefix, HIDDEN_LOCK)))
    except (FileNotFoundError, NotADirectoryError, ValueError):
        return {}
    packages = document.get("packages") if isinstance(document, dict) else None
    return packages if isinstance(packages, dict) else {}


def _unchanged(entry: Any, node: Node) -> bool:
    return (
        isinstance(entry, dict)
        and entry.get("version") == node.version
        and entry.get("integrity") == node.integrity
        and entry.get("resolved") == node.resolved
    )


async def reify(
    fs: Any,
    prefix: str,
    root: Node,
    registry: Registry,
    *,
    lock: dict[str, Any] | None = None,
    package_json: dict[str, Any] | None = None,
    on_package: Callable[[str], None] | None = None,
) -> ReifyResult:
    """Make ``prefix``'s ``node_modules`` hold ``root``'s tree, and write the lockfiles and ``package_json``.

    ``lock`` is written as given (``ci`` keeps the lockfile); without it, one is made from the tree.
    """
    before = installed_entries(fs, prefix)
    # Optional packages for other platforms stay in the lockfile but are not unpacked (as npm does).
    nodes = [node for node in root.walk()[1:] if node.for_this_platform]
    wanted = {node.location: node for node in nodes}
    stale = {loc for loc in before if loc and (loc not in wanted or not _unchanged(before[loc], wanted[loc]))}
    # Removing a folder removes the packages nested in it: those are written again.
    rewrite = [
        node
        for node in nodes
        if node.location in stale
        or node.location not in before
        or not fs.exists(posixpath.join(prefix, node.location, "package.json"))
        or any(node.location.startswith(loc + "/") for loc in stale)
    ]
    unpacked = await _fetch(registry, rewrite, on_package)
    for node, files in zip(rewrite, unpacked, strict=True):
        node.package_json = _manifest_of(files, node)
    for node in nodes:
        if node.package_json is None:
            node.package_json = _installed_manifest(fs, prefix, node)
    lock_text = dumps(lock if lock is not None else lock_from_tree(root))

    def write() -> None:
        modules = posixpath.join(prefix, "node_modules")
        for location in sorted(stale, key=len):
            fs.rm(posixpath.join(prefix, location), recursive=True, missing_ok=True)
        if fs.is_dir(modules):
            expected = {node.name for node in nodes if node.parent is root}
            for entry in fs.listdir(modules):
                if entry.startswith("@"):
                    scope = posixpath.join(modules, entry)
                    for name in fs.listdir(scope):
                        if f"{entry}/{name}" not in expected:
                            fs.rm(posixpath.join(scope, name), recursive=True, missing_ok=True)
                elif not entry.startswith(".") and entry not in expected:
                    fs.rm(posixpath.join(modules, entry), recursive=True, missing_ok=True)
        for node, files in zip(rewrite, unpacked, strict=True):
            _write_package(fs, posixpath.join(prefix, node.location), files)
        _link_bins(fs, prefix, root)
        if package_json is not None:
            fs.write(posixpath.join(prefix, "package.json"), json.dumps(package_json, indent=2) + "\n")
        fs.write(posixpath.join(prefix, "package-lock.json"), lock_text)
        if nodes:
            fs.mkdir(modules, parents=True, exist_ok=True)
            fs.write(posixpath.join(prefix, HIDDEN_LOCK), dumps(hidden_lock(json.loads(lock_text))))
        else:
            fs.rm(posixpath.join(prefix, HIDDEN_LOCK), missing_ok=True)

    fs.transaction(write)
    removed = sorted(loc for loc in stale if loc not in wanted)
    return ReifyResult([n.location for n in rewrite], removed, registry.downloaded)


async def _fetch(
    registry: Registry, nodes: list[Node], on_package: Callable[[str], None] | None
) -> list[list[PackageFile]]:
    async def one(node: Node) -> list[PackageFile]:
        what = f"{node.name}@{node.version}"
        if not node.resolved:
            raise NpmTarballError(f"{what} has no tarball URL (no 'resolved' in the lockfile)")
        data, integrity = await registry.tarball(node.real_name, node.version, node.resolved, node.integrity)
        node.integrity = integrity
        files = await asyncio.to_thread(read_tarball, data, what=what)
        if on_package is not None:
            on_package(what)
        return files

    results = await asyncio.gather(*(one(node) for node in nodes), return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    if errors:
        # An integrity failure says the most (a tampered package); raise it before other failures.
        errors.sort(key=lambda e: not isinstance(e, NpmIntegrityError))
        raise errors[0]
    return [r for r in results if not isinstance(r, BaseException)]


def _manifest_of(files: list[PackageFile], node: Node) -> dict[str, Any]:
    for item in files:
        if item.path == "package.json":
            try:
                parsed = json.loads(item.data)
            except ValueError:
                raise NpmTarballError(f"{node.name}@{node.version}: its package.json is not JSON") from None
            if isinstance(parsed, dict):
                return parsed
    raise NpmTarballError(f"{node.name}@{node.version}: the tarball has no package.json")


def _installed_manifest(fs: Any, prefix: str, node: Node) -> dict[str, Any]:
    try:
        parsed = json.loads(fs.read(posixpath.join(prefix, node.location, "package.json")))
    except (FileNotFoundError, ValueError):
        return dict(node.manifest)
    return parsed if isinstance(parsed, dict) else dict(node.manifest)


def _write_package(fs: Any, folder: str, files: list[PackageFile]) -> None:
    fs.mkdir(folder, 0o755, parents=True, exist_ok=True)
    made = {folder}
    for item in files:
        path = posixpath.join(folder, item.path)
        parent = posixpath.dirname(path)
        if parent not in made:
            fs.mkdir(parent, 0o755, parents=True, exist_ok=True)
            made.add(parent)
        fs.write(path, item.data, mode=item.mode)


def _link_bins(fs: Any, prefix: str, root: Node) -> None:
    """Each package's commands as relative symlinks in the ``.bin`` of the ``node_modules`` holding it."""
    wanted: dict[str, dict[str, str]] = {}
    for node in root.walk()[1:]:
        assert node.parent is not None
        if not node.for_this_platform:
            continue
        bin_dir = posixpath.join(prefix, node.parent.location, "node_modules", ".bin")
        for command, target in normalize_bin(node.real_name, (node.package_json or {}).get("bin")).items():
            package_path = posixpath.join(prefix, node.location, target)
            wanted.setdefault(bin_dir, {})[command] = posixpath.relpath(package_path, bin_dir)
            if fs.is_file(package_path):
                fs.chmod(package_path, 0o755)
    for node in root.walk():
        bin_dir = posixpath.join(prefix, node.location, "node_modules", ".bin")
        if bin_dir not in wanted and fs.is_dir(bin_dir):
            fs.rm(bin_dir, recursive=True)
    for bin_dir, links in wanted.items():
        fs.mkdir(bin_dir, 0o755, parents=True, exist_ok=True)
        for existing in fs.listdir(bin_dir):
            if existing not in links:
                fs.unlink(posixpath.join(bin_dir, existing))
        for command, target in links.items():
            path = posixpath.join(bin_dir, command)
            if fs.is_symlink(path):
                if fs.readlink(path) == target:
                    continue
                fs.unlink(path)
            elif fs.exists(path):
                fs.rm(path, recursive=True)
            fs.symlink(target, path)
