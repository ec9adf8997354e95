"""GitHub that PyGithub cannot tell apart from GitHub Enterprise Server, with repositories `git` clones and pushes.

dotdo compat serve github --port 9000
gh = dotdo.compat.github.client("http://127.0.0.1:9000")          # github.Github, pointed at /api/v3
git clone http://x-access-token:<token>@127.0.0.1:9000/<owner>/<repo>.git

Served from GitHub's own OpenAPI document (trimmed to `operations.txt`): users, repositories, commits,
branches, refs, the contents API, issues, comments, labels, pull requests and webhooks. Every
repository is a gitx repository in an object of its own: files written through the API are real
commits, and commits pushed with `git` show up through the API. Each tenant (access key) is a GitHub
of its own, so one token never sees another tenant's repositories.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..layer import Service
from ..openapi import bearer_tokens
from ..openapi.layer_files import served_operations
from .account import GitHubAccount, login_of
from .app import TOKEN_PREFIX, build, is_git_path
from .repository import GitHubRepository
from .shapes import API_PREFIX

if TYPE_CHECKING:
    from starlette.types import Scope

OPERATIONS = served_operations(__file__)


def claims(scope: Scope) -> bool:
    """GitHub requests: the REST API under `/api/v3/`, and git's smart HTTP at `/<owner>/<repo>.git/…`."""
    path = scope.get("path", "")
    return path.startswith(API_PREFIX + "/") or is_git_path(path)


def token(data_dir: str = ".dotdo", tenant: str | None = None) -> str:
    """A `ghp_…` token for the data folder's default tenant (or a new key's token for `tenant`)."""
    return bearer_tokens.key_for(data_dir, "github", TOKEN_PREFIX, tenant)


def client(endpoint_url: str = "http://127.0.0.1:9000", *, data_dir: str = ".dotdo", token: str | None = None) -> Any:
    """A PyGithub `Github` pointed at dotdo's `/api/v3` (the data folder's default token unless one is given)."""
    from github import Auth, Github

    chosen = token if token is not None else globals()["token"](data_dir)
    # PyGithub spaces its requests out for github.com's rate limits (a second between writes); a
    # local server has none to respect.
    return Github(
        base_url=endpoint_url.rstrip("/") + API_PREFIX,
        auth=Auth.Token(chosen),
        retry=None,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )


service = Service(
    name="github",
    title="GitHub (repositories on gitx, issues, pull requests, webhooks)",
    operations=OPERATIONS,
    build=build,
    objects=(GitHubAccount, GitHubRepository),
    claims=claims,
    client=client,
    notes={
        "users/get-by-username": "each tenant is a GitHub of its own: only its user and organizations exist",
        "repos/create-in-org": "an organization comes into being with its first repository",
        "pulls/merge": "merge and squash; rebase merges are refused (422)",
        "repos/get-content": "files and folders; symlinks read as files, submodules are not shown",
    },
)
"""The GitHub layer as the registry lists it."""

__all__ = ["OPERATIONS", "GitHubAccount", "GitHubRepository", "client", "login_of", "service", "token"]
