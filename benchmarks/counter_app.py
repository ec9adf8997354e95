"""The counter the runtime benchmark measures, as a dotdo app: `dotdo dev counter_app:app`.

Routing: `API(Counter, ns="/:name")`, so `GET /<name>/incr` reaches the Counter called `<name>`, whose
`fetch` sees `/incr`. workerd's anchor answers `GET /counter/<name>/incr`; the benchmark points wrk
at each server's own spelling of the same request (one path segment more or less, same work).
"""

from starlette.requests import Request
from starlette.responses import PlainTextResponse

from dotdo import API, DO

UPSERT = "INSERT INTO c(k, v) VALUES ('n', ?) ON CONFLICT(k) DO UPDATE SET v = v + excluded.v RETURNING v"
"""The increment of the issue; the bare baseline and raw sqlite3 run the same statement."""


class Counter(DO):
    """One counter in its own SQLite database."""

    async def on_start(self) -> None:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS c(k TEXT PRIMARY KEY, v INTEGER NOT NULL)")

    async def increment(self, by: int = 1) -> int:
        """Add `by` and return the new value."""
        return self.storage.sql.exec(UPSERT, by).one()["v"]

    async def ping(self) -> None:
        """Do nothing: the first call of an object measures its activation."""

    async def fetch(self, request: Request) -> PlainTextResponse:
        """`/incr` increments and answers the new value as text, like workerd's counter."""
        if request.url.path == "/incr":
            return PlainTextResponse(str(await self.increment()))
        if request.url.path == "/get":
            rows = self.storage.sql.exec("SELECT v FROM c WHERE k = 'n'").to_list()
            return PlainTextResponse(str(rows[0]["v"] if rows else 0))
        return PlainTextResponse("not found", status_code=404)


app = API(Counter, ns="/:name")
