"""`GcsAccount`: the bucket names of one tenant (what buckets.list answers), one durable object per tenant."""

from __future__ import annotations

from ...context import DO


class GcsAccount(DO):
    """The buckets of one tenant, by name."""

    async def on_start(self) -> None:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS gcs_buckets (name TEXT PRIMARY KEY)")

    def add(self, name: str) -> None:
        """Record bucket `name`."""
        self.storage.sql.exec("INSERT OR IGNORE INTO gcs_buckets VALUES (?)", name)

    def remove(self, name: str) -> None:
        """Forget bucket `name`."""
        self.storage.sql.exec("DELETE FROM gcs_buckets WHERE name = ?", name)

    def names(self, prefix: str = "") -> list[str]:
        """The tenant's bucket names starting with `prefix`, sorted."""
        rows = self.storage.sql.exec("SELECT name FROM gcs_buckets ORDER BY name").to_list()
        return [row["name"] for row in rows if row["name"].startswith(prefix)]
