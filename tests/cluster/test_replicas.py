"""Read replicas fed by the change log: reads by preference, read-your-writes, lag, refusal of writes, promotion."""

from __future__ import annotations

from pathlib import Path

import pytest

from dotdo import DO, Runtime, UnknownLocationError
from dotdo.cluster.cluster import Cluster
from dotdo.cluster.replicas import ReplicaWriteError, replicate
from dotdo.runtime.errors import StorageError
from dotdo.runtime.object_log import StaleOwnerError

TOTAL = "SELECT coalesce(sum(amount), 0) FROM entries"


class Ledger(DO):
    async def add(self, amount: int) -> str:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS entries (id INTEGER PRIMARY KEY, amount INTEGER)")
        self.storage.sql.exec("INSERT INTO entries (amount) VALUES (?)", amount)
        return await self.storage.get_current_bookmark()


async def test_reads_follow_the_preference_and_a_bookmark_reads_your_writes(tmp_path: Path) -> None:
    async with Runtime(tmp_path / "primary", objects=[Ledger], durability="replicated") as rt:
        replicas = await replicate(
            rt, Ledger, primary="us-east", secondaries=["eu-west", "Tokyo"], read_preference="nearest"
        )
        try:
            first = await replicas.call("acme", "add", 5)
            # The London replica has never caught up: the bookmark makes it catch up before reading.
            assert await replicas.read("acme", TOTAL, near="London", bookmark=first) == [(5,)]
            london = replicas.replica("acme", "eu-west")
            assert (london.applied, london.lag().commits_behind) == (london.head, 0)

            await replicas.call("acme", "add", 7)
            # Eventual consistency without a bookmark: the replica answers from where it is.
            assert await replicas.read("acme", TOTAL, near="London") == [(5,)]
            assert await replicas.read("acme", TOTAL, near="New York") == [(12,)]  # the primary's region
            await london.catch_up()
            assert await replicas.read("acme", TOTAL, near="lhr") == [(12,)]
            lag = london.lag()
            assert lag.commits_behind == 0
            assert 0 <= lag.p50 <= lag.p99
        finally:
            await replicas.close()


async def test_bounded_consistency_reads_a_replica_only_within_max_lag(tmp_path: Path) -> None:
    async with Runtime(tmp_path / "primary", objects=[Ledger], durability="replicated") as rt:
        lenient = await replicate(
            rt,
            Ledger,
            primary="us-east",
            secondaries=["eu-west"],
            consistency="bounded",
            max_lag=3600,
            read_preference="nearest",
        )
        strict = await replicate(
            rt,
            Ledger,
            primary="us-east",
            secondaries=["eu-west"],
            consistency="bounded",
            max_lag=0,
            folder=tmp_path / "strict",
        )
        try:
            await lenient.call("acme", "add", 1)
            await lenient.replica("acme", "eu-west").catch_up()
            await strict.replica("acme", "eu-west").catch_up()
            await lenient.call("acme", "add", 2)  # both replicas are now one commit behind
            assert lenient.staleness("acme", "eu-west") > 0
            assert await lenient.read("acme", TOTAL, near="London") == [(1,)]  # within an hour: the replica
            assert await strict.read("acme", TOTAL, near="London") == [(3,)]  # any lag: the primary
        finally:
            await lenient.close()
            await strict.close()


async def test_a_replica_refuses_writes(tmp_path: Path) -> None:
    async with Runtime(tmp_path / "primary", objects=[Ledger], durability="replicated") as rt:
        replicas = await replicate(rt, Ledger, primary="iad", secondaries=["fra"], forward_writes=False)
        try:
            await replicas.call("acme", "add", 1)
            replica = replicas.replica("acme", "Frankfurt")
            await replica.catch_up()
            with pytest.raises(ReplicaWriteError, match="read-only"):
                replica.query("INSERT INTO entries (amount) VALUES (2)")
            with pytest.raises(ReplicaWriteError, match="send writes to the primary"):
                await replicas.call("acme", "add", 2, at="fra")
            assert replica.query(TOTAL) == [(1,)]
        finally:
            await replicas.close()
        with pytest.raises(UnknownLocationError, match="did you mean 'Tokyo'"):
            await replicate(rt, Ledger, primary="us-east", secondaries=["Tokio"])
        with pytest.raises(ValueError, match="read_preference must be one of"):
            await replicate(rt, Ledger, primary="us-east", secondaries=["eu-west"], read_preference="closest")
        with pytest.raises(ValueError, match="needs max_lag"):
            await replicate(rt, Ledger, primary="us-east", secondaries=["eu-west"], consistency="bounded")
        with pytest.raises(StorageError, match="start the cluster with replicate_to="):
            await replicate(Cluster(hosts=1), Ledger, primary="us-east", secondaries=["eu-west"])
        with pytest.raises(TypeError, match="takes a Runtime or a Cluster"):
            await replicate(object(), Ledger, primary="us-east", secondaries=["eu-west"])  # type: ignore[arg-type]


async def test_the_most_up_to_date_replica_is_promoted_when_the_primary_is_lost(tmp_path: Path) -> None:
    lost = Runtime(tmp_path / "primary", objects=[Ledger], durability="replicated")
    await lost.start()
    replicas = await replicate(lost, Ledger, primary="us-east", secondaries=["eu-west", "sin"])
    try:
        for amount in (1, 2, 3):
            await replicas.call("acme", "add", amount)
        promoted = await replicas.promote("acme")
        try:
            assert replicas.primary.region in ("eu-west", "asia-pacific")
            await replicas.call("acme", "add", 4)  # every acknowledged write is there, and writes go on
            assert await replicas.read("acme", TOTAL) == [(10,)]
            # The old primary is fenced: its next upload is refused.
            with pytest.raises(StaleOwnerError):
                await lost.call(Ledger, "acme", "add", 100)
            follower = replicas.replica("acme", replicas.secondaries[0])
            await follower.catch_up()
            assert follower.query(TOTAL) == [(10,)]
        finally:
            await promoted.close()
    finally:
        await replicas.close()
        await lost.close()
