"""move_to on the embedded runtime: refused clearly, before anything changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from dotdo.cluster.move import PlacementUnavailableError
from dotdo.runtime.runtime import Runtime
from tests.cluster.lifecycle_objects import Shop


async def test_move_to_on_the_embedded_runtime_names_the_cluster_extra(tmp_path: Path) -> None:
    async with Runtime(tmp_path / "data", objects=[Shop]) as rt:
        app = rt.get(Shop, "acme")
        await app.add("Customer", id="alice", customer_id="c1")
        with pytest.raises(PlacementUnavailableError, match=r"dotdo\[cluster\]"):
            await app.move_to(colo="nrt")
        with pytest.raises(PlacementUnavailableError, match="embedded runtime"):
            await app.promote("alice", colo="Frankfurt")
        with pytest.raises(ValueError, match="colo must name a location"):
            await app.move_to(colo="")
        assert (await app.read("alice"))["data"] == {"customer_id": "c1"}
        assert [e["type"] for e in await app.events("move.")] == ["move.started", "move.failed"] * 2
