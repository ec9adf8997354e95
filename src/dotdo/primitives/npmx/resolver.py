"""Build the tree npm would install for a ``package.json``: versions picked, duplicates shared, hoisted.

The order and placement follow npm's arborist: nodes are processed by depth, then folder; a
node's dependencies are resolved by name; a dependency already reachable and acceptable is
shared (deduplicated); a new one is placed as high as it can go, walking up from the dependent's
own ``node_modules`` (from its parent's for a peer, which must be a sibling) until a folder holds
another version of that name, or placing there would change what a package below already uses
to a version it does not accept. ``overrides`` replace the spec of a name's dependencies
everywhere below the project; versions the previous lockfile pinned are kept while they satisfy.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Mapping
from functools import cmp_to_key
from typing import Any

from dotdo.primitives.npmx.errors import NpmResolveError, NpmSpecError
from dotdo.primitives.npmx.platforms import NODE_ARCH, NODE_PLATFORM, platform_ok
from dotdo.primitives.npmx.registry import Registry, integrity_of
from dotdo.primitives.npmx.tree import Edge, Node
from dotdo.primitives.npmx.versions import check_range, compare, is_tag, pick, satisfies


class Resolver:
    """Builds the ideal tree of a project from its ``package.json``, fetching packuments as it goes."""

    def __init__(self, registry: Registry, *, locked: Mapping[str, set[str]] | None = None) -> None:
        self.registry = registry
        self.locked = locked or {}
        """Versions the previous lockfile had, per name: kept when they still satisfy."""
        self._edges: dict[Node, list[Edge]] = {}
        self._users: dict[str, list[Edge]] = defaultdict(list)

    async def build(self, package_json: dict[str, Any]) -> Node:
        """The tree for ``package_json``; raises ``NpmResolveError`` or ``NpmSpecError`` for what cannot be met."""
        root = Node(str(package_json.get("name") or "root"), str(package_json.get("version") or ""), package_json)
        overrides = flat_overrides(package_json.get("overrides") or {}, package_json)
        queue: list[tuple[int, str, int, Node]] = [(0, "", 0, root)]
        counter = 0
        while queue:
            _, _, _, node = heapq.heappop(queue)
            edges = self._edges[node] = [e for e in node.edges_out() if e.type != "peerOptional"]
            for edge in edges:
                if node is not root and edge.name in overrides:
                    edge.spec = overrides[edge.name]
                check_range(edge.name, edge.spec)
            missing = [edge for edge in edges if not self._satisfied(edge)]
            for edge in missing:  # every packument this node needs, fetched together
                self.registry.packument(edge.name)
            for edge in edges:
                placed = await self._place(edge) if edge in missing else None
                edge.target = self._lookup(edge)
                if edge.target is not None:
                    self._users[edge.name].append(edge)
                if placed is not None:
                    counter += 1
                    heapq.heappush(queue, (placed.depth, placed.location, counter, placed))
        return root

    def _lookup(self, edge: Edge) -> Node | None:
        source = edge.source
        start = source.parent if edge.type in ("peer", "peerOptional") and source.parent is not None else source
        return start.resolve(edge.name)

    def _satisfied(self, edge: Edge) -> bool:
        found = self._lookup(edge)
        return found is not None and accepts(found.version, edge.spec)

    async def _place(self, edge: Edge) -> Node | None:
        """Resolve ``edge`` and put the new package in its folder; None when it is shared or skipped."""
        if self._satisfied(edge):
            return None
        try:
            manifest = await self._choose(edge.name, edge.spec)
        except NpmResolveError as exc:
            if edge.type == "optional":
                return None
            raise NpmResolveError(f"{exc} (wanted by {_chain(edge)})") from None
        if not platform_ok(manifest) and edge.type != "optional":
            raise NpmResolveError(
                f"{edge.name}@{manifest.get('version')} does not support this platform "
                f"({NODE_PLATFORM} {NODE_ARCH}): it needs os {manifest.get('os')}, cpu {manifest.get('cpu')}"
            )
        version = str(manifest["version"])
        source = edge.source
        start = source.parent if edge.type == "peer" and source.parent is not None else source
        target = start
        candidate: Node | None = start
        while candidate is not None:
            existing = candidate.children.get(edge.name)
            if existing is not None:
                if existing.version == version and candidate is not start:
                    target = candidate
                break
            if self._would_break(candidate, edge.name, version):
                break
            target = candidate
            candidate = candidate.parent
        existing = target.children.get(edge.name)
        if existing is not None:
            return None if existing.version == version else self._attach(start, manifest, edge)
        return self._attach(target, manifest, edge)

    def _attach(self, target: Node, manifest: dict[str, Any], edge: Edge) -> Node:
        dist = manifest.get("dist") or {}
        child = Node(
            edge.name,
            str(manifest["version"]),
            manifest,
            parent=target,
            resolved=dist.get("tarball"),
            integrity=integrity_of(manifest),
        )
        target.children[edge.name] = child
        return child

    def _would_break(self, target: Node, name: str, version: str) -> bool:
        """Whether a new ``name@version`` in ``target`` would change what a package below it already uses."""
        for edge in self._users.get(name, ()):
            current = edge.target
            if current is None or _inside(current, target):
                continue
            if not (edge.source is target or _inside(edge.source, target)):
                continue
            if not accepts(version, edge.spec):
                return True
        return False

    async def _choose(self, name: str, spec: str) -> dict[str, Any]:
        packument = await self.registry.packument(name)
        for version in sorted(self.locked.get(name, ()), key=cmp_to_key(compare), reverse=True):
            if version in packument["versions"] and not is_tag(spec) and satisfies(version, spec):
                return packument["versions"][version]
        return pick(packument, spec)


def accepts(version: str, spec: str) -> bool:
    """Whether an installed ``version`` meets ``spec`` (a dist-tag is met by whatever is installed, as in npm)."""
    if spec in ("", "*", "latest") or is_tag(spec):
        return True
    return satisfies(version, spec)


def _inside(node: Node, folder: Node) -> bool:
    """Whether ``node`` lies in ``folder``'s own ``node_modules`` or below it."""
    current = node.parent
    while current is not None:
        if current is folder:
            return True
        current = current.parent
    return False


def _chain(edge: Edge) -> str:
    names = [f"{edge.name}@{edge.spec}"]
    node: Node | None = edge.source
    while node is not None and node.parent is not None:
        names.append(f"{node.name}@{node.version}")
        node = node.parent
    return " <- ".join([*names, "the project"])


def flat_overrides(overrides: Mapping[str, Any], package_json: Mapping[str, Any]) -> dict[str, str]:
    """``overrides`` that replace a name's spec everywhere (``{"foo": "1.0.0"}``; ``"$foo"`` is the root's spec)."""
    if not isinstance(overrides, Mapping):
        raise NpmSpecError(f"package.json overrides must be an object, not {overrides!r}")
    flat: dict[str, str] = {}
    root_deps = {**(package_json.get("devDependencies") or {}), **(package_json.get("dependencies") or {})}
    for key, value in overrides.items():
        if not isinstance(value, str):
            raise NotImplementedError(
                f"overrides.{key}: nested overrides (per-parent objects) are not supported yet; "
                'give the name a version string, as in {"overrides": {"foo": "1.0.0"}}'
            )
        name = key.rsplit("@", 1)[0] if key.rfind("@") > 0 else key
        if value.startswith("$"):
            referenced = value[1:]
            if referenced not in root_deps:
                raise NpmSpecError(f"overrides.{key} refers to ${referenced}, which is not a dependency of the project")
            value = str(root_deps[referenced])
        flat[name] = check_range(name, value)
    return flat
