"""Who may see the inspector: the token, the app's auth hook, loopback only by default, read-only by default."""

import base64

import httpx
import pytest
from shop_app import Shop
from shop_server import shop

from dotdo import API
from dotdo.http.bearer_token import BearerTokenMiddleware
from dotdo.inspector import Inspector
from dotdo.runtime.ids import id_from_name

ACME = id_from_name("Shop", "acme").hex
READS = [
    "/_dotdo/",
    "/_dotdo/metrics",
    "/_dotdo/api/objects",
    f"/_dotdo/objects/Shop/{ACME}",
    f"/_dotdo/api/objects/Shop/{ACME}",
    f"/_dotdo/api/objects/Shop/{ACME}/rows/orders",
    f"/_dotdo/api/objects/Shop/{ACME}/kv",
    f"/_dotdo/api/objects/Shop/{ACME}/timeline",
    f"/_dotdo/api/objects/Shop/{ACME}/export",
    f"/_dotdo/objects/Shop/{ACME}/timeline/stream",
    "/_dotdo/api/timeline/stream",
    "/_dotdo/static/inspector.css",
]
WRITES = [
    f"/_dotdo/api/objects/Shop/{ACME}/sql",
    f"/_dotdo/api/objects/Shop/{ACME}/dead-letters/1/replay",
    f"/_dotdo/objects/Shop/{ACME}/alarm/cancel",
]


def client_for(app, host="127.0.0.1"):
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(host, 40000)), base_url="http://shop.test")


def basic(password):
    return "Basic " + base64.b64encode(f"anyone:{password}".encode()).decode()


async def test_without_the_token_every_inspector_route_is_401(tmp_path):
    api, app = shop(tmp_path, token="s3cret")
    async with client_for(app) as client:
        await client.post("/acme/order", params={"item": "anvil"})
        for path in READS:
            refused = await client.get(path)
            assert refused.status_code == 401, path
            assert refused.headers["www-authenticate"].startswith("Basic"), path
            assert (await client.get(path, headers={"authorization": "Bearer wrong"})).status_code == 401, path
        for path in WRITES:
            assert (await client.post(path, json={"sql": "SELECT 1"})).status_code == 401, path
        assert (await client.get("/_dotdo/api/objects", headers={"authorization": "Bearer s3cret"})).status_code == 200
        assert (await client.get("/_dotdo/", headers={"authorization": basic("s3cret")})).status_code == 200
        assert (await client.get("/_dotdo/", headers={"authorization": basic("wrong")})).status_code == 401
    await api.runtime.close()


async def test_without_a_token_only_this_machine_is_answered(tmp_path):
    api, app = shop(tmp_path)
    async with client_for(app, host="203.0.113.9") as remote:
        refused = await remote.get("/_dotdo/")
        assert refused.status_code == 403 and "--token" in refused.json()["message"]
        assert (await remote.get("/_dotdo/api/objects")).status_code == 403
        assert (await remote.post("/acme/order", params={"item": "x"})).status_code == 200, "the app itself is open"
    async with client_for(app) as local:
        assert (await local.get("/_dotdo/api/objects")).status_code == 200
    await api.runtime.close()


async def test_the_apps_auth_hook_guards_the_inspector(tmp_path):
    def auth(request, name):
        return request.headers.get("x-key") == "k"

    api = API(Shop, ns="/:name", data_dir=tmp_path / "data", auth=auth)
    app = Inspector().attach(api)
    async with client_for(app, host="203.0.113.9") as client:
        assert (await client.get("/_dotdo/api/objects")).status_code == 401
        assert (await client.get("/_dotdo/api/objects", headers={"x-key": "k"})).status_code == 200
    await api.runtime.close()


async def test_read_only_mode_refuses_every_write(tmp_path):
    api, app = shop(tmp_path)
    async with client_for(app) as client:
        await client.post("/acme/order", params={"item": "anvil"})
        await client.post("/acme/pay")
        for path in WRITES:
            refused = await client.post(path, json={"sql": "DELETE FROM orders", "write": True})
            assert refused.status_code == 403 and "--inspector-write" in refused.json()["message"], path
        page = (await client.get(f"/_dotdo/objects/Shop/{ACME}")).text
        assert "Replay dead letter" not in page and "read-only" in page
        assert (await client.get("/acme")).json()["orders"] == 1
    await api.runtime.close()


async def test_writes_asked_for_by_another_site_are_refused(tmp_path):
    api, app = shop(tmp_path, write=True)
    async with client_for(app) as client:
        await client.post("/acme/alarm")
        path = f"/_dotdo/objects/Shop/{ACME}/alarm/cancel"
        assert (await client.post(path, headers={"origin": "http://evil.example"})).status_code == 403
        assert (await client.post(path, headers={"sec-fetch-site": "cross-site"})).status_code == 403
        alarms = (await client.get(f"/_dotdo/api/objects/Shop/{ACME}")).json()["alarms"]
        assert "alarm" in [a["id"] for a in alarms]
        assert (await client.post(path, headers={"origin": "http://shop.test"})).status_code == 303
    await api.runtime.close()


async def test_html_in_names_and_rows_renders_as_text(tmp_path):
    api, app = shop(tmp_path)
    script_name = "<script>alert(1)"
    row = '<img src=x onerror="alert(2)">'
    async with client_for(app) as client:
        assert (await client.post(f"/{script_name}/order", params={"item": row})).status_code == 200
        index = (await client.get("/_dotdo/")).text
        assert script_name not in index and "&lt;script&gt;alert(1)" in index
        page = (await client.get(f"/_dotdo/objects/Shop/{id_from_name('Shop', script_name).hex}")).text
        assert row not in page and script_name not in page
        assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in page
    await api.runtime.close()


@pytest.mark.parametrize("path", ["/_dotdo/", "/acme"])
async def test_dev_token_accepts_basic_so_a_browser_can_log_in(tmp_path, path):
    api, app = shop(tmp_path, token="s3cret")
    guarded = BearerTokenMiddleware(app, "s3cret")
    async with client_for(guarded) as client:
        refused = await client.get(path)
        expected = 'Basic realm="dotdo inspector"' if path.startswith("/_dotdo") else "Bearer"
        assert refused.status_code == 401 and refused.headers["www-authenticate"] == expected
        assert (await client.get(path, headers={"authorization": basic("s3cret")})).status_code == 200
    await api.runtime.close()
