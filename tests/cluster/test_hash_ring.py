"""Consistent hashing: every key has one bucket, buckets fill evenly, growing moves the minimum."""

from __future__ import annotations

from collections import Counter

import pytest

from dotdo.cluster.hash_ring import HashRing, jump_hash, key_digest, rendezvous_hash

KEYS = [f"customer-{i}" for i in range(20_000)]


def test_the_digest_is_stable_across_runs_and_types() -> None:
    assert key_digest("acme") == key_digest("acme")
    assert key_digest("1") != key_digest(1)
    assert 0 <= key_digest("acme") < 2**64


RINGS = {16: HashRing(16), 17: HashRing(17)}


def ring_bucket(digest: int, count: int) -> int:
    return RINGS[count].bucket(digest)


@pytest.mark.parametrize("place", [jump_hash, rendezvous_hash, ring_bucket])
def test_going_from_16_to_17_buckets_moves_about_one_seventeenth(place) -> None:
    digests = [key_digest(key) for key in KEYS]
    moved = sum(place(d, 16) != place(d, 17) for d in digests)
    assert abs(moved / len(KEYS) - 1 / 17) < 0.02
    # Keys that move go to the new bucket only: the others stay where they were.
    assert all(place(d, 17) == 16 for d in digests if place(d, 16) != place(d, 17))


def test_jump_hash_spreads_keys_evenly() -> None:
    counts = Counter(jump_hash(key_digest(key), 16) for key in KEYS)
    assert sorted(counts) == list(range(16))
    mean = len(KEYS) / 16
    assert max(abs(c - mean) for c in counts.values()) / mean < 0.1


def test_bucket_counts_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least one bucket"):
        jump_hash(1, 0)
    with pytest.raises(ValueError, match="at least one bucket"):
        rendezvous_hash(1, 0)
    with pytest.raises(ValueError, match="at least one bucket"):
        HashRing(0)
