"""Build the tree npm would install for a ``package.json``: versions picked, duplicates shared, hoisted.

The order and placement follow npm's arborist: nodes are processed by depth, then folder; a
node's dependencies are resolved by name; a dependency already reachable and acceptable is
shared (deduplicated); a new one is placed as high as it can go, walking up from the dependent's
own ``node_modules`` (from its parent's for a peer, which must be a sibling) until a folder holds
another version of that name, or placing there would change what a package below already uses
to a version it does not accept. ``overrides`` replace the spec of dependencies below the
project by where they are wanted (see ``overrides``); versions the previous lockfile pinned are
kept while they satisfy.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Mapping
from functools import cmp_to_key
from typing import Any

from dotdo.primitives.npmx.errors import NpmResolveError, NpmSpecError
from dotdo.primitives.npmx.overrides import (
    OverrideSet,
    accepted_under,
    more_specific,
    overridden_spec,
    root_overrides,
    sets_conflict,
)
from dotdo.primitives.npmx.platforms import NODE_ARCH, NODE_PLATFORM, platform_ok
from dotdo.primitives.npmx.registry import Registry, integrity_of
from dotdo.primitives.npmx.tree import Edge, Node
from dotdo.primitives.npmx.versions import check_range, compare, is_tag, pick, satisfies, split_alias

OK, KEEP, REPLACE, CONFLICT = "ok", "keep", "replace", "conflict"
"""What placing a package in one folder would do (arborist's CanPlaceDep answers)."""


class Resolver:
    """Builds the ideal tree of a project from its ``package.json``, fetching packuments as it goes."""

    def __init__(self, registry: Registry, *, locked: Mapping[str, set[str]] | None = None) -> None:
        self.registry = registry
        self.locked = locked or {}
        """Versions the previous lockfile had, per name: kept when they still satisfy."""
        self._users: dict[str, list[Edge]] = defaultdict(list)
        self._edges_out: dict[Node, list[Edge]] = {}
        self._queue: list[tuple[int, str, int, Node]] = []
        self._queued = 0
        self._seen: set[Node] = set()
        self._root: Node | None = None

    async def build(self, package_json: dict[str, Any]) -> Node:
        """The tree for ``package_json``; raises ``NpmResolveError`` or ``NpmSpecError`` for what cannot be met."""
        root = Node(str(package_json.get("name") or "root"), str(package_json.get("version") or ""), package_json)
        self._root = root
        root.overrides = root_overrides(package_json)
        self._register(root)
        self._enqueue(root)
        while self._queue:
            _, _, _, node = heapq.heappop(self._queue)
            if node in self._seen or not _attached(node):
                continue
            self._seen.add(node)
            await self._process(node)
        return root

    def _enqueue(self, node: Node) -> None:
        self._queued += 1
        heapq.heappush(self._queue, (node.depth, node.location, self._queued, node))

    async def _process(self, node: Node) -> None:
        """Resolve the node's missing or unmet dependencies, then place each new package, by name."""
        problems = [edge for edge in self._edges_out[node] if not _valid(edge)]
        for edge in problems:  # every packument this node needs, fetched together
            self.registry.packument(split_alias(edge.name, edge.spec)[0])
        chosen = []
        for edge in problems:
            manifest = await self._manifest_for(edge)
            if manifest is not None:
                chosen.append((edge, manifest))
        for edge, manifest in sorted(chosen, key=lambda pair: pair[0].name):
            self._attach(edge)
            if not _valid(edge):
                self._place(edge, manifest)

    def _register(self, node: Node) -> None:
        """Give a node its dependency edges as soon as it is in the tree: what it uses counts from then on."""
        edges = [e for e in node.edges_out() if e.type != "peerOptional"]
        for edge in edges:
            check_range(edge.name, edge.raw_spec)
            self._apply_overrides(edge)
        self._edges_out[node] = edges
        for edge in edges:
            self._attach(edge)
            self._users[edge.name].append(edge)

    def _apply_overrides(self, edge: Edge) -> None:
        """Set the edge's override rule and the spec it makes (a project's own dependency may not change)."""
        source = edge.source
        if source.overrides is None:
            return
        assert self._root is not None
        edge.overrides = source.overrides.edge_rule(edge.name, edge.raw_spec)
        spec = overridden_spec(edge.overrides, edge.name, edge.raw_spec, self._root.manifest)
        edge.spec = check_range(edge.name, spec)
        if source.is_root and edge.spec != edge.raw_spec:
            raise NpmSpecError(
                f"EOVERRIDE: the override of {edge.name} ({edge.spec}) conflicts with the project's own dependency "
                f'{edge.name}@{edge.raw_spec}; make them the same, or write the override as "${edge.name}"'
            )

    def _attach(self, edge: Edge) -> None:
        """Point the edge at the package ``require`` finds for it, which then takes the edge's override rules
        when they are more specific than its own (as arborist's ``updateOverridesEdgeInAdded``)."""
        edge.target = self._lookup(edge)
        if edge.target is not None and edge.overrides is not None:
            self._take_overrides(edge.target, edge.overrides)

    def _take_overrides(self, node: Node, offered: OverrideSet) -> None:
        current = node.overrides
        if current is not None and current.is_equal(offered):
            return
        chosen = offered if current is None else more_specific(current, offered)
        if chosen is None or (current is not None and current.is_equal(chosen)):
            return
        node.overrides = chosen
        edges = self._edges_out.get(node)
        if edges is None:
            return
        for edge in edges:
            self._apply_overrides(edge)
        for edge in edges:
            if edge.target is not None and edge.overrides is not None:
                self._take_overrides(edge.target, edge.overrides)
        if not all(_valid(edge) for edge in edges if edge.type != "optional" or edge.target is not None):
            self._seen.discard(node)
            self._enqueue(node)

    async def _manifest_for(self, edge: Edge) -> dict[str, Any] | None:
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
        return manifest

    def _lookup(self, edge: Edge) -> Node | None:
        return edge.source.resolve(edge.name)

    def _edges_in(self, node: Node) -> list[Edge]:
        return [e for e in self._users.get(node.name, ()) if e.target is node and _attached(e.source)]

    def _retarget(self, name: str) -> None:
        edges = self._users.get(name, [])
        edges[:] = [e for e in edges if _attached(e.source)]
        for edge in edges:
            self._attach(edge)

    def _place(self, edge: Edge, manifest: dict[str, Any]) -> None:
        """Put the chosen version where npm would: as high as it can go from the dependent's folder."""
        version = str(manifest["version"])
        source = edge.source
        start = source.parent if edge.type == "peer" and source.parent is not None else source
        chosen: tuple[Node, str] | None = None
        candidate: Node | None = start
        while candidate is not None:
            own = next((e for e in self._edges_out.get(candidate, ()) if e.name == edge.name), None)
            if not candidate.is_root and own is not None and own.type in ("peer", "peerOptional"):
                candidate = candidate.parent
                continue
            verdict = self._can_place(candidate, edge, version, start)
            if verdict == CONFLICT:
                break
            chosen = (candidate, verdict)
            if verdict == KEEP:
                break
            candidate = candidate.parent
        if chosen is None:
            existing = start.children[edge.name]
            raise NpmResolveError(
                f"ERESOLVE: could not resolve the peer dependency {edge.name}@{edge.spec} of "
                f"{source.name}@{source.version}: {existing.location} is {edge.name}@{existing.version}, which "
                f"other packages need (wanted by {_chain(edge)}); change one of the ranges"
            )
        target, verdict = chosen
        if verdict == KEEP:
            self._retarget(edge.name)
            return
        placed = self._new_node(target, manifest, edge)
        current = target.children.get(edge.name)
        if current is not None:
            for name, kid in current.children.items():
                kid.parent = placed
                placed.children[name] = kid
            current.children = {}
        target.children[edge.name] = placed
        self._retarget(edge.name)
        self._register(placed)
        for edge_in in self._edges_in(placed):
            if edge_in is not edge and not _valid(edge_in):
                self._seen.discard(edge_in.source)
                self._enqueue(edge_in.source)
        self._enqueue(placed)
        self._prune_below(target, placed)

    def _can_place(self, target: Node, edge: Edge, version: str, deepest: Node) -> str:
        current = target.children.get(edge.name)
        if current is None:
            if target is edge.source:
                return OK
            existing = target.resolve(edge.name)
            if existing is not None:
                for edge_in in self._edges_in(existing):
                    inside = edge_in.source is target or _inside(edge_in.source, target)
                    if inside and _valid(edge_in) and not _serves(version, edge_in):
                        return CONFLICT
            return OK
        if current.real_name != split_alias(edge.name, edge.spec)[0]:  # another package under this folder name
            return REPLACE if target is deepest and edge.type != "peer" and target is edge.source else CONFLICT
        if current.version == version:
            return KEEP
        if compare(version, current.version) >= 0 and all(_serves(version, e) for e in self._edges_in(current)):
            return REPLACE
        if _serves(current.version, edge):
            return KEEP
        if target is not deepest:
            return CONFLICT
        if edge.type != "peer" and target is edge.source:
            return REPLACE
        return CONFLICT

    def _new_node(self, target: Node, manifest: dict[str, Any], edge: Edge) -> Node:
        dist = manifest.get("dist") or {}
        return Node(
            edge.name,
            str(manifest["version"]),
            manifest,
            parent=target,
            resolved=dist.get("tarball"),
            integrity=integrity_of(manifest),
            overrides=edge.overrides,
            package_name=_package_name(edge),
        )

    def _prune_below(self, target: Node, placed: Node) -> None:
        """Remove copies below ``target`` that the newly placed package (or another above) now serves."""
        for node in [n for n in target.walk() if n.name == placed.name and n is not placed and n is not target]:
            if not _attached(node):
                continue
            self._prune(node)
            if _attached(node):
                for kid in sorted(node.children.values(), key=lambda n: n.location):
                    self._prune(kid)

    def _prune(self, node: Node) -> None:
        parent = node.parent
        if parent is None or parent.parent is None:
            return
        users = self._edges_in(node)
        if users:
            other = parent.parent.resolve(node.name)
            if other is None or other.real_name != node.real_name:
                return
            if other.version != node.version and not (
                all(_serves(other.version, e) for e in users) and compare(other.version, node.version) >= 0
            ):
                return
        del parent.children[node.name]
        node.parent = None
        for name in {n.name for n in node.walk()}:
            self._retarget(name)

    async def _choose(self, name: str, spec: str) -> dict[str, Any]:
        name, spec = split_alias(name, spec)
        packument = await self.registry.packument(name)
        for version in sorted(self.locked.get(name, ()), key=cmp_to_key(compare), reverse=True):
            if version in packument["versions"] and not is_tag(spec) and satisfies(version, spec):
                return packument["versions"][version]
        return pick(packument, spec)


def _valid(edge: Edge) -> bool:
    """Whether the edge's package serves it: the version fits, and the rules it was reached through agree."""
    target = edge.target
    if target is None or target.real_name != split_alias(edge.name, edge.spec)[0] or not _serves(target.version, edge):
        return False
    if edge.overrides is None or target.overrides is None or not _has_dependencies(target):
        return True
    return not sets_conflict(edge.overrides, target.overrides)


def _package_name(edge: Edge) -> str | None:
    """The package an aliased edge installs (None when it installs the package it names)."""
    real, _ = split_alias(edge.name, edge.spec)
    return real if real != edge.name else None


def _serves(version: str, edge: Edge) -> bool:
    return accepted_under(version, edge.spec, edge.raw_spec, edge.overrides)


def _has_dependencies(node: Node) -> bool:
    manifest = node.manifest
    return any(manifest.get(group) for group in ("dependencies", "optionalDependencies", "peerDependencies"))


def _attached(node: Node) -> bool:
    """Whether ``node`` is still in the tree (no ancestor of it was removed or replaced)."""
    while node.parent is not None:
        if node.parent.children.get(node.name) is not node:
            return False
        node = node.parent
    return True


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
