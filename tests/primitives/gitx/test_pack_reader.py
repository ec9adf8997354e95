"""Reading untrusted packs: real git's packs (deltas, thin packs) read back exactly; damaged ones are
refused with BadObjectError, never another exception, and leave nothing behind."""

from __future__ import annotations

import hashlib
import random
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from dotdo.primitives.gitx import BadObjectError, GitLimits, PackLimitError
from dotdo.primitives.gitx.object_store import StoredObjectStore
from dotdo.runtime.storage import Storage
from tests.primitives.gitx.conftest import GIT


def real_pack(repo: Path, git_env: dict[str, str], revisions: str, *, thin: bool = False) -> bytes:
    """The pack the real git sends for `revisions` (a rev-list argument such as `main` or `A..B`)."""
    args = [GIT, "pack-objects", "--stdout", "--revs", "--delta-base-offset", "--depth=50"]
    if thin:
        args.append("--thin")
    done = subprocess.run(args, cwd=repo, env=git_env, input=revisions.encode() + b"\n", capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def objects_of(repo: Path, git_env: dict[str, str], revisions: list[str]) -> set[bytes]:
    done = subprocess.run(
        [GIT, "rev-list", "--objects", *revisions], cwd=repo, env=git_env, capture_output=True, check=True
    )
    return {line.split()[0] for line in done.stdout.splitlines()}


def test_real_git_packs_read_back_exactly(
    tmp_path: Path, source_repo: Path, git_env: dict[str, str], run_git: Callable[..., str]
) -> None:
    store = StoredObjectStore(Storage(tmp_path / "o.sqlite"))
    old = run_git("rev-parse", "main~100", cwd=source_repo).strip()
    assert store.add_pack_bytes(real_pack(source_repo, git_env, old)) == len(objects_of(source_repo, git_env, [old]))
    # A thin pack: deltas against objects the store already has.
    store.add_pack_bytes(real_pack(source_repo, git_env, f"{old}..main", thin=True))
    assert set(store) == objects_of(source_repo, git_env, ["main"])
    for sha in list(store)[:50]:
        kind = run_git("cat-file", "-t", sha.decode(), cwd=source_repo).strip()
        assert store[sha].type_name.decode() == kind
        done = subprocess.run([GIT, "cat-file", kind, sha.decode()], cwd=source_repo, capture_output=True, check=True)
        assert store[sha].as_raw_string() == done.stdout


def test_damaged_packs_are_refused_cleanly(tmp_path: Path, source_repo: Path, git_env: dict[str, str]) -> None:
    pack = real_pack(source_repo, git_env, "main~270")
    rng = random.Random(25)
    for n in range(80):
        body = bytearray(pack[:-20])
        for _ in range(rng.randint(1, 3)):
            body[rng.randrange(12, len(body))] ^= 1 << rng.randrange(8)
        damaged = bytes(body) + hashlib.sha1(body).digest()  # a valid checksum: the parser must notice
        storage = Storage(tmp_path / f"o{n}.sqlite")
        store = StoredObjectStore(storage, limits=GitLimits(max_object_size=1 << 20))
        try:
            store.add_pack_bytes(damaged)
        except BadObjectError:
            assert store.count() == 0
        storage.close()


@pytest.mark.parametrize(
    ("limits", "setting"),
    [
        (GitLimits(max_object_size=1000), "max_object_size"),
        (GitLimits(max_pack_expansion=5000), "max_pack_expansion"),
        (GitLimits(max_delta_depth=1), "max_delta_depth"),
        (GitLimits(max_input_size=1000), "max_input_size"),
    ],
)
def test_each_limit_refuses_a_real_pack_over_it(
    tmp_path: Path, source_repo: Path, git_env: dict[str, str], limits: GitLimits, setting: str
) -> None:
    store = StoredObjectStore(Storage(tmp_path / "o.sqlite"), limits=limits)
    with pytest.raises(PackLimitError, match=f"GitLimits.{setting}"):
        store.add_pack_bytes(real_pack(source_repo, git_env, "main"))
    assert store.count() == 0


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_delta_depth"):
        GitLimits(max_delta_depth=0)
    with pytest.raises(ValueError, match="max_object_size"):
        GitLimits(max_object_size=True)
