"""``coproc [NAME] command``: a background job joined to the shell by two pipes.

The shell reads the job's output on descriptor ``${NAME[0]}`` and writes to its input on
``${NAME[1]}`` (63 and 60 for the first, as in bash); ``NAME_PID`` is the job's id for ``wait``
and ``kill``. When the shell ends, its end of the input pipe closes, so a job reading it ends too.
"""

from __future__ import annotations

import threading
from typing import Any

from dotdo.primitives.bashx import ast
from dotdo.primitives.bashx.control import Killed
from dotdo.primitives.bashx.streams import Pipe, PipeReader, PipeWriter

FIRST_NAMED_FD = 10
"""Descriptors from here up are the shell's own: ``{name}>file`` takes the lowest free one, and
they close when a program starts."""
READ_FD = 63
WRITE_FD = 60
"""The descriptors bash gives the first coprocess (a second one takes the next lower free ones)."""


def _free(io: dict[int, Any], start: int) -> int:
    fd = start
    while fd in io:
        fd -= 1
    return fd


def close_finished(io: dict[int, Any]) -> None:
    """Close the descriptors of coprocesses that have ended and been read to the end, as bash does
    once it has reaped them (the next coprocess reuses them; a redirection to one finds it closed)."""
    for fd in [fd for fd, stream in io.items() if fd >= FIRST_NAMED_FD and _ended(stream)]:
        io.pop(fd)


def _ended(stream: Any) -> bool:
    if isinstance(stream, PipeReader):
        return not stream.pipe.writer_open and not stream.pipe.buffer and not stream.pending
    return isinstance(stream, PipeWriter) and not stream.pipe.reader_open


def start_coproc(sh: Any, node: ast.Coproc, io: dict[int, Any]) -> int:
    """Start ``node``'s command as a job with piped input and output; set ``NAME`` and ``NAME_PID``."""
    job_thread: list[threading.Thread] = []
    job_cancel = threading.Event()

    def check() -> None:
        # A kill ends the job's own waits on its pipes; the shell's waits end at the timeout only.
        if job_cancel.is_set() and job_thread and threading.current_thread() is job_thread[0]:
            raise Killed()
        sh.check_deadline()

    into, out_of = Pipe(check), Pipe(check)
    job_io = dict(io)
    job_io[0], job_io[1] = into.reader, out_of.writer

    close_finished(io)
    read_fd = _free(io, READ_FD)
    write_fd = _free(io, WRITE_FD if read_fd != WRITE_FD else WRITE_FD - 1)

    def body(cancel: threading.Event) -> int:
        job_thread.append(threading.current_thread())
        watcher = threading.Thread(target=lambda: (cancel.wait(), job_cancel.set()), daemon=True)
        watcher.start()
        try:
            return sh.spawn(cancel).run_isolated(node.body, job_io)
        finally:
            out_of.close_writer()
            into.close_reader()
            job_cancel.set()

    io[read_fd] = out_of.reader
    io[write_fd] = into.writer
    job = sh.jobs.start(node.text, body)
    sh.jobs.at_exit.append(into.close_writer)
    sh.set_var(node.name, [str(read_fd), str(write_fd)])
    sh.set_var(node.name + "_PID", str(job.pid))
    return 0
