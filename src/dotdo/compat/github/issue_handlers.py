"""The handlers of issues, their comments and labels."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..openapi import ApiAccount, ApiCall, ApiError, Reply
from . import shapes
from .api_rules import COLOR, github_account, invalid, not_found, number, paged
from .shapes import Urls

if TYPE_CHECKING:
    from .account import GitHubAccount

# issues


def _label_names(value: Any) -> list[str]:
    names = []
    for item in value or []:
        name = item.get("name") if isinstance(item, dict) else item
        if not isinstance(name, str) or not name.strip():
            raise invalid("Label", "name", "invalid")
        names.append(name)
    return names


async def create_issue(account: ApiAccount, call: ApiCall) -> Reply:
    """POST /repos/{owner}/{repo}/issues."""
    gh = github_account(account)
    stored_repo = gh.repo_of(call)
    title = str(call.body["title"])
    if not title.strip():
        raise invalid("Issue", "title", "missing_field")
    issue = gh.create_issue(
        stored_repo, title, call.body.get("body"), _label_names(call.body.get("labels")), pull=False
    )
    shown = gh.issue_json(Urls.of(call.base_url), stored_repo, issue)
    gh.announce("issues", stored_repo, {"action": "opened", "issue": shown}, call.base_url)
    return Reply(shown, 201)


async def list_issues(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /repos/{owner}/{repo}/issues: by `state` (open), `labels` (all of them), newest first."""
    gh = github_account(account)
    stored_repo = gh.repo_of(call)
    state = call.query.get("state", "open")
    wanted = {name.lower() for name in str(call.query.get("labels", "")).split(",") if name}
    found = [t.data for t in gh.ctx.things.find("issue", where={"repo_id": stored_repo["id"]}, order_by="name")]
    found = [i for i in found if state == "all" or i["state"] == state]
    if wanted:
        found = [i for i in found if wanted <= {name.lower() for name in i["labels"]}]
    if call.query.get("direction", "desc") == "desc":
        found.reverse()
    urls = Urls.of(call.base_url)
    return paged(call, [gh.issue_json(urls, stored_repo, i) for i in found])


async def get_issue(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /repos/{owner}/{repo}/issues/{issue_number}."""
    gh = github_account(account)
    stored_repo = gh.repo_of(call)
    return Reply(
        gh.issue_json(Urls.of(call.base_url), stored_repo, gh.find_issue(stored_repo, number(call, "issue_number")))
    )


async def update_issue(account: ApiAccount, call: ApiCall) -> Reply:
    """PATCH /repos/{owner}/{repo}/issues/{issue_number}: title, body, state, labels."""
    gh = github_account(account)
    stored_repo = gh.repo_of(call)
    issue = gh.find_issue(stored_repo, number(call, "issue_number"))
    body = call.body
    actions = []
    if "title" in body and body["title"] is not None:
        issue["title"] = str(body["title"])
        actions.append("edited")
    if "body" in body:
        issue["body"] = body["body"]
        actions.append("edited")
    if "labels" in body:
        issue["labels"] = [gh.ensure_label(stored_repo, name)["name"] for name in _label_names(body["labels"])]
    if body.get("state") is not None:
        changed = gh.set_state(stored_repo, issue, body["state"], body.get("state_reason"))
        if changed:
            actions.append(changed)
    gh.save_issue(issue)
    shown = gh.issue_json(Urls.of(call.base_url), stored_repo, issue)
    event = "pull_request" if issue["pull"] else "issues"
    for action in dict.fromkeys(actions):
        gh.announce(
            event, stored_repo, {"action": action, ("pull_request" if issue["pull"] else "issue"): shown}, call.base_url
        )
    return Reply(shown)


# comments


def _find_comment(gh: GitHubAccount, stored_repo: dict[str, Any], comment_id: int) -> dict[str, Any]:
    thing = gh.ctx.things.get(f"comment:{comment_id}")
    if thing is None or thing.data["repo_id"] != stored_repo["id"]:
        raise not_found()
    return thing.data


async def create_comment(account: ApiAccount, call: ApiCall) -> Reply:
    """POST /repos/{owner}/{repo}/issues/{issue_number}/comments."""
    gh = github_account(account)
    stored_repo = gh.repo_of(call)
    issue = gh.find_issue(stored_repo, number(call, "issue_number"))
    created = shapes.now()
    comment = {
        "id": gh.next_id(),
        "repo_id": stored_repo["id"],
        "number": issue["number"],
        "body": call.body["body"],
        "user": gh.login,
        "created_at": created,
        "updated_at": created,
    }
    gh.ctx.things.create("comment", f"{comment['id']:012d}", id=f"comment:{comment['id']}", data=comment)
    issue["comments"] += 1
    gh.save_issue(issue)
    urls, full = Urls.of(call.base_url), f"{stored_repo['owner']}/{stored_repo['name']}"
    shown = shapes.comment(urls, full, comment)
    payload = {"action": "created", "issue": gh.issue_json(urls, stored_repo, issue), "comment": shown}
    gh.announce("issue_comment", stored_repo, payload, call.base_url)
    return Reply(shown, 201)


async def list_comments(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /repos/{owner}/{repo}/issues/{issue_number}/comments: oldest first."""
    gh = github_account(account)
    stored_repo = gh.repo_of(call)
    issue = gh.find_issue(stored_repo, number(call, "issue_number"))
    things = gh.ctx.things.find(
        "comment", where={"repo_id": stored_repo["id"], "number": issue["number"]}, order_by="name"
    )
    urls, full = Urls.of(call.base_url), f"{stored_repo['owner']}/{stored_repo['name']}"
    return paged(call, [shapes.comment(urls, full, t.data) for t in things])


async def get_comment(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /repos/{owner}/{repo}/issues/comments/{comment_id}."""
    gh = github_account(account)
    stored_repo = gh.repo_of(call)
    comment = _find_comment(gh, stored_repo, number(call, "comment_id"))
    return Reply(shapes.comment(Urls.of(call.base_url), f"{stored_repo['owner']}/{stored_repo['name']}", comment))


async def update_comment(account: ApiAccount, call: ApiCall) -> Reply:
    """PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}."""
    gh = github_account(account)
    stored_repo = gh.repo_of(call)
    comment = _find_comment(gh, stored_repo, number(call, "comment_id"))
    comment["body"], comment["updated_at"] = call.body["body"], shapes.now()
    gh.ctx.things.replace(f"comment:{comment['id']}", data=comment)
    return Reply(shapes.comment(Urls.of(call.base_url), f"{stored_repo['owner']}/{stored_repo['name']}", comment))


async def delete_comment(account: ApiAccount, call: ApiCall) -> Reply:
    """DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}."""
    gh = github_account(account)
    stored_repo = gh.repo_of(call)
    comment = _find_comment(gh, stored_repo, number(call, "comment_id"))
    gh.ctx.things.delete(f"comment:{comment['id']}")
    issue = gh.find_issue(stored_repo, comment["number"])
    issue["comments"] = max(0, issue["comments"] - 1)
    gh.save_issue(issue)
    return Reply(None, 204)


# labels


async def list_labels(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /repos/{owner}/{repo}/labels: by name."""
    gh = github_account(account)
    stored_repo = gh.repo_of(call)
    urls, full = Urls.of(call.base_url), f"{stored_repo['owner']}/{stored_repo['name']}"
    things = gh.ctx.things.find("label", where={"repo_id": stored_repo["id"]})
    labels = sorted((t.data for t in things), key=lambda label: label["name"].lower())
    return paged(call, [shapes.label(urls, full, label) for label in labels])


async def create_label(account: ApiAccount, call: ApiCall) -> Reply:
    """POST /repos/{owner}/{repo}/labels: `color` is six hex digits (a leading # is dropped)."""
    gh = github_account(account)
    stored_repo = gh.repo_of(call)
    name = call.body["name"]
    color = str(call.body.get("color") or "ededed").removeprefix("#")
    if not COLOR.match(color):
        raise invalid("Label", "color", "invalid")
    if not name.strip() or len(name) > 100:
        raise invalid("Label", "name", "invalid")
    if gh.find_label(stored_repo, name) is not None:
        raise invalid("Label", "name", "already_exists")
    label = {
        "id": gh.next_id(),
        "repo_id": stored_repo["id"],
        "name": name,
        "color": color.lower(),
        "description": call.body.get("description"),
    }
    gh.ctx.things.create("label", name, id=f"label:{stored_repo['id']}:{name.lower()}", data=label)
    return Reply(shapes.label(Urls.of(call.base_url), f"{stored_repo['owner']}/{stored_repo['name']}", label), 201)


async def get_label(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /repos/{owner}/{repo}/labels/{name}."""
    gh = github_account(account)
    stored_repo = gh.repo_of(call)
    label = gh.find_label(stored_repo, call.path["name"])
    if label is None:
        raise not_found()
    return Reply(shapes.label(Urls.of(call.base_url), f"{stored_repo['owner']}/{stored_repo['name']}", label))


async def delete_label(account: ApiAccount, call: ApiCall) -> Reply:
    """DELETE /repos/{owner}/{repo}/labels/{name}: also taken off every issue."""
    gh = github_account(account)
    stored_repo = gh.repo_of(call)
    label = gh.find_label(stored_repo, call.path["name"])
    if label is None:
        raise not_found()
    gh.ctx.things.delete(f"label:{stored_repo['id']}:{label['name'].lower()}")
    return Reply(None, 204)


async def add_labels(account: ApiAccount, call: ApiCall) -> Reply:
    """POST /repos/{owner}/{repo}/issues/{issue_number}/labels: `labels` as names or `{name}` objects."""
    gh = github_account(account)
    stored_repo = gh.repo_of(call)
    issue = gh.find_issue(stored_repo, number(call, "issue_number"))
    body = call.body
    names = _label_names(call.items if call.items is not None else body.get("labels"))
    added = [gh.ensure_label(stored_repo, name)["name"] for name in names]
    issue["labels"] = list(dict.fromkeys([*issue["labels"], *added]))
    gh.save_issue(issue)
    urls = Urls.of(call.base_url)
    for name in added:
        label = shapes.label(urls, f"{stored_repo['owner']}/{stored_repo['name']}", gh.ensure_label(stored_repo, name))
        payload = {"action": "labeled", "issue": gh.issue_json(urls, stored_repo, issue), "label": label}
        gh.announce("issues", stored_repo, payload, call.base_url)
    return Reply(gh.label_list(urls, stored_repo, issue["labels"]))


async def list_issue_labels(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /repos/{owner}/{repo}/issues/{issue_number}/labels."""
    gh = github_account(account)
    stored_repo = gh.repo_of(call)
    issue = gh.find_issue(stored_repo, number(call, "issue_number"))
    return paged(call, gh.label_list(Urls.of(call.base_url), stored_repo, issue["labels"]))


async def remove_label(account: ApiAccount, call: ApiCall) -> Reply:
    """DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}: the labels left."""
    gh = github_account(account)
    stored_repo = gh.repo_of(call)
    issue = gh.find_issue(stored_repo, number(call, "issue_number"))
    name = call.path["name"].lower()
    if name not in {label.lower() for label in issue["labels"]}:
        raise ApiError(404, "Label does not exist")
    issue["labels"] = [label for label in issue["labels"] if label.lower() != name]
    gh.save_issue(issue)
    return Reply(gh.label_list(Urls.of(call.base_url), stored_repo, issue["labels"]))
