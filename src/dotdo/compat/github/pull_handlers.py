"""The handlers of pull requests: opened, listed, merged with gitx's three-way merge."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..openapi import ApiAccount, ApiCall, ApiError, Reply
from . import shapes
from .api_rules import from_repository, github_account, invalid, number, page_of, paged
from .repository_handlers import announce_commit, branch_head
from .shapes import Urls

if TYPE_CHECKING:
    pass

# pull requests


async def create_pull(account: ApiAccount, call: ApiCall) -> Reply:
    """POST /repos/{owner}/{repo}/pulls: `head` into `base`, both branches of this repository."""
    gh = github_account(account)
    stored_repo = gh.repo_of(call)
    body = call.body
    head = str(body.get("head", "")).split(":")[-1]
    base = body["base"]
    if "title" not in body and "issue" not in body:
        raise invalid("PullRequest", "title", "missing_field")
    branches = {
        b["ref"].removeprefix("refs/heads/"): b["sha"]
        for b in await from_repository(gh.repository_object(stored_repo).branches())
    }
    for field, branch in (("head", head), ("base", base)):
        if branch not in branches:
            raise invalid("PullRequest", field, "invalid")
    if head == base:
        raise ApiError(
            422,
            "Validation Failed",
            errors=[{"resource": "PullRequest", "code": "custom", "message": f"No commits between {base} and {head}"}],
        )
    compared = await from_repository(gh.repository_object(stored_repo).comparison(base, head))
    if compared["ahead_by"] == 0:
        raise ApiError(
            422,
            "Validation Failed",
            errors=[{"resource": "PullRequest", "code": "custom", "message": f"No commits between {base} and {head}"}],
        )
    for found in gh.ctx.things.find("pull", where={"repo_id": stored_repo["id"], "head": head, "base": base}):
        if gh.find_issue(stored_repo, found.data["number"])["state"] == "open":
            raise ApiError(
                422,
                "Validation Failed",
                errors=[
                    {
                        "resource": "PullRequest",
                        "code": "custom",
                        "message": f"A pull request already exists for {stored_repo['owner']}:{head}.",
                    }
                ],
            )
    issue = gh.create_issue(stored_repo, str(body.get("title", "")), body.get("body"), [], pull=True)
    pull = {
        "id": gh.next_id(),
        "repo_id": stored_repo["id"],
        "number": issue["number"],
        "head": head,
        "base": base,
        "head_sha": branches[head],
        "base_sha": branches[base],
        "draft": bool(body.get("draft", False)),
        "merged": False,
        "merged_at": None,
        "merge_commit_sha": None,
        "merged_by": None,
    }
    gh.ctx.things.create("pull", f"{pull['number']:010d}", id=f"pull:{stored_repo['id']}:{pull['number']}", data=pull)
    shown = await gh.pull_json(Urls.of(call.base_url), stored_repo, pull)
    gh.announce(
        "pull_request",
        stored_repo,
        {"action": "opened", "number": pull["number"], "pull_request": shown},
        call.base_url,
    )
    return Reply(shown, 201)


async def list_pulls(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /repos/{owner}/{repo}/pulls: by `state` (open), `head`, `base`, newest first."""
    gh = github_account(account)
    stored_repo = gh.repo_of(call)
    state = call.query.get("state", "open")
    pulls = [t.data for t in gh.ctx.things.find("pull", where={"repo_id": stored_repo["id"]}, order_by="-name")]
    if "base" in call.query:
        pulls = [p for p in pulls if p["base"] == call.query["base"]]
    if "head" in call.query:
        pulls = [p for p in pulls if p["head"] == str(call.query["head"]).split(":")[-1]]
    pulls = [p for p in pulls if state == "all" or gh.find_issue(stored_repo, p["number"])["state"] == state]
    per_page, page = page_of(call)
    chosen = pulls[(page - 1) * per_page : page * per_page]
    urls = Urls.of(call.base_url)
    shown = [await gh.pull_json(urls, stored_repo, p, "pull-request-simple") for p in chosen]
    reply = paged(call, [None] * len(pulls))
    reply.body = shown
    return reply


async def get_pull(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /repos/{owner}/{repo}/pulls/{pull_number}."""
    gh = github_account(account)
    stored_repo = gh.repo_of(call)
    pull = gh.find_pull(stored_repo, number(call, "pull_number"))
    return Reply(await gh.pull_json(Urls.of(call.base_url), stored_repo, pull))


async def update_pull(account: ApiAccount, call: ApiCall) -> Reply:
    """PATCH /repos/{owner}/{repo}/pulls/{pull_number}: title, body, state (a merged one stays closed), base."""
    gh = github_account(account)
    stored_repo = gh.repo_of(call)
    pull = gh.find_pull(stored_repo, number(call, "pull_number"))
    issue = gh.find_issue(stored_repo, pull["number"])
    body = call.body
    actions = []
    if "base" in body:
        branches = {b["ref"] for b in await from_repository(gh.repository_object(stored_repo).branches())}
        if f"refs/heads/{body['base']}" not in branches:
            raise invalid("PullRequest", "base", "invalid")
        pull["base"] = body["base"]
        gh.ctx.things.replace(f"pull:{stored_repo['id']}:{pull['number']}", data=pull)
        actions.append("edited")
    for field in ("title", "body"):
        if field in body:
            issue[field] = body[field]
            actions.append("edited")
    if body.get("state") is not None:
        if pull["merged"] and body["state"] == "open":
            raise ApiError(
                422,
                "Validation Failed",
                errors=[
                    {"resource": "PullRequest", "code": "custom", "message": "A merged pull request cannot be reopened"}
                ],
            )
        changed = gh.set_state(stored_repo, issue, body["state"], None)
        if changed:
            actions.append(changed)
    gh.save_issue(issue)
    shown = await gh.pull_json(Urls.of(call.base_url), stored_repo, pull)
    for action in dict.fromkeys(actions):
        payload = {"action": action, "number": pull["number"], "pull_request": shown}
        gh.announce("pull_request", stored_repo, payload, call.base_url)
    return Reply(shown)


async def check_merged(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /repos/{owner}/{repo}/pulls/{pull_number}/merge: 204 if merged, else 404 (no body, as documented)."""
    gh = github_account(account)
    stored_repo = gh.repo_of(call)
    merged = gh.find_pull(stored_repo, number(call, "pull_number")).get("merged")
    return Reply(None, 204 if merged else 404)


async def merge_pull(account: ApiAccount, call: ApiCall) -> Reply:
    """PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge: gitx's three-way merge of head into base."""
    gh = github_account(account)
    stored_repo = gh.repo_of(call)
    pull = gh.find_pull(stored_repo, number(call, "pull_number"))
    issue = gh.find_issue(stored_repo, pull["number"])
    if pull["merged"] or issue["state"] != "open":
        raise ApiError(405, "Pull Request is not mergeable")
    body = call.body
    method = body.get("merge_method", "merge")
    title = body.get("commit_title") or (
        f"Merge pull request #{pull['number']} from {stored_repo['owner']}/{pull['head']}"
        if method == "merge"
        else f"{issue['title']} (#{pull['number']})"
    )
    message = title + (f"\n\n{body['commit_message']}" if body.get("commit_message") else "")
    before = await branch_head(gh, stored_repo, pull["base"])
    head_sha = (await from_repository(gh.repository_object(stored_repo).comparison(pull["base"], pull["head"])))["head"]
    result = await from_repository(
        gh.repository_object(stored_repo).merge(
            pull["base"], pull["head"], body.get("sha"), method, message, gh.identity()
        )
    )
    pull.update(
        merged=True,
        merged_at=shapes.now(),
        merge_commit_sha=result["sha"],
        merged_by=gh.login,
        head_sha=head_sha,
        base_sha=before,
    )
    gh.ctx.things.replace(f"pull:{stored_repo['id']}:{pull['number']}", data=pull)
    issue["merged_at"] = pull["merged_at"]
    gh.set_state(stored_repo, issue, "closed", "completed")
    gh.save_issue(issue)
    merged_commit = await from_repository(gh.repository_object(stored_repo).commit(result["sha"]))
    merged_commit.pop("files")
    announce_commit(gh, stored_repo, pull["base"], before, merged_commit, call.base_url)
    shown = await gh.pull_json(Urls.of(call.base_url), stored_repo, pull)
    gh.announce(
        "pull_request",
        stored_repo,
        {"action": "closed", "number": pull["number"], "pull_request": shown},
        call.base_url,
    )
    return Reply(shapes.shaped("pull-request-merge-result", result))
