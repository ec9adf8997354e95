"""Benchmark: `ctx.py("1+1")` in a warm sandbox vs a bare `python3 -c "1+1"` and a cold sandbox.

Run: python benchmarks/pyx.py [--repeat N]
Prints p50 and p95 per call for: pyx with its pool of warm sandboxes (the target is p50 < 200 ms),
pyx with no pool (every call starts bubblewrap and Python), and the baseline, a bare
`/usr/bin/python3 -c "1+1"` process with no sandbox and no files — the least any out-of-process
Python can cost. Each pyx call also copies the object's files in and syncs them back.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from dotdo.primitives.bashx import SandboxConfig, SandboxExecutor
from dotdo.primitives.fsx import FileSystem
from dotdo.primitives.pyx import PyConfig, Python, SandboxPool
from dotdo.runtime.storage import Storage


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


async def timed(fn, repeat: int) -> list[float]:
    await fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        await fn()
        samples.append(time.perf_counter() - start)
    return samples


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pyx-bench-") as work:
        fs = FileSystem(Storage(Path(work) / "object.sqlite"))
        await fs.mkdir("/data")
        for i in range(20):
            await fs.write(f"/data/file{i}.csv", "a,b\n" + "".join(f"{j},{j * 2}\n" for j in range(100)))
        config = PyConfig(warm=2)
        warm_pool = SandboxPool(SandboxExecutor(SandboxConfig(limits=config.limits)), size=2)
        cold_pool = SandboxPool(SandboxExecutor(SandboxConfig(limits=config.limits)), size=0)
        warm = Python(fs, pool=warm_pool, config=config)
        cold = Python(fs, pool=cold_pool, config=config)

        async def bare() -> None:
            await asyncio.to_thread(subprocess.run, ["/usr/bin/python3", "-c", "1+1"], check=True)

        async def in_warm() -> None:
            assert (await warm("1+1")).value == 2

        async def in_cold() -> None:
            assert (await cold("1+1")).value == 2

        try:
            rows = [
                ("bare python3 -c (baseline)", await timed(bare, args.repeat)),
                ("ctx.py, warm pool", await timed(in_warm, args.repeat)),
                ("ctx.py, no pool (cold)", await timed(in_cold, args.repeat)),
            ]
        finally:
            warm_pool.close()
            cold_pool.close()
    baseline = statistics.median(rows[0][1])
    print(f"median and p95 of {args.repeat} calls; 20 files of the object's copied in and synced back per pyx call")
    print(f"{'':<30}{'p50 ms':>9}{'p95 ms':>9}{'p50 / baseline':>16}")
    for name, samples in rows:
        p50, p95 = percentiles(samples)
        print(f"{name:<30}{p50 * 1000:>9.1f}{p95 * 1000:>9.1f}{p50 / baseline:>16.2f}")
    warm_p50 = statistics.median(rows[1][1])
    print(f"target p50 < 200 ms with a warm pool: {'met' if warm_p50 < 0.2 else 'NOT met'} ({warm_p50 * 1000:.1f} ms)")


if __name__ == "__main__":
    asyncio.run(main())
