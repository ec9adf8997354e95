"""Slack's Events API: what an app's request URL receives, and how Slack signs it.

Every request to the URL carries `X-Slack-Request-Timestamp` and `X-Slack-Signature: v0=<HMAC-SHA256
of "v0:{timestamp}:{body}" with the app's signing secret>`, which `slack_sdk`'s `SignatureVerifier`
checks; a retry adds `X-Slack-Retry-Num` and `X-Slack-Retry-Reason`. Before a URL is used, Slack
proves it answers for the app: it POSTs a `url_verification` request whose `challenge` the receiver
echoes back.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any

import httpx

SIGNATURE_VERSION = "v0"
USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"


def signature(signing_secret: str, timestamp: int | str, body: bytes) -> str:
    """The `X-Slack-Signature` of `body` sent at `timestamp` (unix seconds)."""
    base = f"{SIGNATURE_VERSION}:{timestamp}:".encode() + body
    return f"{SIGNATURE_VERSION}=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(signing_secret: str, body: bytes, retries: int = 0) -> dict[str, str]:
    """The headers of one request to a request URL, signed now; `retries` > 0 numbers a retry."""
    timestamp = int(time.time())
    headers = {
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": signature(signing_secret, timestamp, body),
        "User-Agent": USER_AGENT,
    }
    if retries:
        headers["X-Slack-Retry-Num"] = str(retries)
        headers["X-Slack-Retry-Reason"] = "http_error"
    return headers


def subscription_of(event: dict[str, Any]) -> str:
    """The name an app subscribes to for `event` (`message.channels` for a message in a public channel)."""
    if event["type"] == "message":
        return "message.groups" if event.get("channel_type") == "group" else "message.channels"
    return str(event["type"])


def envelope(app: dict[str, Any], team_id: str, bot_user: str, event: dict[str, Any]) -> dict[str, Any]:
    """The `event_callback` wrapper an app receives around `event`."""
    now = time.time()
    return {
        "token": app["verification_token"],
        "team_id": team_id,
        "api_app_id": app["id"],
        "event": {**event, "event_ts": event.get("event_ts") or f"{now:.6f}"},
        "type": "event_callback",
        "event_id": "Ev" + secrets.token_hex(5).upper(),
        "event_time": int(now),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": bot_user,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }


async def verify_request_url(url: str, signing_secret: str, verification_token: str) -> str | None:
    """Send the `url_verification` handshake to `url`: None if it echoed the challenge, else what went wrong."""
    challenge = secrets.token_urlsafe(24)
    body = json.dumps({"token": verification_token, "challenge": challenge, "type": "url_verification"}).encode()
    headers = {"Content-Type": "application/json", **signed_headers(signing_secret, body)}
    try:
        async with httpx.AsyncClient(timeout=10.0) as client:
            response = await client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return f"Your URL could not be reached: {exc}"
    if not 200 <= response.status_code < 300:
        return f"Your URL responded with an HTTP error ({response.status_code})."
    text = response.text.strip()
    answered = text
    if response.headers.get("content-type", "").startswith("application/json"):
        try:
            answered = str(json.loads(text).get("challenge", ""))
        except (ValueError, AttributeError):
            answered = ""
    elif text.startswith("challenge="):
        answered = text.removeprefix("challenge=")
    if not hmac.compare_digest(answered.encode(), challenge.encode()):
        return "Your URL didn't respond with the value of the challenge parameter."
    return None
