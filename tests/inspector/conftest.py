import sys
from pathlib import Path

import httpx
import pytest

from dotdo import API
from dotdo.inspector import Inspector

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
