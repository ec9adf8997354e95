"""`SlackWorkspace`: one tenant's Slack workspace as a durable object, with the handler of every method served.

The workspace has one app whose bot user makes every Web API call (the `xoxb-` token's user), the
users provisioned through SCIM, channels (things of type `channel`, members kept inside) and messages
(things of type `message`, one per channel and `ts`). Message timestamps are Slack's: seconds and
microseconds (`1712345678.000123`), unique in the workspace, so they order a channel's history and
name a thread. Apps created from a manifest with a request URL receive the workspace's events,
signed with their signing secret, through the engine's durable outbox.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..openapi import ApiAccount, ApiCall, Handler, Reply
from . import events
from .apps import create_app, delete_app
from .channels import (
    conversations_archive,
    conversations_create,
    conversations_info,
    conversations_invite,
    conversations_join,
    conversations_list,
    conversations_members,
)
from .messages import (
    chat_delete,
    chat_post_message,
    chat_update,
    conversations_history,
    conversations_replies,
    reactions_add,
    reactions_get,
    reactions_remove,
)
from .users import provision_user, users_info, users_list, users_lookup_by_email
from .workspace import team_id, workspace

__all__ = ["SlackWorkspace", "team_id"]


async def auth_test(account: ApiAccount, call: ApiCall) -> Reply:
    """`auth.test`: the bot user, its team and the workspace's URL."""
    space = await workspace(account)
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


class SlackWorkspace(ApiAccount):
    """A tenant's Slack workspace: its users, channels, messages, reactions and apps."""

    service_name: ClassVar[str] = "slack"
    shardable: ClassVar[bool] = False  # channel and user names are looked up in the graph directly
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

    async def delete_app(self, app_id: str) -> dict[str, Any]:
        """`apps.manifest.delete`: the app and its event subscriptions removed."""
        return await delete_app(self, app_id)

    async def provision_user(self, scim: dict[str, Any]) -> dict[str, Any]:
        """SCIM `POST /Users`: a new member of the workspace."""
        return await provision_user(self, scim)

    def delivery_headers(
        self, endpoint: dict[str, Any], event: dict[str, Any], payload: bytes, retries: int
    ) -> dict[str, str]:
        """Slack's signature with the app's signing secret, and the retry's number after a failure."""
        return events.signed_headers(endpoint["signing_secret"], payload, retries)
