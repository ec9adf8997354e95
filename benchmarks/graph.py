"""Graph store rates against hand-written sqlite3 on the same schema, measured in the same run.

    python benchmarks/graph.py [--things 20000]

Both sides use one SQLite file in WAL mode with synchronous=NORMAL and commit once per batch of
writes (dotdo through its group commit at the end of each event-loop turn). The baseline is what a
careful programmer writes by hand for the same job: plain INSERT/SELECT with json_extract, the
same version history on update, but no JSON type guards, no chunking, no validation. Ratios
above 1.0 mean dotdo is faster.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from dotdo.graph import Relationships, Things
from dotdo.graph.schema import MIGRATIONS
from dotdo.runtime.storage import Storage

CITIES = ["Paris", "Lyon", "Nice", "Lille", "Nantes", "Rennes", "Brest", "Metz", "Dijon", "Tours"]
BATCH = 100


def document(i: int) -> dict:
    return {"email": f"user{i}@example.com", "age": i % 90, "city": CITIES[i % 10], "tags": ["a", str(i % 7)]}


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Baseline:
    """Hand-written sqlite3 on the same tables."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA locking_mode=EXCLUSIVE")
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        for _, script in MIGRATIONS:
            self.db.executescript(script)
        self.db.execute("BEGIN")

    def commit(self) -> None:
        self.db.execute("COMMIT")
        self.db.execute("BEGIN")

    def create(self, type_: str, data: dict) -> str:
        thing_id = uuid.uuid4().hex
        stamp = now_text()
        self.db.execute(
            "INSERT INTO things (id, type, name, data, version, created_at, updated_at, visibility) "
            "VALUES (?, ?, NULL, ?, 1, ?, ?, 'private')",
            (thing_id, type_, json.dumps(data, sort_keys=True, separators=(",", ":")), stamp, stamp),
        )
        return thing_id

    def get(self, thing_id: str) -> dict:
        row = self.db.execute(
            "SELECT id, type, name, data, version, created_at, updated_at FROM things WHERE id = ?", (thing_id,)
        ).fetchone()
        return {"id": row[0], "type": row[1], "data": json.loads(row[3]), "version": row[4]}

    def find(self, city: str, min_age: int) -> list[dict]:
        rows = self.db.execute(
            "SELECT id, type, name, data, version FROM things WHERE type = 'Customer' AND deleted_at IS NULL "
            "AND json_extract(data, '$.city') = ? AND json_extract(data, '$.age') >= ? ORDER BY id LIMIT 20",
            (city, min_age),
        ).fetchall()
        return [{"id": r[0], "data": json.loads(r[3])} for r in rows]

    def relate(self, source: str, target: str, type_: str) -> None:
        self.db.execute(
            "INSERT INTO relationships (id, from_id, to_id, type, data, created_at) VALUES (?, ?, ?, ?, '{}', ?)",
            (uuid.uuid4().hex, source, target, type_, now_text()),
        )

    def traverse(self, start: str) -> list[dict]:
        rows = self.db.execute(
            "WITH RECURSIVE walk(node, hop) AS (SELECT ?, 0 UNION "
            "SELECT r.to_id, walk.hop + 1 FROM walk JOIN relationships r ON r.from_id = walk.node "
            "WHERE walk.hop < 2 AND r.type = CASE walk.hop WHEN 0 THEN 'placed' ELSE 'contains' END) "
            "SELECT t.id, t.data FROM walk JOIN things t ON t.id = walk.node WHERE walk.hop > 0",
            (start,),
        ).fetchall()
        return [{"id": r[0], "data": json.loads(r[1])} for r in rows]


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def timed(fn: Callable[[], object], repeat: int = 3) -> float:
    """The best of `repeat` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def paired(ours: Callable[[], object], theirs: Callable[[], object], repeat: int = 5) -> tuple[float, float]:
    """Best times of both sides, run alternately so that load from elsewhere hits both alike."""
    best_ours, best_theirs = float("inf"), float("inf")
    for _ in range(repeat):
        best_ours = min(best_ours, timed(ours, repeat=1))
        best_theirs = min(best_theirs, timed(theirs, repeat=1))
    return best_ours, best_theirs


async def run(count: int) -> list[tuple[str, float, float]]:
    folder = Path(tempfile.mkdtemp(prefix="dotdo-graph-bench-"))
    storage = Storage(folder / "dotdo.sqlite")
    things, relationships = Things(storage), Relationships(storage)
    baseline = Baseline(folder / "baseline.sqlite")
    results = []

    # create: batches of BATCH writes, one commit per batch on both sides, the sides alternating
    ours: list[str] = []
    theirs: list[str] = []
    dotdo_create = base_create = 0.0
    for first in range(0, count, BATCH):
        start = time.perf_counter()
        ours.extend(things.create(type="Customer", data=document(i)).id for i in range(first, first + BATCH))
        await asyncio.sleep(0)
        dotdo_create += time.perf_counter() - start
        start = time.perf_counter()
        theirs.extend(baseline.create("Customer", document(i)) for i in range(first, first + BATCH))
        baseline.commit()
        base_create += time.perf_counter() - start
    results.append(("create", rate(count, dotdo_create), rate(count, base_create)))

    # get by id
    picks = random.Random(1).sample(range(count), min(count, 5000))
    dotdo_get, base_get = paired(
        lambda: [things.get(ours[i]) for i in picks], lambda: [baseline.get(theirs[i]) for i in picks]
    )
    results.append(("get", rate(len(picks), dotdo_get), rate(len(picks), base_get)))

    # find: two JSON-field conditions, first page of 20
    queries = [(CITIES[i % 10], 30 + i % 50) for i in range(200)]
    dotdo_find, base_find = paired(
        lambda: [things.find("Customer", where={"city": c, "age": {"gte": a}}, limit=20) for c, a in queries],
        lambda: [baseline.find(c, a) for c, a in queries],
    )
    results.append(("find (2 JSON filters, limit 20)", rate(len(queries), dotdo_find), rate(len(queries), base_find)))

    # traverse: customer -> 5 orders -> 4 line items each
    customers = 200
    ours_roots, theirs_roots = [], []
    for c in range(customers):
        root = ours[c]
        for _ in range(5):
            order = things.create(type="Order", total=1)
            relationships.create(root, order, "placed")
            for _ in range(4):
                relationships.create(order, things.create(type="LineItem", sku="x"), "contains")
        ours_roots.append(root)
        await asyncio.sleep(0)
    for c in range(customers):
        root = theirs[c]
        for _ in range(5):
            order = baseline.create("Order", {"total": 1})
            baseline.relate(root, order, "placed")
            for _ in range(4):
                baseline.relate(order, baseline.create("LineItem", {"sku": "x"}), "contains")
        theirs_roots.append(root)
        baseline.commit()
    assert len(things.traverse(ours_roots[0], ["placed", "contains"])) == 25
    assert len(baseline.traverse(theirs_roots[0])) == 25
    dotdo_walk, base_walk = paired(
        lambda: [things.traverse(r, ["placed", "contains"]) for r in ours_roots],
        lambda: [baseline.traverse(r) for r in theirs_roots],
    )
    results.append(("traverse (2 hops, 25 things)", rate(customers, dotdo_walk), rate(customers, base_walk)))

    # update: a new version each time; by hand: read, merge, archive the old row, overwrite
    def base_update(thing_id: str) -> None:
        db = baseline.db
        data = json.loads(db.execute("SELECT data FROM things WHERE id = ?", (thing_id,)).fetchone()[0])
        data["age"] = 1
        db.execute(
            "INSERT INTO thing_versions (thing_id, type, name, data, version, created_at, updated_at, "
            "deleted_at, visibility) SELECT id, type, name, data, version, created_at, updated_at, deleted_at, "
            "visibility FROM things WHERE id = ?",
            (thing_id,),
        )
        db.execute(
            "UPDATE things SET data = ?, version = version + 1, updated_at = ? WHERE id = ?",
            (json.dumps(data, sort_keys=True, separators=(",", ":")), now_text(), thing_id),
        )

    dotdo_update = base_update_time = 0.0
    for first in range(0, 2000, BATCH):
        batch = picks[first : first + BATCH]
        start = time.perf_counter()
        for i in batch:
            things.update(ours[i], age=1)
        await asyncio.sleep(0)
        dotdo_update += time.perf_counter() - start
        start = time.perf_counter()
        for i in batch:
            base_update(theirs[i])
        baseline.commit()
        base_update_time += time.perf_counter() - start
    results.append(("update (new version)", rate(2000, dotdo_update), rate(2000, base_update_time)))
    storage.close()
    baseline.db.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--things", type=int, default=20_000, help="customers to create (default 20000)")
    args = parser.parse_args()
    count = max(BATCH, args.things // BATCH * BATCH)
    results = asyncio.run(run(count))
    print(f"graph benchmark: {count} things, batches of {BATCH} writes per commit")
    print(f"{'operation':34} {'dotdo ops/s':>14} {'sqlite3 ops/s':>14} {'ratio':>7}")
    for name, ours, theirs in results:
        print(f"{name:34} {ours:14,.0f} {theirs:14,.0f} {ours / theirs:7.2f}")
    print(f"geometric mean ratio: {statistics.geometric_mean([o / t for _, o, t in results]):.2f}")


if __name__ == "__main__":
    main()
