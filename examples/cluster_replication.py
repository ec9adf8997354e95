"""A cluster whose hosts share no folder: commits go to object storage (pip install "dotdo[cluster]").

    python examples/cluster_replication.py

`Cluster(durability="replicated", replicate_to=...)` gives each host its own data folder and ships
every commit to the store (a folder here; `s3://bucket/prefix` with `replicate_options=` on a real
cluster) before the result is released. A host is killed and its folder deleted: its objects are
rebuilt by the others from the store alone, with every acknowledged write. Then a read replica in
London answers a read that carries the bookmark of a write, so it sees that write. On a real cluster
each place is a Ray node started with its labels (`ray start --resources '{"colo:lhr": 1}'`); here
the one local node carries both places.
"""

import asyncio
import os
import shutil
import signal
import tempfile
from pathlib import Path

from dotdo import DO
from dotdo.cluster import Cluster
from dotdo.cluster.replicas import replicate


class Account(DO):
    async def deposit(self, amount: int) -> str:
        """Add a move; the bookmark of its commit."""
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS moves (id INTEGER PRIMARY KEY, amount INTEGER)")
        self.storage.sql.exec("INSERT INTO moves (amount) VALUES (?)", amount)
        return await self.storage.get_current_bookmark()

    def balance(self) -> int:
        return self.storage.sql.exec("SELECT coalesce(sum(amount), 0) AS s FROM moves").one()["s"]


async def main() -> None:
    # Hosts import classes by module and name: use this file's class as the module `cluster_replication`.
    from cluster_replication import Account

    with tempfile.TemporaryDirectory(prefix="dotdo-replication-example-") as scratch:
        data, store = Path(scratch) / "data", Path(scratch) / "store"
        places = {"region:us-east": 1, "colo:lhr": 1}
        async with Cluster(
            hosts=2, data_dir=data, objects=[Account], durability="replicated", replicate_to=store, resources=places
        ) as rt:
            names = [f"account-{i}" for i in range(20)]
            for name in names:
                await rt.get(Account, name).deposit(10)
            victim = "host-1"
            moved = [name for name in names if rt.owner(Account, name) == victim]
            os.kill(rt.host_pids()[victim], signal.SIGKILL)
            shutil.rmtree(data / "hosts" / victim)  # its disk is gone with it
            await rt.wait_for_hosts(1, timeout=30)
            balances = [await rt.get(Account, name).balance() for name in moved]
            print(f"{victim} killed; its {len(moved)} accounts rebuilt on host-0 from the store: {balances}")

            replicas = await replicate(
                rt, Account, primary="us-east", secondaries=["London"], read_preference="nearest"
            )
            bookmark = await replicas.call("alice", "deposit", 100)
            rows = await replicas.read("alice", "SELECT sum(amount) FROM moves", near="London", bookmark=bookmark)
            print(f"read in London with the write's bookmark: {rows[0][0]}")


if __name__ == "__main__":
    asyncio.run(main())
