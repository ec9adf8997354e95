"""The where-compiler: every operator, JSON typing, and hostile field names and values."""

from __future__ import annotations

import pytest

from dotdo.graph import InvalidFilterError, Things
from dotdo.graph.filters import Params, compile_where
from dotdo.runtime.storage import Storage


@pytest.fixture
def people(things: Things) -> Things:
    rows = [
        ("ann", {"age": 31, "city": "Paris", "tags": ["vip", "new"], "score": 1.5, "active": True}),
        ("bob", {"age": 25, "city": "Lyon", "tags": ["new"], "score": 2, "active": False}),
        ("cat", {"age": "31", "city": "Paris-Nord", "tags": [], "active": 1}),
        ("dan", {"city": None, "address": {"city": "Nice", "geo": {"lat": 43.7}}, "tags": [1, None, True]}),
        ("eve", {"age": 40, "name": "field named like a column", "nick": "évè ✓"}),
    ]
    for name, data in rows:
        things.create(type="Person", name=name, data=data)
    return things


def names(things: Things, where: dict) -> list[str]:
    return [t.name for t in things.find("Person", where=where)]


def test_eq_is_json_typed(people: Things) -> None:
    assert names(people, {"age": 31}) == ["ann"]
    assert names(people, {"age": "31"}) == ["cat"]
    assert names(people, {"age": 31.0}) == ["ann"]
    assert names(people, {"active": True}) == ["ann"]
    assert names(people, {"active": 1}) == ["cat"]
    assert names(people, {"score": 2}) == ["bob"]


def test_none_matches_missing_and_null(people: Things) -> None:
    assert names(people, {"city": None}) == ["dan", "eve"]
    assert names(people, {"city": {"ne": None}}) == ["ann", "bob", "cat"]


def test_ne_includes_things_without_the_field(people: Things) -> None:
    assert names(people, {"age": {"ne": 31}}) == ["bob", "cat", "dan", "eve"]


def test_comparisons_compare_like_with_like(people: Things) -> None:
    assert names(people, {"age": {"gt": 30}}) == ["ann", "eve"]
    assert names(people, {"age": {"gte": 25, "lt": 40}}) == ["ann", "bob"]
    assert names(people, {"age": {"lte": "4"}}) == ["cat"]
    assert names(people, {"city": {"lt": "Paris"}}) == ["bob"]


def test_in(people: Things) -> None:
    assert names(people, {"age": {"in": [25, 40, "31"]}}) == ["bob", "cat", "eve"]
    assert names(people, {"city": {"in": ["Lyon", None]}}) == ["bob", "dan", "eve"]
    assert names(people, {"age": {"in": []}}) == []
    assert names(people, {"tags": {"in": [["new"], []]}}) == ["bob", "cat"]


def test_contains_on_text_and_arrays(people: Things) -> None:
    assert names(people, {"city": {"contains": "aris"}}) == ["ann", "cat"]
    assert names(people, {"tags": {"contains": "new"}}) == ["ann", "bob"]
    assert names(people, {"tags": {"contains": None}}) == ["dan"]
    assert names(people, {"tags": {"contains": True}}) == ["dan"]
    assert names(people, {"tags": {"contains": 1}}) == ["dan"]
    assert names(people, {"nick": {"contains": "✓"}}) == ["eve"]


def test_prefix(people: Things) -> None:
    assert names(people, {"city": {"prefix": "Paris"}}) == ["ann", "cat"]
    assert names(people, {"nick": {"prefix": "év"}}) == ["eve"]
    assert names(people, {"city": {"prefix": ""}}) == ["ann", "bob", "cat"]


def test_dotted_paths_and_whole_objects(people: Things) -> None:
    assert names(people, {"address.city": "Nice"}) == ["dan"]
    assert names(people, {"address.geo.lat": {"gt": 40}}) == ["dan"]
    assert names(people, {"address": {"eq": {"geo": {"lat": 43.7}, "city": "Nice"}}}) == ["dan"]


def test_columns_and_the_data_prefix(people: Things) -> None:
    assert names(people, {"name": {"in": ["ann", "eve"]}}) == ["ann", "eve"]
    assert names(people, {"data.name": {"prefix": "field"}}) == ["eve"]
    assert names(people, {"version": 1, "type": "Person"}) == ["ann", "bob", "cat", "dan", "eve"]


def test_several_fields_are_anded(people: Things) -> None:
    assert names(people, {"city": {"prefix": "Paris"}, "age": 31}) == ["ann"]


@pytest.mark.parametrize(
    "where, message",
    [
        ({"age": {"gt": None}}, "compares numbers or text"),
        ({"age": {"gt": [1]}}, "compares numbers or text"),
        ({"age": {"between": [1, 2]}}, "unknown operator"),
        ({"address": {"city": "Nice"}}, "dotted name"),
        ({"age": {}}, "unknown operator"),
        ({"age": {"in": 5}}, "list of values"),
        ({"age": {"in": "abc"}}, "list of values"),
        ({"city": {"prefix": 1}}, "takes text"),
        ({"a..b": 1}, "empty segment"),
        ({'a"b': 1}, "contains"),
        ({1: 1}, "Field names are text"),
        ({"age": float("nan")}, "not a JSON number"),
        ({"age": 2**70}, "64 bits"),
        (["age", 1], "must be a dict"),
    ],
)
def test_bad_filters_get_clear_errors(people: Things, where, message: str) -> None:
    with pytest.raises(InvalidFilterError, match=message):
        people.find("Person", where=where)


@pytest.mark.parametrize("order_by", [5, "", "-", ["age", 3], 'a"b'])
def test_bad_order_by_gets_clear_errors(people: Things, order_by) -> None:
    with pytest.raises(InvalidFilterError):
        people.find("Person", order_by=order_by)


HOSTILE = [
    "x'); DROP TABLE things; --",
    "name = 'ann' OR 1=1 --",
    "$.age') OR 1=1 --",
    "age] OR 1",
    "* ",
    "'",
    "\\",
]


@pytest.mark.parametrize("field", HOSTILE)
def test_injection_in_field_names_matches_nothing_and_harms_nothing(people: Things, field: str) -> None:
    assert people.find("Person", where={field: 1}) == []
    assert people.find("Person", where={field: {"ne": "x"}}) != []
    assert people.find("Person", order_by=field) != []
    assert people.count("Person") == 5


@pytest.mark.parametrize("value", HOSTILE)
def test_injection_in_values_is_only_a_value(people: Things, value: str) -> None:
    for op in ("eq", "contains", "prefix", "lt"):
        people.find("Person", where={"city": {op: value}})
    assert people.find("Person", where={"city": {"in": [value, "Lyon"]}})[0].name == "bob"
    assert people.count("Person") == 5


def test_injection_in_the_type_is_refused(people: Things) -> None:
    with pytest.raises(ValueError, match="not valid"):
        people.find("Person' OR 1=1 --")
    assert people.count() == 5


def test_compiled_sql_holds_no_values_or_field_names() -> None:
    params = Params()
    sql = compile_where({"secret'field": {"eq": "secret'value", "contains": "x"}}, params, "t.data")
    assert "secret" not in sql
    assert "secret'value" in params.values


def test_filters_see_documents_stored_in_chunks(storage: Storage) -> None:
    small_rows = Things(storage, row_limit=64)
    small_rows.create(type="Doc", name="big", body="ünï" * 500, size=3, tags=["x"] * 40)
    small_rows.create(type="Doc", name="small", body="short", size=1)
    assert [t.name for t in small_rows.find("Doc", where={"body": {"contains": "ïü"}})] == ["big"]
    assert [t.name for t in small_rows.find("Doc", order_by="-size")] == ["big", "small"]
    assert small_rows.count("Doc", where={"tags": {"contains": "x"}}) == 1
