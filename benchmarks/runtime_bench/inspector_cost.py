"""Section 6: what the inspector costs a request: the app alone vs the app with the inspector attached.

Requests are driven straight into the ASGI app in process (no sockets, no HTTP parsing), so the
figure is the inspector's share of dotdo's own work per request: the observer (timeline ring,
Prometheus counters, request-id header, log context) around `GET /<name>/incr`. Rounds alternate
between the configurations so that drift in the machine's speed falls on all of them alike.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from counter_app import Counter

from dotdo import API
from dotdo.inspector import Inspector
from dotdo.runtime.runtime import Runtime

from .report import Figure, middle, ratio_at_least

OBJECTS = 64


async def _drive(app: Any, count: int) -> float:
    """Requests per CPU-second of `count` GET /<name>/incr over OBJECTS objects, one at a time.

    CPU time of this process (all its threads), not wall time: on a shared machine other processes'
    load would otherwise swamp a difference of a few percent.
    """
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            sent.append(message)

    start = time.process_time()
    for i in range(count):
        path = f"/c{i % OBJECTS}/incr"
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"bench")],
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
        }
        await app(scope, receive, send)
    elapsed = time.process_time() - start
    assert all(m["status"] == 200 for m in sent), "every request answered 200"
    return count / elapsed


async def measure(folder: Path, *, count: int, repeats: int) -> tuple[list[Figure], list[str]]:
    """Requests/s with the inspector (timeline on, and metrics only) against the bare app, same run."""
    results: dict[str, list[float]] = {"bare": [], "inspector": [], "metrics": []}
    runtimes = []
    apps: dict[str, Any] = {}
    for name in results:
        runtime = Runtime(data_dir=folder / name, objects=[Counter])
        await runtime.start()
        runtimes.append(runtime)
        api = API(Counter, ns="/:name", runtime=runtime)
        if name == "bare":
            apps[name] = api
        else:
            apps[name] = Inspector(timeline=name == "inspector").attach(api)
        await _drive(apps[name], OBJECTS * 4)
    try:
        for _ in range(repeats):
            for name, app in apps.items():
                results[name].append(await _drive(app, count))
    finally:
        for runtime in runtimes:
            await runtime.close()
    bare = middle(results["bare"])
    figures = [
        Figure(
            "requests per CPU-second with the inspector (timeline + metrics)",
            middle(results["inspector"]),
            "req/CPU-s",
            "the same app without it",
            bare,
            target=">= 0.95x (under 5% slower)",
            meets=ratio_at_least(0.95),
        ),
        Figure(
            "requests per CPU-second with metrics only (Inspector(timeline=False))",
            middle(results["metrics"]),
            "req/CPU-s",
            "the same app without it",
            bare,
            target=">= 0.95x",
            meets=ratio_at_least(0.95),
        ),
    ]
    notes = [
        f"{count:,} GET /<name>/incr over {OBJECTS} objects per round, driven into the ASGI app in process "
        f"(no sockets), {repeats} alternating rounds, the median counts; each request commits before it answers. "
        "Measured in CPU time of the process, so other processes' load on the machine does not bias the ratio."
    ]
    return figures, notes
