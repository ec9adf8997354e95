"""The inspector's pages and JSON API over the sample app, in process (httpx over ASGI)."""

from dotdo.runtime.ids import id_from_name


def shop_id(name):
    return id_from_name("Shop", name).hex


async def test_objects_are_listed_by_name_searchable_and_paged(inspected):
    _, client = inspected
    for name in ("acme", "globex", "initech"):
        assert (await client.post(f"/{name}/order", params={"item": "anvil"})).status_code == 200
    listed = (await client.get("/_dotdo/api/objects")).json()
    assert listed["total"] == 3
    assert [o["name"] for o in listed["objects"]] == ["acme", "globex", "initech"]
    assert all(o["live"] and o["size"] > 0 and o["class"] == "Shop" for o in listed["objects"])
    found = (await client.get("/_dotdo/api/objects", params={"q": "glob"})).json()
    assert [o["name"] for o in found["objects"]] == ["globex"]
    page = (await client.get("/_dotdo/api/objects", params={"offset": 1, "limit": 1})).json()
    assert [o["name"] for o in page["objects"]] == ["globex"] and page["total"] == 3
    html = (await client.get("/_dotdo/", params={"q": "acme"})).text
    assert ">acme</a>" in html and "globex" not in html


async def test_an_object_shows_rows_kv_and_a_query(inspected):
    _, client = inspected
    for item in ("anvil", "rocket", "magnet"):
        await client.post("/acme/order", params={"item": item})
    base = f"/_dotdo/api/objects/Shop/{shop_id('acme')}"
    detail = (await client.get(base)).json()
    assert detail["name"] == "acme"
    assert detail["tables"] == [
        {"name": "orders", "rows": 3, "kept_by": None},
        {"name": "schedules", "rows": 1, "kept_by": "ctx"},
    ]
    rows = (await client.get(f"{base}/rows/orders", params={"order": "item", "desc": "1"})).json()
    assert rows["columns"] == ["id", "item"] and [r[1] for r in rows["rows"]] == ["rocket", "magnet", "anvil"]
    kv = (await client.get(f"{base}/kv")).json()["entries"]
    assert kv == [{"key": "last_item", "value": "magnet"}]
    assert (await client.get(f"{base}/kv/last_item")).json()["value"] == "magnet"
    assert (await client.get(f"{base}/kv/missing")).status_code == 404
    query = await client.post(f"{base}/sql", json={"sql": "SELECT item FROM orders WHERE id = 2"})
    assert query.json()["rows"] == [["rocket"]]
    page = await client.get(
        f"/_dotdo/objects/Shop/{shop_id('acme')}", params={"sql": "SELECT count(*) AS n FROM orders"}
    )
    assert page.status_code == 200 and "<h1>acme</h1>" in page.text and "rocket" in page.text
    assert '<th scope="col">n</th>' in page.text


async def test_reading_an_evicted_object_sees_its_data_and_its_name(inspected):
    api, client = inspected
    await client.post("/acme/order", params={"item": "anvil"})
    assert api.runtime.host.evict(("Shop", shop_id("acme")))
    listed = (await client.get("/_dotdo/api/objects")).json()["objects"]
    assert listed[0]["name"] == "acme" and listed[0]["live"] is False
    base = f"/_dotdo/api/objects/Shop/{shop_id('acme')}"
    assert (await client.get(f"{base}/rows/orders")).json()["rows"] == [[1, "anvil"]]
    assert (await client.post("/acme/order", params={"item": "b"})).json() == {"name": "acme", "orders": 2}


async def test_the_sql_console_refuses_writes_and_the_runtime_tables(inspected):
    _, client = inspected
    await client.post("/acme/order", params={"item": "anvil"})
    base = f"/_dotdo/api/objects/Shop/{shop_id('acme')}"
    for statement in (
        "DELETE FROM orders",
        "INSERT INTO orders (item) VALUES ('x')",
        "DROP TABLE orders",
        "SELECT * FROM _dotdo_kv",
        "SELECT 1; DELETE FROM orders",
    ):
        refused = await client.post(f"{base}/sql", json={"sql": statement})
        assert refused.status_code == 400, statement
    page = await client.get(f"/_dotdo/objects/Shop/{shop_id('acme')}", params={"sql": "DELETE FROM orders"})
    assert page.status_code == 400 and "read-only" in page.text
    assert (await client.get(f"{base}/rows/orders")).json()["rows"] == [[1, "anvil"]], "nothing was lost"


async def test_writes_with_write_access_go_through_the_object(inspected):
    _, client = inspected
    await client.post("/acme/order", params={"item": "anvil"})
    base = f"/_dotdo/api/objects/Shop/{shop_id('acme')}"
    written = await client.post(f"{base}/sql", json={"sql": "DELETE FROM orders", "write": True})
    assert written.status_code == 200 and written.json()["rows_written"] == 1
    assert (await client.get("/acme")).json()["orders"] == 0


async def test_a_dead_letter_is_replayed(inspected):
    _, client = inspected
    assert (await client.post("/acme/pay")).status_code == 402
    base = f"/_dotdo/api/objects/Shop/{shop_id('acme')}"
    letters = (await client.get(base)).json()["dead_letters"]
    assert len(letters) == 1 and "card declined" in letters[0]["error"] and letters[0]["replayed_at"] is None
    failed = await client.post(f"{base}/dead-letters/{letters[0]['id']}/replay")
    assert failed.status_code == 409 and "card declined" in failed.json()["message"]
    await client.post("/acme/fix")
    replayed = await client.post(
        f"{base}/dead-letters/{letters[0]['id']}/replay", headers={"accept": "application/json"}
    )
    assert replayed.status_code == 200 and replayed.json()["result"] == 5
    assert (await client.get(f"{base}/kv/charged")).json()["value"] == 5
    assert (await client.get(base)).json()["dead_letters"][0]["replayed_at"] is not None


async def test_the_alarm_can_be_fired_and_cancelled(inspected):
    _, client = inspected
    await client.post("/acme/alarm")
    base = f"/_dotdo/api/objects/Shop/{shop_id('acme')}"
    kinds = [a["kind"] for a in (await client.get(base)).json()["alarms"]]
    assert sorted(kinds) == ["alarm", "dotdo.schedule"]
    cancelled = await client.post(f"{base}/alarm/cancel")
    assert cancelled.status_code == 303
    assert [a["kind"] for a in (await client.get(base)).json()["alarms"]] == ["dotdo.schedule"]


async def test_a_schedule_can_be_cancelled(inspected):
    _, client = inspected
    await client.post("/acme/order", params={"item": "anvil"})
    base = f"/_dotdo/api/objects/Shop/{shop_id('acme')}"
    [schedule] = (await client.get(base)).json()["schedules"]
    assert schedule["handler"] == "restock" and schedule["cancelled"] == 0
    page = (await client.get(f"/_dotdo/objects/Shop/{shop_id('acme')}")).text
    assert "Cancel schedule restock" in page
    cancelled = await client.post(f"{base}/schedules/{schedule['id']}/cancel", headers={"accept": "application/json"})
    assert cancelled.status_code == 200 and cancelled.json()["message"] == "schedule restock cancelled"
    assert (await client.get(base)).json()["schedules"][0]["cancelled"] == 1
    again = await client.post(f"{base}/schedules/{schedule['id']}/cancel")
    assert again.status_code == 400


async def test_the_timeline_keeps_requests_per_object(inspected):
    _, client = inspected
    await client.post("/acme/order", params={"item": "anvil"})
    await client.get("/globex")
    entries = (await client.get(f"/_dotdo/api/objects/Shop/{shop_id('acme')}/timeline")).json()["entries"]
    kinds = [e["kind"] for e in entries]
    assert kinds == ["request", "commit", "activation"]
    assert entries[0]["summary"].startswith("POST /acme/order → 200")
    assert entries[1]["summary"].startswith("committed ")
    page = (await client.get(f"/_dotdo/objects/Shop/{shop_id('acme')}")).text
    assert "POST /acme/order" in page and "/globex" not in page


async def test_unknown_objects_and_tables_are_404s_that_say_why(inspected):
    _, client = inspected
    await client.post("/acme/order", params={"item": "anvil"})
    missing = await client.get(f"/_dotdo/api/objects/Shop/{shop_id('nobody')}")
    assert missing.status_code == 404 and "No Shop object" in missing.json()["message"]
    assert (await client.get(f"/_dotdo/api/objects/Nope/{shop_id('acme')}")).status_code == 404
    table = await client.get(f"/_dotdo/api/objects/Shop/{shop_id('acme')}/rows/nope")
    assert table.status_code == 404 and "orders" in table.json()["message"]
    assert (await client.get(f"/_dotdo/api/objects/Shop/{shop_id('acme')}/rows/_dotdo_kv")).status_code == 404
    page = await client.get("/_dotdo/objects/Shop/zz", headers={"accept": "text/html"})
    assert page.status_code == 404 and "<h1>404" in page.text


async def test_files_git_history_and_the_graph_are_shown(inspected):
    _, client = inspected
    assert (await client.post("/acme/catalog")).status_code == 200
    page = await client.get(f"/_dotdo/objects/Shop/{shop_id('acme')}", params={"file": "/catalog.md"})
    assert page.status_code == 200
    html = page.text
    assert 'href="/_dotdo/objects/Shop/' in html and "<code>/catalog.md</code>" in html
    assert "&lt;b&gt;anvils&lt;/b&gt; &amp; rockets" in html, "the preview is text, escaped"
    assert "add the catalog" in html and "<code>main</code>" in html
    assert "anvil (Product)" in html and "coyote (Customer)" in html and ">bought</text>" in html
    missing = await client.get(f"/_dotdo/objects/Shop/{shop_id('acme')}", params={"file": "/nope.md"})
    assert missing.status_code == 404


async def test_an_object_without_files_or_git_gets_neither_section_nor_their_tables(inspected):
    _, client = inspected
    await client.post("/acme/order", params={"item": "anvil"})
    html = (await client.get(f"/_dotdo/objects/Shop/{shop_id('acme')}")).text
    assert 'id="files-h"' not in html and 'id="git-h"' not in html
    tables = (await client.get(f"/_dotdo/api/objects/Shop/{shop_id('acme')}")).json()["tables"]
    assert [t["name"] for t in tables] == ["orders", "schedules"], "looking created no fsx or gitx tables"
