"""References to things held by other objects: `Customer/alice#thing-id`.

The class name, then the object's name (percent-encoded, so it may contain '/' or '#'), then the
thing id. Local thing ids never contain '/' or '#', so any endpoint that does is a reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from .errors import InvalidReferenceError
from .names import check_thing_id

_CLASS_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")


@dataclass(frozen=True, slots=True)
class Reference:
    """A thing in another object: `class_name`, `object_name` and the `thing_id` there."""

    class_name: str
    object_name: str
    thing_id: str

    def __post_init__(self) -> None:
        if not self.class_name or not set(self.class_name) <= _CLASS_CHARS or self.class_name[0].isdigit():
            raise InvalidReferenceError(
                f"Reference class name {self.class_name!r} is not a Python class name (e.g. 'Customer')"
            )
        if not isinstance(self.object_name, str) or not self.object_name:
            raise InvalidReferenceError("Reference object name must be non-empty text")
        try:
            check_thing_id(self.thing_id, "reference thing id")
        except (TypeError, ValueError) as exc:
            raise InvalidReferenceError(str(exc)) from None

    def __str__(self) -> str:
        return f"{self.class_name}/{quote(self.object_name, safe='')}#{self.thing_id}"

    @classmethod
    def parse(cls, text: str) -> Reference:
        """Parse `Class/object-name#thing-id`; `InvalidReferenceError` says what is wrong."""
        if not isinstance(text, str):
            raise InvalidReferenceError(f"A reference is text, not {type(text).__name__}")
        head, hash_sign, thing_id = text.rpartition("#")
        class_name, slash, object_name = head.partition("/")
        if not hash_sign or not slash:
            raise InvalidReferenceError(
                f"Invalid reference {text!r}: expected 'Class/object-name#thing-id', e.g. 'Customer/alice#c1'"
            )
        return cls(class_name, unquote(object_name), thing_id)


def is_reference(value: Any) -> bool:
    """Whether an endpoint names a thing in another object (a `Reference` or text with '/' or '#')."""
    return isinstance(value, Reference) or (isinstance(value, str) and ("#" in value or "/" in value))
