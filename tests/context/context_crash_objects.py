"""Objects the crash tests run in a child process (and reopen in the test process after the kill)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from dotdo.context import DO, every

T0 = 1_700_000_000.0  # 2023-11-14T22:13:20Z


def crash_now() -> None:
    """Die like a power cut: no cleanup, no commit."""
    os.kill(os.getpid(), signal.SIGKILL)


class Ticker(DO):
    """Three hourly schedules that differ only in their missed-tick policy."""

    async def on_start(self) -> None:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS runs (policy TEXT, tick TEXT)")

    @every.hour(missed="once")
    def hourly_once(self, tick) -> None:
        self.storage.sql.exec("INSERT INTO runs VALUES ('once', ?)", tick.isoformat())

    @every.hour(missed="all")
    def hourly_all(self, tick) -> None:
        self.storage.sql.exec("INSERT INTO runs VALUES ('all', ?)", tick.isoformat())

    @every.hour(missed="skip")
    def hourly_skip(self, tick) -> None:
        self.storage.sql.exec("INSERT INTO runs VALUES ('skip', ?)", tick.isoformat())

    def runs(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {"once": [], "all": [], "skip": []}
        for row in self.storage.sql.exec("SELECT policy, tick FROM runs ORDER BY rowid"):
            found[row["policy"]].append(row["tick"])
        return found


class Ledger(DO):
    """A local step (`credit`, synchronous: exactly-once) and an external one (`notify`, at-least-once)."""

    async def on_start(self) -> None:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS entries (account TEXT, amount INTEGER)")

    def credit(self, account: str, amount: int) -> dict:
        self.storage.sql.exec("INSERT INTO entries VALUES (?, ?)", account, amount)
        marker = Path(os.environ.get("DOTDO_TEST_DATA", ".")) / "crashed-in-credit"
        if os.environ.get("DOTDO_CRASH") == "after-write" and not marker.exists():
            marker.write_text("crashed once")
            crash_now()
        total = self.storage.sql.exec("SELECT sum(amount) AS s FROM entries WHERE account = ?", account).one()["s"]
        return {"account": account, "balance": total}

    async def pay(self, account: str, amount: int) -> dict:
        return await self.ctx.do("credit", account, amount, step_id=f"credit-{account}")

    async def notify(self, who: str) -> str:
        calls = Path(os.environ["DOTDO_TEST_DATA"]) / "notify-calls"
        with calls.open("a") as out:
            out.write(f"{who} {self.ctx.idempotency_key}\n")
        if len(calls.read_text().splitlines()) == 1:
            raise ConnectionError("mail server unreachable")
        return f"notified {who}"

    async def send_notice(self, who: str) -> str:
        return await self.ctx.do("notify", who, step_id=f"notify-{who}")

    def entries(self) -> list[tuple[str, int]]:
        return [(r["account"], r["amount"]) for r in self.storage.sql.exec("SELECT * FROM entries ORDER BY rowid")]


class Author(DO):
    """Publishes posts; readers subscribe to them."""

    async def post(self, text: str) -> None:
        self.ctx.send("Post.published", {"text": text})

    def outbox_attempts(self) -> list[int]:
        if not self.ctx.subscriptions.pending():
            return []
        return [r["attempts"] for r in self.storage.sql.exec("SELECT attempts FROM outbox ORDER BY seq")]


class Reader(DO):
    """Subscribes to an author; is "down" while DOTDO_READER_DOWN is set."""

    async def on_start(self) -> None:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS inbox (text TEXT)")

    async def follow(self, author: str) -> None:
        await self.ctx.subscribe(self.ctx.Author(author), "Post.*", "on_post")

    def on_post(self, event) -> None:
        if os.environ.get("DOTDO_READER_DOWN"):
            raise ConnectionError("reader is down")
        self.storage.sql.exec("INSERT INTO inbox VALUES (?)", event.data["text"])

    def inbox(self) -> list[str]:
        return [r["text"] for r in self.storage.sql.exec("SELECT text FROM inbox ORDER BY rowid")]
