"""A tenant's workspace: its fixed ids, its bot user and `#general`, the records of users and channels, paging.

Ids are Slack's (`T…` team, `U…` user, `B…` bot, `C…` channel); the team and the bot are derived from
the tenant, so they stay the same across restarts. Lists page with Slack's opaque cursors
(`response_metadata.next_cursor`, empty on the last page).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import time
from typing import Any

from ..openapi import ApiAccount, ApiError, slack_id
from ..openapi.ids import UPPER_ALPHANUMERIC

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def _stable_id(kind: str, *parts: str) -> str:
    digest = hashlib.sha256(":".join(("dotdo-slack", *parts)).encode()).digest()
    return kind + "".join(UPPER_ALPHANUMERIC[byte % len(UPPER_ALPHANUMERIC)] for byte in digest[:10])


def team_id(tenant: str) -> str:
    """The team id of a tenant's workspace (`T` and ten characters, the same every time)."""
    return _stable_id("T", tenant)


def member(value: dict[str, Any], name: str) -> dict[str, Any]:
    """`value[name]` if it is an object, else an empty one (manifests and SCIM bodies come from clients)."""
    found = value.get(name)
    return found if isinstance(found, dict) else {}


def fail(error: str, message: str = "") -> ApiError:
    """A Slack error: answered as `{"ok": false, "error": error}`."""
    return ApiError(200, message or error, kind=error)


class Workspace:
    """The fixed facts of a tenant's workspace: its team, its bot user, its name."""

    def __init__(self, tenant: str) -> None:
        self.tenant = tenant
        self.team_id = team_id(tenant)
        self.bot_user = _stable_id("U", tenant, "bot")
        self.bot_id = _stable_id("B", tenant, "bot-id")
        self.domain = re.sub(r"[^a-z0-9-]", "-", tenant.lower())[:21] or "workspace"


async def workspace(account: ApiAccount) -> Workspace:
    """The workspace of this account, its bot user and `#general` created on first use."""
    space = Workspace(account.name or "default")
    if await account.find("user", space.bot_user) is None:
        await account.create(
            "user",
            user_record(space, space.bot_user, name="dotdo", real_name="dotdo", email=None, is_bot=True),
        )
        general = channel_record(space, slack_id("C"), "general", is_private=False)
        general["channel"]["is_general"] = True
        await account.create("channel", general)
    return space


def user_record(
    space: Workspace,
    user_id: str,
    *,
    name: str,
    real_name: str,
    email: str | None,
    is_bot: bool,
    display_name: str = "",
    title: str = "",
) -> dict[str, Any]:
    """The stored record of a user: its `objs_user` answer and its email (to look it up by)."""
    profile: dict[str, Any] = {
        "real_name": real_name,
        "real_name_normalized": real_name,
        "display_name": display_name,
        "display_name_normalized": display_name,
        "avatar_hash": hashlib.md5(user_id.encode(), usedforsecurity=False).hexdigest()[:12],
        "title": title,
        "phone": "",
        "skype": "",
        "status_text": "",
        "status_emoji": "",
        "fields": None,
        "team": space.team_id,
    }
    if email is not None:
        profile["email"] = email
    if is_bot:
        profile["bot_id"] = space.bot_id
    user = {
        "id": user_id,
        "team_id": space.team_id,
        "name": name,
        "deleted": False,
        "color": "9f69e7",
        "real_name": real_name,
        "tz": "Etc/UTC",
        "tz_label": "Coordinated Universal Time",
        "tz_offset": 0,
        "profile": profile,
        "is_admin": False,
        "is_owner": False,
        "is_primary_owner": False,
        "is_restricted": False,
        "is_ultra_restricted": False,
        "is_bot": is_bot,
        "is_app_user": False,
        "updated": int(time.time()),
    }
    return {"id": user_id, "user": user, "email": email}


def limit_of(value: Any, default: int = DEFAULT_LIMIT) -> int:
    """A page size from a `limit` argument: `default` for none or 0, at most `MAX_LIMIT`."""
    if value is None or value == 0:
        return default
    if not isinstance(value, int) or value < 0:
        raise fail("invalid_limit", "limit must be a positive integer")
    return min(value, MAX_LIMIT)


def cursor_for(kind: str, anchor: str) -> str:
    """The opaque cursor of the page after `anchor` in a list of `kind`."""
    return base64.b64encode(f"{kind}:{anchor}".encode()).decode()


def anchor_of(kind: str, cursor: Any) -> str | None:
    """The anchor a cursor of a list of `kind` names, or None for the first page; `invalid_cursor` otherwise."""
    if cursor in (None, ""):
        return None
    try:
        found_kind, _, anchor = base64.b64decode(str(cursor), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise fail("invalid_cursor", "the cursor is not one this method answered") from None
    if found_kind != kind or not anchor:
        raise fail("invalid_cursor", "the cursor is not one this method answered")
    return anchor


async def page_of(
    account: ApiAccount,
    kind: str,
    cursor: Any,
    limit: int,
    *,
    where: dict[str, Any] | None = None,
    newest_first: bool,
) -> tuple[list[dict[str, Any]], str]:
    """A page of `kind` after `cursor`, and the cursor of the next page (empty on the last)."""
    anchor = anchor_of(kind, cursor)
    try:
        items, more = await account.page(
            kind, limit=limit, starting_after=anchor, where=where, newest_first=newest_first
        )
    except ApiError:
        raise fail("invalid_cursor", "the cursor is not one this method answered") from None
    return items, cursor_for(kind, items[-1]["id"]) if more and items else ""


def channel_record(space: Workspace, channel_id: str, name: str, *, is_private: bool) -> dict[str, Any]:
    """The stored record of a new channel: its `objs_conversation` answer and its members (the bot first)."""
    now = int(time.time())
    conversation = {
        "id": channel_id,
        "name": name,
        "name_normalized": name,
        "created": now,
        "creator": space.bot_user,
        "is_channel": not is_private,
        "is_group": False,
        "is_im": False,
        "is_mpim": False,
        "is_private": is_private,
        "is_archived": False,
        "is_general": False,
        "is_shared": False,
        "is_org_shared": False,
        "is_ext_shared": False,
        "is_pending_ext_shared": False,
        "unlinked": 0,
        "shared_team_ids": [space.team_id],
        "pending_shared": [],
        "previous_names": [],
        "topic": {"value": "", "creator": "", "last_set": 0},
        "purpose": {"value": "", "creator": "", "last_set": 0},
    }
    return {"id": channel_id, "channel": conversation, "members": [space.bot_user]}
