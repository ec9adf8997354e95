"""Walking plain data the way a peer may: keys, indexes (also as digit strings), length."""

from __future__ import annotations

import pytest

from dotdo.rpc import UNDEFINED
from dotdo.rpc.access import call_local, get_property


def test_dict_keys_and_missing_keys() -> None:
    assert get_property({"a": 1}, "a") == 1
    assert get_property({"a": 1}, "b") is UNDEFINED


def test_list_indexes_and_length() -> None:
    assert get_property(["x", "y"], 1) == "y"
    assert get_property(["x", "y"], "1") == "y"
    assert get_property(["x", "y"], 5) is UNDEFINED
    assert get_property(["x", "y"], "length") == 2
    assert get_property("abc", "length") == 3


@pytest.mark.parametrize(
    ("value", "key"), [(None, "a"), (UNDEFINED, "a"), (5, "real"), ("s", "upper"), ([1], "-1"), ([1], "pop")]
)
def test_other_access_is_a_type_error(value, key) -> None:
    with pytest.raises(TypeError, match="Cannot read property"):
        get_property(value, key)


async def test_call_local_awaits_and_lets_defaults_apply_for_undefined() -> None:
    async def add(a: int, b: int = 10) -> int:
        return a + b

    assert await call_local(add, [1, UNDEFINED], name="add") == 11
    assert await call_local(add, [1, 2], name="add") == 3
    with pytest.raises(TypeError, match="'data' is not a function"):
        await call_local({"a": 1}, [], name="data")


def test_declared_fields_of_models_and_dataclasses_are_walkable() -> None:
    import dataclasses

    import pydantic

    @dataclasses.dataclass
    class Point:
        x: int

    class User(pydantic.BaseModel):
        name: str

    assert get_property(Point(3), "x") == 3
    assert get_property(User(name="Ann"), "name") == "Ann"
    with pytest.raises(TypeError):
        get_property(User(name="Ann"), "model_dump")
    with pytest.raises(TypeError):
        get_property(Point(3), "__dataclass_fields__")
