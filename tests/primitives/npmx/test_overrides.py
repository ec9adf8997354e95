"""npm's ``overrides``: per-parent rules, "." keys, ``$`` references and version-qualified keys.

Whether npmx lays these out as npm does is checked against real npm by the oracle projects
``overrides-*`` (two of them in ``test_resolver.py``); these tests pin what each form means.
"""

from __future__ import annotations

import json

import pytest

from dotdo.primitives.fsx import FileSystem
from dotdo.primitives.npmx import Npm, NpmSpecError
from dotdo.primitives.npmx.overrides import OverrideSet, intersects, more_specific
from tests.primitives.npmx.fixtures import PROJECTS
from tests.primitives.npmx.oracle import fsx_tree


async def install_project(npm: Npm, fs: FileSystem, name: str) -> dict[str, str]:
    fields = dict(PROJECTS)[name]
    await fs.write("/package.json", json.dumps({"name": name, "version": "1.0.0", **fields}))
    await npm.install()
    return {k: v for k, v in fsx_tree(fs.sync).items() if k.endswith("/alpha")}


@pytest.mark.parametrize(
    ("project", "alphas"),
    [
        # only the alpha wanted below deep-c is replaced; beta's stays 1.1.0
        ("overrides-nested", {"node_modules/alpha": "1.1.0", "node_modules/deep-e/node_modules/alpha": "2.0.0"}),
        # "alpha@^2.0.0" replaces gamma's ^2.0.0 but not beta's ~1.1.0
        (
            "overrides-versioned-key",
            {"node_modules/alpha": "1.1.0", "node_modules/gamma/node_modules/alpha": "2.1.0-rc.1"},
        ),
        # beta's ~1.1.0 becomes the project's own 1.0.0, so one alpha serves both
        ("overrides-reference", {"node_modules/alpha": "1.0.0"}),
        # deep-c is shared by the project and deep-b: it takes deep-a's more specific rules
        ("overrides-shared", {"node_modules/alpha": "2.0.0"}),
    ],
)
async def test_overrides_apply_where_they_are_declared(
    npm: Npm, fs: FileSystem, project: str, alphas: dict[str, str]
) -> None:
    assert await install_project(npm, fs, project) == alphas


async def test_ci_accepts_a_lock_whose_versions_only_the_overrides_allow(npm: Npm, fs: FileSystem) -> None:
    await install_project(npm, fs, "overrides-versioned-key")  # 2.1.0-rc.1 is outside gamma's own ^2.0.0
    await fs.rm("/node_modules", recursive=True)
    result = await npm.ci()
    assert result.packages["node_modules/gamma/node_modules/alpha"] == "2.1.0-rc.1"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (["alpha"], "overrides must be an object"),
        ({"alpha": 3}, "must be a version string or an object"),
        ({".": "1.0.0"}, '"." belongs inside'),
        ({"beta": {".": ["x"]}}, "must be a version string"),
        ({"beta": {"alpha": "$nothing"}}, r"\$nothing, but nothing is not a dependency"),
        ({"Bad Name": "1.0.0"}, "not a valid npm package name"),
        ({"beta": {"alpha": "not a range!"}}, "invalid version range"),
        ({"beta": "2.0.0"}, "EOVERRIDE"),  # the project's own dependency may not be changed
    ],
)
async def test_bad_overrides_are_refused_and_nothing_is_written(
    npm: Npm, fs: FileSystem, overrides: object, message: str
) -> None:
    package_json = {"name": "p", "version": "1.0.0", "dependencies": {"beta": "^1.0.0"}, "overrides": overrides}
    await fs.write("/package.json", json.dumps(package_json))
    with pytest.raises(NpmSpecError, match=message):
        await npm.install()
    assert sorted(fs.sync.listdir("/")) == ["package.json"]


def test_rules_nearest_the_package_win() -> None:
    root = OverrideSet({"alpha": "1.0.0", "beta": {"alpha": "2.0.0"}})
    beta = root.edge_rule("beta", "^1.0.0")
    assert beta.key == "beta"
    assert beta.edge_rule("alpha", "^1.0.0").value == "2.0.0"
    assert root.edge_rule("alpha", "^1.0.0").value == "1.0.0"
    assert root.edge_rule("gamma", "^1.0.0") is root
    assert more_specific(root, beta) is beta and more_specific(beta, root) is beta


@pytest.mark.parametrize(
    ("first", "second", "meet"),
    [
        ("^1.0.0", "1.2.3", True),
        ("^1.0.0", "^2.0.0", False),
        ("~1.1.0", ">=1.1.5 <2", True),
        ("<1.0.0", ">=1.0.0", False),
        ("<=1.0.0", ">=1.0.0", True),
        ("1.x || 3.x", "^3.1.0", True),
        ("*", "2.0.0", True),
    ],
)
def test_ranges_intersect_as_node_semver_says(first: str, second: str, meet: bool) -> None:
    assert intersects(first, second) is meet
