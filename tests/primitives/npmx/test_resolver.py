"""npm's own install is the oracle: the same project installed by real npm and by npmx gives the
same node_modules tree (names, versions, layout) and equivalent lockfiles.

This suite runs a representative handful of the fixture projects; all of them (31) are compared
by `python -m tests.primitives.npmx.oracle`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dotdo.primitives.fsx import FileSystem
from dotdo.primitives.npmx import Npm, TarballCache
from tests.primitives.npmx.fixtures import PROJECTS
from tests.primitives.npmx.local_registry import LocalRegistry
from tests.primitives.npmx.oracle import differences, disk_tree, fsx_tree, lock_view, npm_install

FAST = (
    "conflict-nests",
    "deep-conflict",
    "peer-installed",
    "optional-other-os",
    "dedupe",
    "overrides",
    "overrides-nested",
    "overrides-shared",
    "alias-shadowing",
    "dev-deps",
)


@pytest.mark.skipif(shutil.which("npm") is None, reason="real npm is the oracle")
@pytest.mark.parametrize(
    ("name", "fields"), [p for p in PROJECTS if p[0] in FAST], ids=lambda v: v if isinstance(v, str) else ""
)
async def test_same_tree_and_lockfile_as_npm(
    name: str, fields: dict, registry: LocalRegistry, fs: FileSystem, cache: TarballCache, tmp_path: Path
) -> None:
    package_json = {"name": name, "version": "1.0.0", **fields}
    folder = tmp_path / "npm" / name
    npm_install(folder, package_json, registry.url, tmp_path / "npm-cache", lock_only=False)
    await fs.write("/package.json", json.dumps(package_json))
    await Npm(fs, cache=cache, registry=registry.url).install()
    assert differences(disk_tree(folder), fsx_tree(fs.sync)) == []
    npm_lock = json.loads((folder / "package-lock.json").read_text())
    ours = json.loads(await fs.read("/package-lock.json"))
    assert differences(lock_view(npm_lock), lock_view(ours)) == []
    assert ours["packages"][""] == npm_lock["packages"][""]
