"""Background jobs: `cmd &`, `$!`, `wait`, `wait -n`, `jobs`, `kill %N`, bounded by the timeout."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from dotdo.primitives.bashx import Bash
from dotdo.primitives.bashx.jobs import SerializedFs
from dotdo.primitives.fsx.sync_filesystem import SyncFileSystem
from dotdo.runtime.storage import Storage

from .oracle import real_bash_output as real_bash


@pytest.mark.parametrize(
    "script",
    [
        "(exit 3) & wait $!; echo $?",
        "(exit 3) & wait %1; echo $?",
        "sleep 0.2 & jobs; wait; echo $?",
        "sleep 5 & kill %1; wait %1; echo $?",
        "sleep 5 & kill -9 %1; wait %1; echo $?",
        "sleep 5 & kill $!; wait $!; echo $?",
        "(sleep 0.3; exit 4) & (exit 5) & wait -n; echo $?; wait -n; echo $?; wait -n; echo $?",
        "echo $!",
        "wait; echo $?",
        "x=1; x=2 & wait; echo $x",
        "kill %3; echo $?",
        "wait %2; echo $?",
        "{ sleep 0.1; echo late; } & echo early; wait",
        "for i in 1 2 3; do (echo job $i) & wait; done",
    ],
)
def test_jobs_match_bash(bash: Bash, script: str) -> None:
    result = bash.run_sync(script, timeout=20)
    assert (result.stdout, result.exit_code) == real_bash(script)


def test_dollar_bang_is_a_number(bash: Bash) -> None:
    result = bash.run_sync("sleep 0 & echo $!; wait")
    assert result.stdout.strip().isdigit()


def test_jobs_lists_running_jobs_with_pids(bash: Bash) -> None:
    result = bash.run_sync("sleep 5 & jobs -l; jobs -p; kill %1")
    first, second = result.stdout.splitlines()
    assert first.startswith("[1]+ ") and first.endswith("Running                 sleep 5 &")
    assert second.isdigit()


def test_a_background_job_that_never_ends_stops_at_the_timeout(bash: Bash) -> None:
    # The script ends; its job is bounded by the same timeout, so the call returns.
    result = bash.run_sync("while true; do :; done & echo started", timeout=1)
    assert result.stdout == "started\n"


def test_kill_of_own_jobs_needs_no_confirmation(bash: Bash) -> None:
    assert bash.analyze("sleep 5 & kill %1").verdict == "safe"
    assert bash.analyze("sleep 5 & kill $!").verdict == "safe"
    assert bash.analyze("kill -9 1234").verdict == "needs_confirm"


def test_a_file_opened_through_the_shared_filesystem_reads_only_in_its_turn(tmp_path: Path) -> None:
    """Pipeline stages share one SQLite connection: a stage streaming a file must wait while another
    thread holds the filesystem (two statements at once on one connection deadlock)."""
    storage = Storage(tmp_path / "fs.sqlite")
    shared = SerializedFs(SyncFileSystem(storage))
    shared.write("/big.txt", b"line\n" * 50_000)
    storage.commit()
    reads: list[float] = []
    with shared.open("/big.txt", "rb") as handle:
        with shared.lock:
            reader = threading.Thread(target=lambda: reads.append(len(handle.read(1024))))
            reader.start()
            reader.join(0.3)
            assert reader.is_alive() and reads == [], "the read went ahead while another thread held the files"
        reader.join(5)
        assert reads == [1024]
        assert sum(1 for _ in iter(lambda: handle.read(65536), b"")) >= 1
    storage.close()
