import asyncio
import sqlite3

import pytest
from handler_shapes import SHAPES, Onboarding

from dotdo import Runtime
from dotdo.context import DO, Event, on
from dotdo.context.dispatch import DISPATCH_TIMER_ID


class Shop(DO):
    async def on_start(self) -> None:
        self.calls: list[str] = []
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS welcomed (name TEXT PRIMARY KEY)")
        self.release = asyncio.Event()

    @on("Customer.signup")
    def welcome(self, event: Event) -> None:
        self.storage.sql.exec("INSERT INTO welcomed VALUES (?)", event.data["name"])
        self.calls.append(f"welcome {event.data['name']}")

    @on("Customer.signup", priority=1)
    async def greet_first(self, event: Event) -> None:
        self.calls.append("greet")

    @on("Payment.failed")
    def half_done(self, event: Event) -> None:
        self.storage.sql.exec("INSERT INTO welcomed VALUES ('should-not-stay')")
        raise RuntimeError("payment handler broke")

    @on("Payment.failed")
    def still_runs(self, event: Event) -> None:
        self.calls.append("still runs")

    @on("Slow.thing")
    async def slow(self, event: Event) -> None:
        await self.release.wait()
        self.calls.append("slow done")

    def welcomed(self) -> list[str]:
        return [r["name"] for r in self.storage.sql.exec("SELECT name FROM welcomed ORDER BY name")]


async def test_emit_runs_local_handlers_in_order_before_returning(runtime: Runtime) -> None:
    async def go(shop: Shop) -> Event:
        return await shop.ctx.emit("Customer.signup", {"name": "alice"})

    event = await runtime.run_in(Shop, "s", go)
    assert (event.type, event.noun, event.verb, event.data) == (
        "Customer.signup",
        "Customer",
        "signup",
        {"name": "alice"},
    )
    assert event.source == "Shop/s" and event.sequence == 1 and len(event.id) == 32
    assert event.timestamp == runtime.clock.now()
    assert await runtime.run_in(Shop, "s", lambda shop: shop.calls) == ["greet", "welcome alice"]
    assert await runtime.get(Shop, "s").welcomed() == ["alice"]


async def test_send_returns_before_handlers_run_and_they_run_soon(runtime: Runtime) -> None:
    def go(shop: Shop) -> tuple[str | None, list[str]]:
        event_id = shop.ctx.send("Slow.thing", {})
        return event_id, list(shop.calls)

    event_id, calls_at_return = await runtime.run_in(Shop, "s", go)
    assert event_id is not None and calls_at_return == []
    await runtime.run_in(Shop, "s", lambda shop: shop.release.set())
    await runtime.run_in(Shop, "s", lambda shop: shop.ctx.settle())
    assert await runtime.run_in(Shop, "s", lambda shop: shop.calls) == ["slow done"]
    logged = await runtime.run_in(Shop, "s", lambda shop: shop.ctx.event_log())
    assert [e.id for e in logged] == [event_id]


async def test_a_failing_handler_is_isolated_retried_and_dead_lettered(runtime: Runtime) -> None:
    await runtime.run_in(Shop, "s", lambda shop: shop.ctx.emit("Payment.failed", {"order": 7}))
    shop_calls = await runtime.run_in(Shop, "s", lambda shop: shop.calls)
    assert shop_calls == ["still runs"]
    assert await runtime.get(Shop, "s").welcomed() == []  # the failed handler's write was rolled back
    letters = await runtime.run_in(Shop, "s", lambda shop: shop.ctx.dead_letters())
    assert len(letters) == 1
    letter = letters[0]
    assert (letter.kind, letter.name, letter.event_type, letter.attempts) == (
        "handler",
        "half_done",
        "Payment.failed",
        4,
    )
    assert letter.error == "RuntimeError: payment handler broke"
    assert letter.payload["event"]["data"] == {"order": 7}


async def test_replaying_a_dead_letter_reruns_the_handler(runtime: Runtime) -> None:
    state = {"broken": True}

    class Flaky(DO):
        async def on_start(self) -> None:
            self.ctx.on.Invoice.sent(self.record, name="record", max_retries=0)

        def record(self, event: Event) -> None:
            if state["broken"]:
                raise ConnectionError("mail server down")
            self.storage.put("recorded", event.data)

    runtime.register(Flaky)
    await runtime.run_in(Flaky, "f", lambda f: f.ctx.emit("Invoice.sent", {"n": 1}))
    [letter] = await runtime.run_in(Flaky, "f", lambda f: f.ctx.dead_letters())
    assert letter.attempts == 1
    with pytest.raises(ConnectionError):
        await runtime.run_in(Flaky, "f", lambda f: f.ctx.replay(letter.id))
    again = await runtime.run_in(Flaky, "f", lambda f: f.ctx.dead_letters())
    assert again[0].attempts == 2
    state["broken"] = False
    await runtime.run_in(Flaky, "f", lambda f: f.ctx.replay(letter.id))
    assert await runtime.run_in(Flaky, "f", lambda f: f.storage.get("recorded")) == {"n": 1}
    assert await runtime.run_in(Flaky, "f", lambda f: f.ctx.dead_letters()) == []
    replayed = await runtime.run_in(Flaky, "f", lambda f: f.ctx.dead_letters(include_replayed=True))
    assert replayed[0].replayed_at is not None
    with pytest.raises(ValueError, match="already replayed"):
        await runtime.run_in(Flaky, "f", lambda f: f.ctx.replay(letter.id))
    with pytest.raises(LookupError, match="No dead letter"):
        await runtime.run_in(Flaky, "f", lambda f: f.ctx.replay(999))


async def test_runtime_handlers_filters_and_unsubscribe(runtime: Runtime) -> None:
    seen: list[str] = []

    def setup(shop: Shop) -> None:
        shop.ctx.on["*"].created(lambda e: seen.append(f"any {e.type}"))
        shop.ctx.on.Order.created(lambda e: seen.append("big"), filter=lambda e: e.data["total"] > 100)
        stop = shop.ctx.on.Order["*"](lambda e: seen.append("order"))
        shop.stop = stop

    await runtime.run_in(Shop, "s", setup)
    await runtime.run_in(Shop, "s", lambda shop: shop.ctx.emit("Order.created", {"total": 500}))
    await runtime.run_in(Shop, "s", lambda shop: shop.ctx.emit("Order.created", {"total": 5}))
    await runtime.run_in(Shop, "s", lambda shop: shop.stop())
    await runtime.run_in(Shop, "s", lambda shop: shop.ctx.emit("Order.created", {"total": 5}))
    assert seen == ["big", "any Order.created", "order", "any Order.created", "order", "any Order.created"]


async def test_send_never_raises_and_dead_letters_what_it_cannot_record(runtime: Runtime) -> None:
    def go(shop: Shop) -> list:
        return [
            shop.ctx.send("not a type", {}),
            shop.ctx.send("Customer.signup", {"when": object()}),
            shop.ctx.send(42, None),  # type: ignore[arg-type]
            shop.ctx.send("Customer.signup", {"name": "x" * 2_000_000}),
        ]

    assert await runtime.run_in(Shop, "s", go) == [None, None, None, None]
    letters = await runtime.run_in(Shop, "s", lambda shop: shop.ctx.dead_letters())
    assert [letter.kind for letter in letters] == ["send"] * 4
    assert "expected Noun.verb" in letters[0].error
    assert "JSON-compatible" in letters[1].error
    assert "too large" in letters[3].error
    with pytest.raises(ValueError, match="cannot be replayed"):
        await runtime.run_in(Shop, "s", lambda shop: shop.ctx.replay(letters[0].id))


async def test_emit_with_bad_data_raises_and_records_nothing(runtime: Runtime) -> None:
    with pytest.raises(TypeError, match="JSON-compatible"):
        await runtime.run_in(Shop, "s", lambda shop: shop.ctx.emit("Customer.signup", {"at": object()}))
    assert await runtime.run_in(Shop, "s", lambda shop: shop.ctx.event_log()) == []


async def test_an_event_no_handler_takes_is_logged_as_dispatched_with_nothing_left_to_do(runtime: Runtime) -> None:
    def go(shop: Shop) -> str | None:
        return shop.ctx.send("Invoice.sent", {"n": 1})

    event_id = await runtime.run_in(Shop, "s", go)
    assert event_id is not None
    logged = await runtime.run_in(Shop, "s", lambda shop: shop.ctx.event_log("Invoice.sent"))
    assert [(e.id, e.data) for e in logged] == [(event_id, {"n": 1})]
    undispatched = await runtime.run_in(Shop, "s", lambda shop: shop.ctx.events_dispatcher.log.undispatched())
    assert undispatched == []
    assert await runtime.run_in(Shop, "s", lambda shop: shop.storage.timers.get(DISPATCH_TIMER_ID)) is None
    assert await runtime.run_in(Shop, "s", lambda shop: shop.calls) == []


async def test_an_event_recorded_but_not_dispatched_is_dispatched_by_the_backstop(tmp_path, clock) -> None:
    async with Runtime(tmp_path / "data", objects=[Shop], clock=clock) as rt:

        def record_only(shop: Shop) -> None:
            # What a crash right after `send` leaves behind: the event row and the backstop timer.
            shop.ctx.events_dispatcher.record("Customer.signup", {"name": "bob"})
            shop.storage.timers.set(DISPATCH_TIMER_ID, clock.now() + 5, kind="dotdo.events")

        await rt.run_in(Shop, "s", record_only)
    async with Runtime(tmp_path / "data", objects=[Shop], clock=clock) as rt:
        assert await rt.get(Shop, "s").welcomed() == []
        await clock.advance(5)
        assert await rt.get(Shop, "s").welcomed() == ["bob"]
        assert await rt.run_in(Shop, "s", lambda shop: shop.storage.timers.get(DISPATCH_TIMER_ID)) is None
        await clock.advance(10)
        assert await rt.run_in(Shop, "s", lambda shop: shop.calls) == ["greet", "welcome bob"]


class Signup(DO):
    """The handler form of the project's first example: a lambda calling an async method."""

    async def on_start(self) -> None:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS onboarded (name TEXT)")
        self.ctx.on.User.created(lambda e: self.onboard(e))

    async def onboard(self, event: Event) -> None:
        await asyncio.sleep(0)
        self.storage.sql.exec("INSERT INTO onboarded VALUES (?)", event.data["name"])

    def onboarded(self) -> list[str]:
        return [r["name"] for r in self.storage.sql.exec("SELECT name FROM onboarded ORDER BY rowid")]


async def test_a_lambda_calling_an_async_method_is_awaited(runtime: Runtime) -> None:
    async def sign_up(obj: Signup) -> None:
        obj.ctx.send("User.created", {"name": "ada"})
        await obj.ctx.settle()

    await runtime.run_in(Signup, "s", sign_up)
    await runtime.run_in(Signup, "s", lambda obj: obj.ctx.emit("User.created", {"name": "grace"}))
    assert await runtime.get(Signup, "s").onboarded() == ["ada", "grace"]
    assert await runtime.run_in(Signup, "s", lambda obj: obj.ctx.dead_letters()) == []


@pytest.mark.parametrize("shape", SHAPES)
async def test_every_handler_shape_runs_to_completion(runtime: Runtime, shape: str) -> None:
    await runtime.run_in(Onboarding, "o", lambda obj: obj.ctx.on.User.created(SHAPES[shape](obj)))
    await runtime.run_in(Onboarding, "o", lambda obj: obj.ctx.emit("User.created", {"name": "ada"}))
    assert await runtime.get(Onboarding, "o").ran() == [shape]
    assert await runtime.run_in(Onboarding, "o", lambda obj: obj.ctx.dead_letters()) == []


async def test_an_unreadable_event_is_kept_and_does_not_hold_up_the_events_after_it(tmp_path, clock, caplog) -> None:
    async with Runtime(tmp_path / "data", objects=[Shop], clock=clock) as rt:

        def record_only(shop: Shop) -> None:
            shop.ctx.events_dispatcher.record("Customer.signup", {"name": "garbled"})
            shop.ctx.events_dispatcher.record("Customer.signup", {"name": "carl"})
            shop.storage.timers.set(DISPATCH_TIMER_ID, clock.now() + 5, kind="dotdo.events")

        await rt.run_in(Shop, "s", record_only)
        path = rt.data_folder.object_path("Shop", rt.id_from_name(Shop, "s").hex)
    db = sqlite3.connect(path)
    with db:
        db.execute("UPDATE events SET data = '{not json' WHERE data LIKE '%garbled%'")
    db.close()
    async with Runtime(tmp_path / "data", objects=[Shop], clock=clock) as rt:
        await clock.advance(5)
        assert await rt.get(Shop, "s").welcomed() == ["carl"]
    db = sqlite3.connect(path)
    assert db.execute("SELECT data, dispatched FROM events ORDER BY sequence").fetchall() == [
        ("{not json", 0),
        ('{"name":"carl"}', 1),
    ]
    db.close()
    assert len([r for r in caplog.records if "unreadable data" in r.getMessage()]) == 1
