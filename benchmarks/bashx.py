"""Benchmark: small pipelines run natively on fsx by bashx vs spawning real bash on a real directory.

Run: python benchmarks/bashx.py [--files N] [--repeat R] [--stream-repeat S]
Prints the median time per script for both and the ratio (bash time / bashx time: > 1 means bashx
is faster). Both sides see the same files; bash's baseline includes its process start, as a caller
of `subprocess.run(["bash", "-c", ...])` would pay it.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from dotdo.primitives.bashx import Bash
from dotdo.primitives.fsx import FileSystem
from dotdo.runtime.storage import Storage

SCRIPTS = {
    "echo": "echo hello",
    "cat|grep|wc": "cat data.txt | grep x | wc -l",
    "find|xargs wc": "find . -name '*.py' | xargs wc -l",
    "sort|uniq -c": "cut -d' ' -f1 data.txt | sort | uniq -c | sort -rn | head -3",
    "loop 100": "for i in $(seq 100); do echo $((i * 2)); done | tail -1",
    # Streaming: stages run at once over bounded pipes, so an endless writer stops when its reader does.
    "yes|head -1": "yes | head -1",
    "yes|head 100k": "yes | head -n 100000 | wc -l",
    "yes|grep -m1": "yes | tr y n | grep -m1 n",
    "yes|sed 3q": "yes | sed 3q",
    "seq 1e9|head -1": "seq 1000000000 | head -1",
}

STREAMING = {
    # Filters reading a large stream a block at a time (fewer runs each: they move megabytes).
    "seq 1e6|grep|wc": "seq 1000000 | grep 7 | wc -l",
    "seq 1e5|awk count": "seq 100000 | awk '$1 % 7 == 0 {n++} END {print n}'",
    "seq 1e5|sed -n $p": "seq 100000 | sed -n '$p'",
    "seq 1e6|tail -1": "seq 1000000 | tail -n 1",
    "seq 2e5|sort -rn": "seq 200000 | sort -rn | head -1",
    "50MB|tr|grep -c": "yes abcdefghij | head -c 50000000 | tr a-j 0-9 | grep -c 5",
    "50MB|cut|uniq -c": "yes abcdefghij | head -c 50000000 | cut -c 2-4 | uniq -c",
}


def make_files(count: int) -> dict[str, bytes]:
    files = {"data.txt": "".join(f"{'x' if i % 3 == 0 else 'y'}{i % 17} line {i}\n" for i in range(2000)).encode()}
    for i in range(count):
        files[f"src/pkg{i % 10}/mod{i}.py"] = "".join(
            f"def f{j}():\n    return {j}\n" for j in range(i % 20 + 1)
        ).encode()
    return files


def median_time(fn, repeat: int) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--stream-repeat", type=int, default=3, help="runs per large-stream script")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bashx-bench-"))
    try:
        host = workdir / "host"
        files = make_files(args.files)
        fs = FileSystem(Storage(workdir / "object.sqlite"))
        for rel, data in files.items():
            (host / rel).parent.mkdir(parents=True, exist_ok=True)
            (host / rel).write_bytes(data)
            fs.sync.mkdir("/" + str(Path(rel).parent), parents=True, exist_ok=True)
            fs.sync.write("/" + rel, data)
        fs.storage.commit()
        bash = Bash(fs, sandbox=False)
        env = {"LC_ALL": "C", "PATH": "/usr/bin:/bin"}
        print(f"{len(files)} files; median of {args.repeat} runs per script ({args.stream_repeat} for large streams)")
        print(f"{'script':<20}{'bashx (native)':>16}{'real bash':>14}{'bash/bashx':>12}")
        rows = [(name, script, args.repeat) for name, script in SCRIPTS.items()]
        rows += [(name, script, args.stream_repeat) for name, script in STREAMING.items()]
        for name, script, repeat in rows:
            native = bash.run_sync(script, timeout=600)
            real = subprocess.run(["bash", "-c", script], cwd=host, env=env, capture_output=True, check=False)
            if sorted(native.stdout.encode().splitlines()) != sorted(real.stdout.splitlines()):
                print(f"  note: outputs differ for {name!r}")
            t_native = median_time(lambda s=script: bash.run_sync(s, timeout=600), repeat)
            t_bash = median_time(
                lambda s=script: subprocess.run(["bash", "-c", s], cwd=host, env=env, capture_output=True, check=False),
                repeat,
            )
            print(f"{name:<20}{t_native * 1000:>13.2f} ms{t_bash * 1000:>11.2f} ms{t_bash / t_native:>11.2f}x")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
