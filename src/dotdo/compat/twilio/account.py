"""`TwilioAccount`: one tenant's Twilio account; messages and calls are stored and listed, never placed.

Twilio answers a new message `queued` and a new call `queued`; here nothing leaves the machine, so a
message is recorded as `delivered` and a call as `completed` at once (with zero price), which is what
test code waiting on a status sees. Lists page as the SDK expects: `PageSize`, `Page`, `PageToken`
and a `next_page_uri` it follows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any, ClassVar
from urllib.parse import urlencode

from ..openapi import ApiAccount, ApiCall, ApiError, Handler, Reply, twilio_sid

API_VERSION = "2010-04-01"


def _now() -> str:
    return format_datetime(datetime.now(UTC), usegmt=True)


def _base(call: ApiCall) -> str:
    return f"/{API_VERSION}/Accounts/{call.path['AccountSid']}"


def _message(call: ApiCall) -> dict[str, Any]:
    body = call.body
    if not body.get("From") and not body.get("MessagingServiceSid"):
        raise ApiError(400, "A 'From' phone number is required.", code=21603)
    if not body.get("Body") and not body.get("MediaUrl") and not body.get("ContentSid"):
        raise ApiError(400, "Message body is required.", code=21602)
    text = str(body.get("Body", ""))
    if len(text) > 1600:
        raise ApiError(400, "The concatenated message body exceeds the 1600 character limit.", code=21617)
    sid = twilio_sid("SM")
    now = _now()
    return {
        "account_sid": call.path["AccountSid"],
        "api_version": API_VERSION,
        "body": text,
        "date_created": now,
        "date_sent": now,
        "date_updated": now,
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": body.get("From"),
        "messaging_service_sid": body.get("MessagingServiceSid"),
        "num_media": str(len(body.get("MediaUrl") or [])),
        "num_segments": str(max(1, -(-len(text) // 153) if len(text) > 160 else 1)),
        "price": "0.00",
        "price_unit": "USD",
        "sid": sid,
        "status": "delivered",
        "subresource_uris": {"media": f"{_base(call)}/Messages/{sid}/Media.json"},
        "to": body["To"],
        "uri": f"{_base(call)}/Messages/{sid}.json",
    }


def _call(call: ApiCall) -> dict[str, Any]:
    body = call.body
    if not (body.get("Url") or body.get("Twiml") or body.get("ApplicationSid")):
        raise ApiError(400, "Either a 'Url', 'Twiml' or 'ApplicationSid' parameter is required.", code=21205)
    sid = twilio_sid("CA")
    now = _now()
    return {
        "account_sid": call.path["AccountSid"],
        "answered_by": None,
        "api_version": API_VERSION,
        "caller_name": None,
        "date_created": now,
        "date_updated": now,
        "direction": "outbound-api",
        "duration": "0",
        "end_time": now,
        "forwarded_from": None,
        "from": body["From"],
        "from_formatted": body["From"],
        "group_sid": None,
        "parent_call_sid": None,
        "phone_number_sid": None,
        "price": "0.00",
        "price_unit": "USD",
        "queue_time": "0",
        "sid": sid,
        "start_time": now,
        "status": "completed",
        "subresource_uris": {"notifications": f"{_base(call)}/Calls/{sid}/Notifications.json"},
        "to": body["To"],
        "to_formatted": body["To"],
        "trunk_sid": None,
        "uri": f"{_base(call)}/Calls/{sid}.json",
    }


def creator(kind: str, make: Any) -> Handler:
    """The handler that records a new message or call."""

    async def create(account: ApiAccount, call: ApiCall) -> Reply:
        resource = make(call)
        resource["id"] = resource["sid"]
        await account.create(kind, resource)
        return Reply(_public(resource), 201)

    return create


def fetcher(kind: str, label: str) -> Handler:
    """The handler that answers one message or call by its SID."""

    async def fetch(account: ApiAccount, call: ApiCall) -> Reply:
        return Reply(_public(await _get(account, kind, label, call.path["Sid"])))

    return fetch


async def _get(account: ApiAccount, kind: str, label: str, sid: str) -> dict[str, Any]:
    found = await account.find(kind, sid)
    if found is None:
        raise ApiError(
            404, f"The requested resource /{API_VERSION}/Accounts/…/{label}/{sid}.json was not found", code=20404
        )
    return found


def deleter(kind: str, label: str) -> Handler:
    """The handler that deletes one message."""

    async def delete(account: ApiAccount, call: ApiCall) -> Reply:
        await account.remove(kind, (await _get(account, kind, label, call.path["Sid"]))["id"])
        return Reply(None, 204)

    return delete


def lister(kind: str, label: str, key: str) -> Handler:
    """The handler that lists messages or calls, newest first, filtered by `To` and `From`."""

    async def list_(account: ApiAccount, call: ApiCall) -> Reply:
        query = call.query
        size = query.get("PageSize", 50)
        if not isinstance(size, int) or not 1 <= size <= 1000:
            raise ApiError(400, "PageSize must be between 1 and 1000.", code=20001)
        page_number = query.get("Page", 0)
        where = {field: query[name] for name, field in (("To", "to"), ("From", "from")) if name in query}
        try:
            items, more = await account.page(kind, limit=size, starting_after=query.get("PageToken"), where=where)
        except ApiError:
            raise ApiError(400, "The PageToken does not name a resource of this list.", code=20001) from None
        uri = f"{_base(call)}/{label}.json"
        filters = {name: query[name] for name in ("To", "From") if name in query}
        next_uri = None
        if more and items:
            next_query = {**filters, "PageSize": size, "Page": page_number + 1, "PageToken": items[-1]["sid"]}
            next_uri = f"{uri}?{urlencode(next_query)}"
        page = {
            key: [_public(item) for item in items],
            "end": page_number * size + max(len(items) - 1, 0),
            "first_page_uri": f"{uri}?{urlencode({**filters, 'PageSize': size, 'Page': 0})}",
            "next_page_uri": next_uri,
            "page": page_number,
            "page_size": size,
            "previous_page_uri": None,
            "start": page_number * size,
            "uri": f"{uri}?{urlencode({**filters, 'PageSize': size, 'Page': page_number})}",
        }
        return Reply(page)

    return list_


def _public(resource: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in resource.items() if key != "id"}


class TwilioAccount(ApiAccount):
    """A tenant's Twilio account: the messages it sent and the calls it placed."""

    service_name: ClassVar[str] = "twilio"
    handlers: ClassVar[dict[str, Handler]] = {
        "CreateMessage": creator("message", _message),
        "ListMessage": lister("message", "Messages", "messages"),
        "FetchMessage": fetcher("message", "Messages"),
        "DeleteMessage": deleter("message", "Messages"),
        "CreateCall": creator("call", _call),
        "ListCall": lister("call", "Calls", "calls"),
        "FetchCall": fetcher("call", "Calls"),
    }
