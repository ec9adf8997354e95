"""The routed stores of a sharded object: paging across shards, and Entity REST over a sharded index."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from dotdo.entities.entity import INDEX_OBJECT
from dotdo.entities.entity_rest import EntityApp
from dotdo.graph import InvalidCursorError
from dotdo.runtime.runtime import Runtime
from tests.cluster.lifecycle_objects import Member, Shop


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    async with Runtime(tmp_path / "data", objects=[Shop, Member]) as rt:
        yield rt


async def test_pages_across_shards_return_every_thing_once_in_global_order(runtime: Runtime) -> None:
    app = runtime.get(Shop, "acme")
    await runtime.get(Shop, "acme").add("Order", id="seed", customer_id="c0", total=-1)
    for i in range(23):
        await app.add("Order", id=f"o{i:02}", customer_id=f"c{i % 5}", total=i % 7)
    await app.shard(key="customer_id", count=3)

    async def pages(cursor: str | None = None) -> tuple[list[str], str | None]:
        def read(obj: Shop):
            return obj.ctx.things.find_page("Order", order_by=["-total"], limit=5, cursor=cursor)

        page = await runtime.run_in(Shop, "acme", read)
        return [t.id for t in page.items], page.cursor

    seen: list[str] = []
    ids, cursor = await pages()
    seen += ids
    while cursor:
        ids, cursor = await pages(cursor)
        seen += ids
    expected = await app.ids("Order", order_by=["-total"])
    assert seen == expected and len(seen) == 24
    with pytest.raises(InvalidCursorError):
        await pages("not-a-cursor")


async def test_entity_rest_over_a_sharded_name_index_works_the_same(runtime: Runtime) -> None:
    transport = httpx.ASGITransport(app=EntityApp(Member, runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for i in range(12):
            plan = "pro" if i % 3 == 0 else "free"
            response = await client.post("/members", json={"id": f"m{i:02}", "email": f"m{i}@x", "plan": plan})
            assert response.status_code == 201
        await runtime.get(Member, INDEX_OBJECT).shard(key="id", count=3)
        assert (await runtime.get(Member, INDEX_OBJECT).shard_info())["count"] == 3

        assert (await client.post("/members", json={"id": "late", "email": "l@x"})).status_code == 201
        assert (await client.patch("/members/m01", json={"plan": "pro"})).json()["plan"] == "pro"
        assert (await client.delete("/members/m02")).status_code == 204
        assert (await client.post("/members", json={"id": "m03", "email": "again@x"})).status_code == 409

        listed: list[str] = []
        cursor = None
        while True:
            params = {"limit": "5", **({"cursor": cursor} if cursor else {})}
            body = (await client.get("/members", params=params)).json()
            listed += [item["id"] for item in body["items"]]
            cursor = body["cursor"]
            if not cursor:
                break
        assert sorted(listed) == sorted([f"m{i:02}" for i in range(12) if i != 2] + ["late"])
        assert len(listed) == len(set(listed))
        pro = (await client.get("/members", params={"plan": "pro", "order_by": "id"})).json()["items"]
        assert [item["id"] for item in pro] == ["m00", "m01", "m03", "m06", "m09"]
        assert (await client.get("/members/m01")).json()["plan"] == "pro"
