"""The fields of an `Entity` class: its annotations, turned into a pydantic model that forbids extras."""

from __future__ import annotations

import inspect
import sys
import typing
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, create_model

RESERVED_FIELDS = frozenset({"id"})
_NOT_FIELDS = frozenset({"collection", "namespace"})


def own_field_names(cls: type) -> list[str]:
    """The field names a class body declares: its annotations, minus ClassVars and private names."""
    names = []
    for name, annotation in inspect.get_annotations(cls).items():
        if name.startswith("_") or name in _NOT_FIELDS:
            continue
        text = annotation if isinstance(annotation, str) else repr(annotation)
        if annotation is ClassVar or "ClassVar" in text.split("[", 1)[0]:
            continue
        if name in RESERVED_FIELDS:
            raise TypeError(
                f"{cls.__name__} declares a field {name!r}, but 'id' is the entity's identity "
                "(the object's name); call the field something else, e.g. 'external_id'"
            )
        names.append(name)
    return names


def build_model(cls: type, declared: list[tuple[type, str]], defaults: dict[str, Any]) -> type[BaseModel]:
    """A pydantic model of the fields (`(declaring class, name)` pairs, base classes first)."""
    definitions: dict[str, Any] = {}
    for owner, name in declared:
        module = sys.modules.get(owner.__module__)
        hints = typing.get_type_hints(
            _annotation_holder(owner, name), globalns=vars(module) if module else {}, localns=dict(vars(owner))
        )
        default = defaults.get(name, ...)
        definitions[name] = (hints[name], default)
    return create_model(  # type: ignore[call-overload, no-any-return]
        f"{cls.__name__}Fields",
        __config__=ConfigDict(extra="forbid"),
        __module__=cls.__module__,
        **definitions,
    )


def _annotation_holder(owner: type, name: str) -> type:
    """A bare class holding one annotation of `owner`, for `get_type_hints` to resolve alone."""
    return type("Annotations", (), {"__annotations__": {name: inspect.get_annotations(owner)[name]}})
