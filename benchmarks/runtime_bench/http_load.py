"""Section 5: HTTP requests/s and latency under wrk for dotdo, the bare baseline and workerd.

Every server runs at once as a real process on 127.0.0.1 with its own data folder: `dotdo dev`
(uvicorn) and granian serving `counter_app:app`, uvicorn and granian serving `baseline_starlette:app`,
each in both durability modes, and workerd. Each first gets its 1,000 objects touched (the first
100 one at a time, timing object creation), then the wrk runs go round-robin over the servers
(`runs` rounds) so drift in the machine's load hits every server alike; the median run counts.
The 1,000 objects are touched again right before each random run, so every server is measured with
its objects live (dotdo evicts objects idle for 30 s, and the rounds take longer than that).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .report import Figure, middle, percentile, ratio_at_least
from .servers import RunningServer, ServerSpec
from .touch import hot_latency, touch_objects
from .wrk import WrkResult, run_wrk

DOTDO_PATH = "/n%d/incr"
COUNTER_PATH = "/counter/n%d/incr"
WORKLOADS = ("hot", "random")


def workload_label(workload: str, objects: int) -> str:
    """How a workload is named in the tables."""
    return "one hot object" if workload == "hot" else f"{objects:,} random objects"


@dataclass
class HttpPlan:
    """What to run: servers, wrk settings, rounds."""

    specs: list[ServerSpec]
    duration: float
    runs: int
    connections: int
    objects: int


@dataclass
class ServerResults:
    """What one server measured."""

    spec: ServerSpec
    wrk: dict[str, list[WrkResult]] = field(default_factory=dict)
    rss_before: int = 0
    rss_after: int = 0
    create_ms: list[float] = field(default_factory=list)
    hot_ms: list[float] = field(default_factory=list)

    def rps(self, workload: str) -> float:
        """Median requests/s of a workload."""
        return middle(r.rps for r in self.wrk[workload])


def server_specs(*, granian: bool, workerd: tuple[Path, Path] | None) -> list[ServerSpec]:
    """Every server of the section: dotdo and bare under uvicorn (and granian), both modes, and workerd."""
    specs = []
    servers = ["uvicorn", "granian"] if granian else ["uvicorn"]
    for durability in ("process", "power"):
        for server in servers:
            label = "dotdo dev (uvicorn)" if server == "uvicorn" else "dotdo (granian)"
            specs.append(ServerSpec(f"dotdo-{server}-{durability}", label, "dotdo", server, durability, DOTDO_PATH))
            specs.append(
                ServerSpec(f"bare-{server}-{durability}", f"bare ({server})", "bare", server, durability, COUNTER_PATH)
            )
    if workerd is not None:
        specs.append(ServerSpec("workerd", "workerd", "workerd", "workerd", "power", COUNTER_PATH, workerd=workerd))
    return specs


def run_load(plan: HttpPlan, folder: Path, console: Console) -> dict[str, ServerResults]:
    """Start every server, touch its objects, run the wrk rounds, stop them; results by server key."""
    running: list[RunningServer] = []
    results: dict[str, ServerResults] = {}
    try:
        for spec in plan.specs:
            console.print(f"  [dim]starting {spec.label} ({spec.durability}), touching {plan.objects:,} objects…[/]")
            server = RunningServer(spec, folder / spec.key, folder / f"{spec.key}.log")
            running.append(server)
            server.wait_ready()
            result = results[spec.key] = ServerResults(spec)
            result.hot_ms = hot_latency(server.port, spec.hot_path())
            result.rss_before = server.rss()
            result.create_ms = touch_objects(server.port, spec.path, plan.objects)
            result.rss_after = server.rss()
            if spec.kind == "dotdo" and spec.server == "uvicorn":
                # The bare app gets the same access logging `dotdo dev` does (it costs ~1/3 of throughput).
                for other in plan.specs:
                    if other.kind == "bare" and other.server == "uvicorn":
                        other.access_log = server.logs_requests()
            run_wrk(server.port, spec.hot_path(), duration=1, connections=plan.connections)
        for round_number in range(1, plan.runs + 1):
            for server in running:
                spec = server.spec
                for workload in WORKLOADS:
                    path, objects = (spec.hot_path(), 0) if workload == "hot" else (spec.path, plan.objects)
                    if objects:
                        # Objects idle since the last round may have been evicted (dotdo: after 30 s);
                        # the workload measures them live, as right after the first touch.
                        touch_objects(server.port, spec.path, objects)
                    outcome = run_wrk(
                        server.port, path, objects=objects, duration=plan.duration, connections=plan.connections
                    )
                    results[spec.key].wrk.setdefault(workload, []).append(outcome)
                    console.print(
                        f"  [dim]round {round_number}/{plan.runs} {spec.label:20} {spec.durability:7} {workload:6} "
                        f"{outcome.rps:9,.0f} req/s  p99 {outcome.p99_ms:7.1f} ms  errors {outcome.errors}[/]"
                    )
    finally:
        for server in running:
            server.stop()
    return results


def results_table(results: dict[str, ServerResults], objects: int) -> Table:
    """Every server and workload: median req/s, p50, p99 and errors over the runs."""
    table = Table(title="5a. HTTP under wrk: every server", title_justify="left", title_style="bold")
    for column in ("server", "durability", "workload"):
        table.add_column(column)
    for column in ("req/s", "p50 ms", "p99 ms", "errors"):
        table.add_column(column, justify="right")
    for result in results.values():
        for workload in WORKLOADS:
            label = workload_label(workload, objects)
            runs = result.wrk.get(workload, [])
            if not runs:
                continue
            table.add_row(
                result.spec.label,
                result.spec.durability if result.spec.kind != "workerd" else "fsync per request",
                label,
                f"{middle(r.rps for r in runs):,.0f}",
                f"{middle(r.p50_ms for r in runs):.2f}",
                f"{middle(r.p99_ms for r in runs):.2f}",
                str(sum(r.errors for r in runs)),
            )
    return table


def _target(durability: str, workload: str, baseline_kind: str) -> tuple[str, Callable[[Figure], bool] | None]:
    if durability == "process" and baseline_kind == "bare":
        return ">= 1.0x", ratio_at_least(1.0)
    if durability == "power" and baseline_kind == "workerd":
        return (">= 5x", ratio_at_least(5.0)) if workload == "hot" else (">= 4x", ratio_at_least(4.0))
    return "", None


def ratio_figures(results: dict[str, ServerResults], objects: int) -> list[Figure]:
    """dotdo / bare (same server software) and dotdo / workerd, per mode and workload."""
    figures = []
    workerd = results.get("workerd")
    for durability in ("process", "power"):
        for server in ("uvicorn", "granian"):
            dotdo = results.get(f"dotdo-{server}-{durability}")
            bare = results.get(f"bare-{server}-{durability}")
            if dotdo is None:
                continue
            for workload in WORKLOADS:
                label = workload_label(workload, objects)
                for baseline, kind in ((bare, "bare"), (workerd, "workerd")):
                    if baseline is None:
                        continue
                    target, meets = _target(durability, workload, kind)
                    figures.append(
                        Figure(
                            label=f"{durability}: {label}, {dotdo.spec.label}",
                            value=dotdo.rps(workload),
                            unit="req/s",
                            baseline_label=baseline.spec.label,
                            baseline=baseline.rps(workload),
                            target=target,
                            meets=meets,
                        )
                    )
    return figures


def creation_figures(results: dict[str, ServerResults], objects: int) -> list[Figure]:
    """First request to a new object (median, p99) and server RSS growth for `objects` objects."""
    figures = []
    workerd = results.get("workerd")
    for durability in ("process", "power"):
        dotdo = results.get(f"dotdo-uvicorn-{durability}")
        bare = results.get(f"bare-uvicorn-{durability}")
        if dotdo is None:
            continue
        for baseline in (bare, workerd):
            if baseline is None or (baseline is workerd and durability == "process"):
                continue
            for name, fraction in (("median", 0.5), ("p99", 0.99)):
                figures.append(
                    Figure(
                        label=f"{durability}: first request to a new object, {name}",
                        value=percentile(dotdo.create_ms, fraction),
                        unit="ms",
                        baseline_label=baseline.spec.label,
                        baseline=percentile(baseline.create_ms, fraction),
                        higher_is_better=False,
                        note=f"a request to a live object: {percentile(dotdo.hot_ms, 0.5):.2f} ms (median)",
                    )
                )
        for baseline in (bare, workerd):
            if baseline is None or (baseline is workerd and durability == "process"):
                continue
            figures.append(
                Figure(
                    label=f"{durability}: server RSS growth for {objects:,} objects",
                    value=(dotdo.rss_after - dotdo.rss_before) / 2**20,
                    unit="MB",
                    baseline_label=baseline.spec.label,
                    baseline=(baseline.rss_after - baseline.rss_before) / 2**20,
                    higher_is_better=False,
                )
            )
    return figures
