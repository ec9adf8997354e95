"""Work that runs beside the script: background jobs (``cmd &``) and the fsx access they share.

A job is a thread running a copy of the shell (a subshell, as in bash) against the same
filesystem; :class:`SerializedFs` makes the threads of one script take turns on it. Jobs end by
themselves, by ``kill`` (a cancel flag the job's interpreter checks between commands and while it
waits on a pipe or sleeps), or by the script's timeout.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

FIRST_PID = 4000
"""The first process id ``$!`` reports: jobs are threads, numbered like processes for scripts."""


class _Locked:
    """An object whose every method call takes one lock (the methods made once, then kept)."""

    def __init__(self, wrapped: Any, lock: threading.RLock) -> None:
        self.wrapped = wrapped
        self.lock = lock
        self.methods: dict[str, Callable[..., Any]] = {}

    def __getattr__(self, name: str) -> Any:
        method = self.methods.get(name)
        if method is not None:
            return method
        attribute = getattr(self.wrapped, name)
        if not callable(attribute):
            return attribute

        def locked(*args: Any, **kwargs: Any) -> Any:
            with self.lock:
                return self.returned(name, attribute(*args, **kwargs))

        self.methods[name] = locked
        return locked

    def returned(self, name: str, value: Any) -> Any:
        """What a call of method `name` hands back (its value, unless a subclass wraps it)."""
        return value


class SerializedFile(_Locked):
    """A file opened through a :class:`SerializedFs`: its reads, writes and close take the same turns,
    so a stage streaming a file never uses the object's SQLite connection while another writes."""

    def __enter__(self) -> SerializedFile:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def __iter__(self) -> SerializedFile:
        return self

    def __next__(self) -> Any:
        with self.lock:
            return next(self.wrapped)


class SerializedFs(_Locked):
    """The fsx sync core behind one lock, for the threads of one script (stages and jobs).

    The files it opens take the same lock for every call: the threads share one SQLite connection,
    which must never run two statements at once.
    """

    def __init__(self, fs: Any) -> None:
        super().__init__(fs, threading.RLock())

    def returned(self, name: str, value: Any) -> Any:
        return SerializedFile(value, self.lock) if name == "open" else value


@dataclass
class Job:
    """One background job: its number, pseudo process id, command text and outcome."""

    number: int
    pid: int
    text: str
    cancel: threading.Event
    thread: threading.Thread | None = None
    status: int | None = None
    error: BaseException | None = None
    reported: bool = False
    killed_with: int | None = None
    finished: threading.Event = field(default_factory=threading.Event)

    @property
    def running(self) -> bool:
        """True until the job's command has ended."""
        return not self.finished.is_set()


class JobTable:
    """The jobs one shell started, in order; what ``jobs``, ``wait`` and ``kill %N`` look up."""

    def __init__(self) -> None:
        self.jobs: list[Job] = []
        self.orphans: list[Job] = []
        """Jobs a finished subshell left running: not this shell's to list or wait for, but still
        bounded by the script's timeout."""
        self.next_pid = FIRST_PID
        self.last_pid: int | None = None
        self.changed = threading.Condition()
        self.outer: JobTable | None = None
        """The table of the shell this one is a subshell of: its jobs are processes of the same
        script, which ``kill PID`` may reach, and process ids are counted once for all."""
        self.at_exit: list[Callable[[], None]] = []
        """What to do as the shell ends, before waiting for its jobs (close a coprocess's input)."""

    def new_pid(self) -> int:
        """The next process id, counted once for the script and all its subshells."""
        root = self
        while root.outer is not None:
            root = root.outer
        root.next_pid += 1
        self.next_pid = root.next_pid
        return self.next_pid

    def start(self, text: str, body: Callable[[threading.Event], int]) -> Job:
        """Run ``body(cancel)`` in a new thread as the next job."""
        self.new_pid()
        number = max((j.number for j in self.jobs if j.running or not j.reported), default=0) + 1
        job = Job(number, self.next_pid, text, threading.Event())

        def run() -> None:
            try:
                job.status = body(job.cancel)
            except BaseException as exc:
                job.error = exc
                job.status = 1
            finally:
                job.finished.set()
                with self.changed:
                    self.changed.notify_all()

        job.thread = threading.Thread(target=run, name=f"bashx-job-{number}", daemon=True)
        self.jobs.append(job)
        self.last_pid = job.pid
        job.thread.start()
        return job

    def find(self, spec: str) -> Job | None:
        """The job named by ``%N``, ``%%``/``%+``, ``%-`` or a pid; None when there is none."""
        if spec in ("%%", "%+", "%"):
            return self.jobs[-1] if self.jobs else None
        if spec == "%-":
            return self.jobs[-2] if len(self.jobs) > 1 else None
        if spec.startswith("%") and spec[1:].isdigit():
            return next((j for j in self.jobs if j.number == int(spec[1:])), None)
        if spec.startswith("%"):
            return next((j for j in reversed(self.jobs) if j.text.startswith(spec[1:])), None)
        if spec.isdigit():
            return next((j for j in self.jobs if j.pid == int(spec)), None)
        return None

    def process(self, pid: int) -> Job | None:
        """The job with process id ``pid``, this shell's or an enclosing one's."""
        table: JobTable | None = self
        while table is not None:
            found = next((j for j in table.jobs if j.pid == pid), None)
            if found is not None:
                return found
            table = table.outer
        return None

    def wait_for(self, job: Job, check: Callable[[], None]) -> int:
        """Wait until ``job`` ends (``check`` runs meanwhile and may raise); its status."""
        while not job.finished.wait(0.05):
            check()
        job.reported = True
        return job.status if job.status is not None else 127

    def wait_any(self, check: Callable[[], None]) -> Job | None:
        """Wait for the next job to end that was not yet waited for (``wait -n``)."""
        while True:
            pending = [j for j in self.jobs if not j.reported]
            if not pending:
                return None
            done = next((j for j in pending if not j.running), None)
            if done is not None:
                done.reported = True
                return done
            with self.changed:
                self.changed.wait(0.05)
            check()

    def adopt(self, table: JobTable) -> None:
        """Keep the still-running jobs of a subshell's ``table`` as orphans of this one."""
        self.orphans = [j for j in self.orphans if j.running]
        self.orphans += [j for j in table.jobs + table.orphans if j.running]
        self.next_pid = max(self.next_pid, table.next_pid)

    def end_all(self, deadline: float | None) -> None:
        """Wait for every job until ``deadline``, then stop the ones still running."""
        for close in self.at_exit:
            close()
        everything = self.jobs + self.orphans
        for job in everything:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not job.finished.wait(remaining):
                job.cancel.set()
        for job in everything:
            job.finished.wait(1.0)
