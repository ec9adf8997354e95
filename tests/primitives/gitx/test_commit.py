"""`Commit` records and 'Name <email>' identities."""

from __future__ import annotations

from datetime import timedelta

import pytest
from dulwich.objects import Commit as RawCommit

from dotdo.primitives.gitx import Commit
from dotdo.primitives.gitx.commit import check_identity


def test_commit_from_object_keeps_the_committer_offset() -> None:
    raw = RawCommit()
    raw.tree = b"4b825dc642cb6eb9a060e54bf8d69288fbee4904"
    raw.parents = [b"a" * 40]
    raw.author = b"Ada <ada@example.com>"
    raw.committer = b"Grace <grace@example.com>"
    raw.author_time = raw.commit_time = 1_700_000_000
    raw.author_timezone = raw.commit_timezone = 3600
    raw.message = b"subject\n\nbody\n"
    commit = Commit.from_object(raw)
    assert commit.sha == raw.id.decode() and commit.parents == ["a" * 40]
    assert commit.author == "Ada <ada@example.com>" and commit.committer == "Grace <grace@example.com>"
    assert commit.time.utcoffset() == timedelta(hours=1) and commit.time.timestamp() == 1_700_000_000
    assert commit.message == "subject\n\nbody\n"


@pytest.mark.parametrize("bad", ["Ada", "<ada@example.com>", "Ada <a@b> extra", "Ada\n <a@b>", "A <a<b>", 42])
def test_bad_identities_are_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="Name <email>"):
        check_identity(bad)  # type: ignore[arg-type]
    assert check_identity("Ada Lovelace <ada@example.com>") == b"Ada Lovelace <ada@example.com>"
