"""Every method the Slack layer serves answers bodies, successes and errors, that validate against Slack's schemas."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

import dotdo.compat.slack
from dotdo.compat.openapi import bearer_tokens, response_errors
from dotdo.compat.slack import OPERATIONS
from dotdo.compat.slack.app import document
from tests.compat.conftest import CompatServer


class CheckedClient:
    """Calls methods through the WebClient and checks each answer against the method's schema for it."""

    def __init__(self, client: WebClient) -> None:
        self.client = client
        self.called: set[str] = set()
        self.failed: set[str] = set()
        self.problems: list[str] = []

    def __call__(self, operation_id: str, **arguments: Any) -> Any:
        method = getattr(self.client, operation_id)
        try:
            data = method(**arguments).data
        except SlackApiError as error:
            data = error.response.data
            self.failed.add(operation_id)
        operation = document().operation(operation_id)
        pointer = operation.response_pointers["200" if data.get("ok") else "default"]
        self.called.add(operation_id)
        self.problems += [f"{operation_id}: {problem}" for problem in response_errors(document(), pointer, data)]
        return data


@pytest.fixture(scope="module")
def call(slack_server: CompatServer) -> CheckedClient:
    token = bearer_tokens.mint(slack_server.key, "xoxb-")
    scim = dotdo.compat.slack.scim_client(slack_server.url, token=token)
    scim.create_user({"userName": "grace", "emails": [{"value": "grace@example.com", "primary": True}]})
    return CheckedClient(dotdo.compat.slack.client(slack_server.url, token=token))


def test_every_served_method_answers_schema_valid_bodies(call: CheckedClient) -> None:
    call("auth_test")
    channel = call("conversations_create", name="schemas")["channel"]["id"]
    call("conversations_create", name="schemas")
    call("conversations_create", name="private-schemas", is_private=True)
    call("conversations_list", types="public_channel,private_channel", limit=1)
    call("conversations_info", channel=channel, include_num_members=True)
    call("conversations_info", channel="C0000000000")
    call("conversations_join", channel=channel)
    grace = call("users_lookupByEmail", email="grace@example.com")["user"]["id"]
    call("users_lookupByEmail", email="nobody@example.com")
    call("users_info", user=grace)
    call("users_info", user="U0000000000")
    call("users_list", limit=1)
    call("conversations_invite", channel=channel, users=grace)
    call("conversations_invite", channel=channel, users=grace)
    call("conversations_members", channel=channel, limit=1)
    head = call("chat_postMessage", channel=channel, text="head", blocks=[{"type": "divider"}])["ts"]
    call("chat_postMessage", channel=channel, text="x", thread_ts="1000000000.000001")
    reply = call("chat_postMessage", channel=channel, text="reply", thread_ts=head)["ts"]
    call("chat_postMessage", channel=channel, text="broadcast", thread_ts=head, reply_broadcast=True)
    call("reactions_add", channel=channel, timestamp=head, name="tada")
    call("reactions_add", channel=channel, timestamp=head, name="tada")
    call("reactions_get", channel=channel, timestamp=head, full=True)
    call("reactions_get", channel=channel, timestamp="1000000000.000001")
    call("conversations_history", channel=channel, limit=1)
    call("conversations_history", channel="C0000000000")
    call("conversations_replies", channel=channel, ts=head, limit=1)
    call("conversations_replies", channel=channel, ts="1000000000.000001")
    call("reactions_remove", channel=channel, timestamp=head, name="tada")
    call("reactions_remove", channel=channel, timestamp=head, name="tada")
    call("chat_update", channel=channel, ts=head, text="edited")
    call("chat_update", channel=channel, ts="1000000000.000001", text="edited")
    call("chat_delete", channel=channel, ts=reply)
    call("chat_delete", channel=channel, ts=reply)
    call("conversations_archive", channel=channel)
    call("conversations_archive", channel=channel)
    call("conversations_join", channel=channel)
    call("conversations_members", channel="C0000000000")
    call("auth_test", token="xoxb-forged.token")

    assert call.called == OPERATIONS
    assert call.failed == OPERATIONS - {"users_list", "conversations_list"}
    assert call.problems == []
