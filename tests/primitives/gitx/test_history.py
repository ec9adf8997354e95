"""`log()` lists commits in `git log`'s order: the real git is the oracle, on histories whose commits
share their second, with branches, merges (octopus too), clock skew and path limits."""

from __future__ import annotations

import random
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from dotdo.primitives.gitx import Git
from tests.primitives.gitx.conftest import GIT

FILES = ["a.txt", "b.txt", "pkg/c.txt", "pkg/d.txt"]


def random_history(rng: random.Random, commits: int) -> bytes:
    """A fast-import stream: a DAG of `commits` commits, mostly made in the same second."""
    lines: list[str] = []
    tips: list[int] = []
    base = 1_700_000_000
    for mark in range(1, commits + 1):
        if mark == commits and len(tips) > 1:
            parents = list(tips)  # the last commit merges every branch left open
        elif mark > 1 and rng.random() < 0.25 and mark > 3:
            parents = rng.sample(range(1, mark), rng.choice([2, 2, 3]))
        elif mark > 1:
            parents = [rng.choice(tips) if tips and rng.random() < 0.7 else rng.randrange(1, mark)]
        else:
            parents = []
        when = base + rng.choice([0, 0, 0, 1, -1])  # equal seconds, and a little clock skew
        lines.append("commit refs/heads/main")
        lines.append(f"mark :{mark}")
        lines.append(f"committer Ada <ada@example.com> {when} +0000")
        message = f"commit {mark}\n"
        lines.append(f"data {len(message)}\n{message}")
        if parents:
            lines.append(f"from :{parents[0]}")
            lines.extend(f"merge :{parent}" for parent in parents[1:])
        for path in rng.sample(FILES, rng.randint(0, 2)):
            body = f"{path} at {mark}\n"
            lines.append(f"M 100644 inline {path}\ndata {len(body)}\n{body}")
        lines.append("")
        tips = [tip for tip in tips if tip not in parents] + [mark]
    lines.append("reset refs/heads/main")
    lines.append(f"from :{commits}\n")
    return "\n".join(lines).encode()


@pytest.mark.parametrize("seed", range(6))
async def test_log_order_matches_git_log(
    seed: int,
    tmp_path: Path,
    make_git: Callable[..., Git],
    run_git: Callable[..., str],
    git_env: dict[str, str],
) -> None:
    bare = tmp_path / f"history-{seed}.git"
    run_git("init", "--bare", "-b", "main", str(bare))
    stream = random_history(random.Random(seed), 60)
    subprocess.run([GIT, "fast-import", "--quiet"], cwd=bare, env=git_env, input=stream, check=True)
    git = make_git(f"clone-{seed}", allow_local_remotes=True)
    await git.clone(str(bare))

    assert [c.sha for c in await git.log()] == run_git("log", "--format=%H", "main", cwd=bare).split()
    assert [c.sha for c in await git.log(n=7)] == run_git("log", "-n", "7", "--format=%H", "main", cwd=bare).split()
    for path in ("a.txt", "pkg", "pkg/d.txt"):
        expected = run_git("log", "--format=%H", "main", "--", path, cwd=bare).split()
        assert [c.sha for c in await git.log(path=path)] == expected, path


async def test_a_child_made_in_the_same_second_is_listed_before_its_parent(make_git: Callable[..., Git]) -> None:
    git = make_git()
    await git.init()
    shas = []
    for n in range(12):
        git.files.write(f"f{n}.txt", b"x")
        await git.add(".")
        shas.append(await git.commit(f"c{n}", author="Ada <ada@example.com>", timestamp=1_700_000_000))
    assert [c.sha for c in await git.log()] == shas[::-1]
