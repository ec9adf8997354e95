"""`S3Account`: the bucket list of one tenant (what ListBuckets answers), one durable object per tenant."""

from __future__ import annotations

import time
from typing import Any

from ...context import DO

SCHEMA = "CREATE TABLE IF NOT EXISTS s3_buckets (name TEXT PRIMARY KEY, created_at REAL NOT NULL)"


class S3Account(DO):
    """The buckets of one tenant, by name."""

    async def on_start(self) -> None:
        self.storage.sql.exec(SCHEMA)

    def add(self, name: str) -> bool:
        """Record bucket `name`; False if the tenant already has it."""
        if self.storage.sql.exec("SELECT 1 FROM s3_buckets WHERE name = ?", name).to_list():
            return False
        self.storage.sql.exec("INSERT INTO s3_buckets VALUES (?, ?)", name, time.time())
        return True

    def remove(self, name: str) -> None:
        """Forget bucket `name`."""
        self.storage.sql.exec("DELETE FROM s3_buckets WHERE name = ?", name)

    def buckets(self) -> list[dict[str, Any]]:
        """Every bucket of the tenant by name, with its creation time."""
        return self.storage.sql.exec("SELECT name, created_at FROM s3_buckets ORDER BY name").to_list()
