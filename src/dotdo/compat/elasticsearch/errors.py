"""Elasticsearch's error shape: `{"error": {"root_cause": [...], "type", "reason", ...}, "status": n}`."""

from __future__ import annotations

from typing import Any


class ElasticError(Exception):
    """An error Elasticsearch itself would answer: its HTTP status, its type (`index_not_found_exception`), a reason.

    `extra` holds the type's own fields (`index`, `resource.id`…), shown beside `type` and `reason`.
    """

    def __init__(self, status: int, type: str, reason: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(status, type, reason, extra)
        self.status = status
        self.type = type
        self.reason = reason
        self.extra = extra or {}

    def __str__(self) -> str:
        return f"{self.type}: {self.reason}"

    def cause(self) -> dict[str, Any]:
        """The error's own object: type, reason and the type's fields."""
        return {"type": self.type, "reason": self.reason, **self.extra}

    def to_json(self) -> dict[str, Any]:
        """The response body Elasticsearch sends for this error."""
        cause = self.cause()
        return {"error": {"root_cause": [cause], **cause}, "status": self.status}


def index_not_found(index: str) -> ElasticError:
    """`index_not_found_exception` for `index` (404)."""
    return ElasticError(
        404,
        "index_not_found_exception",
        f"no such index [{index}]",
        {"resource.type": "index_or_alias", "resource.id": index, "index_uuid": "_na_", "index": index},
    )


def parsing(reason: str) -> ElasticError:
    """`parsing_exception` (400): a request body Elasticsearch cannot read as its DSL."""
    return ElasticError(400, "parsing_exception", reason)


def illegal_argument(reason: str) -> ElasticError:
    """`illegal_argument_exception` (400)."""
    return ElasticError(400, "illegal_argument_exception", reason)
