"""Request bodies read as Elasticsearch reads JSON: NaN refused, nesting bounded, errors in its shape."""

from __future__ import annotations

import json
from typing import Any

from .errors import ElasticError

MAX_JSON_DEPTH = 200
"""The deepest nesting a body may have (Elasticsearch's parser refuses deeper ones too)."""


def parse_json(data: bytes | str) -> Any:
    """JSON as Elasticsearch reads it: NaN refused, nesting bounded, errors in its shape."""
    try:
        value = json.loads(data, parse_constant=_refuse_constant)
    except RecursionError:
        raise ElasticError(400, "x_content_parse_exception", "the JSON is nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ElasticError(
            400, "x_content_parse_exception", f"Failed to parse the request body as JSON: {exc}"
        ) from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise ElasticError(
            400, "x_content_parse_exception", f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep"
        )
    return value


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_JSON_DEPTH:
            return level
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")
