"""PyGithub against `dotdo compat serve github`: users, repositories, contents, branches, issues, labels, pulls."""

from __future__ import annotations

import httpx
import pytest
from github import Github, GithubException

import dotdo.compat.github
from dotdo.compat.openapi import bearer_tokens
from tests.compat.conftest import CompatServer


@pytest.fixture(scope="module")
def token(github_server: CompatServer) -> str:
    return bearer_tokens.mint(github_server.key, "ghp_")


@pytest.fixture(scope="module")
def gh(github_server: CompatServer, token: str) -> Github:
    return dotdo.compat.github.client(github_server.url, token=token)


def test_the_token_names_its_user(gh: Github) -> None:
    me = gh.get_user()
    assert me.login == "default" and isinstance(me.id, int)
    assert gh.get_user("default").id == me.id
    with pytest.raises(GithubException) as missing:
        gh.get_user("nobody-here")
    assert missing.value.status == 404 and missing.value.data["message"] == "Not Found"


def test_repositories_are_created_listed_fetched_and_deleted(gh: Github) -> None:
    me = gh.get_user()
    repo = me.create_repo("listed", description="a list", private=True)
    assert repo.private and repo.owner.login == "default" and isinstance(repo.id, int)
    assert gh.get_repo("default/listed").description == "a list"
    assert "listed" in [r.name for r in me.get_repos()]
    with pytest.raises(GithubException) as taken:
        me.create_repo("listed")
    assert taken.value.status == 422 and taken.value.data["message"] == "Validation Failed"
    org_repo = gh.get_organization("acme").create_repo("tools") if False else None
    assert org_repo is None
    repo.delete()
    with pytest.raises(GithubException) as gone:
        gh.get_repo("default/listed")
    assert gone.value.status == 404


def test_a_repository_in_an_organization(github_server: CompatServer, token: str) -> None:
    http = httpx.Client(base_url=f"{github_server.url}/api/v3", headers={"Authorization": f"token {token}"})
    created = http.post("/orgs/acme/repos", json={"name": "tools", "private": False})
    assert created.status_code == 201 and created.json()["owner"]["type"] == "Organization"
    assert [r["name"] for r in http.get("/orgs/acme/repos").json()] == ["tools"]
    assert http.get("/users/acme").json()["login"] == "acme"


def test_the_contents_api_writes_commits(gh: Github) -> None:
    repo = gh.get_user().create_repo("contents", auto_init=True)
    assert repo.get_contents("README.md").decoded_content == b"# contents\n"
    created = repo.create_file("docs/guide.md", "add the guide", "first\n")
    file_sha = created["content"].sha
    assert repo.get_contents("docs/guide.md").decoded_content == b"first\n"
    with pytest.raises(GithubException) as stale:
        repo.update_file("docs/guide.md", "edit with a stale sha", "second\n", "0" * 40)
    assert stale.value.status == 409
    updated = repo.update_file("docs/guide.md", "edit the guide", "second\n", file_sha)
    assert repo.get_contents("docs/guide.md").decoded_content == b"second\n"
    assert [c.name for c in repo.get_contents("docs")] == ["guide.md"]
    assert sorted(c.path for c in repo.get_contents("")) == ["README.md", "docs"]
    messages = [c.commit.message for c in repo.get_commits()]
    assert messages == ["edit the guide", "add the guide", "Initial commit"]
    assert repo.get_commit(updated["commit"].sha).files[0].filename == "docs/guide.md"
    assert [c.commit.message for c in repo.get_commits(path="docs/guide.md")] == ["edit the guide", "add the guide"]
    repo.delete_file("docs/guide.md", "remove the guide", updated["content"].sha)
    with pytest.raises(GithubException) as removed:
        repo.get_contents("docs/guide.md")
    assert removed.value.status == 404


def test_branches_and_refs(gh: Github) -> None:
    repo = gh.get_user().create_repo("branches", auto_init=True)
    head = repo.get_branch("main").commit.sha
    ref = repo.create_git_ref("refs/heads/feature", head)
    assert ref.object.sha == head
    assert sorted(b.name for b in repo.get_branches()) == ["feature", "main"]
    assert repo.get_git_ref("heads/feature").ref == "refs/heads/feature"
    assert [r.ref for r in repo.get_git_matching_refs("heads/f")] == ["refs/heads/feature"]
    with pytest.raises(GithubException) as again:
        repo.create_git_ref("refs/heads/feature", head)
    assert again.value.status == 422


def test_issues_comments_and_labels_page_with_link_headers(gh: Github) -> None:
    repo = gh.get_user().create_repo("tracker")
    bug = repo.create_label("bug", "d73a4a", "something is wrong")
    for index in range(5):
        repo.create_issue(f"issue {index}", body="text", labels=["bug"] if index % 2 == 0 else [])
    issues = repo.get_issues(state="open")
    assert issues.totalCount == 5
    assert [i.title for i in repo.get_issues()] == [f"issue {n}" for n in (4, 3, 2, 1, 0)]
    first_page = gh.per_page
    gh.per_page = 2
    try:
        assert len(list(repo.get_issues())) == 5
        assert [i.number for i in repo.get_issues(labels=[bug])] == [5, 3, 1]
    finally:
        gh.per_page = first_page
    issue = repo.get_issue(1)
    comment = issue.create_comment("looking into it")
    comment.edit("fixed it")
    assert [c.body for c in issue.get_comments()] == ["fixed it"]
    assert repo.get_issue(1).comments == 1
    issue.edit(state="closed")
    assert repo.get_issue(1).state == "closed"
    assert [i.number for i in repo.get_issues(state="closed")] == [1]
    issue.add_to_labels("wontfix")
    assert sorted(label.name for label in issue.get_labels()) == ["bug", "wontfix"]
    issue.remove_from_labels("bug")
    assert [label.name for label in repo.get_issue(1).labels] == ["wontfix"]
    assert sorted(label.name for label in repo.get_labels()) == ["bug", "wontfix"]
    comment.delete()
    assert repo.get_issue(1).comments == 0


def test_link_headers_name_the_next_and_last_pages(github_server: CompatServer, token: str, gh: Github) -> None:
    repo = gh.get_user().create_repo("paged")
    for index in range(3):
        repo.create_label(f"label-{index}", "ededed")
    http = httpx.Client(headers={"Authorization": f"token {token}"})
    url = f"{github_server.url}/api/v3/repos/default/paged/labels"
    first = http.get(url, params={"per_page": 2})
    assert [label["name"] for label in first.json()] == ["label-0", "label-1"]
    assert first.links["next"]["url"] == f"{url}?per_page=2&page=2"
    assert first.links["last"]["url"] == f"{url}?per_page=2&page=2"
    second = http.get(first.links["next"]["url"])
    assert [label["name"] for label in second.json()] == ["label-2"] and "next" not in second.links


def test_a_pull_request_is_opened_and_merged_with_a_merge_commit(gh: Github) -> None:
    repo = gh.get_user().create_repo("pulls", auto_init=True)
    base = repo.get_branch("main").commit.sha
    repo.create_git_ref("refs/heads/topic", base)
    repo.create_file("topic.txt", "topic work", "topic\n", branch="topic")
    repo.create_file("main.txt", "main work", "main\n", branch="main")
    pull = repo.create_pull(base="main", head="topic", title="Add the topic", body="please")
    assert pull.number == 1 and pull.state == "open" and pull.mergeable is True and not pull.merged
    assert [p.number for p in repo.get_pulls()] == [1]
    status = pull.merge(merge_method="merge")
    assert status.merged
    merged = repo.get_pull(1)
    assert merged.merged and merged.state == "closed" and merged.merge_commit_sha == status.sha
    merge_commit = repo.get_commit(status.sha)
    assert len(merge_commit.parents) == 2
    assert repo.get_branch("main").commit.sha == status.sha
    assert repo.get_contents("topic.txt").decoded_content == b"topic\n"
    assert repo.get_contents("main.txt").decoded_content == b"main\n"
    assert pull.is_merged()
    with pytest.raises(GithubException) as twice:
        pull.merge()
    assert twice.value.status == 405


def test_a_conflicting_pull_request_is_not_mergeable(gh: Github) -> None:
    repo = gh.get_user().create_repo("conflicts", auto_init=True)
    repo.create_git_ref("refs/heads/other", repo.get_branch("main").commit.sha)
    readme = repo.get_contents("README.md")
    repo.update_file("README.md", "ours", "ours\n", readme.sha, branch="main")
    repo.update_file("README.md", "theirs", "theirs\n", readme.sha, branch="other")
    pull = repo.create_pull(base="main", head="other", title="Conflicts")
    assert pull.mergeable is False
    pull.edit(title="Conflicts, closed", state="closed")
    assert repo.get_pull(pull.number).state == "closed" and [p.number for p in repo.get_pulls()] == []
    pull.edit(state="open")
    assert repo.get_pull(pull.number).title == "Conflicts, closed"
    with pytest.raises(GithubException) as refused:
        pull.merge()
    assert refused.value.status == 405
    assert not repo.get_pull(pull.number).merged
