"""The directory of a workflow's instances: one object per workflow class, for listing and filtering.

Instances are separate objects with their own databases, so the directory keeps one row per
instance: its status as last reported and when it was created. An instance reports each change of
status after committing it, and keeps a resume timer until the directory has acknowledged it, so a
crash between the two only delays the listing.

The directory also sends the workflow's lifecycle events through its `ctx.send`
(`Onboarding.completed`, `.errored`, `.terminated`), recorded in the same commit as the status
they announce: one object to subscribe to for every instance, and no events table in each of
thousands of short-lived instance databases.
"""

from __future__ import annotations

import asyncio
from functools import cached_property
from typing import Any, ClassVar

from ..context.durable_object import DO

DIRECTORY_TABLE = "workflow_directory"
MAX_PAGE = 1000
LIFECYCLE_EVENTS = {"complete": "completed", "errored": "errored", "terminated": "terminated"}
"""The event each final status sends (`<Workflow>.<verb>`)."""

_SCHEMA = (
    f"CREATE TABLE IF NOT EXISTS {DIRECTORY_TABLE} (id TEXT PRIMARY KEY, status TEXT NOT NULL, "
    "created_at REAL NOT NULL, updated_at REAL NOT NULL) WITHOUT ROWID",
    f"CREATE INDEX IF NOT EXISTS {DIRECTORY_TABLE}_status ON {DIRECTORY_TABLE}(status, created_at, id)",
    f"CREATE INDEX IF NOT EXISTS {DIRECTORY_TABLE}_created ON {DIRECTORY_TABLE}(created_at, id)",
)


class WorkflowDirectory(DO):
    """The instances of one workflow class (the object's name is the class's namespace)."""

    namespace: ClassVar[str | None] = "_dotdo_workflow_directory"

    async def on_start(self) -> None:
        for statement in _SCHEMA:
            self.storage.sql.exec(statement)

    @cached_property
    def _waiters(self) -> list[tuple[str, int, asyncio.Future[None]]]:
        return []

    def _wake_waiters(self) -> None:
        if not self._waiters:
            return
        counts = self._counts
        for waiter in list(self._waiters):
            status, count, future = waiter
            if counts.get(status, 0) >= count or future.done():
                self._waiters.remove(waiter)
                if not future.done():
                    future.set_result(None)

    async def wait_for(self, status: str, count: int) -> None:
        """Return once at least `count` instances are in `status` (as reported)."""
        if self.counts().get(status, 0) >= count:
            return
        future = asyncio.get_running_loop().create_future()
        self._waiters.append((status, count, future))
        try:
            await future
        finally:
            if not future.done():
                future.cancel()

    def register(self, instances: list[tuple[str, float]]) -> None:
        """Add instances `(id, created_at)` as queued (an instance already listed keeps its row)."""
        counts = self._counts
        for instance_id, created_at in instances:
            added = self.storage.sql.exec(
                f"INSERT INTO {DIRECTORY_TABLE} (id, status, created_at, updated_at) VALUES (?, 'queued', ?, ?) "
                "ON CONFLICT (id) DO NOTHING",
                instance_id,
                created_at,
                created_at,
            ).rows_written
            if added:
                counts["queued"] = counts.get("queued", 0) + 1
        self._wake_waiters()

    def note(
        self,
        instance_id: str,
        status: str,
        created_at: float,
        updated_at: float,
        error: dict[str, Any] | None = None,
    ) -> None:
        """Record an instance's status (an older report than the one kept is ignored); a new final
        status sends its lifecycle event, with `error` (`{"name", "message"}`) for `errored`."""
        counts = self._counts  # read before the write, which it must not include yet
        before = self.storage.sql.exec(f"SELECT status FROM {DIRECTORY_TABLE} WHERE id = ?", instance_id).to_list()
        changed = self.storage.sql.exec(
            f"INSERT INTO {DIRECTORY_TABLE} (id, status, created_at, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at "
            "WHERE excluded.updated_at >= updated_at",
            instance_id,
            status,
            created_at,
            updated_at,
        ).rows_written
        if changed:
            previous = before[0]["status"] if before else None
            if previous is not None:
                counts[previous] -= 1
            counts[status] = counts.get(status, 0) + 1
            verb = LIFECYCLE_EVENTS.get(status)
            if verb is not None and previous != status:
                data: dict[str, Any] = {"id": instance_id}
                if error is not None:
                    data["error"] = error
                self.ctx.send(f"{self.id.name}.{verb}", data)
            self._wake_waiters()

    def page(self, status: str | None, limit: int, after: str | None) -> list[dict[str, Any]]:
        """Up to `limit` instances (of `status`, if given) in creation order, after the instance `after`."""
        where, bindings = [], []
        if status is not None:
            where.append("status = ?")
            bindings.append(status)
        if after is not None:
            anchor = self.storage.sql.exec(f"SELECT created_at FROM {DIRECTORY_TABLE} WHERE id = ?", after).to_list()
            if not anchor:
                raise LookupError(f"No instance {after!r} to list after")
            where.append("(created_at, id) > (?, ?)")
            bindings.extend([anchor[0]["created_at"], after])
        clause = f"WHERE {' AND '.join(where)} " if where else ""
        return self.storage.sql.exec(
            f"SELECT id, status, created_at, updated_at FROM {DIRECTORY_TABLE} {clause}ORDER BY created_at, id LIMIT ?",
            *bindings,
            limit,
        ).to_list()

    def counts(self) -> dict[str, int]:
        """How many instances are in each status."""
        return {status: n for status, n in self._counts.items() if n}

    @cached_property
    def _counts(self) -> dict[str, int]:
        rows = self.storage.sql.exec(f"SELECT status, count(*) AS n FROM {DIRECTORY_TABLE} GROUP BY status")
        return {row["status"]: row["n"] for row in rows}
