import asyncio
import sqlite3

import pytest

from dotdo import DO, Runtime, UnknownClassError
from dotdo.runtime.errors import RuntimeNotStartedError
from dotdo.runtime.extensions import Extensions
from dotdo.runtime.host import UNRUNNABLE_TIMER_RETRY
from dotdo.testing import ManualClock

STARTS: list[str] = []


class Account(DO):
    async def on_start(self) -> None:
        STARTS.append(self.name)
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS balance (id INTEGER PRIMARY KEY CHECK (id = 1), v INTEGER)")
        self.memory = "set in on_start"

    async def deposit(self, amount: int) -> int:
        return self.storage.sql.exec(
            "INSERT INTO balance VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET v = v + excluded.v RETURNING v", amount
        ).one()["v"]

    def balance(self) -> int:
        rows = self.storage.sql.exec("SELECT v FROM balance").to_list()
        return rows[0]["v"] if rows else 0

    async def keep(self, items: list) -> list:
        items.append("callee")
        self.storage.put("items", items)
        return items

    async def stored_items(self) -> list:
        return self.storage.get("items")

    async def explode(self) -> None:
        self.storage.put("before-error", True)
        raise ValueError("exploded")

    async def whoami(self) -> str:
        return f"{self.name} {self.memory}"


class Gatekeeper(DO):
    async def on_start(self) -> None:
        self.log: list[str] = []
        self.release = asyncio.Event()

    async def slow(self) -> None:
        async def critical() -> None:
            self.log.append("slow:start")
            await self.release.wait()
            self.log.append("slow:end")

        await self.block_concurrency_while(critical)

    async def quick(self) -> None:
        self.log.append("quick")

    async def interleaving(self) -> None:
        self.log.append("inter:start")
        await self.release.wait()
        self.log.append("inter:end")

    def let_go(self) -> list[str]:
        self.release.set()
        return list(self.log)

    def entries(self) -> list[str]:
        return list(self.log)


@pytest.fixture(autouse=True)
def clear_starts():
    STARTS.clear()


async def test_exactly_one_instance_per_id_even_under_concurrent_first_calls(runtime):
    results = await asyncio.gather(*(runtime.get(Account, "a").deposit(1) for _ in range(50)))
    assert sorted(results) == list(range(1, 51))
    assert STARTS == ["a"]
    assert runtime.host.live_count == 1


async def test_idle_objects_are_evicted_and_reactivate_with_state(tmp_path, clock):
    async with Runtime(data_dir=tmp_path, clock=clock, idle_timeout=30) as rt:
        account = rt.get(Account, "a")
        await account.deposit(5)
        await clock.advance(10)
        assert rt.host.live_count == 1
        await clock.advance(25)
        assert rt.host.live_count == 0
        assert await account.balance() == 5
        assert STARTS == ["a", "a"]
        assert await account.whoami() == "a set in on_start"


async def test_live_objects_are_bounded_lru(tmp_path, clock):
    async with Runtime(data_dir=tmp_path, clock=clock, max_live_objects=3) as rt:
        for name in "abcde":
            await rt.get(Account, name).deposit(1)
        assert rt.host.live_count == 3
        await rt.get(Account, "c").deposit(1)
        await rt.get(Account, "f").deposit(1)
        live = {record.id.name for record in rt.host._live.values()}
        assert live == {"c", "e", "f"}
        assert [await rt.get(Account, n).balance() for n in "abcdef"] == [1, 1, 2, 1, 1, 1]


async def test_open_databases_are_bounded_separately_from_live_objects(tmp_path, clock):
    async with Runtime(data_dir=tmp_path, clock=clock, max_open_databases=2) as rt:
        for i in range(8):
            await rt.get(Account, f"n{i}").deposit(i)
        assert rt.host.live_count == 8
        assert len(rt.host.budget) <= 2
        assert [await rt.get(Account, f"n{i}").balance() for i in range(8)] == list(range(8))


async def test_block_concurrency_while_holds_other_events(runtime):
    gate = runtime.get(Gatekeeper, "g")
    slow = asyncio.create_task(gate.slow())
    await asyncio.sleep(0)
    quick = asyncio.create_task(gate.quick())
    for _ in range(5):
        await asyncio.sleep(0)
    assert not quick.done()
    record = runtime.host.live(("Gatekeeper", gate.id.hex))
    record.instance.release.set()
    await asyncio.gather(slow, quick)
    assert await gate.entries() == ["slow:start", "slow:end", "quick"]


async def test_events_interleave_only_at_awaits(runtime):
    gate = runtime.get(Gatekeeper, "g")
    waiting = asyncio.create_task(gate.interleaving())
    await asyncio.sleep(0)
    await gate.quick()
    log = await gate.let_go()
    await waiting
    assert log == ["inter:start", "quick"]
    assert await gate.entries() == ["inter:start", "quick", "inter:end"]


async def test_arguments_and_results_are_copied(runtime):
    account = runtime.get(Account, "a")
    mine = ["caller"]
    returned = await account.keep(mine)
    assert mine == ["caller"]
    returned.append("mutated by caller")
    assert await account.stored_items() == ["caller", "callee"]


async def test_exceptions_propagate_and_the_object_stays_usable(runtime):
    account = runtime.get(Account, "a")
    with pytest.raises(ValueError, match="exploded"):
        await account.explode()
    assert await account.deposit(3) == 3


@pytest.mark.parametrize(
    "name", ["storage", "env", "ctx", "on_start", "alarm", "websocket_message", "block_concurrency_while", "_private"]
)
async def test_base_class_and_private_names_are_not_callable(runtime, name):
    with pytest.raises(AttributeError):
        await getattr(runtime.get(Account, "a"), name)()


@pytest.mark.parametrize("name", ["__class__", "__init__", "__dict__", "_dotdo", "accept_websocket"])
async def test_the_host_refuses_dunder_and_internal_names(runtime, name):
    account = runtime.get(Account, "a")
    with pytest.raises(AttributeError, match="not callable"):
        await runtime.host.call(Account, account.id, name, (), {})


async def test_unknown_methods_and_classes_say_what_exists(runtime):
    runtime.register(Account)
    with pytest.raises(AttributeError, match="no method 'nope'"):
        await runtime.get(Account, "a").nope()
    with pytest.raises(UnknownClassError, match="registered: Account"):
        runtime.get("Acount", "a")


async def test_calls_before_start_say_how_to_start(tmp_path):
    rt = Runtime(data_dir=tmp_path)
    with pytest.raises(RuntimeNotStartedError, match="async with Runtime"):
        await rt.get(Account, "a").deposit(1)


def test_defining_init_is_refused_with_a_hint():
    with pytest.raises(TypeError, match="on_start"):

        class Broken(DO):
            def __init__(self) -> None:
                pass


async def test_env_exposes_bindings_and_class_namespaces(tmp_path, clock):
    async with Runtime(data_dir=tmp_path, clock=clock, objects=[Account], env={"API_KEY": "k"}) as rt:
        assert rt.env.API_KEY == "k"
        assert await rt.env.Account.get("a").deposit(2) == 2
        with pytest.raises(AttributeError, match="bindings: API_KEY"):
            rt.env.Missing  # noqa: B018


class Loader(DO):
    async def on_start(self) -> None:
        async def load() -> None:
            await asyncio.sleep(0)
            self.cache = self.storage.get("cache") or "empty"

        await self.block_concurrency_while(load)

    async def read(self) -> str:
        return self.cache


async def test_on_start_may_block_concurrency(runtime):
    results = await asyncio.gather(*(runtime.get(Loader, "l").read() for _ in range(10)))
    assert results == ["empty"] * 10


class Ambient(DO):
    async def who(self) -> str:
        from dotdo import ctx

        return f"{ctx.name} {ctx.id.hex == self.id.hex}"


async def test_dotdo_ctx_is_bound_to_the_running_object(runtime):
    assert await runtime.get(Ambient, "x").who() == "x True"
    from dotdo import ctx

    with pytest.raises(RuntimeError, match="only available"):
        ctx.name  # noqa: B018


PARCEL_KIND = "tests.parcel"
LATE_KIND = "tests.parcel.late"
"""A timer kind registered only in the second half of one test (as if its module loaded late)."""

T0 = 1_700_000_000.0


class Depot(DO):
    async def plan(self, timer_id: str, when: float, kind: str = PARCEL_KIND) -> None:
        self.storage.timers.set(timer_id, when, kind=kind, payload={"to": timer_id})

    async def pending(self) -> list[tuple[str, str]]:
        return [(t.id, t.kind) for t in self.storage.timers.list()]

    async def delivered(self) -> list:
        return self.storage.get("delivered") or []


async def _deliver_parcel(obj: Depot, timer) -> None:
    obj.storage.put("delivered", [*(obj.storage.get("delivered") or []), timer.payload["to"]])


async def test_a_timer_of_an_unknown_kind_is_kept_across_a_restart_and_fires_once_registered(tmp_path, caplog):
    clock = ManualClock(T0)
    async with Runtime(tmp_path, objects=[Depot], clock=clock) as rt:
        await rt.get(Depot, "d").plan("ann", T0 + 10, kind=LATE_KIND)
        for _ in range(3):
            await clock.advance(UNRUNNABLE_TIMER_RETRY)
        assert await rt.get(Depot, "d").pending() == [("ann", LATE_KIND)]
        assert await rt.get(Depot, "d").delivered() == []
    reports = [r for r in caplog.records if LATE_KIND in r.getMessage()]
    assert len(reports) == 1 and "keeping it" in reports[0].getMessage()

    late = Extensions(timer_kinds={LATE_KIND: _deliver_parcel})
    async with Runtime(tmp_path, objects=[Depot], clock=ManualClock(T0 + 3600), extensions=late) as rt:
        assert await rt.get(Depot, "d").delivered() == ["ann"]
        assert await rt.get(Depot, "d").pending() == []


async def test_a_timer_with_an_unreadable_payload_is_kept_and_does_not_block_the_others(tmp_path, caplog):
    parcels = Extensions(timer_kinds={PARCEL_KIND: _deliver_parcel})
    clock = ManualClock(T0)
    async with Runtime(tmp_path, objects=[Depot], clock=clock, extensions=parcels) as rt:
        await rt.get(Depot, "d").plan("garbled", T0 + 10)
        await rt.get(Depot, "d").plan("bob", T0 + 20)
        path = rt.data_folder.object_path("Depot", rt.id_from_name(Depot, "d").hex)
    db = sqlite3.connect(path)
    with db:
        db.execute("UPDATE _dotdo_timers SET payload = x'c1' WHERE id = 'garbled'")
    db.close()
    async with Runtime(tmp_path, objects=[Depot], clock=clock, extensions=parcels) as rt:
        await clock.advance(30)
        assert await rt.get(Depot, "d").delivered() == ["bob"]
        assert await rt.get(Depot, "d").pending() == [("garbled", PARCEL_KIND)]
    assert any("payload is unreadable" in r.getMessage() for r in caplog.records)


class Stray(DO):
    async def arm(self, when: float) -> None:
        self.storage.set_alarm(when)

    async def alarm(self, info) -> None:
        self.storage.put("rang", True)

    async def rang(self) -> bool:
        return bool(self.storage.get("rang"))


async def test_alarms_of_an_unregistered_class_wait_for_it_without_holding_up_others(tmp_path, caplog):
    clock = ManualClock(T0)
    async with Runtime(tmp_path, objects=[Stray], clock=clock) as rt:
        await rt.get(Stray, "s").arm(T0 + 10)
        index = rt.data_folder.index_path
    # More due alarms of a class whose code is gone than the scheduler looks at in one batch.
    db = sqlite3.connect(index)
    with db:
        db.executemany(
            "INSERT INTO alarm_index (namespace, id, name, fire_at) VALUES ('Retired', ?, NULL, ?)",
            [(f"{n:064x}", T0) for n in range(600)],
        )
    db.close()
    parcels = Extensions(timer_kinds={PARCEL_KIND: _deliver_parcel})
    async with Runtime(tmp_path, objects=[Depot], clock=clock, extensions=parcels) as rt:
        await rt.get(Depot, "d").plan("cy", T0 + 20)
        await clock.advance(30)
        assert await rt.get(Depot, "d").delivered() == ["cy"]
        await clock.advance(30)
        rt.register(Stray)
        await clock.advance(0)
        assert await rt.get(Stray, "s").rang()
    for name in ("'Stray'", "'Retired'"):
        assert len([r for r in caplog.records if name in r.getMessage()]) == 1


STUBBORN_KIND = "tests.stubborn"


async def _fail_eight_times(obj: Depot, timer) -> None:
    attempts = (obj.storage.get("attempts") or 0) + 1
    obj.storage.put("attempts", attempts)
    if attempts <= 8:
        raise ConnectionError("not yet")
    await _deliver_parcel(obj, timer)


async def test_a_failing_internal_timer_keeps_retrying_past_the_alarm_limit(tmp_path):
    stubborn = Extensions(timer_kinds={STUBBORN_KIND: _fail_eight_times})
    clock = ManualClock(T0)
    async with Runtime(tmp_path, objects=[Depot], clock=clock, extensions=stubborn) as rt:
        await rt.get(Depot, "d").plan("dee", T0, kind=STUBBORN_KIND)
        for _ in range(12):
            await clock.advance(128)
        assert await rt.get(Depot, "d").delivered() == ["dee"]
        assert await rt.get(Depot, "d").pending() == []
