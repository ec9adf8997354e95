"""Section 6: what the inspector costs a request: the app alone vs the app with the inspector attached.

Requests are driven straight into the ASGI app in process (no sockets, no HTTP parsing), so the
figure is the inspector's share of dotdo's own work per request: the observer (timeline ring,
Prometheus counters, request-id header, log context) around `GET /<name>/incr`. The configurations
take turns in short batches, in a rotating order, so that drift in the machine's speed falls on all
of them alike. Two identical apps of one process differ by up to ~10% here (where each one's memory
and files landed), so each configuration runs on three apps, created in a Latin-square order (each
configuration once in each creation slot), and a turn's figure is the mean over its three apps. The
fastest turn counts (as `timeit` takes its best run: on a shared machine, other processes only make
a turn slower); the median ratio of turns run side by side is given too.
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
BATCH = 1000
"""Requests per batch: short, so that the configurations compared run close together in time."""


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
    names = ["bare", "inspector", "metrics"]
    results: dict[str, list[float]] = {name: [] for name in names}
    runtimes = []
    apps: dict[str, list[Any]] = {name: [] for name in names}
    for square_row in range(len(names)):
        for name in names[square_row:] + names[:square_row]:
            runtime = Runtime(data_dir=folder / f"{name}-{square_row}", objects=[Counter])
            await runtime.start()
            runtimes.append(runtime)
            api = API(Counter, ns="/:name", runtime=runtime)
            app = api if name == "bare" else Inspector(timeline=name == "inspector").attach(api)
            apps[name].append(app)
            await _drive(app, OBJECTS * 4)
    batch = min(BATCH, count)
    turns = max(1, count // BATCH) * repeats
    try:
        for turn in range(turns):
            for name in names[turn % 3 :] + names[: turn % 3]:
                rates = [await _drive(app, batch) for app in apps[name]]
                results[name].append(sum(rates) / len(rates))
    finally:
        for runtime in runtimes:
            await runtime.close()
    bare = max(results["bare"])
    paired = {
        name: middle(a / b for a, b in zip(results[name], results["bare"], strict=True))
        for name in ("inspector", "metrics")
    }
    figures = [
        Figure(
            "requests per CPU-second with the inspector (timeline + metrics)",
            max(results["inspector"]),
            "req/CPU-s",
            "the same app without it",
            bare,
            target=">= 0.95x (under 5% slower)",
            meets=ratio_at_least(0.95),
        ),
        Figure(
            "requests per CPU-second with metrics only (Inspector(timeline=False))",
            max(results["metrics"]),
            "req/CPU-s",
            "the same app without it",
            bare,
            target=">= 0.95x",
            meets=ratio_at_least(0.95),
        ),
    ]
    notes = [
        f"{turns:,} turns of {batch:,} GET /<name>/incr over {OBJECTS} objects on each of 3 apps per configuration, "
        "driven into the ASGI app in process (no sockets), the configurations taking turns; the fastest turn "
        "of each counts. Each request commits before it answers. Measured in CPU time of the process.",
        f"Median ratio of batches run side by side: timeline + metrics {paired['inspector']:.2f}x, "
        f"metrics only {paired['metrics']:.2f}x.",
    ]
    return figures, notes
