"""The settings of one search index, with their defaults and checks (Meilisearch's names, which the others map to).

`searchableAttributes` decide what the full-text index holds (a change re-indexes every document);
`filterableAttributes` and `sortableAttributes` what filters and sorts may name; `rankingRules` the
order of the relevance buckets (`words`, `typo`, `sort`, `field:asc|desc`; `proximity`,
`attributeRank`, `wordPosition` (or the older `attribute`) and `exactness` are served by BM25's score,
which breaks every remaining tie). `facetSearch` allows searching facet values, `prefixSearch`
(`indexingTime` or `disabled`) whether a query's last word matches as a prefix.
"""

from __future__ import annotations

import copy
import re
from typing import Any

DEFAULT_RANKING_RULES = ["words", "typo", "proximity", "attributeRank", "sort", "wordPosition", "exactness"]
BUILT_IN_RULES = {*DEFAULT_RANKING_RULES, "attribute"}
"""Meilisearch's rules; `attribute` is the older name of `attributeRank` and `wordPosition` together."""
PREFIX_SEARCH_MODES = ("indexingTime", "disabled")
_CUSTOM_RULE = re.compile(r"([^:\s]+):(asc|desc)")

DEFAULTS: dict[str, Any] = {
    "displayedAttributes": ["*"],
    "searchableAttributes": ["*"],
    "filterableAttributes": [],
    "sortableAttributes": [],
    "rankingRules": DEFAULT_RANKING_RULES,
    "stopWords": [],
    "nonSeparatorTokens": [],
    "separatorTokens": [],
    "dictionary": [],
    "synonyms": {},
    "distinctAttribute": None,
    "proximityPrecision": "byWord",
    "typoTolerance": {
        "enabled": True,
        "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9},
        "disableOnWords": [],
        "disableOnAttributes": [],
    },
    "faceting": {"maxValuesPerFacet": 100, "sortFacetValuesBy": {"*": "alpha"}},
    "pagination": {"maxTotalHits": 1000},
    "searchCutoffMs": None,
    "facetSearch": True,
    "prefixSearch": "indexingTime",
    "localizedAttributes": None,
}


class SettingsError(ValueError):
    """A setting with a wrong value: `setting` names it."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(message)
        self.setting = setting


def defaults() -> dict[str, Any]:
    """A fresh copy of every setting at its default."""
    return copy.deepcopy(DEFAULTS)


def _strings(name: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SettingsError(name, f"`{name}` must be an array of strings, not {value!r}")
    return list(value)


def _check(name: str, value: Any) -> Any:
    if name in ("displayedAttributes", "searchableAttributes", "filterableAttributes", "sortableAttributes"):
        return _strings(name, value)
    if name in ("stopWords", "nonSeparatorTokens", "separatorTokens", "dictionary"):
        return sorted(set(_strings(name, value)))
    if name == "rankingRules":
        rules = _strings(name, value)
        for rule in rules:
            if rule not in BUILT_IN_RULES and not _CUSTOM_RULE.fullmatch(rule):
                raise SettingsError(
                    name,
                    f"`{rule}` ranking rule is invalid: use words, typo, proximity, attributeRank, sort, "
                    "wordPosition, exactness or attribute:asc / attribute:desc",
                )
        return rules
    if name == "synonyms":
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, list) and all(isinstance(s, str) for s in v) for k, v in value.items()
        ):
            raise SettingsError(name, "`synonyms` must map each word to an array of strings")
        return value
    if name == "distinctAttribute":
        if value is not None and not isinstance(value, str):
            raise SettingsError(name, "`distinctAttribute` must be a string or null")
        return value
    if name in ("typoTolerance", "faceting", "pagination"):
        if not isinstance(value, dict):
            raise SettingsError(name, f"`{name}` must be an object")
        merged = copy.deepcopy(DEFAULTS[name])
        for key, item in value.items():
            if key not in merged:
                raise SettingsError(name, f"unknown field `{key}` in `{name}`: expected one of {', '.join(merged)}")
            if isinstance(merged[key], dict) and isinstance(item, dict):
                merged[key].update(item)
            elif item is not None:
                merged[key] = item
        if name == "typoTolerance":
            sizes = merged["minWordSizeForTypos"]
            if not all(isinstance(sizes.get(k), int) for k in ("oneTypo", "twoTypos")) or (
                sizes["oneTypo"] > sizes["twoTypos"]
            ):
                raise SettingsError(name, "`minWordSizeForTypos.oneTypo` must be an integer <= `twoTypos`")
        return merged
    if name == "proximityPrecision":
        if value not in ("byWord", "byAttribute"):
            raise SettingsError(name, "`proximityPrecision` must be byWord or byAttribute")
        return value
    if name == "facetSearch":
        if not isinstance(value, bool):
            raise SettingsError(name, "`facetSearch` must be true or false")
        return value
    if name == "prefixSearch":
        if value not in PREFIX_SEARCH_MODES:
            raise SettingsError(name, "`prefixSearch` must be indexingTime or disabled")
        return value
    if name == "localizedAttributes":
        if not isinstance(value, list) or not all(
            isinstance(rule, dict)
            and set(rule) <= {"attributePatterns", "locales"}
            and all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in rule.values())
            for rule in value
        ):
            raise SettingsError(name, "`localizedAttributes` must be an array of {attributePatterns, locales} objects")
        return [{"attributePatterns": r.get("attributePatterns", []), "locales": r.get("locales", [])} for r in value]
    if name == "searchCutoffMs":
        if value is not None and (not isinstance(value, int) or value < 0):
            raise SettingsError(name, "`searchCutoffMs` must be a positive integer or null")
        return value
    raise SettingsError(name, f"unknown setting `{name}`; expected one of {', '.join(DEFAULTS)}")


def merged(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """`current` with `changes` applied (a null value resets that setting); `SettingsError` if one is wrong."""
    if not isinstance(changes, dict):
        raise SettingsError("settings", "settings must be a JSON object")
    result = copy.deepcopy(current)
    for name, value in changes.items():
        if name not in DEFAULTS:
            raise SettingsError(name, f"unknown setting `{name}`; expected one of {', '.join(DEFAULTS)}")
        result[name] = copy.deepcopy(DEFAULTS[name]) if value is None else _check(name, value)
    return result


def custom_rule(rule: str) -> tuple[str, bool] | None:
    """(attribute, ascending) of a ranking rule `attribute:asc|desc`, None for a built-in rule."""
    match = _CUSTOM_RULE.fullmatch(rule)
    return (match.group(1), match.group(2) == "asc") if match and rule not in BUILT_IN_RULES else None
