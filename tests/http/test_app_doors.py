"""Every door of an `API()` app is guarded and bounded like the object routes: `auth=` vets each
object an RPC session opens and each Entity an Entity route touches, `rpc_classes=` narrows what
`/rpc` serves, the app's limits bound `/rpc`, and an object that cannot start answers the JSON
error shape. Attacks run over real HTTP (uvicorn on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest

from dotdo import API, DO, rpc
from dotdo.rpc import Limits
from tests.conftest import serving


class Probe(DO):
    def bump(self) -> int:
        count = (self.storage.get("count") or 0) + 1
        self.storage.put("count", count)
        return count

    def count(self) -> int:
        return self.storage.get("count") or 0

    async def fetch(self, request):
        return {"name": self.name, "count": self.count()}


class Internal(DO):
    def secrets(self) -> str:
        return "internal data"


def only_public(request, name) -> bool:
    return name != "secret"


async def count_of(app: API, name: str) -> int:
    return await app.runtime.get(Probe, name).count()


# ---------------------------------------------------------------- auth= behind /rpc


@pytest.mark.parametrize("scheme", ["http", "ws"])
async def test_auth_refuses_an_object_reached_over_rpc(tmp_path: Path, scheme: str) -> None:
    app = API(Probe, ns="/:org", data_dir=tmp_path, auth=only_public)
    async with serving(app) as address:
        async with httpx.AsyncClient(base_url=f"http://{address}") as http:
            assert (await http.get("/secret/x")).status_code == 401
        async with rpc.connect(f"{scheme}://{address}/rpc") as api:
            with pytest.raises(rpc.RpcError, match="not authorized for Probe 'secret'"):
                await api.Probe("secret").bump()  # pipelined: one request, still vetted
            assert await api.Probe("public").bump() == 1
        assert await count_of(app, "secret") == 0
        assert await count_of(app, "public") == 1


async def test_auth_refuses_an_object_reached_by_a_raw_batch_without_a_client(tmp_path: Path) -> None:
    app = API(Probe, ns="/:org", data_dir=tmp_path, auth=only_public)
    batch = "\n".join(
        json.dumps(message)
        for message in (
            ["push", ["pipeline", 0, ["Probe"], ["secret"]]],
            ["push", ["pipeline", 1, ["bump"], []]],
            ["pull", 2],
        )
    )
    async with serving(app) as address, httpx.AsyncClient(base_url=f"http://{address}") as http:
        response = await http.post("/rpc", content=batch)
        assert await count_of(app, "secret") == 0
    assert response.status_code == 200
    [reply] = [json.loads(line) for line in response.text.splitlines()]
    assert reply[0] == "reject" and "not authorized" in json.dumps(reply)


async def test_a_three_argument_auth_hook_sees_the_class_and_name_of_each_object(tmp_path: Path) -> None:
    seen: list[tuple[str | None, str | None]] = []

    def auth(request, name, cls) -> bool:
        seen.append((name, cls.__name__ if cls else None))
        return request.headers.get("x-key") == "k" or cls is not Internal

    app = API(Probe, ns="/:org", objects=[Internal], data_dir=tmp_path, auth=auth)
    async with serving(app) as address:
        async with rpc.connect(f"http://{address}/rpc", headers={"x-key": "wrong"}) as api:
            assert await api.Probe("a").bump() == 1
            with pytest.raises(rpc.RpcError):
                await api.Internal("vault").secrets()
        async with rpc.connect(f"http://{address}/rpc", headers={"x-key": "k"}) as api:
            assert await api.Internal("vault").secrets() == "internal data"
        async with httpx.AsyncClient(base_url=f"http://{address}") as http:
            assert (await http.get("/a/")).json() == {"name": "a", "count": 1}
    assert (None, None) in seen  # the /rpc door itself
    assert ("a", "Probe") in seen and ("vault", "Internal") in seen


async def test_rpc_classes_restricts_the_classes_served_at_rpc(tmp_path: Path) -> None:
    app = API(Probe, ns="/:org", objects=[Internal], data_dir=tmp_path, rpc_classes=[Probe])
    async with serving(app) as address, rpc.connect(f"ws://{address}/rpc") as api:
        assert await api.Probe("a").bump() == 1
        with pytest.raises(TypeError, match="'Internal' is not served over RPC; served: Probe"):
            await api.Internal("vault").secrets()
    nothing = API(Probe, ns="/:org", data_dir=tmp_path / "none", rpc_classes=())
    async with serving(nothing) as address, rpc.connect(f"http://{address}/rpc") as api:
        with pytest.raises(TypeError, match="served: none"):
            await api.Probe("a").bump()


def test_rpc_classes_takes_durable_object_classes(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="rpc_classes"):
        API(Probe, data_dir=tmp_path, rpc_classes=["Probe"])


# ---------------------------------------------------------------- auth= on Entity routes


async def test_auth_sees_the_entity_name_on_entity_routes(tmp_path: Path) -> None:
    from dotdo.entities.entity import Entity

    class Member(Entity):
        name: str

    seen: list[str | None] = []

    def auth(request, name) -> bool:
        seen.append(name)
        return name != "secret"

    app = API(Member, data_dir=tmp_path, auth=auth)
    async with serving(app) as address, httpx.AsyncClient(base_url=f"http://{address}") as http:
        assert (await http.post("/members", json={"id": "secret", "name": "S"})).status_code == 401
        assert (await http.post("/members", json={"id": "ann", "name": "Ann"})).status_code == 201
        assert (await http.get("/members/secret")).status_code == 401
        assert (await http.put("/members/secret", json={"name": "X"})).status_code == 401
        assert (await http.patch("/members/secret", json={"name": "X"})).status_code == 401
        assert (await http.delete("/members/secret")).status_code == 401
        refused = await http.get("/members/secret")
        assert refused.json()["error"] == "unauthorized"
        assert (await http.get("/members/ann")).json() == {"id": "ann", "name": "Ann"}
        assert [m["id"] for m in (await http.get("/members")).json()["items"]] == ["ann"]
    assert "secret" in seen and "ann" in seen and None in seen


# ---------------------------------------------------------------- the app's limits on /rpc


async def test_rpc_obeys_the_apps_max_body_size_like_the_object_routes(tmp_path: Path) -> None:
    app = API(Probe, ns="/:org", data_dir=tmp_path, max_body_size=1024 * 1024)
    body = b" " * (2 * 1024 * 1024)

    async def chunks():
        for _ in range(4):
            yield b" " * (512 * 1024 + 1)

    async with serving(app) as address, httpx.AsyncClient(base_url=f"http://{address}") as http:
        to_object = await http.post("/acme/x", content=body)
        to_rpc = await http.post("/rpc", content=body)
        streamed = await http.post("/rpc", content=chunks())
    assert to_object.status_code == to_rpc.status_code == streamed.status_code == 413
    assert to_rpc.json()["error"] == "body_too_large" == streamed.json()["error"]


async def test_rpc_limits_of_the_app_bound_calls_per_batch_while_objects_keep_answering(tmp_path: Path) -> None:
    app = API(Probe, ns="/:org", data_dir=tmp_path, rpc_limits=Limits(max_batch_calls=1000))
    lines = []
    for number in range(1, 5001):
        lines.append(json.dumps(["push", ["pipeline", 0, ["Probe"], [f"o{number}"]]]))
    async with serving(app) as address, httpx.AsyncClient(base_url=f"http://{address}", timeout=60) as http:
        flood = asyncio.create_task(http.post("/rpc", content="\n".join(lines)))
        answers = [await asyncio.wait_for(http.get(f"/other{n}/"), timeout=15) for n in range(5)]
        refused = await flood
    assert refused.status_code == 413 and "max_batch_calls" in refused.text
    assert [answer.json()["name"] for answer in answers] == [f"other{n}" for n in range(5)]


# ---------------------------------------------------------------- an object that cannot start


def _object_files(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "objects" / "Probe").rglob("*.sqlite"))


@pytest.mark.parametrize("damage", ["destroyed header", "unopenable file"])
async def test_an_object_that_cannot_start_answers_the_json_error_and_others_keep_working(
    tmp_path: Path, damage: str
) -> None:
    first = API(Probe, ns="/:org", data_dir=tmp_path)
    async with serving(first) as address, httpx.AsyncClient(base_url=f"http://{address}") as http:
        assert (await http.get("/broken/")).status_code == 200
    await first.runtime.close()
    [database] = _object_files(tmp_path)
    for sidecar in database.parent.glob(database.name + "-*"):
        sidecar.unlink()
    if damage == "destroyed header":
        database.write_bytes(b"\xff" * 4096)
    else:
        database.unlink()
        database.mkdir()  # nothing can open it: as on a folder that cannot be written

    app = API(Probe, ns="/:org", data_dir=tmp_path)
    async with serving(app) as address:
        async with httpx.AsyncClient(base_url=f"http://{address}") as http:
            broken = await http.get("/broken/")
            healthy = await http.get("/healthy/")
        async with rpc.connect(f"http://{address}/rpc") as api:
            with pytest.raises(Exception):  # noqa: B017 - the object's own storage error, relayed
                await api.Probe("broken").bump()
            assert await api.Probe("healthy").bump() == 1
    assert broken.status_code == 500
    assert broken.headers["content-type"] == "application/json"
    assert broken.json()["error"] == "internal_error"
    assert "failed to start" in broken.json()["message"]
    assert healthy.json() == {"name": "healthy", "count": 0}
