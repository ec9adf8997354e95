"""The tiers of one runtime: ships outboxes to the warm tier, archives old versions, answers queries, erases.

Everything that touches an object's database runs as an event of that object (`run_in`), so it
never races the object's own code; everything that touches the warehouse runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from ..extras import require_extra
from ..graph.archive import set_version_archive
from ..graph.thing import format_time
from ..runtime.ids import ObjectId, id_from_string
from ..runtime.storage import Storage
from . import cold, erasure, outbox
from .config import TierConfig
from .erasure import ErasureReport
from .fresh import Batch, fresh_rows, split_batch
from .query import FreshRows, QueryError, QueryResult, check_query, execute_query, plan_query
from .warehouse import TableStatus, Warehouse, object_key

if TYPE_CHECKING:
    from ..runtime.runtime import Runtime

log = logging.getLogger("dotdo.tiers")


@dataclass
class ShipReport:
    """What one `ship()` call moved: rows per table, objects visited, batches committed."""

    rows: dict[str, int] = field(default_factory=dict)
    objects: int = 0
    batches: int = 0
    seconds: float = 0.0

    @property
    def total(self) -> int:
        """All rows shipped."""
        return sum(self.rows.values())


@dataclass(frozen=True)
class ObjectBacklog:
    """Rows waiting in one object's outbox and how long the oldest has waited (seconds)."""

    namespace: str
    object_id: str
    rows: int
    lag: float | None


@dataclass(frozen=True)
class TiersStatus:
    """`dotdo tiers status`: the warehouse, its tables and the shipping backlog."""

    warehouse: str
    catalog: str
    tables: list[TableStatus]
    backlog: list[ObjectBacklog]


class Tiers:
    """Hot SQLite -> warm Iceberg -> cold Parquet for one runtime."""

    def __init__(self, runtime: Runtime, config: TierConfig) -> None:
        require_extra("tiers", "A warehouse (Runtime(warehouse=...))")
        self.runtime = runtime
        self.config = config
        self.data_dir: Path = runtime.data_folder.root
        self.warehouse = Warehouse(config, self.data_dir)
        self._lock: asyncio.Lock | None = None
        self._task: asyncio.Task[None] | None = None
        self.last_ship: ShipReport | None = None
        self._active: set[tuple[str, str]] = set()
        """Objects activated since they were last found with an empty outbox while out of memory:
        only they can have written, so background rounds look at them, not at every object."""
        runtime.add_storage_hook(self._attach)

    def _attach(self, oid: ObjectId, storage: Storage) -> None:
        self._active.add((oid.namespace, oid.hex))
        outbox.install_outbox(storage)
        set_version_archive(storage, cold.ColdArchive(storage, lambda: self.warehouse.files))

    # -- background -----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the background shipping loop (when `ship_interval` is set)."""
        if self.config.ship_interval is not None and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._loop(), name="dotdo-tiers-shipping")

    async def close(self) -> None:
        """Stop the background loop."""
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    async def _loop(self) -> None:
        interval = self.config.ship_interval or 5.0
        everything = True  # the first round drains what earlier runs left in any outbox
        while True:
            await asyncio.sleep(interval)
            try:
                report = await self.ship(only_active=not everything)
                everything = False
                if report.batches:
                    await self.compact()
                if self.config.archive_after is not None:
                    await self.archive()
            except asyncio.CancelledError:
                raise
            except Exception:
                # The outboxes keep every row until it is shipped: the next round retries.
                log.exception("shipping round failed; retrying in %.0f s", interval)

    def _guard(self) -> asyncio.Lock:
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock

    # -- objects --------------------------------------------------------------------------------

    def objects(self) -> list[tuple[str, str]]:
        """Every object (namespace, hex id) in the data folder whose class is registered."""
        root = self.data_dir / "objects"
        classes = self.runtime.classes
        found = []
        if not root.is_dir():
            return found
        for folder in sorted(root.iterdir()):
            if folder.name not in classes:
                continue
            for path in sorted(folder.glob("*/*.sqlite")):
                found.append((folder.name, path.stem))
        return found

    async def _in_object(self, namespace: str, hex_id: str, fn: Callable[[Storage], Any]) -> Any:
        cls = self.runtime.class_named(namespace)
        return await self.runtime.run_in(cls, id_from_string(cls, hex_id), lambda obj: fn(obj.storage))

    async def _marks(self) -> dict[str, dict[str, int]]:
        """Per object key, per table, the highest shipped outbox sequence."""
        return await asyncio.to_thread(self.warehouse.marks)

    # -- shipping -------------------------------------------------------------------------------

    async def ship(self, *, only_active: bool = False) -> ShipReport:
        """Ship every outbox to the warm tables until they are empty; what moved.

        Only objects whose outbox holds rows are visited (looked at without an event first);
        `only_active` looks only at the objects activated since they were last seen idle with an
        empty outbox (the background rounds), instead of every object in the data folder.

        Reading the next batch from the objects overlaps the Iceberg commit of the previous one: a
        cursor per object (the highest sequence read) keeps the reads apart, and each object's rows
        leave its outbox only once the commit that holds them is done.
        """
        async with self._guard():
            started = time.perf_counter()
            report = ShipReport(rows={kind: 0 for kind in outbox.TABLE_KINDS})
            objects = self._with_backlog(None if only_active else self.objects())
            report.objects = len(objects)
            marks = await self._marks()
            cursors = {key: dict(kinds) for key, kinds in marks.items()}
            for namespace, hex_id in objects:
                mine = marks.get(object_key(namespace, hex_id), {})
                if mine:  # rows a crashed round committed but did not drop
                    await self._in_object(namespace, hex_id, lambda s, mine=mine: outbox.acknowledge(s, mine))
            drained: set[tuple[str, str]] = set()
            committing: asyncio.Task[dict[str, dict[str, int]]] | None = None
            in_flight: list[tuple[str, str]] = []
            try:
                while True:
                    batch = await self._read_batch(objects, cursors, drained)
                    if committing is not None:
                        await self._acknowledge(await committing, in_flight, marks)
                        committing = None
                    if not batch:
                        break
                    in_flight = list(batch)
                    committing = asyncio.ensure_future(asyncio.to_thread(self._commit_batch, batch, report))
                    report.batches += 1
            finally:
                if committing is not None:
                    await self._acknowledge(await committing, in_flight, marks)
            report.seconds = time.perf_counter() - started
            self.last_ship = report
            return report

    def _with_backlog(self, keys: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
        """The objects among `keys` (default: the active ones) whose outbox holds rows, found
        without running an event in any of them, so looking neither activates an object nor keeps
        an idle one in memory; objects out of memory with an empty outbox stop being active until
        they activate again."""
        classes = self.runtime.classes
        found = []
        for key in sorted(self._active) if keys is None else keys:
            namespace, hex_id = key
            if namespace not in classes:
                continue
            storage = self.runtime.live_storage(namespace, ObjectId(namespace, hex_id))
            if storage is not None:
                if outbox.has_rows(storage):
                    found.append(key)
            elif outbox.file_has_rows(self.runtime.data_folder.object_path(namespace, hex_id)):
                found.append(key)
            else:
                self._active.discard(key)
        return found

    async def _read_batch(
        self,
        objects: list[tuple[str, str]],
        cursors: dict[str, dict[str, int]],
        drained: set[tuple[str, str]],
    ) -> Batch:
        """Up to `batch_rows` queued rows past each object's cursor (cursors move past them)."""
        batch: Batch = {}
        budget = self.config.batch_rows
        for namespace, hex_id in objects:
            if (namespace, hex_id) in drained or budget <= 0:
                continue
            cursor = cursors.setdefault(object_key(namespace, hex_id), {})
            groups = await self._in_object(
                namespace, hex_id, lambda s, cursor=dict(cursor), budget=budget: outbox.pending(s, cursor, budget)
            )
            count = sum(group.count for group in groups)
            if count < budget:
                drained.add((namespace, hex_id))
            if groups:
                batch[(namespace, hex_id)] = groups
                budget -= count
                for group in groups:
                    cursor[group.kind] = max(cursor.get(group.kind, 0), group.last)
        return batch

    async def _acknowledge(
        self, shipped: dict[str, dict[str, int]], objects: list[tuple[str, str]], marks: dict[str, dict[str, int]]
    ) -> None:
        for key, kinds in shipped.items():
            marks.setdefault(key, {}).update(kinds)
        for namespace, hex_id in objects:
            mine = marks.get(object_key(namespace, hex_id), {})
            await self._in_object(namespace, hex_id, lambda s, mine=mine: outbox.acknowledge(s, mine))

    def _commit_batch(self, batch: Batch, report: ShipReport) -> dict[str, dict[str, int]]:
        shipped: dict[str, dict[str, int]] = {}
        for kind in outbox.TABLE_KINDS:
            raw, tombstones = split_batch(kind, batch)
            if not raw.num_rows and not tombstones:
                continue
            marks = self.warehouse.commit(kind, raw, tombstones)
            report.rows[kind] = report.rows.get(kind, 0) + raw.num_rows + len(tombstones)
            for key, sequence in marks.items():
                shipped.setdefault(key, {})[kind] = sequence
        return shipped

    async def backlog(self) -> list[ObjectBacklog]:
        """Rows waiting in each object's outbox and the age of the oldest."""
        now = time.time()
        result = []
        for namespace, hex_id in self.objects():
            rows, oldest = await self._in_object(namespace, hex_id, outbox.backlog)
            result.append(ObjectBacklog(namespace, hex_id, rows, None if oldest is None else max(0.0, now - oldest)))
        return result

    # -- querying -------------------------------------------------------------------------------

    async def query(
        self, sql: str, *, as_of: str | datetime | None = None, fresh: bool = False, engine: str = "duckdb"
    ) -> QueryResult:
        """Run read-only `sql` over the warm tables (at `as_of`; plus unshipped rows with `fresh`)."""
        when = check_query(sql, as_of=as_of, engine=engine)
        if fresh and when is not None:
            raise QueryError("fresh=True reads what is not shipped yet; it cannot be combined with as_of")
        scans = await asyncio.to_thread(plan_query, self.warehouse, sql, when)
        unshipped = await self._fresh(scans) if fresh else None
        return QueryResult(await asyncio.to_thread(execute_query, self.warehouse, sql, scans, unshipped, engine))

    async def _fresh(self, scans: dict[str, Any]) -> FreshRows:
        marks = await self._marks()
        batch: Batch = {}
        for namespace, hex_id in self._with_backlog(self.objects()):
            mine = marks.get(object_key(namespace, hex_id), {})
            queued = await self._in_object(namespace, hex_id, lambda s, mine=mine: outbox.pending(s, mine, 1 << 62))
            if queued:
                batch[(namespace, hex_id)] = queued
        return fresh_rows(batch, scans)

    # -- cold -----------------------------------------------------------------------------------

    async def archive(self, older_than: float | None = None) -> int:
        """Move thing versions older than `older_than` seconds (default `archive_after`) to the cold
        archive; how many versions left hot SQLite."""
        age = self.config.archive_after if older_than is None else older_than
        if age is None:
            raise ValueError("archive needs older_than= (seconds) or TierConfig(archive_after=...)")
        cutoff = format_time(time.time() - age)
        moved = 0
        for namespace, hex_id in self.objects():
            while True:
                rows = await self._in_object(
                    namespace, hex_id, lambda s: cold.versions_to_archive(s, cutoff, self.config.batch_rows)
                )
                if not rows:
                    break
                folder = cold.cold_folder(self.warehouse.uri, namespace, hex_id)
                path = await asyncio.to_thread(cold.write_archive, self.warehouse.files, folder, rows)
                moved += await self._in_object(
                    namespace, hex_id, lambda s, p=path, r=rows: cold.record_archive(s, p, r)
                )
        return moved

    # -- upkeep ---------------------------------------------------------------------------------

    async def compact(self, *, force: bool = False) -> list[str]:
        """Compact the warm tables that have many small files; the names of those rewritten."""
        async with self._guard():
            done = []
            for kind in outbox.TABLE_KINDS:
                if await asyncio.to_thread(self.warehouse.compact, kind, force=force):
                    done.append(kind)
            return done

    async def status(self) -> TiersStatus:
        """The warehouse, its tables and the backlog of every object."""
        tables = await asyncio.to_thread(self.warehouse.status)
        return TiersStatus(self.warehouse.uri, self.warehouse.catalog_url, tables, await self.backlog())

    # -- erasure --------------------------------------------------------------------------------

    async def erase(self, subject: str) -> ErasureReport:
        """Remove `subject` from every tier and report what went where (see `erasure`)."""
        if not isinstance(subject, str) or not subject:
            raise ValueError("erase needs subject=, a thing id such as 'user:alice'")
        mention = msgspec.json.encode(subject).decode()
        report = ErasureReport(subject)
        async with self._guard():
            files = self.warehouse.files
            for namespace, hex_id in self.objects():
                counts, archives, erased = await self._in_object(
                    namespace, hex_id, lambda s: erasure.erase_hot(s, files, subject, mention)
                )
                for name, count in counts.items():
                    report.hot[name] = report.hot.get(name, 0) + count
                for path in archives:
                    report.cold += await asyncio.to_thread(cold.erase_from_archive, files, path, erased, mention)
            report.warm, report.snapshots_expired = await asyncio.to_thread(
                erasure.erase_warm, self.warehouse, subject, mention
            )
        return report
