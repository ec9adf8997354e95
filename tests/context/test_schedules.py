from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from context_crash_objects import T0, Ticker
from handler_shapes import SHAPES, Onboarding

from dotdo import Runtime
from dotdo.context import DO, every
from dotdo.testing import ManualClock

HOUR = 3600


class Reporter(DO):
    async def on_start(self) -> None:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS log (what TEXT, at REAL)")

    def note(self, what: str) -> None:
        self.storage.sql.exec("INSERT INTO log VALUES (?, ?)", what, self.ctx.now())

    @every.monday.at("9am")
    def weekly(self) -> None:
        self.note("weekly")

    @every("5 minutes")
    def often(self) -> None:
        self.note("often")

    def log(self) -> list[str]:
        return [r["what"] for r in self.storage.sql.exec("SELECT what FROM log ORDER BY rowid")]


async def test_method_schedules_fire_on_time_and_survive_restarts(tmp_path) -> None:
    clock = ManualClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))  # a Monday
    async with Runtime(tmp_path / "d", objects=[Reporter], clock=clock) as rt:
        listed = await rt.run_in(Reporter, "r", lambda r: r.ctx.schedules.list())
        assert [(s.handler, s.cron) for s in listed] == [("often", "*/5 * * * *"), ("weekly", "0 9 * * 1")]
        assert listed[1].next_run == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        assert listed[1].description == "At 09:00 AM, only on Monday"
        await clock.advance(5 * 60)
        assert await rt.get(Reporter, "r").log() == ["often"]
    async with Runtime(tmp_path / "d", objects=[Reporter], clock=clock) as rt:
        for _ in range(12):
            await clock.advance(5 * 60)
        log = await rt.get(Reporter, "r").log()
        assert log.count("often") == 13 and log.count("weekly") == 1
        listed = await rt.run_in(Reporter, "r", lambda r: r.ctx.schedules.list())
        assert len(listed) == 2


async def test_schedules_survive_eviction(tmp_path) -> None:
    clock = ManualClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    async with Runtime(tmp_path / "d", objects=[Reporter], clock=clock, idle_timeout=60) as rt:
        await rt.get(Reporter, "r").log()
        await clock.advance(120)
        assert rt.host.live_count == 0
        await clock.advance(180)
        assert await rt.get(Reporter, "r").log() == ["often"]


async def test_ctx_every_registers_a_persisted_schedule_idempotently(runtime: Runtime) -> None:
    fired: list[datetime] = []

    def register(r: Reporter):
        first = r.ctx.every.hour(lambda tick: fired.append(tick))
        again = r.ctx.every.hour(lambda tick: fired.append(tick))
        by_text = r.ctx.every("daily at 6am Europe/Paris", r.weekly)
        return first, again, by_text

    first, again, by_text = await runtime.run_in(Reporter, "r", register)
    assert first.id == again.id
    assert by_text.timezone == "Europe/Paris" and by_text.cron == "0 6 * * *"
    await runtime.clock.advance(HOUR)
    assert len(fired) == 1
    assert fired[0].minute == 0 and fired[0].tzinfo is UTC


async def test_cancel_stops_a_schedule_and_a_cancelled_method_stays_cancelled(tmp_path, clock) -> None:
    async with Runtime(tmp_path / "d", objects=[Reporter], clock=clock) as rt:
        listed = await rt.run_in(Reporter, "r", lambda r: r.ctx.schedules.list())
        often = next(s for s in listed if s.handler == "often")
        assert await rt.run_in(Reporter, "r", lambda r: r.ctx.schedules.cancel(often.id)) is True
        assert await rt.run_in(Reporter, "r", lambda r: r.ctx.schedules.cancel(often.id)) is False
        assert await rt.run_in(Reporter, "r", lambda r: r.ctx.schedules.cancel("no-such-id")) is False
        with pytest.raises(TypeError, match="schedule id is a str"):
            await rt.run_in(Reporter, "r", lambda r: r.ctx.schedules.cancel(3))
    async with Runtime(tmp_path / "d", objects=[Reporter], clock=clock) as rt:
        await clock.advance(HOUR)
        assert await rt.get(Reporter, "r").log() == []
        handlers = [s.handler for s in await rt.run_in(Reporter, "r", lambda r: r.ctx.schedules.list())]
        assert handlers == ["weekly"]


async def test_a_failing_tick_is_dead_lettered_and_the_schedule_goes_on(runtime: Runtime) -> None:
    calls: list[int] = []

    def boom() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("report failed")

    info = await runtime.run_in(Reporter, "r", lambda r: r.ctx.every.hour(boom))
    await runtime.clock.advance(HOUR)
    [letter] = await runtime.run_in(Reporter, "r", lambda r: r.ctx.dead_letters())
    assert letter.kind == "handler" and letter.payload["schedule"] == info.id
    await runtime.clock.advance(HOUR)
    assert len(calls) == 2
    await runtime.run_in(Reporter, "r", lambda r: r.ctx.replay(letter.id))
    assert len(calls) == 3


async def test_daily_schedule_in_a_time_zone_across_dst_fires_once_a_day(tmp_path) -> None:
    clock = ManualClock(datetime(2026, 3, 27, 12, 0, tzinfo=UTC))
    fired: list[datetime] = []
    async with Runtime(tmp_path / "d", objects=[Reporter], clock=clock) as rt:
        await rt.run_in(Reporter, "r", lambda r: r.ctx.every("daily at 2:30am Europe/Paris", fired.append))
        for _ in range(5 * 24):
            await clock.advance(HOUR)
    local = [f.astimezone(ZoneInfo("Europe/Paris")) for f in fired]
    assert [d.date().isoformat() for d in local] == [
        "2026-03-28",
        "2026-03-29",
        "2026-03-30",
        "2026-03-31",
        "2026-04-01",
    ]
    assert [d.strftime("%H:%M") for d in local] == ["02:30", "03:30", "02:30", "02:30", "02:30"]


async def test_missed_ticks_follow_each_policy_across_a_real_restart(tmp_path, child) -> None:
    data = tmp_path / "data"
    script = f"""
import asyncio
from dotdo import Runtime
from dotdo.testing import ManualClock
from context_crash_objects import Ticker, T0, crash_now

async def main():
    rt = await Runtime({str(data)!r}, objects=[Ticker], clock=ManualClock(T0)).start()
    listed = await rt.run_in(Ticker, "t", lambda t: t.ctx.schedules.list())
    print(len(listed), flush=True)
    crash_now()

asyncio.run(main())
"""
    assert child(script, data, expect_kill=True).strip() == "3"
    down_until = T0 + 5 * HOUR + 1800  # five hourly ticks came due while nothing ran
    clock = ManualClock(down_until)
    async with Runtime(data, objects=[Ticker], clock=clock) as rt:
        await clock.advance(0)
        runs = await rt.get(Ticker, "t").runs()
        assert len(runs["all"]) == 5
        assert len(runs["once"]) == 1 and runs["once"][0] == runs["all"][-1]
        assert runs["skip"] == []
        listed = await rt.run_in(Ticker, "t", lambda t: t.ctx.schedules.list())
        next_tick = T0 - (T0 % HOUR) + 6 * HOUR
        assert {s.next_fire_at for s in listed} == {next_tick}
        await clock.set(next_tick)  # back to normal: every policy runs an on-time tick
        runs = await rt.get(Ticker, "t").runs()
        assert (len(runs["all"]), len(runs["once"]), len(runs["skip"])) == (6, 2, 1)


async def test_a_tick_within_the_grace_period_is_not_missed(tmp_path) -> None:
    clock = ManualClock(T0)
    async with Runtime(tmp_path / "d", objects=[Ticker], clock=clock) as rt:
        await rt.get(Ticker, "t").runs()
        await clock.advance(HOUR - (T0 % HOUR) + 30)
        runs = await rt.get(Ticker, "t").runs()
        assert (len(runs["all"]), len(runs["once"]), len(runs["skip"])) == (1, 1, 1)


async def test_named_registrations_keep_two_lambdas_apart(runtime: Runtime) -> None:
    fired: list[str] = []

    def register(r: Reporter) -> list[str]:
        a = r.ctx.every.hour(lambda: fired.append("a"), name="a")
        b = r.ctx.every.hour(lambda: fired.append("b"), name="b")
        return [a.id, b.id]

    ids = await runtime.run_in(Reporter, "r", register)
    assert len(set(ids)) == 2
    await runtime.clock.advance(HOUR)
    assert sorted(fired) == ["a", "b"]
    with pytest.raises(ValueError, match="schedule name"):
        await runtime.run_in(Reporter, "r", lambda r: r.ctx.every.hour(lambda: None, name=""))


async def test_a_schedule_whose_firing_fails_is_tried_again_not_lost(runtime: Runtime) -> None:
    info = await runtime.run_in(Reporter, "r", lambda r: r.ctx.every.hour(r.weekly))
    # A damaged row (hand-edited cron) makes firing itself fail.
    await runtime.run_in(Reporter, "r", lambda r: r.storage.sql.exec("UPDATE schedules SET cron = 'garbage'"))
    await runtime.clock.set(info.next_fire_at)
    timer = await runtime.run_in(Reporter, "r", lambda r: r.storage.timers.get(f"dotdo:schedule:{info.id}"))
    assert timer is not None and timer.fire_at == info.next_fire_at + 60
    await runtime.run_in(Reporter, "r", lambda r: r.storage.sql.exec("UPDATE schedules SET cron = '0 * * * *'"))
    await runtime.clock.advance(60)
    assert "weekly" in await runtime.get(Reporter, "r").log()


@pytest.mark.parametrize("shape", SHAPES)
async def test_every_handler_shape_runs_on_its_schedule(runtime: Runtime, shape: str) -> None:
    await runtime.run_in(Onboarding, "o", lambda obj: obj.ctx.every.hour(SHAPES[shape](obj), name=shape))
    await runtime.clock.advance(HOUR)
    assert await runtime.get(Onboarding, "o").ran() == [shape]
    assert await runtime.run_in(Onboarding, "o", lambda obj: obj.ctx.dead_letters()) == []


class Pulse(DO):
    """Registers its schedule only when asked, so a restart leaves the schedule without its handler."""

    async def on_start(self) -> None:
        self.ticks: list[datetime] = []

    def start_pulse(self) -> None:
        self.ctx.every.hour(lambda tick: self.ticks.append(tick), name="pulse")


async def test_ticks_wait_for_a_handler_that_is_not_registered_yet(tmp_path, caplog) -> None:
    clock = ManualClock(T0)
    async with Runtime(tmp_path / "d", objects=[Pulse], clock=clock) as rt:
        await rt.get(Pulse, "p").start_pulse()
    async with Runtime(tmp_path / "d", objects=[Pulse], clock=clock) as rt:
        await clock.advance(HOUR)
        await clock.advance(60)
        [info] = await rt.run_in(Pulse, "p", lambda p: p.ctx.schedules.list())
        assert (info.runs, info.last_fired_at) == (0, None)
        assert info.next_fire_at == datetime(2023, 11, 14, 23, tzinfo=UTC).timestamp()
        await rt.get(Pulse, "p").start_pulse()
        await clock.advance(60)
        assert await rt.run_in(Pulse, "p", lambda p: p.ticks) == [datetime(2023, 11, 14, 23, tzinfo=UTC)]
    reports = [r for r in caplog.records if "is not registered" in r.getMessage()]
    assert len(reports) == 1 and "keeping its ticks" in reports[0].getMessage()
