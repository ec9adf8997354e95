"""Slack's Web API and Events API that the official `slack_sdk` cannot tell apart from a workspace.

dotdo compat serve slack --port 9000
client = dotdo.compat.slack.client("http://127.0.0.1:9000")      # slack_sdk.WebClient, pointed at it
client.chat_postMessage(channel="#general", text="Hello")

Served from Slack's own OpenAPI document (corrected by `openapi-patches.json`, trimmed to
`operations.txt`): channels, messages and threads, reactions and users are kept per tenant (one
workspace each), and an app created with a request URL receives the workspace's events, signed with
its signing secret as Slack signs them, retried until the receiver acknowledges.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..layer import Service
from ..openapi import bearer_tokens
from ..openapi.layer_files import served_operations
from .account import SlackWorkspace, team_id
from .app import SCIM_USERS, TOKEN_PREFIXES, build

if TYPE_CHECKING:
    from starlette.types import Scope

OPERATIONS = served_operations(__file__)
_METHOD_PATH = re.compile(r"/api/[A-Za-z]+(\.[A-Za-z]+)+")


def claims(scope: Scope) -> bool:
    """Slack requests: Web API methods (`/api/chat.postMessage`) and SCIM users."""
    path = scope.get("path", "")
    return bool(_METHOD_PATH.fullmatch(path)) or path == SCIM_USERS


def token(data_dir: str = ".dotdo", tenant: str | None = None) -> str:
    """An `xoxb-…` bot token for the data folder's default tenant (or a new key's token for `tenant`)."""
    return bearer_tokens.key_for(data_dir, "slack", TOKEN_PREFIXES[0], tenant)


def client(
    endpoint_url: str = "http://127.0.0.1:9000", *, data_dir: str = ".dotdo", token: str | None = None, **options: Any
) -> Any:
    """A `slack_sdk.WebClient` pointed at dotdo (the data folder's default tenant unless a token is given)."""
    from slack_sdk import WebClient

    bot_token = token if token is not None else globals()["token"](data_dir)
    return WebClient(token=bot_token, base_url=f"{endpoint_url.rstrip('/')}/api/", **options)


def scim_client(
    endpoint_url: str = "http://127.0.0.1:9000", *, data_dir: str = ".dotdo", token: str | None = None
) -> Any:
    """A `slack_sdk.scim.SCIMClient` pointed at dotdo, to provision the workspace's users."""
    from slack_sdk.scim import SCIMClient

    bot_token = token if token is not None else globals()["token"](data_dir)
    return SCIMClient(token=bot_token, base_url=f"{endpoint_url.rstrip('/')}/scim/v1/")


service = Service(
    name="slack",
    title="Slack (Web API, Events API)",
    operations=OPERATIONS,
    build=build,
    objects=(SlackWorkspace,),
    claims=claims,
    client=client,
    notes={
        "auth_test": "every call acts as the workspace app's bot user (xoxb- tokens)",
        "conversations_join": "public channels only, as for a bot",
    },
)
"""The Slack layer as the registry lists it."""

__all__ = ["OPERATIONS", "SlackWorkspace", "client", "scim_client", "service", "team_id", "token"]
