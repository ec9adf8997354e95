"""Prometheus metrics of an app (prometheus-client's text format at `/_dotdo/metrics`).

Nothing here calls prometheus-client while a request runs: each request adds to plain Python
integers (`RequestCounts`), and the runtime keeps its own counts (live objects, activations,
evictions, commits, fsyncs and their time, alarms, events, dead letters). Both are turned into
metric families only when the endpoint is scraped, which is what keeps metrics cheap enough to
stay on.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from ..runtime.runtime import Runtime

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)
"""Upper bounds (seconds) of the request latency histogram: prometheus-client's defaults."""


class RequestCounts:
    """What requests and WebSockets add up to, in plain integers, read when scraped."""

    def __init__(self) -> None:
        self.requests: dict[tuple[str, int], list[float]] = {}
        """Per class and status, a row: requests answered, the sum of their seconds, then one count
        per latency bucket (`LATENCY_BUCKETS`, then +Inf). See `row`."""
        self.websockets: dict[str, int] = {}
        """WebSocket sessions opened, by class."""
        self.open_websockets: dict[str, int] = {}
        """WebSockets open now, by class."""
        self.rpc_sessions = 0

    def row(self, cls: str, status: int) -> list[float]:
        """The row of requests of class `cls` answered with `status`, made on first use.

        A request adds to it in place (what `answered` does; the observer does the same inline):
        `row[0] += 1; row[1] += seconds; row[2 + bisect_left(LATENCY_BUCKETS, seconds)] += 1`.
        """
        found = self.requests.get((cls, status))
        if found is None:
            found = self.requests[(cls, status)] = [0, 0.0] + [0] * (len(LATENCY_BUCKETS) + 1)
        return found

    def answered(self, cls: str, status: int, seconds: float) -> None:
        """Count one request of class `cls` answered with `status` after `seconds`."""
        row = self.row(cls, status)
        row[0] += 1
        row[1] += seconds
        row[2 + bisect_left(LATENCY_BUCKETS, seconds)] += 1

    def websocket_opened(self, cls: str) -> None:
        """Count a WebSocket session of class `cls` that opens now."""
        self.websockets[cls] = self.websockets.get(cls, 0) + 1
        self.open_websockets[cls] = self.open_websockets.get(cls, 0) + 1

    def websocket_closed(self, cls: str) -> None:
        """Note that a WebSocket of class `cls` closed."""
        self.open_websockets[cls] -= 1


class RequestCollector(Collector):
    """Turns `RequestCounts` into metric families at scrape time."""

    def __init__(self, counts: RequestCounts) -> None:
        self.counts = counts

    def collect(self) -> Iterator[Metric]:
        """Requests by class and status, latency histograms by class, WebSockets and RPC sessions."""
        counts = self.counts
        requests = CounterMetricFamily("dotdo_requests", "HTTP requests answered", labels=["cls", "status"])
        by_class: dict[str, list[float]] = {}
        for (cls, status), row in sorted(counts.requests.items()):
            requests.add_metric([cls, str(status)], row[0])
            total = by_class.setdefault(cls, [0] * len(row))
            for index, value in enumerate(row):
                total[index] += value
        yield requests
        latency = HistogramMetricFamily(
            "dotdo_request_duration_seconds", "Time to answer an HTTP request", labels=["cls"]
        )
        for cls, row in by_class.items():
            cumulative, buckets = 0.0, []
            for bound, count in zip((*LATENCY_BUCKETS, float("inf")), row[2:], strict=True):
                cumulative += count
                buckets.append((_bound(bound), cumulative))
            latency.add_metric([cls], buckets, sum_value=row[1])
        yield latency
        opened = CounterMetricFamily("dotdo_websocket_sessions", "WebSocket sessions opened", labels=["cls"])
        open_now = GaugeMetricFamily("dotdo_open_websockets", "WebSockets open now", labels=["cls"])
        for cls, value in sorted(counts.websockets.items()):
            opened.add_metric([cls], value)
            open_now.add_metric([cls], counts.open_websockets.get(cls, 0))
        yield opened
        yield open_now
        yield CounterMetricFamily("dotdo_rpc_sessions", "Cap'n Web RPC sessions and batches", value=counts.rpc_sessions)


class RuntimeCollector(Collector):
    """Reads the runtime's counts at scrape time."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def collect(self) -> Iterator[Metric]:
        """The runtime's objects, commits, fsyncs, alarms, events and dead letters."""
        runtime = self.runtime
        commits, groups, fsyncs = runtime.commit_counts
        counts = runtime.happenings
        yield GaugeMetricFamily("dotdo_live_objects", "Objects in memory", value=runtime.live_count)
        yield CounterMetricFamily("dotdo_activations", "Objects activated", value=runtime.activations)
        yield CounterMetricFamily("dotdo_evictions", "Objects evicted from memory", value=runtime.evictions)
        yield CounterMetricFamily("dotdo_commits", "Object transactions committed", value=commits)
        yield CounterMetricFamily(
            "dotdo_commit_groups", "Group commits (commits / groups is the mean batch size)", value=groups
        )
        yield CounterMetricFamily("dotdo_fsyncs", "fsync calls made to make commits durable", value=fsyncs)
        yield CounterMetricFamily(
            "dotdo_fsync_seconds", "Time spent making commits durable (fsync, syncfs)", value=runtime.fsync_seconds
        )
        yield CounterMetricFamily("dotdo_alarms_fired", "Alarms and timers fired", value=counts.alarms_fired)
        yield CounterMetricFamily(
            "dotdo_alarms_retried",
            "Alarm and timer runs that failed and were scheduled again",
            value=counts.alarms_retried,
        )
        yield CounterMetricFamily("dotdo_events_sent", "Events sent with ctx.send", value=counts.events_sent)
        yield CounterMetricFamily(
            "dotdo_events_delivered", "Events delivered to a subscriber's handler", value=counts.events_delivered
        )
        yield CounterMetricFamily(
            "dotdo_dead_letters", "Events dead-lettered after their last retry", value=counts.dead_letters
        )


class Metrics:
    """The metrics of one app, in their own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.counts = RequestCounts()
        self.registry.register(RequestCollector(self.counts))
        self._runtime: Runtime | None = None

    def watch(self, runtime: Runtime) -> None:
        """Report `runtime`'s counts too (once)."""
        if self._runtime is None:
            self._runtime = runtime
            self.registry.register(RuntimeCollector(runtime))

    def render(self) -> bytes:
        """Every metric in Prometheus text format."""
        return generate_latest(self.registry)


def _bound(bound: float) -> str:
    return "+Inf" if bound == float("inf") else repr(bound)
