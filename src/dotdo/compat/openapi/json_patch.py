"""Corrections to a published document, written as JSON Patch (RFC 6902) operations kept beside the layer.

Some publishers' documents contradict their own service (a schema that admits anything, an error the
service answers missing from the list of errors). A layer that must serve such a document keeps its
corrections in `openapi-patches.json`: a list of `add`, `remove`, `replace` and `move` operations, each with a
`why` saying what the publisher's document gets wrong. The trim step applies them before trimming, so
the corrections are explicit, reviewable and re-applied whenever the document is refreshed.
"""

from __future__ import annotations

import copy
from typing import Any


class PatchError(ValueError):
    """An operation that does not apply to the document (a missing path, an unknown op)."""


def _parts(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError(f"a JSON pointer starts with '/': {path!r}")
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def _parent(document: Any, parts: list[str], path: str) -> Any:
    value = document
    for part in parts[:-1]:
        try:
            value = value[int(part)] if isinstance(value, list) else value[part]
        except (KeyError, IndexError, ValueError):
            raise PatchError(f"{path}: {part!r} does not exist") from None
    return value


def apply_patches(document: dict[str, Any], operations: list[dict[str, Any]]) -> dict[str, Any]:
    """A copy of `document` with `operations` applied in order (`add`, `remove`, `replace`, `move`)."""
    patched = copy.deepcopy(document)
    for operation in operations:
        op, path = operation.get("op"), str(operation.get("path", ""))
        if op == "move":
            source = _parts(str(operation.get("from", "")))
            holder = _parent(patched, source, operation["from"]) if source else None
            if holder is None or source[-1] not in holder:
                raise PatchError(f"{operation.get('from')!r}: nothing to move")
            operation = {"op": "add", "path": path, "value": holder.pop(source[-1])}
            op = "add"
        parts = _parts(path)
        if not parts:
            raise PatchError("patches of the whole document are not supported")
        parent, last = _parent(patched, parts, path), parts[-1]
        if op == "add" and isinstance(parent, list):
            index = len(parent) if last == "-" else int(last)
            parent.insert(index, copy.deepcopy(operation["value"]))
        elif op in ("add", "replace"):
            if op == "replace" and (last not in parent if isinstance(parent, dict) else int(last) >= len(parent)):
                raise PatchError(f"{path}: nothing to replace")
            parent[int(last) if isinstance(parent, list) else last] = copy.deepcopy(operation["value"])
        elif op == "remove":
            try:
                del parent[int(last) if isinstance(parent, list) else last]
            except (KeyError, IndexError):
                raise PatchError(f"{path}: nothing to remove") from None
        else:
            raise PatchError(f"unsupported patch operation {op!r} (add, remove, replace and move are)")
    return patched
