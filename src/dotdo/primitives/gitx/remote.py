"""Talking to other git servers (git://, http(s)://, local paths) with dulwich's client.

Network I/O runs in a worker thread so the object's other events keep running; storage is not used
meanwhile: what the thread needs (local heads and commit parents, the pack to send) is prepared
before it starts, and the pack it brings back is unpacked (verified, within the repository's limits)
after. Preparing and unpacking are CPU work: they run on a worker thread too, while the object's
other events wait (`off_loop.py`).
Credentials come from configuration, are sent only to the remote they belong to, and never appear
in a repr, a log line or an error message.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from tempfile import SpooledTemporaryFile
from typing import TYPE_CHECKING, Any

from dulwich.client import HTTPProxyUnauthorized, HTTPUnauthorized, get_transport_and_path
from dulwich.config import ConfigDict
from dulwich.errors import GitProtocolError, HangupException, NotGitRepository
from dulwich.object_store import ObjectStoreGraphWalker
from dulwich.objects import Commit as DulwichCommit
from dulwich.objects import Tag

from .errors import PackLimitError, RemoteError
from .off_loop import Exclusive, one_at_a_time, run_off_loop

if TYPE_CHECKING:
    from dulwich.client import FetchPackResult

    from .stored_repo import StoredRepo

ZERO_SHA = b"0" * 40
_SPOOL_BYTES = 16 * 1024 * 1024
_CREDENTIALS_IN_URL = re.compile(r"(?<=://)[^/@]*@")


@dataclass(frozen=True, slots=True)
class RemoteAuth:
    """Credentials for an HTTP remote: a token (sent as a Bearer header) or a username and password."""

    username: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)

    @classmethod
    def from_config(cls, value: Any) -> RemoteAuth:
        """Accept a RemoteAuth, a token string, a (username, password) pair, or a dict of those fields."""
        if isinstance(value, RemoteAuth):
            return value
        if isinstance(value, str):
            return cls(token=value)
        if isinstance(value, tuple) and len(value) == 2:
            return cls(username=value[0], password=value[1])
        if isinstance(value, Mapping):
            unknown = set(value) - {"username", "password", "token"}
            if unknown:
                raise ValueError(f"Unknown remote auth fields {sorted(unknown)}; use username, password or token")
            return cls(**dict(value))
        raise TypeError(
            "Remote auth is a token str, a (username, password) tuple, a dict or a RemoteAuth, "
            f"not {type(value).__name__}"
        )


NETWORK_SCHEMES = ("http://", "https://", "git://", "ssh://")


def check_remote_url(url: str, *, allow_local: bool) -> str:
    """The URL if it names a network remote (or, with `allow_local`, a path of this host)."""
    if not isinstance(url, str) or not url or "\n" in url or "\x00" in url:
        raise ValueError(f"A remote URL is a non-empty single-line str, not {url!r}")
    if url.lower().startswith(NETWORK_SCHEMES):
        return url
    if not allow_local:
        raise RemoteError(
            f"Remote {redact(url)!r} is not an http(s)://, git:// or ssh:// URL; host paths and file:// "
            "are refused unless the Git is built with allow_local_remotes=True"
        )
    return url


def redact(url: str) -> str:
    """The URL without any user:password@ part, safe to show."""
    return _CREDENTIALS_IN_URL.sub("***@", url)


def auth_for(remotes_auth: Mapping[str, Any] | None, name: str | None, url: str) -> RemoteAuth | None:
    """The credentials configured for a remote, by remote name or by the longest matching URL prefix."""
    if not remotes_auth:
        return None
    if name is not None and name in remotes_auth:
        return RemoteAuth.from_config(remotes_auth[name])
    prefixes = [key for key in remotes_auth if "://" in key and url.startswith(key)]
    if prefixes:
        return RemoteAuth.from_config(remotes_auth[max(prefixes, key=len)])
    return None


def _client(url: str, auth: RemoteAuth | None) -> tuple[Any, str]:
    config = ConfigDict()
    kwargs: dict[str, Any] = {}
    if auth is not None and auth.token:
        config.set((b"http",), b"extraHeader", f"Authorization: Bearer {auth.token}".encode())
    elif auth is not None:
        kwargs = {"username": auth.username, "password": auth.password}
    try:
        return get_transport_and_path(url, config=config, **kwargs)
    except (ValueError, OSError) as exc:
        raise RemoteError(f"Cannot use remote {redact(url)}: {type(exc).__name__}") from None


def _remote_failure(url: str, exc: BaseException) -> RemoteError:
    detail = redact(str(exc)).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, NotGitRepository):
        detail = "not a git repository"
    elif isinstance(exc, HTTPUnauthorized | HTTPProxyUnauthorized):
        detail = "authentication refused (401): configure credentials for it in remotes_auth"
    return RemoteError(f"Remote {redact(url)} failed: {detail}; check the URL, the network and the credentials")


_REMOTE_ERRORS = (
    GitProtocolError,
    HangupException,
    NotGitRepository,
    HTTPUnauthorized,
    HTTPProxyUnauthorized,
    OSError,
    KeyError,
    ValueError,
)


async def list_refs(url: str, auth: RemoteAuth | None) -> tuple[dict[bytes, bytes], dict[bytes, bytes]]:
    """(refs, symrefs) the remote advertises."""
    client, path = _client(url, auth)
    try:
        result = await asyncio.to_thread(client.get_refs, path.encode() if isinstance(path, str) else path)
    except _REMOTE_ERRORS as exc:
        raise _remote_failure(url, exc) from None
    refs = {name: sha for name, sha in result.refs.items() if sha is not None}
    return refs, dict(result.symrefs)


def _local_graph(repo: StoredRepo) -> tuple[list[bytes], dict[bytes, list[bytes]]]:
    """Heads and the parents of every local commit, read before the network thread starts."""
    heads: list[bytes] = []
    for name in repo.refs.allkeys():
        if name == b"HEAD":
            continue
        sha = repo.refs.read_loose_ref(name)
        if sha and not sha.startswith(b"ref: "):
            heads.append(sha)
    parents: dict[bytes, list[bytes]] = {}
    shallow = repo.get_shallow()
    stack = list(heads)
    store = repo.object_store
    while stack:
        sha = stack.pop()
        if sha in parents:
            continue
        try:
            obj = store[sha]
        except KeyError:
            continue
        if isinstance(obj, Tag):
            stack.append(obj.object[1])
            parents[sha] = []
            continue
        if not isinstance(obj, DulwichCommit):
            continue
        parents[sha] = [] if sha in shallow else list(obj.parents)
        stack.extend(parents[sha])
    return heads, parents


async def fetch_pack(
    repo: StoredRepo,
    url: str,
    auth: RemoteAuth | None,
    choose: Callable[[dict[bytes, bytes]], list[bytes]],
    *,
    depth: int | None = None,
    exclusive: Exclusive | None = None,
) -> FetchPackResult:
    """Fetch the objects of the refs `choose(remote_refs)` returns and store them (verified, atomically).

    The pack is unpacked on a worker thread inside `exclusive` (see `off_loop.py`)."""
    if depth is not None and (isinstance(depth, bool) or not isinstance(depth, int) or depth < 1):
        raise ValueError(f"depth must be a positive integer, not {depth!r}")
    exclusive = exclusive or one_at_a_time()
    heads, parents = await run_off_loop(repo.storage, lambda: _local_graph(repo), exclusive)
    shallow = repo.get_shallow()
    known = set(parents)
    client, path = _client(url, auth)
    pack = SpooledTemporaryFile(max_size=_SPOOL_BYTES, prefix="gitx-fetch-")  # noqa: SIM115 - closed below

    def determine_wants(refs: dict[bytes, bytes], depth: int | None = None) -> list[bytes]:
        wanted = choose({name: sha for name, sha in refs.items() if sha is not None})
        return [sha for sha in dict.fromkeys(wanted) if sha != ZERO_SHA and (sha not in known or depth)]

    walker = ObjectStoreGraphWalker(heads, lambda sha: parents.get(sha, []), shallow=shallow)
    limit = repo.object_store.limits.max_input_size

    def write(data: bytes) -> None:
        if pack.tell() + len(data) > limit:
            raise PackLimitError(
                f"{redact(url)} sent a pack over the limit of {limit} bytes (GitLimits.max_input_size)"
            )
        pack.write(data)

    def run() -> FetchPackResult:
        return client.fetch_pack(
            path.encode() if isinstance(path, str) else path,
            determine_wants,
            walker,
            write,
            depth=depth,
        )

    try:
        try:
            result = await asyncio.to_thread(run)
        except PackLimitError:
            raise
        except _REMOTE_ERRORS as exc:
            raise _remote_failure(url, exc) from None
        size = pack.tell()
        if size:
            pack.seek(0)
            await run_off_loop(repo.storage, lambda: repo.object_store.add_pack_file(pack, size), exclusive)
    finally:
        pack.close()
    if result.new_shallow or result.new_unshallow:
        repo.update_shallow(result.new_shallow, result.new_unshallow)
    return result


async def send_pack(
    repo: StoredRepo,
    url: str,
    auth: RemoteAuth | None,
    expected: dict[bytes, bytes],
    updates: dict[bytes, bytes],
    *,
    exclusive: Exclusive | None = None,
) -> dict[bytes, str | None]:
    """Send `updates` (ref -> new sha) with the objects the remote lacks; returns each ref's status.

    `expected` holds the remote values the caller checked (fast-forward); if the remote moved since,
    nothing is sent and RemoteError says to fetch first. The pack is prepared on a worker thread
    inside `exclusive` (see `off_loop.py`).
    """
    store = repo.object_store
    haves = [sha for sha in expected.values() if sha in store]
    wants = [sha for sha in updates.values() if sha != ZERO_SHA]

    def prepare() -> tuple[int, list[Any]]:
        count, records = store.generate_pack_data(haves, wants, ofs_delta=False)
        return count, list(records)

    count, records = await run_off_loop(repo.storage, prepare, exclusive or one_at_a_time())
    client, path = _client(url, auth)
    moved: list[bytes] = []

    def update_refs(remote: dict[bytes, bytes | None]) -> dict[bytes, bytes]:
        for ref in updates:
            if (remote.get(ref) or ZERO_SHA) != expected.get(ref, ZERO_SHA):
                moved.append(ref)
        return {} if moved else dict(updates)

    def generate(*_args: Any, **_kwargs: Any) -> tuple[int, Any]:
        return count, iter(records)

    def run() -> Any:
        return client.send_pack(path.encode() if isinstance(path, str) else path, update_refs, generate)

    try:
        result = await asyncio.to_thread(run)
    except _REMOTE_ERRORS as exc:
        raise _remote_failure(url, exc) from None
    if moved:
        names = ", ".join(ref.decode() for ref in moved)
        raise RemoteError(f"Remote {redact(url)} changed {names} while pushing; fetch, merge and push again")
    return dict(result.ref_status or {})
