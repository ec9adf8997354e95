"""The GitHub layer's ASGI app: the REST API under `/api/v3` (as GitHub Enterprise Server serves it), git at the root.

`/api/v3/…` is GitHub's OpenAPI document served by the engine with GitHub's conventions: a token in
`Authorization: token …` (or `Bearer …`), JSON bodies, errors as `{"message", "documentation_url"}`
and 422 "Validation Failed" for a body the schema refuses. `/<owner>/<repo>.git/…` is the
repository over git's smart HTTP, for `git clone` and `git push`, with the token as the password
(any user name), as GitHub takes it.
"""

from __future__ import annotations

import base64
import re
from typing import TYPE_CHECKING, Any

from starlette.responses import PlainTextResponse

from ...http.git_mount import serve_repository
from ..openapi import ApiError, OpenAPIApp, ServiceConventions, bearer_tokens
from .account import GitHubAccount
from .api_rules import DOCS
from .repository import GitHubRepository
from .shapes import API_PREFIX, document

if TYPE_CHECKING:
    from starlette.types import Receive, Scope, Send

    from ..credentials import Credentials
    from ..layer import CompatContext

TOKEN_PREFIX = "ghp_"
MAX_BODY = 1024 * 1024
MAX_GIT_BODY = 64 * 1024 * 1024
GIT_PATH = re.compile(
    r"^/(?P<owner>[A-Za-z0-9_.-]+)/(?P<repo>[A-Za-z0-9_.-]+?)(?:\.git)?(?P<rest>/info/refs|/git-upload-pack|/git-receive-pack)$"
)


def is_git_path(path: str) -> bool:
    """Whether `path` is a smart-HTTP request for a repository (`/owner/repo.git/info/refs`)."""
    return GIT_PATH.match(path) is not None


def error_reply(error: ApiError) -> tuple[int, dict[str, Any]]:
    """GitHub's error shape; the engine's refusals of a request's parameters become 422 "Validation Failed"."""
    status, message = error.status, error.message
    body: dict[str, Any] = {"message": message, "documentation_url": DOCS, "status": str(status)}
    if status == 400 and message.startswith("Invalid JSON"):
        body["message"] = "Problems parsing JSON"
    elif status == 400:
        status = 422
        field = error.details.get("param")
        body["message"] = f"Invalid request.\n\n{message}"
        body["errors"] = [{"resource": "Request", "field": field or "", "code": "invalid", "message": message}]
    elif status == 401 and error.details.get("missing"):
        body["message"] = "Requires authentication"
    elif status == 401:
        body["message"] = "Bad credentials"
    elif status == 404 and message.startswith("Unrecognized request URL"):
        body["message"] = "Not Found"
    if "errors" in error.details:
        body["errors"] = error.details["errors"]
    body["status"] = str(status)
    return status, body


def _token_of(headers: dict[str, str]) -> str | None:
    scheme, _, value = headers.get("authorization", "").partition(" ")
    value = value.strip()
    if scheme.lower() in ("token", "bearer") and value:
        return value
    if scheme.lower() == "basic" and value:
        try:
            user, _, password = base64.b64decode(value).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return ""
        return password if password.startswith(TOKEN_PREFIX) else user
    return None


def tenant_of(credentials: Credentials, headers: dict[str, str]) -> str:
    """The tenant whose token the request carries; `ApiError` 401 otherwise."""
    token = _token_of(headers)
    if not token:
        raise ApiError(401, "Requires authentication", missing=True)
    try:
        return bearer_tokens.authenticate_token(credentials, token, (TOKEN_PREFIX,), "github").tenant
    except bearer_tokens.InvalidToken:
        raise ApiError(401, "Bad credentials") from None


class GitHubApp:
    """The REST API and git's smart HTTP for one runtime's GitHub tenants."""

    def __init__(self, context: CompatContext) -> None:
        self.runtime = context.runtime
        self.credentials = context.credentials
        conventions = ServiceConventions(
            account=GitHubAccount,
            authenticate=lambda headers: tenant_of(self.credentials, headers),
            error_reply=error_reply,
            max_body=MAX_BODY,
        )
        self.api = OpenAPIApp(document(), conventions, context.runtime, context.options.get("account_shards"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        root = scope.get("root_path", "")
        path = scope["path"][len(root) :] if root and scope["path"].startswith(root) else scope["path"]
        if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
            inner = dict(scope, path=path[len(API_PREFIX) :] or "/", root_path=root + API_PREFIX)
            await self.api(inner, receive, send)
            return
        match = GIT_PATH.match(path)
        if match is None:
            await self.api(dict(scope, path=path, root_path=root), receive, send)
            return
        await self._git(scope, receive, send, match, root)

    async def _git(self, scope: Scope, receive: Receive, send: Send, match: re.Match[str], root: str) -> None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            tenant = tenant_of(self.credentials, headers)
        except ApiError:
            # git sends its credentials only once challenged.
            challenge = {"WWW-Authenticate": 'Basic realm="GitHub"'}
            await PlainTextResponse("Authentication failed: use a token as the password\n", 401, challenge)(
                scope, receive, send
            )
            return
        base_url = f"{scope.get('scheme', 'http')}://{headers.get('host', '127.0.0.1')}{root}{API_PREFIX}"
        account = self.runtime.get(GitHubAccount, tenant)
        target = await account.git_target(match["owner"], match["repo"], base_url)
        served = target is not None and await serve_repository(
            self.runtime, GitHubRepository, target, match["rest"], scope, receive, send, MAX_GIT_BODY
        )
        if not served:
            await PlainTextResponse("Repository not found.\n", 404)(scope, receive, send)


def build(context: CompatContext) -> GitHubApp:
    """The GitHub API and git endpoints on the runtime's objects, one `GitHubAccount` per tenant."""
    return GitHubApp(context)
