"""Messages: posted (in threads too), edited, deleted, read back as history and replies; their reactions.

A message's `ts` is Slack's: the post's time in seconds and microseconds (`1712345678.000123`),
unique in its channel; it names the message, orders the history and names a thread.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from ..openapi import ApiAccount, ApiCall, ApiError, Reply
from .apps import emit
from .channels import channel_type, member_channel, visible_channel
from .workspace import MAX_LIMIT, Workspace, fail, limit_of, page_of, workspace

MAX_TEXT = 40_000
EMOJI_NAME = re.compile(r"[a-z0-9_+\-']+")


async def _new_ts(account: ApiAccount, channel: str) -> str:
    # Slack's ts is the post's time to the microsecond, unique within its channel.
    micros = time.time_ns() // 1000
    while await account.find("message", f"{channel}-{micros // 1_000_000}.{micros % 1_000_000:06d}") is not None:
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


async def _find_message(account: ApiAccount, channel: str, ts: Any) -> dict[str, Any] | None:
    if not isinstance(ts, str | int | float) or isinstance(ts, bool):
        return None
    try:
        key = _ts_text(ts, "message_not_found")
    except ApiError:
        return None
    return await account.find("message", f"{channel}-{key}")


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
    """`chat.postMessage`: a message in a channel or, with `thread_ts`, a reply in a thread."""
    space = await workspace(account)
    stored_channel = await member_channel(account, space, call.params.get("channel"))
    if stored_channel["channel"]["is_archived"]:
        raise fail("is_archived")
    content = _content(call, required=True)
    channel = stored_channel["id"]
    parent = None
    thread_ts = call.params.get("thread_ts")
    if thread_ts not in (None, ""):
        parent = await _find_message(account, channel, thread_ts)
        if parent is None:
            raise fail("thread_not_found", f"no message {thread_ts} in {channel} to reply to")
        if parent["message"].get("parent_user_id"):
            parent = await account.find("message", f"{channel}-{parent['message']['thread_ts']}")
            assert parent is not None
    ts = await _new_ts(account, channel)
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
        await account.save("message", parent)
    await account.create(
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
        {**message, "channel": channel, "channel_type": channel_type(stored_channel), "event_ts": ts},
    )
    return Reply({"ok": True, "channel": channel, "ts": ts, "message": message})


async def _own_message(account: ApiAccount, space: Workspace, call: ApiCall, refusal: str) -> tuple[dict, dict]:
    stored_channel = await visible_channel(account, space, call.params.get("channel"))
    stored = await _find_message(account, stored_channel["id"], call.params.get("ts"))
    if stored is None:
        raise fail("message_not_found")
    if stored["message"]["user"] != space.bot_user:
        raise fail(refusal, "only messages this app posted can be changed")
    return stored_channel, stored


async def chat_update(account: ApiAccount, call: ApiCall) -> Reply:
    """`chat.update`: new text, blocks or attachments for a message the app posted."""
    space = await workspace(account)
    stored_channel, stored = await _own_message(account, space, call, "cant_update_message")
    content = _content(call, required=False)
    if not content:
        raise fail("no_text", "give the new text, blocks or attachments")
    previous = _public_message(stored)
    stored["message"].update(content)
    await account.save("message", stored)
    channel = stored_channel["id"]
    emit(
        account,
        space,
        {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "channel": channel,
            "channel_type": channel_type(stored_channel),
            "message": _public_message(stored),
            "previous_message": previous,
            "ts": await _new_ts(account, channel),
        },
    )
    message = _public_message(stored)
    return Reply({"ok": True, "channel": channel, "ts": message["ts"], "text": message["text"], "message": message})


async def chat_delete(account: ApiAccount, call: ApiCall) -> Reply:
    """`chat.delete`: a message the app posted removed."""
    space = await workspace(account)
    stored_channel, stored = await _own_message(account, space, call, "cant_delete_message")
    channel = stored_channel["id"]
    message = _public_message(stored)
    await account.remove("message", stored["id"])
    if message.get("parent_user_id"):
        parent = await account.find("message", f"{channel}-{message['thread_ts']}")
        if parent is not None:
            head = parent["message"]
            head["reply_count"] = max(head.get("reply_count", 1) - 1, 0)
            await account.save("message", parent)
    emit(
        account,
        space,
        {
            "type": "message",
            "subtype": "message_deleted",
            "hidden": True,
            "channel": channel,
            "channel_type": channel_type(stored_channel),
            "deleted_ts": message["ts"],
            "previous_message": message,
            "ts": await _new_ts(account, channel),
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
    """`conversations.history`: a channel's messages, newest first, between `oldest` and `latest`."""
    space = await workspace(account)
    stored_channel = await member_channel(account, space, call.params.get("channel"))
    where: dict[str, Any] = {"channel": stored_channel["id"], "top_level": True}
    window = _time_window(call)
    if window:
        where["ts"] = window
    limit = limit_of(call.params.get("limit"))
    items, next_cursor = await page_of(
        account, "message", call.params.get("cursor"), limit, where=where, newest_first=True
    )
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
    """`conversations.replies`: a thread, its first message then the replies in order."""
    space = await workspace(account)
    stored_channel = await member_channel(account, space, call.params.get("channel"))
    head = await _find_message(account, stored_channel["id"], call.params.get("ts"))
    if head is None:
        raise fail("thread_not_found")
    where: dict[str, Any] = {"channel": stored_channel["id"], "thread": head["thread"]}
    window = _time_window(call)
    if window:
        where["ts"] = window
    limit = limit_of(call.params.get("limit"), default=MAX_LIMIT)
    items, next_cursor = await page_of(
        account, "message", call.params.get("cursor"), limit, where=where, newest_first=False
    )
    return Reply(
        {
            "ok": True,
            "messages": [_public_message(item) for item in items],
            "has_more": bool(next_cursor),
            "response_metadata": {"next_cursor": next_cursor},
        }
    )


async def _reacted_message(account: ApiAccount, space: Workspace, call: ApiCall) -> tuple[dict, dict]:
    if call.params.get("channel") in (None, "") or call.params.get("timestamp") in (None, ""):
        raise fail("no_item_specified", "give the channel and the timestamp of the message")
    try:
        stored_channel = await visible_channel(account, space, call.params.get("channel"))
    except ApiError:
        raise fail("message_not_found") from None
    stored = await _find_message(account, stored_channel["id"], call.params.get("timestamp"))
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
    """`reactions.add`: the bot's emoji reaction on a message."""
    space = await workspace(account)
    name = _emoji(call)
    stored_channel, stored = await _reacted_message(account, space, call)
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
    await account.save("message", stored)
    emit(account, space, _reaction_event(space, "reaction_added", name, stored_channel, stored))
    return Reply({"ok": True})


async def reactions_remove(account: ApiAccount, call: ApiCall) -> Reply:
    """`reactions.remove`: the bot's reaction taken back."""
    space = await workspace(account)
    name = _emoji(call)
    stored_channel, stored = await _reacted_message(account, space, call)
    reactions = stored["message"].get("reactions", [])
    reaction = next((r for r in reactions if r["name"] == name and space.bot_user in r["users"]), None)
    if reaction is None:
        raise fail("no_reaction")
    reaction["users"].remove(space.bot_user)
    reaction["count"] -= 1
    stored["message"]["reactions"] = [r for r in reactions if r["count"] > 0]
    if not stored["message"]["reactions"]:
        del stored["message"]["reactions"]
    await account.save("message", stored)
    emit(account, space, _reaction_event(space, "reaction_removed", name, stored_channel, stored))
    return Reply({"ok": True})


async def reactions_get(account: ApiAccount, call: ApiCall) -> Reply:
    """`reactions.get`: a message with its reactions."""
    space = await workspace(account)
    stored_channel, stored = await _reacted_message(account, space, call)
    return Reply({"ok": True, "type": "message", "channel": stored_channel["id"], "message": _public_message(stored)})
