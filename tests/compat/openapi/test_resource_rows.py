"""One place's resources, as the account's own object and each shard store them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dotdo.compat.openapi.resource_rows import ResourceRows
from dotdo.graph import Things
from dotdo.runtime.storage import Storage


@pytest.fixture
def rows(tmp_path: Path) -> Iterator[ResourceRows]:
    storage = Storage(tmp_path / "shard.sqlite")
    yield ResourceRows(Things(storage))
    storage.close()


def test_resources_scan_in_sequence_order_with_their_names(rows: ResourceRows) -> None:
    for sequence, rid in ((3, "cus_c"), (1, "cus_a"), (2, "cus_b")):
        rows.put("customer", f"{sequence:020d}", {"id": rid, "email": f"{rid}@example.com"})
    newest = rows.scan("customer", {}, "-name", 2)
    assert [(name[-1], data["id"]) for name, data in newest] == [("3", "cus_c"), ("2", "cus_b")]
    assert rows.get("customer", "cus_a") == [f"{1:020d}", {"id": "cus_a", "email": "cus_a@example.com"}]
    assert rows.get("product", "cus_a") is None and rows.get(None, "cus_a") is not None


def test_a_move_resumed_after_a_crash_keeps_the_newer_copy(rows: ResourceRows) -> None:
    rows.put("customer", "1", {"id": "cus_a", "name": "old"})
    rows.replace({"id": "cus_a", "name": "updated after the first copy"})
    rows.put("customer", "1", {"id": "cus_a", "name": "old"}, replace=False)  # the copy made again
    assert rows.get("customer", "cus_a") == ["1", {"id": "cus_a", "name": "updated after the first copy"}]


def test_a_move_walks_every_kind_in_id_order_and_leaves_nothing_behind(rows: ResourceRows) -> None:
    for index, kind in enumerate(("customer", "event", "product")):
        rows.put(kind, str(index), {"id": f"{kind[:3]}_{index}"})
    walked = rows.batch("", 2)
    assert [entry[0] for entry in walked] == ["cus_0", "eve_1"]
    assert [entry[0] for entry in rows.batch(walked[-1][0], 2)] == ["pro_2"]
    rows.drop("cus_0")
    assert rows.count() == 2 and rows.get(None, "cus_0") is None and rows.delete("cus_0") is False
