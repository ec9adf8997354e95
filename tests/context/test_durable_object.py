from dotdo import Runtime
from dotdo.context import DO, every


class ReportsV1(DO):
    namespace = "Reports"

    @every.hour
    def hourly(self) -> None:
        self.storage.put("ran", (self.storage.get("ran") or 0) + 1)

    @every.day.at("6am")
    def daily(self) -> None:
        return None


class ReportsV2(DO):
    namespace = "Reports"

    @every.day.at("7am")
    def daily(self) -> None:
        return None


async def test_activation_syncs_the_classes_schedules_with_the_table(tmp_path, clock) -> None:
    async with Runtime(tmp_path / "d", objects=[ReportsV1], clock=clock) as rt:
        listed = await rt.run_in("Reports", "r", lambda r: [(s.handler, s.cron) for s in r.ctx.schedules.list()])
        assert sorted(listed) == [("daily", "0 6 * * *"), ("hourly", "0 * * * *")]
    async with Runtime(tmp_path / "d", objects=[ReportsV2], clock=clock) as rt:
        listed = await rt.run_in("Reports", "r", lambda r: [(s.handler, s.cron) for s in r.ctx.schedules.list()])
        assert listed == [("daily", "0 7 * * *")]
        timers = await rt.run_in("Reports", "r", lambda r: [t.kind for t in r.storage.timers.list()])
        assert timers == ["dotdo.schedule"]


async def test_an_object_without_schedules_creates_no_tables(runtime: Runtime) -> None:
    class Plain(DO):
        def ping(self) -> str:
            return "pong"

    assert await runtime.get(Plain, "p").ping() == "pong"
    tables = await runtime.run_in(Plain, "p", lambda p: p.storage.sql.exec("SELECT name FROM sqlite_master").to_list())
    assert [t["name"] for t in tables if not t["name"].startswith("_dotdo")] == []


async def test_a_method_schedule_dropped_by_a_code_change_comes_back_with_it(tmp_path, clock) -> None:
    for version in (ReportsV1, ReportsV2):
        async with Runtime(tmp_path / "d", objects=[version], clock=clock) as rt:
            await rt.run_in("Reports", "r", lambda r: None)
    async with Runtime(tmp_path / "d", objects=[ReportsV1], clock=clock) as rt:
        listed = await rt.run_in("Reports", "r", lambda r: [(s.handler, s.cron) for s in r.ctx.schedules.list()])
        assert sorted(listed) == [("daily", "0 6 * * *"), ("hourly", "0 * * * *")]
        await clock.advance(3600)
        assert await rt.run_in("Reports", "r", lambda r: r.storage.get("ran")) == 1
