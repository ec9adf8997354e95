"""The official `sendgrid` SDK against `dotdo compat serve sendgrid`: mail kept and searchable, never delivered."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from python_http_client.exceptions import BadRequestsError, UnauthorizedError
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import Mail, Personalization, To

import dotdo.compat.sendgrid
from dotdo.compat.openapi import ApiError, bearer_tokens, response_errors
from dotdo.compat.sendgrid.account import parse_query
from dotdo.compat.sendgrid.app import document
from tests.compat.conftest import CompatServer


@pytest.fixture(scope="module")
def client(messaging_server: CompatServer) -> SendGridAPIClient:
    return dotdo.compat.sendgrid.client(messaging_server.url, key=bearer_tokens.mint(messaging_server.key, "SG."))


def test_sent_mail_is_found_by_the_email_activity_api(client: SendGridAPIClient) -> None:
    mail = Mail(from_email="news@acme.dev", subject="Issue 12", html_content="<p>news</p>")
    for address in ("ada@example.com", "bob@example.com"):
        personalization = Personalization()
        personalization.add_to(To(address))
        mail.add_personalization(personalization)
    sent = client.send(mail)
    assert sent.status_code == 202 and sent.headers["X-Message-Id"]
    found = json.loads(
        client.client.messages.get(query_params={"query": 'to_email="bob@example.com"', "limit": 5}).body
    )
    assert [m["subject"] for m in found["messages"]] == ["Issue 12"]
    message = json.loads(client.client.messages._(found["messages"][0]["msg_id"]).get().body)
    assert message["to_email"] == "bob@example.com" and [e["event_name"] for e in message["events"]] == [
        "processed",
        "delivered",
    ]


def test_the_query_language_subset() -> None:
    assert parse_query('to_email="a@b.c" AND status="delivered"') == {"to_email": "a@b.c", "status": "delivered"}
    for bad in ('to_email LIKE "a"', 'password="x"', 'to_email="a" OR status="b"'):
        with pytest.raises(ApiError):
            parse_query(bad)


def test_bad_mail_and_bad_keys_get_sendgrids_errors(client: SendGridAPIClient, messaging_server: CompatServer) -> None:
    with pytest.raises(BadRequestsError) as missing:
        client.client.mail.send.post(request_body={"from": {"email": "a@acme.dev"}, "subject": "x"})
    assert json.loads(missing.value.body)["errors"][0]["field"] == "personalizations"
    forged = SendGridAPIClient(api_key="SG.FORGED.key", host=messaging_server.url)
    with pytest.raises(UnauthorizedError):
        forged.client.messages.get(query_params={"query": ""})


def test_answers_validate_against_sendgrids_schemas(messaging_server: CompatServer) -> None:
    token = bearer_tokens.mint(messaging_server.key, "SG.")
    http = httpx.Client(base_url=f"{messaging_server.url}/v3", headers={"Authorization": f"Bearer {token}"})
    body = {
        "personalizations": [{"to": [{"email": "c@example.com"}]}],
        "from": {"email": "a@acme.dev"},
        "subject": "Schema check",
    }
    body["content"] = [{"type": "text/plain", "value": "v"}]
    assert http.post("/mail/send", json=body).status_code == 202
    listed = http.get("/messages", params={"query": 'to_email="c@example.com"'})
    fetched = http.get(f"/messages/{listed.json()['messages'][0]['msg_id']}")
    for operation_id, response in (("GET-messages", listed), ("GET-v3-messages-msg_id", fetched)):
        pointer = document().operation(operation_id).response_pointers[str(response.status_code)]
        problems = response_errors(document(), pointer, response.json())
        remaining = [p for p in problems if not documented_contradiction(p)]
        assert remaining == [], (operation_id, remaining)


def documented_contradiction(problem: str) -> bool:
    """What SendGrid's document asks that no answer can give honestly.

    A message's `last_event_time` is typed an integer in one branch of an allOf and text beside it
    (its own example is ISO 8601 text), so no value satisfies both; every event must carry a
    `bounce_type` of soft or hard and a clicked `url`, deliveries included; `asm_group_id` (an
    unsubscribe group, at least 1) is required of mail sent without one.
    """
    return (
        problem.startswith("messages[0][last_event_time]: ") and "is not of type 'integer'" in problem
    ) or problem.endswith(
        (
            "'bounce_type' is a required property",
            "'url' is a required property",
            "'asm_group_id' is a required property",
        )
    )


def test_message_ids_have_sendgrids_shape(client: SendGridAPIClient) -> None:
    # SendGrid's document says ^[A-Za-z0-9]+ for a message id: a random id may never start with "-" or "_".
    ids = set()
    for i in range(150):
        mail = Mail(from_email="news@acme.dev", to_emails=f"reader{i}@example.com", subject="id", html_content="x")
        ids.add(client.send(mail).headers["X-Message-Id"])
    assert len(ids) == 150 and all(re.fullmatch(r"[A-Za-z0-9]+", found) for found in ids)
