"""The change log: every commit shipped in order to object storage, an object rebuilt from it alone."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from dotdo import DO, Runtime
from dotdo.runtime.change_log import ChangeLog
from dotdo.runtime.ids import id_from_name
from dotdo.runtime.log_format import object_key
from dotdo.runtime.log_reader import LogReader, connect_image
from dotdo.runtime.log_store import LogStore, LogStoreError
from dotdo.runtime.object_log import StaleOwnerError


class Ledger(DO):
    async def add(self, amount: int) -> int:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS entries (id INTEGER PRIMARY KEY, amount INTEGER)")
        self.storage.sql.exec("INSERT INTO entries (amount) VALUES (?)", amount)
        self.storage.put(f"last-{amount % 7}", amount)
        return self.total()

    def total(self) -> int:
        return self.storage.sql.exec("SELECT coalesce(sum(amount), 0) AS s FROM entries").one()["s"]

    async def balance(self) -> int:
        return self.total()

    async def amounts(self) -> set[int]:
        return {row["amount"] for row in self.storage.sql.exec("SELECT amount FROM entries")}


async def stored_total(store: LogStore, name: str) -> int:
    """The ledger's total as rebuilt from the log store alone."""
    oid = id_from_name(Ledger, name)
    reader = await LogReader(store, object_key(oid.namespace, oid.hex)).scan()
    image = await reader.image_at((await reader.head()).commit)
    conn = connect_image(image)
    try:
        return conn.execute("SELECT coalesce(sum(amount), 0) FROM entries").fetchone()[0]
    finally:
        conn.close()


async def check_replicated(tmp_path: Path, log: Any, options: dict[str, str] | None = None) -> None:
    async with Runtime(
        tmp_path / "a", objects=[Ledger], durability="replicated", replicate_to=log, replicate_options=options
    ) as rt:
        assert rt.change_log is not None
        store = rt.change_log.store
        ledger = rt.get(Ledger, "acme")
        for amount in range(1, 13):
            total = await ledger.add(amount)
            # Acknowledged means uploaded: the store alone already holds this write.
            assert await stored_total(store, "acme") == total
    # Another data folder, nothing shared but the store: the object is rebuilt from it.
    async with Runtime(
        tmp_path / "b", objects=[Ledger], durability="replicated", replicate_to=log, replicate_options=options
    ) as rt:
        assert await rt.get(Ledger, "acme").balance() == sum(range(1, 13))
        assert await rt.get(Ledger, "acme").add(100) == sum(range(1, 13)) + 100


async def test_a_replicated_write_is_acknowledged_only_once_it_is_in_the_folder(tmp_path: Path) -> None:
    await check_replicated(tmp_path, tmp_path / "log")


async def test_a_replicated_write_is_acknowledged_only_once_it_is_in_s3(
    tmp_path: Path, s3_bucket: tuple[str, dict[str, str]]
) -> None:
    url, options = s3_bucket
    await check_replicated(tmp_path, url, options)


async def test_process_durability_ships_in_the_background_and_reports_the_lag(tmp_path: Path) -> None:
    async with Runtime(tmp_path / "a", objects=[Ledger], replicate_to=tmp_path / "log") as rt:
        for name in ("a", "b", "c"):
            for amount in range(5):
                await rt.get(Ledger, name).add(amount)
        assert rt.change_log is not None
        await rt.change_log.drain()
        stats = rt.change_log.stats()
        assert stats.pending_bytes == 0
        assert stats.uploads >= 3
        assert 0 <= stats.lag_p50 <= stats.lag_p99 <= stats.lag_max
        assert await stored_total(rt.change_log.store, "b") == sum(range(5))


async def test_a_local_file_ahead_of_the_log_is_shipped_as_a_snapshot(tmp_path: Path) -> None:
    async with Runtime(tmp_path / "a", objects=[Ledger]) as rt:
        await rt.get(Ledger, "old").add(5)  # written before replication was turned on
    async with Runtime(tmp_path / "a", objects=[Ledger], replicate_to=tmp_path / "log") as rt:
        await rt.get(Ledger, "old").add(6)
    async with Runtime(tmp_path / "b", objects=[Ledger], replicate_to=tmp_path / "log") as rt:
        assert await rt.get(Ledger, "old").balance() == 11


async def test_a_stale_owner_upload_is_refused(tmp_path: Path) -> None:
    log = tmp_path / "log"
    stale = Runtime(tmp_path / "a", objects=[Ledger], durability="replicated", replicate_to=log)
    await stale.start()
    try:
        await stale.get(Ledger, "acme").add(1)
        async with Runtime(tmp_path / "b", objects=[Ledger], durability="replicated", replicate_to=log) as fresh:
            # The new owner rebuilds from the log and claims the next segment (a newer epoch).
            assert await fresh.get(Ledger, "acme").add(2) == 3
            with pytest.raises(StaleOwnerError, match="refused"):
                await stale.get(Ledger, "acme").add(40)
            assert await fresh.get(Ledger, "acme").balance() == 3
        assert stale.change_log is not None
        assert await stored_total(stale.change_log.store, "acme") == 3
    finally:
        await stale.close()


WRITER = textwrap.dedent(
    """
    import asyncio, sys
    from dotdo import DO, Runtime

    class Ledger(DO):
        async def add(self, amount):
            self.storage.sql.exec("CREATE TABLE IF NOT EXISTS entries (id INTEGER PRIMARY KEY, amount INTEGER)")
            self.storage.sql.exec("INSERT INTO entries (amount) VALUES (?)", amount)

    async def main():
        async with Runtime(sys.argv[1], objects=[Ledger], durability="replicated", replicate_to=sys.argv[2]) as rt:
            async def writer(name):
                amount = 0
                while True:
                    amount += 1
                    await rt.get(Ledger, name).add(amount)
                    print(name, amount, flush=True)
            await asyncio.gather(*(writer(f"l{i}") for i in range(8)))

    asyncio.run(main())
    """
)


async def test_sigkill_under_load_loses_no_acknowledged_write_and_another_folder_rebuilds_it(tmp_path: Path) -> None:
    log = tmp_path / "log"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path / "host-a"), str(log)], stdout=subprocess.PIPE, text=True, env=env
    )
    acknowledged: dict[str, int] = {}
    try:
        assert child.stdout is not None
        for line in child.stdout:
            name, amount = line.split()
            acknowledged[name] = int(amount)
            if len(acknowledged) == 8 and min(acknowledged.values()) >= 20:
                break
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    # Nothing shared with the dead host but the store: each ledger holds every acknowledged write.
    async with Runtime(tmp_path / "host-b", objects=[Ledger], durability="replicated", replicate_to=log) as rt:
        for name, amount in acknowledged.items():
            assert set(range(1, amount + 1)) <= await rt.get(Ledger, name).amounts(), name


def test_an_unknown_log_store_is_refused_with_what_to_give() -> None:
    with pytest.raises(LogStoreError, match="folder path or s3://bucket/prefix"):
        ChangeLog("ftp://example/log")
    with pytest.raises(LogStoreError, match="names no bucket"):
        ChangeLog("s3:///nothing")
    with pytest.raises(ValueError, match="durability must be one of process, power, replicated"):
        Runtime("x", durability="cloud")


class Reminder(DO):
    async def remind_in(self, seconds: float) -> None:
        self.storage.set_alarm(time.time() + seconds)

    async def alarm(self, info: object = None) -> None:
        self.storage.put("reminded", True)

    async def reminded(self) -> bool:
        return bool(self.storage.get("reminded"))


async def test_a_copy_rebuilt_from_the_log_keeps_its_alarm(tmp_path: Path) -> None:
    log = tmp_path / "log"
    async with Runtime(tmp_path / "a", objects=[Reminder], durability="replicated", replicate_to=log) as rt:
        await rt.get(Reminder, "r").remind_in(0.3)
    # Another folder, whose alarm index never heard of the object: activated, its copy brings its alarm.
    async with Runtime(tmp_path / "b", objects=[Reminder], durability="replicated", replicate_to=log) as rt:
        async with asyncio.timeout(10):
            while not await rt.get(Reminder, "r").reminded():
                await asyncio.sleep(0.05)


async def test_an_object_released_to_another_owner_is_read_afresh_from_its_log_when_it_comes_back(
    tmp_path: Path,
) -> None:
    log = tmp_path / "log"
    async with Runtime(tmp_path / "a", objects=[Ledger], durability="replicated", replicate_to=log) as first:
        assert first.change_log is not None
        await first.get(Ledger, "acme").add(1)
        oid = id_from_name(Ledger, "acme")
        assert first.evict(Ledger, oid)
        await first.change_log.release(oid)  # moved away: filed, and its writer forgotten
        async with Runtime(tmp_path / "b", objects=[Ledger], durability="replicated", replicate_to=log) as second:
            await second.get(Ledger, "acme").add(2)
        # Back here: the write made elsewhere is there, and writes go on.
        assert await first.get(Ledger, "acme").add(4) == 7
    async with Runtime(tmp_path / "c", objects=[Ledger], replicate_to=log) as third:
        assert await third.get(Ledger, "acme").balance() == 7
