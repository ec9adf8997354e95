"""Entity REST over HTTP: CRUD, status codes, validation errors, filters and paging, OpenAPI, docs."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import Field

from dotdo import Runtime
from dotdo.entities.entity import Entity
from dotdo.entities.entity_rest import EntityApp, entity_routes


class Customer(Entity):
    """Customers of the shop."""

    name: str
    email: str
    age: int = Field(default=0, ge=0)
    plan: str = "free"
    tags: list[str] = []


class Person(Entity):
    collection = "people"
    nickname: str | None = None


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    runtime.register(Customer)
    app = EntityApp(Customer, runtime, max_body_size=64 * 1024)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shop.test") as http:
        yield http


async def test_crud_round_trip(client: httpx.AsyncClient) -> None:
    created = await client.post("/customers", json={"id": "alice", "name": "Alice", "email": "a@x", "age": 30})
    assert created.status_code == 201
    assert created.headers["location"] == "/customers/alice"
    assert created.json() == {"id": "alice", "name": "Alice", "email": "a@x", "age": 30, "plan": "free", "tags": []}
    got = await client.get("/customers/alice")
    assert got.status_code == 200 and got.json() == created.json()
    patched = await client.patch("/customers/alice", json={"plan": "pro"})
    assert patched.status_code == 200 and patched.json()["plan"] == "pro" and patched.json()["age"] == 30
    put = await client.put("/customers/alice", json={"name": "Alice B", "email": "b@x"})
    assert put.status_code == 200
    assert put.json() == {"id": "alice", "name": "Alice B", "email": "b@x", "age": 0, "plan": "free", "tags": []}
    deleted = await client.delete("/customers/alice")
    assert deleted.status_code == 204 and deleted.content == b""
    assert (await client.get("/customers/alice")).status_code == 404
    assert (await client.delete("/customers/alice")).status_code == 404


async def test_post_without_id_generates_one(client: httpx.AsyncClient) -> None:
    created = await client.post("/customers", json={"name": "Bob", "email": "b@x"})
    assert created.status_code == 201
    entity_id = created.json()["id"]
    assert len(entity_id) == 26
    assert (await client.get(f"/customers/{entity_id}")).json()["name"] == "Bob"


async def test_duplicate_id_is_409(client: httpx.AsyncClient) -> None:
    body = {"id": "carol", "name": "Carol", "email": "c@x"}
    assert (await client.post("/customers", json=body)).status_code == 201
    again = await client.post("/customers", json={**body, "name": "Other"})
    assert again.status_code == 409
    assert again.json()["error"] == "conflict"
    assert (await client.get("/customers/carol")).json()["name"] == "Carol"


async def test_validation_errors_are_422_with_pydantics_list(client: httpx.AsyncClient) -> None:
    response = await client.post("/customers", json={"name": 5, "age": -3, "colour": "red"})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation_error"
    problems = {(tuple(e["loc"]), e["type"]) for e in body["detail"]}
    assert problems == {
        (("name",), "string_type"),
        (("email",), "missing"),
        (("age",), "greater_than_equal"),
        (("colour",), "extra_forbidden"),
    }
    assert (await client.get("/customers")).json()["items"] == []


async def test_patch_and_put_validate_and_lose_nothing(client: httpx.AsyncClient) -> None:
    await client.post("/customers", json={"id": "dan", "name": "Dan", "email": "d@x", "age": 5})
    assert (await client.patch("/customers/dan", json={"age": "old"})).status_code == 422
    assert (await client.put("/customers/dan", json={"name": "Dan"})).status_code == 422
    assert (await client.patch("/customers/dan", json={"unknown": 1})).status_code == 422
    assert (await client.get("/customers/dan")).json()["age"] == 5
    assert (await client.patch("/customers/nobody", json={"age": 1})).status_code == 404
    assert (await client.put("/customers/nobody", json={"name": "N", "email": "n@x"})).status_code == 404


@pytest.mark.parametrize(
    "body, message",
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        (b"\xff\xfe", "not valid JSON"),
        (json.dumps({"id": 5, "name": "x", "email": "y"}).encode(), "must be a string"),
        (json.dumps({"id": "a/b", "name": "x", "email": "y"}).encode(), "'/' or '#'"),
        (json.dumps({"id": "__index__", "name": "x", "email": "y"}).encode(), "reserved"),
        (json.dumps({"id": "", "name": "x", "email": "y"}).encode(), "empty"),
    ],
)
async def test_bad_bodies_are_400(client: httpx.AsyncClient, body: bytes, message: str) -> None:
    response = await client.post("/customers", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert message in response.json()["message"]


async def test_changing_the_id_is_refused(client: httpx.AsyncClient) -> None:
    await client.post("/customers", json={"id": "eve", "name": "Eve", "email": "e@x"})
    response = await client.patch("/customers/eve", json={"id": "mallory"})
    assert response.status_code == 400
    assert (await client.get("/customers/mallory")).status_code == 404


async def test_bodies_over_the_limit_are_413_and_large_values_below_it_are_kept(client: httpx.AsyncClient) -> None:
    big = {"id": "big", "name": "x" * (40 * 1024), "email": "b@x"}
    assert (await client.post("/customers", json=big)).status_code == 201
    assert (await client.get("/customers/big")).json()["name"] == big["name"]
    huge = {"id": "huge", "name": "x" * (70 * 1024), "email": "h@x"}
    response = await client.post("/customers", json=huge)
    assert response.status_code == 413

    async def stream():
        yield b'{"id": "streamed", "name": "'
        for _ in range(10):
            yield b"y" * 10_000
        yield b'", "email": "s@x"}'

    streamed = await client.post("/customers", content=stream())
    assert streamed.status_code == 413
    assert (await client.get("/customers/streamed")).status_code == 404


async def test_list_filters_orders_and_pages(client: httpx.AsyncClient) -> None:
    for i, (plan, age) in enumerate([("pro", 30), ("free", 20), ("pro", 40), ("team", 25)]):
        await client.post("/customers", json={"id": f"c{i}", "name": f"N{i}", "email": "x", "plan": plan, "age": age})
    listing = (await client.get("/customers")).json()
    assert [c["id"] for c in listing["items"]] == ["c0", "c1", "c2", "c3"] and listing["cursor"] is None
    pros = (await client.get("/customers", params={"plan": "pro"})).json()["items"]
    assert [c["id"] for c in pros] == ["c0", "c2"]
    older = (await client.get("/customers", params={"age__gte": "25", "order_by": "-age"})).json()["items"]
    assert [c["id"] for c in older] == ["c2", "c0", "c3"]
    some = (await client.get("/customers", params={"plan__in": "team,free"})).json()["items"]
    assert [c["id"] for c in some] == ["c1", "c3"]
    where = json.dumps({"age": {"lt": 30}, "plan": {"ne": "free"}})
    assert [c["id"] for c in (await client.get("/customers", params={"where": where})).json()["items"]] == ["c3"]
    seen, cursor = [], None
    while True:
        params = {"limit": "3", "order_by": "age"} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/customers", params=params)).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["cursor"]
        if cursor is None:
            break
    assert seen == ["c1", "c3", "c0", "c2"]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"colour": "red"}, "no field 'colour'"),
        ({"age": "old"}, "?age='old'"),
        ({"age__between": "1"}, "unknown operator"),
        ({"where": "{bad"}, "not valid JSON"),
        ({"where": "[1]"}, "JSON object"),
        ({"where": json.dumps({"age": {"gt": None}})}, "compares numbers or text"),
        ({"limit": "0"}, "between 1 and"),
        ({"limit": "ten"}, "not a number"),
        ({"cursor": "garbage"}, "start again"),
        ({"order_by": "colour"}, "no field"),
        ({"x'); DROP TABLE things; --": "1"}, "no field"),
    ],
)
async def test_bad_list_queries_are_400(client: httpx.AsyncClient, params: dict[str, str], message: str) -> None:
    response = await client.get("/customers", params=params)
    assert response.status_code == 400
    assert message in response.json()["message"]


async def test_openapi_document(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]) == {"/customers", "/customers/{id}"}
    assert set(document["paths"]["/customers"]) == {"get", "post"}
    assert set(document["paths"]["/customers/{id}"]) == {"parameters", "get", "put", "patch", "delete"}
    schema = document["components"]["schemas"]["Customer"]
    assert schema["required"] == ["id", "name", "email"]
    assert schema["properties"]["age"] == {"default": 0, "minimum": 0, "title": "Age", "type": "integer"}
    assert schema["additionalProperties"] is False
    assert "422" in document["paths"]["/customers"]["post"]["responses"]
    assert document["paths"]["/customers/{id}"]["delete"]["responses"]["204"]["description"] == "Deleted"
    assert document["info"]["description"] == "Customers of the shop."


async def test_docs_page(client: httpx.AsyncClient) -> None:
    page = await client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<h1>Customer API</h1>" in page.text
    assert "/customers/{id}" in page.text and "openapi.json" in page.text
    assert "<script" not in page.text


async def test_collection_name_override(runtime: Runtime) -> None:
    runtime.register(Person)
    paths = {route.path for route in entity_routes(Person, runtime)}
    assert paths == {"/people", "/people/{entity_id}", "/openapi.json", "/docs"}
    app = EntityApp(Person, runtime)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        assert (await http.post("/people", json={"id": "p", "nickname": "pat"})).status_code == 201
        assert (await http.get("/people/p")).json() == {"id": "p", "nickname": "pat"}
        assert (await http.get("/persons/p")).status_code == 404


def test_entity_routes_need_an_entity_class(runtime: Runtime) -> None:
    with pytest.raises(TypeError, match="Entity subclass"):
        entity_routes(dict, runtime)  # type: ignore[arg-type]
