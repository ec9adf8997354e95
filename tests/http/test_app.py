import json

import httpx
import pytest
from starlette.responses import PlainTextResponse

from dotdo import API, DO
from dotdo.runtime.stub import build_request


class Site(DO):
    async def on_start(self) -> None:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS hits (n INTEGER)")

    async def fetch(self, request):
        path = request.url.path
        if path == "/boom":
            self.storage.sql.exec("INSERT INTO hits VALUES (1)")
            raise RuntimeError("secret detail")
        if path == "/text":
            return "plain"
        if path == "/wrong":
            return 42
        if path == "/echo":
            body = await request.body()
            return {"bytes": len(body)}
        self.storage.sql.exec("INSERT INTO hits VALUES (1)")
        count = self.storage.sql.exec("SELECT count(*) AS n FROM hits").one()["n"]
        return PlainTextResponse(f"{self.name}|{path}|{request.url.query}|{count}")


def client(app, base="http://test"):
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base)


async def raw(app, path, host="test", method="GET"):
    """Send a request with an exact (undecoded-by-client) path."""
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", host.encode())],
        "http_version": "1.1",
        "scheme": "http",
        "root_path": "",
    }
    await app(scope, receive, send)
    return sent[0]["status"], json.loads(sent[1]["body"])


@pytest.fixture
def path_app(tmp_path):
    return API(Site, ns="/:org", data_dir=tmp_path)


async def test_path_mode_routes_and_forwards_the_rest(path_app):
    async with client(path_app) as http:
        assert (await http.get("/acme/orders?x=1")).text == "acme|/orders|x=1|1"
        assert (await http.get("/acme")).text == "acme|/||2"
        assert (await http.get("/other/a")).text == "other|/a||1"


async def test_hostname_mode(tmp_path):
    app = API(Site, data_dir=tmp_path)
    async with client(app, "http://acme.localhost:8787") as http:
        assert (await http.get("/x")).text == "acme|/x||1"
    async with client(app, "http://localhost:8787") as http:
        response = await http.get("/x")
        assert response.status_code == 404 and "subdomain" in response.json()["message"]


async def test_two_segment_and_fixed_modes(tmp_path):
    async with client(API(Site, ns="/:org/:project", data_dir=tmp_path / "a")) as http:
        assert (await http.get("/acme/web/p")).text == "acme:web|/p||1"
    async with client(API(Site, ns="main", data_dir=tmp_path / "b")) as http:
        assert (await http.get("/p")).text == "main|/p||1"


@pytest.mark.parametrize("path", ["/../x", "/%2e%2e/x", "/..", "/a%00b/x"])
async def test_bad_names_get_400_json(path_app, path):
    status, body = await raw(path_app, path.replace("%2e", ".").replace("%00", "\x00"))
    assert status == 400 and body["error"] == "bad_object_name"


async def test_a_path_seen_before_reaches_the_same_object_and_a_bad_one_is_refused_every_time(path_app):
    async with client(path_app) as http:
        assert [(await http.get("/acme/orders")).text for _ in range(3)] == [f"acme|/orders||{n}" for n in (1, 2, 3)]
        assert (await http.get("/other/orders")).text == "other|/orders||1"
    for _ in range(2):
        status, body = await raw(path_app, "/../x")
        assert status == 400 and body["error"] == "bad_object_name"


async def test_hostname_mode_routes_one_path_by_each_host(tmp_path):
    app = API(Site, data_dir=tmp_path)
    async with client(app, "http://acme.localhost") as http:
        assert (await http.get("/x")).text == "acme|/x||1"
    async with client(app, "http://beta.localhost") as http:
        assert (await http.get("/x")).text == "beta|/x||1"


async def test_uncaught_errors_give_500_json_without_details_and_the_object_stays_usable(path_app, caplog):
    async with client(path_app) as http:
        response = await http.get("/acme/boom")
        assert response.status_code == 500
        assert response.json()["error"] == "internal_error"
        assert "secret detail" not in response.text
        assert (await http.get("/acme/ok")).text == "acme|/ok||2"
    assert "secret detail" in caplog.text


async def test_fetch_may_return_text_or_json_but_not_anything(path_app):
    async with client(path_app) as http:
        assert (await http.get("/acme/text")).text == "plain"
        response = await http.get("/acme/wrong")
        assert response.status_code == 500
        assert response.json()["message"].endswith(
            "return a Response, a dict or list (sent as JSON) or a str (sent as text)"
        )


async def test_bodies_over_the_limit_get_413(tmp_path):
    app = API(Site, ns="/:org", data_dir=tmp_path, max_body_size=1000)
    async with client(app) as http:
        assert (await http.post("/acme/echo", content=b"x" * 1000)).json() == {"bytes": 1000}
        response = await http.post("/acme/echo", content=b"x" * 1001)
        assert response.status_code == 413 and response.json()["error"] == "body_too_large"

        async def chunks():
            for _ in range(5):
                yield b"y" * 300

        streamed = await http.post("/acme/echo", content=chunks())
        assert streamed.status_code == 413


async def test_auth_applies_to_every_route_including_rpc(tmp_path):
    seen = []

    def auth(request, name):
        seen.append(name)
        return request.headers.get("x-key") == "good"

    app = API(Site, ns="/:org", data_dir=tmp_path, auth=auth)
    async with client(app) as http:
        assert (await http.get("/acme/x")).status_code == 401
        assert (await http.post("/rpc", content=b"")).status_code == 401
        assert (await http.get("/acme/x", headers={"x-key": "good"})).status_code == 200
    assert seen == ["acme", None, "acme"]


async def test_async_auth_hooks_are_awaited(tmp_path):
    async def auth(request, name):
        return name == "open"

    app = API(Site, ns="/:org", data_dir=tmp_path, auth=auth)
    async with client(app) as http:
        assert (await http.get("/open/x")).status_code == 200
        assert (await http.get("/closed/x")).status_code == 401


async def test_default_fetch_is_501(tmp_path):
    class Bare(DO):
        pass

    async with client(API(Bare, ns="main", data_dir=tmp_path)) as http:
        response = await http.get("/")
        assert response.status_code == 501 and "fetch" in response.json()["message"]


async def test_data_dir_comes_from_the_environment_when_not_given(tmp_path, monkeypatch):
    monkeypatch.setenv("DOTDO_DATA_DIR", str(tmp_path / "from-env"))
    app = API(Site, ns="/:org")
    async with client(app) as http:
        await http.get("/acme/x")
    await app.runtime.close()
    assert (tmp_path / "from-env" / "objects" / "Site").is_dir()


async def test_stub_fetch_delivers_in_process(path_app):
    await path_app.runtime.start()
    response = await path_app.runtime.get(Site, "acme").fetch("/hello?q=1")
    assert response.body == b"acme|/hello|q=1|1"
    request = build_request("http://x/echo", method="POST", body="abc")
    assert json.loads((await path_app.runtime.get(Site, "acme").fetch(request)).body) == {"bytes": 3}
    await path_app.runtime.close()


def test_api_needs_a_durable_object_class():
    with pytest.raises(TypeError, match=r"dotdo\.DO"):
        API(object)


async def test_api_of_an_entity_serves_rest_openapi_and_docs_behind_auth(tmp_path):
    from dotdo.entities.entity import Entity

    class Member(Entity):
        name: str
        email: str

    app = API(Member, data_dir=tmp_path, auth=lambda request, name: request.headers.get("x-key") == "k")
    async with client(app, "http://shop.test") as http:
        assert (await http.post("/members", json={"id": "ann", "name": "Ann", "email": "a@x"})).status_code == 401
        assert (await http.get("/openapi.json")).status_code == 401
        headers = {"x-key": "k"}
        created = await http.post("/members", json={"id": "ann", "name": "Ann", "email": "a@x"}, headers=headers)
        assert created.status_code == 201
        assert (await http.get("/members/ann", headers=headers)).json() == {"id": "ann", "name": "Ann", "email": "a@x"}
        listed = await http.get("/members", headers=headers)
        assert [m["id"] for m in listed.json()["items"]] == ["ann"]
        spec = (await http.get("/openapi.json", headers=headers)).json()
        assert spec["openapi"].startswith("3.1") and "/members/{id}" in spec["paths"]
        docs = await http.get("/docs", headers=headers)
        assert docs.status_code == 200 and "text/html" in docs.headers["content-type"]
    await app.runtime.close()


class Inbox(DO):
    async def fetch(self, request):
        self.storage.put("seen", (self.storage.get("seen") or 0) + 1)
        return PlainTextResponse(f"inbox {self.name} {self.storage.get('seen')}")


async def test_apps_naming_one_data_folder_share_one_runtime(tmp_path):
    sites = API(Site, ns="/:org", data_dir=tmp_path / "data")
    inboxes = API(Inbox, ns="/:user", data_dir=str(tmp_path / "data" / "."))
    elsewhere = API(Site, ns="/:org", data_dir=tmp_path / "other")
    assert sites.runtime is inboxes.runtime is not elsewhere.runtime
    assert set(sites.runtime.classes) == {"Site", "Inbox"}
    try:
        async with client(sites) as site_http, client(inboxes) as inbox_http:
            for _ in range(3):
                assert (await site_http.get("/acme/x")).status_code == 200
                assert (await inbox_http.get("/ann")).status_code == 200
            assert (await site_http.get("/acme/x")).text == "acme|/x||4"
            assert (await inbox_http.get("/ann")).text == "inbox ann 4"
    finally:
        await sites.runtime.close()
