"""SQL across objects: the warm tier (and fresh outbox rows) answer like a loop over every hot object."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dotdo.tiers import QueryError, Runtime
from tests.tiers.dataset import TYPES, Shop, hot_rows, write_dataset

OBJECTS = 4
PER_OBJECT = 40

HOT_THINGS = "SELECT id, type, version, visibility, json_extract(data, '$.amount'), deleted_at IS NOT NULL FROM things"
WARM_THINGS = "SELECT id, type, version, visibility, amount, deleted_at IS NOT NULL FROM things"


async def _hot_things(rt: Runtime) -> Counter:
    return Counter(await hot_rows(rt, Shop, OBJECTS, HOT_THINGS))


async def test_warm_and_fresh_answers_match_the_hot_objects(runtime: Runtime) -> None:
    await write_dataset(runtime, Shop, OBJECTS, PER_OBJECT)
    expected = await _hot_things(runtime)
    before = await runtime.query(WARM_THINGS, fresh=True)
    assert Counter(before.rows) == expected
    assert (await runtime.query("SELECT count(*) FROM things")).rows == [(0,)]  # nothing shipped yet

    report = await runtime.ship()
    assert report.total > 0
    assert Counter((await runtime.query(WARM_THINGS)).rows) == expected
    assert Counter((await runtime.query(WARM_THINGS, fresh=True)).rows) == expected

    # A later write is seen by fresh=True at once and by everyone after the next shipment.
    await runtime.run_in(Shop, "shop0", lambda obj: obj.ctx.things.update("t0", amount=12345))
    await runtime.run_in(Shop, "shop0", lambda obj: obj.ctx.things.delete("t3", purge=True))
    expected = await _hot_things(runtime)
    assert Counter((await runtime.query(WARM_THINGS, fresh=True)).rows) == expected
    assert Counter((await runtime.query(WARM_THINGS)).rows) != expected
    await runtime.ship()
    assert Counter((await runtime.query(WARM_THINGS)).rows) == expected


async def test_relationships_and_events_cross_objects(runtime: Runtime) -> None:
    await write_dataset(runtime, Shop, OBJECTS, PER_OBJECT)
    hot_edges = Counter(await hot_rows(runtime, Shop, OBJECTS, "SELECT from_id, to_id, type FROM relationships"))
    await runtime.ship()
    warm_edges = Counter((await runtime.query("SELECT from_id, to_id, type FROM relationships")).rows)
    assert warm_edges == hot_edges
    events = await runtime.query("SELECT type, count(*) AS n FROM events GROUP BY type")
    assert events.rows == [("Order.placed", OBJECTS)]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    threshold=st.integers(min_value=-1, max_value=501),
    kind=st.sampled_from((None, *TYPES)),
    visibility=st.sampled_from((None, "private", "public")),
    group=st.sampled_from(("type", "visibility", "region")),
)
def test_generated_aggregates_agree(
    shipped_runtime: tuple[Runtime, asyncio.AbstractEventLoop],
    threshold: int,
    kind: str | None,
    visibility: str | None,
    group: str,
) -> None:
    rt, loop = shipped_runtime
    hot_filters = [f"json_extract(data, '$.amount') > {threshold}", "deleted_at IS NULL"]
    warm_filters = [f"amount > {threshold}", "deleted_at IS NULL"]
    if kind is not None:
        hot_filters.append(f"type = '{kind}'")
        warm_filters.append(f"type = '{kind}'")
    if visibility is not None:
        hot_filters.append(f"visibility = '{visibility}'")
        warm_filters.append(f"visibility = '{visibility}'")
    hot_group = f"json_extract(data, '$.{group}')" if group == "region" else group
    hot_sql = (
        f"SELECT {hot_group}, count(*), sum(json_extract(data, '$.amount')) FROM things "
        f"WHERE {' AND '.join(hot_filters)} GROUP BY 1"
    )
    warm_sql = f"SELECT {group}, count(*), sum(amount) FROM things WHERE {' AND '.join(warm_filters)} GROUP BY 1"
    totals: dict[str, list[int]] = {}
    for key, count, total in loop.run_until_complete(hot_rows(rt, Shop, OBJECTS, hot_sql)):
        slot = totals.setdefault(key, [0, 0])
        slot[0] += count
        slot[1] += total
    warm = loop.run_until_complete(rt.query(warm_sql))
    assert {key: [count, int(total)] for key, count, total in warm.rows} == totals


@pytest.fixture(scope="module")
def shipped_runtime(tmp_path_factory: pytest.TempPathFactory):
    from dotdo.tiers import TierConfig

    loop = asyncio.new_event_loop()
    rt = Runtime(tmp_path_factory.mktemp("oracle"), objects=[Shop], tiers=TierConfig(ship_interval=None))
    loop.run_until_complete(rt.start())
    loop.run_until_complete(write_dataset(rt, Shop, OBJECTS, PER_OBJECT))
    loop.run_until_complete(rt.ship())
    yield rt, loop
    loop.run_until_complete(rt.close())
    loop.close()


async def test_write_statements_are_refused(runtime: Runtime) -> None:
    for sql in ("DELETE FROM things", "INSERT INTO things VALUES (1)", "CREATE TABLE x (a INT)", "COPY things TO 'x'"):
        with pytest.raises(QueryError, match="only read-only SELECT"):
            await runtime.query(sql)
    with pytest.raises(QueryError, match="exactly one statement"):
        await runtime.query("SELECT 1; SELECT 2")
    with pytest.raises(QueryError, match="not valid SQL"):
        await runtime.query("SELEKT nothing")
    with pytest.raises(QueryError, match="engine must be"):
        await runtime.query("SELECT 1", engine="oracle")


async def test_time_travel_reads_a_snapshot(runtime: Runtime) -> None:
    await runtime.run_in(Shop, "shop0", lambda obj: obj.ctx.things.create("Order", id="a", amount=1))
    await runtime.ship()
    await asyncio.sleep(0.01)
    between = datetime.now(UTC)
    await asyncio.sleep(0.01)
    await runtime.run_in(Shop, "shop0", lambda obj: obj.ctx.things.update("a", amount=2))
    await runtime.run_in(Shop, "shop0", lambda obj: obj.ctx.things.create("Order", id="b", amount=5))
    await runtime.ship()
    sql = "SELECT id, amount FROM things ORDER BY id"
    assert (await runtime.query(sql)).rows == [("a", 2), ("b", 5)]
    assert (await runtime.query(sql, as_of=between)).rows == [("a", 1)]
    assert (await runtime.query(sql, as_of=between.isoformat())).rows == [("a", 1)]
    assert (await runtime.query(sql, as_of="2000-01-01T00:00:00Z")).rows == []
    with pytest.raises(QueryError, match="ISO 8601"):
        await runtime.query(sql, as_of="yesterday")


async def test_schema_evolves_when_things_gain_fields(runtime: Runtime) -> None:
    await runtime.run_in(Shop, "shop0", lambda obj: obj.ctx.things.create("Order", id="a", amount=1))
    await runtime.ship()
    await runtime.run_in(Shop, "shop1", lambda obj: obj.ctx.things.create("Order", id="b", amount=2, coupon="X"))
    await runtime.run_in(Shop, "shop1", lambda obj: obj.ctx.things.create("Order", id="c", amount="n/a"))
    await runtime.ship()
    rows = (await runtime.query("SELECT id, amount, coupon, data->>'amount' FROM things ORDER BY id")).rows
    # A value that does not fit the column's type stays in `data`.
    assert rows == [("a", 1, None, "1"), ("b", 2, "X", "2"), ("c", None, None, "n/a")]
    status = await runtime.tiers_status()
    assert status.tables[0].promoted_columns == ["amount", "coupon"]


async def test_clickhouse_engine_answers_like_duckdb(runtime: Runtime) -> None:
    pytest.importorskip("chdb", reason="engine='clickhouse' needs dotdo[clickhouse]")
    await write_dataset(runtime, Shop, 2, 20)
    await runtime.ship()
    # A later field: older data files lack its column.
    await runtime.run_in(Shop, "shop0", lambda obj: obj.ctx.things.create("Order", id="late", amount=1, coupon="X"))
    await runtime.ship()
    sql = (
        "SELECT type, count(*) AS n, sum(amount) AS total, count(coupon) AS coupons FROM things "
        "WHERE deleted_at IS NULL GROUP BY type ORDER BY type"
    )
    duck = [tuple(int(v) if not isinstance(v, str) else v for v in row) for row in (await runtime.query(sql)).rows]
    house = await runtime.query(sql, engine="clickhouse")
    assert [tuple(int(v) if not isinstance(v, str) else v for v in row) for row in house.rows] == duck
    assert sum(row[3] for row in duck) == 1
    fresh = await runtime.query("SELECT count(*) AS n FROM things", engine="clickhouse", fresh=True)
    assert int(fresh.rows[0][0]) == (await runtime.query("SELECT count(*) FROM things")).rows[0][0]


async def test_actions_show_each_step_once_in_its_latest_state(runtime: Runtime) -> None:
    def charge(amount: int) -> dict:
        return {"charged": amount}

    async def run(obj: Any) -> None:
        await obj.ctx.do(charge, 5, step_id="charge-1")
        await obj.ctx.do(charge, 7, step_id="charge-2")

    await runtime.run_in(Shop, "s", run)
    await runtime.ship()
    latest = await runtime.query("SELECT step_id, status, result FROM actions ORDER BY step_id")
    assert latest.rows == [("charge-1", "completed", '{"charged":5}'), ("charge-2", "completed", '{"charged":7}')]
    changes = await runtime.query("SELECT step_id, status FROM action_changes ORDER BY sequence")
    assert changes.rows == [
        ("charge-1", "running"),
        ("charge-1", "completed"),
        ("charge-2", "running"),
        ("charge-2", "completed"),
    ]


async def test_queries_never_load_duckdb_extensions_on_their_own() -> None:
    from dotdo.tiers.duckdb_connection import connect_duckdb

    conn = connect_duckdb()
    settings = dict(
        conn.execute(
            "SELECT name, value FROM duckdb_settings() "
            "WHERE name IN ('autoinstall_known_extensions', 'autoload_known_extensions')"
        ).fetchall()
    )
    assert settings == {"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"}
