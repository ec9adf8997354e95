"""Property: `find` returns exactly what a Python filter over all things returns, in the same order.

The oracle below is the documented semantics written independently in Python: JSON-typed equality
(booleans are not numbers, a missing field equals None), `lt`/`gt` between numbers or between
texts only, `contains` for substrings and array members, `prefix` for text.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dotdo.graph import Things

MISSING = object()
KEYS = ["a", "b", "c"]

texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=6)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.integers(min_value=-5, max_value=5),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    texts,
    st.sampled_from(["", "a", "ab", "b", "Paris", "é"]),
)
values = st.one_of(scalars, st.lists(scalars, max_size=4), st.lists(texts, max_size=3))
documents = st.dictionaries(st.sampled_from([*KEYS, "n"]), values, max_size=4).flatmap(
    lambda doc: st.fixed_dictionaries({}, optional={"n": st.fixed_dictionaries({"x": scalars})}).map(
        lambda nested: {**doc, **nested}
    )
)
fields = st.sampled_from([*KEYS, "n.x", "missing"])
conditions = st.one_of(
    scalars,
    st.tuples(st.sampled_from(["eq", "ne"]), scalars),
    st.tuples(st.sampled_from(["lt", "lte", "gt", "gte"]), st.one_of(st.integers(-5, 5), st.floats(-5, 5), texts)),
    st.tuples(st.just("in"), st.lists(scalars, max_size=4)),
    st.tuples(st.just("contains"), scalars),
    st.tuples(st.just("prefix"), st.one_of(texts, st.sampled_from(["", "a", "P"]))),
)
wheres = st.dictionaries(fields, conditions, max_size=3).map(
    lambda where: {f: ({c[0]: c[1]} if isinstance(c, tuple) else c) for f, c in where.items()}
)


def reset(things: Things) -> None:
    things.count()
    things.storage.sql.exec("DELETE FROM things")


def lookup(data: dict[str, Any], field: str) -> Any:
    value: Any = data
    for segment in field.split("."):
        if not isinstance(value, dict) or segment not in value:
            return None
        value = value[segment]
    return value


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def equals(value: Any, operand: Any) -> bool:
    if operand is None:
        return value is None
    if isinstance(operand, bool):
        return value is operand
    if is_number(operand):
        return is_number(value) and value == operand
    if isinstance(operand, str):
        return isinstance(value, str) and value == operand
    return type(value) is type(operand) and value == operand


def holds(value: Any, op: str, operand: Any) -> bool:
    if op == "eq":
        return equals(value, operand)
    if op == "ne":
        return not equals(value, operand)
    if op == "in":
        return any(equals(value, item) for item in operand)
    if op == "contains":
        if isinstance(operand, str) and isinstance(value, str) and operand in value:
            return True
        return isinstance(value, list) and any(equals(item, operand) for item in value)
    if op == "prefix":
        return isinstance(value, str) and value.startswith(operand)
    if is_number(operand):
        if not is_number(value):
            return False
    elif not isinstance(value, str):
        return False
    return {"lt": value < operand, "lte": value <= operand, "gt": value > operand, "gte": value >= operand}[op]


def matches(data: dict[str, Any], where: dict[str, Any]) -> bool:
    for field, condition in where.items():
        value = lookup(data, field)
        ops = condition if isinstance(condition, dict) else {"eq": condition}
        if not all(holds(value, op, operand) for op, operand in ops.items()):
            return False
    return True


def sql_order_key(value: Any) -> tuple[int, Any]:
    """SQLite's order of json_extract results: NULL, then numbers (booleans as 0/1), then text."""
    if value is None:
        return (0, 0)
    if isinstance(value, bool | int | float):
        return (1, value)
    return (2, value.encode())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=st.lists(documents, min_size=0, max_size=12), where=wheres)
def test_find_equals_a_python_filter(things: Things, docs: list[dict[str, Any]], where: dict[str, Any]) -> None:
    reset(things)
    created = [things.create(type="P", data=doc) for doc in docs]
    expected = [t.id for t in created if matches(t.data, where)]
    assert [t.id for t in things.find("P", where=where)] == expected
    assert things.count("P", where=where) == len(expected)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    docs=st.lists(st.dictionaries(st.just("o"), scalars), max_size=10),
    descending=st.booleans(),
    page_size=st.integers(1, 4),
)
def test_ordered_pages_equal_a_python_sort(
    things: Things, docs: list[dict[str, Any]], descending: bool, page_size: int
) -> None:
    reset(things)
    created = [things.create(type="P", data=doc) for doc in docs]
    by_id = sorted(created, key=lambda t: t.id)
    ordered = sorted(by_id, key=lambda t: sql_order_key(t.data.get("o")), reverse=descending)
    if descending:
        # Ties keep ascending ids: a stable sort of the reverse-sorted groups.
        ordered = sorted(by_id, key=lambda t: _descending(sql_order_key(t.data.get("o"))))
    order_by = "-o" if descending else "o"
    assert [t.id for t in things.find("P", order_by=order_by)] == [t.id for t in ordered]
    seen, cursor = [], None
    while True:
        page = things.find_page("P", order_by=order_by, limit=page_size, cursor=cursor)
        seen.extend(t.id for t in page)
        if page.cursor is None:
            break
        cursor = page.cursor
    assert seen == [t.id for t in ordered]


class _descending:
    def __init__(self, key: tuple[int, Any]) -> None:
        self.key = key

    def __lt__(self, other: _descending) -> bool:
        return other.key < self.key
