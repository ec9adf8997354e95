"""The HTTP servers the benchmark starts, loads and stops: dotdo, the bare baseline, workerd.

Each runs as a real process on 127.0.0.1 on a free port, in its own process group so stopping it
also stops the workers it spawned (granian).
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

BENCHMARKS = Path(__file__).resolve().parent.parent
REPO_SRC = BENCHMARKS.parent / "src"


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def python_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for child Pythons: this checkout's `src` first, so the code measured is this one."""
    env = dict(os.environ)
    if (REPO_SRC / "dotdo").is_dir():
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_SRC), env.get("PYTHONPATH")]))
    env.update(extra or {})
    return env


@dataclass
class ServerSpec:
    """How to start one server, and how it spells the counter's URL.

    `kind` is "dotdo", "bare" or "workerd"; `durability` is "process" or "power" (workerd always
    fsyncs before answering, so it is "power"); `path` is the URL with "%d" where the number of the
    counter's name goes.
    """

    key: str
    label: str
    kind: str
    server: str
    durability: str
    path: str
    workerd: tuple[Path, Path] | None = field(default=None, repr=False)
    access_log: bool = True
    """For the bare app under uvicorn: log each request, as `dotdo dev` was seen to do in this run."""

    def hot_path(self) -> str:
        """The URL of the one hot object."""
        return self.path.replace("n%d", "hot")

    def command(self, port: int, data_dir: Path) -> tuple[list[str], dict[str, str], Path]:
        """argv, environment and working folder to serve on `port` with data under `data_dir`."""
        host = ["--host", "127.0.0.1", "--port", str(port)]
        if self.kind == "workerd":
            assert self.workerd is not None
            binary, folder = self.workerd
            argv = [
                str(binary),
                "serve",
                "config.capnp",
                "--directory-path",
                f"do-storage={data_dir}",
                "--socket-addr",
                f"http=127.0.0.1:{port}",
            ]
            return argv, dict(os.environ), folder
        if self.kind == "dotdo":
            env = python_env({"DOTDO_DATA_DIR": str(data_dir), "DOTDO_DURABILITY": self.durability})
            app = "counter_app:app"
        else:
            synchronous = "FULL" if self.durability == "power" else "NORMAL"
            env = python_env({"BENCH_DATA_DIR": str(data_dir), "BENCH_SYNCHRONOUS": synchronous})
            app = "baseline_starlette:app"
        if self.server == "granian":
            argv = [sys.executable, "-m", "granian", "--interface", "asgi", *host, "--working-dir", str(BENCHMARKS)]
            return [*argv, "--no-ws", app], env, BENCHMARKS
        if self.kind == "dotdo":
            argv = [sys.executable, "-m", "dotdo", "dev", app, *host, "--data-dir", str(data_dir)]
            return [*argv, "--durability", self.durability], env, BENCHMARKS
        # The uvicorn settings of `dotdo dev`: log level info, lifespan on, access log as detected.
        argv = [sys.executable, "-m", "uvicorn", app, *host, "--log-level", "info", "--lifespan", "on"]
        if not self.access_log:
            argv.append("--no-access-log")
        return argv, env, BENCHMARKS


class RunningServer:
    """A started server process; `stop()` ends its whole process group."""

    def __init__(self, spec: ServerSpec, data_dir: Path, log_path: Path) -> None:
        self.spec = spec
        self.port = free_port()
        self.data_dir = data_dir
        self.log_path = log_path
        argv, env, cwd = spec.command(self.port, data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, timeout: float = 90.0) -> None:
        """Wait until the hot object answers 200 (that first request also warms the server up)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                status, _ = self.get(self.spec.hot_path())
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        tail = self.log_path.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{self.spec.label} did not start on port {self.port}:\n{tail}")

    def get(self, path: str) -> tuple[int, bytes]:
        """One GET on a fresh connection."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def logs_requests(self) -> bool:
        """Whether the server wrote an access-log line for a GET (uvicorn's format)."""
        self._log.flush()
        return b'"GET /' in self.log_path.read_bytes()

    def rss(self) -> int:
        """Resident memory of the server and its child processes, in bytes."""
        root = psutil.Process(self.process.pid)
        return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])

    def stop(self) -> None:
        """SIGTERM the process group, then SIGKILL it if it lingers."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)
            except ProcessLookupError:
                pass
        self._log.close()
