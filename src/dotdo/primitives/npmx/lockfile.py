"""``package-lock.json`` version 3: written from a tree, read back into one, checked against ``package.json``.

The format is npm's: ``{"name", "version", "lockfileVersion": 3, "requires": true, "packages":
{"": <the project>, "node_modules/a": {...}, ...}}``, each package with its ``version``,
``resolved`` URL, ``integrity``, dependency flags and the metadata npm copies from its
``package.json``. npm also keeps a copy of the package entries in ``node_modules/.package-lock.json``
(the "hidden" lockfile); npmx writes it too, and reads it to know what is already installed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from dotdo.primitives.npmx.errors import NpmLockError
from dotdo.primitives.npmx.overrides import accepted_under, more_specific, overridden_spec, root_overrides
from dotdo.primitives.npmx.tree import Edge, Node, normalize_bin
from dotdo.primitives.npmx.versions import split_alias

DEPENDENCY_FIELDS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")
ENTRY_METADATA = ("license", "dependencies", "optionalDependencies", "bin", "engines", "os", "cpu", "funding")
ENTRY_TRAILER = ("peerDependencies", "peerDependenciesMeta", "deprecated")
ROOT_FIELDS = ("name", "version", "license", *DEPENDENCY_FIELDS, "bin", "engines")


def lock_from_tree(root: Node) -> dict[str, Any]:
    """The lockfile document of ``root``'s tree (flags must already be calculated)."""
    packages: dict[str, Any] = {"": _root_entry(root.manifest)}
    for node in sorted(root.walk()[1:], key=lambda n: n.location):
        packages[node.location] = _entry(node)
    document: dict[str, Any] = {}
    if root.manifest.get("name"):
        document["name"] = root.manifest["name"]
    if root.manifest.get("version"):
        document["version"] = root.manifest["version"]
    document["lockfileVersion"] = 3
    document["requires"] = True
    document["packages"] = packages
    return document


def dumps(document: dict[str, Any]) -> str:
    """The lockfile's text as npm writes it (two-space indent, a final newline)."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def hidden_lock(document: dict[str, Any]) -> dict[str, Any]:
    """``node_modules/.package-lock.json``: the lockfile without the project's own entry."""
    hidden = {k: v for k, v in document.items() if k != "packages"}
    hidden["packages"] = {k: v for k, v in document["packages"].items() if k}
    return hidden


def _root_entry(manifest: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    for key in ROOT_FIELDS:
        value = manifest.get(key)
        if value:
            entry[key] = normalize_bin(str(manifest.get("name", "")), value) if key == "bin" else value
    return entry


def _entry(node: Node) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": node.package_name} if node.package_name else {}
    entry["version"] = node.version
    if node.resolved:
        entry["resolved"] = node.resolved
    if node.integrity:
        entry["integrity"] = node.integrity
    for flag, key in ((node.dev, "dev"), (node.optional, "optional"), (node.dev_optional, "devOptional")):
        if flag:
            entry[key] = True
    if node.peer:
        entry["peer"] = True
    source = node.package_json or node.manifest
    if node.manifest.get("hasInstallScript") or _has_install_script(source):
        entry["hasInstallScript"] = True
    for key in ENTRY_METADATA:
        value = source.get(key) if key != "bin" else node.bins()
        if value:
            entry[key] = value
    for key in ENTRY_TRAILER:
        value = source.get(key) or node.manifest.get(key)
        if value:
            entry[key] = value
    return entry


def _has_install_script(manifest: dict[str, Any]) -> bool:
    scripts = manifest.get("scripts") or {}
    return isinstance(scripts, dict) and any(k in scripts for k in ("preinstall", "install", "postinstall"))


def tree_from_lock(document: Any, package_json: dict[str, Any]) -> Node:
    """The tree a lockfile describes (the project's node carries ``package_json``)."""
    if not isinstance(document, dict) or not isinstance(document.get("packages"), dict):
        raise NpmLockError(
            "package-lock.json is not a lockfile npmx can read (no 'packages'); run install to rewrite it"
        )
    version = document.get("lockfileVersion")
    if version not in (2, 3):
        raise NpmLockError(
            f"package-lock.json has lockfileVersion {version!r}; npmx reads versions 2 and 3: run install to rewrite it"
        )
    root = Node(str(package_json.get("name") or "root"), str(package_json.get("version") or ""), package_json)
    by_location: dict[str, Node] = {"": root}
    entries = document["packages"]
    for location in sorted((k for k in entries if k), key=lambda k: (k.count("node_modules/"), k)):
        entry = entries[location]
        head, _, name = location.rpartition("node_modules/")
        parent_location = head[:-1] if head.endswith("/") else head
        parent = by_location.get(parent_location)
        if parent is None or not name or not isinstance(entry, dict) or "version" not in entry:
            if isinstance(entry, dict) and entry.get("link"):
                raise NotImplementedError(f"package-lock.json: {location} is a link (workspaces); not supported yet")
            raise NpmLockError(f"package-lock.json has a broken entry {location!r}; run install to rewrite it")
        real = entry.get("name")
        node = Node(
            name,
            str(entry["version"]),
            dict(entry),
            parent=parent,
            resolved=entry.get("resolved"),
            integrity=entry.get("integrity"),
            dev=bool(entry.get("dev")),
            optional=bool(entry.get("optional")),
            dev_optional=bool(entry.get("devOptional")),
            peer=bool(entry.get("peer")),
            package_name=str(real) if real and real != name else None,
        )
        parent.children[name] = node
        by_location[location] = node
    return root


def lock_edges(node: Node) -> list[Edge]:
    """A node's dependency edges, each resolved to the node it finds in the tree (or None)."""
    edges = [edge for edge in node.edges_out()]
    for edge in edges:
        start = node.parent if edge.type in ("peer", "peerOptional") and node.parent is not None else node
        edge.target = start.resolve(edge.name)
    return edges


def overridden_edges(root: Node, package_json: dict[str, Any]) -> dict[Node, list[Edge]]:
    """Every node's edges in a finished tree, with the specs ``overrides`` give them where they are.

    Each package takes the most specific rule set of the edges reaching it, so the sets are passed
    down until none changes (a shared package can gain a more specific set from a later edge).
    """
    root.overrides = root_overrides(package_json)
    nodes = sorted(root.walk(), key=lambda n: (n.depth, n.location))
    edges_of = {node: lock_edges(node) for node in nodes}
    changed = root.overrides is not None
    while changed:
        changed = False
        for node in nodes:
            rules = node.overrides
            for edge in edges_of[node]:
                if rules is None:
                    continue
                edge.overrides = rules.edge_rule(edge.name, edge.raw_spec)
                edge.spec = overridden_spec(edge.overrides, edge.name, edge.raw_spec, package_json)
                target = edge.target
                if target is None:
                    continue
                chosen = edge.overrides if target.overrides is None else more_specific(target.overrides, edge.overrides)
                if chosen is not None and not chosen.is_equal(target.overrides):
                    target.overrides = chosen
                    changed = True
    return edges_of


def check_in_sync(document: dict[str, Any], package_json: dict[str, Any], root: Node) -> None:
    """Raise ``NpmLockError`` (as ``npm ci`` refuses) unless the lockfile matches ``package.json``."""
    problems: list[str] = []
    recorded = document["packages"].get("", {})
    for field in DEPENDENCY_FIELDS:
        wanted = package_json.get(field) or {}
        locked = recorded.get(field) or {}
        if wanted != locked:
            for name in sorted(set(wanted) | set(locked)):
                if wanted.get(name) != locked.get(name):
                    problems.append(
                        f"{field}: package.json has {name}@{wanted.get(name, '(none)')}, "
                        f"the lock file has {name}@{locked.get(name, '(none)')}"
                    )
    for edges in overridden_edges(root, package_json).values():
        for edge in edges:
            problems.extend(_edge_problem(edge))
    if problems:
        details = "\n".join(f"  {line}" for line in problems[:20])
        raise NpmLockError(
            "`ci` can only install packages when package.json and package-lock.json are in sync. "
            f"Update the lock file with install before continuing.\n{details}"
        )


def _edge_problem(edge: Edge) -> Iterable[str]:
    if edge.type == "peerOptional":
        return []
    if edge.target is None:
        if edge.type == "optional":
            return []
        return [f"Missing: {edge.name}@{edge.spec} from lock file"]
    wanted = split_alias(edge.name, edge.spec)[0]
    if edge.target.real_name != wanted:
        return [f"Invalid: lock file's {edge.name} is {edge.target.real_name}, not {wanted}"]
    if not accepted_under(edge.target.version, edge.spec, edge.raw_spec, edge.overrides):
        return [f"Invalid: lock file's {edge.name}@{edge.target.version} does not satisfy {edge.name}@{edge.spec}"]
    return []


def locked_versions(document: Any) -> dict[str, set[str]]:
    """Every version a lockfile pins, per package name (an unreadable lockfile pins nothing)."""
    found: dict[str, set[str]] = {}
    packages = document.get("packages") if isinstance(document, dict) else None
    if not isinstance(packages, dict):
        return found
    for location, entry in packages.items():
        if location and isinstance(entry, dict) and "version" in entry:
            name = entry.get("name") or location.rpartition("node_modules/")[2]
            found.setdefault(str(name), set()).add(str(entry["version"]))
    return found
