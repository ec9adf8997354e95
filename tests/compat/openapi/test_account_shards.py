"""The engine's accounts sharded for every layer on it: Twilio, SendGrid and Resend through their SDKs.

Tenant `big` is spread over three shard objects (`--account-shards big=3`); tenant `solo` is not, and
answers the same calls as the oracle.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sendgrid.helpers.mail import Mail
from twilio.base.exceptions import TwilioRestException

import dotdo.compat.resend
import dotdo.compat.sendgrid
import dotdo.compat.twilio
from dotdo.compat import AccessKey, Credentials
from dotdo.compat.openapi import bearer_tokens
from dotdo.compat.openapi.account_admin import account_layout
from dotdo.compat.twilio.app import ACCOUNT_PATH
from tests.compat.conftest import CompatServer, start_server, stop_server

KEYS: dict[str, AccessKey] = {}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CompatServer]:
    data_dir: Path = tmp_path_factory.mktemp("compat-messaging-shards")
    for tenant in ("big", "solo"):
        KEYS[tenant] = Credentials(data_dir / "compat").create(tenant)
    found = start_server(data_dir, ["resend", "twilio", "sendgrid"], None, "--account-shards", "big=3")
    yield found
    stop_server(found)


def each_tenant(calls: Callable[[str], Any]) -> tuple[Any, Any]:
    """The same calls as the sharded tenant, then as the unsharded one."""
    return calls("big"), calls("solo")


def test_twilio_messages_page_fetch_and_delete_across_shards(server: CompatServer) -> None:
    def run(tenant: str) -> list[Any]:
        key = KEYS[tenant]
        client = dotdo.compat.twilio.client(
            server.url, access_key_id=key.access_key_id, secret=key.secret, tenant=tenant
        )
        sids = [client.messages.create(to="+15550001", from_="+15550002", body=f"m{i}").sid for i in range(7)]
        listed = [m.body for m in client.messages.list(page_size=3)]
        assert client.messages(sids[3]).fetch().body == "m3"
        assert client.messages(sids[3]).delete() is True
        with pytest.raises(TwilioRestException) as gone:
            client.messages(sids[3]).fetch()
        return [listed, [m.body for m in client.messages.list(page_size=2)], gone.value.status]

    sharded, unsharded = each_tenant(run)
    assert sharded == unsharded
    assert sharded[0] == [f"m{i}" for i in reversed(range(7))]
    token = f"{KEYS['big'].access_key_id}:{KEYS['big'].secret}"
    layout = account_layout(
        server.url + ACCOUNT_PATH, {"Authorization": "Basic " + base64.b64encode(token.encode()).decode()}
    )
    assert layout["shards"] == 3 and sum(layout["counts"].values()) == 6 and len(layout["counts"]) == 3


def test_resend_emails_page_with_cursors_across_shards(server: CompatServer) -> None:
    def run(tenant: str) -> list[Any]:
        sdk = dotdo.compat.resend.configure(server.url, key=bearer_tokens.mint(KEYS[tenant], "re_"))
        ids = [
            sdk.Emails.send({"from": "a@acme.dev", "to": "b@x.com", "subject": f"e{i}", "text": "t"})["id"]
            for i in range(7)
        ]
        first = sdk.Emails.list({"limit": 3})
        second = sdk.Emails.list({"limit": 3, "after": first["data"][-1]["id"]})
        back = sdk.Emails.list({"limit": 2, "before": second["data"][0]["id"]})
        assert sdk.Emails.get(ids[5])["subject"] == "e5"
        return [[[e["subject"] for e in page["data"]], page["has_more"]] for page in (first, second, back)]

    sharded, unsharded = each_tenant(run)
    assert sharded == unsharded == [[["e6", "e5", "e4"], True], [["e3", "e2", "e1"], True], [["e5", "e4"], True]]


def test_sendgrid_mail_is_found_across_shards(server: CompatServer) -> None:
    def run(tenant: str) -> list[Any]:
        client = dotdo.compat.sendgrid.client(server.url, key=bearer_tokens.mint(KEYS[tenant], "SG."))
        for i in range(5):
            client.send(
                Mail(from_email="news@acme.dev", to_emails=f"r{i}@x.com", subject=f"s{i}", plain_text_content="t")
            )
        found = json.loads(
            client.client.messages.get(query_params={"query": 'from_email="news@acme.dev"', "limit": 10}).body
        )
        one = json.loads(client.client.messages._(found["messages"][1]["msg_id"]).get().body)
        return [[m["subject"] for m in found["messages"]], one["subject"]]

    sharded, unsharded = each_tenant(run)
    assert sharded == unsharded == [["s4", "s3", "s2", "s1", "s0"], "s3"]
