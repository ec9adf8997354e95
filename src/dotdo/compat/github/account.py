"""`GitHubAccount`: one tenant's GitHub, as a durable object: its user, repositories, issues, pull requests, hooks.

A tenant is a GitHub of its own: its user's login is the tenant's name, organizations come into
being when a repository is created in them, and nothing of another tenant can be named, so one
token never reaches another tenant's repositories. The git data of each repository lives in its own
`GitHubRepository` object; issues, pull requests, labels and hooks are things of this one. Ids are
numbers from one sequence per account; lists page with `per_page`/`page` and a `Link` header.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import uuid
from typing import Any, ClassVar
from urllib.parse import urlencode

from ..openapi import ApiAccount, ApiCall, ApiError, Reply
from . import shapes
from .paths import UnsafePath, content_path
from .repository import GitError, GitHubRepository
from .shapes import Urls

DOCS = "https://docs.github.com/rest"
NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
COLOR = re.compile(r"^[0-9a-fA-F]{6}$")
HOOK_EVENTS = frozenset({"*", "push", "issues", "issue_comment", "pull_request", "label", "ping"})
SCHEMA = ("CREATE TABLE IF NOT EXISTS github_sequence (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",)


def login_of(tenant: str) -> str:
    """The login of a tenant's user: the tenant's name with anything GitHub refuses in a login made a dash."""
    login = re.sub(r"[^A-Za-z0-9-]", "-", tenant).strip("-")[:39]
    return login or "user"


def not_found() -> ApiError:
    """GitHub's answer for anything missing, or hidden from this token."""
    return ApiError(404, "Not Found")


def invalid(resource: str, field: str, code: str, message: str | None = None) -> ApiError:
    """A 422 "Validation Failed" naming the field."""
    error = {"resource": resource, "field": field, "code": code}
    if message:
        error["message"] = message
    return ApiError(422, "Validation Failed", errors=[error])


def _git_error(error: GitError) -> ApiError:
    if error.status == 422:
        return ApiError(
            422, error.message, errors=[{"resource": "Repository", "code": "custom", "message": error.message}]
        )
    return ApiError(error.status, error.message)


def paged(call: ApiCall, items: list[Any], more: bool | None = None) -> Reply:
    """A page of `items` by `per_page` (1-100, default 30) and `page`, with GitHub's `Link` header.

    With `more` None, `items` is the whole list and is cut here; otherwise it is already the page and
    `more` says whether another follows.
    """
    per_page, page = page_of(call)
    if more is None:
        total = len(items)
        chosen = items[(page - 1) * per_page : page * per_page]
        last = max(1, -(-total // per_page))
        more = page < last
    else:
        chosen, last = items, None
    links = []
    url = call.base_url + shapes.document().operation(call.operation_id).path.format(**call.path)
    others = {key: value for key, value in call.query.items() if key not in ("page", "per_page")}

    def link(number: int, rel: str) -> str:
        query = urlencode({**{k: _text(v) for k, v in others.items()}, "per_page": per_page, "page": number})
        return f'<{url}?{query}>; rel="{rel}"'

    if page > 1:
        links += [link(page - 1, "prev"), link(1, "first")]
    if more:
        links.append(link(page + 1, "next"))
        if last is not None:
            links.append(link(last, "last"))
    return Reply(chosen, headers={"Link": ", ".join(links)} if links else {})


def number(call: ApiCall, name: str) -> int:
    """A numeric path parameter (`issue_number`, `hook_id`); 404 when it is not a number."""
    text = call.path[name]
    if not text.isdigit() or len(text) > 18:
        raise not_found()
    return int(text)


def page_of(call: ApiCall) -> tuple[int, int]:
    """`per_page` and `page` of a list request, checked."""
    per_page, page = call.query.get("per_page", 30), call.query.get("page", 1)
    if not 1 <= per_page <= 100:
        raise invalid("Request", "per_page", "invalid", "per_page must be between 1 and 100")
    if page < 1:
        raise invalid("Request", "page", "invalid", "page must be 1 or more")
    return per_page, page


def _text(value: Any) -> str:
    return (
        ",".join(map(str, value))
        if isinstance(value, list)
        else str(value).lower()
        if isinstance(value, bool)
        else str(value)
    )


class GitHubAccount(ApiAccount):
    """A tenant's GitHub: handlers for every served operation, and the push and webhook machinery."""

    service_name: ClassVar[str] = "github"

    async def on_start(self) -> None:
        await super().on_start()
        for statement in SCHEMA:
            self.storage.sql.exec(statement)

    # -- identity and ids -------------------------------------------------------------------------

    @property
    def login(self) -> str:
        """The login of this tenant's user."""
        return login_of(self.ctx.name or "default")

    def next_id(self, name: str = "id") -> int:
        """The next number of a sequence (`id` for resources, `issue:<repo id>` for a repository's issues)."""
        rows = self.storage.sql.exec(
            "INSERT INTO github_sequence VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1 "
            "RETURNING value",
            name,
        ).to_list()
        return int(rows[0]["value"])

    def repository_object(self, stored: dict[str, Any]) -> Any:
        """The stub of the object holding a repository's git data."""
        return self.ctx.runtime.get(GitHubRepository, f"{self.ctx.name}/{stored['id']}")

    def identity(self) -> str:
        """This user as a git identity."""
        return f"{self.login} <{self.login}@users.noreply.localhost>"

    def emails(self) -> dict[str, str]:
        """E-mail address → login, for linking commits to the user."""
        return {f"{self.login}@users.noreply.localhost": self.login}

    # -- repositories -------------------------------------------------------------------------------

    def find_repository(self, owner: str, name: str) -> dict[str, Any]:
        """The stored repository `owner/name` (case-insensitive), or 404."""
        if not NAME.match(name) or not NAME.match(owner):
            raise not_found()
        thing = self.ctx.things.get(f"repo:{owner.lower()}:{name.lower()}")
        if thing is None or thing.type != "repository":
            raise not_found()
        return thing.data

    def repository_by_id(self, repository_id: int) -> dict[str, Any] | None:
        """The stored repository with this id, or None (deleted)."""
        return next((stored for stored in self.repositories() if stored["id"] == repository_id), None)

    def repositories(self, owner: str | None = None) -> list[dict[str, Any]]:
        """Stored repositories (of `owner`), by full name."""
        things = self.ctx.things.find("repository", order_by="name")
        found = [t.data for t in things if owner is None or t.data["owner"].lower() == owner.lower()]
        return sorted(found, key=lambda r: f"{r['owner']}/{r['name']}".lower())

    def save_repository(self, stored: dict[str, Any]) -> None:
        """Store a changed repository."""
        self.ctx.things.replace(f"repo:{stored['owner'].lower()}:{stored['name'].lower()}", data=stored)

    def repo_of(self, call: ApiCall) -> dict[str, Any]:
        """The repository named by the call's `owner` and `repo` path parameters."""
        return self.find_repository(call.path["owner"], call.path["repo"])

    async def create_repository(self, call: ApiCall, owner: str, owner_type: str) -> Reply:
        """Create a repository for `owner`, and its git data (with a README when `auto_init`)."""
        body = call.body
        name = body["name"]
        if not NAME.match(name) or name in (".", ".."):
            raise invalid("Repository", "name", "custom", "name may hold only letters, digits, '-', '_' and '.'")
        key = f"repo:{owner.lower()}:{name.lower()}"
        if self.ctx.things.get(key) is not None:
            raise invalid("Repository", "name", "custom", "name already exists on this account")
        created = shapes.now()
        private = bool(body.get("private", False)) or body.get("visibility") in ("private", "internal")
        stored = {
            "id": self.next_id(),
            "name": name,
            "owner": owner,
            "owner_type": owner_type,
            "private": private,
            "description": body.get("description"),
            "homepage": body.get("homepage"),
            "default_branch": "main",
            "created_at": created,
            "updated_at": created,
            "pushed_at": None,
            "open_issues": 0,
        }
        readme = f"# {name}\n\n{body.get('description') or ''}".rstrip() + "\n" if body.get("auto_init") else None
        head = await self.repository_object(stored).create("main", readme, self.identity())
        if head is not None:
            stored["pushed_at"] = created
        self.ctx.things.create("repository", f"{created}:{stored['id']}", id=key, data=stored)
        return Reply(shapes.repository(Urls.of(call.base_url), stored), 201)

    # -- webhooks ------------------------------------------------------------------------------------

    def hooks_for(self, repository_id: int, event: str) -> list[dict[str, Any]]:
        """The active hooks of a repository subscribed to `event`."""
        return [
            t.data
            for t in self.ctx.things.find("hook", where={"repo_id": repository_id})
            if t.data["active"] and (event in t.data["events"] or "*" in t.data["events"] or event == "ping")
        ]

    def announce(self, event: str, stored_repo: dict[str, Any], payload: dict[str, Any], base_url: str) -> None:
        """Queue `event` for every hook of the repository that listens to it (in the commit of the change)."""
        hooks = self.hooks_for(stored_repo["id"], event)
        if event == "ping":
            hooks = [h for h in hooks if h["id"] == payload["hook_id"]]
        if not hooks:
            return
        urls = Urls.of(base_url)
        body = {
            **payload,
            "repository": shapes.repository(urls, stored_repo),
            "sender": shapes.simple_user(urls, self.login),
        }
        for found in hooks:
            guid = str(uuid.uuid4())
            self.ctx.things.create(
                "webhook_delivery",
                id=guid,
                data={"guid": guid, "event": event, "hook_id": found["id"], "payload": body},
            )
            self.queue_webhooks({"id": guid}, [{"id": f"hook:{found['id']}"}])

    def delivery_request(self, endpoint: dict[str, Any], event: dict[str, Any]) -> tuple[str, bytes, dict[str, str]]:
        """GitHub's delivery: the payload as JSON (or `payload=` form), `X-GitHub-Event`, `X-Hub-Signature-256`."""
        config = endpoint["config"]
        payload = json.dumps(event["payload"], separators=(",", ":")).encode()
        content_type = "application/json"
        if config.get("content_type", "form") == "form":
            payload = urlencode({"payload": payload.decode()}).encode()
            content_type = "application/x-www-form-urlencoded"
        headers = {
            "Content-Type": content_type,
            "User-Agent": "GitHub-Hookshot/dotdo",
            "X-GitHub-Event": event["event"],
            "X-GitHub-Delivery": event["guid"],
            "X-GitHub-Hook-ID": str(endpoint["id"]),
            "X-GitHub-Hook-Installation-Target-Type": "repository",
        }
        secret = config.get("secret")
        if secret:
            key = secret.encode()
            headers["X-Hub-Signature"] = "sha1=" + hmac.new(key, payload, hashlib.sha1).hexdigest()
            headers["X-Hub-Signature-256"] = "sha256=" + hmac.new(key, payload, hashlib.sha256).hexdigest()
        return config["url"], payload, headers

    async def pushed(
        self, repository_id: int, ref: str, before: str | None, after: str | None, commits: list[dict[str, Any]]
    ) -> None:
        """A `git push` moved `ref` of a repository: note the time and send the `push` event."""
        stored = self.repository_by_id(repository_id)
        if stored is None:
            return
        stored["pushed_at"] = stored["updated_at"] = shapes.now()
        self.save_repository(stored)
        base_url = stored.get("base_url")
        if base_url:
            self.announce("push", stored, self.push_payload(stored, ref, before, after, commits, base_url), base_url)

    def push_payload(
        self,
        stored: dict[str, Any],
        ref: str,
        before: str | None,
        after: str | None,
        commits: list[dict[str, Any]],
        base_url: str,
    ) -> dict[str, Any]:
        """GitHub's `push` event payload."""
        urls = Urls.of(base_url)
        full = f"{stored['owner']}/{stored['name']}"
        zero = "0" * 40

        def pushed_commit(facts: dict[str, Any]) -> dict[str, Any]:
            return {
                "id": facts["sha"],
                "tree_id": facts["tree"],
                "distinct": True,
                "message": facts["message"],
                "timestamp": facts["committer"]["date"],
                "url": f"{urls.web}/{full}/commit/{facts['sha']}",
                "author": {"name": facts["author"]["name"], "email": facts["author"]["email"]},
                "committer": {"name": facts["committer"]["name"], "email": facts["committer"]["email"]},
                "added": [],
                "removed": [],
                "modified": [],
            }

        listed = [pushed_commit(facts) for facts in commits]
        return {
            "ref": ref,
            "before": before or zero,
            "after": after or zero,
            "created": before is None,
            "deleted": after is None,
            "forced": False,
            "base_ref": None,
            "compare": f"{urls.web}/{full}/compare/{(before or zero)[:12]}...{(after or zero)[:12]}",
            "commits": listed,
            "head_commit": listed[-1] if listed else None,
            "pusher": {"name": self.login, "email": f"{self.login}@users.noreply.localhost"},
        }

    async def git_target(self, owner: str, name: str, base_url: str) -> str | None:
        """The name of the object holding `owner/name`'s git data, for `git` over HTTP; None if there is none."""
        try:
            stored = self.find_repository(owner, name)
        except ApiError:
            return None
        self.remember_base_url(stored, base_url)
        return f"{self.ctx.name}/{stored['id']}"

    def remember_base_url(self, stored: dict[str, Any], base_url: str) -> None:
        """Keep the URL the repository was last reached by, for the links of events a `git push` causes."""
        if stored.get("base_url") != base_url:
            stored["base_url"] = base_url
            self.save_repository(stored)

    # -- issues and labels --------------------------------------------------------------------------

    def find_issue(self, stored_repo: dict[str, Any], number: int) -> dict[str, Any]:
        """The stored issue (or pull request's issue) `number`, or 404."""
        thing = self.ctx.things.get(f"issue:{stored_repo['id']}:{number}")
        if thing is None:
            raise not_found()
        return thing.data

    def save_issue(self, stored: dict[str, Any]) -> None:
        """Store a changed issue."""
        stored["updated_at"] = shapes.now()
        self.ctx.things.replace(f"issue:{stored['repo_id']}:{stored['number']}", data=stored)

    def find_label(self, stored_repo: dict[str, Any], name: str) -> dict[str, Any] | None:
        """A label of the repository by name (case-insensitive)."""
        thing = self.ctx.things.get(f"label:{stored_repo['id']}:{name.lower()}") if len(name) <= 100 else None
        return None if thing is None else thing.data

    def label_list(self, urls: Urls, stored_repo: dict[str, Any], names: list[str]) -> list[dict[str, Any]]:
        """The labels named, as GitHub shows them (labels deleted since are left out)."""
        full = f"{stored_repo['owner']}/{stored_repo['name']}"
        found = [self.find_label(stored_repo, name) for name in names]
        return [shapes.label(urls, full, label) for label in found if label is not None]

    def ensure_label(self, stored_repo: dict[str, Any], name: str) -> dict[str, Any]:
        """The label `name`, created (grey) if the repository has none of that name, as GitHub does."""
        found = self.find_label(stored_repo, name)
        if found is not None:
            return found
        if not name.strip() or len(name) > 100:
            raise invalid("Label", "name", "invalid")
        label = {
            "id": self.next_id(),
            "repo_id": stored_repo["id"],
            "name": name,
            "color": "ededed",
            "description": None,
        }
        self.ctx.things.create("label", name, id=f"label:{stored_repo['id']}:{name.lower()}", data=label)
        return label

    def issue_json(self, urls: Urls, stored_repo: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
        """An issue as GitHub shows it."""
        full = f"{stored_repo['owner']}/{stored_repo['name']}"
        return shapes.issue(urls, full, stored, self.label_list(urls, stored_repo, stored["labels"]))

    def create_issue(
        self, stored_repo: dict[str, Any], title: str, body: str | None, labels: list[str], pull: bool
    ) -> dict[str, Any]:
        """Store a new issue (or a pull request's issue), numbered after the repository's last one."""
        created = shapes.now()
        names = [self.ensure_label(stored_repo, name)["name"] for name in labels]
        stored = {
            "id": self.next_id(),
            "repo_id": stored_repo["id"],
            "number": self.next_id(f"issue:{stored_repo['id']}"),
            "title": title,
            "body": body,
            "state": "open",
            "state_reason": None,
            "labels": list(dict.fromkeys(names)),
            "user": self.login,
            "comments": 0,
            "pull": pull,
            "created_at": created,
            "updated_at": created,
            "closed_at": None,
        }
        self.ctx.things.create(
            "issue", f"{stored['number']:010d}", id=f"issue:{stored_repo['id']}:{stored['number']}", data=stored
        )
        stored_repo["open_issues"] = stored_repo.get("open_issues", 0) + 1
        self.save_repository(stored_repo)
        return stored

    def set_state(
        self, stored_repo: dict[str, Any], stored: dict[str, Any], state: str, reason: str | None
    ) -> str | None:
        """Open or close an issue; the action it was (`closed`, `reopened`) or None if nothing changed."""
        if state == stored["state"]:
            return None
        stored["state"] = state
        if state == "closed":
            stored["closed_at"], stored["state_reason"] = shapes.now(), reason or "completed"
            stored_repo["open_issues"] = max(0, stored_repo.get("open_issues", 0) - 1)
        else:
            stored["closed_at"], stored["state_reason"] = None, "reopened"
            stored_repo["open_issues"] = stored_repo.get("open_issues", 0) + 1
        self.save_repository(stored_repo)
        return "closed" if state == "closed" else "reopened"

    # -- pull requests ------------------------------------------------------------------------------

    def find_pull(self, stored_repo: dict[str, Any], number: int) -> dict[str, Any]:
        """The stored pull request `number`, or 404."""
        thing = self.ctx.things.get(f"pull:{stored_repo['id']}:{number}")
        if thing is None:
            raise not_found()
        return thing.data

    async def pull_json(
        self, urls: Urls, stored_repo: dict[str, Any], stored: dict[str, Any], schema: str = "pull-request"
    ) -> dict[str, Any]:
        """A pull request as GitHub shows it, with how its branches stand now (or stood when merged)."""
        issue_facts = self.find_issue(stored_repo, stored["number"])
        if stored.get("merged") or issue_facts["state"] == "closed":
            state = {"head_sha": stored["head_sha"], "base_sha": stored["base_sha"], "mergeable": None, "ahead_by": 0}
        else:
            try:
                compared = await self.repository_object(stored_repo).comparison(stored["base"], stored["head"])
            except GitError:
                compared = {"head": stored["head_sha"], "base": stored["base_sha"], "mergeable": None, "ahead_by": 0}
            state = {
                "head_sha": compared["head"],
                "base_sha": compared["base"],
                "mergeable": compared["mergeable"],
                "ahead_by": compared["ahead_by"],
            }
        labels = self.label_list(urls, stored_repo, issue_facts["labels"])
        return shapes.pull_request(urls, stored_repo, stored, issue_facts, labels, state, schema)


# -- handlers -----------------------------------------------------------------------------------------


def _account(account: ApiAccount) -> GitHubAccount:
    assert isinstance(account, GitHubAccount)
    return account


# users


async def get_authenticated(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /user: the token's user, with its private counts."""
    gh = _account(account)
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
    gh = _account(account)
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
    gh = _account(account)
    return await gh.create_repository(call, gh.login, "User")


async def create_in_org(account: ApiAccount, call: ApiCall) -> Reply:
    """POST /orgs/{org}/repos: organizations exist in a tenant once it creates a repository in them."""
    gh = _account(account)
    org = call.path["org"]
    if not LOGIN.match(org):
        raise not_found()
    if org.lower() == gh.login.lower():
        raise invalid("Repository", "owner", "invalid", f"{org} is a user, not an organization")
    owned = gh.repositories(org)
    return await gh.create_repository(call, owned[0]["owner"] if owned else org, "Organization")


async def get_repository(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /repos/{owner}/{repo}."""
    gh = _account(account)
    stored = gh.repo_of(call)
    gh.remember_base_url(stored, call.base_url)
    return Reply(shapes.repository(Urls.of(call.base_url), stored, "full-repository"))


def _visible(stored: dict[str, Any], kind: str) -> bool:
    return kind in ("all", "owner", "member") or (kind == "public") != stored["private"]


async def list_mine(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /user/repos: every repository of the tenant (its user's and its organizations')."""
    gh = _account(account)
    visibility = call.query.get("visibility", "all")
    found = [r for r in gh.repositories() if visibility == "all" or (visibility == "private") == r["private"]]
    urls = Urls.of(call.base_url)
    return paged(call, [shapes.repository(urls, r) for r in found])


async def list_for_user(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /users/{username}/repos."""
    gh = _account(account)
    kind = call.query.get("type", "owner")
    found = [r for r in gh.repositories(call.path["username"]) if _visible(r, kind)]
    urls = Urls.of(call.base_url)
    return paged(call, [shapes.repository(urls, r, "minimal-repository") for r in found])


async def list_for_org(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /orgs/{org}/repos."""
    gh = _account(account)
    owned = gh.repositories(call.path["org"])
    if not owned:
        raise not_found()
    kind = call.query.get("type", "all")
    urls = Urls.of(call.base_url)
    return paged(call, [shapes.repository(urls, r, "minimal-repository") for r in owned if _visible(r, kind)])


async def delete_repository(account: ApiAccount, call: ApiCall) -> Reply:
    """DELETE /repos/{owner}/{repo}: the repository, its git data, issues, labels, pull requests and hooks."""
    gh = _account(account)
    stored = gh.repo_of(call)
    for kind in ("issue", "pull", "label", "hook", "comment"):
        for thing in gh.ctx.things.find(kind, where={"repo_id": stored["id"]}):
            gh.ctx.things.delete(thing.id)
    gh.ctx.things.delete(f"repo:{stored['owner'].lower()}:{stored['name'].lower()}")
    await gh.repository_object(stored).destroy()
    return Reply(None, 204)


# commits, branches, refs


async def _git(call: Any) -> Any:
    try:
        return await call
    except GitError as error:
        raise _git_error(error) from None
    except UnsafePath:
        raise not_found() from None


async def list_commits(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /repos/{owner}/{repo}/commits: `git log` of `sha` (default branch), optionally of one `path`."""
    gh = _account(account)
    stored = gh.repo_of(call)
    per_page, page = page_of(call)
    path = call.query.get("path")
    if path is not None:
        try:
            path = content_path(path)
        except UnsafePath:
            return Reply([])
    found = await _git(
        gh.repository_object(stored).commits(call.query.get("sha"), path, per_page + 1, (page - 1) * per_page)
    )
    urls, full = Urls.of(call.base_url), f"{stored['owner']}/{stored['name']}"
    listed = [shapes.commit(urls, full, facts, gh.emails()) for facts in found[:per_page]]
    return paged(call, listed, more=len(found) > per_page)


async def get_commit(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /repos/{owner}/{repo}/commits/{ref}: one commit with the files it changed."""
    gh = _account(account)
    stored = gh.repo_of(call)
    facts = await _git(gh.repository_object(stored).commit(call.path["ref"]))
    return Reply(shapes.commit(Urls.of(call.base_url), f"{stored['owner']}/{stored['name']}", facts, gh.emails()))


async def list_branches(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /repos/{owner}/{repo}/branches."""
    gh = _account(account)
    stored = gh.repo_of(call)
    urls, full = Urls.of(call.base_url), f"{stored['owner']}/{stored['name']}"
    found = await _git(gh.repository_object(stored).branches())
    if call.query.get("protected") is True:
        found = []
    listed = [shapes.short_branch(urls, full, b["ref"].removeprefix("refs/heads/"), b["sha"]) for b in found]
    return paged(call, listed)


async def get_branch(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /repos/{owner}/{repo}/branches/{branch}."""
    gh = _account(account)
    stored = gh.repo_of(call)
    name = call.path["branch"]
    branch = next(
        (b for b in await _git(gh.repository_object(stored).branches()) if b["ref"] == f"refs/heads/{name}"), None
    )
    if branch is None:
        raise ApiError(404, "Branch not found")
    urls, full = Urls.of(call.base_url), f"{stored['owner']}/{stored['name']}"
    facts = await _git(gh.repository_object(stored).commit(branch["sha"]))
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
    gh = _account(account)
    stored = gh.repo_of(call)
    wanted = "refs/" + call.path["ref"]
    found = next((r for r in await _git(gh.repository_object(stored).refs(wanted)) if r["ref"] == wanted), None)
    if found is None:
        raise not_found()
    return Reply(
        shapes.git_ref(Urls.of(call.base_url), f"{stored['owner']}/{stored['name']}", found["ref"], found["sha"])
    )


async def list_matching_refs(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /repos/{owner}/{repo}/git/matching-refs/{ref}: refs starting with `refs/<ref>`."""
    gh = _account(account)
    stored = gh.repo_of(call)
    urls, full = Urls.of(call.base_url), f"{stored['owner']}/{stored['name']}"
    found = await _git(gh.repository_object(stored).refs("refs/" + call.path["ref"]))
    return Reply([shapes.git_ref(urls, full, r["ref"], r["sha"]) for r in found])


async def create_ref(account: ApiAccount, call: ApiCall) -> Reply:
    """POST /repos/{owner}/{repo}/git/refs: a new branch or tag at a commit."""
    gh = _account(account)
    stored = gh.repo_of(call)
    created = await _git(gh.repository_object(stored).create_ref(call.body["ref"], call.body["sha"]))
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
    gh = _account(account)
    stored = gh.repo_of(call)
    requested = call.path["path"].strip("/")
    try:
        path = content_path(requested) if requested else ""
    except UnsafePath:
        raise not_found() from None
    ref = call.query.get("ref")
    found = await _git(gh.repository_object(stored).contents(path, ref))
    if found is None:
        raise not_found()
    urls, full = Urls.of(call.base_url), f"{stored['owner']}/{stored['name']}"
    shown_ref = ref or stored["default_branch"]
    if found["type"] == "file":
        return Reply(shapes.content_file(urls, full, found["path"], found["sha"], found["content"], shown_ref))
    return Reply([shapes.directory_entry(urls, full, entry, shown_ref) for entry in found["entries"]])


async def put_content(account: ApiAccount, call: ApiCall) -> Reply:
    """PUT /repos/{owner}/{repo}/contents/{path}: one commit creating or replacing the file (`sha` to replace)."""
    gh = _account(account)
    stored = gh.repo_of(call)
    path = _checked_path(call)
    body = call.body
    data = _decoded(body["content"])
    committer = _identity(call, "committer", gh.identity())
    author = _identity(call, "author", committer)
    branch = body.get("branch")
    before = await _head(gh, stored, branch)
    result = await _git(
        gh.repository_object(stored).put_file(path, data, body["message"], branch, body.get("sha"), author, committer)
    )
    urls, full = Urls.of(call.base_url), f"{stored['owner']}/{stored['name']}"
    branch = branch or stored["default_branch"]
    _api_push(gh, stored, branch, before, result["commit"], call.base_url)
    content = shapes.content_file(urls, full, result["path"], result["sha"], data, branch)
    content.pop("content")
    content.pop("encoding")
    return Reply(shapes.file_commit(urls, full, result, content), 201 if result["created"] else 200)


async def delete_content(account: ApiAccount, call: ApiCall) -> Reply:
    """DELETE /repos/{owner}/{repo}/contents/{path}: one commit removing the file named by `sha`."""
    gh = _account(account)
    stored = gh.repo_of(call)
    path = _checked_path(call)
    body = call.body
    committer = _identity(call, "committer", gh.identity())
    author = _identity(call, "author", committer)
    branch = body.get("branch")
    before = await _head(gh, stored, branch)
    result = await _git(
        gh.repository_object(stored).delete_file(path, body["message"], branch, body["sha"], author, committer)
    )
    _api_push(gh, stored, branch or stored["default_branch"], before, result["commit"], call.base_url)
    return Reply(shapes.file_commit(Urls.of(call.base_url), f"{stored['owner']}/{stored['name']}", result, None))


async def _head(gh: GitHubAccount, stored: dict[str, Any], branch: str | None) -> str | None:
    name = f"refs/heads/{branch or stored['default_branch']}"
    found = await _git(gh.repository_object(stored).refs(name))
    return next((r["sha"] for r in found if r["ref"] == name), None)


def _api_push(
    gh: GitHubAccount, stored: dict[str, Any], branch: str, before: str | None, commit: dict[str, Any], base_url: str
) -> None:
    """A commit made through the API is a push too: GitHub sends its `push` event."""
    stored["pushed_at"] = stored["updated_at"] = shapes.now()
    stored["base_url"] = base_url
    gh.save_repository(stored)
    payload = gh.push_payload(stored, f"refs/heads/{branch}", before, commit["sha"], [commit], base_url)
    gh.announce("push", stored, payload, base_url)


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
    gh = _account(account)
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
    gh = _account(account)
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
    gh = _account(account)
    stored_repo = gh.repo_of(call)
    return Reply(
        gh.issue_json(Urls.of(call.base_url), stored_repo, gh.find_issue(stored_repo, number(call, "issue_number")))
    )


async def update_issue(account: ApiAccount, call: ApiCall) -> Reply:
    """PATCH /repos/{owner}/{repo}/issues/{issue_number}: title, body, state, labels."""
    gh = _account(account)
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
    gh = _account(account)
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
    gh = _account(account)
    stored_repo = gh.repo_of(call)
    issue = gh.find_issue(stored_repo, number(call, "issue_number"))
    things = gh.ctx.things.find(
        "comment", where={"repo_id": stored_repo["id"], "number": issue["number"]}, order_by="name"
    )
    urls, full = Urls.of(call.base_url), f"{stored_repo['owner']}/{stored_repo['name']}"
    return paged(call, [shapes.comment(urls, full, t.data) for t in things])


async def get_comment(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /repos/{owner}/{repo}/issues/comments/{comment_id}."""
    gh = _account(account)
    stored_repo = gh.repo_of(call)
    comment = _find_comment(gh, stored_repo, number(call, "comment_id"))
    return Reply(shapes.comment(Urls.of(call.base_url), f"{stored_repo['owner']}/{stored_repo['name']}", comment))


async def update_comment(account: ApiAccount, call: ApiCall) -> Reply:
    """PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}."""
    gh = _account(account)
    stored_repo = gh.repo_of(call)
    comment = _find_comment(gh, stored_repo, number(call, "comment_id"))
    comment["body"], comment["updated_at"] = call.body["body"], shapes.now()
    gh.ctx.things.replace(f"comment:{comment['id']}", data=comment)
    return Reply(shapes.comment(Urls.of(call.base_url), f"{stored_repo['owner']}/{stored_repo['name']}", comment))


async def delete_comment(account: ApiAccount, call: ApiCall) -> Reply:
    """DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}."""
    gh = _account(account)
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
    gh = _account(account)
    stored_repo = gh.repo_of(call)
    urls, full = Urls.of(call.base_url), f"{stored_repo['owner']}/{stored_repo['name']}"
    things = gh.ctx.things.find("label", where={"repo_id": stored_repo["id"]})
    labels = sorted((t.data for t in things), key=lambda label: label["name"].lower())
    return paged(call, [shapes.label(urls, full, label) for label in labels])


async def create_label(account: ApiAccount, call: ApiCall) -> Reply:
    """POST /repos/{owner}/{repo}/labels: `color` is six hex digits (a leading # is dropped)."""
    gh = _account(account)
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
    gh = _account(account)
    stored_repo = gh.repo_of(call)
    label = gh.find_label(stored_repo, call.path["name"])
    if label is None:
        raise not_found()
    return Reply(shapes.label(Urls.of(call.base_url), f"{stored_repo['owner']}/{stored_repo['name']}", label))


async def delete_label(account: ApiAccount, call: ApiCall) -> Reply:
    """DELETE /repos/{owner}/{repo}/labels/{name}: also taken off every issue."""
    gh = _account(account)
    stored_repo = gh.repo_of(call)
    label = gh.find_label(stored_repo, call.path["name"])
    if label is None:
        raise not_found()
    gh.ctx.things.delete(f"label:{stored_repo['id']}:{label['name'].lower()}")
    return Reply(None, 204)


async def add_labels(account: ApiAccount, call: ApiCall) -> Reply:
    """POST /repos/{owner}/{repo}/issues/{issue_number}/labels: `labels` as names or `{name}` objects."""
    gh = _account(account)
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
    gh = _account(account)
    stored_repo = gh.repo_of(call)
    issue = gh.find_issue(stored_repo, number(call, "issue_number"))
    return paged(call, gh.label_list(Urls.of(call.base_url), stored_repo, issue["labels"]))


async def remove_label(account: ApiAccount, call: ApiCall) -> Reply:
    """DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}: the labels left."""
    gh = _account(account)
    stored_repo = gh.repo_of(call)
    issue = gh.find_issue(stored_repo, number(call, "issue_number"))
    name = call.path["name"].lower()
    if name not in {label.lower() for label in issue["labels"]}:
        raise ApiError(404, "Label does not exist")
    issue["labels"] = [label for label in issue["labels"] if label.lower() != name]
    gh.save_issue(issue)
    return Reply(gh.label_list(Urls.of(call.base_url), stored_repo, issue["labels"]))


# pull requests


async def create_pull(account: ApiAccount, call: ApiCall) -> Reply:
    """POST /repos/{owner}/{repo}/pulls: `head` into `base`, both branches of this repository."""
    gh = _account(account)
    stored_repo = gh.repo_of(call)
    body = call.body
    head = str(body.get("head", "")).split(":")[-1]
    base = body["base"]
    if "title" not in body and "issue" not in body:
        raise invalid("PullRequest", "title", "missing_field")
    branches = {
        b["ref"].removeprefix("refs/heads/"): b["sha"] for b in await _git(gh.repository_object(stored_repo).branches())
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
    compared = await _git(gh.repository_object(stored_repo).comparison(base, head))
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
    gh = _account(account)
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
    gh = _account(account)
    stored_repo = gh.repo_of(call)
    pull = gh.find_pull(stored_repo, number(call, "pull_number"))
    return Reply(await gh.pull_json(Urls.of(call.base_url), stored_repo, pull))


async def check_merged(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /repos/{owner}/{repo}/pulls/{pull_number}/merge: 204 if merged, else 404 (no body, as documented)."""
    gh = _account(account)
    stored_repo = gh.repo_of(call)
    merged = gh.find_pull(stored_repo, number(call, "pull_number")).get("merged")
    return Reply(None, 204 if merged else 404)


async def merge_pull(account: ApiAccount, call: ApiCall) -> Reply:
    """PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge: gitx's three-way merge of head into base."""
    gh = _account(account)
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
    before = await _head(gh, stored_repo, pull["base"])
    head_sha = (await _git(gh.repository_object(stored_repo).comparison(pull["base"], pull["head"])))["head"]
    result = await _git(
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
    merged_commit = await _git(gh.repository_object(stored_repo).commit(result["sha"]))
    merged_commit.pop("files")
    _api_push(gh, stored_repo, pull["base"], before, merged_commit, call.base_url)
    shown = await gh.pull_json(Urls.of(call.base_url), stored_repo, pull)
    gh.announce(
        "pull_request",
        stored_repo,
        {"action": "closed", "number": pull["number"], "pull_request": shown},
        call.base_url,
    )
    return Reply(shapes.shaped("pull-request-merge-result", result))


# hooks


def _find_hook(gh: GitHubAccount, stored_repo: dict[str, Any], hook_id: int) -> dict[str, Any]:
    thing = gh.ctx.things.get(f"hook:{hook_id}")
    if thing is None or thing.data["repo_id"] != stored_repo["id"]:
        raise not_found()
    return thing.data


async def create_hook(account: ApiAccount, call: ApiCall) -> Reply:
    """POST /repos/{owner}/{repo}/hooks: `config.url` (http or https), `events` (default push); a `ping` follows."""
    gh = _account(account)
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
    gh = _account(account)
    stored_repo = gh.repo_of(call)
    urls, full = Urls.of(call.base_url), f"{stored_repo['owner']}/{stored_repo['name']}"
    things = gh.ctx.things.find("hook", where={"repo_id": stored_repo["id"]}, order_by="name")
    return paged(call, [shapes.hook(urls, full, t.data) for t in things])


async def get_hook(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /repos/{owner}/{repo}/hooks/{hook_id}."""
    gh = _account(account)
    stored_repo = gh.repo_of(call)
    hook = _find_hook(gh, stored_repo, number(call, "hook_id"))
    return Reply(shapes.hook(Urls.of(call.base_url), f"{stored_repo['owner']}/{stored_repo['name']}", hook))


async def delete_hook(account: ApiAccount, call: ApiCall) -> Reply:
    """DELETE /repos/{owner}/{repo}/hooks/{hook_id}: deliveries still queued for it are dropped."""
    gh = _account(account)
    stored_repo = gh.repo_of(call)
    hook = _find_hook(gh, stored_repo, number(call, "hook_id"))
    gh.ctx.things.delete(f"hook:{hook['id']}")
    return Reply(None, 204)


GitHubAccount.handlers = {
    "users/get-authenticated": get_authenticated,
    "users/get-by-username": get_user,
    "repos/create-for-authenticated-user": create_for_user,
    "repos/create-in-org": create_in_org,
    "repos/get": get_repository,
    "repos/list-for-authenticated-user": list_mine,
    "repos/list-for-user": list_for_user,
    "repos/list-for-org": list_for_org,
    "repos/delete": delete_repository,
    "repos/list-commits": list_commits,
    "repos/get-commit": get_commit,
    "repos/list-branches": list_branches,
    "repos/get-branch": get_branch,
    "git/get-ref": get_ref,
    "git/list-matching-refs": list_matching_refs,
    "git/create-ref": create_ref,
    "repos/get-content": get_content,
    "repos/create-or-update-file-contents": put_content,
    "repos/delete-file": delete_content,
    "issues/create": create_issue,
    "issues/list-for-repo": list_issues,
    "issues/get": get_issue,
    "issues/update": update_issue,
    "issues/create-comment": create_comment,
    "issues/list-comments": list_comments,
    "issues/get-comment": get_comment,
    "issues/update-comment": update_comment,
    "issues/delete-comment": delete_comment,
    "issues/list-labels-for-repo": list_labels,
    "issues/create-label": create_label,
    "issues/get-label": get_label,
    "issues/delete-label": delete_label,
    "issues/add-labels": add_labels,
    "issues/list-labels-on-issue": list_issue_labels,
    "issues/remove-label": remove_label,
    "pulls/create": create_pull,
    "pulls/list": list_pulls,
    "pulls/get": get_pull,
    "pulls/check-if-merged": check_merged,
    "pulls/merge": merge_pull,
    "repos/create-webhook": create_hook,
    "repos/list-webhooks": list_hooks,
    "repos/get-webhook": get_hook,
    "repos/delete-webhook": delete_hook,
}
"""The handler of each served operation."""
