"""A cluster host: one process running the embedded runtime for many objects, answering its peers.

The host takes each object's lease when it activates it (only if it owns the object in its current
view of the directory), answers calls from drivers and other hosts over its wire server, forwards a
call that reached it for an object another host owns, and evicts the objects that moved away when
the view changes, so their new owner can open their files.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import math
import os
import pickle
import socket
import sqlite3
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from starlette.types import Receive, Send
from starlette.websockets import WebSocket

from ..primitives.attachments import CTX_ATTACHMENTS
from ..runtime.alarm_scheduler import INDEX_TABLE
from ..runtime.connection_budget import MAX_OPEN_VARIABLE
from ..runtime.data_folder import DataFolder
from ..runtime.durable_object import DurableObject
from ..runtime.ids import ObjectId, id_from_name, namespace_of
from ..runtime.log_format import Commit, object_key
from ..runtime.log_store import OPTIONS_VARIABLE
from ..runtime.runtime import Runtime
from .cluster_timeline import STREAM_KIND, serve_streamed
from .fencing import LOCK_WAIT, NotOwnerError, install_fencing
from .http_front import HostRouter
from .layout import check_probe, host_folder
from .liveness import HealthChecks, LivenessResponder
from .move import serve_relocations
from .placement import HostInfo, PlacementError, PlacementView, requirement
from .portable import (
    local_answer,
    pickled_function,
    portable_answer,
    request_parts,
    response_from_parts,
    response_parts,
)
from .published_alarms import AlarmPublisher, published_name, read_published_alarms
from .replica_keeper import NOTICE_BYTES, ReplicaKeeper
from .websocket_relay import portable_scope, relay_websocket, serve_relayed
from .wire import HostUnavailableError, WireClient, WireServer, WireStream

log = logging.getLogger("dotdo.cluster")

OWNER_CACHE_SIZE = 16384
"""Objects whose owner a host remembers for its current view; the cache starts over when full."""

MIN_OPEN_DATABASES = 64
"""The fewest SQLite databases a host keeps open, however many hosts share its machine."""
EVICT_PAUSE = 0.05
EVICT_ATTEMPTS = 600
"""How often, and for how long, a host tries again to evict an object that moved away while busy (30 s)."""
VIEW_WAIT = 1.0
"""Seconds a host waits for a newer view when a forwarded call reaches it and it is not the owner either."""


def import_target(target: str) -> Any:
    """The object named by `module:attribute` (the attribute may be dotted)."""
    module_name, _, attribute = target.partition(":")
    value: Any = importlib.import_module(module_name)
    for part in (attribute or "app").split("."):
        value = getattr(value, part)
    return value


def class_reference(cls: type[DurableObject]) -> str:
    """`module:qualname` of a Durable Object class, for a host process to import it."""
    if "<locals>" in cls.__qualname__ or cls.__module__ == "__main__":
        raise TypeError(
            f"{cls.__qualname__} cannot be sent to cluster hosts: define it at the top level of an importable "
            "module (hosts import classes by module and name, not from __main__ or a function body)"
        )
    return f"{cls.__module__}:{cls.__qualname__}"


REPLICA_POLL_INTERVAL = 1.0
"""Seconds between two looks of a replica at its log when no notice came (owners tell of their uploads)."""


class ClusterHost:
    """The runtime of one host process and its wire server (run inside a Ray actor)."""

    def __init__(
        self,
        host_id: str,
        data_dir: str,
        probe_token: str,
        directory: Any,
        *,
        classes: list[str],
        import_paths: list[str],
        durability: str = "process",
        app_target: str | None = None,
        health_checks: HealthChecks | None = None,
        wrap_app: Callable[[Any], Any] | None = None,
        replicate_to: str | None = None,
        replicate_options: dict[str, str] | None = None,
        machine_databases: int | None = None,
        hosts_on_machine: int = 1,
        cluster_name: str = "dotdo",
        replica_poll_interval: float = REPLICA_POLL_INTERVAL,
    ) -> None:
        for path in reversed(import_paths):
            if path not in sys.path:
                sys.path.insert(0, path)
        self.host_id = host_id
        self.cluster_name = cluster_name
        self.replica_poll_interval = replica_poll_interval
        self.data_dir = data_dir
        self.probe_token = probe_token
        self.directory = directory
        self.class_refs = classes
        self.durability = durability
        self.replicate_to = replicate_to
        """The object store every commit is shipped to; None: objects live in the shared data folder."""
        self.replicate_options = replicate_options
        self.app_target = app_target
        self.wrap_app = wrap_app
        """Called with the imported app; the host serves what it returns (how the inspector attaches)."""
        self.app: Any = None
        self.runtime: Runtime | None = None
        self.view = PlacementView()
        self.wire = WireServer(self.handle, self.handle_stream)
        self.peers: dict[str, WireClient] = {}
        self.info: HostInfo | None = None
        self.draining = False
        self.removed = False
        """Set when the directory dropped this host while it ran (it missed its health checks)."""
        self.health_checks = health_checks
        self.machine_databases = machine_databases
        """The most SQLite databases the hosts of this host's machine keep open together (None: no share):
        each keeps its share open, which grows when a host of the machine leaves (its objects come here)."""
        self.hosts_on_machine = hosts_on_machine
        """How many hosts share the machine's budget (at start; then counted in each view)."""
        self.liveness = LivenessResponder()
        self._confirming: asyncio.Task[None] | None = None
        self.after_removal: Callable[[], object] | None = None
        """Called once a host the directory removed has stopped (its Ray actor ends its process)."""
        self.drain_timeout = 30.0
        self._activated: set[ObjectId] = set()
        self._evicting: asyncio.Task[None] | None = None
        self._owners: dict[tuple[str, str], str] = {}
        self._owners_view: PlacementView | None = None
        self._view_changed = asyncio.Event()
        self._closing: set[asyncio.Task[Any]] = set()
        self._follower: asyncio.Task[None] | None = None
        self._stopped = asyncio.Event()
        self.router: HostRouter | None = None
        self.http_server: Any = None
        self._http_task: asyncio.Task[None] | None = None
        self.replicas: ReplicaKeeper | None = None
        """The read replicas this host keeps for replica sets (when the cluster ships a change log)."""
        self._commit_followers: dict[str, set[str]] = {}
        """The hosts keeping replicas of an object this host owns, by the object's log key: told of its uploads."""
        self.alarm_copy: AlarmPublisher | None = None
        """Keeps this host's alarm index in the change log's store (when the cluster ships one)."""

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self, bind_host: str, labels: frozenset[str] = frozenset()) -> HostInfo:
        """Open the runtime on this host's folder, listen for peers, register in the directory.

        `labels` (its Ray node's) are what placement hints match; the hints of the app's classes
        are recorded in the directory before the host registers.
        """
        shared = self.replicate_to is None
        if shared:
            check_probe(self.data_dir, self.probe_token, f"host {self.host_id} (pid {os.getpid()})")
        folder = host_folder(self.data_dir, self.host_id, shared_objects=shared)
        if self.machine_databases is not None:
            # Read by the runtime this host makes or imports (the app's): the hosts of one machine
            # together keep as many databases open as one `dotdo dev` process would.
            os.environ[MAX_OPEN_VARIABLE] = str(self.database_share(self.hosts_on_machine))
        # Made before the app is imported: the app's runtime on this folder is then this one.
        shipping = (
            None
            if shared
            else Runtime(
                folder,
                durability=self.durability,
                replicate_to=self.replicate_to,
                replicate_options=self.replicate_options,
            )
        )
        runtime: Runtime
        if self.app_target is not None:
            # The app's own runtime (API() makes one on $DOTDO_DATA_DIR) becomes this host's runtime.
            os.environ["DOTDO_DATA_DIR"] = str(folder)
            os.environ["DOTDO_DURABILITY"] = self.durability
            # The change log is the host's to configure (its runtime, made above, ships), whatever the
            # environment the host inherited says.
            os.environ.pop("DOTDO_REPLICATE_TO", None)
            os.environ.pop(OPTIONS_VARIABLE, None)
            self.app = import_target(self.app_target)
            runtime = self.app.runtime
            if shipping is not None and runtime is not shipping:
                raise ValueError(
                    f"The app {self.app_target} brings its own runtime; with replicate_to= the host's runtime "
                    "ships the commits: let API() make its runtime (no runtime= argument)"
                )
        else:
            runtime = shipping or Runtime(folder, durability=self.durability)
        for ref in self.class_refs:
            runtime.register(import_target(ref))
        runtime.add_defaults(CTX_ATTACHMENTS)
        install_fencing(runtime, self.host_id, owns=self._owns, lease_in_file=shared)
        runtime.forward = self.forward
        serve_relocations(runtime, self)
        if self.app is not None and self.wrap_app is not None:
            # After the fencing: what the wrapper adds to each activation runs once the lease is held.
            self.app = self.wrap_app(self.app)
        self.runtime = runtime
        if runtime.change_log is not None:
            self.replicas = ReplicaKeeper(
                runtime.change_log.store, folder / "replicas", self.replica_poll_interval, follow=self.follow_commits
            )
            runtime.change_log.upload_listeners.append(self.tell_followers)
        for namespace, cls in runtime.classes.items():
            required = requirement(getattr(cls, "placement", None))
            if required:
                await self.directory.place.remote(namespace, None, required)
        self.view = await self.directory.view.remote()
        await runtime.acquire()
        if runtime.change_log is not None and runtime.alarms is not None:
            name = published_name(self.cluster_name, self.host_id)
            self.alarm_copy = AlarmPublisher(runtime.alarms, runtime.change_log.store, name)
            self.alarm_copy.start()
        wire = await self.wire.start(bind_host)
        liveness = self.liveness.start(bind_host) if self.health_checks is not None else None
        self.info = HostInfo(self.host_id, wire, os.getpid(), frozenset(labels), liveness)
        version = await self.directory.register.remote(self.info)
        await self.wait_for_version(version)
        if self.health_checks is not None:
            await self.liveness.first_ping(10.0)
        return self.info

    def member(self) -> bool:
        """Whether this host may take work: not removed, and vouched for by a recent health check."""
        if self.removed:
            return False
        return self.health_checks is None or self.liveness.member()

    async def open_http(self, version: int, host: str, port: int, drain_timeout: float) -> None:
        """Start serving HTTP once this host's view includes every host started with it (`version`)."""
        await self.wait_for_version(version)
        self.drain_timeout = drain_timeout
        await self._serve_http(host, port, drain_timeout)

    async def _serve_http(self, host: str, port: int, drain_timeout: float) -> None:
        import uvicorn

        if self.app is None:
            raise ValueError("A host serves HTTP only for an app (app_target)")
        self.router = HostRouter(self, self.app)
        listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Every host listens on the same port; the kernel spreads the connections over them.
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        try:
            listener.bind((host, port))
        except OSError as exc:
            listener.close()
            raise OSError(exc.errno, f"host {self.host_id} cannot listen on {host}:{port}: {exc.strerror}") from None
        listener.listen(2048)
        config = uvicorn.Config(
            self.router,
            lifespan="off",
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=math.ceil(drain_timeout),
        )
        self.http_server = uvicorn.Server(config)
        self._http_task = asyncio.get_running_loop().create_task(self.http_server.serve(sockets=[listener]))
        while not self.http_server.started:
            if self._http_task.done():
                self._http_task.result()
                raise RuntimeError(f"host {self.host_id}: the HTTP server stopped at start")
            await asyncio.sleep(0.01)

    async def next_view(self) -> None:
        """Wait (up to a second) for the next view of the directory."""
        await self._next_view(VIEW_WAIT)

    async def wait_for_version(self, version: int) -> None:
        """Return once this host follows the directory and holds a view at least as new as `version`."""
        if self._follower is None:
            self._follower = asyncio.get_running_loop().create_task(self._follow_directory())
        while self.view.version < version:
            await self._next_view(VIEW_WAIT)

    async def _follow_directory(self) -> None:
        while not self._stopped.is_set():
            try:
                view = await self.directory.wait_change.remote(self.view.version)
            except Exception:
                log.exception("host %s lost the directory; retrying", self.host_id)
                await asyncio.sleep(0.5)
                continue
            if view.version > self.view.version:
                self.apply_view(view)

    def apply_view(self, view: PlacementView) -> None:
        """Adopt a newer view: drop connections to hosts that left, evict objects that moved away,
        and take over the alarms of the hosts that left."""
        departed = [host_id for host_id in self.view.hosts if host_id not in view.hosts and host_id != self.host_id]
        dropped = self.host_id in self.view.hosts and self.host_id not in view.hosts and not self.draining
        self.view = view
        if dropped:
            self.removed = True
            log.warning("host %s was removed from the cluster while running: it stops", self.host_id)
            stopping = asyncio.get_running_loop().create_task(self.stop())
            self._closing.add(stopping)
            stopping.add_done_callback(self._closing.discard)
            return
        for host_id in departed:
            adopting = asyncio.get_running_loop().create_task(self.adopt_alarms(host_id))
            self._closing.add(adopting)
            adopting.add_done_callback(self._closing.discard)
        for host_id in [h for h in self.peers if h not in view.hosts]:
            peer = self.peers.pop(host_id)
            closing = asyncio.get_running_loop().create_task(peer.close_when_idle())
            self._closing.add(closing)
            closing.add_done_callback(self._closing.discard)
        self._view_changed.set()
        self._view_changed = asyncio.Event()
        self.share_databases()
        self.evict_moved()

    def database_share(self, hosts: int) -> int:
        """This host's share of its machine's open databases when `hosts` hosts run there."""
        assert self.machine_databases is not None
        return max(MIN_OPEN_DATABASES, self.machine_databases // max(1, hosts))

    def share_databases(self) -> None:
        """Keep this host's share of its machine's open databases for the hosts of the current view
        there (hosts of one machine listen on one address)."""
        runtime, info = self.runtime, self.info
        if self.machine_databases is None or runtime is None or info is None:
            return
        here = sum(1 for other in self.view.hosts.values() if other.wire[0] == info.wire[0])
        runtime.max_open_databases = self.database_share(here)

    def evict_moved(self) -> int:
        """Evict the live objects this host no longer owns; returns how many. A busy one (an event in
        flight, a write not yet durable) is evicted as soon as it is idle: its new owner waits for its file."""
        runtime = self.runtime
        if runtime is None or not self.view.hosts:
            return 0
        evicted = busy = 0
        for oid in list(self._activated):
            if runtime.live_storage(oid.namespace, oid) is None:
                self._activated.discard(oid)
            elif not self._owns(oid):
                if runtime.evict(oid.namespace, oid):
                    self._activated.discard(oid)
                    evicted += 1
                    if runtime.change_log is not None:
                        self._in_background(runtime.change_log.release(oid))
                else:
                    busy += 1
        if busy and (self._evicting is None or self._evicting.done()):
            self._evicting = asyncio.get_running_loop().create_task(self._evict_moved_when_idle())
        return evicted

    def _in_background(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def _evict_moved_when_idle(self) -> None:
        # New events go to the new owner, so the ones in flight here end soon.
        for _ in range(EVICT_ATTEMPTS):
            await asyncio.sleep(EVICT_PAUSE)
            if self.draining:
                return
            self.evict_moved()
            if not self._moved_live():
                return

    def _moved_live(self) -> bool:
        runtime = self.runtime
        return runtime is not None and any(
            runtime.live_storage(oid.namespace, oid) is not None
            and self.owner_in_view(oid.namespace, oid.hex) != self.host_id
            for oid in self._activated
        )

    async def relocate(self, oid: ObjectId, required: tuple[str, ...]) -> None:
        """Keep object `oid` on hosts carrying the labels `required` (`move_to`, `promote(colo=)`).

        Returns once this host routes the object's calls by the new hint. If the object runs here
        and now belongs elsewhere, it is evicted as soon as its events end (its writes committed),
        so its new owner can open its file.
        """
        if not any(info.matches(required) for info in self.view.hosts.values()):
            raise PlacementError(
                f"No live host carries {', '.join(required)} (live hosts: {self.view.describe_hosts()}); "
                "start a Ray node with that custom resource or label"
            )
        await self.wait_for_version(await self.directory.place.remote(oid.namespace, oid.hex, required))
        if self.owner_in_view(oid.namespace, oid.hex) != self.host_id:
            letting_go = asyncio.get_running_loop().create_task(self._evict_when_idle(oid))
            self._closing.add(letting_go)
            letting_go.add_done_callback(self._closing.discard)

    async def _evict_when_idle(self, oid: ObjectId) -> None:
        runtime = self.runtime
        assert runtime is not None
        # Within the time its new owner waits for the file; a busier object fails that call, loses nothing.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(LOCK_WAIT):
                while runtime.live_storage(oid.namespace, oid) is not None and not self._owns(oid):
                    if runtime.evict(oid.namespace, oid):
                        self._activated.discard(oid)
                        if runtime.change_log is not None:
                            await runtime.change_log.release(oid)
                        return
                    await asyncio.sleep(0.002)

    async def adopt_alarms(self, departed: str) -> int:
        """Index here the alarms of the objects a departed host ran that this host now owns.

        The departed host's alarm index is read from its folder (once its process let go of it), or,
        when that folder is gone with it, from the copy it kept in the change log's store; each
        adopted object is activated so its earliest timer enters this host's index, where a missed
        alarm fires at once. Returns how many objects were adopted.
        """
        runtime = self.runtime
        if runtime is None or runtime.alarms is None:
            return 0
        index = DataFolder(Path(self.data_dir).resolve() / "hosts" / departed).index_path
        if index.exists() or runtime.change_log is None:
            rows = await read_alarm_index(index)
        else:
            rows = await read_published_alarms(runtime.change_log.store, published_name(self.cluster_name, departed))
        adopted = 0
        for namespace, hex_id, name in rows:
            oid = ObjectId(namespace, hex_id, name)
            if namespace not in runtime.classes or self.view.owner(namespace, hex_id) != self.host_id:
                continue
            try:
                await runtime.adopt_timers(namespace, oid)
            except Exception:
                log.exception("host %s could not adopt the alarms of %s %s", self.host_id, namespace, oid)
                continue
            adopted += 1
        return adopted

    async def _next_view(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._view_changed.wait(), timeout)

    async def run(self) -> None:
        """Return when the host stops (the cluster awaits this to learn of a host's death from Ray)."""
        await self._stopped.wait()

    async def stop(self) -> None:
        """Drain: refuse new work, finish calls in flight, commit and close every object, leave the directory."""
        if self.draining:
            await self._stopped.wait()
            return
        self.draining = True
        if not self.removed:
            with contextlib.suppress(Exception):
                await self.directory.remove.remote(self.host_id)
        if self.http_server is not None and self._http_task is not None:
            # Stops accepting, lets the requests in flight finish (up to the drain timeout).
            self.http_server.should_exit = True
            with contextlib.suppress(Exception):
                await self._http_task
        # WebSockets relayed here from other hosts: their clients get 1012 and reconnect elsewhere.
        self.wire.end_streams()
        # The wire's calls in flight get what is left of the drain timeout; later ones are cut off.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.drain_timeout):
                await self.wire.drain()
        if self.replicas is not None:
            await self.replicas.close()
        if self.alarm_copy is not None:
            await self.alarm_copy.close()
        if self.runtime is not None:
            await self.runtime.release()
        await self.wire.close()
        for peer in self.peers.values():
            await peer.close()
        if self._follower is not None:
            self._follower.cancel()
        self.liveness.close()
        self._stopped.set()
        if self.removed and self.after_removal is not None:
            self.after_removal()

    # -- placement ----------------------------------------------------------------------------

    def owner_in_view(self, namespace: str, hex_id: str) -> str:
        """The object's owner in this host's current view (remembered until the view changes)."""
        view = self.view
        if self._owners_view is not view:
            self._owners, self._owners_view = {}, view
        key = (namespace, hex_id)
        owner = self._owners.get(key)
        if owner is None:
            owner = view.owner(namespace, hex_id)
            if len(self._owners) >= OWNER_CACHE_SIZE:
                self._owners = {}
            self._owners[key] = owner
        return owner

    def _owns(self, oid: ObjectId) -> bool:
        owned = not self.draining and self.member() and self.owner_in_view(oid.namespace, oid.hex) == self.host_id
        if owned:
            self._activated.add(oid)
        return owned

    def forward(self, oid: ObjectId, kind: str, args: tuple[Any, ...]) -> Awaitable[Any] | None:
        """An event of this host's runtime (a stub, `ctx`, `run_in`, `fetch`, a WebSocket, `spawn`) for an
        object another host owns goes there; None when this host owns it."""
        owner = self.owner_in_view(oid.namespace, oid.hex) if self.view.hosts else self.host_id
        if owner == self.host_id:
            return None
        return self._send(owner, oid, kind, args)

    async def _send(self, owner: str, oid: ObjectId, kind: str, args: tuple[Any, ...]) -> Any:
        peer = self.peer(owner)
        head = (oid.namespace, oid.hex, oid.name, 0)
        if kind == "call":
            return local_answer(await peer.request("call", (*head, *args)), self.runtime)
        if kind == "run_in":
            return await peer.request("run_in", (*head, pickled_function(args[0])))
        if kind == "run_event":
            return await peer.request("run_event", (*head, pickled_function((args[0], args[1:]))))
        if kind == "fetch":
            parts = await request_parts(args[0])
            return response_from_parts(await peer.request("fetch", (*head, *parts)))
        if kind == "websocket":
            socket = args[0]
            payload = (*head, portable_scope(socket.scope))
            await relay_websocket(peer, "websocket", payload, socket.receive, socket.send)
            return None
        raise ValueError(f"unknown event kind {kind!r}")

    def peer(self, host_id: str) -> WireClient:
        """The connection to another host of the current view."""
        client = self.peers.get(host_id)
        if client is None:
            info = self.view.hosts.get(host_id)
            if info is None:
                raise HostUnavailableError(f"host {host_id} is not in the cluster any more")
            client = self.peers[host_id] = WireClient(info.wire, f"host {host_id}")
        return client

    async def owner_of(self, namespace: str, hex_id: str, hops: int) -> str | None:
        """None if this host should run the call, else the host to forward it to."""
        try:
            owner = self.owner_in_view(namespace, hex_id)
        except PlacementError:
            # The sender's view has a placement this host's has not seen yet: wait for it once.
            await self._next_view(VIEW_WAIT)
            owner = self.owner_in_view(namespace, hex_id)
        if owner == self.host_id:
            return None
        if hops == 0:
            return owner
        # A peer's view said this host owns the object; ours is older or newer: let them converge.
        await self._next_view(VIEW_WAIT)
        owner = self.view.owner(namespace, hex_id)
        if owner == self.host_id:
            return None
        raise NotOwnerError(
            f"host {self.host_id} does not own {namespace} {hex_id[:12]} (its owner is {owner}); the cluster's "
            "views disagree while a host joins or leaves: retry"
        )

    # -- requests from peers and drivers --------------------------------------------------------

    async def handle(self, kind: str, payload: Any) -> Any:
        """Answer one wire request (`call`, `run_in`, `run_event`, `fetch`, `http`, `register`, `evict_moved`,
        `status`, `live_names`, `replica`, `follow_commits`, `commits_uploaded`)."""
        if kind == "register":
            return self.register(payload)
        if kind == "evict_moved":
            return self.evict_moved()
        if kind == "status":
            return self.status()
        if kind == "live_names":
            return self.live_names()
        if kind == "replica":
            return await self.answer_replica(*payload)
        if kind == "follow_commits":
            log_key, follower = payload
            self._commit_followers.setdefault(log_key, set()).add(follower)
            return None
        if kind == "commits_uploaded":
            if self.replicas is not None:
                self.replicas.wake(*payload)
            return None
        if kind == "http":
            if self.router is None:
                raise ValueError(f"host {self.host_id} serves no HTTP app")
            return await self.router.answer_forwarded(*payload)
        if self.draining:
            raise HostUnavailableError(f"host {self.host_id} is draining")
        await self.ensure_member()
        namespace, hex_id, name, hops = payload[:4]
        owner = await self.owner_of(namespace, hex_id, hops)
        if owner is not None:
            return await self.peer(owner).request(kind, (namespace, hex_id, name, hops + 1, *payload[4:]))
        runtime = self.runtime
        assert runtime is not None
        cls = runtime.class_named(namespace)
        oid = ObjectId(namespace, hex_id, name)
        if kind == "call":
            method, args, kwargs = payload[4:]
            return portable_answer(await runtime.call(cls, oid, method, *args, **kwargs))
        if kind == "run_in":
            # Sent by value with cloudpickle, whose output the standard unpickler reads.
            fn = pickle.loads(payload[4])
            return await runtime.run_in(cls, oid, fn)
        if kind == "run_event":
            fn, args = pickle.loads(payload[4])
            return await runtime.spawn(cls, oid, fn, *args)
        if kind == "fetch":
            url, method, headers, body = payload[4:]
            response = await runtime.get(cls, oid).fetch(url, method=method, headers=headers, body=body)
            return response_parts(response)
        raise ValueError(f"unknown wire request kind {kind!r}")

    async def follow_commits(self, namespace: str, name: str) -> None:
        """Ask the host owning object (`namespace`, `name`) to tell this host when its commits are uploaded."""
        oid = id_from_name(namespace, name)
        log_key = object_key(namespace, oid.hex)
        owner = self.owner_in_view(namespace, oid.hex)
        if owner == self.host_id:
            self._commit_followers.setdefault(log_key, set()).add(self.host_id)
        else:
            await self.peer(owner).request("follow_commits", (log_key, self.host_id))

    def tell_followers(self, log_key: str, commit: int, commits: Sequence[Commit] = ()) -> None:
        """A change log listener: tell the hosts that follow this object's log that it reached `commit`,
        handing them the uploaded `commits` when they are small enough to travel with the notice."""
        followers = self._commit_followers.get(log_key)
        if not followers:
            return
        carried = commits if sum(len(c.pages.pages) * c.pages.page_size for c in commits) <= NOTICE_BYTES else ()
        for follower in list(followers):
            if follower == self.host_id:
                if self.replicas is not None:
                    self.replicas.wake(log_key, commit, carried)
            elif follower not in self.view.hosts:
                followers.discard(follower)
            else:
                telling = asyncio.get_running_loop().create_task(self._tell(follower, log_key, commit, carried))
                self._closing.add(telling)
                telling.add_done_callback(self._closing.discard)

    async def _tell(self, follower: str, log_key: str, commit: int, commits: Sequence[Commit]) -> None:
        with contextlib.suppress(Exception):  # a lost notice costs the follower one poll interval
            await self.peer(follower).request("commits_uploaded", (log_key, commit, list(commits)))

    async def answer_replica(self, operation: str, namespace: str, name: str, place: str, *args: Any) -> Any:
        """A replica set's request for the replica of an object this host keeps (see `replica_keeper.py`)."""
        if self.replicas is None:
            raise ValueError(
                f"host {self.host_id} keeps no replicas: the cluster ships no change log (start it with replicate_to=)"
            )
        await self.ensure_member()
        return await self.replicas.answer(operation, namespace, name, place, args)

    async def ensure_member(self) -> None:
        """Return if this host may take work; if its last health check is too old, ask the directory
        once (for every request waiting); `HostUnavailableError` if it is not a member."""
        if self.member():
            return
        if not self.removed and self.health_checks is not None:
            if self._confirming is None or self._confirming.done():
                self._confirming = asyncio.get_running_loop().create_task(self._confirm())
            await asyncio.shield(self._confirming)
        if not self.member():
            raise HostUnavailableError(self.not_member_reason())

    async def _confirm(self) -> None:
        asked_at = time.monotonic()
        assert self.health_checks is not None
        try:
            async with asyncio.timeout(self.health_checks.timeout):
                confirmed = await self.directory.confirm.remote(self.host_id)
        except Exception:
            return
        if confirmed:
            self.liveness.renew(asked_at)

    def not_member_reason(self) -> str:
        """Why this host refuses work while it is not a member (for errors and 503s)."""
        if self.removed:
            return f"host {self.host_id} was removed from the cluster (it missed its health checks); retry"
        return (
            f"host {self.host_id} has not heard from the cluster's directory lately, so it may have been "
            "replaced; retry"
        )

    async def handle_stream(self, kind: str, payload: Any, stream: WireStream) -> None:
        """Serve a WebSocket another host (or the driver) relays here.

        `http_websocket` carries a whole scope for the app this host serves; `websocket` names an
        object, whose `fetch` gets the upgrade (relayed on if the object moved meanwhile);
        `http_stream` is one HTTP request to this host's own app whose answer is streamed back (a
        follower of the whole cluster's timeline).
        """
        if kind == "http_websocket":
            if self.router is None:
                raise ValueError(f"host {self.host_id} serves no HTTP app")
            router = self.router
            await serve_relayed(stream, lambda receive, send: router.answer_forwarded_websocket(payload, receive, send))
            return
        if kind == STREAM_KIND:
            if self.router is None:
                raise ValueError(f"host {self.host_id} serves no HTTP app")
            await serve_streamed(stream, self.router.app, payload)
            return
        if kind != "websocket":
            raise ValueError(f"unknown wire stream kind {kind!r}")
        namespace, hex_id, name, hops, scope = payload
        runtime = self.runtime
        assert runtime is not None
        if self.draining:
            return  # The stream ends at once: the relaying side closes its client with 1012.
        owner = await self.owner_of(namespace, hex_id, hops)
        if owner is not None:
            peer, onward = self.peer(owner), (namespace, hex_id, name, hops + 1, scope)
            await serve_relayed(stream, lambda receive, send: relay_websocket(peer, "websocket", onward, receive, send))
            return
        cls = runtime.class_named(namespace)
        oid = ObjectId(namespace, hex_id, name)

        async def accept(receive: Receive, send: Send) -> None:
            await runtime.accept_websocket(cls, oid, WebSocket(scope, receive, send))

        await serve_relayed(stream, accept)

    def live_names(self) -> list[tuple[str, str, str]]:
        """(class, id, name) of each object live on this host that was reached by name."""
        runtime = self.runtime
        if runtime is None:
            return []
        return [(oid.namespace, oid.hex, oid.name) for oid in runtime.live_ids() if oid.name is not None]

    def status(self) -> dict[str, Any]:
        """What `dotdo cluster status` shows of this host."""
        runtime = self.runtime
        return {
            "host": self.host_id,
            "pid": os.getpid(),
            "wire": f"{self.wire.address[0]}:{self.wire.address[1]}" if self.wire.address else None,
            "live_objects": runtime.live_count if runtime else 0,
            "leases": sum(1 for oid in self._activated if runtime and runtime.live_storage(oid.namespace, oid)),
            "activations": runtime.activations if runtime else 0,
            "max_open_databases": runtime.max_open_databases if runtime else 0,
            "draining": self.draining,
            "view_version": self.view.version,
            "labels": sorted(self.info.labels) if self.info else [],
        }

    def register(self, ref: str) -> str:
        """Register a class (by `module:qualname`) with this host's runtime; returns its namespace."""
        assert self.runtime is not None
        return namespace_of(self.runtime.register(import_target(ref)))


async def read_alarm_index(path: Path, attempts: int = 40, pause: float = 0.25) -> list[tuple[str, str, str | None]]:
    """The (namespace, id, name) rows of a host's alarm index, waiting while its host still holds it."""
    if not path.exists():
        return []
    for _ in range(attempts):
        try:
            # Read-write: reading a WAL file its dead writer left needs to recover it first.
            conn = sqlite3.connect(path, timeout=0)
            try:
                return conn.execute(f"SELECT namespace, id, name FROM {INDEX_TABLE}").fetchall()
            finally:
                conn.close()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return []
            await asyncio.sleep(pause)
    log.warning("the alarm index %s stayed locked; its alarms were not adopted", path)
    return []
