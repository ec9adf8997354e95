import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time

import httpx
import pytest

from dotdo import DO, Runtime
from tests.conftest import free_port


class Counter(DO):
    async def on_start(self) -> None:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS c (k TEXT PRIMARY KEY, v INTEGER NOT NULL)")

    async def increment(self) -> int:
        return self.storage.sql.exec(
            "INSERT INTO c VALUES ('n', 1) ON CONFLICT(k) DO UPDATE SET v = v + 1 RETURNING v"
        ).one()["v"]

    def state(self) -> dict:
        return {"dirty": self.storage.dirty, "in_transaction": self.storage.connection().in_transaction}


async def test_many_turns_of_one_object_share_one_commit(runtime):
    counter = runtime.get(Counter, "hot")
    await counter.increment()
    before = runtime.host.group_commit.commits
    results = await asyncio.gather(*(counter.increment() for _ in range(200)))
    assert sorted(results) == list(range(2, 202))
    assert runtime.host.group_commit.commits - before <= 2


async def test_many_objects_share_one_flush_cycle(runtime):
    stubs = [runtime.get(Counter, f"o{i}") for i in range(40)]
    await asyncio.gather(*(s.increment() for s in stubs))
    flushes = runtime.host.group_commit.flushes
    commits = runtime.host.group_commit.commits
    assert await asyncio.gather(*(s.increment() for s in stubs)) == [2] * 40
    assert runtime.host.group_commit.flushes - flushes <= 2
    assert runtime.host.group_commit.commits - commits == 40


async def test_a_result_is_released_only_after_its_write_is_committed(runtime):
    counter = runtime.get(Counter, "gate")
    commits = runtime.host.group_commit.commits
    assert await counter.increment() == 1
    assert runtime.host.group_commit.commits > commits
    assert await counter.state() == {"dirty": False, "in_transaction": False}


@pytest.mark.parametrize("durability", ["process", "power"])
async def test_acknowledged_writes_are_in_the_file_after_close(tmp_path, clock, durability):
    async with Runtime(data_dir=tmp_path, clock=clock, durability=durability) as rt:
        await asyncio.gather(*(rt.get(Counter, "c").increment() for _ in range(100)))
        if durability == "power":
            assert rt.host.group_commit.fsyncs >= 1
    async with Runtime(data_dir=tmp_path, clock=clock, durability=durability) as rt:
        assert await rt.get(Counter, "c").increment() == 101


APP = textwrap.dedent(
    """
    from starlette.responses import PlainTextResponse
    from dotdo import API, DO

    class Counter(DO):
        async def on_start(self):
            self.storage.sql.exec("CREATE TABLE IF NOT EXISTS c (k TEXT PRIMARY KEY, v INTEGER NOT NULL)")

        async def fetch(self, request):
            if request.method == "POST":
                row = self.storage.sql.exec(
                    "INSERT INTO c VALUES ('n', 1) ON CONFLICT(k) DO UPDATE SET v = v + 1 RETURNING v"
                ).one()
            else:
                row = self.storage.sql.exec("SELECT coalesce(max(v), 0) AS v FROM c").one()
            return PlainTextResponse(str(row["v"]))

    app = API(Counter, ns="/:name")
    """
)


def _serve(folder, port, durability):
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dotdo",
            "dev",
            "app:app",
            "--port",
            str(port),
            "--data-dir",
            "data",
            "--durability",
            durability,
        ],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_ready(port, process):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("dotdo dev exited early")
        try:
            httpx.get(f"http://127.0.0.1:{port}/probe", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError("dotdo dev did not start")


@pytest.mark.parametrize("durability", ["process", "power"])
async def test_every_acknowledged_increment_survives_kill_9_under_load(tmp_path, durability):
    (tmp_path / "app.py").write_text(APP)
    port = free_port()
    server = _serve(tmp_path, port, durability)
    acknowledged: dict[str, int] = {}
    try:
        _wait_ready(port, server)
        stop = asyncio.Event()

        async def client(name: str) -> None:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as http:
                while not stop.is_set():
                    try:
                        response = await http.post(f"/{name}/incr")
                    except httpx.TransportError:
                        return
                    if response.status_code == 200:
                        acknowledged[name] = max(acknowledged.get(name, 0), int(response.text))

        clients = [asyncio.create_task(client(f"n{i % 8}")) for i in range(32)]
        while sum(acknowledged.values()) < 2000:
            await asyncio.sleep(0.05)
        server.send_signal(signal.SIGKILL)
        server.wait()
        stop.set()
        await asyncio.gather(*clients)
    finally:
        if server.poll() is None:
            server.kill()
    assert len(acknowledged) == 8
    restarted = _serve(tmp_path, port, durability)
    try:
        _wait_ready(port, restarted)
        for name, value in acknowledged.items():
            stored = int(httpx.get(f"http://127.0.0.1:{port}/{name}/value").text)
            assert stored >= value, f"{name}: acknowledged {value} but only {stored} survived"
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(timeout=10)
    assert os.path.exists(tmp_path / "data" / "objects" / "Counter")


class Bulk(DO):
    async def load(self, rows: int) -> None:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS blobs (id INTEGER PRIMARY KEY, data BLOB)")
        for i in range(rows):
            self.storage.sql.exec("INSERT INTO blobs (data) VALUES (?)", bytes([i % 256]) * 1024)

    def count(self) -> int:
        return self.storage.sql.exec("SELECT count(*) AS n FROM blobs").one()["n"]


async def test_power_mode_checkpoints_a_large_wal_and_keeps_every_row(tmp_path, clock):
    async with Runtime(data_dir=tmp_path, clock=clock, durability="power") as rt:
        bulk = rt.get(Bulk, "b")
        await bulk.load(9000)
        await bulk.load(10)
        wal = rt.host.data_folder.object_path("Bulk", bulk.id.hex).with_name(f"{bulk.id.hex}.sqlite-wal")
        assert wal.stat().st_size < 8 * 1024 * 1024
    async with Runtime(data_dir=tmp_path, clock=clock, durability="power") as rt:
        assert await rt.get(Bulk, "b").count() == 9010


def test_syncfs_flushes_a_filesystem_and_reports_errors(tmp_path):
    from dotdo.runtime.group_commit import syncfs

    assert syncfs is not None, "these machines run Linux, which has syncfs(2)"
    path = tmp_path / "f"
    path.write_bytes(b"x")
    fd = os.open(path, os.O_RDONLY)
    try:
        assert syncfs(fd) is None
    finally:
        os.close(fd)
    with pytest.raises(OSError):
        syncfs(fd)


async def test_power_mode_writes_to_many_objects_are_synced_together(tmp_path, clock):
    async with Runtime(data_dir=tmp_path, clock=clock, durability="power") as rt:
        stubs = [rt.get(Counter, f"c{i}") for i in range(20)]
        await asyncio.gather(*(s.increment() for s in stubs))
        fsyncs = rt.host.group_commit.fsyncs
        assert await asyncio.gather(*(s.increment() for s in stubs)) == [2] * 20
        assert rt.host.group_commit.fsyncs - fsyncs <= 2
    async with Runtime(data_dir=tmp_path, clock=clock, durability="power") as rt:
        assert await asyncio.gather(*(rt.get(Counter, f"c{i}").increment() for i in range(20))) == [3] * 20
