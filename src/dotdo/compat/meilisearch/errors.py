"""Meilisearch's error shape: `{"message", "code", "type", "link"}` with the status its code carries."""

from __future__ import annotations

from typing import Any

NOT_FOUND = {"index_not_found", "document_not_found", "task_not_found", "api_key_not_found", "not_found"}
CONFLICT = {"index_already_exists"}
AUTH = {"missing_authorization_header": 401, "invalid_api_key": 403}


class MeiliError(Exception):
    """An error Meilisearch itself would answer: `MeiliError("index_not_found", "Index `movies` not found.")`."""

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        if status is None:
            status = 404 if code in NOT_FOUND else 409 if code in CONFLICT else AUTH.get(code, 400)
        self.status = status

    @property
    def type(self) -> str:
        """`invalid_request`, `auth` or `internal`."""
        if self.code in AUTH:
            return "auth"
        return "internal" if self.status >= 500 else "invalid_request"

    def to_json(self) -> dict[str, Any]:
        """The error as Meilisearch sends it (and as a failed task carries it)."""
        return {
            "message": self.message,
            "code": self.code,
            "type": self.type,
            "link": f"https://docs.meilisearch.com/errors#{self.code}",
        }
