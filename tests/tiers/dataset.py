"""A generated multi-object dataset and the hot-side oracle: the same question asked of each object's SQLite."""

from __future__ import annotations

import random
from typing import Any

from dotdo import DO
from dotdo.tiers import Runtime


class Shop(DO):
    """An object with things, relationships and events, written by the tests through run_in."""


TYPES = ("Order", "Customer", "Invoice")


async def write_dataset(rt: Runtime, cls: type, objects: int, things_per_object: int, seed: int = 7) -> None:
    """Things of several types with numeric and text fields, some updated, some deleted, some purged."""
    rng = random.Random(seed)
    for n in range(objects):

        def write(obj: Any, n: int = n) -> None:
            things = obj.ctx.things
            for i in range(things_per_object):
                things.create(
                    rng.choice(TYPES),
                    f"t{i}",
                    id=f"t{i}",
                    visibility=rng.choice(("private", "public")),
                    amount=rng.randint(0, 500),
                    region=rng.choice(("eu", "us", "apac")),
                )
            for i in range(0, things_per_object, 3):
                things.update(f"t{i}", amount=rng.randint(0, 500), tag="updated")
            for i in range(4, things_per_object, 5):
                obj.ctx.relationships.create(from_=f"t{i}", to=f"t{i - 1}", type="follows")
            for i in range(1, things_per_object, 7):
                things.delete(f"t{i}")
            for i in range(2, things_per_object, 11):
                things.delete(f"t{i}", purge=True)
            obj.ctx.send("Order.placed", {"n": n})

        await rt.run_in(cls, f"shop{n}", write)


async def hot_rows(rt: Runtime, cls: type, objects: int, sql: str) -> list[tuple[Any, ...]]:
    """`sql` over every object's own SQLite (a loop), rows concatenated."""
    rows: list[tuple[Any, ...]] = []
    for n in range(objects):
        rows.extend(await rt.run_in(cls, f"shop{n}", lambda obj: [tuple(r) for r in obj.storage.sql.exec(sql).raw()]))
    return rows
