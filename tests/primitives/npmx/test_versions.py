"""npm's version picking: ranges, dist-tags, the preference for latest, prereleases, deprecations."""

from __future__ import annotations

import pytest

from dotdo.primitives.npmx import NpmResolveError, NpmSpecError
from dotdo.primitives.npmx.versions import Spec, parse_spec, pick


def packument(*versions: str, tags: dict[str, str] | None = None, deprecated: tuple[str, ...] = ()) -> dict:
    return {
        "name": "p",
        "dist-tags": tags or {"latest": versions[-1]},
        "versions": {v: {"version": v, **({"deprecated": "old"} if v in deprecated else {})} for v in versions},
    }


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        ("^1.0.0", "1.9.0"),
        ("~1.2.0", "1.2.5"),
        ("1.x", "1.9.0"),
        ("1.2.0 - 1.3.0", "1.2.5"),
        ("<1.2.0 || >=2.0.0", "2.0.0"),
        ("*", "2.0.0"),
        ("", "2.0.0"),
        ("latest", "2.0.0"),
        ("next", "3.0.0-rc.2"),
        ("^3.0.0-rc.1", "3.0.0-rc.2"),
        (">=2.0.0", "2.0.0"),
    ],
)
def test_pick(wanted: str, expected: str) -> None:
    doc = packument("1.0.0", "1.2.0", "1.2.5", "1.9.0", "3.0.0-rc.1", "3.0.0-rc.2", "2.0.0")
    doc["dist-tags"] = {"latest": "2.0.0", "next": "3.0.0-rc.2"}
    assert pick(doc, wanted)["version"] == expected


def test_latest_wins_over_a_newer_match() -> None:
    doc = packument("1.0.0", "1.1.0", "1.2.0", tags={"latest": "1.1.0"})
    assert pick(doc, "^1.0.0")["version"] == "1.1.0"


def test_deprecated_versions_are_picked_last() -> None:
    doc = packument("1.0.0", "1.1.0", tags={"latest": "1.1.0"}, deprecated=("1.1.0",))
    assert pick(doc, "^1.0.0")["version"] == "1.0.0"
    assert pick(packument("1.0.0", deprecated=("1.0.0",)), "^1")["version"] == "1.0.0"


def test_no_match_lists_versions() -> None:
    with pytest.raises(
        NpmResolveError, match=r"No matching version found for p@\^5; its versions end with 1\.0\.0, 2\.0\.0"
    ):
        pick(packument("1.0.0", "2.0.0"), "^5")


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("lodash", Spec("lodash", "latest")),
        ("lodash@^4.17", Spec("lodash", "^4.17")),
        ("@scope/pkg", Spec("@scope/pkg", "latest")),
        ("@scope/pkg@next", Spec("@scope/pkg", "next")),
        ("left-pad@1.3.0 - 1.4", Spec("left-pad", "1.3.0 - 1.4")),
    ],
)
def test_parse_spec(text: str, spec: Spec) -> None:
    assert parse_spec(text) == spec


@pytest.mark.parametrize("text", ["x@^^1", "x@>=>1", "UPPER CASE", "@scope", ".hidden", "x@1.2.3.4"])
def test_bad_specs(text: str) -> None:
    with pytest.raises(NpmSpecError):
        parse_spec(text)
