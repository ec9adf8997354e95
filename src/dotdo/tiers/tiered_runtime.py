"""`dotdo.Runtime`: the embedded runtime plus, when a warehouse is configured, the storage tiers."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import datetime
from typing import Any

from ..primitives.attachments import CTX_ATTACHMENTS
from ..runtime.runtime import Runtime as BaseRuntime
from .config import TierConfig
from .query import QueryResult
from .service import ErasureReport, ShipReport, Tiers, TiersStatus


class Runtime(BaseRuntime):
    """Hosts Durable Objects, whose `ctx` has things, relationships, fs, git and bash; with `warehouse=`
    (or `tiers=`) their data also flows to Iceberg and can be queried with SQL across objects:
    `await rt.query("SELECT ...")`.

    `warehouse`: a folder or `s3://bucket/prefix`; `True` means `tiers/warehouse` in the data folder.
    `tiers`: a `TierConfig` for everything else (catalog, S3 options, intervals, retention).
    """

    def __init__(
        self,
        data_dir: str | os.PathLike[str] = ".dotdo",
        *args: Any,
        warehouse: str | os.PathLike[str] | bool | None = None,
        tiers: TierConfig | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_dir, *args, **kwargs)
        self.add_defaults(CTX_ATTACHMENTS)
        config = tiers
        if warehouse not in (None, False):
            location = None if warehouse is True else os.fspath(warehouse)  # type: ignore[arg-type]
            base = config or TierConfig()
            config = replace(base, warehouse=location or base.warehouse)
        self.tiers: Tiers | None = Tiers(self, config) if config is not None else None

    def _require_tiers(self) -> Tiers:
        if self.tiers is None:
            raise RuntimeError(
                "This runtime has no warehouse: create it with Runtime(..., warehouse=True) "
                "(a folder in the data folder), a path, or 's3://bucket/prefix'"
            )
        return self.tiers

    async def start(self) -> Runtime:
        """Open the data folder, fire alarms and start shipping to the warm tier."""
        await super().start()
        if self.tiers is not None:
            self.tiers.start()
        return self

    async def close(self) -> None:
        """Stop shipping, then close the runtime."""
        if self.tiers is not None:
            await self.tiers.close()
        await super().close()

    async def query(
        self, sql: str, *, as_of: str | datetime | None = None, fresh: bool = False, engine: str = "duckdb"
    ) -> QueryResult:
        """Run one read-only SELECT across every object's shipped data (see `dotdo.tiers`)."""
        return await self._require_tiers().query(sql, as_of=as_of, fresh=fresh, engine=engine)

    async def ship(self) -> ShipReport:
        """Ship every object's outbox to the warm tables now."""
        return await self._require_tiers().ship()

    async def compact(self, *, force: bool = False) -> list[str]:
        """Compact warm tables with many small files and expire old snapshots."""
        return await self._require_tiers().compact(force=force)

    async def archive(self, older_than: float | None = None) -> int:
        """Move old thing versions to the cold archive; how many moved."""
        return await self._require_tiers().archive(older_than)

    async def erase(self, subject: str) -> ErasureReport:
        """Delete `subject` from every tier and return what was removed where."""
        return await self._require_tiers().erase(subject)

    async def tiers_status(self) -> TiersStatus:
        """Tables, files, bytes and backlog of the tiers."""
        return await self._require_tiers().status()
