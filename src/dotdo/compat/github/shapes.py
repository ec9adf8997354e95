"""GitHub's JSON for users, repositories, issues, pull requests, commits and the rest, from what is stored.

Each answer starts as the smallest value GitHub's schema for it allows (`blank`), so every required
field is present, and the stored facts are laid over it; the URLs in it point at this server, since
clients such as PyGithub follow them.
"""

from __future__ import annotations

import base64
import hashlib
import time
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..openapi import OpenAPIDocument, blank
from ..openapi.layer_files import document_beside

API_PREFIX = "/api/v3"
"""Where the REST API is served, as GitHub Enterprise Server serves it; git is served from the root."""


@cache
def document() -> OpenAPIDocument:
    """GitHub's OpenAPI document for api.github.com, trimmed to the operations this layer serves."""
    return document_beside(__file__)


def shaped(schema: str, facts: dict[str, Any]) -> dict[str, Any]:
    """The component schema `schema`'s smallest valid object, with `facts` laid over it."""
    return {**blank(document(), {"$ref": f"#/components/schemas/{schema}"}), **facts}


def now() -> str:
    """The current time as GitHub writes it (`2026-01-02T03:04:05Z`)."""
    return iso(time.time())


def iso(when: float) -> str:
    """Epoch seconds as GitHub's timestamp."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))


def node_id(kind: str, number: int) -> str:
    """A GraphQL node id in GitHub's legacy form (base64 of the kind and the number)."""
    return base64.b64encode(f"0{len(kind)}:{kind}{number}".encode()).decode()


def user_id(login: str) -> int:
    """The numeric id of a login (stable: the same login always has the same id)."""
    return int(hashlib.sha256(f"dotdo-github:{login.lower()}".encode()).hexdigest()[:7], 16) + 1


@dataclass(frozen=True)
class Urls:
    """The two roots of this server: the REST API (`…/api/v3`) and the web/git root beside it."""

    api: str
    web: str

    @classmethod
    def of(cls, base_url: str) -> Urls:
        """From the engine's base URL (which ends with the API prefix)."""
        return cls(base_url, base_url.removesuffix(API_PREFIX))


def simple_user(urls: Urls, login: str, kind: str = "User") -> dict[str, Any]:
    """A user (or organization) as GitHub embeds one in other resources."""
    api = f"{urls.api}/users/{login}"
    return shaped(
        "simple-user",
        {
            "login": login,
            "id": user_id(login),
            "node_id": node_id(kind, user_id(login)),
            "avatar_url": "",
            "gravatar_id": "",
            "url": api,
            "html_url": f"{urls.web}/{login}",
            "followers_url": f"{api}/followers",
            "following_url": f"{api}/following{{/other_user}}",
            "gists_url": f"{api}/gists{{/gist_id}}",
            "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{api}/subscriptions",
            "organizations_url": f"{api}/orgs",
            "repos_url": f"{api}/repos",
            "events_url": f"{api}/events{{/privacy}}",
            "received_events_url": f"{api}/received_events",
            "type": kind,
            "site_admin": False,
        },
    )


def profile(
    urls: Urls, login: str, *, public_repos: int, private: dict[str, int] | None, created_at: str
) -> dict[str, Any]:
    """A user's profile: `private-user` for the authenticated user (with `private` counts), else `public-user`."""
    facts = {
        **simple_user(urls, login),
        "name": login,
        "email": f"{login}@users.noreply.localhost",
        "public_repos": public_repos,
        "created_at": created_at,
        "updated_at": created_at,
    }
    if private is None:
        return shaped("public-user", facts)
    return shaped(
        "private-user",
        {**facts, **private, "two_factor_authentication": False, "disk_usage": 0, "collaborators": 0},
    )


def repository(urls: Urls, stored: dict[str, Any], schema: str = "repository") -> dict[str, Any]:
    """A stored repository as `repository`, `full-repository` or `minimal-repository`."""
    full = f"{stored['owner']}/{stored['name']}"
    api = f"{urls.api}/repos/{full}"
    owner = simple_user(urls, stored["owner"], stored["owner_type"])
    facts = {
        "id": stored["id"],
        "node_id": node_id("Repository", stored["id"]),
        "name": stored["name"],
        "full_name": full,
        "owner": owner,
        "private": stored["private"],
        "visibility": "private" if stored["private"] else "public",
        "description": stored["description"],
        "homepage": stored["homepage"],
        "fork": False,
        "default_branch": stored["default_branch"],
        "created_at": stored["created_at"],
        "updated_at": stored["updated_at"],
        "pushed_at": stored["pushed_at"],
        "html_url": f"{urls.web}/{full}",
        "clone_url": f"{urls.web}/{full}.git",
        "git_url": f"{urls.web}/{full}.git",
        "ssh_url": f"{urls.web}/{full}.git",
        "svn_url": f"{urls.web}/{full}",
        "url": api,
        "has_issues": True,
        "has_projects": False,
        "has_wiki": False,
        "has_pages": False,
        "has_downloads": False,
        "archived": False,
        "disabled": False,
        "open_issues_count": stored.get("open_issues", 0),
        "open_issues": stored.get("open_issues", 0),
        "permissions": {"admin": True, "maintain": True, "push": True, "triage": True, "pull": True},
        "topics": [],
        "license": None,
        "size": 0,
    }
    for name in (
        "archive",
        "assignees",
        "blobs",
        "branches",
        "collaborators",
        "comments",
        "commits",
        "compare",
        "contents",
        "contributors",
        "deployments",
        "downloads",
        "events",
        "forks",
        "git_commits",
        "git_refs",
        "git_tags",
        "hooks",
        "issue_comment",
        "issue_events",
        "issues",
        "keys",
        "labels",
        "languages",
        "merges",
        "milestones",
        "notifications",
        "pulls",
        "releases",
        "stargazers",
        "statuses",
        "subscribers",
        "subscription",
        "tags",
        "teams",
        "trees",
    ):
        facts[f"{name}_url"] = f"{api}/{name.replace('_', '/') if name.startswith('git_') else name}"
    kept = document().schema(schema).get("properties", {})
    facts = {key: value for key, value in facts.items() if key in kept}
    if schema == "full-repository":
        facts.update(network_count=0, subscribers_count=0)
    return shaped(schema, facts)


def label(urls: Urls, full_name: str, stored: dict[str, Any]) -> dict[str, Any]:
    """A label."""
    return shaped(
        "label",
        {
            "id": stored["id"],
            "node_id": node_id("Label", stored["id"]),
            "url": f"{urls.api}/repos/{full_name}/labels/{stored['name']}",
            "name": stored["name"],
            "description": stored.get("description"),
            "color": stored["color"],
            "default": False,
        },
    )


def issue(urls: Urls, full_name: str, stored: dict[str, Any], labels: list[dict[str, Any]]) -> dict[str, Any]:
    """An issue (or the issue side of a pull request)."""
    api = f"{urls.api}/repos/{full_name}/issues/{stored['number']}"
    facts = {
        "id": stored["id"],
        "node_id": node_id("Issue", stored["id"]),
        "number": stored["number"],
        "title": stored["title"],
        "body": stored["body"],
        "state": stored["state"],
        "state_reason": stored.get("state_reason"),
        "locked": False,
        "user": simple_user(urls, stored["user"]),
        "labels": labels,
        "assignee": None,
        "assignees": [],
        "milestone": None,
        "comments": stored["comments"],
        "created_at": stored["created_at"],
        "updated_at": stored["updated_at"],
        "closed_at": stored["closed_at"],
        "author_association": "OWNER",
        "url": api,
        "html_url": f"{urls.web}/{full_name}/issues/{stored['number']}",
        "repository_url": f"{urls.api}/repos/{full_name}",
        "labels_url": f"{api}/labels{{/name}}",
        "comments_url": f"{api}/comments",
        "events_url": f"{api}/events",
    }
    if stored.get("pull"):
        pulls = f"{urls.api}/repos/{full_name}/pulls/{stored['number']}"
        facts["pull_request"] = {
            "url": pulls,
            "html_url": f"{urls.web}/{full_name}/pull/{stored['number']}",
            "diff_url": f"{urls.web}/{full_name}/pull/{stored['number']}.diff",
            "patch_url": f"{urls.web}/{full_name}/pull/{stored['number']}.patch",
            "merged_at": stored.get("merged_at"),
        }
    return shaped("issue", facts)


def comment(urls: Urls, full_name: str, stored: dict[str, Any]) -> dict[str, Any]:
    """An issue comment."""
    return shaped(
        "issue-comment",
        {
            "id": stored["id"],
            "node_id": node_id("IssueComment", stored["id"]),
            "body": stored["body"],
            "user": simple_user(urls, stored["user"]),
            "created_at": stored["created_at"],
            "updated_at": stored["updated_at"],
            "author_association": "OWNER",
            "url": f"{urls.api}/repos/{full_name}/issues/comments/{stored['id']}",
            "html_url": f"{urls.web}/{full_name}/issues/{stored['number']}#issuecomment-{stored['id']}",
            "issue_url": f"{urls.api}/repos/{full_name}/issues/{stored['number']}",
        },
    )


def pull_request(
    urls: Urls,
    repo: dict[str, Any],
    stored: dict[str, Any],
    issue_facts: dict[str, Any],
    labels: list[dict[str, Any]],
    state: dict[str, Any],
    schema: str = "pull-request",
) -> dict[str, Any]:
    """A pull request: its issue's title, body and state, its branches, and (when known) how it merges."""
    full_name = f"{repo['owner']}/{repo['name']}"
    number = stored["number"]
    api = f"{urls.api}/repos/{full_name}/pulls/{number}"
    html = f"{urls.web}/{full_name}/pull/{number}"
    inline = document().schema(schema)["properties"]["base"]["properties"]["repo"]
    repo_json = {
        **blank(document(), {key: value for key, value in inline.items() if key != "nullable"}),
        **repository(urls, repo),
    }

    def side(branch: str, sha: str) -> dict[str, Any]:
        return {
            "label": f"{repo['owner']}:{branch}",
            "ref": branch,
            "sha": sha,
            "user": simple_user(urls, repo["owner"], repo["owner_type"]),
            "repo": repo_json,
        }

    links = {
        "self": api,
        "html": html,
        "issue": f"{urls.api}/repos/{full_name}/issues/{number}",
        "comments": f"{urls.api}/repos/{full_name}/issues/{number}/comments",
        "review_comments": f"{api}/comments",
        "review_comment": f"{urls.api}/repos/{full_name}/pulls/comments{{/number}}",
        "commits": f"{api}/commits",
        "statuses": f"{urls.api}/repos/{full_name}/statuses/{state['head_sha']}",
    }
    facts = {
        "id": stored["id"],
        "node_id": node_id("PullRequest", stored["id"]),
        "number": number,
        "title": issue_facts["title"],
        "body": issue_facts["body"],
        "state": issue_facts["state"],
        "locked": False,
        "user": simple_user(urls, issue_facts["user"]),
        "labels": labels,
        "assignee": None,
        "assignees": [],
        "milestone": None,
        "draft": stored.get("draft", False),
        "created_at": issue_facts["created_at"],
        "updated_at": issue_facts["updated_at"],
        "closed_at": issue_facts["closed_at"],
        "merged_at": stored.get("merged_at"),
        "merge_commit_sha": stored.get("merge_commit_sha"),
        "head": side(stored["head"], state["head_sha"]),
        "base": side(stored["base"], state["base_sha"]),
        "author_association": "OWNER",
        "auto_merge": None,
        "url": api,
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": links["issue"],
        "commits_url": links["commits"],
        "review_comments_url": links["review_comments"],
        "review_comment_url": links["review_comment"],
        "comments_url": links["comments"],
        "statuses_url": links["statuses"],
        "_links": {key: {"href": value} for key, value in links.items()},
    }
    if schema == "pull-request":
        merged = bool(stored.get("merged"))
        facts.update(
            merged=merged,
            mergeable=None if merged else state.get("mergeable"),
            mergeable_state="unknown" if merged else ("clean" if state.get("mergeable") else "dirty"),
            merged_by=simple_user(urls, stored["merged_by"]) if stored.get("merged_by") else None,
            comments=issue_facts["comments"],
            review_comments=0,
            maintainer_can_modify=False,
            commits=state.get("ahead_by", 0),
            additions=0,
            deletions=0,
            changed_files=0,
        )
    return shaped(schema, facts)


def git_person(facts: dict[str, Any]) -> dict[str, Any]:
    """A commit's author or committer as `{name, email, date}`."""
    return {"name": facts["name"], "email": facts["email"], "date": facts["date"]}


def commit(urls: Urls, full_name: str, facts: dict[str, Any], login_of: dict[str, str]) -> dict[str, Any]:
    """A commit (`commit` schema); `login_of` maps e-mail addresses to the logins GitHub links them to."""
    sha = facts["sha"]
    api = f"{urls.api}/repos/{full_name}"

    def account(person: dict[str, Any]) -> dict[str, Any] | None:
        login = login_of.get(person["email"])
        return None if login is None else simple_user(urls, login)

    value = {
        "sha": sha,
        "node_id": node_id("Commit", int(sha[:7], 16)),
        "url": f"{api}/commits/{sha}",
        "html_url": f"{urls.web}/{full_name}/commit/{sha}",
        "comments_url": f"{api}/commits/{sha}/comments",
        "commit": {
            "url": f"{api}/git/commits/{sha}",
            "author": git_person(facts["author"]),
            "committer": git_person(facts["committer"]),
            "message": facts["message"],
            "comment_count": 0,
            "tree": {"sha": facts["tree"], "url": f"{api}/git/trees/{facts['tree']}"},
            "verification": {"verified": False, "reason": "unsigned", "signature": None, "payload": None},
        },
        "author": account(facts["author"]),
        "committer": account(facts["committer"]),
        "parents": [
            {"sha": parent, "url": f"{api}/commits/{parent}", "html_url": f"{urls.web}/{full_name}/commit/{parent}"}
            for parent in facts["parents"]
        ],
    }
    if "files" in facts:
        value["files"] = [
            {
                "sha": changed["sha"],
                "filename": changed["filename"],
                "status": changed["status"],
                "additions": 0,
                "deletions": 0,
                "changes": 0,
                "blob_url": f"{urls.web}/{full_name}/blob/{sha}/{changed['filename']}",
                "raw_url": f"{urls.web}/{full_name}/raw/{sha}/{changed['filename']}",
                "contents_url": f"{api}/contents/{changed['filename']}?ref={sha}",
            }
            for changed in facts["files"]
        ]
        value["stats"] = {"additions": 0, "deletions": 0, "total": 0}
    return shaped("commit", value)


def short_branch(urls: Urls, full_name: str, name: str, sha: str) -> dict[str, Any]:
    """A branch as branch lists show it."""
    return shaped(
        "short-branch",
        {
            "name": name,
            "commit": {"sha": sha, "url": f"{urls.api}/repos/{full_name}/commits/{sha}"},
            "protected": False,
        },
    )


def git_ref(urls: Urls, full_name: str, ref: str, sha: str) -> dict[str, Any]:
    """A git reference."""
    return shaped(
        "git-ref",
        {
            "ref": ref,
            "node_id": node_id("Ref", int(sha[:7], 16)),
            "url": f"{urls.api}/repos/{full_name}/git/{ref}",
            "object": {"type": "commit", "sha": sha, "url": f"{urls.api}/repos/{full_name}/git/commits/{sha}"},
        },
    )


def content_links(urls: Urls, full_name: str, path: str, sha: str, kind: str, ref: str) -> dict[str, Any]:
    """The URLs of one file or folder of the contents API."""
    api = f"{urls.api}/repos/{full_name}/contents/{path}?ref={ref}"
    git = f"{urls.api}/repos/{full_name}/git/{'blobs' if kind == 'file' else 'trees'}/{sha}"
    html = f"{urls.web}/{full_name}/{'blob' if kind == 'file' else 'tree'}/{ref}/{path}"
    return {
        "url": api,
        "git_url": git,
        "html_url": html,
        "download_url": f"{urls.web}/{full_name}/raw/{ref}/{path}" if kind == "file" else None,
        "_links": {"self": api, "git": git, "html": html},
    }


def content_file(urls: Urls, full_name: str, path: str, sha: str, data: bytes, ref: str) -> dict[str, Any]:
    """A file of the contents API, its bytes in base64 (wrapped at 60 characters, as GitHub sends them)."""
    encoded = base64.b64encode(data).decode()
    wrapped = "".join(encoded[i : i + 60] + "\n" for i in range(0, len(encoded), 60))
    return shaped(
        "content-file",
        {
            "type": "file",
            "encoding": "base64",
            "size": len(data),
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "content": wrapped,
            "sha": sha,
            **content_links(urls, full_name, path, sha, "file", ref),
        },
    )


def directory_entry(urls: Urls, full_name: str, entry: dict[str, Any], ref: str) -> dict[str, Any]:
    """One entry of a folder listing."""
    return {
        "type": entry["type"],
        "size": entry["size"],
        "name": entry["path"].rsplit("/", 1)[-1],
        "path": entry["path"],
        "sha": entry["sha"],
        **content_links(urls, full_name, entry["path"], entry["sha"], entry["type"], ref),
    }


def file_commit(urls: Urls, full_name: str, facts: dict[str, Any], content: dict[str, Any] | None) -> dict[str, Any]:
    """What creating, updating or deleting a file answers: the file (None once deleted) and the commit."""
    commit_facts = facts["commit"]
    sha = commit_facts["sha"]
    api = f"{urls.api}/repos/{full_name}"
    return shaped(
        "file-commit",
        {
            "content": content,
            "commit": {
                "sha": sha,
                "node_id": node_id("Commit", int(sha[:7], 16)),
                "url": f"{api}/git/commits/{sha}",
                "html_url": f"{urls.web}/{full_name}/commit/{sha}",
                "author": git_person(commit_facts["author"]),
                "committer": git_person(commit_facts["committer"]),
                "message": commit_facts["message"],
                "tree": {"sha": commit_facts["tree"], "url": f"{api}/git/trees/{commit_facts['tree']}"},
                "parents": [
                    {"sha": p, "url": f"{api}/git/commits/{p}", "html_url": f"{urls.web}/{full_name}/commit/{p}"}
                    for p in commit_facts["parents"]
                ],
                "verification": {"verified": False, "reason": "unsigned", "signature": None, "payload": None},
            },
        },
    )


def hook(urls: Urls, full_name: str, stored: dict[str, Any]) -> dict[str, Any]:
    """A repository webhook (its secret is never shown back)."""
    api = f"{urls.api}/repos/{full_name}/hooks/{stored['id']}"
    config = {key: value for key, value in stored["config"].items() if key != "secret"}
    if "secret" in stored["config"]:
        config["secret"] = "********"
    return shaped(
        "hook",
        {
            "type": "Repository",
            "id": stored["id"],
            "name": "web",
            "active": stored["active"],
            "events": stored["events"],
            "config": config,
            "updated_at": stored["updated_at"],
            "created_at": stored["created_at"],
            "url": api,
            "test_url": f"{api}/test",
            "ping_url": f"{api}/pings",
            "deliveries_url": f"{api}/deliveries",
            "last_response": stored.get("last_response") or {"code": None, "status": "unused", "message": None},
        },
    )
