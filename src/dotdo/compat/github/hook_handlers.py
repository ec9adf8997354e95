"""The handlers of repository webhooks (deliveries are the account's outbox)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..openapi import ApiAccount, ApiCall, Reply
from . import shapes
from .api_rules import HOOK_EVENTS, github_account, invalid, not_found, number, paged
from .shapes import Urls

if TYPE_CHECKING:
    from .account import GitHubAccount

# hooks


def _find_hook(gh: GitHubAccount, stored_repo: dict[str, Any], hook_id: int) -> dict[str, Any]:
    thing = gh.ctx.things.get(f"hook:{hook_id}")
    if thing is None or thing.data["repo_id"] != stored_repo["id"]:
        raise not_found()
    return thing.data


async def create_hook(account: ApiAccount, call: ApiCall) -> Reply:
    """POST /repos/{owner}/{repo}/hooks: `config.url` (http or https), `events` (default push); a `ping` follows."""
    gh = github_account(account)
    stored_repo = gh.repo_of(call)
    body = call.body
    config = dict(body.get("config") or {})
    url = config.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise invalid("Hook", "url", "custom", "url is not a supported URL")
    if config.get("content_type", "form") not in ("json", "form"):
        raise invalid("Hook", "content_type", "invalid")
    events = list(body.get("events") or ["push"])
    unknown = [event for event in events if event not in HOOK_EVENTS]
    if unknown:
        raise invalid("Hook", "events", "invalid", f"{unknown[0]} is not a supported event")
    created = shapes.now()
    hook = {
        "id": gh.next_id(),
        "repo_id": stored_repo["id"],
        "active": bool(body.get("active", True)),
        "events": events,
        "config": {key: str(value) for key, value in config.items() if value is not None},
        "url": url,
        "created_at": created,
        "updated_at": created,
    }
    gh.ctx.things.create("hook", f"{hook['id']:012d}", id=f"hook:{hook['id']}", data=hook)
    urls, full = Urls.of(call.base_url), f"{stored_repo['owner']}/{stored_repo['name']}"
    shown = shapes.hook(urls, full, hook)
    zen = "Keep it logically awesome."
    gh.announce("ping", stored_repo, {"zen": zen, "hook_id": hook["id"], "hook": shown}, call.base_url)
    return Reply(shown, 201)


async def list_hooks(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /repos/{owner}/{repo}/hooks."""
    gh = github_account(account)
    stored_repo = gh.repo_of(call)
    urls, full = Urls.of(call.base_url), f"{stored_repo['owner']}/{stored_repo['name']}"
    things = gh.ctx.things.find("hook", where={"repo_id": stored_repo["id"]}, order_by="name")
    return paged(call, [shapes.hook(urls, full, t.data) for t in things])


async def get_hook(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /repos/{owner}/{repo}/hooks/{hook_id}."""
    gh = github_account(account)
    stored_repo = gh.repo_of(call)
    hook = _find_hook(gh, stored_repo, number(call, "hook_id"))
    return Reply(shapes.hook(Urls.of(call.base_url), f"{stored_repo['owner']}/{stored_repo['name']}", hook))


async def delete_hook(account: ApiAccount, call: ApiCall) -> Reply:
    """DELETE /repos/{owner}/{repo}/hooks/{hook_id}: deliveries still queued for it are dropped."""
    gh = github_account(account)
    stored_repo = gh.repo_of(call)
    hook = _find_hook(gh, stored_repo, number(call, "hook_id"))
    gh.ctx.things.delete(f"hook:{hook['id']}")
    return Reply(None, 204)
