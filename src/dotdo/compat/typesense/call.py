"""One Typesense request as the handlers see it, and the error they raise for Typesense's answers."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any


class TypesenseError(Exception):
    """An error Typesense would answer: status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Call:
    """One request: tenant, the key's limits (None: full access), path and query parameters, raw body."""

    tenant: str
    actions: list[str] | None
    collections: list[str] | None
    params: dict[str, str]
    query: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body as JSON; 400 if it is not."""
        try:
            return json.loads(self.body or b"null", parse_constant=refuse_json_constant)
        except ValueError:
            raise TypesenseError(400, "Bad JSON.") from None

    def allows(self, action: str, collection: str | None) -> bool:
        """Whether the key may do `action` (on `collection`)."""
        if self.actions is None:
            return True
        family = action.split(":")[0] + ":*"
        if not ({"*", action, family} & set(self.actions)):
            return False
        if collection is None or self.collections is None:
            return True
        return any(c == "*" or c == collection or re.fullmatch(c, collection) for c in self.collections)


Handler = Callable[[Call], Awaitable[Any]]


def refuse_json_constant(name: str) -> Any:
    """`json.loads`'s `parse_constant`: NaN and Infinity are not JSON, and Typesense refuses them."""
    raise ValueError(f"{name} is not valid JSON")
