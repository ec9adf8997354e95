"""SQS's errors, in both of its wire shapes: JSON (`__type`) and the query protocol's XML."""

from __future__ import annotations

from xml.sax.saxutils import escape

LEGACY_CODES = {
    "QueueDoesNotExist": "AWS.SimpleQueueService.NonExistentQueue",
    "QueueNameExists": "QueueAlreadyExists",
    "MessageNotInflight": "AWS.SimpleQueueService.MessageNotInflight",
    "TooManyEntriesInBatchRequest": "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
    "EmptyBatchRequest": "AWS.SimpleQueueService.EmptyBatchRequest",
    "BatchEntryIdsNotDistinct": "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
    "InvalidBatchEntryId": "AWS.SimpleQueueService.InvalidBatchEntryId",
    "UnsupportedOperation": "AWS.SimpleQueueService.UnsupportedOperation",
}
"""The query protocol's names for the errors the JSON protocol names by shape."""

SERVER_ERRORS = {"InternalFailure", "ServiceUnavailable"}


class SqsError(Exception):
    """An error SQS itself would answer: `SqsError("QueueDoesNotExist", "...")`."""

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status or (500 if code in SERVER_ERRORS else 400)

    @property
    def legacy_code(self) -> str:
        """The error's code in the query protocol."""
        return LEGACY_CODES.get(self.code, self.code)

    @property
    def fault(self) -> str:
        """`Sender` (the request is wrong) or `Receiver` (the server failed)."""
        return "Receiver" if self.status >= 500 else "Sender"

    def to_json(self) -> dict[str, str]:
        """The JSON protocol's error body."""
        return {"__type": f"com.amazonaws.sqs#{self.code}", "message": self.message}

    def to_xml(self, request_id: str) -> bytes:
        """The query protocol's error body."""
        return (
            '<?xml version="1.0"?><ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><Error>'
            f"<Type>{self.fault}</Type><Code>{escape(self.legacy_code)}</Code><Message>{escape(self.message)}"
            f"</Message><Detail/></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode()
