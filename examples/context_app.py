"""A shop that uses every part of the ctx: events, schedules, durable actions, stubs and subscriptions.

    python examples/context_app.py

Time is driven by a manual clock, so a week of schedules runs in a blink. Swap `ManualClock` for
the default clock (omit `clock=`) to run it in real time.
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, datetime

from dotdo import Runtime
from dotdo.context import DO, Event, RetryPolicy, TransientError, every, on
from dotdo.schedule import describe, next_runs, to_cron
from dotdo.testing import ManualClock


class Customer(DO):
    """A customer: signs up, receives notes, and announces what it creates."""

    async def on_start(self) -> None:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS notes (text TEXT)")

    async def sign_up(self, email: str) -> None:
        # Fire-and-forget: recorded now, handlers run in the background, never raises.
        self.ctx.send("Customer.created", {"name": self.name, "email": email})

    def notify(self, text: str) -> str:
        self.storage.sql.exec("INSERT INTO notes VALUES (?)", text)
        return f"{self.name} notified"

    def notes(self) -> list[str]:
        return [row["text"] for row in self.storage.sql.exec("SELECT text FROM notes ORDER BY rowid")]


class Shop(DO):
    """The shop: reacts to events, charges with retries, reports on a schedule."""

    async def on_start(self) -> None:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, total INTEGER, paid INTEGER)")
        self.gateway_failures = 1
        # Handlers registered at run time (re-registered at every activation).
        self.ctx.on["*"].created(self.audit, name="audit")
        self.ctx.on.Order.placed(self.big_order, filter=lambda e: e.data["total"] >= 100, priority=5)

    # -- events ---------------------------------------------------------------------------------------

    @on("Order.placed")
    async def confirm(self, event: Event) -> None:
        await self.ctx.Customer(event.data["customer"]).notify(f"order {event.data['id']} confirmed")

    def big_order(self, event: Event) -> None:
        print(f"  big order {event.data['id']} ({event.data['total']})")

    def audit(self, event: Event) -> None:
        print(f"  audit: {event.type} from {event.source}")

    async def on_customer_created(self, event: Event) -> None:
        print(f"  subscription: {event.data['name']} signed up ({event.data['email']})")
        await self.ctx.emit("Welcome.created", {"customer": event.data["name"]})

    # -- durable actions ------------------------------------------------------------------------------

    def record_order(self, order_id: str, total: int) -> dict:
        # Synchronous and local: runs exactly once, committed together with its journal row.
        self.storage.sql.exec("INSERT INTO orders VALUES (?, ?, 0)", order_id, total)
        return {"id": order_id, "total": total}

    async def charge(self, order_id: str, total: int) -> str:
        # External: at-least-once, so the gateway gets an idempotency key to spot repeats.
        if self.gateway_failures:
            self.gateway_failures -= 1
            raise TransientError("payment gateway timed out")
        self.storage.sql.exec("UPDATE orders SET paid = 1 WHERE id = ?", order_id)
        return f"charged {total} (key {self.ctx.idempotency_key[-24:]})"

    async def place(self, order_id: str, customer: str, total: int) -> dict:
        order = await self.ctx.do("record_order", order_id, total, step_id=f"record-{order_id}")
        await self.ctx.emit("Order.placed", order | {"customer": customer})
        # Retried with backoff, driven by the object's alarm; survives a restart.
        policy = RetryPolicy(max_attempts=4, initial=1.0, jitter=False)
        asyncio.get_running_loop().create_task(self.ctx.do("charge", order_id, total, retry=policy))
        return order

    async def lookup(self, order_id: str) -> dict | None:
        rows = self.storage.sql.exec("SELECT * FROM orders WHERE id = ?", order_id).to_list()
        return rows[0] if rows else None

    # -- schedules ------------------------------------------------------------------------------------

    @every.monday.at("9am")
    def weekly_report(self, tick: datetime) -> None:
        count = self.storage.sql.exec("SELECT count(*) AS n FROM orders").one()["n"]
        print(f"  weekly report for {tick:%a %d %b %H:%M}: {count} orders")

    @every("first monday at 8am Europe/Paris", missed="skip")
    def monthly_review(self) -> None:
        print("  monthly review (Paris time)")

    async def follow(self, customer: str) -> None:
        await self.ctx.subscribe(self.ctx.Customer(customer), "Customer.created", "on_customer_created")


async def main() -> None:
    print("grammar:", to_cron("last friday at 5pm"), "|", describe("weekdays at 9am Europe/Paris"))
    start = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)  # a Sunday
    print("next runs:", [d.isoformat() for d in next_runs("every monday at 9am", 2, start=start)])
    clock = ManualClock(start)
    with tempfile.TemporaryDirectory() as data:
        async with Runtime(data, objects=[Shop, Customer], clock=clock, idle_timeout=3600) as rt:
            shop, alice = rt.get(Shop, "main"), rt.get(Customer, "alice")
            print("subscribe the shop to alice's events")
            await shop.follow("alice")
            await alice.sign_up("alice@example.com")
            await rt.run_in(Customer, "alice", lambda c: c.ctx.settle())

            print("place an order (journaled step, events, stub call)")
            await shop.place("o-1", "alice", 120)
            print("  alice's notes:", await alice.notes())
            await clock.advance(1)  # the charge's retry comes due
            print("  order after the retry:", await shop.lookup("o-1"))

            print("schedules:")
            for schedule in await rt.run_in(Shop, "main", lambda s: s.ctx.schedules.list()):
                print(f"  {schedule.id}: {schedule.description}, next {schedule.next_run:%Y-%m-%d %H:%M %Z}")
            print("a week passes")
            for _ in range(7 * 24):
                await clock.advance(3600)

            print("a handler that fails lands in the dead-letter table, and can be replayed")
            state = {"broken": True}

            def fragile(event: Event) -> None:
                if state["broken"]:
                    raise ConnectionError("mailer down")
                print("  fragile handler finally ran")

            await rt.run_in(Shop, "main", lambda s: s.ctx.on.Refund.issued(fragile, name="fragile", max_retries=1))
            await rt.run_in(Shop, "main", lambda s: s.ctx.emit("Refund.issued", {"id": "o-1"}))
            [letter] = await rt.run_in(Shop, "main", lambda s: s.ctx.dead_letters())
            print(f"  dead letter {letter.id}: {letter.name} after {letter.attempts} attempts: {letter.error}")
            state["broken"] = False
            await rt.run_in(Shop, "main", lambda s: s.ctx.replay(letter.id))
            journal = await rt.run_in(Shop, "main", lambda s: s.ctx.actions.journal.list())
            print("actions journal:", [(a.action, a.status, a.attempts) for a in journal])


if __name__ == "__main__":
    asyncio.run(main())
