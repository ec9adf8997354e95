"""fsx benchmark: small-file create/read/stat/list rates and large-file throughput, vs a real directory.

Run: `python benchmarks/fsx.py [--files N] [--large-mib M]`. Every figure is measured in the same run
on fsx (an object's SQLite file plus its blob folder) and on a real local directory with the same
operations through `os`/`open`; the ratio column is fsx time / directory time (lower is better).

fsx "each op" commits every operation on its own (a call outside an event loop); fsx "one turn"
runs the whole batch inside one event-loop turn, the way an object's handler would, so the
runtime's group commit makes it one commit.

The large-file section also prints the peak of Python allocations (tracemalloc) while writing and
reading: streamed fsx stays within a few 1 MiB pieces, like the plain directory, whatever the size.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from dotdo.primitives.fsx import FileSystem, SyncFileSystem
from dotdo.runtime.storage import Storage

PAYLOAD = b"x" * 100
PIECE = 1024 * 1024


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def timed_with_peak(fn: Callable[[], object]) -> tuple[float, float]:
    """(seconds, peak MiB of Python allocations) of one run of `fn`."""
    tracemalloc.start()
    try:
        seconds = timed(fn)
        return seconds, tracemalloc.get_traced_memory()[1] / PIECE
    finally:
        tracemalloc.stop()


def in_one_turn(fn: Callable[[], object]) -> float:
    async def turn() -> float:
        return timed(fn)

    return asyncio.run(turn())


def small_files_real(root: Path, count: int) -> dict[str, float]:
    folder = root / "small"
    folder.mkdir()
    names = [str(folder / f"f{i:06d}.txt") for i in range(count)]

    def create() -> None:
        for name in names:
            with open(name, "wb") as handle:
                handle.write(PAYLOAD)

    def read() -> None:
        for name in names:
            with open(name, "rb") as handle:
                handle.read()

    def stat() -> None:
        for name in names:
            os.stat(name)

    def listing() -> None:
        for _ in range(20):
            sorted(os.listdir(folder))

    return {"create": timed(create), "read": timed(read), "stat": timed(stat), "list": timed(listing)}


def small_files_fsx(fs: SyncFileSystem, count: int, *, one_turn: bool) -> dict[str, float]:
    fs.mkdir("/small")
    names = [f"/small/f{i:06d}.txt" for i in range(count)]
    run = in_one_turn if one_turn else timed

    def create() -> None:
        for name in names:
            fs.write(name, PAYLOAD)

    def read() -> None:
        for name in names:
            fs.read(name)

    def stat() -> None:
        for name in names:
            fs.stat(name)

    def listing() -> None:
        for _ in range(20):
            fs.listdir("/small")

    return {"create": run(create), "read": run(read), "stat": run(stat), "list": run(listing)}


def large_file_real(root: Path, mib: int) -> dict[str, float]:
    path = root / "large.bin"
    piece = os.urandom(PIECE)

    def write() -> None:
        with open(path, "wb") as handle:
            for _ in range(mib):
                handle.write(piece)

    def read() -> None:
        with open(path, "rb") as handle:
            while handle.read(PIECE):
                pass

    return measure_large(write, read)


def measure_large(write: Callable[[], None], read: Callable[[], None]) -> dict[str, float]:
    write_seconds, write_peak = timed_with_peak(write)
    read_seconds, read_peak = timed_with_peak(read)
    return {"write": write_seconds, "read": read_seconds, "write_peak": write_peak, "read_peak": read_peak}


def large_file_fsx(fs: SyncFileSystem, mib: int) -> dict[str, float]:
    piece = os.urandom(PIECE)

    def write() -> None:
        with fs.open("/large.bin", "wb") as handle:
            for _ in range(mib):
                handle.write(piece)

    def read() -> None:
        with fs.open("/large.bin", "rb") as handle:
            while handle.read(PIECE):
                pass

    return measure_large(write, read)


def fresh_fs(root: Path, name: str, **options: object) -> tuple[Storage, SyncFileSystem]:
    storage = Storage(root / f"{name}.sqlite")
    return storage, FileSystem(storage, **options).sync  # type: ignore[arg-type]


def report(
    title: str,
    amounts: dict[str, tuple[float, str]],
    baseline: dict[str, float],
    rows: dict[str, dict[str, float]],
) -> None:
    print(f"\n{title}")
    print(f"{'operation':<10}{'directory':>18}" + "".join(f"{name:>26}" for name in rows))
    for op, base in baseline.items():
        amount, unit = amounts[op]
        line = f"{op:<10}{amount / base:>11,.0f} {unit:<6}"
        for result in rows.values():
            line += f"{amount / result[op]:>13,.0f} {unit:<6} x{result[op] / base:>5.2f}"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000, help="small files to create (default 2000)")
    parser.add_argument("--large-mib", type=int, default=64, help="size of the large file in MiB (default 64)")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="fsx-bench-"))
    try:
        real = small_files_real(root, args.files)
        storage_each, each = fresh_fs(root, "each")
        per_op = small_files_fsx(each, args.files, one_turn=False)
        storage_turn, turn = fresh_fs(root, "turn")
        batched = small_files_fsx(turn, args.files, one_turn=True)
        report(
            f"small files ({args.files} x {len(PAYLOAD)} B in one folder); xN = fsx time / directory time",
            {op: (args.files, "ops/s") for op in ("create", "read", "stat")} | {"list": (20, "lists/s")},
            real,
            {"fsx each op": per_op, "fsx one turn": batched},
        )
        real_large = large_file_real(root, args.large_mib)
        storage_warm, warm = fresh_fs(root, "warm")
        warm_large = large_file_fsx(warm, args.large_mib)
        storage_inline, inline = fresh_fs(root, "inline", warm_threshold=1 << 40)
        inline_large = large_file_fsx(inline, args.large_mib)
        large_rows = {"fsx warm tier": warm_large, "fsx in SQLite": inline_large}
        report(
            f"large file ({args.large_mib} MiB in 1 MiB pieces); xN = fsx time / directory time",
            {op: (args.large_mib, "MiB/s") for op in ("write", "read")},
            {op: real_large[op] for op in ("write", "read")},
            large_rows,
        )
        print(
            "peak Python allocations (MiB): "
            + "; ".join(
                f"{name} write {row['write_peak']:.1f}, read {row['read_peak']:.1f}"
                for name, row in {"directory": real_large, **large_rows}.items()
            )
        )
        for storage in (storage_each, storage_turn, storage_warm, storage_inline):
            storage.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
