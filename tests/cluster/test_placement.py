"""Rendezvous placement: deterministic, spread, and only a departed host's objects move."""

from collections import Counter

import pytest

from dotdo.cluster.placement import HostInfo, PlacementView, rendezvous_owner

HOSTS = ["host-0", "host-1", "host-2"]
KEYS = [("Counter", f"{i:064x}") for i in range(3000)]


def test_every_caller_computes_the_same_owner_whatever_the_host_order() -> None:
    for namespace, hex_id in KEYS[:200]:
        assert rendezvous_owner(namespace, hex_id, HOSTS) == rendezvous_owner(namespace, hex_id, reversed(HOSTS))


def test_objects_spread_over_the_hosts() -> None:
    counts = Counter(rendezvous_owner(ns, hex_id, HOSTS) for ns, hex_id in KEYS)
    assert set(counts) == set(HOSTS)
    assert min(counts.values()) > len(KEYS) / len(HOSTS) * 0.8


def test_when_a_host_leaves_only_its_objects_move() -> None:
    before = {key: rendezvous_owner(*key, HOSTS) for key in KEYS}
    after = {key: rendezvous_owner(*key, ["host-0", "host-2"]) for key in KEYS}
    moved = {key for key in KEYS if before[key] != after[key]}
    assert moved == {key for key in KEYS if before[key] == "host-1"}


def test_a_pin_overrides_the_hash_while_its_host_lives() -> None:
    hosts = {h: HostInfo(h, ("127.0.0.1", 1), 1) for h in HOSTS}
    key = KEYS[0]
    hashed = rendezvous_owner(*key, HOSTS)
    other = next(h for h in HOSTS if h != hashed)
    assert PlacementView(1, hosts, {key: other}).owner(*key) == other
    survivors = {h: info for h, info in hosts.items() if h != other}
    assert PlacementView(2, survivors, {key: other}).owner(*key) == rendezvous_owner(*key, survivors)


def test_no_live_host_is_a_clear_error() -> None:
    with pytest.raises(LookupError, match="no live host"):
        PlacementView().owner(*KEYS[0])
