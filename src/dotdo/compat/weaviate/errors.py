"""`WeaviateError`: an error as Weaviate answers it, on REST (status and `{"error": [{"message"}]}`) and on gRPC."""

from __future__ import annotations

from typing import Any

import grpc

_GRPC_CODES = {
    400: grpc.StatusCode.INVALID_ARGUMENT,
    401: grpc.StatusCode.UNAUTHENTICATED,
    403: grpc.StatusCode.PERMISSION_DENIED,
    404: grpc.StatusCode.NOT_FOUND,
    409: grpc.StatusCode.ALREADY_EXISTS,
    413: grpc.StatusCode.RESOURCE_EXHAUSTED,
    422: grpc.StatusCode.INVALID_ARGUMENT,
    501: grpc.StatusCode.UNIMPLEMENTED,
}


class WeaviateError(Exception):
    """An error Weaviate would answer: its HTTP status and message (the gRPC code follows from the status)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def body(self) -> dict[str, Any]:
        """Weaviate's REST error body."""
        return {"error": [{"message": self.message}]}

    @property
    def grpc_code(self) -> grpc.StatusCode:
        """The gRPC status code of the same error."""
        return _GRPC_CODES.get(self.status, grpc.StatusCode.INTERNAL)


def not_found(name: str) -> WeaviateError:
    """A class that does not exist (Weaviate's wording)."""
    return WeaviateError(404, f"class {name!r} not found in schema")


def unsupported(what: str) -> WeaviateError:
    """A request this server does not serve: 501 on REST, UNIMPLEMENTED on gRPC, naming it."""
    return WeaviateError(501, f"{what} is not supported by this server (dotdo's Weaviate layer)")
