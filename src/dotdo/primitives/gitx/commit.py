"""`Commit`: what `log` returns for each commit, and parsing of 'Name <email>' identities."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dulwich.objects import Commit as DulwichCommit

_IDENTITY = re.compile(r"^[^<>\n\x00]+ <[^<>\n\x00]*>$")


@dataclass(frozen=True, slots=True)
class Commit:
    """A commit as `git log` shows it; `time` is the commit time (aware, in the committer's offset)."""

    sha: str
    message: str
    author: str
    committer: str
    parents: list[str]
    time: datetime

    @classmethod
    def from_object(cls, obj: DulwichCommit) -> Commit:
        """Build from a dulwich commit object."""
        offset = timezone(timedelta(seconds=obj.commit_timezone))
        return cls(
            sha=obj.id.decode("ascii"),
            message=obj.message.decode("utf-8", "replace"),
            author=obj.author.decode("utf-8", "replace"),
            committer=obj.committer.decode("utf-8", "replace"),
            parents=[p.decode("ascii") for p in obj.parents],
            time=datetime.fromtimestamp(obj.commit_time, UTC).astimezone(offset),
        )


def check_identity(identity: str) -> bytes:
    """'Name <email>' as bytes, or ValueError saying the expected form."""
    if not isinstance(identity, str) or not _IDENTITY.match(identity):
        raise ValueError(f"An author or committer is written 'Name <email>', not {identity!r}")
    return identity.encode("utf-8")
