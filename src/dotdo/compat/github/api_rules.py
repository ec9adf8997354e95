"""What GitHub's API answers around every handler: its errors, its pagination, its rules for names."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlencode

from ..openapi import ApiCall, ApiError, Reply
from . import shapes
from .paths import UnsafePath
from .repository import GitError

if TYPE_CHECKING:
    from ..openapi import ApiAccount
    from .account import GitHubAccount

DOCS = "https://docs.github.com/rest"
NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
COLOR = re.compile(r"^[0-9a-fA-F]{6}$")
HOOK_EVENTS = frozenset({"*", "push", "issues", "issue_comment", "pull_request", "label", "ping"})


def not_found() -> ApiError:
    """GitHub's answer for anything missing, or hidden from this token."""
    return ApiError(404, "Not Found")


def invalid(resource: str, field: str, code: str, message: str | None = None) -> ApiError:
    """A 422 "Validation Failed" naming the field."""
    error = {"resource": resource, "field": field, "code": code}
    if message:
        error["message"] = message
    return ApiError(422, "Validation Failed", errors=[error])


def git_error(error: GitError) -> ApiError:
    """A refusal of the repository object as GitHub answers it."""
    if error.status == 422:
        return ApiError(
            422, error.message, errors=[{"resource": "Repository", "code": "custom", "message": error.message}]
        )
    return ApiError(error.status, error.message)


def paged(call: ApiCall, items: list[Any], more: bool | None = None) -> Reply:
    """A page of `items` by `per_page` (1-100, default 30) and `page`, with GitHub's `Link` header.

    With `more` None, `items` is the whole list and is cut here; otherwise it is already the page and
    `more` says whether another follows.
    """
    per_page, page = page_of(call)
    if more is None:
        total = len(items)
        chosen = items[(page - 1) * per_page : page * per_page]
        last = max(1, -(-total // per_page))
        more = page < last
    else:
        chosen, last = items, None
    links = []
    url = call.base_url + shapes.document().operation(call.operation_id).path.format(**call.path)
    others = {key: value for key, value in call.query.items() if key not in ("page", "per_page")}

    def link(number: int, rel: str) -> str:
        query = urlencode({**{k: _text(v) for k, v in others.items()}, "per_page": per_page, "page": number})
        return f'<{url}?{query}>; rel="{rel}"'

    if page > 1:
        links += [link(page - 1, "prev"), link(1, "first")]
    if more:
        links.append(link(page + 1, "next"))
        if last is not None:
            links.append(link(last, "last"))
    return Reply(chosen, headers={"Link": ", ".join(links)} if links else {})


def number(call: ApiCall, name: str) -> int:
    """A numeric path parameter (`issue_number`, `hook_id`); 404 when it is not a number."""
    text = call.path[name]
    if not text.isdigit() or len(text) > 18:
        raise not_found()
    return int(text)


def page_of(call: ApiCall) -> tuple[int, int]:
    """`per_page` and `page` of a list request, checked."""
    per_page, page = call.query.get("per_page", 30), call.query.get("page", 1)
    if not 1 <= per_page <= 100:
        raise invalid("Request", "per_page", "invalid", "per_page must be between 1 and 100")
    if page < 1:
        raise invalid("Request", "page", "invalid", "page must be 1 or more")
    return per_page, page


def _text(value: Any) -> str:
    return (
        ",".join(map(str, value))
        if isinstance(value, list)
        else str(value).lower()
        if isinstance(value, bool)
        else str(value)
    )


async def from_repository(call: Any) -> Any:
    """Await a call to a repository object, its refusals turned into GitHub's errors."""
    try:
        return await call
    except GitError as error:
        raise git_error(error) from None
    except UnsafePath:
        raise not_found() from None


def github_account(account: ApiAccount) -> GitHubAccount:
    """The account a handler is given, as the GitHub account it is (handlers are the account's own)."""
    return cast("GitHubAccount", account)
