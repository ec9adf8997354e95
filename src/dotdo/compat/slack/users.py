"""The workspace's members: provisioned through SCIM, listed, read and looked up by email."""

from __future__ import annotations

import re
import time
from typing import Any

from ..openapi import ApiAccount, ApiCall, ApiError, Reply, slack_id
from .workspace import MAX_LIMIT, fail, limit_of, member, page_of, user_record, workspace


async def provision_user(account: ApiAccount, scim: dict[str, Any]) -> dict[str, Any]:
    """A user made from a SCIM `POST /Users` body; `ApiError(409)` if the name or the email is taken."""
    space = await workspace(account)
    name = str(scim.get("userName") or "").strip()
    emails = [e for e in scim.get("emails") or [] if isinstance(e, dict) and e.get("value")]
    primary = next((e for e in emails if e.get("primary")), emails[0] if emails else None)
    email = str(primary["value"]).strip().lower() if primary else None
    if not name or not re.fullmatch(r"[a-z0-9._\-]{1,80}", name):
        raise ApiError(400, "userName must be 1 to 80 lower-case letters, digits, periods, hyphens or underscores")
    if account.ctx.things.find("user", where={"user.name": name}, limit=1):
        raise ApiError(409, f"the userName {name!r} is taken")
    if email and account.ctx.things.find("user", where={"email": email}, limit=1):
        raise ApiError(409, f"the email {email!r} belongs to another user")
    full = member(scim, "name")
    real_name = " ".join(str(full.get(part)) for part in ("givenName", "familyName") if full.get(part)) or name
    stored = user_record(
        space,
        slack_id("U"),
        name=name,
        real_name=real_name,
        email=email,
        is_bot=False,
        display_name=str(scim.get("displayName") or ""),
        title=str(scim.get("title") or ""),
    )
    await account.create("user", stored)
    user = stored["user"]
    return {
        "schemas": ["urn:scim:schemas:core:1.0"],
        "id": user["id"],
        "externalId": str(scim.get("externalId") or ""),
        "meta": {"created": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()), "location": ""},
        "userName": name,
        "nickName": name,
        "name": {"givenName": full.get("givenName", ""), "familyName": full.get("familyName", "")},
        "displayName": user["profile"]["display_name"],
        "title": user["profile"]["title"],
        "active": True,
        "emails": [{"value": email, "primary": True}] if email else [],
        "groups": [],
    }


async def find_user(account: ApiAccount, user_id: Any) -> dict[str, Any] | None:
    """The stored record of the user with this id, or None."""
    return await account.find("user", user_id) if isinstance(user_id, str) and user_id else None


async def users_list(account: ApiAccount, call: ApiCall) -> Reply:
    """`users.list`: every member, paged."""
    await workspace(account)
    limit = limit_of(call.params.get("limit"), default=0)
    items, next_cursor = await page_of(
        account, "user", call.params.get("cursor"), limit or MAX_LIMIT, newest_first=False
    )
    return Reply(
        {
            "ok": True,
            "members": [item["user"] for item in items],
            "cache_ts": int(time.time()),
            "response_metadata": {"next_cursor": next_cursor},
        }
    )


async def users_info(account: ApiAccount, call: ApiCall) -> Reply:
    """`users.info`: one member by id."""
    await workspace(account)
    found = await find_user(account, call.params.get("user"))
    if found is None:
        raise fail("user_not_found")
    return Reply({"ok": True, "user": found["user"]})


async def users_lookup_by_email(account: ApiAccount, call: ApiCall) -> Reply:
    """`users.lookupByEmail`: one member by email (case does not matter)."""
    await workspace(account)
    email = str(call.params.get("email", "")).strip().lower()
    found = account.ctx.things.find("user", where={"email": email}, limit=1) if email else []
    if not found:
        raise fail("users_not_found")
    return Reply({"ok": True, "user": found[0].data["user"]})
