"""The official `twilio` SDK against `dotdo compat serve twilio`: messages and calls kept, never sent."""

from __future__ import annotations

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

import dotdo.compat.twilio
from dotdo.compat.openapi import response_errors
from dotdo.compat.twilio.app import account_sid, document
from tests.compat.conftest import CompatServer


@pytest.fixture(scope="module")
def client(messaging_server: CompatServer) -> Client:
    key = messaging_server.key
    return dotdo.compat.twilio.client(
        messaging_server.url, access_key_id=key.access_key_id, secret=key.secret, tenant=key.tenant
    )


def test_messages_are_created_fetched_listed_by_page_and_deleted(client: Client) -> None:
    sent = client.messages.create(to="+15558675310", from_="+15017122661", body="Your code is 1234")
    assert sent.sid.startswith("SM") and len(sent.sid) == 34 and sent.status == "delivered"
    assert client.messages(sent.sid).fetch().body == "Your code is 1234"
    for index in range(4):
        client.messages.create(to=f"+1555000100{index}", from_="+15017122661", body="bulk")
    assert len(client.messages.list(page_size=2)) >= 5
    assert [m.sid for m in client.messages.list(to="+15558675310")] == [sent.sid]
    assert client.messages(sent.sid).delete() is True
    with pytest.raises(TwilioRestException) as gone:
        client.messages(sent.sid).fetch()
    assert gone.value.status == 404 and gone.value.code == 20404


def test_calls_are_recorded_completed(client: Client) -> None:
    call = client.calls.create(to="+15558675310", from_="+15017122661", url="http://127.0.0.1:9/voice.xml")
    assert call.sid.startswith("CA") and call.status == "completed"
    assert client.calls(call.sid).fetch().to == "+15558675310"
    assert call.sid in [c.sid for c in client.calls.list()]


def test_bad_requests_get_twilios_error_codes(client: Client, messaging_server: CompatServer) -> None:
    with pytest.raises(TwilioRestException) as no_body:
        client.messages.create(to="+15558675310", from_="+15017122661")
    assert no_body.value.code == 21602
    with pytest.raises(TwilioRestException) as too_long:
        client.messages.create(to="+15558675310", from_="+15017122661", body="x" * 1601)
    assert too_long.value.code == 21617
    key = messaging_server.key
    other_account = account_sid("someone-else")
    response = httpx.get(
        f"{messaging_server.url}/2010-04-01/Accounts/{other_account}/Messages.json",
        auth=(key.access_key_id, key.secret or ""),
    )
    assert response.status_code == 403 and response.json()["code"] == 20003
    response = httpx.get(
        f"{messaging_server.url}/2010-04-01/Accounts/{account_sid(key.tenant)}/Messages.json", auth=("x", "y")
    )
    assert response.status_code == 401 and response.json()["code"] == 20003


def test_answers_validate_against_twilios_schemas(messaging_server: CompatServer) -> None:
    key = messaging_server.key
    http = httpx.Client(
        base_url=f"{messaging_server.url}/2010-04-01/Accounts/{account_sid(key.tenant)}",
        auth=(key.access_key_id, key.secret or ""),
    )
    message = http.post("/Messages.json", data={"To": "+15558675310", "From": "+15017122661", "Body": "hi"})
    call = http.post("/Calls.json", data={"To": "+15558675310", "From": "+15017122661", "Twiml": "<Response/>"})
    answers = [
        ("CreateMessage", message),
        ("FetchMessage", http.get(f"/Messages/{message.json()['sid']}.json")),
        ("ListMessage", http.get("/Messages.json", params={"PageSize": 2})),
        ("CreateCall", call),
        ("FetchCall", http.get(f"/Calls/{call.json()['sid']}.json")),
        ("ListCall", http.get("/Calls.json")),
    ]
    for operation_id, response in answers:
        pointer = document().operation(operation_id).response_pointers[str(response.status_code)]
        assert response_errors(document(), pointer, response.json()) == [], operation_id
