"""Durable Object classes of the replication scenarios (hosts import them by name)."""

import os
import time

from dotdo import DO, AlarmInfo
from dotdo.cluster.location import normalize_location


class Ledger(DO):
    """Entries added one per call; each call answers the bookmark of its commit and the pid that ran it."""

    async def add(self, amount: int) -> tuple[str, int]:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS entries (id INTEGER PRIMARY KEY, amount INTEGER)")
        self.storage.sql.exec("INSERT INTO entries (amount) VALUES (?)", amount)
        return await self.storage.get_current_bookmark(), os.getpid()

    async def remind(self, path: str, seconds: float) -> None:
        """Set an alarm that writes `path` when it fires (seen from outside without calling the object)."""
        self.storage.put("reminder", path)
        self.storage.set_alarm(time.time() + seconds)

    async def alarm(self, info: AlarmInfo) -> None:
        with open(self.storage.get("reminder"), "w") as marker:
            marker.write(str(os.getpid()))

    def total(self) -> int:
        if not list(self.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE name = 'entries'")):
            return 0
        return self.storage.sql.exec("SELECT coalesce(sum(amount), 0) AS total FROM entries").one()["total"]


class LondonLedger(Ledger):
    """A ledger whose objects run only on hosts labelled with the London colo."""

    placement = normalize_location("London")
