"""Ray node records to host plans: labels from custom resources and node labels, hosts per node."""

import pytest

from dotdo.cluster.nodes import node_labels, plan_hosts


def _node(node_id: str, alive: bool = True, **resources: float) -> dict[str, object]:
    base = {"CPU": 2.0, "memory": 1e9, "object_store_memory": 1e8, f"node:127.0.0.{node_id[-1]}": 1.0}
    return {
        "NodeID": node_id,
        "Alive": alive,
        "NodeManagerAddress": f"127.0.0.{node_id[-1]}",
        "Resources": {**base, **resources},
        "Labels": {"ray.io/node-id": node_id, "zone": "b"},
    }


def test_labels_are_custom_resources_and_node_labels_not_rays_own_resources() -> None:
    node = _node("n1", **{"region:eu-west": 1.0, "accelerator_type:A100": 1.0, "GPU": 1.0})
    assert node_labels(node) == {"region:eu-west", "zone:b"}


def test_one_host_per_live_node_unless_the_node_says_otherwise() -> None:
    plans = plan_hosts(
        [_node("n1"), _node("n2", dotdo_hosts=3.0), _node("n3", alive=False), _node("n4", dotdo_hosts=0)]
    )
    assert [(plan.node_id, plan.hosts) for plan in plans] == [("n1", 1), ("n2", 3), ("n4", 0)]


def test_a_fractional_host_count_is_refused() -> None:
    with pytest.raises(ValueError, match=r"dotdo_hosts=1\.5: it must be a whole number"):
        plan_hosts([_node("n1", dotdo_hosts=1.5)])
