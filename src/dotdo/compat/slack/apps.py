"""Apps made from manifests, and the events they receive at their request URL (through the outbox)."""

from __future__ import annotations

import secrets
from typing import Any

from ..openapi import ApiAccount, slack_id
from . import events
from .workspace import Workspace, member, workspace


def emit(account: ApiAccount, space: Workspace, event: dict[str, Any]) -> None:
    """Queue `event` for every app subscribed to it (in the same commit as the change it reports)."""
    subscription = events.subscription_of(event)
    for app in account.ctx.things.find("app", limit=1000):
        if subscription not in app.data["events"]:
            continue
        wrapped = events.envelope(app.data, space.team_id, space.bot_user, event)
        account.ctx.things.create("event", wrapped["event_id"], id=wrapped["event_id"], data=wrapped)
        account.queue_webhooks({"id": wrapped["event_id"]}, [app.data])


async def create_app(account: ApiAccount, manifest: dict[str, Any]) -> dict[str, Any]:
    """An app from a manifest; a request URL must pass Slack's `url_verification` handshake first."""
    space = await workspace(account)
    subscriptions = member(member(manifest, "settings"), "event_subscriptions")
    url = subscriptions.get("request_url")
    bot_events = subscriptions.get("bot_events") or []
    name = member(manifest, "display_information").get("name")
    problems = []
    if not isinstance(name, str) or not name.strip():
        problems.append({"message": "must provide a name", "pointer": "/display_information/name"})
    if url is not None and (not isinstance(url, str) or not url.startswith(("http://", "https://"))):
        problems.append(
            {"message": "must be an http or https URL", "pointer": "/settings/event_subscriptions/request_url"}
        )
    if not isinstance(bot_events, list) or not all(isinstance(e, str) for e in bot_events):
        problems.append(
            {"message": "must be a list of event names", "pointer": "/settings/event_subscriptions/bot_events"}
        )
    app = {
        "id": slack_id("A"),
        "name": name,
        "url": url,
        "events": bot_events,
        "signing_secret": secrets.token_hex(16),
        "verification_token": secrets.token_urlsafe(18),
        "client_id": f"{secrets.randbelow(10**12)}.{secrets.randbelow(10**13)}",
        "client_secret": secrets.token_hex(16),
    }
    if not problems and url is not None:
        failure = await events.verify_request_url(url, app["signing_secret"], app["verification_token"])
        if failure is not None:
            problems.append({"message": failure, "pointer": "/settings/event_subscriptions/request_url"})
    if problems:
        return {"ok": False, "error": "invalid_manifest", "errors": problems}
    await account.create("app", app)
    return {
        "ok": True,
        "app_id": app["id"],
        "credentials": {
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "verification_token": app["verification_token"],
            "signing_secret": app["signing_secret"],
        },
        "oauth_authorize_url": f"https://{space.domain}.slack.com/oauth/v2/authorize?client_id={app['client_id']}",
    }


async def delete_app(account: ApiAccount, app_id: Any) -> dict[str, Any]:
    """Remove an app: its request URL receives nothing more (deliveries still pending are dropped)."""
    if not isinstance(app_id, str) or await account.find("app", app_id) is None:
        return {"ok": False, "error": "app_not_found"}
    await account.remove("app", app_id)
    return {"ok": True}
