"""Rendezvous placement: deterministic, spread, and only a departed host's objects move."""

from collections import Counter

import pytest

from dotdo.cluster.location import normalize_location
from dotdo.cluster.placement import HostInfo, PlacementError, PlacementView, rendezvous_owner, requirement

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


def _labelled(**labels: str) -> dict[str, HostInfo]:
    return {h: HostInfo(h, ("127.0.0.1", 1), 1, frozenset(filter(None, [label]))) for h, label in labels.items()}


def test_a_class_hint_keeps_its_objects_on_matching_hosts_and_spreads_them_there() -> None:
    hosts = _labelled(**{"host-0": "region:us-east", "host-1": "region:eu-west", "host-2": "region:eu-west"})
    view = PlacementView(1, hosts, class_placements={"Counter": ("region:eu-west",)})
    owners = Counter(view.owner("Counter", hex_id) for _ns, hex_id in KEYS[:600])
    assert set(owners) == {"host-1", "host-2"}
    # Classes without a hint still use every host.
    assert {view.owner("Other", hex_id) for _ns, hex_id in KEYS[:200]} == set(HOSTS)


def test_an_object_hint_overrides_its_class_hint_and_a_pin_overrides_both() -> None:
    hosts = _labelled(**{"host-0": "region:us-east", "host-1": "region:eu-west", "host-2": ""})
    key = KEYS[0]
    view = PlacementView(
        1, hosts, class_placements={"Counter": ("region:eu-west",)}, object_placements={key: ("region:us-east",)}
    )
    assert view.owner(*key) == "host-0"
    assert view.owner(*KEYS[1]) == "host-1"
    pinned = PlacementView(1, hosts, pins={key: "host-2"}, object_placements={key: ("region:us-east",)})
    assert pinned.owner(*key) == "host-2"


def test_a_hint_no_live_host_matches_is_a_clear_error() -> None:
    hosts = _labelled(**{"host-0": "region:us-east"})
    view = PlacementView(1, hosts, class_placements={"Counter": ("region:eu-west",)})
    with pytest.raises(PlacementError, match=r"No live host matches the placement region:eu-west of Counter .*"
                       r"host-0: region:us-east.*ray start --resources"):  # fmt: skip
        view.owner(*KEYS[0])


def test_hints_are_labels() -> None:
    assert requirement(None) == ()
    assert requirement("region:eu-west") == ("region:eu-west",)
    assert requirement(["zone:b", "region:eu-west", "zone:b"]) == ("region:eu-west", "zone:b")
    for bad in ("", " region:eu", [3]):
        with pytest.raises(PlacementError, match="A placement hint is a label"):
            requirement(bad)  # type: ignore[arg-type]


def test_a_location_places_by_its_colo_or_its_region() -> None:
    assert requirement(normalize_location("London")) == ("colo:lhr",)
    assert requirement(normalize_location("apac")) == ("region:asia-pacific",)
    assert requirement([normalize_location("eu-west"), "tier:gold"]) == ("region:eu-west", "tier:gold")
    hosts = {
        "host-0": HostInfo("host-0", ("127.0.0.1", 1), 1, frozenset({"region:us-east", "colo:iad"})),
        "host-1": HostInfo("host-1", ("127.0.0.1", 1), 1, frozenset({"region:eu-west", "colo:lhr"})),
        "host-2": HostInfo("host-2", ("127.0.0.1", 1), 1, frozenset({"region:eu-west", "colo:fra"})),
    }
    view = PlacementView(1, hosts, class_placements={"Counter": requirement(normalize_location("Frankfurt"))})
    assert {view.owner("Counter", hex_id) for _ns, hex_id in KEYS[:50]} == {"host-2"}
    by_region = PlacementView(1, hosts, class_placements={"Counter": requirement(normalize_location("weur"))})
    assert {by_region.owner("Counter", hex_id) for _ns, hex_id in KEYS[:200]} == {"host-1", "host-2"}
