"""npm's dependency flags: which packages only development, optional or peer dependencies need.

A package is ``dev`` when every path to it from the project passes a ``devDependencies`` edge,
``optional`` when every path passes an optional one, ``devOptional`` when every path passes one or
the other (but neither flag alone holds), and ``peer`` when every path passes a peer edge. These
are what ``npm ci --omit=dev`` and the lockfile's ``dev``/``optional``/``peer`` keys mean.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from dotdo.primitives.npmx.tree import Edge, Node


def calculate_flags(root: Node, edges: Callable[[Node], Iterable[Edge]]) -> None:
    """Set ``dev``, ``optional``, ``dev_optional`` and ``peer`` on every node below ``root``."""
    without_dev = _reachable(root, edges, {"dev"})
    without_optional = _reachable(root, edges, {"optional"})
    without_either = _reachable(root, edges, {"dev", "optional"})
    without_peer = _reachable(root, edges, {"peer"})
    for node in root.walk()[1:]:
        node.dev = node not in without_dev
        node.optional = node not in without_optional
        node.dev_optional = node not in without_either and not node.dev and not node.optional
        node.peer = node not in without_peer


def _reachable(root: Node, edges: Callable[[Node], Iterable[Edge]], avoid: set[str]) -> set[Node]:
    seen: set[Node] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        for edge in edges(node):
            if edge.type in avoid or (edge.type == "peerOptional" and "peer" in avoid):
                continue
            target = edge.target
            if target is not None and target not in seen:
                seen.add(target)
                stack.append(target)
    return seen
