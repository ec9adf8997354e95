"""`dotdo serve --inspector` on a real Ray instance on 127.0.0.1: run by test_cluster_inspector.py inside a
loopback-only network namespace."""

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from dotdo.runtime.ids import id_from_name

HERE = Path(__file__).parent
NAMES = [f"shop-{i}" for i in range(12)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_the_inspector_of_dotdo_serve_sees_the_objects_of_every_host(tmp_path: Path) -> None:
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "dotdo", "serve", "shop_app:app", "--port", str(port), "--workers", "2",
        "--data-dir", str(tmp_path / "data"), "--drain-timeout", "5", "--inspector", "--inspector-write",
        cwd=HERE, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            async with asyncio.timeout(90):
                while True:
                    assert server.returncode is None, "dotdo serve stopped (its output is printed below)"
                    try:
                        if (await client.get("/_dotdo/ready")).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.3)
            for name in NAMES:
                ordered = await client.post(f"/{name}/order", params={"item": f"anvil for {name}"})
                assert ordered.status_code == 200, ordered.text
            status = (await client.get("/_dotdo/status")).json()
            assert [h["live_objects"] > 0 for h in status["hosts"]] == [True, True], "objects live on both hosts"

        ids = {id_from_name("Shop", name).hex: name for name in NAMES}
        # Each round on a new connection: whichever host is asked lists every object by name, those
        # live on the other host (whose databases it cannot read) too.
        for _ in range(3):
            listed = httpx.get(f"{base}/_dotdo/api/objects", params={"class": "Shop", "limit": 50}).json()["objects"]
            assert sorted(o["id"] for o in listed) == sorted(ids)
            assert {o["id"]: o["name"] for o in listed} == ids
            page = httpx.get(f"{base}/_dotdo/", params={"class": "Shop"}).text
            assert all(f">{name}<" in page for name in NAMES), page
        listing = subprocess.run(
            [sys.executable, "-m", "dotdo", "objects", "Shop", "--url", base],
            capture_output=True, text=True, timeout=60, env={**os.environ, "COLUMNS": "200"},
        )  # fmt: skip
        assert listing.returncode == 0 and all(name in listing.stdout for name in NAMES), listing.stdout
        # Each round on new connections, which the kernel spreads over both hosts' listeners: every
        # object is read where it lives, whichever host was asked.
        for _ in range(3):
            async with httpx.AsyncClient(base_url=base, timeout=30) as fresh:
                for name in NAMES:
                    api = f"/_dotdo/api/objects/Shop/{id_from_name('Shop', name).hex}"
                    detail = await fresh.get(api)
                    assert detail.status_code == 200, detail.text
                    assert {t["name"]: t["rows"] for t in detail.json()["tables"]}["orders"] == 1
                    rows = (await fresh.post(api + "/sql", json={"sql": "SELECT item FROM orders"})).json()["rows"]
                    assert rows == [[f"anvil for {name}"]]
                    entries = (await fresh.get(api + "/timeline")).json()["entries"]
                    assert any(e["summary"].startswith(f"POST /{name}/order → 200") for e in entries), entries
                    page = await fresh.get(f"/_dotdo/objects/Shop/{id_from_name('Shop', name).hex}")
                    assert page.status_code == 200 and f"anvil for {name}" in page.text
                metrics = (await fresh.get("/_dotdo/metrics")).text
                families = {family.name: family for family in text_string_to_metric_families(metrics)}
                # Whichever host was scraped, it answers for both, each series labelled with its host.
                up = {s.labels["host"]: s.value for s in families["dotdo_cluster_host_up"].samples}
                assert up == {"host-0": 1.0, "host-1": 1.0}
                counted = {s.labels["host"] for s in families["dotdo_requests"].samples}
                assert counted == {"host-0", "host-1"}
        await tail_follows_every_host(base)
        server.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(server.wait(), 60) == 0
    finally:
        if server.returncode is None:
            server.kill()
            await server.wait()
        log.close()
        print((tmp_path / "serve.log").read_text()[-6000:])  # shown by pytest when the test fails


async def tail_follows_every_host(base: str) -> None:
    """`dotdo tail --url` reaches one host and prints every host's entries, each line labelled with its host."""
    tail = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "dotdo", "tail", "--url", base, cwd=HERE,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env={**os.environ, "COLUMNS": "300"},
    )  # fmt: skip
    lines: list[str] = []

    async def read() -> None:
        assert tail.stdout is not None
        while line := await tail.stdout.readline():
            lines.append(line.decode())

    reader = asyncio.get_running_loop().create_task(read())
    request = re.compile(r"^\S+ (host-\d) Shop (shop-\d+) request GET /(shop-\d+) → 200")
    hosts_of: dict[str, set[str]] = {}
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client, asyncio.timeout(60):
            while {host for hosts in hosts_of.values() for host in hosts} != {"host-0", "host-1"}:
                for name in NAMES:
                    assert (await client.get(f"/{name}")).status_code == 200
                await asyncio.sleep(0.3)
                for line in lines:
                    found = request.match(line)
                    if found:
                        assert found.group(2) == found.group(3), line
                        hosts_of.setdefault(found.group(2), set()).add(found.group(1))
        assert all(len(hosts) == 1 for hosts in hosts_of.values()), f"each object on one host: {hosts_of}"
    finally:
        tail.terminate()
        await tail.wait()
        reader.cancel()
