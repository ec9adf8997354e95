"""Run in a fresh process by the memory section: N live idle counters, RSS before and after.

Usage: python memory_probe.py DATA_DIR N [MAX_OPEN_DATABASES]. Prints one JSON line.

The N databases are made first by copying one counter's database file (creating 10,000 SQLite files
one by one costs minutes of fsyncs and is measured by the activation section, not here). Then every
counter is activated and incremented once in a runtime of this fresh process and left idle, and the
growth of the process's resident memory is reported.
"""

from __future__ import annotations

import asyncio
import gc
import json
import shutil
import sys
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from counter_app import Counter

from dotdo import Runtime, id_from_name
from dotdo.runtime.data_folder import DataFolder


def _names(count: int) -> list[str]:
    return [f"idle{i}" for i in range(count)]


async def _seed(data_dir: Path, count: int) -> None:
    async with Runtime(data_dir=data_dir, objects=[Counter]) as rt:
        await rt.get(Counter, "template").increment()
    folder = DataFolder(data_dir)
    oid = id_from_name(Counter, "template")
    template = folder.object_path(oid.namespace, oid.hex)
    for name in _names(count):
        oid = id_from_name(Counter, name)
        target = folder.object_path(oid.namespace, oid.hex)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, target)


async def probe(data_dir: Path, count: int, max_open: int | None) -> dict[str, int]:
    """Activate `count` counters in one runtime and measure this process's resident memory."""
    await _seed(data_dir, count)
    process = psutil.Process()
    async with Runtime(
        data_dir=data_dir,
        objects=[Counter],
        max_live_objects=count + 10,
        idle_timeout=3600,
        max_open_databases=max_open,
    ) as rt:
        await rt.get(Counter, "warm-up").increment()
        gc.collect()
        before = process.memory_info().rss
        names = _names(count)
        for start in range(0, count, 64):
            await asyncio.gather(*(rt.get(Counter, name).increment() for name in names[start : start + 64]))
        gc.collect()
        after = process.memory_info().rss
        return {
            "rss_before": before,
            "rss_after": after,
            "live": rt.host.live_count - 1,
            "open_databases": len(rt.host.budget),
            "max_open_databases": rt.host.budget.max_open,
        }


def main() -> None:
    """Entry point: `python memory_probe.py DATA_DIR N [MAX_OPEN_DATABASES]`."""
    data_dir, count = Path(sys.argv[1]), int(sys.argv[2])
    max_open = int(sys.argv[3]) if len(sys.argv) > 3 else None
    print(json.dumps(asyncio.run(probe(data_dir, count, max_open))))


if __name__ == "__main__":
    main()
