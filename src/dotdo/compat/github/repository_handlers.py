"""The handlers of users, repositories, commits, branches, refs and the contents API."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any

from ..openapi import ApiAccount, ApiCall, ApiError, Reply
from . import shapes
from .api_rules import LOGIN, from_repository, github_account, invalid, not_found, page_of, paged
from .paths import UnsafePath, content_path
from .shapes import Urls

if TYPE_CHECKING:
    from .account import GitHubAccount

# users


async def get_authenticated(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /user: the token's user, with its private counts."""
    gh = github_account(account)
    mine = gh.repositories(gh.login)
    private = sum(1 for r in mine if r["private"])
    counts = {"total_private_repos": private, "owned_private_repos": private, "private_gists": 0}
    created = shapes.iso(0)
    return Reply(
        shapes.profile(
            Urls.of(call.base_url), gh.login, public_repos=len(mine) - private, private=counts, created_at=created
        )
    )


async def get_user(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /users/{username}: this tenant's user, or an owner of this tenant's repositories."""
    gh = github_account(account)
    username = call.path["username"]
    owned = gh.repositories(username)
    if username.lower() != gh.login.lower() and not owned:
        raise not_found()
    login = gh.login if username.lower() == gh.login.lower() else owned[0]["owner"]
    public = sum(1 for r in owned if not r["private"])
    return Reply(
        shapes.profile(Urls.of(call.base_url), login, public_repos=public, private=None, created_at=shapes.iso(0))
    )


# repositories


async def create_for_user(account: ApiAccount, call: ApiCall) -> Reply:
    """POST /user/repos."""
    gh = github_account(account)
    return await gh.create_repository(call, gh.login, "User")


async def create_in_org(account: ApiAccount, call: ApiCall) -> Reply:
    """POST /orgs/{org}/repos: organizations exist in a tenant once it creates a repository in them."""
    gh = github_account(account)
    org = call.path["org"]
    if not LOGIN.match(org):
        raise not_found()
    if org.lower() == gh.login.lower():
        raise invalid("Repository", "owner", "invalid", f"{org} is a user, not an organization")
    owned = gh.repositories(org)
    return await gh.create_repository(call, owned[0]["owner"] if owned else org, "Organization")


async def get_repository(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /repos/{owner}/{repo}."""
    gh = github_account(account)
    stored = gh.repo_of(call)
    gh.remember_base_url(stored, call.base_url)
    return Reply(shapes.repository(Urls.of(call.base_url), stored, "full-repository"))


def _visible(stored: dict[str, Any], kind: str) -> bool:
    return kind in ("all", "owner", "member") or (kind == "public") != stored["private"]


async def list_mine(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /user/repos: every repository of the tenant (its user's and its organizations')."""
    gh = github_account(account)
    visibility = call.query.get("visibility", "all")
    found = [r for r in gh.repositories() if visibility == "all" or (visibility == "private") == r["private"]]
    urls = Urls.of(call.base_url)
    return paged(call, [shapes.repository(urls, r) for r in found])


async def list_for_user(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /users/{username}/repos."""
    gh = github_account(account)
    kind = call.query.get("type", "owner")
    found = [r for r in gh.repositories(call.path["username"]) if _visible(r, kind)]
    urls = Urls.of(call.base_url)
    return paged(call, [shapes.repository(urls, r, "minimal-repository") for r in found])


async def list_for_org(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /orgs/{org}/repos."""
    gh = github_account(account)
    owned = gh.repositories(call.path["org"])
    if not owned:
        raise not_found()
    kind = call.query.get("type", "all")
    urls = Urls.of(call.base_url)
    return paged(call, [shapes.repository(urls, r, "minimal-repository") for r in owned if _visible(r, kind)])


async def delete_repository(account: ApiAccount, call: ApiCall) -> Reply:
    """DELETE /repos/{owner}/{repo}: the repository, its git data, issues, labels, pull requests and hooks."""
    gh = github_account(account)
    stored = gh.repo_of(call)
    for kind in ("issue", "pull", "label", "hook", "comment"):
        for thing in gh.ctx.things.find(kind, where={"repo_id": stored["id"]}):
            gh.ctx.things.delete(thing.id)
    gh.ctx.things.delete(f"repo:{stored['owner'].lower()}:{stored['name'].lower()}")
    await gh.repository_object(stored).destroy()
    return Reply(None, 204)


# commits, branches, refs


async def list_commits(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /repos/{owner}/{repo}/commits: `git log` of `sha` (default branch), optionally of one `path`."""
    gh = github_account(account)
    stored = gh.repo_of(call)
    per_page, page = page_of(call)
    path = call.query.get("path")
    if path is not None:
        try:
            path = content_path(path)
        except UnsafePath:
            return Reply([])
    found = await from_repository(
        gh.repository_object(stored).commits(call.query.get("sha"), path, per_page + 1, (page - 1) * per_page)
    )
    urls, full = Urls.of(call.base_url), f"{stored['owner']}/{stored['name']}"
    listed = [shapes.commit(urls, full, facts, gh.emails()) for facts in found[:per_page]]
    return paged(call, listed, more=len(found) > per_page)


async def get_commit(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /repos/{owner}/{repo}/commits/{ref}: one commit with the files it changed."""
    gh = github_account(account)
    stored = gh.repo_of(call)
    facts = await from_repository(gh.repository_object(stored).commit(call.path["ref"]))
    return Reply(shapes.commit(Urls.of(call.base_url), f"{stored['owner']}/{stored['name']}", facts, gh.emails()))


async def list_branches(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /repos/{owner}/{repo}/branches."""
    gh = github_account(account)
    stored = gh.repo_of(call)
    urls, full = Urls.of(call.base_url), f"{stored['owner']}/{stored['name']}"
    found = await from_repository(gh.repository_object(stored).branches())
    if call.query.get("protected") is True:
        found = []
    listed = [shapes.short_branch(urls, full, b["ref"].removeprefix("refs/heads/"), b["sha"]) for b in found]
    return paged(call, listed)


async def get_branch(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /repos/{owner}/{repo}/branches/{branch}."""
    gh = github_account(account)
    stored = gh.repo_of(call)
    name = call.path["branch"]
    branch = next(
        (b for b in await from_repository(gh.repository_object(stored).branches()) if b["ref"] == f"refs/heads/{name}"),
        None,
    )
    if branch is None:
        raise ApiError(404, "Branch not found")
    urls, full = Urls.of(call.base_url), f"{stored['owner']}/{stored['name']}"
    facts = await from_repository(gh.repository_object(stored).commit(branch["sha"]))
    facts.pop("files")
    return Reply(
        shapes.shaped(
            "branch-with-protection",
            {
                "name": name,
                "commit": shapes.commit(urls, full, facts, gh.emails()),
                "_links": {
                    "html": f"{urls.web}/{full}/tree/{name}",
                    "self": f"{urls.api}/repos/{full}/branches/{name}",
                },
                "protected": False,
                "protection": {
                    "enabled": False,
                    "required_status_checks": {"enforcement_level": "off", "contexts": [], "checks": []},
                },
                "protection_url": f"{urls.api}/repos/{full}/branches/{name}/protection",
            },
        )
    )


async def get_ref(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /repos/{owner}/{repo}/git/ref/{ref} (`heads/main`)."""
    gh = github_account(account)
    stored = gh.repo_of(call)
    wanted = "refs/" + call.path["ref"]
    found = next(
        (r for r in await from_repository(gh.repository_object(stored).refs(wanted)) if r["ref"] == wanted), None
    )
    if found is None:
        raise not_found()
    return Reply(
        shapes.git_ref(Urls.of(call.base_url), f"{stored['owner']}/{stored['name']}", found["ref"], found["sha"])
    )


async def list_matching_refs(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /repos/{owner}/{repo}/git/matching-refs/{ref}: refs starting with `refs/<ref>`."""
    gh = github_account(account)
    stored = gh.repo_of(call)
    urls, full = Urls.of(call.base_url), f"{stored['owner']}/{stored['name']}"
    found = await from_repository(gh.repository_object(stored).refs("refs/" + call.path["ref"]))
    return Reply([shapes.git_ref(urls, full, r["ref"], r["sha"]) for r in found])


async def create_ref(account: ApiAccount, call: ApiCall) -> Reply:
    """POST /repos/{owner}/{repo}/git/refs: a new branch or tag at a commit."""
    gh = github_account(account)
    stored = gh.repo_of(call)
    created = await from_repository(gh.repository_object(stored).create_ref(call.body["ref"], call.body["sha"]))
    return Reply(
        shapes.git_ref(Urls.of(call.base_url), f"{stored['owner']}/{stored['name']}", created["ref"], created["sha"]),
        201,
    )


# contents


def _decoded(content: str) -> bytes:
    try:
        return base64.b64decode(content, validate=False)
    except (binascii.Error, ValueError):
        raise invalid("Content", "content", "invalid", "content is not valid Base64") from None


def _identity(call: ApiCall, field: str, default: str) -> str:
    person = call.body.get(field)
    if not person:
        return default
    name, email = str(person["name"]).strip(), str(person["email"]).strip()
    if not name or any(c in name + email for c in "<>\n\x00"):
        raise invalid("Commit", field, "invalid")
    return f"{name} <{email}>"


def _checked_path(call: ApiCall) -> str:
    try:
        return content_path(call.path["path"])
    except UnsafePath:
        raise invalid(
            "Content", "path", "invalid", f"{call.path['path']!r} is not a file path of this repository"
        ) from None


async def get_content(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /repos/{owner}/{repo}/contents/{path}: a file (base64) or a folder's entries."""
    gh = github_account(account)
    stored = gh.repo_of(call)
    requested = call.path["path"].strip("/")
    try:
        path = content_path(requested) if requested else ""
    except UnsafePath:
        raise not_found() from None
    ref = call.query.get("ref")
    found = await from_repository(gh.repository_object(stored).contents(path, ref))
    if found is None:
        raise not_found()
    urls, full = Urls.of(call.base_url), f"{stored['owner']}/{stored['name']}"
    shown_ref = ref or stored["default_branch"]
    if found["type"] == "file":
        return Reply(shapes.content_file(urls, full, found["path"], found["sha"], found["content"], shown_ref))
    return Reply([shapes.directory_entry(urls, full, entry, shown_ref) for entry in found["entries"]])


async def put_content(account: ApiAccount, call: ApiCall) -> Reply:
    """PUT /repos/{owner}/{repo}/contents/{path}: one commit creating or replacing the file (`sha` to replace)."""
    gh = github_account(account)
    stored = gh.repo_of(call)
    path = _checked_path(call)
    body = call.body
    data = _decoded(body["content"])
    committer = _identity(call, "committer", gh.identity())
    author = _identity(call, "author", committer)
    branch = body.get("branch")
    before = await branch_head(gh, stored, branch)
    result = await from_repository(
        gh.repository_object(stored).put_file(path, data, body["message"], branch, body.get("sha"), author, committer)
    )
    urls, full = Urls.of(call.base_url), f"{stored['owner']}/{stored['name']}"
    branch = branch or stored["default_branch"]
    announce_commit(gh, stored, branch, before, result["commit"], call.base_url)
    content = shapes.content_file(urls, full, result["path"], result["sha"], data, branch)
    content.pop("content")
    content.pop("encoding")
    return Reply(shapes.file_commit(urls, full, result, content), 201 if result["created"] else 200)


async def delete_content(account: ApiAccount, call: ApiCall) -> Reply:
    """DELETE /repos/{owner}/{repo}/contents/{path}: one commit removing the file named by `sha`."""
    gh = github_account(account)
    stored = gh.repo_of(call)
    path = _checked_path(call)
    body = call.body
    committer = _identity(call, "committer", gh.identity())
    author = _identity(call, "author", committer)
    branch = body.get("branch")
    before = await branch_head(gh, stored, branch)
    result = await from_repository(
        gh.repository_object(stored).delete_file(path, body["message"], branch, body["sha"], author, committer)
    )
    announce_commit(gh, stored, branch or stored["default_branch"], before, result["commit"], call.base_url)
    return Reply(shapes.file_commit(Urls.of(call.base_url), f"{stored['owner']}/{stored['name']}", result, None))


async def branch_head(gh: GitHubAccount, stored: dict[str, Any], branch: str | None) -> str | None:
    name = f"refs/heads/{branch or stored['default_branch']}"
    found = await from_repository(gh.repository_object(stored).refs(name))
    return next((r["sha"] for r in found if r["ref"] == name), None)


def announce_commit(
    gh: GitHubAccount, stored: dict[str, Any], branch: str, before: str | None, commit: dict[str, Any], base_url: str
) -> None:
    """A commit made through the API is a push too: GitHub sends its `push` event."""
    stored["pushed_at"] = stored["updated_at"] = shapes.now()
    stored["base_url"] = base_url
    gh.save_repository(stored)
    payload = gh.push_payload(stored, f"refs/heads/{branch}", before, commit["sha"], [commit], base_url)
    gh.announce("push", stored, payload, base_url)
