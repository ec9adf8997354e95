"""One live timeline for a whole `dotdo serve`: every host's new entries, each labelled with its host.

`dotdo tail --url` (and anyone following `/_dotdo/api/timeline/stream`) reaches whichever host the
kernel picks. That host follows its own timeline and opens a stream to each live peer over the
host-to-host connection, where the peer follows its own with the follower's request (so each host
checks access as usual), and merges them into one stream of server-sent events. Every entry gets a
`host` field. Hosts that join afterwards are not followed; a peer that leaves ends its part.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from .wire import HostUnavailableError, WireClient, WireStream

TIMELINE_STREAM_PATH = "/_dotdo/api/timeline/stream"
STREAM_KIND = "http_stream"
"""The wire stream kind a peer serves with `serve_streamed`: one HTTP request whose answer is streamed."""
HOST_FIELD = "host"

App = Callable[[Scope, Receive, Send], Awaitable[None]]
_END = object()


def labelled_events(chunk: bytes, host_id: str) -> bytes:
    """The `data:` events of a server-sent-events chunk, each JSON entry given `host` (comments dropped)."""
    out = []
    for event in chunk.decode("utf-8").split("\n\n"):
        for line in event.splitlines():
            if line.startswith("data: "):
                entry = json.loads(line[6:])
                entry[HOST_FIELD] = host_id
                out.append(f"data: {json.dumps(entry)}\n\n")
    return "".join(out).encode("utf-8")


async def serve_streamed(stream: WireStream, app: App, scope: Scope) -> None:
    """A peer's end: run one HTTP request through `app`, sending each ASGI message of its answer on `stream`.

    The follower's host ending the stream (or dying) reads as the client disconnecting.
    """
    delivered = False

    async def receive() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": b"", "more_body": False}
        with contextlib.suppress(HostUnavailableError):
            while await stream.receive() is not None:
                pass
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        try:
            stream.send(message)
        except HostUnavailableError:
            raise OSError("the following host is gone") from None

    await app(scope, receive, send)


async def follow_cluster(
    host_id: str,
    app: App,
    peers: dict[str, WireClient],
    scope: Scope,
    receive: Receive,
    send: Send,
    *,
    peer_scope: dict[str, Any],
) -> None:
    """Answer a timeline follower with this host's entries and those of `peers`, each labelled with its host.

    `peer_scope` is the follower's request as peers get it (plain values). This host's own answer
    decides: anything but 200 (no timeline, no access) is relayed as it is.
    """
    merged: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
    gone = asyncio.Event()
    requested = False

    async def local_receive() -> Message:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await gone.wait()
        return {"type": "http.disconnect"}

    async def local_send(message: Message) -> None:
        if gone.is_set():
            raise OSError("the follower left")
        merged.put_nowait((host_id, message))

    async def run_local() -> None:
        try:
            await app(dict(scope), local_receive, local_send)
        finally:
            merged.put_nowait((host_id, _END))

    async def run_peer(peer_id: str, peer: WireClient) -> None:
        stream: WireStream | None = None
        try:
            stream = await peer.open_stream(STREAM_KIND, peer_scope)
            while (message := await stream.receive()) is not None:
                merged.put_nowait((peer_id, message))
        except HostUnavailableError:
            pass
        finally:
            if stream is not None:
                stream.close()
            merged.put_nowait((peer_id, _END))

    async def watch_client() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        gone.set()

    loop = asyncio.get_running_loop()
    tasks = [loop.create_task(run_local()), loop.create_task(watch_client())]
    try:
        source, first = await merged.get()
        if first is _END or first["type"] != "http.response.start" or first["status"] != 200:
            await _relay_local(first, merged, send)
            return
        await send(first)
        tasks += [loop.create_task(run_peer(peer_id, peer)) for peer_id, peer in peers.items()]
        live = {host_id, *peers}
        started = {host_id}
        while live and not gone.is_set():
            getting = loop.create_task(merged.get())
            done, _ = await asyncio.wait({getting, tasks[1]}, return_when=asyncio.FIRST_COMPLETED)
            if getting not in done:
                getting.cancel()
                break
            source, message = getting.result()
            if message is _END:
                live.discard(source)
                continue
            if message["type"] == "http.response.start":
                if message["status"] == 200:
                    started.add(source)
                else:
                    live.discard(source)  # a peer that refuses or has no timeline is left out
                continue
            if source not in started or message["type"] != "http.response.body":
                continue
            body = message.get("body", b"")
            if source == host_id and body.startswith(b":"):
                await send({"type": "http.response.body", "body": body, "more_body": True})  # the heartbeat
                continue
            labelled = labelled_events(body, source)
            if labelled:
                await send({"type": "http.response.body", "body": labelled, "more_body": True})
        with contextlib.suppress(OSError):
            await send({"type": "http.response.body", "body": b"", "more_body": False})
    except OSError:
        pass  # the follower went away while an entry was sent
    finally:
        gone.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _relay_local(first: Any, merged: asyncio.Queue[tuple[str, Any]], send: Send) -> None:
    """Send this host's own (refusing) answer as it is: its start, then its body."""
    if first is _END:
        return
    await send(first)
    while True:
        _source, message = await merged.get()
        if message is _END:
            return
        await send(message)
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            return
