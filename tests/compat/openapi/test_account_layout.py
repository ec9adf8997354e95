"""Where an account's resources are while it moves from one layout to another."""

from __future__ import annotations

from dotdo.compat.openapi.account_layout import Layout
from dotdo.compat.sharding import OWN_OBJECT, shard_of

IDS = [f"prod_{i:04d}" for i in range(200)]


def test_an_unsharded_account_holds_everything_itself() -> None:
    layout = Layout()
    assert layout.everywhere() == [OWN_OBJECT]
    assert all(layout.places_of(rid) == [OWN_OBJECT] == [layout.home(rid)] for rid in IDS)


def test_while_moving_a_resource_is_looked_for_in_its_new_place_then_its_old_one() -> None:
    moving = Layout(shards=1, target=4)
    assert moving.everywhere() == [OWN_OBJECT, 0, 1, 2, 3]
    for rid in IDS:
        assert moving.home(rid) == shard_of(rid, 4)
        assert moving.places_of(rid) == [shard_of(rid, 4), OWN_OBJECT]


def test_a_resource_the_move_leaves_in_place_is_looked_for_once() -> None:
    growing = Layout(shards=4, target=5)
    assert growing.everywhere() == [0, 1, 2, 3, 4]
    staying = [rid for rid in IDS if shard_of(rid, 4) == shard_of(rid, 5)]
    assert staying and all(growing.places_of(rid) == [shard_of(rid, 4)] for rid in staying)
