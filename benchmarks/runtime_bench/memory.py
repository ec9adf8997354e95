"""Section 4: resident memory of 10,000 live idle objects, measured in fresh subprocesses.

The probe (`memory_probe.py`) warms one object up, then activates N more (each runs `on_start` and
one increment, then stays idle) and reports the RSS delta. The runtime keeps every object live but
caps open SQLite connections (file descriptors); an open connection costs ~150 KB in SQLite and
Python's sqlite3, so the figure depends on that cap: it is measured with the default cap and with
a cap of 1,024. The HTTP section adds a same-run comparison with workerd and the bare baseline
(server RSS growth after touching 1,000 objects).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .report import Figure, value_below

PROBE = Path(__file__).with_name("memory_probe.py")
REFERENCE_OBJECTS = 10_000
CAPS = (None, 1024)


def _probe(folder: Path, count: int, cap: int | None, env: dict[str, str]) -> dict[str, int]:
    argv = [sys.executable, str(PROBE), str(folder), str(count)] + ([str(cap)] if cap else [])
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=1800, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"memory probe failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(folder: Path, *, count: int, env: dict[str, str]) -> tuple[list[Figure], list[str]]:
    """RSS per 10,000 live idle objects (scaled linearly when `count` is smaller), per connection cap."""
    figures = []
    notes = []
    for cap in CAPS:
        result = _probe(folder / f"cap-{cap or 'default'}", count, cap, env)
        delta = result["rss_after"] - result["rss_before"]
        per_reference = delta * REFERENCE_OBJECTS / count / 2**20
        scaled = "" if count == REFERENCE_OBJECTS else f", measured with {count:,} and scaled"
        cap_text = f"max_open_databases={cap:,}" if cap else f"default cap ({result['max_open_databases']:,})"
        figures.append(
            Figure(
                label=f"RSS per {REFERENCE_OBJECTS:,} live idle objects, {cap_text}{scaled}",
                value=per_reference,
                unit="MB",
                baseline_label="(workerd: ~1.1 GB, published figure)",
                higher_is_better=False,
                target="< 300 MB",
                meets=value_below(300),
                note=f"{delta / count / 1024:.1f} KB per object; {result['live']:,} live, "
                f"{result['open_databases']:,} databases open",
            )
        )
    notes.append(
        f"Fresh process per line, RSS before: {result['rss_before'] / 2**20:.0f} MB; ulimit -n "
        f"{os.sysconf('SC_OPEN_MAX')}. The default cap comes from the descriptor limit (3 per database)."
    )
    return figures, notes
