"""`dotdo restore`: an object back at an instant, in place or as a new object, from the change log alone."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from dotdo import DO, Runtime
from dotdo.cli import cli

runner = CliRunner()


class Wallet(DO):
    async def set(self, coins: int) -> None:
        self.storage.put("coins", coins)

    async def coins(self) -> int | None:
        return self.storage.get("coins")


async def test_restore_in_place_and_into_a_new_object(tmp_path: Path) -> None:
    data = tmp_path / "data"
    async with Runtime(data, objects=[Wallet], durability="replicated") as rt:
        await rt.get(Wallet, "w").set(10)
        await rt.get(Wallet, "w").set(20)
        between = time.time()
        await rt.get(Wallet, "w").set(30)
    at = datetime.fromtimestamp(between, UTC).isoformat()

    # The command runs its own event loop: call it from a thread, as a shell would from another process.
    copied = await asyncio.to_thread(
        runner.invoke, cli, ["restore", "Wallet", "w", "--at", at, "--to", "w-copy", "--data-dir", str(data)]
    )
    assert copied.exit_code == 0, copied.output
    assert "new object Wallet 'w-copy'" in copied.output
    in_place = await asyncio.to_thread(
        runner.invoke, cli, ["restore", "Wallet", "w", "--at", at, "--data-dir", str(data)]
    )
    assert in_place.exit_code == 0, in_place.output
    assert "restored at its next activation" in in_place.output

    async with Runtime(tmp_path / "elsewhere", objects=[Wallet], replicate_to=data / "log") as rt:
        assert await rt.get(Wallet, "w-copy").coins() == 20
        assert await rt.get(Wallet, "w").coins() == 20


def test_bad_restore_requests_say_what_to_fix(tmp_path: Path) -> None:
    naive = runner.invoke(cli, ["restore", "Wallet", "w", "--at", "2026-12-01T10:00:00", "--data-dir", str(tmp_path)])
    assert naive.exit_code == 2
    assert "no time zone" in naive.output
    unknown = runner.invoke(
        cli, ["restore", "Wallet", "nobody", "--at", "2026-12-01T10:00:00Z", "--data-dir", str(tmp_path)]
    )
    assert unknown.exit_code == 1
    assert "has no change log" in unknown.output
    assert "--at" in runner.invoke(cli, ["restore", "--help"]).output
