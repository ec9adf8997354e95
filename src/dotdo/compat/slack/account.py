"""`SlackWorkspace`: one tenant's Slack workspace as a durable object, with the handler of every method served.

The workspace has one app whose bot user makes every Web API call (the `xoxb-` token's user), the
users provisioned through SCIM, channels (things of type `channel`, members kept inside) and messages
(things of type `message`, one per channel and `ts`). Message timestamps are Slack's: seconds and
microseconds (`1712345678.000123`), unique in the workspace, so they order a channel's history and
name a thread. Apps created from a manifest with a request URL receive the workspace's events,
signed with their signing secret, through the engine's durable outbox.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import secrets
import time
from typing import Any, ClassVar

from ..openapi import ApiAccount, ApiCall, ApiError, Handler, Reply, slack_id
from ..openapi.ids import UPPER_ALPHANUMERIC
from . import events

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_TEXT = 40_000
CHANNEL_NAME = re.compile(r"[a-z0-9_\-\u00c0-\uffff]+")
EMOJI_NAME = re.compile(r"[a-z0-9_+\-']+")


def _stable_id(kind: str, *parts: str) -> str:
    digest = hashlib.sha256(":".join(("dotdo-slack", *parts)).encode()).digest()
    return kind + "".join(UPPER_ALPHANUMERIC[byte % len(UPPER_ALPHANUMERIC)] for byte in digest[:10])


def team_id(tenant: str) -> str:
    """The team id of a tenant's workspace (`T` and ten characters, the same every time)."""
    return _stable_id("T", tenant)


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


def workspace(account: ApiAccount) -> Workspace:
    """The workspace of this account, its bot user and `#general` created on first use."""
    space = Workspace(account.name or "default")
    if account.find("user", space.bot_user) is None:
        account.create(
            "user",
            _user(space, space.bot_user, name="dotdo", real_name="dotdo", email=None, is_bot=True),
        )
        general = _channel(space, slack_id("C"), "general", is_private=False)
        general["channel"]["is_general"] = True
        account.create("channel", general)
    return space


# -- users ----------------------------------------------------------------------------------------------


def _user(
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


def provision_user(account: ApiAccount, scim: dict[str, Any]) -> dict[str, Any]:
    """A user made from a SCIM `POST /Users` body; `ApiError(409)` if the name or the email is taken."""
    space = workspace(account)
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
    full = scim.get("name") if isinstance(scim.get("name"), dict) else {}
    real_name = " ".join(str(full.get(part)) for part in ("givenName", "familyName") if full.get(part)) or name
    stored = _user(
        space,
        slack_id("U"),
        name=name,
        real_name=real_name,
        email=email,
        is_bot=False,
        display_name=str(scim.get("displayName") or ""),
        title=str(scim.get("title") or ""),
    )
    account.create("user", stored)
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


def _find_user(account: ApiAccount, user_id: Any) -> dict[str, Any] | None:
    return account.find("user", user_id) if isinstance(user_id, str) and user_id else None


async def users_list(account: ApiAccount, call: ApiCall) -> Reply:
    workspace(account)
    limit = _limit(call.params.get("limit"), default=0)
    items, next_cursor = _page(account, "user", call.params.get("cursor"), limit or MAX_LIMIT, newest_first=False)
    return Reply(
        {
            "ok": True,
            "members": [item["user"] for item in items],
            "cache_ts": int(time.time()),
            "response_metadata": {"next_cursor": next_cursor},
        }
    )


async def users_info(account: ApiAccount, call: ApiCall) -> Reply:
    workspace(account)
    found = _find_user(account, call.params.get("user"))
    if found is None:
        raise fail("user_not_found")
    return Reply({"ok": True, "user": found["user"]})


async def users_lookup_by_email(account: ApiAccount, call: ApiCall) -> Reply:
    workspace(account)
    email = str(call.params.get("email", "")).strip().lower()
    found = account.ctx.things.find("user", where={"email": email}, limit=1) if email else []
    if not found:
        raise fail("users_not_found")
    return Reply({"ok": True, "user": found[0].data["user"]})


# -- paging ---------------------------------------------------------------------------------------------


def _limit(value: Any, default: int = DEFAULT_LIMIT) -> int:
    if value is None or value == 0:
        return default
    if not isinstance(value, int) or value < 0:
        raise fail("invalid_limit", "limit must be a positive integer")
    return min(value, MAX_LIMIT)


def _cursor_for(kind: str, anchor: str) -> str:
    return base64.b64encode(f"{kind}:{anchor}".encode()).decode()


def _anchor_of(kind: str, cursor: Any) -> str | None:
    if cursor in (None, ""):
        return None
    try:
        found_kind, _, anchor = base64.b64decode(str(cursor), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise fail("invalid_cursor", "the cursor is not one this method answered") from None
    if found_kind != kind or not anchor:
        raise fail("invalid_cursor", "the cursor is not one this method answered")
    return anchor


def _page(
    account: ApiAccount,
    kind: str,
    cursor: Any,
    limit: int,
    *,
    where: dict[str, Any] | None = None,
    newest_first: bool,
) -> tuple[list[dict[str, Any]], str]:
    anchor = _anchor_of(kind, cursor)
    try:
        items, more = account.page(kind, limit=limit, starting_after=anchor, where=where, newest_first=newest_first)
    except ApiError:
        raise fail("invalid_cursor", "the cursor is not one this method answered") from None
    return items, _cursor_for(kind, items[-1]["id"]) if more and items else ""


# -- channels -------------------------------------------------------------------------------------------


def _channel(space: Workspace, channel_id: str, name: str, *, is_private: bool) -> dict[str, Any]:
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


def _lookup_channel(account: ApiAccount, value: Any) -> dict[str, Any]:
    if not isinstance(value, str) or not value:
        raise fail("channel_not_found", "no channel was given")
    found = account.find("channel", value)
    if found is None:
        matches = account.ctx.things.find("channel", where={"channel.name": value.removeprefix("#")}, limit=1)
        found = matches[0].data if matches else None
    if found is None:
        raise fail("channel_not_found", f"no channel {value!r}")
    return found


def _shown(space: Workspace, stored: dict[str, Any], *, num_members: bool = False) -> dict[str, Any]:
    conversation = dict(stored["channel"])
    conversation["is_member"] = space.bot_user in stored["members"]
    if num_members:
        conversation["num_members"] = len(stored["members"])
    return conversation


def _channel_type(stored: dict[str, Any]) -> str:
    return "group" if stored["channel"]["is_private"] else "channel"


async def conversations_create(account: ApiAccount, call: ApiCall) -> Reply:
    space = workspace(account)
    name = str(call.params.get("name", "")).strip()
    if not name:
        raise fail("invalid_name_required")
    if len(name) > 80:
        raise fail("invalid_name_maxlength")
    if not CHANNEL_NAME.fullmatch(name):
        raise fail("invalid_name_specials", "names are lower-case letters, numbers, hyphens and underscores")
    if account.ctx.things.find("channel", where={"channel.name": name}, limit=1):
        raise fail("name_taken")
    stored = _channel(space, slack_id("C"), name, is_private=bool(call.params.get("is_private")))
    account.create("channel", stored)
    created = stored["channel"]
    emit(account, space, {"type": "channel_created", "channel": {k: created[k] for k in ("id", "name", "created")}})
    return Reply({"ok": True, "channel": _shown(space, stored)})


async def conversations_list(account: ApiAccount, call: ApiCall) -> Reply:
    space = workspace(account)
    types = {t.strip() for t in str(call.params.get("types") or "public_channel").split(",") if t.strip()}
    wanted = [t == "private_channel" for t in types if t in ("public_channel", "private_channel")]
    where: dict[str, Any] = {"channel.is_private": {"in": wanted}}
    if call.params.get("exclude_archived"):
        where["channel.is_archived"] = False
    limit = _limit(call.params.get("limit"))
    items, next_cursor = _page(
        account, "channel", call.params.get("cursor"), limit, where=where, newest_first=False
    )
    visible = [item for item in items if not item["channel"]["is_private"] or space.bot_user in item["members"]]
    return Reply(
        {
            "ok": True,
            "channels": [_shown(space, item) for item in visible],
            "response_metadata": {"next_cursor": next_cursor},
        }
    )


async def conversations_info(account: ApiAccount, call: ApiCall) -> Reply:
    space = workspace(account)
    stored = _visible_channel(account, space, call.params.get("channel"))
    return Reply({"ok": True, "channel": _shown(space, stored, num_members=bool(call.params.get("include_num_members")))})


def _visible_channel(account: ApiAccount, space: Workspace, value: Any) -> dict[str, Any]:
    stored = _lookup_channel(account, value)
    if stored["channel"]["is_private"] and space.bot_user not in stored["members"]:
        raise fail("channel_not_found", "private channels are visible to their members only")
    return stored


def _member_of(account: ApiAccount, space: Workspace, value: Any) -> dict[str, Any]:
    stored = _visible_channel(account, space, value)
    if space.bot_user not in stored["members"]:
        raise fail("not_in_channel", "join the channel first (conversations.join)")
    return stored


async def conversations_join(account: ApiAccount, call: ApiCall) -> Reply:
    space = workspace(account)
    stored = _visible_channel(account, space, call.params.get("channel"))
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
        account.save("channel", stored)
        _joined(account, space, stored, space.bot_user, inviter=None)
    body["channel"] = _shown(space, stored)
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
    space = workspace(account)
    stored = _member_of(account, space, call.params.get("channel"))
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
        if _find_user(account, user) is None:
            raise fail("user_not_found", f"no user {user!r}")
        if user in stored["members"]:
            raise fail("already_in_channel", f"{user} is already in the channel")
    for user in dict.fromkeys(users):
        stored["members"].append(user)
        _joined(account, space, stored, user, inviter=space.bot_user)
    account.save("channel", stored)
    return Reply({"ok": True, "channel": _shown(space, stored)})


async def conversations_members(account: ApiAccount, call: ApiCall) -> Reply:
    space = workspace(account)
    stored = _visible_channel(account, space, call.params.get("channel"))
    limit = _limit(call.params.get("limit"))
    anchor = _anchor_of("member", call.params.get("cursor"))
    start = 0
    if anchor is not None:
        if not anchor.isdigit() or int(anchor) > len(stored["members"]):
            raise fail("invalid_cursor", "the cursor is not one this method answered")
        start = int(anchor)
    members = stored["members"][start : start + limit]
    more = start + limit < len(stored["members"])
    next_cursor = _cursor_for("member", str(start + limit)) if more else ""
    return Reply({"ok": True, "members": members, "response_metadata": {"next_cursor": next_cursor}})


async def conversations_archive(account: ApiAccount, call: ApiCall) -> Reply:
    space = workspace(account)
    stored = _visible_channel(account, space, call.params.get("channel"))
    if stored["channel"]["is_general"]:
        raise fail("cant_archive_general")
    if stored["channel"]["is_archived"]:
        raise fail("already_archived")
    stored["channel"]["is_archived"] = True
    account.save("channel", stored)
    emit(account, space, {"type": "channel_archive", "channel": stored["id"], "user": space.bot_user})
    return Reply({"ok": True})


# -- messages -------------------------------------------------------------------------------------------


def _new_ts(account: ApiAccount, channel: str) -> str:
    # Slack's ts is the post's time to the microsecond, unique within its channel.
    micros = time.time_ns() // 1000
    while account.find("message", f"{channel}-{micros // 1_000_000}.{micros % 1_000_000:06d}") is not None:
        micros += 1
    return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


def _ts_text(value: Any, error: str) -> str:
    """A ts given as text or as a number (the document types `latest` as a number)."""
    if isinstance(value, bool):
        raise fail(error)
    if isinstance(value, int | float):
        return f"{value:.6f}".rjust(17, "0")
    text = str(value)
    if re.fullmatch(r"\d{1,10}(\.\d{1,6})?", text):
        seconds, _, micros = text.partition(".")
        return f"{int(seconds):010d}.{micros.ljust(6, '0')}"
    raise fail(error, f"{value!r} is not a message timestamp")


def _find_message(account: ApiAccount, channel: str, ts: Any) -> dict[str, Any] | None:
    if not isinstance(ts, str | int | float) or isinstance(ts, bool):
        return None
    try:
        key = _ts_text(ts, "message_not_found")
    except ApiError:
        return None
    return account.find("message", f"{channel}-{key}")


def _content(call: ApiCall, *, required: bool) -> dict[str, Any]:
    content: dict[str, Any] = {}
    text = call.params.get("text")
    if text is not None:
        if len(str(text)) > MAX_TEXT:
            raise fail("msg_too_long")
        content["text"] = str(text)
    for field in ("blocks", "attachments"):
        value = call.params.get(field)
        if value in (None, ""):
            continue
        try:
            parsed = json.loads(value) if isinstance(value, str) else value
        except ValueError:
            raise ApiError(400, f"{field} must be a JSON array") from None
        if not isinstance(parsed, list) or not all(isinstance(item, dict) for item in parsed):
            raise ApiError(400, f"{field} must be a JSON array of objects")
        if field == "attachments" and len(parsed) > 100:
            raise fail("too_many_attachments")
        content[field] = parsed
    if required and not content.get("text") and not content.get("blocks") and not content.get("attachments"):
        raise fail("no_text", "a message needs text, blocks or attachments")
    return content


def _public_message(stored: dict[str, Any]) -> dict[str, Any]:
    return dict(stored["message"])


async def chat_post_message(account: ApiAccount, call: ApiCall) -> Reply:
    space = workspace(account)
    stored_channel = _member_of(account, space, call.params.get("channel"))
    if stored_channel["channel"]["is_archived"]:
        raise fail("is_archived")
    content = _content(call, required=True)
    channel = stored_channel["id"]
    parent = None
    thread_ts = call.params.get("thread_ts")
    if thread_ts not in (None, ""):
        parent = _find_message(account, channel, thread_ts)
        if parent is None:
            raise fail("thread_not_found", f"no message {thread_ts} in {channel} to reply to")
        if parent["message"].get("parent_user_id"):
            parent = account.find("message", f"{channel}-{parent['message']['thread_ts']}")
            assert parent is not None
    ts = _new_ts(account, channel)
    message: dict[str, Any] = {
        "type": "message",
        "user": space.bot_user,
        "bot_id": space.bot_id,
        "team": space.team_id,
        "ts": ts,
        "text": content.get("text", ""),
        **{field: content[field] for field in ("blocks", "attachments") if field in content},
    }
    broadcast = bool(call.params.get("reply_broadcast"))
    if parent is not None:
        parent_ts = parent["message"]["ts"]
        message["thread_ts"] = parent_ts
        message["parent_user_id"] = parent["message"]["user"]
        if broadcast:
            message["subtype"] = "thread_broadcast"
        head = parent["message"]
        head["thread_ts"] = parent_ts
        head["reply_count"] = head.get("reply_count", 0) + 1
        head["reply_users"] = list(dict.fromkeys([*head.get("reply_users", []), space.bot_user]))
        head["reply_users_count"] = len(head["reply_users"])
        head["latest_reply"] = ts
        account.save("message", parent)
    account.create(
        "message",
        {
            "id": f"{channel}-{ts}",
            "channel": channel,
            "ts": ts,
            "top_level": parent is None or broadcast,
            "thread": parent["message"]["ts"] if parent is not None else ts,
            "message": message,
        },
    )
    emit(
        account,
        space,
        {**message, "channel": channel, "channel_type": _channel_type(stored_channel), "event_ts": ts},
    )
    return Reply({"ok": True, "channel": channel, "ts": ts, "message": message})


def _own_message(account: ApiAccount, space: Workspace, call: ApiCall, refusal: str) -> tuple[dict, dict]:
    stored_channel = _visible_channel(account, space, call.params.get("channel"))
    stored = _find_message(account, stored_channel["id"], call.params.get("ts"))
    if stored is None:
        raise fail("message_not_found")
    if stored["message"]["user"] != space.bot_user:
        raise fail(refusal, "only messages this app posted can be changed")
    return stored_channel, stored


async def chat_update(account: ApiAccount, call: ApiCall) -> Reply:
    space = workspace(account)
    stored_channel, stored = _own_message(account, space, call, "cant_update_message")
    content = _content(call, required=False)
    if not content:
        raise fail("no_text", "give the new text, blocks or attachments")
    previous = _public_message(stored)
    stored["message"].update(content)
    account.save("message", stored)
    channel = stored_channel["id"]
    emit(
        account,
        space,
        {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "channel": channel,
            "channel_type": _channel_type(stored_channel),
            "message": _public_message(stored),
            "previous_message": previous,
            "ts": _new_ts(account, channel),
        },
    )
    message = _public_message(stored)
    return Reply({"ok": True, "channel": channel, "ts": message["ts"], "text": message["text"], "message": message})


async def chat_delete(account: ApiAccount, call: ApiCall) -> Reply:
    space = workspace(account)
    stored_channel, stored = _own_message(account, space, call, "cant_delete_message")
    channel = stored_channel["id"]
    message = _public_message(stored)
    account.remove("message", stored["id"])
    if message.get("parent_user_id"):
        parent = account.find("message", f"{channel}-{message['thread_ts']}")
        if parent is not None:
            head = parent["message"]
            head["reply_count"] = max(head.get("reply_count", 1) - 1, 0)
            account.save("message", parent)
    emit(
        account,
        space,
        {
            "type": "message",
            "subtype": "message_deleted",
            "hidden": True,
            "channel": channel,
            "channel_type": _channel_type(stored_channel),
            "deleted_ts": message["ts"],
            "previous_message": message,
            "ts": _new_ts(account, channel),
        },
    )
    return Reply({"ok": True, "channel": channel, "ts": message["ts"]})


def _time_window(call: ApiCall) -> dict[str, Any]:
    inclusive = bool(call.params.get("inclusive"))
    window: dict[str, Any] = {}
    if call.params.get("latest") not in (None, ""):
        window["lte" if inclusive else "lt"] = _ts_text(call.params["latest"], "invalid_ts_latest")
    if call.params.get("oldest") not in (None, ""):
        window["gte" if inclusive else "gt"] = _ts_text(call.params["oldest"], "invalid_ts_oldest")
    return window


async def conversations_history(account: ApiAccount, call: ApiCall) -> Reply:
    space = workspace(account)
    stored_channel = _member_of(account, space, call.params.get("channel"))
    where: dict[str, Any] = {"channel": stored_channel["id"], "top_level": True}
    window = _time_window(call)
    if window:
        where["ts"] = window
    limit = _limit(call.params.get("limit"))
    items, next_cursor = _page(account, "message", call.params.get("cursor"), limit, where=where, newest_first=True)
    return Reply(
        {
            "ok": True,
            "messages": [_public_message(item) for item in items],
            "has_more": bool(next_cursor),
            "pin_count": 0,
            "channel_actions_ts": None,
            "channel_actions_count": 0,
            "response_metadata": {"next_cursor": next_cursor},
        }
    )


async def conversations_replies(account: ApiAccount, call: ApiCall) -> Reply:
    space = workspace(account)
    stored_channel = _member_of(account, space, call.params.get("channel"))
    head = _find_message(account, stored_channel["id"], call.params.get("ts"))
    if head is None:
        raise fail("thread_not_found")
    where: dict[str, Any] = {"channel": stored_channel["id"], "thread": head["thread"]}
    window = _time_window(call)
    if window:
        where["ts"] = window
    limit = _limit(call.params.get("limit"), default=MAX_LIMIT)
    items, next_cursor = _page(account, "message", call.params.get("cursor"), limit, where=where, newest_first=False)
    return Reply(
        {
            "ok": True,
            "messages": [_public_message(item) for item in items],
            "has_more": bool(next_cursor),
            "response_metadata": {"next_cursor": next_cursor},
        }
    )


# -- reactions ------------------------------------------------------------------------------------------


def _reacted_message(account: ApiAccount, space: Workspace, call: ApiCall) -> tuple[dict, dict]:
    if call.params.get("channel") in (None, "") or call.params.get("timestamp") in (None, ""):
        raise fail("no_item_specified", "give the channel and the timestamp of the message")
    try:
        stored_channel = _visible_channel(account, space, call.params.get("channel"))
    except ApiError:
        raise fail("message_not_found") from None
    stored = _find_message(account, stored_channel["id"], call.params.get("timestamp"))
    if stored is None:
        raise fail("message_not_found")
    return stored_channel, stored


def _emoji(call: ApiCall) -> str:
    name = str(call.params.get("name", "")).strip().strip(":")
    if not EMOJI_NAME.fullmatch(name) or len(name) > 100:
        raise fail("invalid_name", "an emoji name is lower-case letters, digits, '_', '+', '-'")
    return name


def _reaction_event(
    space: Workspace, kind: str, name: str, stored_channel: dict[str, Any], stored: dict[str, Any]
) -> dict[str, Any]:
    return {
        "type": kind,
        "user": space.bot_user,
        "reaction": name,
        "item_user": stored["message"]["user"],
        "item": {"type": "message", "channel": stored_channel["id"], "ts": stored["message"]["ts"]},
    }


async def reactions_add(account: ApiAccount, call: ApiCall) -> Reply:
    space = workspace(account)
    name = _emoji(call)
    stored_channel, stored = _reacted_message(account, space, call)
    reactions = stored["message"].setdefault("reactions", [])
    reaction = next((r for r in reactions if r["name"] == name), None)
    if reaction is None:
        if len(reactions) >= 50:
            raise fail("too_many_reactions")
        reaction = {"name": name, "users": [], "count": 0}
        reactions.append(reaction)
    if space.bot_user in reaction["users"]:
        raise fail("already_reacted")
    reaction["users"].append(space.bot_user)
    reaction["count"] += 1
    account.save("message", stored)
    emit(account, space, _reaction_event(space, "reaction_added", name, stored_channel, stored))
    return Reply({"ok": True})


async def reactions_remove(account: ApiAccount, call: ApiCall) -> Reply:
    space = workspace(account)
    name = _emoji(call)
    stored_channel, stored = _reacted_message(account, space, call)
    reactions = stored["message"].get("reactions", [])
    reaction = next((r for r in reactions if r["name"] == name and space.bot_user in r["users"]), None)
    if reaction is None:
        raise fail("no_reaction")
    reaction["users"].remove(space.bot_user)
    reaction["count"] -= 1
    stored["message"]["reactions"] = [r for r in reactions if r["count"] > 0]
    if not stored["message"]["reactions"]:
        del stored["message"]["reactions"]
    account.save("message", stored)
    emit(account, space, _reaction_event(space, "reaction_removed", name, stored_channel, stored))
    return Reply({"ok": True})


async def reactions_get(account: ApiAccount, call: ApiCall) -> Reply:
    space = workspace(account)
    stored_channel, stored = _reacted_message(account, space, call)
    return Reply({"ok": True, "type": "message", "channel": stored_channel["id"], "message": _public_message(stored)})


async def auth_test(account: ApiAccount, call: ApiCall) -> Reply:
    space = workspace(account)
    return Reply(
        {
            "ok": True,
            "url": f"https://{space.domain}.slack.com/",
            "team": space.tenant,
            "user": "dotdo",
            "team_id": space.team_id,
            "user_id": space.bot_user,
            "bot_id": space.bot_id,
            "is_enterprise_install": False,
        }
    )


# -- apps and events ------------------------------------------------------------------------------------


def emit(account: ApiAccount, space: Workspace, event: dict[str, Any]) -> None:
    """Queue `event` for every app subscribed to it (in the same commit as the change it reports)."""
    subscription = events.subscription_of(event)
    for app in account.ctx.things.find("app", limit=1000):
        if subscription not in app.data["events"]:
            continue
        wrapped = events.envelope(app.data, space.team_id, space.bot_user, event)
        account.ctx.things.create("event", wrapped["event_id"], id=wrapped["event_id"], data=wrapped)
        account.queue_webhooks({"id": wrapped["event_id"]}, [app.data])


async def create_app(account: ApiAccount, manifest: dict[str, Any]) -> dict[str, Any]:
    """An app from a manifest; a request URL must pass Slack's `url_verification` handshake first."""
    space = workspace(account)
    settings = manifest.get("settings") if isinstance(manifest.get("settings"), dict) else {}
    subscriptions = settings.get("event_subscriptions") if isinstance(settings.get("event_subscriptions"), dict) else {}
    url = subscriptions.get("request_url")
    bot_events = subscriptions.get("bot_events") or []
    information = manifest.get("display_information") if isinstance(manifest.get("display_information"), dict) else {}
    name = information.get("name")
    problems = []
    if not isinstance(name, str) or not name.strip():
        problems.append({"message": "must provide a name", "pointer": "/display_information/name"})
    if url is not None and (not isinstance(url, str) or not url.startswith(("http://", "https://"))):
        problems.append({"message": "must be an http or https URL", "pointer": "/settings/event_subscriptions/request_url"})
    if not isinstance(bot_events, list) or not all(isinstance(e, str) for e in bot_events):
        problems.append({"message": "must be a list of event names", "pointer": "/settings/event_subscriptions/bot_events"})
    app = {
        "id": slack_id("A"),
        "name": name,
        "url": url,
        "events": bot_events,
        "signing_secret": secrets.token_hex(16),
        "verification_token": secrets.token_urlsafe(18),
        "client_id": f"{secrets.randbelow(10**12)}.{secrets.randbelow(10**13)}",
        "client_secret": secrets.token_hex(16),
    }
    if not problems and url is not None:
        failure = await events.verify_request_url(url, app["signing_secret"], app["verification_token"])
        if failure is not None:
            problems.append({"message": failure, "pointer": "/settings/event_subscriptions/request_url"})
    if problems:
        return {"ok": False, "error": "invalid_manifest", "errors": problems}
    account.create("app", app)
    return {
        "ok": True,
        "app_id": app["id"],
        "credentials": {
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "verification_token": app["verification_token"],
            "signing_secret": app["signing_secret"],
        },
        "oauth_authorize_url": f"https://{space.domain}.slack.com/oauth/v2/authorize?client_id={app['client_id']}",
    }


class SlackWorkspace(ApiAccount):
    """A tenant's Slack workspace: its users, channels, messages, reactions and apps."""

    service_name: ClassVar[str] = "slack"
    handlers: ClassVar[dict[str, Handler]] = {
        "auth_test": auth_test,
        "conversations_create": conversations_create,
        "conversations_list": conversations_list,
        "conversations_history": conversations_history,
        "conversations_replies": conversations_replies,
        "conversations_join": conversations_join,
        "conversations_invite": conversations_invite,
        "conversations_info": conversations_info,
        "conversations_members": conversations_members,
        "conversations_archive": conversations_archive,
        "chat_postMessage": chat_post_message,
        "chat_update": chat_update,
        "chat_delete": chat_delete,
        "users_list": users_list,
        "users_info": users_info,
        "users_lookupByEmail": users_lookup_by_email,
        "reactions_add": reactions_add,
        "reactions_remove": reactions_remove,
        "reactions_get": reactions_get,
    }

    async def create_app(self, manifest: dict[str, Any]) -> dict[str, Any]:
        """`apps.manifest.create`: an app, with its credentials, or `invalid_manifest` and what is wrong."""
        return await create_app(self, manifest)

    async def provision_user(self, scim: dict[str, Any]) -> dict[str, Any]:
        """SCIM `POST /Users`: a new member of the workspace."""
        return provision_user(self, scim)

    def delivery_headers(
        self, endpoint: dict[str, Any], event: dict[str, Any], payload: bytes, retries: int
    ) -> dict[str, str]:
        """Slack's signature with the app's signing secret, and the retry's number after a failure."""
        return events.signed_headers(endpoint["signing_secret"], payload, retries)
