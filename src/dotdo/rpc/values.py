"""Python types for Cap'n Web values that have no exact built-in Python equivalent.

`UNDEFINED` stands for JavaScript's `undefined` (distinct from `None`, which is `null`),
`BigInt` marks an integer that travels as a bigint even when it is small, and `TypedArray`
keeps the name of a JavaScript byte container (`Int32Array`, `ArrayBuffer`, ...) so a value
echoed back arrives as the same type it left as.
"""

from __future__ import annotations

import array
import sys
from dataclasses import dataclass
from typing import Final

__all__ = ["BYTE_CONTAINER_NAMES", "UNDEFINED", "BigInt", "TypedArray", "Undefined"]


class Undefined:
    """The type of `UNDEFINED`, JavaScript's `undefined`; falsy, a singleton."""

    _instance: Undefined | None = None

    def __new__(cls) -> Undefined:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "UNDEFINED"

    def __reduce__(self) -> str:
        return "UNDEFINED"


UNDEFINED: Final = Undefined()


class BigInt(int):
    """An `int` that is always sent as a Cap'n Web bigint (`["bigint", "..."]`).

    Plain `int`s travel as JSON numbers while they are exactly representable as a double
    (|n| <= 2**53 - 1) and as bigints beyond; received bigints decode to `BigInt` so that an
    echoed `5n` stays a bigint.
    """

    def __repr__(self) -> str:
        return f"BigInt({int(self)})"


# Element size in bytes of each JavaScript byte container; 1 for the untyped ones.
BYTE_CONTAINER_NAMES: Final[dict[str, int]] = {
    "ArrayBuffer": 1,
    "DataView": 1,
    "Int8Array": 1,
    "Uint8Array": 1,
    "Uint8ClampedArray": 1,
    "Int16Array": 2,
    "Uint16Array": 2,
    "Int32Array": 4,
    "Uint32Array": 4,
    "BigInt64Array": 8,
    "BigUint64Array": 8,
    "Float32Array": 4,
    "Float64Array": 8,
}

_TYPECODES: Final[dict[str, str]] = {
    "Int8Array": "b",
    "Uint8Array": "B",
    "Int16Array": "h",
    "Uint16Array": "H",
    "Int32Array": "i",
    "Uint32Array": "I",
    "BigInt64Array": "q",
    "BigUint64Array": "Q",
    "Float32Array": "f",
    "Float64Array": "d",
}
_NAMES_BY_TYPECODE: Final[dict[tuple[str, int], str]] = {
    (code, array.array(code).itemsize): name for name, code in _TYPECODES.items()
}


@dataclass(frozen=True, slots=True)
class TypedArray:
    """Bytes tagged with a JavaScript byte-container name, little-endian like the wire."""

    kind: str
    data: bytes

    def __post_init__(self) -> None:
        size = BYTE_CONTAINER_NAMES.get(self.kind)
        if size is None:
            raise ValueError(f"Unknown byte container {self.kind[:64]!r}; use one of {', '.join(BYTE_CONTAINER_NAMES)}")
        if len(self.data) % size:
            raise ValueError(f"{len(self.data)} bytes is not a whole number of {self.kind} elements ({size})")

    def to_array(self) -> array.array:
        """The elements as an `array.array` (raises for `ArrayBuffer`, `DataView`, `Uint8ClampedArray`)."""
        code = _TYPECODES.get(self.kind)
        if code is None or array.array(code).itemsize != BYTE_CONTAINER_NAMES[self.kind]:
            raise TypeError(f"{self.kind} has no array.array equivalent; read .data instead")
        result = array.array(code, self.data)
        if sys.byteorder == "big":
            result.byteswap()
        return result

    @classmethod
    def from_array(cls, values: array.array) -> TypedArray:
        """Wrap an `array.array` as the JavaScript typed array with the same element type."""
        name = _NAMES_BY_TYPECODE.get((values.typecode, values.itemsize))
        if name is None:
            raise TypeError(f"array.array of typecode {values.typecode!r} has no JavaScript typed array")
        if sys.byteorder == "big":
            values = array.array(values.typecode, values)
            values.byteswap()
        return cls(name, values.tobytes())
