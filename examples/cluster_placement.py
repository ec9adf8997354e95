"""Placement hints on a local Ray instance (pip install "dotdo[cluster]").

    python examples/cluster_placement.py

A hint keeps objects on the hosts whose Ray node carries a label: a custom resource such as
`region:eu-west` (`ray start --resources '{"region:eu-west": 1}'` on a real cluster; here the local
node gets it with `resources=`) or a Ray node label written `key:value`. Give it on a class
(`placement = "region:eu-west"`) or on one object (`await cluster.place(Counter, "acme", ...)`). A hint
no live host carries is refused with an error that lists the hosts and their labels.
"""

import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from app import Counter

from dotdo.cluster import Cluster
from dotdo.cluster.placement import PlacementError


class EuCounter(Counter):
    """Counters that must stay in the EU."""

    placement = "region:eu-west"


class MarsCounter(Counter):
    """Counters for a region no node is in."""

    placement = "region:mars"


async def main() -> None:
    # Hosts import classes by module and name: use this file's classes as the module `cluster_placement`.
    from cluster_placement import EuCounter, MarsCounter

    with tempfile.TemporaryDirectory(prefix="dotdo-placement-example-") as data:
        async with Cluster(hosts=2, data_dir=data, objects=[Counter, EuCounter], resources={"region:eu-west": 1}) as rt:
            for host_id, info in sorted(rt.view.hosts.items()):
                print(f"{host_id}: labels {', '.join(sorted(info.labels))}")
            print(f"paris: {await rt.get(EuCounter, 'paris').increment(3)}  (on {rt.owner(EuCounter, 'paris')})")
            await rt.place(Counter, "acme", "region:eu-west")
            print(f"acme: {await rt.get(Counter, 'acme').increment()}  (kept on region:eu-west hosts)")
            try:
                await rt.get(MarsCounter, "olympus").increment()
            except PlacementError as exc:
                print(f"refused: {exc}")


if __name__ == "__main__":
    asyncio.run(main())
