"""engine="clickhouse" through clickhouse-connect: the same answers as DuckDB, and clear errors.

The client is driven through clickhouse-connect's chdb backend (`chdb://memory`): the same client
calls a server gets (temporary tables, Arrow inserts, Arrow answers), on a real ClickHouse engine.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dotdo.tiers import QueryError, Runtime, TierConfig
from tests.conftest import free_port
from tests.tiers.dataset import Shop, write_dataset

pytest.importorskip("clickhouse_connect", reason="a ClickHouse server is queried through dotdo[clickhouse]")
pytest.importorskip("chdb", reason="the embedded backend comes with dotdo[clickhouse]")

SQL = (
    "SELECT type, count(*) AS n, sum(amount) AS total, count(coupon) AS coupons FROM things "
    "WHERE deleted_at IS NULL GROUP BY type ORDER BY type"
)


def _plain(rows: list[tuple]) -> list[tuple]:
    return [tuple(v if isinstance(v, str) else int(v) for v in row) for row in rows]


async def test_clickhouse_connect_answers_like_duckdb_with_fresh_rows(tmp_path: Path) -> None:
    config = TierConfig(ship_interval=None, clickhouse_url="chdb://memory")
    async with Runtime(tmp_path, objects=[Shop], tiers=config) as rt:
        await write_dataset(rt, Shop, 2, 20)
        await rt.ship()
        # Unshipped, and a field that older data files lack a column for.
        await rt.run_in(Shop, "shop0", lambda obj: obj.ctx.things.create("Order", id="late", amount=1, coupon="X"))
        await rt.run_in(Shop, "shop1", lambda obj: obj.ctx.things.delete("t0", purge=True))
        duck = _plain((await rt.query(SQL, fresh=True)).rows)
        house = _plain((await rt.query(SQL, engine="clickhouse", fresh=True)).rows)
        assert house == duck
        assert sum(row[3] for row in duck) == 1
        versions = await rt.query("SELECT count() AS n FROM thing_versions", engine="clickhouse")
        assert _plain(versions.rows) == (await rt.query("SELECT count(*) FROM thing_versions")).rows
        with pytest.raises(QueryError, match=r"could not run the query.*nosuchcolumn"):
            await rt.query("SELECT nosuchcolumn FROM things", engine="clickhouse")


async def test_an_unreachable_server_is_named_without_its_password(tmp_path: Path) -> None:
    dsn = f"http://reader:s3cret@127.0.0.1:{free_port()}"
    async with Runtime(tmp_path, objects=[Shop], tiers=TierConfig(ship_interval=None, clickhouse_url=dsn)) as rt:
        expected = re.escape("cannot reach ClickHouse at http://reader:***@127.0.0.1")
        with pytest.raises(QueryError, match=expected) as caught:
            await rt.query("SELECT count(*) FROM things", engine="clickhouse")
        assert "s3cret" not in str(caught.value)


def test_a_clickhouse_url_must_be_a_dsn() -> None:
    with pytest.raises(ValueError, match="clickhouse_url must be a DSN"):
        TierConfig(clickhouse_url="localhost")
