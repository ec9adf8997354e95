"""`dotdo query` and `dotdo tiers status` on a data folder with shipped and unshipped rows."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from dotdo.cli import cli
from dotdo.tiers import Runtime, TierConfig
from tests.tiers.dataset import Shop

runner = CliRunner()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli")

    async def prepare() -> None:
        async with Runtime(folder, objects=[Shop], tiers=TierConfig(ship_interval=None)) as rt:
            await rt.run_in(Shop, "s", lambda obj: obj.ctx.things.create("Order", id="a", amount=3))
            await rt.run_in(Shop, "s", lambda obj: obj.ctx.things.create("Order", id="b", amount=4))
            await rt.ship()
            await rt.run_in(Shop, "s", lambda obj: obj.ctx.things.create("Order", id="c", amount=5))

    asyncio.run(prepare())
    return folder


def _query(data_dir: Path, *args: str) -> str:
    result = runner.invoke(
        cli, ["query", "SELECT id, amount FROM things ORDER BY id", "--data-dir", str(data_dir), *args]
    )
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("args", [["query", "--help"], ["tiers", "--help"], ["tiers", "status", "--help"]])
def test_the_tier_commands_have_help(args: list[str]) -> None:
    result = runner.invoke(cli, args)
    assert result.exit_code == 0 and "Usage" in result.output
    if args == ["query", "--help"]:
        assert "--fresh" in result.output and "--clickhouse-url" in result.output


def test_query_prints_a_table_csv_json_and_writes_parquet(data_dir: Path, tmp_path: Path) -> None:
    table = _query(data_dir)
    assert "┃ id" in table and "│ a  │ 3" in table and "│ c " not in table
    assert list(csv.reader(io.StringIO(_query(data_dir, "--format", "csv")))) == [
        ["id", "amount"],
        ["a", "3"],
        ["b", "4"],
    ]
    lines = _query(data_dir, "--format", "json").splitlines()
    assert [json.loads(line) for line in lines] == [{"id": "a", "amount": 3}, {"id": "b", "amount": 4}]
    target = tmp_path / "answer.parquet"
    _query(data_dir, "--format", "parquet", "--output", str(target))
    assert pq.read_table(target).to_pylist() == [{"id": "a", "amount": 3}, {"id": "b", "amount": 4}]


def test_query_fresh_adds_the_rows_still_in_the_outboxes(data_dir: Path) -> None:
    rows = [["id", "amount"], ["a", "3"], ["b", "4"], ["c", "5"]]
    assert list(csv.reader(io.StringIO(_query(data_dir, "--fresh", "--format", "csv")))) == rows
    pytest.importorskip("clickhouse_connect", reason="--clickhouse-url needs dotdo[clickhouse]")
    house = _query(
        data_dir, "--fresh", "--engine", "clickhouse", "--clickhouse-url", "chdb://memory", "--format", "csv"
    )
    assert list(csv.reader(io.StringIO(house))) == rows
    # Reading the outboxes takes nothing from them: the rows are still there to ship.
    assert list(csv.reader(io.StringIO(_query(data_dir, "--format", "csv")))) == rows[:3]
    assert list(csv.reader(io.StringIO(_query(data_dir, "--fresh", "--format", "csv")))) == rows


def test_query_refuses_writes_with_a_clear_error(data_dir: Path) -> None:
    result = runner.invoke(cli, ["query", "DELETE FROM things", "--data-dir", str(data_dir)])
    assert result.exit_code == 1
    assert "only read-only SELECT" in result.output
    result = runner.invoke(cli, ["query", "SELECT 1", "--data-dir", str(data_dir), "--format", "parquet"])
    assert result.exit_code == 1 and "--output" in result.output
    result = runner.invoke(cli, ["query", "SELECT 1", "--data-dir", str(data_dir), "--fresh", "--as-of", "2026-01-01"])
    assert result.exit_code == 1 and "cannot be combined with --as-of" in result.output


def test_tiers_status_shows_tables_and_backlog(data_dir: Path) -> None:
    result = runner.invoke(cli, ["tiers", "status", "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert "things" in result.stdout and "never" in result.stdout
    backlog_line = next(line for line in result.stdout.splitlines() if "Shop/" in line)
    assert "│ 1 " in backlog_line  # c waits in the outbox


async def test_query_and_status_work_beside_a_runtime_holding_the_folder(tmp_path: Path) -> None:
    async with Runtime(tmp_path, objects=[Shop], tiers=TierConfig(ship_interval=None)) as rt:
        await rt.run_in(Shop, "s", lambda obj: obj.ctx.things.create("Order", id="a", amount=3))
        await rt.ship()
        await rt.run_in(Shop, "s", lambda obj: obj.ctx.things.create("Order", id="b", amount=4))
        assert list(csv.reader(io.StringIO(_query(tmp_path, "--format", "csv")))) == [["id", "amount"], ["a", "3"]]
        result = runner.invoke(cli, ["tiers", "status", "--data-dir", str(tmp_path)])
        assert result.exit_code == 0, result.output
        assert "busy" in result.stdout  # the live object's file is held open by the runtime
        # Unshipped rows are in files the runtime holds: --fresh says so and what to do instead.
        result = runner.invoke(cli, ["query", "SELECT count(*) FROM things", "--data-dir", str(tmp_path), "--fresh"])
        assert result.exit_code == 1
        assert "rt.query(sql, fresh=True)" in result.output and "leave out --fresh" in result.output
