"""`GitHubAccount`: one tenant's GitHub, as a durable object: its user, repositories, issues, pull requests, hooks.

A tenant is a GitHub of its own: its user's login is the tenant's name, organizations come into
being when a repository is created in them, and nothing of another tenant can be named, so one
token never reaches another tenant's repositories. The git data of each repository lives in its own
`GitHubRepository` object; issues, pull requests, labels and hooks are things of this one. Ids are
numbers from one sequence per account; lists page with `per_page`/`page` and a `Link` header.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid
from typing import Any, ClassVar
from urllib.parse import urlencode

from ..openapi import ApiAccount, ApiCall, ApiError, Handler, Reply
from . import hook_handlers, issue_handlers, pull_handlers, repository_handlers, shapes
from .api_rules import NAME, invalid, not_found
from .repository import GitError, GitHubRepository
from .shapes import Urls

SCHEMA = ("CREATE TABLE IF NOT EXISTS github_sequence (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",)


def login_of(tenant: str) -> str:
    """The login of a tenant's user: the tenant's name with anything GitHub refuses in a login made a dash."""
    login = re.sub(r"[^A-Za-z0-9-]", "-", tenant).strip("-")[:39]
    return login or "user"


class GitHubAccount(ApiAccount):
    """A tenant's GitHub: handlers for every served operation, and the push and webhook machinery."""

    service_name: ClassVar[str] = "github"
    shardable: ClassVar[bool] = False  # each repository is an object of its own already
    handlers: ClassVar[dict[str, Handler]] = {
        "users/get-authenticated": repository_handlers.get_authenticated,
        "users/get-by-username": repository_handlers.get_user,
        "repos/create-for-authenticated-user": repository_handlers.create_for_user,
        "repos/create-in-org": repository_handlers.create_in_org,
        "repos/get": repository_handlers.get_repository,
        "repos/list-for-authenticated-user": repository_handlers.list_mine,
        "repos/list-for-user": repository_handlers.list_for_user,
        "repos/list-for-org": repository_handlers.list_for_org,
        "repos/delete": repository_handlers.delete_repository,
        "repos/list-commits": repository_handlers.list_commits,
        "repos/get-commit": repository_handlers.get_commit,
        "repos/list-branches": repository_handlers.list_branches,
        "repos/get-branch": repository_handlers.get_branch,
        "git/get-ref": repository_handlers.get_ref,
        "git/list-matching-refs": repository_handlers.list_matching_refs,
        "git/create-ref": repository_handlers.create_ref,
        "repos/get-content": repository_handlers.get_content,
        "repos/create-or-update-file-contents": repository_handlers.put_content,
        "repos/delete-file": repository_handlers.delete_content,
        "issues/create": issue_handlers.create_issue,
        "issues/list-for-repo": issue_handlers.list_issues,
        "issues/get": issue_handlers.get_issue,
        "issues/update": issue_handlers.update_issue,
        "issues/create-comment": issue_handlers.create_comment,
        "issues/list-comments": issue_handlers.list_comments,
        "issues/get-comment": issue_handlers.get_comment,
        "issues/update-comment": issue_handlers.update_comment,
        "issues/delete-comment": issue_handlers.delete_comment,
        "issues/list-labels-for-repo": issue_handlers.list_labels,
        "issues/create-label": issue_handlers.create_label,
        "issues/get-label": issue_handlers.get_label,
        "issues/delete-label": issue_handlers.delete_label,
        "issues/add-labels": issue_handlers.add_labels,
        "issues/list-labels-on-issue": issue_handlers.list_issue_labels,
        "issues/remove-label": issue_handlers.remove_label,
        "pulls/create": pull_handlers.create_pull,
        "pulls/list": pull_handlers.list_pulls,
        "pulls/get": pull_handlers.get_pull,
        "pulls/update": pull_handlers.update_pull,
        "pulls/check-if-merged": pull_handlers.check_merged,
        "pulls/merge": pull_handlers.merge_pull,
        "repos/create-webhook": hook_handlers.create_hook,
        "repos/list-webhooks": hook_handlers.list_hooks,
        "repos/get-webhook": hook_handlers.get_hook,
        "repos/delete-webhook": hook_handlers.delete_hook,
    }
    """The handler of each served operation."""

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

    def delivery_request(
        self, endpoint: dict[str, Any], event: dict[str, Any], retries: int
    ) -> tuple[str, bytes, dict[str, str]]:
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
