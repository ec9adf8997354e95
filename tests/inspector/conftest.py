import shutil
import sys
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from shop_server import DevServer, shop


@pytest.fixture
async def inspected(tmp_path):
    """(api, client) over the sample app with a read-write inspector, from a loopback client."""
    api, app = shop(tmp_path, write=True)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://shop.test") as client:
        yield api, client
    await api.runtime.close()


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory):
    """A running `dotdo dev` of the sample app, inspector writable, with acme (3 orders, alarm, dead letter, files)."""
    server = DevServer(tmp_path_factory.mktemp("dev") / "data", "--inspector-write")
    try:
        for item in ("anvil", "rocket", "magnet"):
            httpx.post(f"{server.url}/acme/order", params={"item": item}).raise_for_status()
        httpx.post(f"{server.url}/acme/alarm").raise_for_status()
        httpx.post(f"{server.url}/acme/catalog").raise_for_status()
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
