"""Colos and regions: every code, city, region and hint resolves; anything else is refused with suggestions."""

import pytest

from dotdo.cluster.location import COLOS, REGIONS, Location, UnknownLocationError, normalize_location


def test_the_table_has_24_colos_in_9_regions_with_cloudflare_hints() -> None:
    assert len(COLOS) == 24
    assert sorted(REGIONS.values()) == sorted(["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"])
    assert {region for _, region in COLOS.values()} <= set(REGIONS)


def test_a_city_a_code_and_any_case_name_the_same_colo() -> None:
    tokyo = Location(region="asia-pacific", hint="apac", colo="nrt", city="Tokyo")
    assert normalize_location("Tokyo") == tokyo
    assert normalize_location("NRT") == tokyo
    assert normalize_location("  tokyo ") == tokyo
    assert normalize_location("sao paulo") == normalize_location("São Paulo") == normalize_location("gru")


@pytest.mark.parametrize("colo", sorted(COLOS))
def test_every_colo_resolves_by_code_and_by_city(colo: str) -> None:
    city, region = COLOS[colo]
    by_code = normalize_location(colo.upper())
    assert by_code == normalize_location(city.lower())
    assert (by_code.colo, by_code.city, by_code.region, by_code.hint) == (colo, city, region, REGIONS[region])


def test_a_region_or_its_hint_names_the_whole_region() -> None:
    for region, hint in REGIONS.items():
        whole = normalize_location(region.upper())
        assert whole == normalize_location(hint) == Location(region=region, hint=hint)
        assert whole.colo is None
    assert normalize_location("Western Europe").region == "eu-west"
    assert normalize_location("eu-west").contains(normalize_location("London"))
    assert not normalize_location("eu-west").contains(normalize_location("Tokyo"))


def test_placement_labels_name_the_region_and_the_colo() -> None:
    assert normalize_location("fra").labels == {"region": "eu-central", "hint": "eeur", "colo": "fra"}
    assert normalize_location("oc").labels == {"region": "oceania", "hint": "oc"}


def test_an_unknown_place_lists_close_matches() -> None:
    with pytest.raises(UnknownLocationError, match=r"'Tokio'.*did you mean 'Tokyo'"):
        normalize_location("Tokio")
    with pytest.raises(UnknownLocationError, match=r"did you mean.*'eu-west'"):
        normalize_location("eu-wst")
    with pytest.raises(UnknownLocationError, match=r"region \(us-west"):
        normalize_location("Atlantis")
    with pytest.raises(TypeError):
        normalize_location(42)  # type: ignore[arg-type]


def test_a_hand_built_location_must_match_the_table() -> None:
    with pytest.raises(UnknownLocationError, match="normalize_location"):
        Location(region="asia-pacific", hint="weur")
    with pytest.raises(UnknownLocationError, match="not a colo of region"):
        Location(region="eu-west", hint="weur", colo="nrt", city="Tokyo")
