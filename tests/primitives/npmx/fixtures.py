"""The fixture packages the npmx tests publish to their local registry, and the projects that use them.

The set covers what npm's resolver must get right: ranges of every form, dist-tags and the
preference for ``latest``, prereleases, deprecated versions, conflicts that nest, deep chains,
peer dependencies, optional dependencies for another platform, scoped packages, packages with
commands (``bin``), overrides, aliases, devDependencies, and one tarball tampered with after publishing.
"""

from __future__ import annotations

from typing import Any

from tests.primitives.npmx.local_registry import LocalRegistry

NODE_TOOL = "#!/usr/bin/env node\nconsole.log('fixture-tool', process.argv.slice(2).join(' '))\n"
SHELL_TOOL = '#!/bin/sh\necho "shtool says $1"\n'


def _index(name: str, version: str) -> dict[str, str]:
    return {"index.js": f"module.exports = {{ name: {name!r}, version: {version!r} }}\n"}


# (manifest, extra files, dist-tag) in publishing order: the last version published under
# `latest` becomes the latest tag.
PACKAGES: list[tuple[dict[str, Any], dict[str, str] | None, str]] = [
    ({"name": "alpha", "version": "1.0.0", "license": "MIT"}, None, "latest"),
    ({"name": "alpha", "version": "1.1.0", "license": "MIT"}, None, "latest"),
    ({"name": "alpha", "version": "1.2.0-beta.1", "license": "MIT"}, None, "beta"),
    ({"name": "alpha", "version": "2.0.0", "license": "MIT", "engines": {"node": ">=14"}}, None, "latest"),
    ({"name": "alpha", "version": "2.1.0-rc.1", "license": "MIT"}, None, "next"),
    ({"name": "beta", "version": "1.0.0", "dependencies": {"alpha": "^1.0.0"}}, None, "latest"),
    ({"name": "beta", "version": "1.1.0", "dependencies": {"alpha": "~1.1.0"}}, None, "latest"),
    ({"name": "gamma", "version": "1.0.0", "license": "ISC", "dependencies": {"alpha": "^2.0.0"}}, None, "latest"),
    ({"name": "deep-e", "version": "1.0.0", "dependencies": {"alpha": "^1.0.0"}}, None, "latest"),
    ({"name": "deep-d", "version": "1.0.0", "dependencies": {"deep-e": "^1.0.0"}}, None, "latest"),
    ({"name": "deep-c", "version": "1.0.0", "dependencies": {"deep-d": "^1.0.0"}}, None, "latest"),
    ({"name": "deep-b", "version": "1.0.0", "dependencies": {"deep-c": "^1.0.0"}}, None, "latest"),
    ({"name": "deep-a", "version": "1.0.0", "dependencies": {"deep-b": "^1.0.0"}}, None, "latest"),
    ({"name": "host", "version": "1.0.0"}, None, "latest"),
    ({"name": "host", "version": "1.5.0"}, None, "latest"),
    ({"name": "host", "version": "2.0.0"}, None, "latest"),
    ({"name": "plugin", "version": "1.0.0", "peerDependencies": {"host": "^1.0.0"}}, None, "latest"),
    (
        {
            "name": "soft-plugin",
            "version": "1.0.0",
            "peerDependencies": {"host": "^1.0.0"},
            "peerDependenciesMeta": {"host": {"optional": True}},
        },
        None,
        "latest",
    ),
    ({"name": "not-for-here", "version": "1.0.0", "os": ["win32"]}, None, "latest"),
    (
        {
            "name": "maybe",
            "version": "1.0.0",
            "optionalDependencies": {"not-for-here": "^1.0.0"},
            "dependencies": {"alpha": "^1.0.0"},
        },
        None,
        "latest",
    ),
    ({"name": "@fixture/util", "version": "1.0.0"}, None, "latest"),
    ({"name": "@fixture/util", "version": "1.1.0"}, None, "latest"),
    ({"name": "@fixture/core", "version": "2.0.0", "dependencies": {"@fixture/util": "^1.0.0"}}, None, "latest"),
    (
        {"name": "tool", "version": "1.0.0", "bin": {"fixture-tool": "./bin/tool.js"}},
        {"bin/tool.js": NODE_TOOL},
        "latest",
    ),
    ({"name": "shtool", "version": "1.0.0", "bin": "bin/run.sh"}, {"bin/run.sh": SHELL_TOOL}, "latest"),
    ({"name": "olden", "version": "1.0.0"}, None, "latest"),
    ({"name": "olden", "version": "1.1.0", "deprecated": "use 1.0.0"}, None, "latest"),
    ({"name": "shared-x", "version": "1.0.0"}, None, "latest"),
    ({"name": "shared-x", "version": "1.1.0"}, None, "latest"),
    ({"name": "user-1", "version": "1.0.0", "dependencies": {"shared-x": "^1.0.0"}}, None, "latest"),
    ({"name": "user-2", "version": "1.0.0", "dependencies": {"shared-x": "1.0.0"}}, None, "latest"),
    ({"name": "lagging", "version": "1.0.0"}, None, "latest"),
    ({"name": "lagging", "version": "1.1.0"}, None, "latest"),
    ({"name": "lagging", "version": "1.2.0"}, None, "next"),
    ({"name": "tampered", "version": "1.0.0"}, None, "latest"),
]
TAMPERED = ("tampered", "1.0.0")

# Projects whose installs npm and npmx must agree on: (name, package.json fields).
PROJECTS: list[tuple[str, dict[str, Any]]] = [
    ("caret", {"dependencies": {"alpha": "^1.0.0"}}),
    ("tag-latest", {"dependencies": {"alpha": "latest"}}),
    ("tag-next", {"dependencies": {"alpha": "next"}}),
    ("comparators", {"dependencies": {"alpha": ">=1.0.0 <2"}}),
    ("hyphen", {"dependencies": {"alpha": "1.0.0 - 1.1.0"}}),
    ("or-ranges", {"dependencies": {"alpha": "1.x || 2.x"}}),
    ("prerelease", {"dependencies": {"alpha": "^1.2.0-beta.0"}}),
    ("conflict-nests", {"dependencies": {"beta": "^1.0.0", "gamma": "^1.0.0"}}),
    ("conflict-other-way", {"dependencies": {"gamma": "^1.0.0", "beta": "1.0.0"}}),
    ("deep-chain", {"dependencies": {"deep-a": "^1.0.0"}}),
    ("deep-conflict", {"dependencies": {"deep-a": "^1.0.0", "alpha": "^2.0.0"}}),
    ("peer-installed", {"dependencies": {"plugin": "^1.0.0"}}),
    ("peer-pinned", {"dependencies": {"plugin": "^1.0.0", "host": "1.0.0"}}),
    ("peer-optional", {"dependencies": {"soft-plugin": "^1.0.0"}}),
    ("optional-other-os", {"dependencies": {"maybe": "^1.0.0"}}),
    ("scoped", {"dependencies": {"@fixture/core": "^2.0.0"}}),
    ("scoped-pinned", {"dependencies": {"@fixture/core": "^2.0.0", "@fixture/util": "1.0.0"}}),
    ("bins", {"dependencies": {"tool": "^1.0.0", "shtool": "^1.0.0"}}),
    ("deprecated", {"dependencies": {"olden": "^1.0.0"}}),
    ("dedupe", {"dependencies": {"user-1": "^1.0.0", "user-2": "^1.0.0"}}),
    ("latest-preferred", {"dependencies": {"lagging": "^1.0.0"}}),
    ("dev-deps", {"dependencies": {"gamma": "^1.0.0"}, "devDependencies": {"beta": "^1.0.0", "tool": "^1.0.0"}}),
    ("overrides", {"dependencies": {"beta": "1.0.0", "deep-a": "^1.0.0"}, "overrides": {"alpha": "1.0.0"}}),
    # Nested (per-parent) overrides: only below deep-c, alpha becomes 2.0.0.
    (
        "overrides-nested",
        {"dependencies": {"beta": "^1.0.0", "deep-a": "^1.0.0"}, "overrides": {"deep-c": {"alpha": "2.0.0"}}},
    ),
    # "." overrides the entry's package itself; the nested rule applies below it.
    (
        "overrides-dot",
        {"dependencies": {"deep-a": "^1.0.0"}, "overrides": {"deep-e": {".": "1.0.0", "alpha": "2.1.0-rc.1"}}},
    ),
    # A version-qualified key only replaces the ranges that meet it (gamma's ^2, not beta's ~1.1).
    (
        "overrides-versioned-key",
        {"dependencies": {"beta": "^1.0.0", "gamma": "^1.0.0"}, "overrides": {"alpha@^2.0.0": "2.1.0-rc.1"}},
    ),
    # "$alpha" is the project's own spec of alpha.
    (
        "overrides-reference",
        {"dependencies": {"alpha": "1.0.0", "beta": "^1.0.0"}, "overrides": {"beta": {"alpha": "$alpha"}}},
    ),
    # deep-c is reached from the project and from deep-b: it takes the more specific rules (deep-a's).
    (
        "overrides-shared",
        {"dependencies": {"deep-c": "^1.0.0", "deep-a": "^1.0.0"}, "overrides": {"deep-a": {"alpha": "2.0.0"}}},
    ),
    # Aliases: a folder holding another package (npm:), beside or instead of the package of that name.
    ("alias", {"dependencies": {"my-alpha": "npm:alpha@^1.0.0", "alpha": "^2.0.0"}}),
    ("alias-shadowing", {"dependencies": {"beta": "^1.0.0", "alpha": "npm:gamma@^1.0.0"}}),
    ("root-optional", {"dependencies": {"alpha": "^2.0.0"}, "optionalDependencies": {"not-for-here": "^1.0.0"}}),
]


def publish_fixtures(registry: LocalRegistry) -> None:
    """Publish every fixture version, then tamper with one tarball."""
    for manifest, files, tag in PACKAGES:
        registry.publish(manifest, {**_index(manifest["name"], manifest["version"]), **(files or {})}, tag=tag)
    registry.tamper(*TAMPERED)
