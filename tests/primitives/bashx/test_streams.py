"""Pipelines stream: stages run at once over bounded pipes, and a reader that stops ends its writer."""

from __future__ import annotations

import threading

import pytest

from dotdo.primitives.bashx import Bash, BashTimeoutError
from dotdo.primitives.bashx.streams import PIPE_CAPACITY, Pipe, PipeClosed

from .oracle import real_bash_output as real_bash


@pytest.mark.parametrize(
    "script",
    [
        "yes | head -1",
        "yes hello world | head -n 3",
        "yes | cat | cat | head -c 5; echo",
        "while true; do echo line; done | head -2",
        "yes | head -1; echo ${PIPESTATUS[@]}",
        "false | true | (exit 3); echo ${PIPESTATUS[@]} $?",
        "set -o pipefail; yes | head -1 >/dev/null; echo $?",
        "seq 100000 | tail -1",
        "printf 'a\\nb\\n' | { read x; echo got $x; cat; }",
        "printf 'a\\nb\\n' | { head -1; cat; }",
        "seq 5 | { head -n 2; echo rest; }",
        "x=1; echo 2 | read x; echo $x",
        "{ echo out; echo err >&2; } |& tr a-z A-Z",
    ],
)
def test_streaming_pipelines_match_bash(bash: Bash, script: str) -> None:
    result = bash.run_sync(script, timeout=20)
    assert (result.stdout, result.exit_code) == real_bash(script)


def test_an_endless_writer_stops_when_its_reader_does(bash: Bash) -> None:
    # With buffered stages `yes` would run until the timeout; streaming ends it at once.
    result = bash.run_sync("yes | head -1; echo done", timeout=20)
    assert result.stdout == "y\ndone\n"


def test_a_pipeline_that_never_ends_stops_at_the_timeout(bash: Bash) -> None:
    with pytest.raises(BashTimeoutError):
        bash.run_sync("yes | cat > /dev/null", timeout=0.5)


def test_a_pipe_holds_at_most_its_capacity() -> None:
    pipe = Pipe(lambda: None, capacity=16)
    written = threading.Event()

    def writer() -> None:
        pipe.writer.write(b"x" * 40)
        written.set()
        pipe.close_writer()

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    assert not written.wait(0.2)  # blocked: 40 bytes do not fit in 16
    assert len(pipe.buffer) <= 16
    assert pipe.reader.read_all() == b"x" * 40
    thread.join(5)
    assert written.is_set()


def test_writing_to_a_closed_reader_raises_pipe_closed() -> None:
    pipe = Pipe(lambda: None)
    pipe.close_reader()
    with pytest.raises(PipeClosed):
        pipe.writer.write(b"data")


def test_a_waiting_reader_is_ended_by_its_check() -> None:
    stop = threading.Event()

    def check() -> None:
        if stop.is_set():
            raise TimeoutError("stopped")

    pipe = Pipe(check)
    stop.set()
    with pytest.raises(TimeoutError):
        pipe.reader.readline()


def test_default_capacity_is_linux_pipe_size() -> None:
    assert PIPE_CAPACITY == 64 * 1024
