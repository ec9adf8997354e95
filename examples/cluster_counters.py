"""Counters spread over two host processes on a local Ray instance (pip install "dotdo[cluster]").

    python examples/cluster_counters.py

The same objects as under `dotdo dev`, on more than one process: each counter lives on the host
that rendezvous hashing gives it, calls travel over a persistent connection to that host, and every
host writes into one shared data folder. To serve an app this way over HTTP instead:

    cd examples && dotdo serve app:app --port 8787 --workers 2
    curl -X POST localhost:8787/acme          # answered by the host that owns "acme"
    curl localhost:8787/_dotdo/ready          # 200 once the host that answers is ready
    websocat ws://localhost:8787/acme/ws      # relayed to the owner of "acme" by whichever host takes it;
                                              # closed with 1012 if that host dies: reconnect
"""

import asyncio
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from app import Counter  # the hosts import it by module name, as this process does

from dotdo.cluster import Cluster


async def main() -> None:
    with tempfile.TemporaryDirectory(prefix="dotdo-cluster-example-") as data:
        async with Cluster(hosts=2, data_dir=data, objects=[Counter]) as cluster:
            hosts = cluster.host_pids()
            print(f"{len(hosts)} hosts: " + ", ".join(f"{h} (pid {pid})" for h, pid in sorted(hosts.items())))
            for name in ("acme", "globex", "hooli", "stark", "wayne"):
                value = await cluster.get(Counter, name).increment(2)
                print(f"{name:>9}: {value}  (on {cluster.owner(Counter, name)})")
            pid = await cluster.run_in(Counter, "hooli", lambda counter: os.getpid())
            print(f"hooli runs in pid {pid}")


if __name__ == "__main__":
    asyncio.run(main())
