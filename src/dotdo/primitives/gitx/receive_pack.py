"""Receiving a push (git's receive-pack) into a StoredRepo: every command ends `ok` or `ng <reason>`.

The order is git's: ref names are checked first (a name git refuses, a space, a NUL or bytes that
are not UTF-8 get `ng <ref> funny refname`), then the pack is unpacked within the repository's
`GitLimits` and held to git's fsck rules, then each ref is updated with compare-and-swap once its
new value is present, connected (every object it reaches is stored) and of the right type (a
branch names a commit), and once it would not put a ref where a folder of refs is, or the reverse.
A refused pack fails every ref (`unpack <reason>`, `ng <ref> unpacker error`) and stores nothing.
Everything runs synchronously, in one savepoint: the caller decides on which thread.
"""

from __future__ import annotations

from collections.abc import Iterable
from tempfile import SpooledTemporaryFile
from typing import TYPE_CHECKING, BinaryIO, cast

from dulwich.errors import GitProtocolError
from dulwich.objects import valid_hexsha
from dulwich.protocol import CAPABILITY_ATOMIC, CAPABILITY_REPORT_STATUS
from dulwich.server import ReceivePackHandler

from .errors import BadObjectError, InvalidRefError, RefConflictError
from .object_store import Ingested, copy_stream
from .refs import ZERO_SHA, check_ref_name

if TYPE_CHECKING:
    from .limits import GitLimits
    from .stored_repo import StoredRepo

RefChange = tuple[bytes, bytes | None, bytes | None]
Command = tuple[bytes, bytes, bytes]
_SPOOL_BYTES = 16 * 1024 * 1024
_COMMIT = 1


class _AtomicPushFailed(Exception):
    """Rolls back the ref updates of an atomic push in which one ref failed."""


class StoredReceivePackHandler(ReceivePackHandler):
    """dulwich's receive-pack handler with gitx's checks; `changes` lists the refs it moved.

    Ref changes are held, not announced: the caller announces them once the push is final (and
    on the event loop's thread when the push ran on another)."""

    repo: StoredRepo

    def __init__(self, *args: object, limits: GitLimits, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.limits = limits
        self.changes: list[RefChange] = []

    def handle(self) -> None:
        """Read the commands and the pack, apply them, and report a status for each command."""
        if self.advertise_refs or not self.stateless_rpc:
            super().handle()
            return
        line = self.proto.read_pkt_line()
        if line is None:
            return
        first, _, capabilities = line.rstrip(b"\n").partition(b"\x00")
        self.set_client_capabilities([c for c in capabilities.split(b" ") if c])
        commands: list[Command] = []
        line = first
        while line:
            commands.append(_parse_command(line))
            line = self.proto.read_pkt_line()
        status = self.repo.storage.transaction_sync(lambda: self._receive(commands))
        if self.has_capability(CAPABILITY_REPORT_STATUS):
            self._report_status(status)

    def _receive(self, commands: list[Command]) -> list[tuple[bytes, bytes]]:
        refused: dict[int, bytes] = {}
        for n, (_, _, ref) in enumerate(commands):
            reason = _name_problem(ref)
            if reason is not None:
                refused[n] = reason
        wanted = [n for n, (_, new, _) in enumerate(commands) if n not in refused and new != ZERO_SHA]
        ingested = Ingested()
        if wanted:
            try:
                ingested = self._unpack()
            except BadObjectError as exc:
                unpack = str(exc).replace("\n", " ").encode("utf-8", "replace")
                return [(b"unpack", unpack)] + [
                    (ref, refused.get(n, b"unpacker error")) for n, (_, _, ref) in enumerate(commands)
                ]
        missing = self._missing_objects(ingested)
        with self.repo.refs.held_announcements() as changes:
            try:
                results = self.repo.storage.transaction_sync(
                    lambda: self._update_refs(commands, refused, ingested, missing)
                )
            except _AtomicPushFailed as failed:
                results = cast("list[tuple[bytes, bytes]]", failed.args[0])
                changes.clear()
            self.changes = list(changes)
        return [(b"unpack", b"ok"), *results]

    def _unpack(self) -> Ingested:
        with SpooledTemporaryFile(max_size=_SPOOL_BYTES, prefix="gitx-push-") as spool:
            file = cast("BinaryIO", spool)
            size = copy_stream(self.proto.read, file, self.limits.max_input_size)
            if not size:
                raise BadObjectError("the push updates refs but sent no pack")
            file.seek(0)
            return self.repo.object_store.ingest_pack(file, size, limits=self.limits)

    def _missing_objects(self, ingested: Ingested) -> set[bytes]:
        """Objects the new ones point at that are neither in the pack nor stored (git's connectivity check)."""
        store = self.repo.object_store
        return {sha for sha in ingested.references - ingested.types.keys() if store.type_of(sha) is None}

    def _update_refs(
        self, commands: list[Command], refused: dict[int, bytes], ingested: Ingested, missing: set[bytes]
    ) -> list[tuple[bytes, bytes]]:
        results: list[tuple[bytes, bytes]] = []
        for n, (old, new, ref) in enumerate(commands):
            reason = refused.get(n)
            if reason is None:
                reason = self._update_ref(old, new, ref, ingested, missing)
            results.append((ref, reason or b"ok"))
        if self.has_capability(CAPABILITY_ATOMIC) and any(status != b"ok" for _, status in results):
            raise _AtomicPushFailed(
                [(ref, b"atomic push failed" if status == b"ok" else status) for ref, status in results]
            )
        return results

    def _update_ref(self, old: bytes, new: bytes, ref: bytes, ingested: Ingested, missing: set[bytes]) -> bytes | None:
        refs = self.repo.refs
        if new != ZERO_SHA:
            type_num = ingested.types.get(new) or self.repo.object_store.type_of(new)
            if type_num is None or (new in ingested.types and missing):
                return b"missing necessary objects"
            if ref.startswith(b"refs/heads/") and type_num != _COMMIT:
                return b"trying to write a non-commit object to a branch"
        hook_error = self._on_update(ref, old, new)
        if hook_error:
            return hook_error
        try:
            done = refs.remove_if_equals(ref, old) if new == ZERO_SHA else refs.set_if_equals(ref, old, new)
        except InvalidRefError:
            return b"funny refname"
        except RefConflictError as exc:
            return str(exc).encode()
        if not done:
            return b"failed to update ref: it changed since you fetched; fetch and push again"
        return None


def _parse_command(line: bytes) -> Command:
    parts = line.rstrip(b"\n").split(b" ", 2)
    if len(parts) != 3 or not valid_hexsha(parts[0]) or not valid_hexsha(parts[1]):
        raise GitProtocolError(f"Invalid ref update line from client: {line[:200]!r}")
    old, new, ref = parts
    return old, new, ref


def _name_problem(ref: bytes) -> bytes | None:
    """`funny refname` (git's words) for a name a push may not update, else None."""
    if ref == b"HEAD":
        return b"funny refname"
    try:
        check_ref_name(ref)
    except InvalidRefError:
        return b"funny refname"
    return None


def pushed_updates(changes: Iterable[RefChange]) -> list[dict[str, str | None]]:
    """The branch and tag changes of a push, as `Repository.pushed` reports them."""
    return [
        {
            "ref": name.decode(),
            "old": old.decode() if old else None,
            "new": new.decode() if new else None,
        }
        for name, old, new in changes
        if name.startswith((b"refs/heads/", b"refs/tags/"))
    ]
