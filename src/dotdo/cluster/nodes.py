"""Ray nodes as the cluster sees them: the labels a node gives its hosts, and how many hosts it runs.

A node's labels are its custom resources (`ray start --resources '{"region:eu-west": 1}'`) and its
Ray node labels written `key:value` (`ray start --labels region=eu-west`); placement hints match
them. With one host per node (`Cluster(hosts=None)`, `dotdo serve --ray`), a node runs
`dotdo_hosts` hosts when it has that custom resource (`0`: none, for a node that only drives),
else one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

HOSTS_RESOURCE = "dotdo_hosts"
_RAY_RESOURCES = {"CPU", "GPU", "memory", "object_store_memory", HOSTS_RESOURCE}
_RAY_RESOURCE_PREFIXES = ("node:", "accelerator_type:")


@dataclass(frozen=True)
class NodePlan:
    """The hosts to start on one Ray node."""

    node_id: str
    address: str
    hosts: int
    labels: frozenset[str]


def node_labels(node: Mapping[str, Any]) -> frozenset[str]:
    """The labels of a node record from `ray.nodes()`: custom resources, and node labels as `key:value`
    (but not Ray's own, `ray.io/...`)."""
    resources = node.get("Resources") or {}
    labels = {name for name in resources if name not in _RAY_RESOURCES and not name.startswith(_RAY_RESOURCE_PREFIXES)}
    for key, value in (node.get("Labels") or {}).items():
        # Ray's own labels (ray.io/node-id, ...) name nodes, not places.
        if not key.startswith("ray.io/"):
            labels.add(f"{key}:{value}")
    return frozenset(labels)


def plan_hosts(nodes: Iterable[Mapping[str, Any]]) -> list[NodePlan]:
    """One plan per live node, in a stable order (by address, then node id)."""
    plans = []
    for node in nodes:
        if not node.get("Alive"):
            continue
        count = (node.get("Resources") or {}).get(HOSTS_RESOURCE, 1)
        if count != int(count) or count < 0:
            raise ValueError(
                f"Node {node.get('NodeManagerAddress')} has {HOSTS_RESOURCE}={count}: it must be a whole number "
                "of hosts (0 for none)"
            )
        plans.append(
            NodePlan(str(node["NodeID"]), str(node.get("NodeManagerAddress", "")), int(count), node_labels(node))
        )
    plans.sort(key=lambda plan: (plan.address, plan.node_id))
    return plans
