"""Running wrk with the benchmark's Lua script and reading its RESULT line."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).with_name("wrk_counter.lua")
_RESULT = re.compile(
    r"RESULT rps=(?P<rps>[\d.]+) p50_ms=(?P<p50>[\d.]+) p99_ms=(?P<p99>[\d.]+) "
    r"requests=(?P<requests>\d+) errors=(?P<errors>\d+)"
)
INSTALL_HINT = "install wrk (Debian/Ubuntu: `apt-get install -y wrk`; macOS: `brew install wrk`)"


@dataclass(frozen=True)
class WrkResult:
    """One wrk run: requests/s, latency percentiles (ms), requests and errors (non-2xx included)."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def wrk_path() -> str | None:
    """The wrk executable, or None when it is not installed."""
    return shutil.which("wrk")


def run_wrk(
    port: int,
    path: str,
    *,
    objects: int = 0,
    duration: float,
    connections: int,
    threads: int = 1,
) -> WrkResult:
    """Load 127.0.0.1:`port` for `duration` seconds; `objects` > 0 spreads requests over that many names."""
    executable = wrk_path()
    if executable is None:
        raise RuntimeError(f"wrk is not installed: {INSTALL_HINT}")
    args = [path] + ([str(objects)] if objects else [])
    command = [
        executable,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration:g}s",
        "--timeout",
        "10s",
        "-s",
        str(SCRIPT),
        f"http://127.0.0.1:{port}/",
        "--",
        *args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60, check=False)
    match = _RESULT.search(done.stdout)
    if done.returncode != 0 or match is None:
        raise RuntimeError(f"wrk failed ({' '.join(command)}):\n{done.stdout[-1000:]}{done.stderr[-1000:]}")
    return WrkResult(
        rps=float(match["rps"]),
        p50_ms=float(match["p50"]),
        p99_ms=float(match["p99"]),
        requests=int(match["requests"]),
        errors=int(match["errors"]),
    )
