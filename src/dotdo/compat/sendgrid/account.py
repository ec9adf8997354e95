"""`SendGridAccount`: one tenant's SendGrid account; mail is stored and searchable, never delivered.

`POST /v3/mail/send` answers 202 with an `X-Message-Id`, as SendGrid does, and keeps one message
per personalization (recipient). The Email Activity API (`GET /v3/messages`) searches them with the
common part of SendGrid's query language: `field="value"` conditions joined by `AND`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, ClassVar

from ..openapi import ApiAccount, ApiCall, ApiError, Handler, Reply
from ..openapi.ids import BASE62, random_text

KIND = "mail"
SEARCHABLE = ("msg_id", "from_email", "to_email", "subject", "status")
_CONDITION = re.compile(r'\s*(\w+)\s*=\s*"((?:[^"\\]|\\.)*)"\s*')


def parse_query(query: str) -> dict[str, str]:
    """`to_email="a@b.c" AND status="delivered"` as field → value; `ApiError` for anything else."""
    conditions: dict[str, str] = {}
    for part in re.split(r"\s+AND\s+", query.strip()) if query.strip() else []:
        match = _CONDITION.fullmatch(part)
        if match is None or match.group(1) not in SEARCHABLE:
            raise ApiError(
                400,
                f'invalid query: {part.strip()!r}; use field="value" with one of {", ".join(SEARCHABLE)}, '
                "joined by AND",
                param="query",
            )
        conditions[match.group(1)] = match.group(2).replace('\\"', '"')
    return conditions


async def send_mail(account: ApiAccount, call: ApiCall) -> Reply:
    """POST /v3/mail/send: one stored message per personalization; 202 and the batch's message id."""
    body = call.body
    batch = random_text(BASE62, 22)  # SendGrid's message ids match ^[A-Za-z0-9]+ (never "-" or "_" first)
    sender = body["from"]["email"]
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for index, personalization in enumerate(body["personalizations"]):
        for recipient in personalization.get("to") or []:
            message = {
                "id": f"{batch}.{index}.{recipient['email']}"[:200],
                "msg_id": f"{batch}.{index}",
                "from_email": sender,
                "to_email": recipient["email"],
                "subject": personalization.get("subject") or body.get("subject", ""),
                "status": "delivered",
                "opens_count": 0,
                "clicks_count": 0,
                "last_event_time": now,
                "content": body.get("content", []),
                "categories": body.get("categories", []),
            }
            await account.create(KIND, message)
    return Reply(None, 202, {"X-Message-Id": batch})


def _summary(message: dict[str, Any]) -> dict[str, Any]:
    return {
        key: message[key]
        for key in (
            "msg_id",
            "from_email",
            "to_email",
            "subject",
            "status",
            "opens_count",
            "clicks_count",
            "last_event_time",
        )
    }


async def list_messages(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /v3/messages?query=…&limit=…: the newest matching messages."""
    limit = call.query.get("limit", 10)
    if not isinstance(limit, (int, float)) or not 1 <= limit <= 1000:
        raise ApiError(400, "limit must be between 1 and 1000", param="limit")
    items, _ = await account.page(KIND, limit=int(limit), where=parse_query(str(call.query.get("query", ""))))
    return Reply({"messages": [_summary(item) for item in items]})


async def get_message(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /v3/messages/{msg_id}: the message and its events (processed, delivered)."""
    items, _ = await account.page(KIND, limit=1, where={"msg_id": call.path["msg_id"]})
    if not items:
        raise ApiError(404, "message not found", param="msg_id")
    message = items[0]
    events = [
        {
            "event_name": name,
            "processed": message["last_event_time"],
            "http_user_agent": "",
            "mx_server": "127.0.0.1",
        }
        for name in ("processed", "delivered")
    ]
    details = {
        "events": events,
        "categories": message["categories"],
        "teammate": "",
        "template_id": "",
        "api_key_id": "dotdo",
        "originating_ip": "127.0.0.1",
        "outbound_ip": "127.0.0.1",
        "outbound_ip_type": "shared",
        "unique_args": "{}",
    }
    return Reply({**_summary(message), **details})


class SendGridAccount(ApiAccount):
    """A tenant's SendGrid account: the mail it sent."""

    service_name: ClassVar[str] = "sendgrid"
    handlers: ClassVar[dict[str, Handler]] = {
        "POST_mail-send": send_mail,
        "GET-messages": list_messages,
        "GET-v3-messages-msg_id": get_message,
    }
