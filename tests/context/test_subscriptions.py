import pytest
from context_crash_objects import T0, Author, Reader

from dotdo import Runtime
from dotdo.context import DO, Event
from dotdo.context.subscriptions import MAX_DELIVERY_ATTEMPTS
from dotdo.testing import ManualClock

FAILURES = {"left": 0}


class Customer(DO):
    async def create(self, kind: str, n: int) -> None:
        self.ctx.send(f"{kind}.created", {"n": n})

    async def delete(self) -> None:
        await self.ctx.emit("Customer.deleted", {})

    async def settle(self) -> None:
        await self.ctx.settle()


class Watcher(DO):
    async def on_start(self) -> None:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS seen (type TEXT, n INTEGER, source TEXT)")

    async def watch(self, name: str) -> int:
        return await self.ctx.subscribe(self.ctx.Customer(name), "*.created", "on_created")

    async def unwatch(self, name: str) -> bool:
        return await self.ctx.unsubscribe(self.ctx.Customer(name), "*.created", "on_created")

    def on_created(self, event: Event) -> None:
        if FAILURES["left"]:
            FAILURES["left"] -= 1
            raise ConnectionError("watcher is busy")
        self.storage.sql.exec("INSERT INTO seen VALUES (?, ?, ?)", event.type, event.data["n"], event.source)

    def seen(self) -> list[tuple[str, int]]:
        return [(r["type"], r["n"]) for r in self.storage.sql.exec("SELECT * FROM seen ORDER BY rowid")]


@pytest.fixture(autouse=True)
def reset_failures():
    FAILURES["left"] = 0


@pytest.fixture
async def rt(tmp_path, clock):
    async with Runtime(tmp_path / "d", objects=[Customer, Watcher], clock=clock, idle_timeout=3600) as runtime:
        yield runtime


async def test_matching_events_reach_the_subscriber_in_order(rt: Runtime) -> None:
    assert await rt.get(Watcher, "w").watch("alice") == await rt.get(Watcher, "w").watch("alice")
    alice = rt.get(Customer, "alice")
    await alice.create("Customer", 1)
    await alice.delete()
    await alice.create("Order", 2)
    await alice.create("Customer", 3)
    await alice.settle()
    assert await rt.get(Watcher, "w").seen() == [("Customer.created", 1), ("Order.created", 2), ("Customer.created", 3)]
    received = await rt.run_in(Watcher, "w", lambda w: w.ctx.event_log())
    assert {e.source for e in received} == {"Customer/alice"}


async def test_a_failing_subscriber_is_retried_with_backoff_and_order_is_kept(rt: Runtime) -> None:
    await rt.get(Watcher, "w").watch("alice")
    FAILURES["left"] = 2
    alice = rt.get(Customer, "alice")
    await alice.create("Customer", 1)
    await alice.create("Customer", 2)
    await alice.settle()
    assert await rt.get(Watcher, "w").seen() == []
    assert await rt.run_in(Customer, "alice", lambda c: c.ctx.subscriptions.pending()) == 2
    await rt.clock.advance(1)  # first retry after 1 s: fails again
    assert await rt.get(Watcher, "w").seen() == []
    await rt.clock.advance(1.5)
    assert await rt.get(Watcher, "w").seen() == []
    await rt.clock.advance(0.5)  # second retry 2 s later
    assert await rt.get(Watcher, "w").seen() == [("Customer.created", 1), ("Customer.created", 2)]
    assert await rt.run_in(Customer, "alice", lambda c: c.ctx.subscriptions.pending()) == 0


async def test_deliveries_survive_a_restart(tmp_path, clock) -> None:
    async with Runtime(tmp_path / "d", objects=[Customer, Watcher], clock=clock) as rt:
        await rt.get(Watcher, "w").watch("alice")
        FAILURES["left"] = 1
        await rt.get(Customer, "alice").create("Customer", 7)
        await rt.get(Customer, "alice").settle()
        assert await rt.get(Watcher, "w").seen() == []
    FAILURES["left"] = 0
    async with Runtime(tmp_path / "d", objects=[Customer, Watcher], clock=clock) as rt:
        await clock.advance(1)
        assert await rt.get(Watcher, "w").seen() == [("Customer.created", 7)]
        await rt.get(Customer, "alice").create("Customer", 8)  # the subscription itself was persisted
        await rt.get(Customer, "alice").settle()
        assert await rt.get(Watcher, "w").seen() == [("Customer.created", 7), ("Customer.created", 8)]


async def test_a_repeated_delivery_runs_the_method_once(rt: Runtime) -> None:
    event = {"id": "e1", "type": "Customer.created", "data": {"n": 1}, "source": "Customer/x", "timestamp": 1.0}
    event["sequence"] = 1

    async def deliver_twice(w: Watcher) -> list[bool]:
        return [await w.ctx.subscriptions.receive(event, "on_created") for _ in range(2)]

    assert await rt.run_in(Watcher, "w", deliver_twice) == [True, False]
    assert await rt.get(Watcher, "w").seen() == [("Customer.created", 1)]


async def test_undeliverable_events_are_dead_lettered_and_replayable(rt: Runtime) -> None:
    await rt.get(Watcher, "w").watch("alice")
    FAILURES["left"] = MAX_DELIVERY_ATTEMPTS
    await rt.get(Customer, "alice").create("Customer", 5)
    await rt.get(Customer, "alice").settle()
    for _ in range(MAX_DELIVERY_ATTEMPTS):
        await rt.clock.advance(300)
    [letter] = await rt.run_in(Customer, "alice", lambda c: c.ctx.dead_letters())
    assert (letter.kind, letter.event_type, letter.attempts) == ("delivery", "Customer.created", MAX_DELIVERY_ATTEMPTS)
    assert letter.name == "Watcher/w.on_created"
    FAILURES["left"] = 0
    await rt.run_in(Customer, "alice", lambda c: c.ctx.replay(letter.id))
    await rt.get(Customer, "alice").settle()
    assert await rt.get(Watcher, "w").seen() == [("Customer.created", 5)]


async def test_unsubscribe_and_bad_subscriptions(rt: Runtime) -> None:
    watcher = rt.get(Watcher, "w")
    await watcher.watch("alice")
    assert await watcher.unwatch("alice") is True
    assert await watcher.unwatch("alice") is False
    await rt.get(Customer, "alice").create("Customer", 1)
    await rt.get(Customer, "alice").settle()
    assert await watcher.seen() == []
    with pytest.raises(AttributeError, match="no method 'missing'"):
        await rt.run_in(Watcher, "w", lambda w: w.ctx.subscribe(w.ctx.Customer("alice"), "*.created", "missing"))
    with pytest.raises(ValueError, match=r"Noun\.verb"):
        await rt.run_in(Watcher, "w", lambda w: w.ctx.subscribe(w.ctx.Customer("alice"), "created", "on_created"))
    with pytest.raises(ValueError, match="belongs to the runtime"):
        await rt.run_in(Watcher, "w", lambda w: w.ctx.subscribe(w.ctx.Customer("alice"), "*.created", "alarm"))
    with pytest.raises(TypeError, match="takes a stub"):
        await rt.run_in(Watcher, "w", lambda w: w.ctx.subscribe("alice", "*.created", "on_created"))


async def test_pending_deliveries_survive_a_real_kill(tmp_path, child) -> None:
    data = tmp_path / "data"
    script = f"""
import asyncio, os
from dotdo import Runtime
from dotdo.testing import ManualClock
from context_crash_objects import Author, Reader, T0, crash_now

async def main():
    rt = await Runtime({str(data)!r}, objects=[Author, Reader], clock=ManualClock(T0)).start()
    await rt.get(Reader, "r").follow("a")
    await rt.get(Author, "a").post("first")
    while await rt.get(Author, "a").outbox_attempts() != [1]:
        await asyncio.sleep(0)
    await rt.run_in(Author, "a", lambda a: None)
    print("queued", flush=True)
    crash_now()

os.environ["DOTDO_READER_DOWN"] = "1"
asyncio.run(main())
"""
    assert child(script, data, expect_kill=True).strip() == "queued"
    clock = ManualClock(T0)
    async with Runtime(data, objects=[Author, Reader], clock=clock) as rt:
        assert await rt.get(Reader, "r").inbox() == []
        await clock.advance(1)
        await rt.get(Author, "a").post("second")
        await rt.run_in(Author, "a", lambda a: a.ctx.settle())
        assert await rt.get(Reader, "r").inbox() == ["first", "second"]
        assert await rt.get(Author, "a").outbox_attempts() == []


async def test_deliveries_to_a_class_not_registered_wait_for_it_uncounted(tmp_path, clock, caplog) -> None:
    async with Runtime(tmp_path / "d", objects=[Customer, Watcher], clock=clock) as rt:
        await rt.get(Watcher, "w").watch("alice")
    async with Runtime(tmp_path / "d", objects=[Customer], clock=clock, idle_timeout=3600) as rt:
        await rt.get(Customer, "alice").create("Customer", 9)
        await rt.get(Customer, "alice").settle()
        for _ in range(MAX_DELIVERY_ATTEMPTS + 2):
            await clock.advance(300)
        assert await rt.run_in(Customer, "alice", lambda c: c.ctx.subscriptions.pending()) == 1
        assert await rt.run_in(Customer, "alice", lambda c: c.ctx.dead_letters()) == []
        rt.register(Watcher)
        await clock.advance(300)
        assert await rt.get(Watcher, "w").seen() == [("Customer.created", 9)]
        assert await rt.run_in(Customer, "alice", lambda c: c.ctx.subscriptions.pending()) == 0
    assert len([r for r in caplog.records if "kept waiting" in r.getMessage()]) == 1
