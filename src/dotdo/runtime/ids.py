"""Object identity: an object is (namespace, 64-hex id), the name it came from kept alongside."""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from typing import Any

_HEX_ID = re.compile(r"[0-9a-f]{64}")


def namespace_of(cls_or_namespace: type | str) -> str:
    """The namespace of a Durable Object class: its `namespace` attribute, else its class name."""
    if isinstance(cls_or_namespace, str):
        return cls_or_namespace
    return cls_or_namespace.__dict__.get("namespace") or cls_or_namespace.__name__


class ObjectId:
    """The identity of one Durable Object within its class: 64 hex characters, plus its name if it has one."""

    __slots__ = ("hex", "name", "namespace")

    def __init__(self, namespace: str, hex: str, name: str | None = None) -> None:
        self.namespace = namespace
        self.hex = hex
        self.name = name

    def __str__(self) -> str:
        return self.hex

    def __repr__(self) -> str:
        label = f" name={self.name!r}" if self.name is not None else ""
        return f"ObjectId({self.namespace}:{self.hex[:12]}…{label})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ObjectId) and other.hex == self.hex and other.namespace == self.namespace

    def __hash__(self) -> int:
        return hash((self.namespace, self.hex))

    def __deepcopy__(self, memo: dict[int, Any]) -> ObjectId:
        return self


def id_from_name(cls: type | str, name: str) -> ObjectId:
    """The id of the object called `name` in class `cls`: SHA-256 over the namespace and the name."""
    if not isinstance(name, str):
        raise TypeError(f"object names are strings, got {type(name).__name__}")
    namespace = namespace_of(cls)
    return ObjectId(namespace, _name_digest(namespace, name), name)


@functools.lru_cache(maxsize=65536)
def _name_digest(namespace: str, name: str) -> str:
    # Every HTTP request names its object: hash each (namespace, name) once.
    return hashlib.sha256(f"{namespace}\x00{name}".encode()).hexdigest()


def new_unique_id(cls: type | str) -> ObjectId:
    """A fresh random id in class `cls` (no name)."""
    return ObjectId(namespace_of(cls), secrets.token_hex(32))


def id_from_string(cls: type | str, hex_id: str) -> ObjectId:
    """Parse the 64-hex-character form of an id (as printed by `str(id)`)."""
    if not isinstance(hex_id, str) or not _HEX_ID.fullmatch(hex_id):
        raise ValueError(f"Invalid object id {hex_id!r}: expected 64 lowercase hex characters")
    return ObjectId(namespace_of(cls), hex_id)
