"""The tables of one workflow instance, in the instance's own SQLite database.

`workflow_instance` holds the single row of the instance (status, params, output, error, run number),
`workflow_steps` the history of the current run (one row per step, in the order `run()` reached
them), and `workflow_events` the events sent to the instance, kept until a `wait_for_event` of their
type consumes them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import msgspec

from ..runtime.lazy_table import LazyTable

if TYPE_CHECKING:
    from ..runtime.object_storage import ObjectStorage

# The queries below spell these names out: a constant query string is one object shared by every
# instance, where an f-string would leave a copy in each instance's storage (which keeps, per query
# text, whether it writes).
INSTANCE_TABLE = "workflow_instance"
STEPS_TABLE = "workflow_steps"
EVENTS_TABLE = "workflow_events"

QUEUED = "queued"
RUNNING = "running"
PAUSED = "paused"
WAITING = "waiting"
ERRORED = "errored"
TERMINATED = "terminated"
COMPLETE = "complete"
STATUSES = (QUEUED, RUNNING, PAUSED, WAITING, ERRORED, TERMINATED, COMPLETE)
FINISHED = frozenset({ERRORED, TERMINATED, COMPLETE})
"""Statuses after which `run()` does not go on (until `restart()`)."""

STEP_RUNNING = "running"
STEP_RETRYING = "retrying"
STEP_WAITING = "waiting"
STEP_COMPLETE = "complete"
STEP_ERRORED = "errored"

INSTANCE_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS workflow_instance (id INTEGER PRIMARY KEY CHECK (id = 1), "
    "status TEXT NOT NULL, params TEXT, output TEXT, error_type TEXT, error TEXT, run INTEGER NOT NULL, "
    "created_at REAL NOT NULL, updated_at REAL NOT NULL, listed_status TEXT)",
    "CREATE TABLE IF NOT EXISTS workflow_steps (run INTEGER NOT NULL, seq INTEGER NOT NULL, name TEXT NOT NULL, "
    "kind TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, result TEXT, "
    "error_type TEXT, error TEXT, wake_at REAL, detail TEXT, started_at REAL NOT NULL, finished_at REAL, "
    "PRIMARY KEY (run, seq))",
)
"""The instance and steps tables (every instance has them; events come with the first event)."""
_EVENTS_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS workflow_events (seq INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, "
    "payload TEXT, received_at REAL NOT NULL, consumed_by TEXT)"
)

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder()


def encode(value: Any, what: str) -> str:
    """`value` as JSON text; TypeError naming `what` when it is not JSON-compatible."""
    try:
        return _encoder.encode(value).decode()
    except (TypeError, msgspec.EncodeError) as exc:
        raise TypeError(f"{what} must be JSON-compatible (dict, list, str, number, bool, None): {exc}") from None


def decode(text: str | None) -> Any:
    """The value of JSON text written by `encode` (None stays None)."""
    return None if text is None else _decoder.decode(text)


@dataclass(frozen=True, slots=True)
class InstanceRow:
    """The instance's row: its status, what it was started with, and how it ended."""

    status: str
    params: Any
    output: Any
    error_type: str | None
    error: str | None
    run: int
    created_at: float
    updated_at: float
    listed_status: str | None


@dataclass(frozen=True, slots=True)
class StepRow:
    """One step of the current run, as recorded."""

    run: int
    seq: int
    name: str
    kind: str
    status: str
    attempts: int
    result: Any
    error_type: str | None
    error: str | None
    wake_at: float | None
    detail: Any
    started_at: float
    finished_at: float | None

    def to_dict(self) -> dict[str, Any]:
        """The step as `status()` reports it."""
        return {
            "name": self.name,
            "type": self.kind,
            "status": self.status,
            "attempts": self.attempts,
            "output": self.result,
            "error": None if self.error is None else {"name": short_name(self.error_type), "message": self.error},
            "wake_at": self.wake_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
        }


class InstanceStore:
    """Reads and writes the three tables of one instance (created on first use of each activation)."""

    __slots__ = ("_empty_run", "_events_table", "_row", "_tables", "storage")

    def __init__(self, storage: ObjectStorage) -> None:
        self.storage = storage
        self._tables = LazyTable(storage, INSTANCE_TABLE, *INSTANCE_SCHEMA)
        self._events_table: LazyTable | None = None
        # The instance row, kept in memory once read: every write to it goes through this store.
        self._row: InstanceRow | None = None
        # A run this activation began and recorded no step of yet: its history is known to be empty.
        self._empty_run: int | None = None

    @property
    def _events(self) -> LazyTable:
        # Made on first use: most instances never receive an event.
        table = self._events_table
        if table is None:
            table = self._events_table = LazyTable(self.storage, EVENTS_TABLE, _EVENTS_SCHEMA)
        return table

    def _sql(self, query: str, *bindings: Any) -> list[dict[str, Any]]:
        self._tables.ensure()
        return self.storage.sql.exec(query, *bindings).to_list()

    # -- the instance row -----------------------------------------------------------------------

    def instance(self) -> InstanceRow | None:
        """The instance's row, or None if it was never created."""
        if self._row is not None:
            return self._row
        if not self._tables.exists():
            return None
        rows = self._sql("SELECT * FROM workflow_instance WHERE id = 1")
        if not rows:
            return None
        row = rows[0]
        self._row = InstanceRow(
            row["status"],
            decode(row["params"]),
            decode(row["output"]),
            row["error_type"],
            row["error"],
            row["run"],
            row["created_at"],
            row["updated_at"],
            row["listed_status"],
        )
        return self._row

    def create(self, params_json: str, now: float) -> bool:
        """Write the row of a new, queued instance; False (and nothing written) if the instance exists."""
        if self._row is not None:
            return False
        self._tables.ensure()
        created = self.storage.sql.exec(
            "INSERT INTO workflow_instance (id, status, params, run, created_at, updated_at) VALUES (1, ?, ?, 1, ?, ?) "
            "ON CONFLICT (id) DO NOTHING",
            QUEUED,
            params_json,
            now,
            now,
        ).rows_written
        if not created:
            return False
        self._row = InstanceRow(QUEUED, decode(params_json), None, None, None, 1, now, now, None)
        self._empty_run = 1
        return True

    def _known(self) -> InstanceRow:
        row = self.instance()
        if row is None:
            raise LookupError("the instance row is missing")
        return row

    def set_status(self, status: str, now: float) -> None:
        """Move the instance to `status`."""
        self._sql("UPDATE workflow_instance SET status = ?, updated_at = ? WHERE id = 1", status, now)
        self._row = replace(self._known(), status=status, updated_at=now)

    def finish(self, status: str, now: float, *, output_json: str | None, error: tuple[str, str] | None) -> None:
        """End the run with `status` and its output or error."""
        error_type, message = error if error is not None else (None, None)
        self._sql(
            "UPDATE workflow_instance SET status = ?, output = ?, error_type = ?, error = ?, updated_at = ? "
            "WHERE id = 1",
            status,
            output_json,
            error_type,
            message,
            now,
        )
        self._row = replace(
            self._known(),
            status=status,
            output=decode(output_json),
            error_type=error_type,
            error=message,
            updated_at=now,
        )

    def new_run(self, now: float) -> int:
        """Start the instance over: a queued new run with no steps; consumed events are dropped."""
        self._sql(
            "UPDATE workflow_instance SET status = ?, output = NULL, error_type = NULL, error = NULL, "
            "run = run + 1, updated_at = ? WHERE id = 1",
            QUEUED,
            now,
        )
        self._sql("DELETE FROM workflow_steps")
        if self._events.exists():
            self._sql("DELETE FROM workflow_events WHERE consumed_by IS NOT NULL")
        row = self._known()
        self._row = replace(
            row, status=QUEUED, output=None, error_type=None, error=None, run=row.run + 1, updated_at=now
        )
        self._empty_run = self._row.run
        return self._row.run

    def set_listed(self, status: str) -> None:
        """Remember that the directory of instances knows `status`."""
        self._sql("UPDATE workflow_instance SET listed_status = ? WHERE id = 1", status)
        self._row = replace(self._known(), listed_status=status)

    # -- steps ----------------------------------------------------------------------------------

    def steps(self, run: int) -> list[StepRow]:
        """Every recorded step of `run`, in order."""
        if run == self._empty_run:
            return []
        return [_step(row) for row in self._sql("SELECT * FROM workflow_steps WHERE run = ? ORDER BY seq", run)]

    def step_named(self, run: int, name: str) -> StepRow | None:
        """The recorded step of `run` called `name` (to explain a history mismatch), or None."""
        rows = self._sql("SELECT * FROM workflow_steps WHERE run = ? AND name = ?", run, name)
        return _step(rows[0]) if rows else None

    def put_step(
        self,
        run: int,
        seq: int,
        name: str,
        kind: str,
        status: str,
        now: float,
        *,
        attempts: int = 0,
        result_json: str | None = None,
        error: tuple[str, str] | None = None,
        wake_at: float | None = None,
        detail_json: str | None = None,
    ) -> None:
        """Record step `seq` of `run` (insert or replace its state; its start time is kept)."""
        self._empty_run = None
        error_type, message = error if error is not None else (None, None)
        finished = now if status in (STEP_COMPLETE, STEP_ERRORED) else None
        self._sql(
            "INSERT INTO workflow_steps (run, seq, name, kind, status, attempts, result, error_type, error, "
            "wake_at, detail, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (run, seq) DO UPDATE SET status = excluded.status, attempts = excluded.attempts, "
            "result = excluded.result, error_type = excluded.error_type, error = excluded.error, "
            "wake_at = excluded.wake_at, detail = coalesce(excluded.detail, detail), "
            "finished_at = excluded.finished_at",
            run,
            seq,
            name,
            kind,
            status,
            attempts,
            result_json,
            error_type,
            message,
            wake_at,
            detail_json,
            now,
            finished,
        )

    # -- events ---------------------------------------------------------------------------------

    def add_event(self, event_type: str, payload_json: str, now: float) -> None:
        """Keep an event until a `wait_for_event` of its type takes it."""
        self._events.ensure()
        self._sql(
            "INSERT INTO workflow_events (type, payload, received_at) VALUES (?, ?, ?)", event_type, payload_json, now
        )

    def take_event(self, event_type: str, consumer: str) -> dict[str, Any] | None:
        """The oldest event of `event_type` nobody took yet, now taken by `consumer`; None if there is none."""
        if not self._events.exists():
            return None
        rows = self._sql(
            "SELECT seq, type, payload, received_at FROM workflow_events "
            "WHERE type = ? AND consumed_by IS NULL ORDER BY seq LIMIT 1",
            event_type,
        )
        if not rows:
            return None
        row = rows[0]
        self._sql("UPDATE workflow_events SET consumed_by = ? WHERE seq = ?", consumer, row["seq"])
        return {"type": row["type"], "payload": decode(row["payload"]), "timestamp": row["received_at"]}

    def pending_events(self) -> list[dict[str, Any]]:
        """Events sent to the instance and not taken yet, oldest first."""
        if not self._events.exists():
            return []
        rows = self._sql(
            "SELECT type, payload, received_at FROM workflow_events WHERE consumed_by IS NULL ORDER BY seq"
        )
        return [{"type": r["type"], "payload": decode(r["payload"]), "timestamp": r["received_at"]} for r in rows]


def _step(row: dict[str, Any]) -> StepRow:
    return StepRow(
        row["run"],
        row["seq"],
        row["name"],
        row["kind"],
        row["status"],
        row["attempts"],
        decode(row["result"]),
        row["error_type"],
        row["error"],
        row["wake_at"],
        decode(row["detail"]),
        row["started_at"],
        row["finished_at"],
    )


def short_name(error_type: str | None) -> str | None:
    """The class name of a recorded "module:qualname" error type."""
    return None if error_type is None else error_type.rpartition(":")[2].rpartition(".")[2]
