"""A host's HTTP front without Ray: health, readiness, and a request for a dead host's object."""

import asyncio
from pathlib import Path

import httpx

from dotdo import API
from dotdo.cluster.host import ClusterHost
from dotdo.cluster.http_front import HostRouter
from dotdo.cluster.liveness import HealthChecks
from dotdo.cluster.placement import HostInfo, PlacementView
from dotdo.runtime.ids import id_from_name
from tests.cluster.cluster_objects import Counter
from tests.conftest import free_port


def _router(tmp_path: Path) -> tuple[HostRouter, ClusterHost]:
    host = ClusterHost("host-0", str(tmp_path), "token", None, classes=[], import_paths=[])
    # host-1 is in the view but nothing listens at its address any more: it died.
    host.view = PlacementView(
        1,
        {
            "host-0": HostInfo("host-0", ("127.0.0.1", free_port()), 1),
            "host-1": HostInfo("host-1", ("127.0.0.1", free_port()), 2),
        },
    )
    return HostRouter(host, API(Counter, ns="/:name", data_dir=tmp_path / "unused")), host


def _owned_by(view: PlacementView, host_id: str) -> str:
    return next(
        name
        for name in (f"obj-{i}" for i in range(100))
        if view.owner("Counter", id_from_name(Counter, name).hex) == host_id
    )


async def test_a_request_for_a_dead_hosts_object_gets_503_with_retry_after(tmp_path: Path) -> None:
    router, host = _router(tmp_path)
    name = _owned_by(host.view, "host-1")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=router), base_url="http://test") as client:
        response = await client.post(f"/{name}/")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.json()["error"] == "host_unavailable"
    assert "Cannot reach host host-1" in response.json()["message"]


async def test_health_answers_and_readiness_waits_for_registration(tmp_path: Path) -> None:
    router, _host = _router(tmp_path)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=router), base_url="http://test") as client:
        health = await client.get("/_dotdo/health")
        ready = await client.get("/_dotdo/ready")
    assert health.status_code == 200 and health.json()["host"] == "host-0"
    assert ready.status_code == 503 and ready.headers["retry-after"] == "1"
    assert "not registered in the cluster's directory" in ready.json()["problems"]


async def test_a_host_no_health_check_vouches_for_refuses_object_requests_but_answers_health(tmp_path: Path) -> None:
    host = ClusterHost(
        "host-0", str(tmp_path), "token", None, classes=[], import_paths=[], health_checks=HealthChecks()
    )
    host.view = PlacementView(1, {"host-0": HostInfo("host-0", ("127.0.0.1", free_port()), 1)})
    router = HostRouter(host, API(Counter, ns="/:name", data_dir=tmp_path / "unused"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=router), base_url="http://test") as client:
        refused = await client.post("/acme/")
        health = await client.get("/_dotdo/health")
        ready = await client.get("/_dotdo/ready")
    assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
    assert "host host-0 has not heard from the cluster's directory lately" in refused.json()["message"]
    assert health.status_code == 200
    assert ready.status_code == 503 and any("no recent health check" in p for p in ready.json()["problems"])


async def test_a_request_in_flight_when_the_owner_dies_gets_503_with_retry_after(tmp_path: Path) -> None:
    received = asyncio.Event()

    async def dies_mid_request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1)
        received.set()
        writer.transport.abort()

    peer = await asyncio.start_server(dies_mid_request, "127.0.0.1", 0)
    try:
        router, host = _router(tmp_path)
        host.view = PlacementView(
            2, {**host.view.hosts, "host-1": HostInfo("host-1", peer.sockets[0].getsockname()[:2], 2)}
        )
        name = _owned_by(host.view, "host-1")
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=router), base_url="http://test") as client:
            response = await client.post(f"/{name}/", content=b"{}")
    finally:
        peer.close()
    assert received.is_set()
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert "broke before it answered" in response.json()["message"]
