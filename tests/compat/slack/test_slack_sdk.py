"""The official `slack_sdk` WebClient against `dotdo compat serve slack`: a workspace kept per tenant."""

from __future__ import annotations

import re

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.scim import SCIMClient

import dotdo.compat.slack
from dotdo.compat.openapi import bearer_tokens
from tests.compat.conftest import CompatServer

TS = re.compile(r"\d{10}\.\d{6}")


@pytest.fixture(scope="module")
def client(slack_server: CompatServer) -> WebClient:
    return dotdo.compat.slack.client(slack_server.url, token=bearer_tokens.mint(slack_server.key, "xoxb-"))


@pytest.fixture(scope="module")
def scim(slack_server: CompatServer) -> SCIMClient:
    return dotdo.compat.slack.scim_client(slack_server.url, token=bearer_tokens.mint(slack_server.key, "xoxb-"))


def error_of(call: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(SlackApiError) as raised:
        call(*args, **kwargs)  # type: ignore[operator]
    assert raised.value.response.status_code == 200
    return str(raised.value.response["error"])


def test_auth_test_names_the_bot_and_its_team(client: WebClient) -> None:
    answer = client.auth_test()
    assert answer["ok"] is True
    assert re.fullmatch(r"T[A-Z0-9]{10}", answer["team_id"]) and re.fullmatch(r"U[A-Z0-9]{10}", answer["user_id"])
    assert answer["bot_id"].startswith("B")


def test_channels_are_created_listed_joined_and_archived(client: WebClient) -> None:
    created = client.conversations_create(name="launch")["channel"]
    assert re.fullmatch(r"C[A-Z0-9]{10}", created["id"]) and created["is_member"] is True
    assert error_of(client.conversations_create, name="launch") == "name_taken"
    assert error_of(client.conversations_create, name="Has Spaces") == "invalid_name_specials"
    secret = client.conversations_create(name="secret-plans", is_private=True)["channel"]
    assert secret["is_private"] is True
    public = [c["name"] for c in client.conversations_list()["channels"]]
    assert "launch" in public and "general" in public and "secret-plans" not in public
    both = client.conversations_list(types="public_channel,private_channel")["channels"]
    assert "secret-plans" in [c["name"] for c in both]
    assert client.conversations_info(channel=created["id"], include_num_members=True)["channel"]["num_members"] == 1
    assert client.conversations_join(channel=created["id"])["warning"] == "already_in_channel"
    assert error_of(client.conversations_join, channel=secret["id"]) == "method_not_supported_for_channel_type"
    client.conversations_archive(channel=created["id"])
    assert client.conversations_info(channel=created["id"])["channel"]["is_archived"] is True
    assert error_of(client.conversations_archive, channel=created["id"]) == "already_archived"
    assert error_of(client.chat_postMessage, channel=created["id"], text="late") == "is_archived"
    listed = client.conversations_list(exclude_archived=True)["channels"]
    assert created["id"] not in [c["id"] for c in listed]
    assert error_of(client.conversations_info, channel="C0000000000") == "channel_not_found"


def test_users_are_provisioned_invited_and_looked_up(client: WebClient, scim: SCIMClient) -> None:
    made = scim.create_user(
        {
            "userName": "ada",
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "emails": [{"value": "ada@example.com", "primary": True}],
        }
    )
    assert made.status_code == 201
    ada = made.user.id
    assert re.fullmatch(r"U[A-Z0-9]{10}", ada)
    assert scim.create_user({"userName": "ada", "emails": []}).status_code == 409
    assert client.users_lookupByEmail(email="ADA@example.com")["user"]["id"] == ada
    assert client.users_info(user=ada)["user"]["real_name"] == "Ada Lovelace"
    assert error_of(client.users_lookupByEmail, email="nobody@example.com") == "users_not_found"
    assert error_of(client.users_info, user="U0000000000") == "user_not_found"
    assert ada in [u["id"] for u in client.users_list()["members"]]
    channel = client.conversations_create(name="crew")["channel"]["id"]
    client.conversations_invite(channel=channel, users=[ada])
    assert set(client.conversations_members(channel=channel)["members"]) == {ada, client.auth_test()["user_id"]}
    assert error_of(client.conversations_invite, channel=channel, users=ada) == "already_in_channel"
    assert error_of(client.conversations_invite, channel=channel, users="U0000000000") == "user_not_found"
    assert (
        error_of(client.conversations_invite, channel=channel, users=client.auth_test()["user_id"])
        == "cant_invite_self"
    )


def test_messages_threads_edits_and_deletes(client: WebClient) -> None:
    channel = client.conversations_create(name="threads")["channel"]["id"]
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*ship it*"}}]
    posted = client.chat_postMessage(channel=channel, text="ship it", blocks=blocks)
    assert TS.fullmatch(posted["ts"]) and posted["message"]["blocks"] == blocks
    by_name = client.chat_postMessage(channel="#threads", text="by name")
    assert by_name["channel"] == channel
    reply = client.chat_postMessage(channel=channel, text="on it", thread_ts=posted["ts"])
    broadcast = client.chat_postMessage(channel=channel, text="done", thread_ts=posted["ts"], reply_broadcast=True)
    assert reply["message"]["thread_ts"] == posted["ts"]
    thread = client.conversations_replies(channel=channel, ts=posted["ts"])["messages"]
    assert [m["text"] for m in thread] == ["ship it", "on it", "done"]
    assert thread[0]["reply_count"] == 2 and thread[0]["latest_reply"] == broadcast["ts"]
    history = [m["text"] for m in client.conversations_history(channel=channel)["messages"]]
    assert history == ["done", "by name", "ship it"]
    client.chat_update(channel=channel, ts=posted["ts"], text="shipped")
    client.chat_delete(channel=channel, ts=reply["ts"])
    thread = client.conversations_replies(channel=channel, ts=posted["ts"])["messages"]
    assert [m["text"] for m in thread] == ["shipped", "done"]
    assert error_of(client.chat_delete, channel=channel, ts=reply["ts"]) == "message_not_found"
    assert (
        error_of(client.chat_postMessage, channel=channel, text="x", thread_ts="1000000000.000001")
        == "thread_not_found"
    )
    with pytest.warns(UserWarning, match="text"):
        assert error_of(client.chat_postMessage, channel=channel, blocks=[]) == "no_text"
    assert error_of(client.chat_postMessage, channel="C0000000000", text="x") == "channel_not_found"
    assert error_of(client.conversations_replies, channel=channel, ts="1000000000.000001") == "thread_not_found"


def test_history_pages_with_cursors_and_time_bounds(client: WebClient) -> None:
    channel = client.conversations_create(name="paged")["channel"]["id"]
    stamps = [client.chat_postMessage(channel=channel, text=f"m{i}")["ts"] for i in range(5)]
    seen, cursor = [], None
    while True:
        page = client.conversations_history(channel=channel, limit=2, cursor=cursor)
        seen += [m["text"] for m in page["messages"]]
        cursor = page["response_metadata"]["next_cursor"]
        assert page["has_more"] is bool(cursor)
        if not cursor:
            break
    assert seen == ["m4", "m3", "m2", "m1", "m0"]
    window = client.conversations_history(channel=channel, oldest=stamps[1], latest=stamps[3])["messages"]
    assert [m["text"] for m in window] == ["m2"]
    window = client.conversations_history(channel=channel, oldest=stamps[1], latest=stamps[3], inclusive=True)
    assert [m["text"] for m in window["messages"]] == ["m3", "m2", "m1"]
    pages = list(client.conversations_list(limit=1))
    assert len(pages) > 2 and all(len(page["channels"]) <= 1 for page in pages)
    assert error_of(client.conversations_history, channel=channel, cursor="bm90IGEgY3Vyc29y") == "invalid_cursor"


def test_reactions_are_added_read_and_removed(client: WebClient) -> None:
    channel = client.conversations_create(name="reactions")["channel"]["id"]
    ts = client.chat_postMessage(channel=channel, text="react to me")["ts"]
    client.reactions_add(channel=channel, timestamp=ts, name="tada")
    client.reactions_add(channel=channel, timestamp=ts, name=":eyes:")
    got = client.reactions_get(channel=channel, timestamp=ts)
    assert {(r["name"], r["count"]) for r in got["message"]["reactions"]} == {("tada", 1), ("eyes", 1)}
    assert error_of(client.reactions_add, channel=channel, timestamp=ts, name="tada") == "already_reacted"
    client.reactions_remove(channel=channel, timestamp=ts, name="tada")
    assert [r["name"] for r in client.reactions_get(channel=channel, timestamp=ts)["message"]["reactions"]] == ["eyes"]
    assert error_of(client.reactions_remove, channel=channel, timestamp=ts, name="tada") == "no_reaction"
    assert (
        error_of(client.reactions_add, channel=channel, timestamp="1000000000.000001", name="x") == "message_not_found"
    )
    assert error_of(client.reactions_add, channel=channel, timestamp=ts, name="not an emoji!") == "invalid_name"


def test_tokens_are_checked_and_tenants_do_not_see_each_other(client: WebClient, slack_server: CompatServer) -> None:
    base = f"{slack_server.url}/api/"
    assert error_of(WebClient(base_url=base).auth_test) == "not_authed"
    assert error_of(WebClient(token="xoxb-forged.token", base_url=base).auth_test) == "invalid_auth"
    assert error_of(WebClient(token="xoxp-not.ours", base_url=base).auth_test) == "invalid_auth"
    channel = client.conversations_create(name="private-to-acme")["channel"]["id"]
    ts = client.chat_postMessage(channel=channel, text="acme only")["ts"]
    other_key = slack_server.credentials().create("globex", ["slack"])
    other = WebClient(token=bearer_tokens.mint(other_key, "xoxb-"), base_url=base)
    assert other.auth_test()["team_id"] != client.auth_test()["team_id"]
    assert error_of(other.conversations_history, channel=channel) == "channel_not_found"
    assert error_of(other.reactions_get, channel=channel, timestamp=ts) == "message_not_found"
    assert channel not in [c["id"] for c in other.conversations_list()["channels"]]
    stripe_only = slack_server.credentials().create("acme", ["stripe"])
    refused = WebClient(token=bearer_tokens.mint(stripe_only, "xoxb-"), base_url=base)
    assert error_of(refused.auth_test) == "invalid_auth"


def test_hostile_input_is_answered_with_slack_errors(client: WebClient, slack_server: CompatServer) -> None:
    token = bearer_tokens.mint(slack_server.key, "xoxb-")
    http = httpx.Client(base_url=f"{slack_server.url}/api", headers={"Authorization": f"Bearer {token}"})
    wrong_type = http.post("/conversations.history", data={"channel": "C1", "limit": "many"}).json()
    assert wrong_type["error"] == "invalid_arguments" and "limit" in wrong_type["response_metadata"]["messages"][0]
    missing = http.post("/chat.postMessage", json={"text": "where?"}).json()
    assert missing["error"] == "invalid_arguments" and "channel" in missing["response_metadata"]["messages"][0]
    assert http.post(
        "/chat.postMessage", content=b"{not json", headers={"Content-Type": "application/json"}
    ).json() == {
        "ok": False,
        "error": "invalid_json",
    }
    channel = client.conversations_create(name="hostile")["channel"]["id"]
    ignored = http.post("/chat.postMessage", json={"channel": channel, "text": "hi", "no_such_argument": 1}).json()
    assert ignored["ok"] is True
    token_in_body = httpx.post(f"{slack_server.url}/api/auth.test", data={"token": token}).json()
    assert token_in_body["ok"] is True
    assert http.post("/no.suchMethod").json() == {"ok": False, "error": "unknown_method"}
    huge = http.post("/chat.postMessage", data={"channel": channel, "text": "x" * (2 * 1024 * 1024)})
    assert huge.status_code == 413 and huge.json()["ok"] is False
    too_long = http.post("/chat.postMessage", data={"channel": channel, "text": "x" * 40_001}).json()
    assert too_long["error"] == "msg_too_long"
    assert http.post("/conversations.create", data={"name": "x" * 81}).json()["error"] == "invalid_name_maxlength"
    bad_blocks = http.post("/chat.postMessage", data={"channel": channel, "blocks": "[1, 2]"}).json()
    assert bad_blocks["error"] == "invalid_arguments"
    for hostile in ("../../etc/passwd", "C1/../C2", "#", "'; DROP TABLE things; --"):
        assert http.post("/conversations.info", data={"channel": hostile}).json()["error"] == "channel_not_found"
    assert client.conversations_history(channel=channel)["messages"][0]["text"] == "hi"
