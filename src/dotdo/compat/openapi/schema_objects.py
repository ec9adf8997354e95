"""Resources shaped by the document: a new object with every required field, and updates merged into one.

A created resource must validate against the schema the document promises for it, so it starts as
`blank(schema)`: every required property present, `null` where the schema allows it, otherwise the
empty value of its type (or the only value of a one-value enum, such as `"object": "customer"`).
The operation's parameters are then laid over it.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from .document import OpenAPIDocument

MAX_DEPTH = 8


def blank(document: OpenAPIDocument, schema: Any, depth: int = 0) -> Any:
    """The smallest value that validates against `schema`.

    At the top, optional fields that may be null are present as null too: the services answer every
    field of a resource, and SDKs read absent ones as errors (`customer.email` on a customer without one).
    """
    schema = document.resolve(schema)
    if schema.get("nullable"):
        return None
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    if alternatives:
        return blank(document, alternatives[0], depth + 1)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > MAX_DEPTH:
            return {}
        properties = schema.get("properties", {})
        value = {name: blank(document, properties.get(name, {}), depth + 1) for name in schema.get("required", [])}
        if depth == 0:
            for name, child in properties.items():
                if name not in value and document.resolve(child).get("nullable"):
                    value[name] = None
        return value
    return {"string": "", "integer": 0, "number": 0, "boolean": False, "array": []}.get(str(kind))


def fields_of(document: OpenAPIDocument, schema: Any) -> dict[str, Any]:
    """The property schemas of an object schema, by name."""
    return document.resolve(schema).get("properties", {})


def lay_over(resource: dict[str, Any], params: dict[str, Any], known: Collection[str]) -> dict[str, Any]:
    """`resource` with the parameters that name its own fields set (Stripe's update rules).

    `metadata` merges key by key, and an empty string removes a key; an empty string for any other
    field clears it (null). Parameters that are not fields of the resource are left to the handler.
    """
    for name, value in params.items():
        if name not in known:
            continue
        if name == "metadata":
            merged = dict(resource.get("metadata") or {})
            if value == "":
                merged = {}
            else:
                for key, item in (value or {}).items():
                    if item == "":
                        merged.pop(key, None)
                    else:
                        merged[key] = item
            resource["metadata"] = merged
        elif value == "":
            resource[name] = None
        else:
            resource[name] = value
    return resource
