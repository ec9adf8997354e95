"""Stripe on dotdo, used through the official `stripe` SDK exactly as against test mode: only the base URL changes.

    python examples/compat_stripe.py

The script serves `compat_app(["stripe"])` with uvicorn on a free port of 127.0.0.1 (what `dotdo
compat serve stripe` does), makes an API key for tenant `acme`, registers a webhook receiver, sells a
seat to a customer with a test card, sees a declined card fail as Stripe fails it,
refunds part of the payment, and checks the signature of the webhook it received.
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import stripe
import uvicorn

import dotdo.compat.stripe
from dotdo.compat import compat_app

received: list[tuple[bytes, str]] = []


class WebhookReceiver(BaseHTTPRequestHandler):
    """Your app's webhook endpoint: keeps what Stripe (here, dotdo) posts."""

    def do_POST(self) -> None:
        received.append((self.rfile.read(int(self.headers["Content-Length"])), self.headers["Stripe-Signature"]))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="stripe-example-"))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(compat_app(["stripe"], data_dir=data_dir), port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), WebhookReceiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    try:
        client = dotdo.compat.stripe.client(
            f"http://127.0.0.1:{port}", api_key=dotdo.compat.stripe.api_key(str(data_dir), tenant="acme")
        )
        hook = client.v1.webhook_endpoints.create(
            params={
                "url": f"http://127.0.0.1:{receiver.server_address[1]}/hook",
                "enabled_events": ["payment_intent.succeeded"],
            }
        )
        customer = client.v1.customers.create(params={"email": "ada@example.com", "name": "Ada"})
        seat = client.v1.products.create(params={"name": "Seat"})
        price = client.v1.prices.create(params={"product": seat.id, "unit_amount": 1200, "currency": "usd"})
        paid = client.v1.payment_intents.create(
            params={
                "amount": price.unit_amount,
                "currency": price.currency,
                "customer": customer.id,
                "payment_method": "pm_card_visa",
                "confirm": True,
            }
        )
        print(f"{customer.name} paid {paid.amount_received / 100:.2f} {paid.currency.upper()}: {paid.status}")
        try:
            client.v1.payment_intents.create(
                params={
                    "amount": 500,
                    "currency": "usd",
                    "payment_method": "pm_card_chargeDeclinedInsufficientFunds",
                    "confirm": True,
                }
            )
        except stripe.CardError as declined:
            print("declined:", declined.error.decline_code)
        refund = client.v1.refunds.create(params={"payment_intent": paid.id, "amount": 200})
        print(f"refunded {refund.amount / 100:.2f}: {refund.status}")
        deadline = time.monotonic() + 10
        while not received and time.monotonic() < deadline:
            time.sleep(0.05)
        event = stripe.Webhook.construct_event(received[0][0], received[0][1], hook.secret)
        print(f"webhook {event.type} for {event.data.object.id}, signature verified")
    finally:
        server.should_exit = True
        receiver.shutdown()


if __name__ == "__main__":
    main()
