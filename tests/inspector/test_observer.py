"""The inspector observes the app it is attached to from inside it: the app itself is what is served."""

import httpx
import pytest
from shop_app import Shop

from dotdo import API
from dotdo.inspector import Inspector
from dotdo.runtime.ids import id_from_name


async def test_attach_returns_the_app_which_notes_requests_with_their_id(tmp_path):
    api = API(Shop, ns="/:name", data_dir=tmp_path / "data")
    inspector = Inspector()
    assert inspector.attach(api) is api
    transport = httpx.ASGITransport(app=api, client=("127.0.0.1", 1))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            mine = await client.get("/acme", headers={"x-request-id": "mine-1"})
            made = await client.get("/acme")
            refused = await client.get("/" + "x" * 300)  # a name too long: refused before any object
            page = await client.get("/_dotdo/api/objects")
        assert mine.headers["x-request-id"] == "mine-1"
        assert made.headers["x-request-id"] and made.headers["x-request-id"] != "mine-1"
        assert refused.status_code == 400 and refused.headers["x-request-id"]
        assert "x-request-id" not in page.headers, "the inspector's own pages go unwatched"
        entries = inspector.timeline.entries("Shop", "acme")
        assert [e.summary.split(" in ")[0] for e in entries if e.kind == "request"] == ["GET /acme → 200"] * 2
        assert inspector.metrics.counts.requests[("Shop", 200)][0] == 2
        assert inspector.metrics.counts.requests[("Shop", 400)][0] == 1
        with pytest.raises(ValueError, match="already has an observer"):
            Inspector().attach(api)
    finally:
        await api.runtime.close()


async def test_the_app_says_which_object_a_request_is_about(tmp_path):
    api = Inspector().attach(API(Shop, ns="/:name", data_dir=tmp_path / "data"))
    acme = id_from_name("Shop", "acme").hex
    try:
        assert api.object_for({"type": "http", "path": "/acme/order", "headers": []}) == ("Shop", acme)
        assert api.object_for({"type": "http", "path": "/rpc", "headers": []}) is None
        assert api.object_for({"type": "http", "path": f"/_dotdo/objects/Shop/{acme}", "headers": []}) == (
            "Shop",
            acme,
        )
        assert api.object_for({"type": "http", "path": f"/_dotdo/objects/Shop/{acme}/timeline/stream"}) is None
        assert api.object_for({"type": "http", "path": "/_dotdo/api/objects", "headers": []}) is None
    finally:
        await api.runtime.close()
