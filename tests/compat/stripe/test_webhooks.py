"""Webhooks from the Stripe layer: signed as Stripe signs, retried while the receiver fails, sent once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import stripe

from dotdo.compat.openapi import bearer_tokens
from tests.compat.conftest import CompatServer


class Receiver:
    """A webhook endpoint on 127.0.0.1 that fails its first `failures` requests, then acknowledges."""

    def __init__(self) -> None:
        self.failures = 0
        self.received: list[tuple[bytes, str, int]] = []
        receiver = self

        class Handle(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = 500 if receiver.failures > 0 else 200
                receiver.failures -= 1
                receiver.received.append((body, self.headers.get("Stripe-Signature", ""), status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handle)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/stripe/webhook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def acknowledged(self) -> list[tuple[bytes, str, int]]:
        return [entry for entry in self.received if entry[2] == 200]

    def wait_for(self, count: int, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.acknowledged()) < count and time.monotonic() < deadline:
            time.sleep(0.05)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.shutdown()
    found.server.server_close()


@pytest.fixture(scope="module")
def client(stripe_server: CompatServer) -> stripe.StripeClient:
    key = bearer_tokens.mint(stripe_server.key, "sk_test_")
    return stripe.StripeClient(key, base_addresses={"api": stripe_server.url}, max_network_retries=0)


def test_events_reach_the_endpoint_signed_with_its_secret(client: stripe.StripeClient, receiver: Receiver) -> None:
    endpoint = client.v1.webhook_endpoints.create(params={"url": receiver.url, "enabled_events": ["customer.created"]})
    assert endpoint.secret.startswith("whsec_")
    assert "secret" not in client.v1.webhook_endpoints.retrieve(endpoint.id)
    customer = client.v1.customers.create(params={"email": "hooked@example.com"})
    client.v1.products.create(params={"name": "not subscribed to"})
    receiver.wait_for(1)
    (body, signature, _), *others = receiver.acknowledged()
    event = stripe.Webhook.construct_event(body, signature, endpoint.secret)
    assert event.type == "customer.created" and event.data.object.id == customer.id
    assert others == []
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, signature, "whsec_forged")
    client.v1.webhook_endpoints.delete(endpoint.id)


def test_a_failing_receiver_is_retried_and_an_acknowledged_event_is_not_sent_again(
    client: stripe.StripeClient, receiver: Receiver
) -> None:
    receiver.failures = 2
    endpoint = client.v1.webhook_endpoints.create(params={"url": receiver.url, "enabled_events": ["product.created"]})
    product = client.v1.products.create(params={"name": "retried"})
    receiver.wait_for(1)
    assert [entry[2] for entry in receiver.received] == [500, 500, 200]
    event = stripe.Webhook.construct_event(
        receiver.acknowledged()[0][0], receiver.acknowledged()[0][1], endpoint.secret
    )
    assert event.data.object.id == product.id
    time.sleep(1.5)
    assert len(receiver.received) == 3
    client.v1.webhook_endpoints.delete(endpoint.id)


def test_an_endpoint_that_keeps_failing_holds_up_no_other_endpoints_deliveries(client: stripe.StripeClient) -> None:
    failing, healthy = Receiver(), Receiver()
    failing.failures = 10**6
    try:
        events = ["product.created", "price.created"]
        broken = client.v1.webhook_endpoints.create(params={"url": failing.url, "enabled_events": events})
        working = client.v1.webhook_endpoints.create(params={"url": healthy.url, "enabled_events": events[1:]})
        # The failing endpoint's first delivery is the oldest pending one; its retries back off for minutes.
        product = client.v1.products.create(params={"name": "priced"})
        price = client.v1.prices.create(params={"product": product.id, "currency": "usd", "unit_amount": 100})
        healthy.wait_for(1, timeout=30)
        (body, signature, _), *_ = healthy.acknowledged()
        assert stripe.Webhook.construct_event(body, signature, working.secret).data.object.id == price.id
        deadline = time.monotonic() + 30
        while not failing.received and time.monotonic() < deadline:
            time.sleep(0.05)
        assert failing.received and failing.acknowledged() == []  # still failing, still being retried
        client.v1.webhook_endpoints.delete(broken.id)
        client.v1.webhook_endpoints.delete(working.id)
    finally:
        for receiver in (failing, healthy):
            receiver.server.shutdown()
            receiver.server.server_close()
