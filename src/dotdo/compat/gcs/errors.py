"""Cloud Storage's JSON API errors: `{"error": {"code", "message", "errors": [{"reason", ...}]}}`."""

from __future__ import annotations

from typing import Any

from ..key_layout import KeyElsewhereError, KeyMovingError


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


class NoSuchBucket(GcsError):
    """The bucket does not exist (also what a shard a finished reshard dropped answers)."""

    def __init__(self) -> None:
        super().__init__(404, "notFound", "The specified bucket does not exist.")


class KeyElsewhere(GcsError, KeyElsewhereError):
    """The object asked does not hold this name: look its place up again (503 if it ever reaches a client)."""

    def __init__(self, name: str) -> None:
        super().__init__(503, "backendError", "The bucket is being resharded; retry the request.")


class KeyMoving(GcsError, KeyMovingError):
    """This name's rows are being copied to their new place: write again in a moment."""

    def __init__(self, name: str) -> None:
        super().__init__(503, "backendError", "The object is moving to another shard; retry the request.")
