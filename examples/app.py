"""The example app `make dev` serves: a counter per name, over HTTP and WebSocket.

    curl -X POST localhost:8787/acme          # {"name": "acme", "value": 1}
    curl localhost:8787/acme                  # {"name": "acme", "value": 1}
    websocat ws://localhost:8787/acme/ws      # every increment is broadcast to every socket
"""

from datetime import UTC, datetime, timedelta

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.websockets import WebSocket

from dotdo import API, DO, AlarmInfo


class Counter(DO):
    """One counter per name, in the object's own SQLite database."""

    async def on_start(self) -> None:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS counter (k TEXT PRIMARY KEY, v INTEGER NOT NULL)")
        self.set_websocket_auto_response("ping", "pong")

    async def increment(self, by: int = 1) -> int:
        """Add `by` and return the new value; every open WebSocket hears about it."""
        value = self.storage.sql.exec(
            "INSERT INTO counter (k, v) VALUES ('n', ?) ON CONFLICT(k) DO UPDATE SET v = v + excluded.v RETURNING v",
            by,
        ).one()["v"]
        for ws in self.get_websockets():
            ws.send(str(value))
        return value

    def value(self) -> int:
        """The current value."""
        rows = self.storage.sql.exec("SELECT v FROM counter WHERE k = 'n'").to_list()
        return rows[0]["v"] if rows else 0

    async def fetch(self, request: Request | WebSocket) -> JSONResponse | None:
        if isinstance(request, WebSocket):
            self.accept_websocket(request, tags=["watchers"])
            return None
        if request.method == "POST":
            value = await self.increment()
            # Reset the counter an hour after its last increment.
            self.storage.set_alarm(datetime.now(UTC) + timedelta(hours=1))
            return JSONResponse({"name": self.name, "value": value})
        return JSONResponse({"name": self.name, "value": self.value()})

    async def websocket_message(self, ws, message: str | bytes) -> None:
        if message == "+":
            await self.increment()

    async def alarm(self, info: AlarmInfo) -> None:
        self.storage.sql.exec("DELETE FROM counter")


app = API(Counter, ns="/:name")
