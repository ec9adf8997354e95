"""Every operation the GitHub layer serves answers bodies that validate against GitHub's own schemas."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from dotdo.compat.github import OPERATIONS
from dotdo.compat.github.shapes import document
from dotdo.compat.openapi import bearer_tokens, response_errors
from tests.compat.conftest import CompatServer


class CheckedClient:
    """Calls operations by id and checks each answer against the operation's response schema."""

    def __init__(self, server: CompatServer) -> None:
        token = bearer_tokens.mint(server.key, "ghp_")
        self.http = httpx.Client(base_url=f"{server.url}/api/v3", headers={"Authorization": f"token {token}"})
        self.called: set[str] = set()
        self.problems: list[str] = []

    def __call__(self, operation_id: str, path: dict[str, Any] | None = None, body: Any = None, **query: Any) -> Any:
        operation = document().operation(operation_id)
        url = operation.path.format(**(path or {}))
        response = self.http.request(operation.method, url, params=query, json=body)
        self.called.add(operation_id)
        if not response.content:
            assert response.status_code in (204, 404), f"{operation_id}: {response.status_code} without a body"
            return None
        pointer = operation.response_pointers.get(str(response.status_code))
        if pointer is None:
            self.problems.append(f"{operation_id} {response.status_code}: no schema for this status")
            return response.json()
        self.problems += [
            f"{operation_id} {response.status_code}: {p}" for p in response_errors(document(), pointer, response.json())
        ]
        return response.json()


@pytest.fixture(scope="module")
def call(github_server: CompatServer) -> CheckedClient:
    return CheckedClient(github_server)


def test_every_served_operation_answers_a_schema_valid_body(call: CheckedClient) -> None:
    me = call("users/get-authenticated")
    call("users/get-by-username", {"username": me["login"]})
    call("users/get-by-username", {"username": "nobody"})
    repo = call("repos/create-for-authenticated-user", body={"name": "checked", "auto_init": True})
    call("repos/create-for-authenticated-user", body={"name": "checked"})
    call("repos/create-in-org", {"org": "octo-org"}, body={"name": "org-repo", "private": True})
    call("repos/list-for-org", {"org": "octo-org"})
    where = {"owner": me["login"], "repo": repo["name"]}
    call("repos/get", where)
    call("repos/get", {"owner": me["login"], "repo": "missing"})
    call("repos/list-for-authenticated-user", per_page=1)
    call("repos/list-for-user", {"username": me["login"]})
    content = base64.b64encode(b"hello\n").decode()
    created = call(
        "repos/create-or-update-file-contents", {**where, "path": "docs/a.txt"}, {"message": "a", "content": content}
    )
    call("repos/create-or-update-file-contents", {**where, "path": "docs/a.txt"}, {"message": "a", "content": content})
    call("repos/get-content", {**where, "path": "docs/a.txt"})
    call("repos/get-content", {**where, "path": "docs"})
    call("repos/get-content", {**where, "path": "nothing.txt"})
    head = call("repos/get-branch", {**where, "branch": "main"})["commit"]["sha"]
    call("repos/list-branches", where)
    call("repos/list-commits", where, per_page=2)
    call("repos/get-commit", {**where, "ref": head})
    call("git/get-ref", {**where, "ref": "heads/main"})
    call("git/create-ref", where, {"ref": "refs/heads/topic", "sha": head})
    call("git/create-ref", where, {"ref": "refs/heads/topic", "sha": head})
    call("git/list-matching-refs", {**where, "ref": "heads"})
    on_topic = base64.b64encode(b"topic\n").decode()
    call(
        "repos/create-or-update-file-contents",
        {**where, "path": "t.txt"},
        {"message": "t", "content": on_topic, "branch": "topic"},
    )
    call("repos/delete-file", {**where, "path": "docs/a.txt"}, {"message": "rm", "sha": created["content"]["sha"]})
    call("issues/create-label", where, {"name": "bug", "color": "d73a4a"})
    call("issues/create-label", where, {"name": "bug", "color": "d73a4a"})
    call("issues/list-labels-for-repo", where)
    call("issues/get-label", {**where, "name": "bug"})
    issue = call("issues/create", where, {"title": "broken", "body": "it is", "labels": ["bug"]})
    number = {**where, "issue_number": issue["number"]}
    call("issues/list-for-repo", where, state="all", per_page=5)
    call("issues/get", number)
    call("issues/get", {**where, "issue_number": 999})
    call("issues/update", number, {"state": "closed"})
    call("issues/add-labels", number, {"labels": ["triage"]})
    call("issues/list-labels-on-issue", number)
    call("issues/remove-label", {**number, "name": "triage"})
    comment = call("issues/create-comment", number, {"body": "noted"})
    call("issues/list-comments", number)
    call("issues/get-comment", {**where, "comment_id": comment["id"]})
    call("issues/update-comment", {**where, "comment_id": comment["id"]}, {"body": "edited"})
    call("issues/delete-comment", {**where, "comment_id": comment["id"]})
    call("issues/delete-label", {**where, "name": "bug"})
    pull = call("pulls/create", where, {"title": "Topic", "head": "topic", "base": "main"})
    call("pulls/create", where, {"title": "Topic", "head": "topic", "base": "main"})
    pull_number = {**where, "pull_number": pull["number"]}
    call("pulls/list", where)
    call("pulls/get", pull_number)
    call("pulls/update", pull_number, {"title": "Topic, renamed", "state": "closed"})
    call("pulls/update", pull_number, {"state": "open"})
    call("pulls/check-if-merged", pull_number)
    call("pulls/merge", pull_number, {"merge_method": "merge"})
    call("pulls/merge", pull_number, {"merge_method": "merge"})
    call("pulls/get", pull_number)
    hook = call("repos/create-webhook", where, {"config": {"url": "http://127.0.0.1:9/hook", "content_type": "json"}})
    call("repos/list-webhooks", where)
    call("repos/get-webhook", {**where, "hook_id": hook["id"]})
    call("repos/delete-webhook", {**where, "hook_id": hook["id"]})
    call("repos/delete", where)

    assert call.called == OPERATIONS
    assert call.problems == [], "\n".join(call.problems)
