"""A `_bulk` body: NDJSON action lines, each but `delete` followed by its document or update line.

A malformed action line refuses the whole request, as Elasticsearch does; a malformed document line
is that item's own error (carried in the operation as `error`), and the other items still run.
"""

from __future__ import annotations

from typing import Any

from .errors import ElasticError, illegal_argument
from .json_body import parse_json

ACTIONS = ("index", "create", "update", "delete")


def parse_bulk(body: bytes, default: str | None) -> tuple[list[tuple[str, dict[str, Any]]], list[str]]:
    """Each operation with its index (`default` when its action line names none), and each one's action name.

    An operation is what `ElasticIndex.write` takes: `{"op", "id", "source" | "update", "if_seq_no",
    "if_primary_term"}`, plus `error` when its document line could not be read.
    """
    lines = body.split(b"\n")
    operations: list[tuple[str, dict[str, Any]]] = []
    actions: list[str] = []
    position = 0
    while position < len(lines):
        line = lines[position].strip()
        position += 1
        if not line:
            continue
        try:
            action = parse_json(line)
        except ElasticError:
            action = None
        if not isinstance(action, dict) or len(action) != 1:
            raise illegal_argument(
                f"Malformed action/metadata line [{position}], expected START_OBJECT or END_OBJECT but found "
                "[VALUE_STRING]"
                if not isinstance(action, dict)
                else f"Malformed action/metadata line [{position}], expected a single action"
            )
        op, meta = next(iter(action.items()))
        if op not in ("index", "create", "update", "delete") or not isinstance(meta, dict):
            raise illegal_argument(
                f"Malformed action/metadata line [{position}], expected field [create], [delete], [index] or "
                f"[update] but found [{op}]"
            )
        name = meta.get("_index", default)
        if name is None:
            raise ElasticError(400, "action_request_validation_exception", "Validation Failed: 1: index is missing;")
        operation: dict[str, Any] = {"op": op, "id": meta.get("_id")}
        for key in ("if_seq_no", "if_primary_term"):
            if key in meta:
                operation[key] = meta[key]
        if op != "delete":
            if position >= len(lines) or not lines[position].strip():
                raise illegal_argument(f"The bulk request must have a source line after action line [{position}]")
            source_line = lines[position]
            position += 1
            try:
                payload = parse_json(source_line)
            except ElasticError as exc:
                operation["error"] = ElasticError(400, "document_parsing_exception", f"[1:1] {exc.reason}")
                payload = None
            operation["update" if op == "update" else "source"] = payload
        operations.append((str(name), operation))
        actions.append(op)
    return operations, actions
