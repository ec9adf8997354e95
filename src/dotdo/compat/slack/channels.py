"""Channels: created, listed, read, joined, with members invited, archived."""

from __future__ import annotations

import re
from typing import Any

from ..openapi import ApiAccount, ApiCall, Reply, slack_id
from .apps import emit
from .users import find_user
from .workspace import MAX_LIMIT, Workspace, anchor_of, channel_record, cursor_for, fail, limit_of, page_of, workspace

CHANNEL_NAME = re.compile(r"[a-z0-9_\-\u00c0-\uffff]+")


async def _lookup_channel(account: ApiAccount, value: Any) -> dict[str, Any]:
    if not isinstance(value, str) or not value:
        raise fail("channel_not_found", "no channel was given")
    found = await account.find("channel", value)
    if found is None:
        matches = account.ctx.things.find("channel", where={"channel.name": value.removeprefix("#")}, limit=1)
        found = matches[0].data if matches else None
    if found is None:
        raise fail("channel_not_found", f"no channel {value!r}")
    return found


def shown(space: Workspace, stored: dict[str, Any], *, num_members: bool = False) -> dict[str, Any]:
    """A channel as the bot sees it (`is_member`, and `num_members` when asked)."""
    conversation = dict(stored["channel"])
    conversation["is_member"] = space.bot_user in stored["members"]
    if num_members:
        conversation["num_members"] = len(stored["members"])
    return conversation


def channel_type(stored: dict[str, Any]) -> str:
    """`channel` or `group` (private), as events name the kind of a message's channel."""
    return "group" if stored["channel"]["is_private"] else "channel"


async def conversations_create(account: ApiAccount, call: ApiCall) -> Reply:
    """`conversations.create`: a public or private channel, the bot its first member."""
    space = await workspace(account)
    name = str(call.params.get("name", "")).strip()
    if not name:
        raise fail("invalid_name_required")
    if len(name) > 80:
        raise fail("invalid_name_maxlength")
    if not CHANNEL_NAME.fullmatch(name):
        raise fail("invalid_name_specials", "names are lower-case letters, numbers, hyphens and underscores")
    if account.ctx.things.find("channel", where={"channel.name": name}, limit=1):
        raise fail("name_taken")
    stored = channel_record(space, slack_id("C"), name, is_private=bool(call.params.get("is_private")))
    await account.create("channel", stored)
    created = stored["channel"]
    emit(account, space, {"type": "channel_created", "channel": {k: created[k] for k in ("id", "name", "created")}})
    return Reply({"ok": True, "channel": shown(space, stored)})


async def conversations_list(account: ApiAccount, call: ApiCall) -> Reply:
    """`conversations.list`: public channels, and private ones the bot is in, oldest first."""
    space = await workspace(account)
    types = {t.strip() for t in str(call.params.get("types") or "public_channel").split(",") if t.strip()}
    wanted = [t == "private_channel" for t in types if t in ("public_channel", "private_channel")]
    where: dict[str, Any] = {"channel.is_private": {"in": wanted}}
    if call.params.get("exclude_archived"):
        where["channel.is_archived"] = False
    limit = limit_of(call.params.get("limit"))
    items, next_cursor = await page_of(
        account, "channel", call.params.get("cursor"), limit, where=where, newest_first=False
    )
    visible = [item for item in items if not item["channel"]["is_private"] or space.bot_user in item["members"]]
    return Reply(
        {
            "ok": True,
            "channels": [shown(space, item) for item in visible],
            "response_metadata": {"next_cursor": next_cursor},
        }
    )


async def conversations_info(account: ApiAccount, call: ApiCall) -> Reply:
    """`conversations.info`: one channel."""
    space = await workspace(account)
    stored = await visible_channel(account, space, call.params.get("channel"))
    return Reply(
        {"ok": True, "channel": shown(space, stored, num_members=bool(call.params.get("include_num_members")))}
    )


async def visible_channel(account: ApiAccount, space: Workspace, value: Any) -> dict[str, Any]:
    """The channel named by `value` (an id or a name), if the bot may see it; `channel_not_found` otherwise."""
    stored = await _lookup_channel(account, value)
    if stored["channel"]["is_private"] and space.bot_user not in stored["members"]:
        raise fail("channel_not_found", "private channels are visible to their members only")
    return stored


async def member_channel(account: ApiAccount, space: Workspace, value: Any) -> dict[str, Any]:
    """The channel named by `value`, if the bot is a member; `not_in_channel` otherwise."""
    stored = await visible_channel(account, space, value)
    if space.bot_user not in stored["members"]:
        raise fail("not_in_channel", "join the channel first (conversations.join)")
    return stored


async def conversations_join(account: ApiAccount, call: ApiCall) -> Reply:
    """`conversations.join`: the bot joins a public channel."""
    space = await workspace(account)
    stored = await visible_channel(account, space, call.params.get("channel"))
    if stored["channel"]["is_private"]:
        raise fail("method_not_supported_for_channel_type", "private channels are joined by invitation")
    if stored["channel"]["is_archived"]:
        raise fail("is_archived")
    body: dict[str, Any] = {"ok": True}
    if space.bot_user in stored["members"]:
        body["warning"] = "already_in_channel"
        body["response_metadata"] = {"warnings": ["already_in_channel"]}
    else:
        stored["members"].append(space.bot_user)
        await account.save("channel", stored)
        _joined(account, space, stored, space.bot_user, inviter=None)
    body["channel"] = shown(space, stored)
    return Reply(body)


def _joined(account: ApiAccount, space: Workspace, stored: dict[str, Any], user: str, inviter: str | None) -> None:
    event = {
        "type": "member_joined_channel",
        "user": user,
        "channel": stored["id"],
        "channel_type": "G" if stored["channel"]["is_private"] else "C",
        "team": space.team_id,
    }
    if inviter is not None:
        event["inviter"] = inviter
    emit(account, space, event)


async def conversations_invite(account: ApiAccount, call: ApiCall) -> Reply:
    """`conversations.invite`: members added to a channel the bot is in."""
    space = await workspace(account)
    stored = await member_channel(account, space, call.params.get("channel"))
    if stored["channel"]["is_archived"]:
        raise fail("is_archived")
    users = [u.strip() for u in str(call.params.get("users") or "").split(",") if u.strip()]
    if not users:
        raise fail("no_user", "users lists the ids of the users to invite, separated by commas")
    if len(users) > MAX_LIMIT:
        raise fail("too_many_users")
    for user in users:
        if user == space.bot_user:
            raise fail("cant_invite_self")
        if await find_user(account, user) is None:
            raise fail("user_not_found", f"no user {user!r}")
        if user in stored["members"]:
            raise fail("already_in_channel", f"{user} is already in the channel")
    for user in dict.fromkeys(users):
        stored["members"].append(user)
        _joined(account, space, stored, user, inviter=space.bot_user)
    await account.save("channel", stored)
    return Reply({"ok": True, "channel": shown(space, stored)})


async def conversations_members(account: ApiAccount, call: ApiCall) -> Reply:
    """`conversations.members`: a channel's members, paged."""
    space = await workspace(account)
    stored = await visible_channel(account, space, call.params.get("channel"))
    limit = limit_of(call.params.get("limit"))
    anchor = anchor_of("member", call.params.get("cursor"))
    start = 0
    if anchor is not None:
        if not anchor.isdigit() or int(anchor) > len(stored["members"]):
            raise fail("invalid_cursor", "the cursor is not one this method answered")
        start = int(anchor)
    members = stored["members"][start : start + limit]
    more = start + limit < len(stored["members"])
    next_cursor = cursor_for("member", str(start + limit)) if more else ""
    return Reply({"ok": True, "members": members, "response_metadata": {"next_cursor": next_cursor}})


async def conversations_archive(account: ApiAccount, call: ApiCall) -> Reply:
    """`conversations.archive`: the channel is kept, read-only."""
    space = await workspace(account)
    stored = await visible_channel(account, space, call.params.get("channel"))
    if stored["channel"]["is_general"]:
        raise fail("cant_archive_general")
    if stored["channel"]["is_archived"]:
        raise fail("already_archived")
    stored["channel"]["is_archived"] = True
    await account.save("channel", stored)
    emit(account, space, {"type": "channel_archive", "channel": stored["id"], "user": space.bot_user})
    return Reply({"ok": True})
