"""The replicas a cluster host keeps: reads by bookmark, bounded staleness, lag, and bad requests."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from dotdo import DO, Runtime, UnknownLocationError
from dotdo.cluster.replica import ReplicaWriteError
from dotdo.cluster.replica_keeper import ReplicaKeeper
from dotdo.runtime.log_format import Commit

TOTAL = "SELECT coalesce(sum(amount), 0) FROM entries"


class Ledger(DO):
    async def add(self, amount: int) -> str:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS entries (id INTEGER PRIMARY KEY, amount INTEGER)")
        self.storage.sql.exec("INSERT INTO entries (amount) VALUES (?)", amount)
        return await self.storage.get_current_bookmark()


async def test_a_host_answers_reads_from_the_replica_it_keeps(tmp_path: Path) -> None:
    async with Runtime(tmp_path / "primary", objects=[Ledger], durability="replicated") as rt:
        assert rt.change_log is not None
        keeper = ReplicaKeeper(rt.change_log.store, tmp_path / "host" / "replicas", poll_interval=3600)
        try:
            bookmark = await rt.call(Ledger, "acme", "add", 5)
            read = ("Ledger", "acme", "London", (TOTAL, (), bookmark, None))
            assert await keeper.answer("read", *read) == [(5,)]
            await rt.call(Ledger, "acme", "add", 7)
            # Eventual: the replica answers from where it is (its follower waits an hour here).
            assert await keeper.answer("read", "Ledger", "acme", "lhr", (TOTAL, (), None, None)) == [(5,)]
            # Bounded by 0 s: it reads its log first.
            assert await keeper.answer("read", "Ledger", "acme", "lhr", (TOTAL, (), None, 0.0)) == [(12,)]
            lag = await keeper.answer("lag", "Ledger", "acme", "lhr", ())
            assert (lag.location.colo, lag.commits_behind) == ("lhr", 0)
            assert (tmp_path / "host" / "replicas" / "lhr" / "Ledger").is_dir()
            assert [replica.location.colo for replica in keeper.replicas()] == ["lhr"]  # London is lhr

            with pytest.raises(ReplicaWriteError, match="read-only"):
                await keeper.answer("read", "Ledger", "acme", "lhr", ("DELETE FROM entries", (), None, None))
            with pytest.raises(ValueError, match="unknown replica operation 'write'"):
                await keeper.answer("write", "Ledger", "acme", "lhr", ())
            with pytest.raises(UnknownLocationError, match="did you mean 'Tokyo'"):
                await keeper.answer("lag", "Ledger", "acme", "Tokio", ())
        finally:
            await keeper.close()


async def test_a_replica_reads_its_log_as_soon_as_the_owner_says_commits_are_uploaded(tmp_path: Path) -> None:
    followed: list[tuple[str, str]] = []

    async def follow(namespace: str, name: str) -> None:
        followed.append((namespace, name))

    async with Runtime(tmp_path / "primary", objects=[Ledger], durability="replicated") as rt:
        assert rt.change_log is not None
        uploads: list[tuple[str, int]] = []
        rt.change_log.upload_listeners.append(lambda key, commit, _commits: uploads.append((key, commit)))
        keeper = ReplicaKeeper(rt.change_log.store, tmp_path / "host", poll_interval=3600, follow=follow)
        try:
            bookmark = await rt.call(Ledger, "acme", "add", 5)
            assert await keeper.answer("read", "Ledger", "acme", "lhr", (TOTAL, (), bookmark, None)) == [(5,)]
            replica = keeper.replicas()[0]
            await rt.call(Ledger, "acme", "add", 7)  # acknowledged once uploaded: the listener was told
            key, commit = uploads[-1]
            assert key == replica.key and commit > replica.applied
            keeper.wake(key, commit)  # what the owning host's notice does; no poll comes within the hour
            async with asyncio.timeout(10):
                while replica.applied < commit:
                    await asyncio.sleep(0.01)
            assert replica.query(TOTAL) == [(12,)]
            assert followed[0] == ("Ledger", "acme")  # the owner was asked to notify this host
            keeper.wake("objects/Nobody/00", 10**9)  # a notice about a log no replica follows changes nothing
        finally:
            await keeper.close()


async def test_a_notice_carrying_the_uploaded_commits_is_applied_without_reading_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with Runtime(tmp_path / "primary", objects=[Ledger], durability="replicated") as rt:
        assert rt.change_log is not None
        store = rt.change_log.store
        uploads: list[tuple[str, int, list[Commit]]] = []
        rt.change_log.upload_listeners.append(lambda key, commit, commits: uploads.append((key, commit, list(commits))))
        keeper = ReplicaKeeper(store, tmp_path / "host", poll_interval=3600)
        try:
            bookmark = await rt.call(Ledger, "acme", "add", 5)
            assert await keeper.answer("read", "Ledger", "acme", "lhr", (TOTAL, (), bookmark, None)) == [(5,)]
            replica = keeper.replicas()[0]
            reads: list[str] = []
            real_list, real_get = store.list, store.get

            async def listing(*args, **kwargs):
                reads.append("list")
                return await real_list(*args, **kwargs)

            async def getting(*args, **kwargs):
                reads.append("get")
                return await real_get(*args, **kwargs)

            monkeypatch.setattr(store, "list", listing)
            monkeypatch.setattr(store, "get", getting)
            uploads.clear()
            for amount in (7, 11):
                await rt.call(Ledger, "acme", "add", amount)
            shipped = [commit for _key, _commit, commits in uploads for commit in commits]
            assert shipped and uploads[-1][1] == shipped[-1].number > replica.applied
            for key, commit, commits in uploads:
                keeper.wake(key, commit, commits)
            async with asyncio.timeout(10):
                while replica.applied < shipped[-1].number:
                    await asyncio.sleep(0.01)
            assert replica.query(TOTAL) == [(23,)]
            assert reads == [], "the commits came with the notice: nothing was read back from the store"

            # Commits that do not follow on from the replica's (a notice was lost): it reads the store.
            uploads.clear()
            await rt.call(Ledger, "acme", "add", 100)
            await rt.call(Ledger, "acme", "add", 1000)
            key, commit, commits = uploads[-1]
            keeper.wake(key, commit, commits)
            async with asyncio.timeout(10):
                while replica.applied < commit:
                    await asyncio.sleep(0.01)
            assert replica.query(TOTAL) == [(1123,)]
            assert "get" in reads
        finally:
            await keeper.close()
