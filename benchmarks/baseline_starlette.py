"""The bare baseline: Starlette + stdlib sqlite3 doing the counter's increment, no runtime.

`GET /counter/<name>/incr` runs the same upsert in one SQLite file per counter name (WAL), commits
once per request, and answers the new value as text. `BENCH_SYNCHRONOUS=NORMAL` (default) matches
dotdo's `durability="process"`, `FULL` its `"power"`; files go under `BENCH_DATA_DIR`.
Serve with any ASGI server: `uvicorn baseline_starlette:app`.
"""

import os
import sqlite3
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

UPSERT = "INSERT INTO c(k, v) VALUES ('n', ?) ON CONFLICT(k) DO UPDATE SET v = v + excluded.v RETURNING v"
_connections: dict[str, sqlite3.Connection] = {}


def _connection(name: str) -> sqlite3.Connection:
    conn = _connections.get(name)
    if conn is None:
        # Read at first use of each counter, so the environment can be set after import.
        synchronous = os.environ.get("BENCH_SYNCHRONOUS", "NORMAL").upper()
        if synchronous not in ("NORMAL", "FULL"):
            raise ValueError(f"BENCH_SYNCHRONOUS must be NORMAL or FULL, not {synchronous!r}")
        data_dir = Path(os.environ.get("BENCH_DATA_DIR", ".bench-baseline"))
        data_dir.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(data_dir / f"{name}.sqlite", isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={synchronous}")
        conn.execute("CREATE TABLE IF NOT EXISTS c(k TEXT PRIMARY KEY, v INTEGER NOT NULL)")
        _connections[name] = conn
    return conn


async def increment(request: Request) -> PlainTextResponse:
    """Increment the counter `name` in its own file and commit before answering."""
    name = request.path_params["name"]
    if not name.isalnum():
        return PlainTextResponse("counter names are letters and digits", status_code=400)
    conn = _connection(name)
    conn.execute("BEGIN")
    value = conn.execute(UPSERT, (1,)).fetchone()[0]
    conn.execute("COMMIT")
    return PlainTextResponse(str(value))


app = Starlette(routes=[Route("/counter/{name}/incr", increment)])
