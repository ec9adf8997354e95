"""Alarms against Cloudflare's own tests (github.com/cloudflare/workerd, Apache-2.0).

Sources: `api/tests/actor-alarms-test.js`, `io/actor-sqlite-test.c++`, `io/actor-cache-test.c++`,
`api/tests/sql-test.js` (testRollbackAlarmInit). Deliberate difference, also in the README:
`storage.delete_all()` deletes the alarm too (workerd keeps it unless `deleteAlarm` is passed).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dotdo import DO, AlarmInfo

T0 = 1_700_000_000.0


class Waiter(DO):
    async def arm(self, when: float) -> datetime | None:
        self.storage.set_alarm(when)
        return self.storage.get_alarm()

    async def alarm(self, info: AlarmInfo) -> None:
        seen = {
            "alarm_inside_handler": self.storage.get_alarm(),
            "scheduled_time": info.scheduled_time,
            "retry_count": info.retry_count,
        }
        self.storage.put("seen", seen)
        rearm = self.storage.get("rearm")
        if rearm is not None:
            self.storage.set_alarm(rearm)
            self.storage.put("after_rearm", self.storage.get_alarm())
        if self.storage.get("fail"):
            self.storage.delete("fail")
            raise RuntimeError("fail once")

    async def seen(self) -> dict | None:
        return self.storage.get("seen")

    async def after_rearm(self) -> datetime | None:
        return self.storage.get("after_rearm")

    async def prepare(self, *, rearm: float | None = None, fail: bool = False) -> None:
        if rearm is not None:
            self.storage.put("rearm", rearm)
        if fail:
            self.storage.put("fail", True)

    async def current(self) -> datetime | None:
        return self.storage.get_alarm()

    async def clear(self) -> None:
        self.storage.delete_alarm()

    async def set_in_rolled_back_block(self, when: float) -> None:
        def block() -> None:
            self.storage.set_alarm(when)
            raise ValueError("bar")

        with pytest.raises(ValueError, match="bar"):
            self.storage.transaction_sync(block)

    async def wipe(self) -> None:
        self.storage.delete_all()


async def test_actor_alarms_test_js(runtime, clock):
    """actor-alarms-test.js: getAlarm() is the time set; inside alarm() it is None and
    AlarmInfo.scheduled_time is the time set; after the handler the alarm is cleared."""
    waiter = runtime.get(Waiter, "A")
    when = T0 + 0.05
    assert await waiter.arm(when) == datetime.fromtimestamp(when, UTC)
    await clock.advance(1)
    seen = await waiter.seen()
    assert seen["alarm_inside_handler"] is None
    assert seen["scheduled_time"] == datetime.fromtimestamp(when, UTC)
    assert await waiter.current() is None


async def test_actor_sqlite_test_initial_set_clear_and_set_twice(runtime):
    """actor-sqlite-test.c++ "initial alarm value is unset", "can set and get alarm", "can clear alarm",
    "can set alarm twice", "setting duplicate alarm is no-op"."""
    waiter = runtime.get(Waiter, "basics")
    assert await waiter.current() is None
    assert await waiter.arm(T0 + 1) == datetime.fromtimestamp(T0 + 1, UTC)
    await waiter.clear()
    assert await waiter.current() is None
    await waiter.arm(T0 + 1)
    assert await waiter.arm(T0 + 2) == datetime.fromtimestamp(T0 + 2, UTC)
    assert await waiter.arm(T0 + 2) == datetime.fromtimestamp(T0 + 2, UTC)


async def test_actor_sqlite_test_get_alarm_during_handler_unless_set_again(runtime, clock):
    """actor-sqlite-test.c++ "getAlarm() returns null during handler" and "alarm deleter does not clear
    alarm when dropped with writes": a handler that sets a new alarm sees it, and it stays."""
    waiter = runtime.get(Waiter, "rearm")
    await waiter.prepare(rearm=T0 + 100)
    await waiter.arm(T0 + 10)
    await clock.advance(10)
    assert (await waiter.seen())["alarm_inside_handler"] is None
    assert await waiter.after_rearm() == datetime.fromtimestamp(T0 + 100, UTC)
    assert await waiter.current() == datetime.fromtimestamp(T0 + 100, UTC)


async def test_retried_alarm_keeps_its_scheduled_time(runtime, clock):
    """actor-cache-test.c++ / actor-sqlite-test.c++ retries: scheduled_time stays the time first set."""
    waiter = runtime.get(Waiter, "retry")
    await waiter.prepare(fail=True)
    await waiter.arm(T0 + 10)
    await clock.advance(10)
    assert await waiter.current() is not None  # the retry is pending, and visible outside the handler
    await clock.advance(60)
    seen = await waiter.seen()
    assert seen["retry_count"] == 1
    assert seen["scheduled_time"] == datetime.fromtimestamp(T0 + 10, UTC)
    assert await waiter.current() is None


async def test_sql_test_js_rollback_alarm_init(runtime, clock):
    """sql-test.js testRollbackAlarmInit and actor-sqlite-test.c++ "rolling back transaction leaves alarm
    in expected state": an alarm set in a rolled-back block is not set, and never fires."""
    waiter = runtime.get(Waiter, "rollback-alarm")
    await waiter.set_in_rolled_back_block(T0 + 5)
    assert await waiter.current() is None
    await clock.advance(10)
    assert await waiter.seen() is None
    assert await waiter.arm(T0 + 86400 * 365) == datetime.fromtimestamp(T0 + 86400 * 365, UTC)


async def test_actor_sqlite_test_delete_all_and_the_alarm(runtime):
    """actor-sqlite-test.c++ "calling deleteAll() preserves alarm state if alarm is set": we differ on
    purpose, delete_all() deletes the alarm too (as workerd's deleteAll({deleteAlarm: true}))."""
    waiter = runtime.get(Waiter, "delete-all")
    await waiter.arm(T0 + 10)
    await waiter.wipe()
    assert await waiter.current() is None


async def test_actor_sqlite_test_runs_overdue_alarm_immediately(runtime, clock):
    """actor-sqlite-test.c++ "runs overdue alarm immediately when local alarm time is in the past"."""
    waiter = runtime.get(Waiter, "overdue")
    await waiter.arm(T0 - 60)
    await clock.advance(0)
    assert (await waiter.seen())["scheduled_time"] == datetime.fromtimestamp(T0 - 60, UTC)


class FailingCommit(DO):
    attempts = 0

    async def setup(self, when: float) -> None:
        self.storage.sql.exec("CREATE TABLE parents (id INTEGER PRIMARY KEY)")
        self.storage.sql.exec("CREATE TABLE children (parent INTEGER REFERENCES parents(id))")
        self.storage.set_alarm(when)

    async def alarm(self, info: AlarmInfo) -> None:
        FailingCommit.attempts += 1
        self.storage.put("handled", FailingCommit.attempts)
        if FailingCommit.attempts == 1:
            # Valid for SQLite until the commit, which then fails (a deferred foreign key).
            self.storage.sql.exec("PRAGMA defer_foreign_keys = ON")
            self.storage.sql.exec("INSERT INTO children VALUES (42)")

    async def handled(self) -> int | None:
        return self.storage.get("handled")

    async def children(self) -> int:
        return self.storage.sql.exec("SELECT count(*) AS n FROM children").one()["n"]


async def test_actor_sqlite_test_handler_alarm_is_not_deleted_when_commit_fails(runtime, clock):
    """actor-sqlite-test.c++ "handler alarm is not deleted when commit fails": the handler's commit fails
    for real (a deferred foreign-key violation); its writes are rolled back, the alarm stays and fires again."""
    FailingCommit.attempts = 0
    runtime.register(FailingCommit)
    obj = runtime.get(FailingCommit, "commit-fails")
    await obj.setup(T0 + 10)
    await clock.advance(10)
    assert FailingCommit.attempts == 2
    assert await obj.handled() == 2  # the first attempt's put went with its failed commit
    assert await obj.children() == 0


class FullDisk(DO):
    async def arm_then_fill(self, when: float) -> None:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS big (data BLOB)")
        await self.storage.settled()
        self.storage.sql.set_max_page_count_for_test(10)
        self.storage.set_alarm(when)
        self.storage.sql.exec("INSERT INTO big VALUES (?)", b"x" * 1_000_000)

    async def alarm(self, info: AlarmInfo) -> None:
        self.storage.put("fired", True)

    async def state(self) -> tuple:
        return self.storage.get_alarm(), self.storage.get("fired")


async def test_alarm_set_before_a_critical_error_is_rolled_back(runtime, clock):
    """actor-sqlite-test.c++ "alarm write happens transactionally with storage ops", with SQLITE_FULL for
    real: the alarm set in the failed event is gone, never fires, and the runtime's alarm index forgets it."""
    runtime.register(FullDisk)
    obj = runtime.get(FullDisk, "full")
    with pytest.raises(Exception, match="database or disk is full"):
        await obj.arm_then_fill(T0 + 10)
    assert await obj.state() == (None, None)
    await clock.advance(20)
    assert await obj.state() == (None, None)
    assert runtime.alarms.next_fire_at() is None
