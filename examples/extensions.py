"""Extending the runtime through its one registry, and reaching objects through the door.

`Bell` declares a timer kind ("ring"), a ctx attachment (`ctx.chime`) and an HTTP mount
(`<bell>/rings`, answered before `fetch`). Serve it with `dotdo dev extensions:app`, or run this
file to see each one work in-process:

    python examples/extensions.py
    curl -X POST localhost:8787/front/ring    # schedules a ring in one second
    curl localhost:8787/front/rings           # answered by the mount: {"bell": "front", "rings": [...]}
"""

from __future__ import annotations

import asyncio
import tempfile

from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from dotdo import API, DO, ManualClock, Runtime
from dotdo.runtime import Objects
from dotdo.runtime.extensions import Extensions


async def ring(bell: Bell, timer) -> None:
    """The "ring" timer kind: runs as an event of the bell when its timer comes due."""
    bell.storage.put("rings", [*bell.rings(), f"{bell.ctx.chime} ({timer.payload})"])


class RingsMount:
    """Answers `GET <bell>/rings` from the bell's storage, before the bell's own `fetch`."""

    async def __call__(self, api: API, scope: Scope, receive: Receive, send: Send) -> bool:
        match = api.routing.match(scope)
        if scope["type"] != "http" or match.path != "/rings":
            return False
        await api.authorize(scope, receive, match.name)
        rings = await api.runtime.call(api.cls, match.name, "rings")
        await JSONResponse({"bell": match.name, "rings": rings})(scope, receive, send)
        return True


class Bell(DO):
    extensions = Extensions(
        timer_kinds={"ring": ring},
        attachments={"chime": lambda ctx: f"ding-dong from {ctx.name}"},
        mounts={"rings": RingsMount()},
    )

    def schedule_ring(self, after: float, note: str) -> None:
        """Ring once, `after` seconds from now (by the runtime's clock)."""
        self.storage.timers.set(f"ring-{note}", self.ctx.now() + after, kind="ring", payload=note)

    def rings(self) -> list[str]:
        """Every ring heard so far."""
        return self.storage.get("rings") or []

    async def fetch(self, request):
        if request.method == "POST" and request.url.path == "/ring":
            self.schedule_ring(1.0, "from HTTP")
            return {"scheduled": True}
        return {"bell": self.name, "try": "POST /ring, then GET /rings"}


app = API(Bell, ns="/:bell")


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        clock = ManualClock(1_700_000_000)  # time moves when told: the ring runs inside advance()
        async with Runtime(folder, objects=[Bell], clock=clock) as runtime:
            objects: Objects = runtime
            await objects.call(Bell, "front", "schedule_ring", 30, "in-process")
            await clock.advance(30)
            print(await objects.call(Bell, "front", "rings"))


if __name__ == "__main__":
    asyncio.run(main())
