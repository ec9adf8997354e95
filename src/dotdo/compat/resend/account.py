"""`ResendAccount`: one tenant's Resend account; emails are stored, listed and fetched, never sent out."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from ..openapi import ApiAccount, ApiCall, ApiError, Handler, Reply

KIND = "email"


def _addresses(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


async def send_email(account: ApiAccount, call: ApiCall) -> Reply:
    """POST /emails: store the email as delivered (nothing leaves the machine) and answer its id."""
    body = call.body
    if not (body.get("html") or body.get("text") or body.get("template")):
        raise ApiError(422, "Missing `html` or `text` field.", kind="missing_required_field")
    email = {
        "object": "email",
        "id": str(uuid.uuid4()),
        "to": _addresses(body["to"]),
        "from": body["from"],
        "created_at": datetime.now(UTC).isoformat(sep=" "),
        "subject": body["subject"],
        "html": body.get("html"),
        "text": body.get("text"),
        "bcc": _addresses(body.get("bcc")),
        "cc": _addresses(body.get("cc")),
        "reply_to": _addresses(body.get("reply_to")),
        "last_event": "scheduled" if body.get("scheduled_at") else "delivered",
        "scheduled_at": body.get("scheduled_at"),
        "tags": body.get("tags") or [],
    }
    email = {key: value for key, value in email.items() if value is not None}
    await account.create(KIND, email)
    return Reply({"id": email["id"]})


async def get_email(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /emails/{email_id}."""
    email = await account.find(KIND, call.path["email_id"])
    if email is None:
        raise ApiError(404, "Email not found", kind="not_found")
    return Reply(email)


async def list_emails(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /emails: newest first, `limit` (1-100, default 20) with `after` / `before` cursors (email ids)."""
    limit = call.query.get("limit", 20)
    if not isinstance(limit, int) or not 1 <= limit <= 100:
        raise ApiError(422, "The `limit` parameter must be between 1 and 100.", kind="validation_error")
    try:
        items, more = await account.page(
            KIND, limit=limit, starting_after=call.query.get("after"), ending_before=call.query.get("before")
        )
    except ApiError:
        raise ApiError(422, "The cursor does not name an email of this account.", kind="validation_error") from None
    return Reply({"object": "list", "has_more": more, "data": items})


class ResendAccount(ApiAccount):
    """A tenant's Resend account: the emails it sent."""

    service_name: ClassVar[str] = "resend"
    handlers: ClassVar[dict[str, Handler]] = {
        "emails/send": send_email,
        "emails/get": get_email,
        "emails/list": list_emails,
    }
