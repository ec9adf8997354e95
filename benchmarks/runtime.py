"""The runtime benchmark: `python benchmarks/runtime.py [--quick]`.

Prints, in one run, each figure next to a baseline measured in the same run, and the ratio:
1. increments/s through `storage.sql.exec` vs raw sqlite3 (same statement, same commit points);
2. in-process stub calls/s, sequential and 64 gathered;
3. activation time of a cold object (new, and re-activated after eviction), median and p99;
4. resident memory of 10,000 live idle objects (fresh subprocess);
5. HTTP requests/s and p50/p99 under wrk for one hot object and 1,000 objects, both durability
   modes, against a bare Starlette + sqlite3 app and Cloudflare's workerd;
6. what the inspector (timeline, metrics) costs a request, against the same app without it.
`--help` lists the options (sections, durations, rounds, where data and workerd go).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from rich.console import Console

sys.path.insert(0, str(Path(__file__).resolve().parent))

from runtime_bench import activation, http_load, inspector_cost, memory, storage_increments, stub_calls
from runtime_bench.report import Figure, render
from runtime_bench.servers import REPO_SRC, python_env
from runtime_bench.workerd_setup import default_cache, prepare_workerd, workerd_version
from runtime_bench.wrk import INSTALL_HINT as WRK_HINT
from runtime_bench.wrk import wrk_path

SECTIONS = ("storage", "stubs", "activation", "memory", "http", "inspector")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options; `--quick` shrinks every default for a run of a few minutes."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short run: smaller counts, 1 wrk round of 3 s")
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"comma-separated subset of {SECTIONS}")
    parser.add_argument("--duration", type=float, help="seconds per wrk run (default 8; quick 3)")
    parser.add_argument("--runs", type=int, help="wrk rounds, the median counts (default 3; quick 1)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (default 64)")
    parser.add_argument("--objects", type=int, default=1000, help="objects of the random HTTP workload")
    parser.add_argument("--increments", type=int, help="increments per storage run (default 200,000; quick 20,000)")
    parser.add_argument("--calls", type=int, help="stub calls per run (default 19,200; quick 3,200)")
    parser.add_argument("--activations", type=int, help="objects activated (default 1,000; quick 200)")
    parser.add_argument(
        "--requests", type=int, help="in-process requests per inspector round (default 20,000; quick 4,000)"
    )
    parser.add_argument("--memory-objects", type=int, help="live objects measured (default 10,000; quick 2,000)")
    parser.add_argument("--repeats", type=int, default=3, help="in-process repetitions, the median counts")
    parser.add_argument("--no-granian", action="store_true", help="serve dotdo and the baseline with uvicorn only")
    parser.add_argument("--no-workerd", action="store_true", help="leave workerd out of the HTTP section")
    parser.add_argument("--no-install", action="store_true", help="never run `npm ci` for workerd")
    parser.add_argument("--workerd-cache", type=Path, default=default_cache(), help="where workerd is installed")
    parser.add_argument("--data-root", type=Path, help="parent folder of the run's data (default: system temp)")
    parser.add_argument("--keep", action="store_true", help="keep the run's data folder (and server logs)")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    args = parser.parse_args(argv)
    quick = args.quick
    args.duration = args.duration or (3.0 if quick else 8.0)
    args.runs = args.runs or (1 if quick else 3)
    args.increments = args.increments or (20_000 if quick else 200_000)
    args.calls = args.calls or (3_200 if quick else 19_200)
    args.activations = args.activations or (200 if quick else 1_000)
    args.memory_objects = args.memory_objects or (2_000 if quick else 10_000)
    args.requests = args.requests or (4_000 if quick else 20_000)
    chosen = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = sorted(set(chosen) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown sections {unknown}; choose from {', '.join(SECTIONS)}")
    args.sections = chosen
    return args


def _filesystem(path: Path) -> str:
    best = None
    for partition in psutil.disk_partitions(all=True):
        if str(path).startswith(partition.mountpoint) and (best is None or len(partition.mountpoint) > len(best[0])):
            best = (partition.mountpoint, partition.fstype)
    return best[1] if best else "unknown"


def _tool_version(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return "not installed"
    return ((done.stdout or done.stderr).strip().splitlines() or ["?"])[0]


def print_header(console: Console, args: argparse.Namespace, root: Path) -> None:
    """Machine, versions and settings, so figures from different runs can be told apart."""
    import dotdo

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    console.rule("[bold]dotdo runtime benchmark")
    console.print(
        f"dotdo {dotdo.__version__} (from {Path(dotdo.__file__).parent}), Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs, load average {load}"
    )
    console.print(f"data under {root} ({_filesystem(root)}); {'quick' if args.quick else 'full'} run")
    console.print(
        "Figures are absolute for this machine at this moment; the ratios, measured in the same run, are what "
        "to compare.\n"
    )


async def run_in_process(args: argparse.Namespace, root: Path, console: Console) -> list[tuple[str, list[Figure]]]:
    """Sections 1-3 and 6 (same process) in order."""
    done: list[tuple[str, list[Figure]]] = []
    if "storage" in args.sections:
        console.print("[dim]1. storage increments…[/]")
        figures, notes = await storage_increments.measure(
            root / "storage", count=args.increments, power_count=max(2_000, args.increments // 20), repeats=args.repeats
        )
        render(console, "1. Increments through storage.sql.exec vs raw sqlite3", figures, notes)
        done.append(("storage", figures))
    if "stubs" in args.sections:
        console.print("[dim]2. stub calls…[/]")
        figures, notes = await stub_calls.measure(root / "stubs", count=args.calls, repeats=args.repeats)
        render(console, "2. In-process stub calls: await rt.get(Counter, 'x').increment()", figures, notes)
        done.append(("stubs", figures))
    if "activation" in args.sections:
        console.print("[dim]3. activation…[/]")
        figures, notes = await activation.measure(root / "activation", count=args.activations)
        render(console, "3. Activation of a cold object (lower is better)", figures, notes)
        done.append(("activation", figures))
    if "inspector" in args.sections:
        console.print("[dim]6. the inspector's cost per request…[/]")
        figures, notes = await inspector_cost.measure(root / "inspector", count=args.requests, repeats=args.repeats)
        render(
            console, "6. Requests per CPU-second with the inspector attached vs the same app without it", figures, notes
        )
        done.append(("inspector", figures))
    return done


def run_memory(args: argparse.Namespace, root: Path, console: Console) -> list[Figure]:
    """Section 4 in fresh subprocesses: the default open-database cap, and a cap of 1,024."""
    console.print(f"[dim]4. memory of {args.memory_objects:,} live objects (fresh subprocesses)…[/]")
    figures, notes = memory.measure(root / "memory", count=args.memory_objects, env=python_env())
    render(console, "4. Resident memory of live idle objects (lower is better)", figures, notes)
    return figures


def run_http(args: argparse.Namespace, root: Path, console: Console) -> list[Figure]:
    """Section 5, or a message saying what to install when wrk is missing."""
    if wrk_path() is None:
        console.print(f"[yellow]5. HTTP section skipped: wrk is not installed; {WRK_HINT}.[/]\n")
        return []
    workerd = None
    if not args.no_workerd:
        workerd = prepare_workerd(
            args.workerd_cache, install=not args.no_install, say=lambda m: console.print(f"[yellow]{m}[/]")
        )
    granian = not args.no_granian and _has_module("granian")
    if not args.no_granian and not granian:
        console.print("[yellow]granian is not installed (pip install granian): serving with uvicorn only[/]")
    specs = http_load.server_specs(granian=granian, workerd=workerd)
    console.print(
        f"[dim]5. HTTP: {len(specs)} servers, wrk -t1 -c{args.connections} -d{args.duration:g}s, "
        f"{args.runs} round(s); {_tool_version(['wrk', '--version'])}"
        + (f"; {workerd_version(workerd[0])}" if workerd else "; workerd: not measured")
        + "[/]"
    )
    plan = http_load.HttpPlan(specs, args.duration, args.runs, args.connections, args.objects)
    results = http_load.run_load(plan, root / "http", console)
    console.print()
    console.print(http_load.results_table(results, args.objects))
    console.print()
    ratios = http_load.ratio_figures(results, args.objects)
    logged = any(spec.access_log for spec in specs if spec.kind == "bare" and spec.server == "uvicorn")
    access = (
        "dotdo dev logs every request (uvicorn's access log), so the bare app under uvicorn does too"
        if logged
        else "dotdo dev writes no access log, nor does the bare app under uvicorn"
    )
    render(
        console,
        "5b. HTTP requests/s: dotdo / bare Starlette + sqlite3 (same server software), dotdo / workerd",
        ratios,
        [
            "Routes: dotdo answers GET /<name>/incr (API(Counter, ns='/:name'), fetch handles /incr); the bare "
            "app and workerd answer GET /counter/<name>/incr. Same increment, same commit-before-answer.",
            "bare = one SQLite file per counter, WAL, synchronous=NORMAL (process) or FULL (power), commit per "
            "request; workerd fsyncs each request (its only mode), so it is the baseline of the power targets.",
            f"{access}; granian logs no requests by default.",
        ],
    )
    creation = http_load.creation_figures(results, args.objects)
    render(console, "5c. Object creation over HTTP and server memory (lower is better)", creation)
    return ratios + creation


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def main(argv: list[str] | None = None) -> None:
    """Run the chosen sections and print their tables."""
    args = parse_args(argv)
    console = Console(width=max(140, shutil.get_terminal_size().columns))
    if args.data_root:
        args.data_root.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="dotdo-bench-", dir=args.data_root))
    print_header(console, args, root)
    if not (REPO_SRC / "dotdo").is_dir():
        console.print("[dim]measuring the installed dotdo package (no src/ checkout next to benchmarks/)[/]")
    started = time.monotonic()
    collected: dict[str, list[Figure]] = {}
    try:
        for name, figures in asyncio.run(run_in_process(args, root, console)):
            collected[name] = figures
        if "memory" in args.sections:
            collected["memory"] = run_memory(args, root, console)
        if "http" in args.sections:
            collected["http"] = run_http(args, root, console)
    finally:
        if args.keep:
            console.print(f"[dim]data and server logs kept in {root}[/]")
        else:
            shutil.rmtree(root, ignore_errors=True)
    console.print(f"[dim]done in {time.monotonic() - started:.0f} s[/]")
    if args.json:
        payload = {name: [f.as_dict() for f in figures] for name, figures in collected.items()}
        args.json.write_text(json.dumps(payload, indent=2))
        console.print(f"[dim]figures written to {args.json}[/]")


if __name__ == "__main__":
    main()
