"""HTTP errors as JSON bodies that say what went wrong and what to do."""

from __future__ import annotations

from starlette.responses import JSONResponse


class HTTPError(Exception):
    """An error with an HTTP status, turned into a JSON response by the dispatcher."""

    def __init__(self, status_code: int, error: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.error = error
        self.message = message
        self.headers = headers or {}

    def response(self) -> JSONResponse:
        """The JSON response for this error."""
        response = json_error(self.status_code, self.error, self.message)
        response.headers.update(self.headers)
        return response


def json_error(status_code: int, error: str, message: str) -> JSONResponse:
    """`{"error": ..., "message": ...}` with `status_code`."""
    return JSONResponse({"error": error, "message": message}, status_code=status_code)
