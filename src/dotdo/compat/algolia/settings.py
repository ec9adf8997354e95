"""Algolia's index settings: their defaults, their checks, and the search core's settings they become.

`searchableAttributes` (`unordered(title)` and `"title,subtitle"` name attributes too) decide what the
full-text index holds; `ranking` with `customRanking` (`desc(popularity)`) becomes the core's ranking
rules (`typo`, `words`, BM25 for `proximity`, `attribute` and `exact`, then `popularity:desc`);
`typoTolerance` with `minWordSizefor1Typo`/`minWordSizefor2Typos` its typo tolerance. The others are
read by the layer itself when it searches and shows hits.
"""

from __future__ import annotations

import copy
import re
from typing import Any

DEFAULT_RANKING = ["typo", "geo", "words", "filters", "proximity", "attribute", "exact", "custom"]
DEFAULTS: dict[str, Any] = {
    "searchableAttributes": None,
    "attributesForFaceting": None,
    "ranking": DEFAULT_RANKING,
    "customRanking": None,
    "attributesToRetrieve": None,
    "unretrievableAttributes": None,
    "attributesToHighlight": None,
    "highlightPreTag": "<em>",
    "highlightPostTag": "</em>",
    "hitsPerPage": 20,
    "paginationLimitedTo": 1000,
    "maxValuesPerFacet": 100,
    "typoTolerance": True,
    "minWordSizefor1Typo": 4,
    "minWordSizefor2Typos": 8,
    "disableTypoToleranceOnWords": None,
    "queryType": "prefixLast",
    "removeWordsIfNoResults": "none",
    "attributeForDistinct": None,
    "distinct": False,
    "userData": None,
}
_STRING_LISTS = {
    "searchableAttributes",
    "attributesForFaceting",
    "customRanking",
    "attributesToRetrieve",
    "unretrievableAttributes",
    "attributesToHighlight",
    "disableTypoToleranceOnWords",
}
_ORDER = re.compile(r"(asc|desc)\((.+)\)")
_MODIFIER = re.compile(r"(?:unordered|searchable|filterOnly|afterDistinct)\((.+)\)")
IGNORED = {"replicas", "forwardToReplicas"}
"""Settings accepted only when empty (replicas are not served)."""


class AlgoliaSettingsError(ValueError):
    """A setting with a wrong value; the message names it."""


def _check(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in _STRING_LISTS:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise AlgoliaSettingsError(f"Invalid value for {name}: expected an array of strings")
        if name == "customRanking" and not all(_ORDER.fullmatch(v) for v in value):
            raise AlgoliaSettingsError(
                "Invalid value for customRanking: each entry must be asc(attribute) or desc(attribute)"
            )
        return list(value)
    if name == "ranking":
        if not isinstance(value, list) or not all(
            isinstance(v, str) and (v in DEFAULT_RANKING or _ORDER.fullmatch(v)) for v in value
        ):
            raise AlgoliaSettingsError(
                f"Invalid value for ranking: use {', '.join(DEFAULT_RANKING)}, asc(attribute) or desc(attribute)"
            )
        return list(value)
    if name in (
        "hitsPerPage",
        "paginationLimitedTo",
        "maxValuesPerFacet",
        "minWordSizefor1Typo",
        "minWordSizefor2Typos",
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise AlgoliaSettingsError(f"Invalid value for {name}: expected a non-negative integer")
        return value
    if name in ("highlightPreTag", "highlightPostTag", "attributeForDistinct"):
        if not isinstance(value, str):
            raise AlgoliaSettingsError(f"Invalid value for {name}: expected a string")
        return value
    if name == "typoTolerance":
        if value not in (True, False, "true", "false", "min", "strict"):
            raise AlgoliaSettingsError("Invalid value for typoTolerance: use true, false, min or strict")
        return value
    if name == "queryType":
        if value not in ("prefixLast", "prefixNone", "prefixAll"):
            raise AlgoliaSettingsError("Invalid value for queryType: use prefixLast, prefixNone or prefixAll")
        return value
    if name == "removeWordsIfNoResults":
        if value not in ("none", "lastWords", "firstWords", "allOptional"):
            raise AlgoliaSettingsError("Invalid value for removeWordsIfNoResults")
        return value
    if name == "distinct":
        if not isinstance(value, bool | int):
            raise AlgoliaSettingsError("Invalid value for distinct: expected a boolean or an integer")
        return value
    return value


def merged(current: dict[str, Any], changes: Any) -> dict[str, Any]:
    """`current` (the settings an index was given) with `changes`; `AlgoliaSettingsError` if one is wrong."""
    if not isinstance(changes, dict):
        raise AlgoliaSettingsError("Invalid settings: expected a JSON object")
    result = copy.deepcopy(current)
    for name, value in changes.items():
        if name in IGNORED:
            if value:
                raise AlgoliaSettingsError(f"{name} is not supported by this server")
            continue
        if name not in DEFAULTS:
            raise AlgoliaSettingsError(
                f"Unknown or unsupported setting: {name}; supported: {', '.join(sorted(DEFAULTS))}"
            )
        result[name] = _check(name, value)
    sizes = effective(result)
    if sizes["minWordSizefor1Typo"] > sizes["minWordSizefor2Typos"]:
        raise AlgoliaSettingsError("minWordSizefor1Typo must be less than or equal to minWordSizefor2Typos")
    return {name: value for name, value in result.items() if value is not None}


def effective(settings: dict[str, Any]) -> dict[str, Any]:
    """Every setting: those given, the defaults for the rest."""
    return {**copy.deepcopy(DEFAULTS), **{k: v for k, v in settings.items() if v is not None}}


def attribute_names(entries: list[str] | None) -> list[str]:
    """The attributes named by `searchableAttributes` or `attributesForFaceting` entries, modifiers removed."""
    names: list[str] = []
    for entry in entries or []:
        for part in entry.split(","):
            part = part.strip()
            match = _MODIFIER.fullmatch(part)
            names.append(match.group(1) if match else part)
    return [name for name in dict.fromkeys(names) if name]


def facet_names(entries: list[str] | None) -> list[str]:
    """The attributes of `attributesForFaceting` whose values are counted (not those marked `filterOnly`)."""
    return attribute_names([entry for entry in entries or [] if not entry.strip().startswith("filterOnly(")])


def core_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """The search core's settings for these Algolia settings."""
    full = effective(settings)
    rules: list[str] = []
    for criterion in full["ranking"]:
        order = _ORDER.fullmatch(criterion)
        if order:
            rules.append(f"{order.group(2)}:{order.group(1)}")
        elif criterion == "custom":
            for entry in full["customRanking"] or []:
                custom = _ORDER.fullmatch(entry)
                assert custom is not None
                rules.append(f"{custom.group(2)}:{custom.group(1)}")
        elif criterion in ("typo", "words", "proximity", "attribute"):
            rules.append(criterion)
        elif criterion == "exact":
            rules.append("exactness")
    typo = full["typoTolerance"]
    return {
        "searchableAttributes": attribute_names(full["searchableAttributes"]) or ["*"],
        "rankingRules": list(dict.fromkeys(rules)),
        "typoTolerance": {
            "enabled": typo not in (False, "false"),
            "minWordSizeForTypos": {"oneTypo": full["minWordSizefor1Typo"], "twoTypos": full["minWordSizefor2Typos"]},
            "disableOnWords": full["disableTypoToleranceOnWords"] or [],
        },
        "distinctAttribute": full["attributeForDistinct"] if full["distinct"] else None,
        "faceting": {"maxValuesPerFacet": 1_000_000},
    }
