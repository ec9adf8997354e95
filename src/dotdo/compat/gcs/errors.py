"""Cloud Storage's JSON API errors: `{"error": {"code", "message", "errors": [{"reason", ...}]}}`."""

from __future__ import annotations

from typing import Any


class GcsError(Exception):
    """An error Cloud Storage itself would answer: `GcsError(404, "notFound", "No such object: b/o")`."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.message = message

    def to_json(self) -> dict[str, Any]:
        """The JSON body of the error."""
        return {
            "error": {
                "code": self.status,
                "message": self.message,
                "errors": [{"message": self.message, "domain": "global", "reason": self.reason}],
            }
        }
