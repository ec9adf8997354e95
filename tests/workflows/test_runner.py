"""Replay after SIGKILL of a real process at every point of a run, and exactly-once of local steps."""

from __future__ import annotations

import asyncio

import pytest
from workflow_crash_objects import T0, Checkout

from dotdo import Runtime
from dotdo.testing import ManualClock
from dotdo.workflows import Workflow

CRASH_POINTS = [
    "before:reserve",
    "inside:reserve",
    "after:reserve",
    "inside:charge",
    "after:charge",
    "inside:audit",
    "after:audit",
    "during:sleep",
    "after:sleep",
    "during:wait",
    "after:wait",
    "inside:record",
    "after:record",
]

CHILD = """
import asyncio
from dotdo import Runtime
from dotdo.testing import ManualClock
from dotdo.workflows import Workflow
from workflow_crash_objects import Checkout, T0, crash_point

async def main():
    clock = ManualClock(T0)
    rt = await Runtime({data!r}, objects=[Checkout], clock=clock).start()
    inst = await Checkout.create(rt, id="order-1", params={{"items": ["a", "b"], "amount": 30}})
    await inst.settle()
    crash_point("during:sleep")
    await clock.advance(3600)
    await inst.settle()
    crash_point("during:wait")
    await inst.send_event("shipped", {{"tracking": "TRK1"}})
    await inst.settle()
    await rt.close()

asyncio.run(main())
"""


async def drive_to_the_end(rt: Runtime, clock: ManualClock) -> dict:
    """Advance time and send the shipping event (if not yet sent) until the instance ends."""
    inst = await Checkout.get(rt, "order-1")
    for _ in range(20):
        status = await inst.settle()
        if status["status"] in ("complete", "errored", "terminated"):
            return status
        waiting = [s for s in status["steps"] if s["type"] == "wait_for_event" and s["status"] == "waiting"]
        if waiting and not status["pending_events"]:
            await inst.send_event("shipped", {"tracking": "TRK1"})
            continue
        await clock.advance(3600)
    raise AssertionError(f"the instance did not end: {status}")


@pytest.mark.parametrize("point", CRASH_POINTS)
async def test_a_run_killed_at_any_point_resumes_and_runs_local_steps_once(tmp_path, child, monkeypatch, point):
    data = tmp_path / "data"
    code = child(CHILD.format(data=str(data)), data, env={"DOTDO_CRASH": point})
    assert code == -9, f"the child was to be killed at {point}"
    monkeypatch.setenv("DOTDO_TEST_DATA", str(data))
    clock = ManualClock(T0)
    async with Runtime(data, objects=[Checkout], clock=clock) as rt:
        status = await drive_to_the_end(rt, clock)
        assert status["status"] == "complete", status
        assert status["output"] == {"reserved": 2, "charged": {"charged": 30}, "recorded": "TRK1"}
        assert [s["name"] for s in status["steps"]] == ["reserve", "charge", "audit", "cool off", "shipping", "record"]
        assert await rt.get(Checkout, "order-1").rows() == {"reservations": 2, "shipments": 1}
        listed = await Checkout.instances(rt)
        assert [(i["id"], i["status"]) for i in listed] == [("order-1", "complete")]
    charges = (data / "charges").read_text().splitlines()
    # The external step is at-least-once: repeated only when killed inside it, with the same key.
    assert len(charges) == (2 if point == "inside:charge" else 1)
    assert len(set(charges)) == 1
    assert charges[0] == "Checkout/order-1/1/charge 30"
    # So is the blocking one that ran in a worker thread.
    audits = (data / "audits").read_text().splitlines()
    assert audits == ["Checkout/order-1/1/audit 30"] * (2 if point == "inside:audit" else 1)


async def test_a_run_that_is_not_killed_completes_in_the_child(tmp_path, child, monkeypatch):
    data = tmp_path / "data"
    assert child(CHILD.format(data=str(data)), data) == 0
    monkeypatch.setenv("DOTDO_TEST_DATA", str(data))
    async with Runtime(data, objects=[Checkout], clock=ManualClock(T0)) as rt:
        status = await Checkout.get(rt, "order-1")
        assert (await status.status())["status"] == "complete"


class Napping(Workflow):
    async def run(self, event, step):
        await step.sleep("nap", event.params)
        return await step.do("wake", str.upper, "awake")


@pytest.mark.parametrize("durability", ["process", "power"])
async def test_an_instance_that_sleeps_long_closes_its_database_until_it_wakes(tmp_path, durability):
    clock = ManualClock(T0)
    async with Runtime(tmp_path / "data", clock=clock, durability=durability) as runtime:
        await sleep_long_and_short(runtime, clock)


async def sleep_long_and_short(runtime: Runtime, clock: ManualClock) -> None:
    sleepers = {
        name: await Napping.create(runtime, id=name, params=nap) for name, nap in [("long", "1 day"), ("short", "5 s")]
    }
    connected = {}
    for name in sleepers:
        await runtime.run_in(Napping, name, lambda obj: obj.ctx.settle())
        connected[name] = await runtime.run_in(Napping, name, lambda obj: obj.storage.is_open)
    assert connected == {"long": False, "short": True}
    await clock.advance(86400)
    for inst in sleepers.values():
        assert (await inst.settle())["output"] == "AWAKE"


gates: dict[str, asyncio.Event] = {}


async def held(name: str) -> str:
    await gates[name].wait()
    return f"{name} released"


class Held(Workflow):
    async def run(self, event, step):
        await step.do("quick", str.upper, "quick")
        return await step.do("held", held, event.params)


async def test_status_is_running_while_an_execution_waits_inside_a_step(runtime):
    gates["g"] = asyncio.Event()
    inst = await Held.create(runtime, id="h", params="g")
    for _ in range(100):
        status = await inst.status()
        if [s["status"] for s in status["steps"]] == ["complete", "running"]:
            break
        await asyncio.sleep(0)
    assert (status["status"], [s["name"] for s in status["steps"]]) == ("running", ["quick", "held"])
    gates["g"].set()
    assert (await inst.settle())["output"] == "g released"
