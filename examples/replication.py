"""Every commit shipped to object storage: replicated writes, point-in-time restore, read replicas.

    python examples/replication.py

The runtime ships each object's commits to a change log (here a folder; `s3://bucket/prefix` with
`replicate_options={"endpoint": ...}` for S3). With durability="replicated" a call returns only
once its write is in the log, so another data folder with nothing but the log rebuilds the object.
A bookmark names an instant; restoring it happens at the object's next activation. Read replicas
in other regions follow the log; a bookmark lets a reader see its own writes on any of them.
"""

import asyncio
import tempfile
import time
from pathlib import Path

from dotdo import DO, Runtime, normalize_location
from dotdo.cluster.replicas import replicate


class Account(DO):
    async def deposit(self, amount: int) -> str:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS moves (id INTEGER PRIMARY KEY, amount INTEGER)")
        self.storage.sql.exec("INSERT INTO moves (amount) VALUES (?)", amount)
        return await self.storage.get_current_bookmark()

    async def balance(self) -> int:
        return self.storage.sql.exec("SELECT coalesce(sum(amount), 0) AS s FROM moves").one()["s"]

    async def undo_to(self, when: float) -> str:
        bookmark = await self.storage.get_bookmark_for_time(when)
        return await self.storage.on_next_session_restore_bookmark(bookmark)


async def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="dotdo-replication-"))
    log = folder / "log"
    async with Runtime(folder / "host-a", objects=[Account], durability="replicated", replicate_to=log) as rt:
        alice = rt.get(Account, "alice")
        await alice.deposit(100)
        before_mistake = time.time()
        await alice.deposit(-90)
        print("balance:", await alice.balance())
        print("undo bookmark:", await alice.undo_to(before_mistake))

        replicas = await replicate(
            rt, Account, primary="us-east", secondaries=["eu-west", "Tokyo"], read_preference="nearest"
        )
        bookmark = await replicas.call("bob", "deposit", 5)
        rows = await replicas.read("bob", "SELECT sum(amount) FROM moves", near="London", bookmark=bookmark)
        print("bob read in", normalize_location("London").region, "after his write:", rows[0][0])
        london = replicas.replica("bob", "London").lag()
        print(f"London replica: commit {london.applied_commit} of {london.head_commit}")
        await replicas.close()

    # Another data folder, nothing shared but the log: the restore happens at activation there.
    async with Runtime(folder / "host-b", objects=[Account], replicate_to=log) as rt:
        print("restored on another host:", await rt.get(Account, "alice").balance())


asyncio.run(main())
