"""The sample app as the inspector's tests serve it: in process with an inspector, or under `dotdo dev`."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from shop_app import Shop

from dotdo import API
from dotdo.inspector import Inspector
from tests.conftest import free_port


def shop(tmp_path, **options):
    """The sample app with an inspector attached, on its own data folder."""
    api = API(Shop, ns="/:name", data_dir=tmp_path / "data")
    return api, Inspector(**options).attach(api)


class DevServer:
    """`dotdo dev shop_app:app` in a child process on a free port, with a data folder of its own."""

    def __init__(self, data_dir, *options):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        command = [sys.executable, "-m", "dotdo", "dev", "shop_app:app", "--port", str(self.port)]
        self.process = subprocess.Popen(
            [*command, "--data-dir", str(data_dir), *options],
            cwd=Path(__file__).parent,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 30
        while True:
            assert self.process.poll() is None, self.process.stdout.read()
            try:
                httpx.get(f"{self.url}/_dotdo/api/objects", timeout=2)
                return
            except httpx.TransportError:
                assert time.monotonic() < deadline, "dotdo dev did not answer within 30 s"
                time.sleep(0.05)

    def stop(self, keep_output=False):
        """Stop the server (SIGINT, as Ctrl-C); `keep_output` keeps what it printed in `output`."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if not self.process.stdout.closed:
            self.output = self.process.stdout.read() if keep_output else ""
            self.process.stdout.close()
