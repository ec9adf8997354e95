import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from dotdo import API
from dotdo.inspector import Inspector
from tests.conftest import free_port

sys.path.insert(0, str(Path(__file__).parent))

from shop_app import Shop


def shop(tmp_path, **options):
    """The sample app with an inspector attached, on its own data folder."""
    api = API(Shop, ns="/:name", data_dir=tmp_path / "data")
    return api, Inspector(**options).attach(api)


@pytest.fixture
async def inspected(tmp_path):
    """(api, client) over the sample app with a read-write inspector, from a loopback client."""
    api, app = shop(tmp_path, write=True)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://shop.test") as client:
        yield api, client
    await api.runtime.close()


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

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory):
    """A running `dotdo dev` of the sample app, inspector writable, with acme (3 orders, alarm, dead letter)."""
    server = DevServer(tmp_path_factory.mktemp("dev") / "data", "--inspector-write")
    try:
        for item in ("anvil", "rocket", "magnet"):
            httpx.post(f"{server.url}/acme/order", params={"item": item}).raise_for_status()
        httpx.post(f"{server.url}/acme/alarm").raise_for_status()
        assert httpx.post(f"{server.url}/acme/pay").status_code == 402
        httpx.post(f"{server.url}/globex/order", params={"item": "gear"}).raise_for_status()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (Debian's `chromium`, installed by `make test`) driven by Playwright.

    Module-scoped: Playwright's sync API runs its own event loop while it is open, which the
    asyncio tests of other modules must not meet. Only the page module launches it, so once a run.
    """
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "The page tests need Debian's chromium: run `make test` (it installs it) or apt-get install chromium"
        )
    with sync_playwright() as playwright:
        # --no-sandbox: the tests may run as root (CI), where Chromium's sandbox refuses to start.
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()
