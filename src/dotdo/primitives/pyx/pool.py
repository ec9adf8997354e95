"""Warm sandboxes: bubblewrap jails whose interpreter has started and waits for one request.

Starting bubblewrap and Python costs tens of milliseconds; a pool keeps a few started ahead, per
interpreter (the host's or an object's virtualenv) and network setting, so a call only copies the
object's files in, hands over its code and waits. A sandbox runs one request and exits: nothing
one call leaves behind (files, modules, threads) can reach the next. Its root is an empty private
folder, bound as ``/`` when it starts; the object's files are moved into that folder just before
the request is sent, so the running interpreter sees them at ``/``.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from dotdo.primitives.bashx import SandboxExecutor

WORKER_SOURCE = (Path(__file__).resolve().parent / "sandbox_main.py").read_text()
ENV_MOUNT = "/run/pyx-env"
"""Where an object's virtualenv appears inside its sandbox (``/run`` belongs to the sandbox, never to the object)."""
RESULT_FD_ARG = "--result-fd"


@dataclass(frozen=True)
class PoolKey:
    """Which sandboxes are interchangeable: same interpreter, same environment folder, same network."""

    python: str
    env_dir: str | None
    network: bool


class WarmSandbox:
    """One started sandbox, waiting on stdin for its request; ``root`` is its ``/`` on the host."""

    def __init__(self, executor: SandboxExecutor, key: PoolKey) -> None:
        self.key = key
        owner = executor.host_owner()
        self.base = tempfile.mkdtemp(prefix="pyx-")
        os.chmod(self.base, 0o700 if owner is None else 0o711)
        self.root = os.path.join(self.base, "root")
        os.mkdir(self.root, 0o755)
        if owner is not None:
            os.chown(self.root, *owner)
        # Open for the sandbox's whole life (output goes to files, so RLIMIT_FSIZE bounds it); close() closes them.
        self.stdout: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        self.stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        self.result: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/", "LANG": "C.UTF-8", "TMPDIR": "/tmp"}
        python = key.python
        if key.env_dir is not None:
            python = f"{ENV_MOUNT}/bin/python"
            env["VIRTUAL_ENV"] = ENV_MOUNT
            env["PATH"] = f"{ENV_MOUNT}/bin:{env['PATH']}"
        argv = [python, "-I", "-B", "-c", WORKER_SOURCE, str(self.result.fileno())]
        line = executor.command_line(self.root, "/", env, argv, key.network)
        split = line.index("--")
        extra: list[str] = []
        if key.env_dir is not None:
            extra = ["--ro-bind", key.env_dir, ENV_MOUNT]
        info_read, info_write = os.pipe()
        self._info = info_read
        line = [line[0], "--info-fd", str(info_write), *line[1:split], *extra, *line[split:]]
        drop: dict[str, Any] = {}
        if owner is not None:
            drop = {"user": owner[0], "group": owner[1], "extra_groups": []}
        try:
            self.process = subprocess.Popen(
                line,
                stdin=subprocess.PIPE,
                stdout=self.stdout,
                stderr=self.stderr,
                pass_fds=(info_write, self.result.fileno()),
                preexec_fn=executor.preexec,
                **drop,
            )
        except BaseException:
            os.close(info_read)
            self._close_files()
            raise
        finally:
            os.close(info_write)

    def alive(self) -> bool:
        """Whether the sandbox is still waiting (it has not exited or been killed)."""
        return self.process.poll() is None

    def send(self, request: dict[str, Any]) -> None:
        """Hand the sandbox its one request."""
        stdin = self.process.stdin
        assert stdin is not None
        with contextlib.suppress(BrokenPipeError):
            stdin.write(json.dumps(request).encode() + b"\n")
            stdin.close()

    def wait(self, timeout: float) -> int | None:
        """The exit status, or None when ``timeout`` seconds passed first."""
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> int:
        """Kill the sandbox and return once every process in it is gone.

        Killing the sandbox's init (its PID namespace's pid 1) makes the kernel kill and reap every
        other process of the namespace, and bubblewrap exits only after that: when this returns,
        nothing can still write into ``root``.
        """
        child = None
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            child = int(json.loads(os.read(self._info, 65536).decode())["child-pid"])
        if child is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)
        else:
            self.process.kill()
        try:
            return self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def outputs(self) -> tuple[bytes, bytes, bytes]:
        """What the code printed (stdout, stderr) and the runner's report."""
        return _read(self.stdout), _read(self.stderr), _read(self.result)

    def close(self) -> None:
        """Kill the sandbox if it still runs and remove its folder and files."""
        if self.process.poll() is None:
            self.kill()
        with contextlib.suppress(OSError):
            os.close(self._info)
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        self._close_files()
        _remove_tree(self.base)

    def _close_files(self) -> None:
        for handle in (self.stdout, self.stderr, self.result):
            handle.close()


def _read(handle: IO[bytes]) -> bytes:
    handle.seek(0)
    return handle.read()


def _remove_tree(path: str) -> None:
    """Remove ``path`` even where the code left folders without write permission."""

    root = os.path.abspath(path)

    def retry(function: Any, name: str, _: Any) -> None:
        folder = os.path.dirname(os.path.abspath(name))
        # Only folders inside the tree are made writable: never the tree's own parent (`/tmp`).
        if folder != root and not folder.startswith(root + os.sep):
            return
        with contextlib.suppress(OSError):
            os.chmod(folder, 0o700)
            function(name)

    shutil.rmtree(path, onerror=retry)


class SandboxPool:
    """Keeps ``size`` started sandboxes per key, so a call rarely waits for one to start.

    Starting a replacement and removing a used sandbox's folder happen on the pool's own
    background thread, off the path of the call that took one.
    """

    def __init__(self, executor: SandboxExecutor, *, size: int = 2) -> None:
        if size < 0:
            raise ValueError(f"a pool's size is 0 or more, not {size}")
        self.executor = executor
        self.size = size
        self._ready: dict[PoolKey, collections.deque[WarmSandbox]] = {}
        self._lock = threading.Lock()
        self._background = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="pyx-pool")
        self._finalizer = weakref.finalize(self, _shut_down, self._background, self._ready)

    def acquire(self, key: PoolKey) -> WarmSandbox:
        """A started sandbox for ``key`` (taken from the pool, or started now); the pool refills behind it."""
        with self._lock:
            ready = self._ready.setdefault(key, collections.deque())
            sandbox = None
            while ready:
                candidate = ready.popleft()
                if candidate.alive():
                    sandbox = candidate
                    break
                self._background.submit(candidate.close)
        if sandbox is None:
            sandbox = WarmSandbox(self.executor, key)
        if self.size:
            self._background.submit(self.fill, key)
        return sandbox

    def release(self, sandbox: WarmSandbox) -> None:
        """Dispose of a used sandbox (killed if still running, its folder removed) in the background."""
        self._background.submit(sandbox.close)

    def fill(self, key: PoolKey) -> None:
        """Start sandboxes for ``key`` until ``size`` wait ready."""
        while True:
            with self._lock:
                ready = self._ready.setdefault(key, collections.deque())
                if len(ready) >= self.size:
                    return
            sandbox = WarmSandbox(self.executor, key)
            with self._lock:
                ready.append(sandbox)

    def ready_count(self, key: PoolKey) -> int:
        """How many started sandboxes wait for ``key`` (after the refills already asked for)."""
        self._background.submit(lambda: None).result()
        with self._lock:
            return sum(1 for sandbox in self._ready.get(key, ()) if sandbox.alive())

    def close(self) -> None:
        """Finish the background work, kill every waiting sandbox and remove its folder."""
        self._finalizer()


def _shut_down(
    background: concurrent.futures.ThreadPoolExecutor, ready: dict[PoolKey, collections.deque[WarmSandbox]]
) -> None:
    background.shutdown(wait=True)
    _close_all(ready)


def _close_all(ready: dict[PoolKey, collections.deque[WarmSandbox]]) -> None:
    for queue in ready.values():
        while queue:
            queue.popleft().close()
