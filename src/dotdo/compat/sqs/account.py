"""`SqsAccount`: the queue list of one tenant (what ListQueues answers), one durable object per tenant."""

from __future__ import annotations

import time

from ...context import DO

SCHEMA = "CREATE TABLE IF NOT EXISTS sqs_queues (name TEXT PRIMARY KEY, created_at REAL NOT NULL)"


class SqsAccount(DO):
    """The queues of one tenant, by name."""

    async def on_start(self) -> None:
        self.storage.sql.exec(SCHEMA)

    def add(self, name: str) -> None:
        """Record queue `name` (again: a no-op)."""
        self.storage.sql.exec("INSERT OR IGNORE INTO sqs_queues VALUES (?, ?)", name, time.time())

    def remove(self, name: str) -> None:
        """Forget queue `name`."""
        self.storage.sql.exec("DELETE FROM sqs_queues WHERE name = ?", name)

    def queues(self, prefix: str = "") -> list[str]:
        """The tenant's queue names starting with `prefix`, sorted."""
        rows = self.storage.sql.exec("SELECT name FROM sqs_queues ORDER BY name").to_list()
        return [row["name"] for row in rows if row["name"].startswith(prefix)]
