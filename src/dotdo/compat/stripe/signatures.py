"""Stripe's webhook signature: `Stripe-Signature: t=<unix time>,v1=<HMAC-SHA256 of "t.payload">`.

`stripe.Webhook.construct_event(payload, header, secret)` checks exactly this, so receivers written
for Stripe verify our deliveries unchanged.
"""

from __future__ import annotations

import hashlib
import hmac
import time


def signature_header(secret: str, payload: bytes, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` value for `payload` signed with an endpoint's `whsec_…` secret."""
    moment = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{moment}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={moment},v1={digest}"


def verify(secret: str, payload: bytes, header: str, tolerance: int = 300) -> bool:
    """Whether `header` signs `payload` with `secret`, within `tolerance` seconds of now."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        moment = int(parts.get("t", ""))
    except ValueError:
        return False
    expected = signature_header(secret, payload, moment).split("v1=", 1)[1]
    fresh = abs(time.time() - moment) <= tolerance
    return fresh and hmac.compare_digest(expected, parts.get("v1", ""))
