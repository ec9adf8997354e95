"""A workflow the crash tests run in a child process that SIGKILLs itself at one chosen point."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from dotdo.workflows import StateMachine, Workflow, idempotency_key, state, transition

T0 = 1_700_000_000.0


def crash_point(name: str) -> None:
    """Die like a power cut at `name` if DOTDO_CRASH names it (once: a marker file remembers)."""
    if os.environ.get("DOTDO_CRASH") != name:
        return
    marker = Path(os.environ["DOTDO_TEST_DATA"]) / f"crashed-{name.replace(':', '-')}"
    if marker.exists():
        return
    marker.write_text("crashed once")
    os.kill(os.getpid(), signal.SIGKILL)


async def charge(amount: int, key: str) -> dict:
    """An external effect: appends to a file outside the object, with the step's idempotency key."""
    with (Path(os.environ["DOTDO_TEST_DATA"]) / "charges").open("a") as out:
        out.write(f"{key} {amount}\n")
    crash_point("inside:charge")
    return {"charged": amount}


def audit(amount: int) -> str:
    """A blocking external effect with a timeout (so it runs in a worker thread), keyed like `charge`."""
    key = idempotency_key()
    with (Path(os.environ["DOTDO_TEST_DATA"]) / "audits").open("a") as out:
        out.write(f"{key} {amount}\n")
    crash_point("inside:audit")
    return key


class Checkout(Workflow):
    """A local step, two external steps (one async, one blocking with a timeout), a sleep, an event
    wait and a last local step."""

    async def run(self, event, step):
        crash_point("before:reserve")
        reserved = await step.do("reserve", self.reserve, event.params["items"])
        crash_point("after:reserve")
        charged = await step.do("charge", self.charge, event.params["amount"])
        crash_point("after:charge")
        await step.do("audit", audit, event.params["amount"], timeout="1 minute")
        crash_point("after:audit")
        await step.sleep("cool off", "1 hour")
        crash_point("after:sleep")
        shipped = await step.wait_for_event("shipping", type="shipped", timeout="1 day")
        crash_point("after:wait")
        done = await step.do("record", self.record, shipped.payload["tracking"])
        crash_point("after:record")
        return {"reserved": reserved, "charged": charged, "recorded": done}

    def reserve(self, items: list[str]) -> int:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS reservations (item TEXT)")
        for item in items:
            self.storage.sql.exec("INSERT INTO reservations VALUES (?)", item)
        crash_point("inside:reserve")
        return len(items)

    async def charge(self, amount: int) -> dict:
        return await charge(amount, idempotency_key())

    def record(self, tracking: str) -> str:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS shipments (tracking TEXT)")
        self.storage.sql.exec("INSERT INTO shipments VALUES (?)", tracking)
        crash_point("inside:record")
        return tracking

    def rows(self) -> dict[str, int]:
        counts = {}
        for table in ("reservations", "shipments"):
            if self.storage.table_exists(table):
                counts[table] = self.storage.sql.exec(f"SELECT count(*) AS n FROM {table}").one()["n"]
            else:
                counts[table] = 0
        return counts


class Parcel(StateMachine):
    """Paid parcels are cancelled if not shipped within a day; paying writes a receipt row."""

    pending = state(initial=True)
    paid = state(on_enter="receipt")
    shipped = state(final=True)
    cancelled = state(final=True)

    pay = transition(pending, paid)
    ship = transition(paid, shipped, timeout="1 day", on_timeout="cancel")
    cancel = transition([pending, paid], cancelled)

    def receipt(self, **data: object) -> None:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS receipts (n INTEGER)")
        self.storage.sql.exec("INSERT INTO receipts VALUES (1)")
        crash_point("inside:receipt")

    def receipts(self) -> int:
        if not self.storage.table_exists("receipts"):
            return 0
        return self.storage.sql.exec("SELECT count(*) AS n FROM receipts").one()["n"]
