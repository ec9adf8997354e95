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
SYNCHRONOUS = os.environ.get("BENCH_SYNCHRONOUS", "NORMAL").upper()
DATA_DIR = Path(os.environ.get("BENCH_DATA_DIR", ".bench-baseline"))

if SYNCHRONOUS not in ("NORMAL", "FULL"):
    raise SystemExit(f"BENCH_SYNCHRONOUS must be NORMAL or FULL, not {SYNCHRONOUS!r}")

_connections: dict[str, sqlite3.Connection] = {}


def _connection(name: str) -> sqlite3.Connection:
    conn = _connections.get(name)
    if conn is None:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(DATA_DIR / f"{name}.sqlite", isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
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
