import asyncio
import time
from datetime import UTC, datetime

from dotdo import DO, AlarmInfo, Runtime
from dotdo.runtime.clock import Clock
from dotdo.testing import ManualClock

T0 = 1_700_000_000.0


class Reminder(DO):
    async def arm(self, when: float) -> None:
        self.storage.set_alarm(when)

    async def alarm(self, info: AlarmInfo) -> None:
        fired = self.storage.get("fired") or []
        fired.append({"at": self.runtime.clock.now(), "retry": info.retry_count, "is_retry": info.is_retry})
        self.storage.put("fired", fired)
        failures = self.storage.get("fail_times") or 0
        if len(fired) <= failures:
            raise RuntimeError("alarm failed on purpose")

    async def fail_first(self, times: int) -> None:
        self.storage.put("fail_times", times)

    async def fired(self) -> list:
        return self.storage.get("fired") or []

    async def next_alarm(self) -> datetime | None:
        return self.storage.get_alarm()


class Ticker(DO):
    async def start_ticking(self) -> None:
        self.storage.set_alarm(self.runtime.clock.now() + 10)

    async def alarm(self, info: AlarmInfo) -> None:
        self.storage.put("ticks", (self.storage.get("ticks") or 0) + 1)
        self.storage.set_alarm(self.runtime.clock.now() + 10)

    async def ticks(self) -> int:
        return self.storage.get("ticks") or 0


async def test_alarm_fires_when_due_and_not_before(runtime, clock):
    reminder = runtime.get(Reminder, "r")
    await reminder.arm(T0 + 60)
    assert await reminder.next_alarm() == datetime.fromtimestamp(T0 + 60, UTC)
    await clock.advance(59)
    assert await reminder.fired() == []
    await clock.advance(1)
    assert await reminder.fired() == [{"at": T0 + 60, "retry": 0, "is_retry": False}]
    assert await reminder.next_alarm() is None


async def test_alarm_in_the_past_fires_at_once(runtime, clock):
    reminder = runtime.get(Reminder, "r")
    await reminder.arm(T0 - 3600)
    await clock.advance(0)
    assert len(await reminder.fired()) == 1


async def test_failed_alarm_is_retried_with_exponential_backoff(runtime, clock):
    reminder = runtime.get(Reminder, "r")
    await reminder.fail_first(3)
    await reminder.arm(T0 + 1)
    for _ in range(20):
        await clock.advance(1)
    fired = await reminder.fired()
    assert [f["at"] - (T0 + 1) for f in fired] == [0, 2, 6, 14]
    assert [f["retry"] for f in fired] == [0, 1, 2, 3]
    assert [f["is_retry"] for f in fired] == [False, True, True, True]
    assert await reminder.next_alarm() is None


async def test_alarm_gives_up_after_six_retries(runtime, clock):
    reminder = runtime.get(Reminder, "r")
    await reminder.fail_first(100)
    await reminder.arm(T0)
    for _ in range(10):
        await clock.advance(200)
    assert len(await reminder.fired()) == 7
    assert await reminder.next_alarm() is None


async def test_an_alarm_handler_can_set_the_next_alarm(runtime, clock):
    ticker = runtime.get(Ticker, "t")
    await ticker.start_ticking()
    for _ in range(5):
        await clock.advance(10)
    assert await ticker.ticks() == 5


async def test_alarm_missed_while_down_fires_after_restart(tmp_path):
    data = tmp_path / "data"
    async with Runtime(data_dir=data, clock=ManualClock(T0), objects=[Reminder]) as first:
        await first.get(Reminder, "r").arm(T0 + 60)
    later = ManualClock(T0 + 3600)
    async with Runtime(data_dir=data, clock=later, objects=[Reminder]) as second:
        fired = await second.get(Reminder, "r").fired()
    assert [f["at"] for f in fired] == [T0 + 3600]


async def test_alarms_of_many_objects_fire_in_one_advance(runtime, clock):
    stubs = [runtime.get(Reminder, f"r{i}") for i in range(25)]
    for i, stub in enumerate(stubs):
        await stub.arm(T0 + i)
    await clock.advance(30)
    assert all([len(await stub.fired()) == 1 for stub in stubs])


async def test_alarm_of_an_evicted_object_reactivates_it(runtime, clock):
    reminder = runtime.get(Reminder, "sleepy")
    await reminder.arm(T0 + 100)
    assert runtime.host.evict(("Reminder", reminder.id.hex))
    assert runtime.host.live_count == 0
    await clock.advance(100)
    assert len(await reminder.fired()) == 1


BROKEN = {"on_start": False, "starts": 0}


class Fragile(DO):
    async def on_start(self) -> None:
        BROKEN["starts"] += 1
        if BROKEN["on_start"]:
            raise RuntimeError("on_start is broken in this deploy")

    async def arm(self, when: float) -> None:
        self.storage.set_alarm(when)

    async def alarm(self, info: AlarmInfo) -> None:
        self.storage.put("rang", True)

    async def rang(self) -> bool:
        return bool(self.storage.get("rang"))


async def test_an_object_that_cannot_activate_keeps_its_alarm_and_is_retried_with_backoff(tmp_path):
    clock = ManualClock(T0)
    async with Runtime(data_dir=tmp_path, clock=clock, objects=[Fragile]) as rt:
        await rt.get(Fragile, "f").arm(T0 + 10)
    BROKEN.update(on_start=True, starts=0)
    try:
        async with Runtime(data_dir=tmp_path, clock=clock, objects=[Fragile]) as rt:
            await clock.advance(10)
            assert BROKEN["starts"] == 2  # once, and once more at once
            await clock.advance(1.9)
            assert BROKEN["starts"] == 2
            await clock.advance(0.1)
            assert BROKEN["starts"] == 3
            await clock.advance(4)
            assert BROKEN["starts"] == 4
            BROKEN["on_start"] = False
            await clock.advance(8)
            assert await rt.get(Fragile, "f").rang()
    finally:
        BROKEN.update(on_start=False, starts=0)


class BusyMachineClock(Clock):
    """A running clock on a loaded machine: every reading is a millisecond after the one before."""

    def __init__(self, start: float) -> None:
        self.last = start

    def now(self) -> float:
        self.last += 0.001
        return self.last


async def test_an_alarm_that_comes_due_while_the_scheduler_looks_is_not_lost(tmp_path):
    # Time moves between any two readings, so some arming instant falls between the scheduler's
    # "what is due?" and its "what comes next?"; each of these alarms must still fire.
    clock = BusyMachineClock(T0)
    async with Runtime(data_dir=tmp_path / "data", clock=clock, objects=[Reminder]) as runtime:
        for offset in range(40):
            reminder = runtime.get(Reminder, f"r{offset}")
            await reminder.arm(clock.last + 0.001 * offset + 0.0005)
            deadline = time.monotonic() + 5
            while not await reminder.fired() and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            assert len(await reminder.fired()) == 1, f"the alarm armed {offset + 0.5} ms ahead never fired"
