"""The GitHub layer refuses what GitHub refuses, in GitHub's shape, and keeps tenants apart."""

from __future__ import annotations

import base64

import httpx
import pytest
from github import GithubException

import dotdo.compat.github
from dotdo.compat.openapi import bearer_tokens
from tests.compat.conftest import CompatServer

DOCS = "https://docs.github.com/rest"


@pytest.fixture(scope="module")
def http(github_server: CompatServer) -> httpx.Client:
    token = bearer_tokens.mint(github_server.key, "ghp_")
    client = httpx.Client(base_url=f"{github_server.url}/api/v3", headers={"Authorization": f"token {token}"})
    client.post("/user/repos", json={"name": "target", "auto_init": True}).raise_for_status()
    return client


def test_unknown_parameters_and_wrong_types_are_422_validation_errors(http: httpx.Client) -> None:
    unknown = http.get("/repos/default/target/issues", params={"colour": "blue"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "colour" and unknown.json()["documentation_url"] == DOCS
    wrong_type = http.post("/repos/default/target/issues", json={"title": "x", "labels": "not-a-list"})
    assert wrong_type.status_code == 422 and wrong_type.json()["message"].startswith("Invalid request.")
    missing = http.post("/repos/default/target/issues", json={"body": "no title"})
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "title"
    bad_page = http.get("/repos/default/target/issues", params={"per_page": "many"})
    assert bad_page.status_code == 422
    too_many = http.get("/repos/default/target/issues", params={"per_page": 1000})
    assert too_many.status_code == 422
    not_json = http.post(
        "/repos/default/target/issues", content=b"{title", headers={"Content-Type": "application/json"}
    )
    assert not_json.status_code == 400 and not_json.json()["message"] == "Problems parsing JSON"
    bad_color = http.post("/repos/default/target/labels", json={"name": "x", "color": "red"})
    assert bad_color.status_code == 422 and bad_color.json()["errors"][0]["field"] == "color"
    assert http.get("/repos/default/target/issues/abc").status_code == 404


def test_content_paths_cannot_leave_the_repository(http: httpx.Client) -> None:
    content = base64.b64encode(b"owned\n").decode()
    for path in ("../../etc/passwd", "docs/../../x", ".git/config", "a//b", "./a"):
        quoted = path.replace(".", "%2E").replace("/", "%2F")
        written = http.put(f"/repos/default/target/contents/{quoted}", json={"message": "m", "content": content})
        assert written.status_code == 422, path
        assert written.json()["errors"][0]["field"] == "path"
        assert http.get(f"/repos/default/target/contents/{quoted}").status_code == 404, path
    assert http.get("/repos/default/target/contents/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd").json()["message"] == "Not Found"
    listing = http.get("/repos/default/target/contents/").json()
    assert [entry["path"] for entry in listing] == ["README.md"]


def test_oversized_bodies_and_missing_or_forged_tokens(github_server: CompatServer, http: httpx.Client) -> None:
    huge = base64.b64encode(b"x" * (2 * 1024 * 1024)).decode()
    too_big = http.put("/repos/default/target/contents/big.bin", json={"message": "m", "content": huge})
    assert too_big.status_code == 413 and "larger than" in too_big.json()["message"]
    anonymous = httpx.get(f"{github_server.url}/api/v3/user")
    assert anonymous.status_code == 401 and anonymous.json()["message"] == "Requires authentication"
    forged = httpx.get(f"{github_server.url}/api/v3/user", headers={"Authorization": "token ghp_FORGED.secret"})
    assert forged.status_code == 401 and forged.json()["message"] == "Bad credentials"
    stripe_shaped = httpx.get(f"{github_server.url}/api/v3/user", headers={"Authorization": "token sk_test_x.y"})
    assert stripe_shaped.status_code == 401
    assert http.get("/no/such/route").json() == {"message": "Not Found", "documentation_url": DOCS, "status": "404"}


def test_one_tenant_cannot_see_another_tenants_repositories(github_server: CompatServer) -> None:
    credentials = github_server.credentials()
    alice = bearer_tokens.mint(credentials.create("alice", ("github",)), "ghp_")
    mallory = bearer_tokens.mint(credentials.create("mallory", ("github",)), "ghp_")
    base_url = f"{github_server.url}/api/v3"
    as_alice = dotdo.compat.github.client(github_server.url, token=alice)
    as_mallory = dotdo.compat.github.client(github_server.url, token=mallory)
    secret = as_alice.get_user().create_repo("secret", private=True, auto_init=True)
    assert as_alice.get_user().login == "alice" and as_mallory.get_user().login == "mallory"
    for attempt in (
        lambda: as_mallory.get_repo("alice/secret"),
        lambda: as_mallory.get_user("alice"),
    ):
        with pytest.raises(GithubException) as hidden:
            attempt()
        assert hidden.value.status == 404
    assert [r.name for r in as_mallory.get_user().get_repos()] == []
    direct = httpx.get(
        f"{base_url}/repos/alice/secret/contents/README.md", headers={"Authorization": f"token {mallory}"}
    )
    assert direct.status_code == 404
    smart_http = httpx.get(
        f"{github_server.url}/alice/secret.git/info/refs",
        params={"service": "git-upload-pack"},
        auth=("x-access-token", mallory),
    )
    assert smart_http.status_code == 404
    own = httpx.get(
        f"{github_server.url}/alice/secret.git/info/refs",
        params={"service": "git-upload-pack"},
        auth=("x-access-token", alice),
    )
    assert own.status_code == 200 and secret.get_branch("main").commit.sha.encode() in own.content
    restricted = bearer_tokens.mint(credentials.create("bob", ("stripe",)), "ghp_")
    assert httpx.get(f"{base_url}/user", headers={"Authorization": f"token {restricted}"}).status_code == 401
