"""Prometheus metrics of an app (prometheus-client's text format at `/_dotdo/metrics`).

Per-request figures are counted as requests pass; the runtime's own counts (live objects,
activations, evictions, commits, commit groups, fsyncs) are read from it when scraped, which costs nothing in
between.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from ..runtime.runtime import Runtime

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class RuntimeCollector(Collector):
    """Reads the runtime's counts at scrape time."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        """The runtime's live objects, activations, evictions, commits, commit groups and fsyncs."""
        runtime = self.runtime
        commits, groups, fsyncs = runtime.commit_counts
        yield GaugeMetricFamily("dotdo_live_objects", "Objects in memory", value=runtime.live_count)
        yield CounterMetricFamily("dotdo_activations", "Objects activated", value=runtime.activations)
        yield CounterMetricFamily("dotdo_evictions", "Objects evicted from memory", value=runtime.evictions)
        yield CounterMetricFamily("dotdo_commits", "Object transactions committed", value=commits)
        yield CounterMetricFamily(
            "dotdo_commit_groups", "Group commits (commits / groups is the mean batch size)", value=groups
        )
        yield CounterMetricFamily("dotdo_fsyncs", "fsync calls made to make commits durable", value=fsyncs)


class Metrics:
    """The counters and histograms of one app, in their own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("dotdo_requests", "HTTP requests answered", ["cls", "status"], registry=self.registry)
        self.latency = Histogram(
            "dotdo_request_duration_seconds", "Time to answer an HTTP request", ["cls"], registry=self.registry
        )
        self.websockets = Counter(
            "dotdo_websocket_sessions", "WebSocket sessions opened", ["cls"], registry=self.registry
        )
        self.open_websockets = Gauge("dotdo_open_websockets", "WebSockets open now", ["cls"], registry=self.registry)
        self.rpc_sessions = Counter("dotdo_rpc_sessions", "Cap'n Web RPC sessions and batches", registry=self.registry)
        self._runtime: Runtime | None = None

    def watch(self, runtime: Runtime) -> None:
        """Report `runtime`'s counts too (once)."""
        if self._runtime is None:
            self._runtime = runtime
            self.registry.register(RuntimeCollector(runtime))

    def render(self) -> bytes:
        """Every metric in Prometheus text format."""
        return generate_latest(self.registry)
