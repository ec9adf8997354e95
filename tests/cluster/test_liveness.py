"""Health checks over real sockets: a paused process is noticed, and it knows it is no longer a member."""

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from dotdo.cluster.directory import Directory
from dotdo.cluster.liveness import HealthChecks, LivenessMonitor, LivenessResponder
from dotdo.cluster.placement import HostInfo

SRC = Path(__file__).parents[2] / "src"
CHECKS = HealthChecks(period=0.1, timeout=0.3, failures=3)
RESPONDER = """
import sys
import time
from dotdo.cluster.liveness import LivenessResponder
responder = LivenessResponder()
host, port = responder.start("127.0.0.1")
print(port, flush=True)
for _line in sys.stdin:
    print("member" if responder.member() else "not a member", flush=True)
"""


class Responder:
    """A LivenessResponder in a process of its own, which the test can pause and ask whether it is a member."""

    def __init__(self, process: asyncio.subprocess.Process, port: int) -> None:
        self.process = process
        self.address = ("127.0.0.1", port)

    async def member(self) -> str:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(b"?\n")
        await self.process.stdin.drain()
        return (await self.process.stdout.readline()).decode().strip()


@pytest_asyncio.fixture
async def responder() -> AsyncIterator[Responder]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", RESPONDER, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(SRC)},
    )  # fmt: skip
    assert process.stdout is not None
    port = int(await process.stdout.readline())
    try:
        yield Responder(process, port)
    finally:
        process.send_signal(signal.SIGCONT)
        process.kill()
        await process.wait()


async def test_a_paused_host_is_reported_and_knows_it_is_no_longer_a_member(responder: Responder) -> None:
    assert await responder.member() == "not a member"  # no ping yet
    dead: asyncio.Queue[tuple[str, str]] = asyncio.Queue()

    async def on_dead(host_id: str, reason: str) -> None:
        await dead.put((host_id, reason))

    monitor = LivenessMonitor(CHECKS, on_dead)
    monitor.watch("host-7", responder.address)
    await asyncio.sleep(CHECKS.period * 5)
    assert dead.empty()
    assert await responder.member() == "member"

    responder.process.send_signal(signal.SIGSTOP)
    host_id, reason = await asyncio.wait_for(dead.get(), 10)
    assert host_id == "host-7"
    assert "missed 3 health checks in a row (last: TimeoutError)" in reason
    responder.process.send_signal(signal.SIGCONT)
    # Its last ping vouched for it for `grace` seconds only, and it was removed after more than that.
    assert await responder.member() == "not a member"


async def test_the_directory_removes_a_host_that_stops_answering(responder: Responder) -> None:
    directory = Directory(CHECKS)
    await directory.register(HostInfo("host-0", ("127.0.0.1", 1), responder.process.pid, liveness=responder.address))
    await directory.register(HostInfo("host-1", ("127.0.0.1", 2), 1))  # not checked: no liveness address
    seen = (await directory.view()).version
    responder.process.send_signal(signal.SIGSTOP)
    view = await asyncio.wait_for(directory.wait_change(seen), 10)
    assert list(view.hosts) == ["host-1"]
    assert "missed 3 health checks" in (await directory.removal_reason("host-0") or "")


async def test_a_host_that_leaves_is_not_reported() -> None:
    responder = LivenessResponder()
    reports: list[str] = []

    async def on_dead(host_id: str, reason: str) -> None:
        reports.append(host_id)

    monitor = LivenessMonitor(CHECKS, on_dead)
    monitor.watch("host-0", responder.start("127.0.0.1"))
    await asyncio.sleep(CHECKS.period * 3)
    assert responder.member()
    monitor.forget("host-0")
    responder.close()
    await asyncio.sleep(CHECKS.period * 6)
    assert reports == [] and not responder.member()


def test_health_check_settings_are_checked() -> None:
    assert HealthChecks(period=0.2, timeout=0.5, failures=3).grace == pytest.approx(0.4)
    for bad in ({"period": 0}, {"timeout": -1}, {"failures": 1}):
        with pytest.raises(ValueError, match="positive period and timeout and at least two failures"):
            HealthChecks(**bad)


async def test_a_host_whose_pings_are_late_may_ask_and_is_vouched_for_only_while_checked() -> None:
    responder = LivenessResponder()
    address = responder.start("127.0.0.1")
    monitor = LivenessMonitor(CHECKS, lambda host_id, reason: asyncio.sleep(0))
    monitor.watch("host-0", address)
    await responder.first_ping(5)
    asked_at = time.monotonic()
    assert monitor.vouch("host-0")
    responder.renew(asked_at)
    assert responder.member()
    monitor.forget("host-0")
    assert not monitor.vouch("host-0")
    responder.close()
    responder.renew(time.monotonic())
    assert not responder.member()
