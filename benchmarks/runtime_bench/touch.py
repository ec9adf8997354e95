"""Touching N objects over HTTP before the load runs, timing the first requests to new objects."""

from __future__ import annotations

import http.client
import threading
import time

SEQUENTIAL = 100
THREADS = 8


def _get(conn: http.client.HTTPConnection, path: str) -> int:
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    return response.status


def touch_objects(port: int, path: str, count: int) -> list[float]:
    """GET `path % i` for i in 1..count (each creates an object); returns the first ones' latencies in ms.

    The first `SEQUENTIAL` objects are created one at a time over a keep-alive connection, so their
    latency is the cost of creating an object; the rest are touched by 8 threads. Any non-200
    answer raises.
    """
    latencies: list[float] = []
    failures: list[str] = []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    first = min(SEQUENTIAL, count)
    for i in range(1, first + 1):
        start = time.perf_counter()
        status = _get(conn, path % i)
        latencies.append((time.perf_counter() - start) * 1000)
        if status != 200:
            failures.append(f"{path % i}: {status}")
    conn.close()

    def worker(offset: int) -> None:
        local = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for i in range(first + 1 + offset, count + 1, THREADS):
            status = _get(local, path % i)
            if status != 200:
                failures.append(f"{path % i}: {status}")
        local.close()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"{len(failures)} touches failed, e.g. {failures[:3]}")
    return latencies


def hot_latency(port: int, path: str, count: int = 100) -> list[float]:
    """Latencies (ms) of `count` sequential requests to one live object, for comparison."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        _get(conn, path)
        samples.append((time.perf_counter() - start) * 1000)
    conn.close()
    return samples
