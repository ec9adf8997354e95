"""The official `resend` SDK against `dotdo compat serve resend`: emails kept per tenant, never sent."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

import httpx
import pytest
import resend

import dotdo.compat.resend
from dotdo.compat.openapi import bearer_tokens, response_errors
from dotdo.compat.resend.app import document
from tests.compat.conftest import CompatServer


@pytest.fixture
def sdk(messaging_server: CompatServer) -> Iterator[ModuleType]:
    yield dotdo.compat.resend.configure(messaging_server.url, key=bearer_tokens.mint(messaging_server.key, "re_"))


def test_a_sent_email_is_fetched_and_listed_back(sdk: ModuleType) -> None:
    sent = sdk.Emails.send(
        {"from": "Acme <hi@acme.dev>", "to": "ada@example.com", "subject": "Welcome", "html": "<p>Hi</p>"}
    )
    email = sdk.Emails.get(sent["id"])
    assert (email["to"], email["subject"], email["last_event"]) == (["ada@example.com"], "Welcome", "delivered")
    assert sent["id"] in [e["id"] for e in sdk.Emails.list()["data"]]


def test_answers_validate_against_resends_schemas(messaging_server: CompatServer) -> None:
    token = bearer_tokens.mint(messaging_server.key, "re_")
    http = httpx.Client(base_url=messaging_server.url, headers={"Authorization": f"Bearer {token}"})
    sent = http.post("/emails", json={"from": "a@acme.dev", "to": ["b@x.com"], "subject": "s", "text": "t"})
    answers = [
        ("emails/send", sent),
        ("emails/get", http.get(f"/emails/{sent.json()['id']}")),
        ("emails/list", http.get("/emails", params={"limit": 5})),
    ]
    for operation_id, response in answers:
        pointer = document().operation(operation_id).response_pointers[str(response.status_code)]
        assert response_errors(document(), pointer, response.json()) == [], operation_id


def test_invalid_emails_are_refused_with_resends_errors(sdk: ModuleType, messaging_server: CompatServer) -> None:
    with pytest.raises(resend.exceptions.ResendError) as missing_to:
        sdk.Emails.send({"from": "a@acme.dev", "subject": "x", "html": "y"})
    assert "to" in str(missing_to.value)
    token = bearer_tokens.mint(messaging_server.key, "re_")
    response = httpx.post(
        f"{messaging_server.url}/emails", headers={"Authorization": f"Bearer {token}"}, content=b"{not json"
    )
    assert response.status_code == 422 and response.json()["name"] == "validation_error"
    response = httpx.get(f"{messaging_server.url}/emails", headers={"Authorization": "Bearer re_forged.key"})
    assert response.status_code == 403 and response.json()["name"] == "invalid_api_key"
    assert (
        httpx.get(
            f"{messaging_server.url}/emails/../../etc/passwd", headers={"Authorization": f"Bearer {token}"}
        ).status_code
        == 404
    )


def test_tenants_do_not_see_each_others_emails(sdk: ModuleType, messaging_server: CompatServer) -> None:
    sent = sdk.Emails.send({"from": "a@acme.dev", "to": "b@x.com", "subject": "private", "text": "t"})
    other = bearer_tokens.mint(messaging_server.credentials().create("globex", ["resend"]), "re_")
    response = httpx.get(f"{messaging_server.url}/emails/{sent['id']}", headers={"Authorization": f"Bearer {other}"})
    assert response.status_code == 404
