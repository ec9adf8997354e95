"""The package tree npm lays out in ``node_modules``: nodes, their folders, and edges between them.

A node is a package at one folder (``node_modules/a/node_modules/b``); its ``children`` are the
packages in its own ``node_modules``. A dependency resolves the way Node's ``require`` finds it:
the nearest ``node_modules`` holding that name, from the dependent's folder up to the root.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from dotdo.primitives.npmx.platforms import platform_ok

if TYPE_CHECKING:
    from dotdo.primitives.npmx.overrides import OverrideSet

EdgeType = Literal["prod", "dev", "optional", "peer", "peerOptional"]


@dataclass(eq=False)
class Edge:
    """A dependency of ``source`` on ``name`` within ``spec`` (a range or a dist-tag)."""

    source: Node
    name: str
    spec: str
    type: EdgeType
    target: Node | None = None
    raw_spec: str = ""
    """The spec the package itself declares (``spec`` is what ``overrides`` made of it)."""
    overrides: OverrideSet | None = None
    """The override rules the dependency goes on with (the matching entry, or its source's set)."""

    def __post_init__(self) -> None:
        self.raw_spec = self.raw_spec or self.spec


@dataclass(eq=False)
class Node:
    """A package at one place in the tree (the root is the project itself)."""

    name: str
    version: str
    manifest: dict[str, Any]
    parent: Node | None = None
    children: dict[str, Node] = field(default_factory=dict)
    resolved: str | None = None
    integrity: str | None = None
    dev: bool = False
    optional: bool = False
    dev_optional: bool = False
    peer: bool = False
    package_json: dict[str, Any] | None = None
    """The package's own ``package.json`` (read from its tarball), for the lockfile's metadata."""
    overrides: OverrideSet | None = None
    """The override rules in force for its dependencies (None when the project has no ``overrides``)."""
    package_name: str | None = None
    """The package installed here when it is not ``name`` (an alias: folder ``foo`` holding ``bar``)."""

    @property
    def real_name(self) -> str:
        """The name of the package in this folder (its registry name, whatever the folder is called)."""
        return self.package_name or self.name

    @property
    def for_this_platform(self) -> bool:
        """Whether its ``os`` and ``cpu`` allow this machine (npm locks optional packages for others, unpacked)."""
        return platform_ok(self.manifest)

    @property
    def is_root(self) -> bool:
        """Whether this node is the project."""
        return self.parent is None

    @property
    def location(self) -> str:
        """Its folder relative to the project: ``""`` for the root, ``node_modules/a/node_modules/b`` below."""
        if self.parent is None:
            return ""
        base = self.parent.location
        return f"{base}/node_modules/{self.name}" if base else f"node_modules/{self.name}"

    @property
    def depth(self) -> int:
        """How many ``node_modules`` folders deep it lies (the root is 0)."""
        return 0 if self.parent is None else self.parent.depth + 1

    def resolve(self, name: str) -> Node | None:
        """The node ``require(name)`` finds from this node's folder, or None."""
        node: Node | None = self
        while node is not None:
            child = node.children.get(name)
            if child is not None:
                return child
            node = node.parent
        return None

    def edges_out(self) -> list[Edge]:
        """This node's dependencies by name (optional ones replace a same-named regular one), sorted."""
        manifest = self.manifest
        edges: dict[str, Edge] = {}
        for name, spec in (manifest.get("dependencies") or {}).items():
            edges[name] = Edge(self, name, str(spec), "prod")
        if self.is_root:
            for name, spec in (manifest.get("devDependencies") or {}).items():
                edges.setdefault(name, Edge(self, name, str(spec), "dev"))
        for name, spec in (manifest.get("optionalDependencies") or {}).items():
            edges[name] = Edge(self, name, str(spec), "optional")
        meta = manifest.get("peerDependenciesMeta") or {}
        for name, spec in (manifest.get("peerDependencies") or {}).items():
            if name in edges and not self.is_root:
                continue
            optional = bool((meta.get(name) or {}).get("optional"))
            edges[name] = Edge(self, name, str(spec), "peerOptional" if optional else "peer")
        return [edges[name] for name in sorted(edges)]

    def walk(self) -> list[Node]:
        """This node and every node below it, parents before children, children by name."""
        found: list[Node] = [self]
        for name in sorted(self.children):
            found.extend(self.children[name].walk())
        return found

    def bins(self) -> dict[str, str]:
        """Its ``bin`` entries normalized as npm does: command name -> path inside the package."""
        return normalize_bin(self.real_name, (self.package_json or self.manifest).get("bin"))


def normalize_bin(name: str, bin_field: Any) -> dict[str, str]:
    """``"bin": "cli.js"`` -> ``{"<name>": "cli.js"}``; paths lose a leading ``./``; unsafe names are dropped."""
    if isinstance(bin_field, str):
        bin_field = {name.split("/")[-1]: bin_field}
    if not isinstance(bin_field, dict):
        return {}
    clean: dict[str, str] = {}
    for command, target in bin_field.items():
        if not isinstance(command, str) or not isinstance(target, str):
            continue
        command = command.split("/")[-1]
        parts = [p for p in target.replace("\\", "/").split("/") if p not in ("", ".")]
        if not command or command in (".", "..") or ".." in parts or not parts:
            continue
        clean[command] = "/".join(parts)
    return clean
