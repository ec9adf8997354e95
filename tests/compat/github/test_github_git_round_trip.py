"""The real `git` against the GitHub layer: clone a repository made through the API, push, see the push in the API."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from urllib.parse import quote

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


def git(cwd: Path, *args: str) -> str:
    """Run git with a clean configuration (no host settings, no credential prompts)."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(cwd),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_AUTHOR_NAME": "Ada",
        "GIT_AUTHOR_EMAIL": "ada@example.com",
        "GIT_COMMITTER_NAME": "Ada",
        "GIT_COMMITTER_EMAIL": "ada@example.com",
    }
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def with_token(clone_url: str, token: str) -> str:
    return clone_url.replace("http://", f"http://x-access-token:{quote(token, safe='')}@")


def test_clone_push_and_see_the_push_through_the_api(gh: Github, token: str, tmp_path: Path) -> None:
    repo = gh.get_user().create_repo("roundtrip", auto_init=True, private=True)
    repo.create_file("from-api.txt", "written through the API", "api\n")
    git(tmp_path, "clone", "--quiet", with_token(repo.clone_url, token), "work")
    work = tmp_path / "work"
    assert (work / "README.md").read_text() == "# roundtrip\n"
    assert (work / "from-api.txt").read_text() == "api\n"
    (work / "pushed.txt").write_text("pushed with git\n")
    git(work, "add", "pushed.txt")
    git(work, "commit", "--quiet", "-m", "push from the command line")
    git(work, "push", "--quiet", "origin", "main")
    local_head = git(work, "rev-parse", "HEAD").strip()

    latest = repo.get_commits()[0]
    assert latest.sha == local_head and latest.commit.message == "push from the command line"
    assert latest.commit.author.email == "ada@example.com"
    assert repo.get_branch("main").commit.sha == local_head
    assert repo.get_contents("pushed.txt").decoded_content == b"pushed with git\n"
    assert gh.get_repo("default/roundtrip").pushed_at is not None

    git(work, "checkout", "--quiet", "-b", "feature")
    (work / "feature.txt").write_text("a feature\n")
    git(work, "add", "feature.txt")
    git(work, "commit", "--quiet", "-m", "a feature branch")
    git(work, "push", "--quiet", "origin", "feature")
    assert sorted(b.name for b in repo.get_branches()) == ["feature", "main"]
    assert repo.get_git_ref("heads/feature").object.sha == git(work, "rev-parse", "HEAD").strip()

    git(work, "update-index", "--add", "--cacheinfo", f"160000,{local_head},vendor/lib")
    git(work, "commit", "--quiet", "-m", "a submodule")
    git(work, "push", "--quiet", "origin", "feature")
    assert [c.path for c in repo.get_contents("", ref="feature")] == [
        "README.md",
        "feature.txt",
        "from-api.txt",
        "pushed.txt",
    ]
    assert repo.get_commits(sha="feature")[0].commit.message == "a submodule"
    with pytest.raises(GithubException) as submodule:
        repo.get_contents("vendor/lib", ref="feature")
    assert submodule.value.status == 404

    repo.create_file("after.txt", "after the clone", "later\n")
    git(tmp_path, "clone", "--quiet", with_token(repo.clone_url, token), "fresh")
    assert (tmp_path / "fresh" / "after.txt").read_text() == "later\n"
    assert (tmp_path / "fresh" / "pushed.txt").read_text() == "pushed with git\n"


def test_a_pull_request_from_a_pushed_branch_merges_into_what_git_pulls(gh: Github, token: str, tmp_path: Path) -> None:
    repo = gh.get_user().create_repo("merging", auto_init=True)
    git(tmp_path, "clone", "--quiet", with_token(repo.clone_url, token), "work")
    work = tmp_path / "work"
    git(work, "checkout", "--quiet", "-b", "topic")
    (work / "topic.txt").write_text("topic\n")
    git(work, "add", "topic.txt")
    git(work, "commit", "--quiet", "-m", "topic work")
    git(work, "push", "--quiet", "origin", "topic")
    pull = repo.create_pull(base="main", head="topic", title="Topic")
    assert pull.commits == 1
    merged = pull.merge(merge_method="squash", commit_title="Topic (squashed)")
    git(work, "checkout", "--quiet", "main")
    git(work, "pull", "--quiet", "--ff-only", "origin", "main")
    assert git(work, "rev-parse", "HEAD").strip() == merged.sha
    assert git(work, "log", "-1", "--format=%s").strip() == "Topic (squashed)"
    assert (work / "topic.txt").read_text() == "topic\n"


def test_git_needs_a_token_of_the_tenant(gh: Github, github_server: CompatServer, tmp_path: Path) -> None:
    repo = gh.get_user().create_repo("guarded", auto_init=True)
    with pytest.raises(AssertionError, match=r"Authentication failed|could not read Username|401"):
        git(tmp_path, "clone", "--quiet", repo.clone_url, "anonymous")
    with pytest.raises(AssertionError, match=r"Authentication failed|401"):
        git(tmp_path, "clone", "--quiet", with_token(repo.clone_url, "ghp_forged.secret"), "forged")
