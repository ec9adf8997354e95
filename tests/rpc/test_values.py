"""UNDEFINED, BigInt and TypedArray."""

from __future__ import annotations

import array
import copy
import pickle

import pytest

from dotdo.rpc import UNDEFINED, BigInt, TypedArray
from dotdo.rpc.values import Undefined


def test_undefined_is_a_falsy_singleton() -> None:
    assert Undefined() is UNDEFINED
    assert not UNDEFINED
    assert UNDEFINED is not None
    assert copy.deepcopy(UNDEFINED) is UNDEFINED
    assert pickle.loads(pickle.dumps(UNDEFINED)) is UNDEFINED


def test_bigint_is_an_int() -> None:
    value = BigInt(12)
    assert value == 12 and value + 1 == 13 and repr(value) == "BigInt(12)"


def test_typed_array_checks_kind_and_length() -> None:
    with pytest.raises(ValueError, match="Unknown byte container"):
        TypedArray("Int24Array", b"")
    with pytest.raises(ValueError, match="whole number of Int32Array"):
        TypedArray("Int32Array", b"\x00\x00\x00")


def test_typed_array_converts_to_and_from_array_array() -> None:
    values = array.array("h", [1, -2, 300])
    typed = TypedArray.from_array(values)
    assert typed.kind == "Int16Array" and typed.data == b"\x01\x00\xfe\xff\x2c\x01"
    assert typed.to_array() == values
    with pytest.raises(TypeError, match=r"read \.data"):
        TypedArray("ArrayBuffer", b"\x00").to_array()
