"""Stripe's search endpoints (`GET /v1/customers/search?query=…`) and their query language.

A query is clauses joined by `AND` or by `OR` (not both): `field:value` (exact, case-insensitive for
text), `field~value` (contains, three characters at least), `field>value`, `<`, `>=`, `<=` (numbers),
a leading `-` to negate, `metadata['key']:'value'`, and `field:null`. Text values are quoted with
`'` or `"`; numbers are bare. Each resource allows its own fields, as Stripe documents them. Results
come newest first, `limit` at a time, with an opaque `page` token for the next page;
`expand[]=total_count` adds the number of matches.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, replace
from typing import Any

from ..openapi import ApiAccount, ApiCall, ApiError, Handler, Reply
from .resources import Kind, reply

MAX_CLAUSES = 10
SEARCHED = 10_000
"""The newest resources of a kind a search looks through."""
_CLAUSE = re.compile(
    r"""\s*(?P<negate>-)?(?:metadata\[(?P<q>['"])(?P<key>.*?)(?P=q)\]|(?P<field>[a-z_][a-z0-9_.]*))"""
    r"""(?P<op>:|~|>=|<=|>|<)(?P<value>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|null)\s*"""
)
_JOINER = re.compile(r"(AND|OR)\s+")


@dataclass(frozen=True)
class Clause:
    """One condition of a query: a field (or a metadata key), an operator, a value, maybe negated."""

    path: tuple[str, ...]
    op: str
    value: Any
    negate: bool


def parse(query: str, fields: frozenset[str]) -> tuple[str, list[Clause]]:
    """The joiner (`AND`/`OR`) and the clauses of `query`; `ApiError` naming what is wrong otherwise."""
    clauses: list[Clause] = []
    joiners: set[str] = set()
    position = 0
    while True:
        match = _CLAUSE.match(query, position)
        if match is None:
            raise _invalid(query, position)
        clauses.append(_clause(match, fields))
        position = match.end()
        if position == len(query):
            break
        joiner = _JOINER.match(query, position)
        if joiner is None:
            raise _invalid(query, position)
        joiners.add(joiner.group(1))
        position = joiner.end()
    if len(joiners) > 1:
        raise ApiError(400, "Search queries cannot mix AND and OR.", param="query")
    if len(clauses) > MAX_CLAUSES:
        raise ApiError(400, f"Search queries have at most {MAX_CLAUSES} clauses.", param="query")
    return (joiners.pop() if joiners else "AND"), clauses


def _invalid(query: str, position: int) -> ApiError:
    return ApiError(
        400,
        f"Invalid search query at character {position + 1} of {query!r}: expected a clause such as "
        "`email:'ada@example.com'`, joined by AND or OR.",
        param="query",
    )


def _clause(match: re.Match[str], fields: frozenset[str]) -> Clause:
    field, op, raw = match.group("field"), match.group("op"), match.group("value")
    if field is not None and field not in fields:
        allowed = ", ".join(sorted(fields | {"metadata"}))
        raise ApiError(400, f"Field `{field}` is an unsupported search field; use one of: {allowed}.", param="query")
    path = ("metadata", match.group("key")) if field is None else tuple(field.split("."))
    value: Any
    if raw == "null":
        value = None
    elif raw[0] in "'\"":
        value = re.sub(r"\\(.)", r"\1", raw[1:-1])
    else:
        value = float(raw) if "." in raw else int(raw)
    if op == "~" and (not isinstance(value, str) or len(value) < 3):
        raise ApiError(400, "A substring search (`~`) needs a quoted value of three characters or more.", param="query")
    if op in (">", "<", ">=", "<=") and not isinstance(value, int | float):
        raise ApiError(400, f"`{op}` compares numbers; give a number without quotes.", param="query")
    return Clause(path, op, value, bool(match.group("negate")))


def _value_at(resource: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = resource
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _holds(clause: Clause, resource: dict[str, Any]) -> bool:
    found = _value_at(resource, clause.path)
    wanted = clause.value
    if clause.op == ":":
        if wanted is None:
            result = found is None
        elif isinstance(found, bool):
            result = str(wanted).lower() == str(found).lower()
        elif isinstance(found, str) or isinstance(wanted, str):
            result = found is not None and str(found).lower() == str(wanted).lower()
        else:
            result = found == wanted
    elif clause.op == "~":
        result = isinstance(found, str) and str(wanted).lower() in found.lower()
    else:
        number = found if isinstance(found, int | float) and not isinstance(found, bool) else None
        comparisons = {">": number is not None and number > wanted, "<": number is not None and number < wanted}
        comparisons[">="] = number is not None and number >= wanted
        comparisons["<="] = number is not None and number <= wanted
        result = comparisons[clause.op]
    return result != clause.negate


def _offset(page: Any) -> int:
    if page in (None, ""):
        return 0
    try:
        text = base64.urlsafe_b64decode(str(page).encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    if not text.startswith("offset:") or not text[7:].isdigit():
        raise ApiError(400, "Invalid page: use the next_page of a previous search.", param="page")
    return int(text[7:])


def searcher(kind: Kind, fields: str) -> Handler:
    """The handler of `kind`'s search endpoint, allowing the space-separated `fields` (and metadata)."""
    allowed = frozenset(fields.split())

    async def search(account: ApiAccount, call: ApiCall) -> Reply:
        params = call.params
        limit = params.get("limit", 10)
        if not isinstance(limit, int) or not 1 <= limit <= 100:
            raise ApiError(400, "Invalid limit: must be between 1 and 100", param="limit")
        joiner, clauses = parse(str(params.get("query", "")), allowed)
        combine = all if joiner == "AND" else any
        start = _offset(params.get("page"))
        candidates, _ = await account.page(kind.name, limit=SEARCHED)
        matches = [resource for resource in candidates if combine(_holds(clause, resource) for clause in clauses)]
        page = matches[start : start + limit]
        more = start + limit < len(matches)
        next_page = base64.urlsafe_b64encode(f"offset:{start + limit}".encode()).decode() if more else None
        result = {"object": "search_result", "data": page, "has_more": more, "next_page": next_page}
        result["url"] = f"{kind.url}/search"
        expand = list(params.get("expand") or [])
        if "total_count" in expand:
            # Left out unless asked for, as Stripe does: counting costs a pass over every match.
            result["total_count"] = len(matches)
            expand.remove("total_count")
        return await reply(account, replace(call, query={**call.query, "expand": expand}, body={}), result)

    return search
