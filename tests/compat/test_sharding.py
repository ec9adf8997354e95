"""The layout pieces S3, SQS and the SaaS accounts share: places, the hash placement, the shard setting."""

from __future__ import annotations

import pytest

from dotdo.compat.sharding import OWN_OBJECT, account_shard_counts, places, shard_of


def test_one_shard_is_the_resources_own_object() -> None:
    assert places(1) == [OWN_OBJECT] and places(3) == [0, 1, 2]
    assert shard_of("cus_anything", 1) == OWN_OBJECT


def test_growing_a_layout_moves_only_the_keys_the_new_shards_take() -> None:
    keys = [f"cus_{i:05d}" for i in range(2000)]
    moved = [key for key in keys if shard_of(key, 4) != shard_of(key, 5)]
    assert all(shard_of(key, 5) == 4 for key in moved)
    assert 250 < len(moved) < 550  # about a fifth
    assert {shard_of(key, 4) for key in keys} == {0, 1, 2, 3}


def test_the_account_shards_setting_reads_tenant_equals_count() -> None:
    assert account_shard_counts(["acme=8", "a=b=2"]) == {"acme": 8, "a=b": 2}
    for bad in ("acme", "=4", "acme=", "acme=-1", "acme=0", "acme=many", "acme=100000"):
        with pytest.raises(ValueError, match="account-shards"):
            account_shard_counts([bad])
