"""`Cluster`: objects spread over host processes placed by Ray, reached with the runtime's own methods.

    async with Cluster(hosts=2, data_dir="/shared/dotdo", objects=[Counter]) as rt:
        await rt.get(Counter, "acme").increment(2)

Ray starts, places, names and watches the hosts; calls go from this process straight to the owning
host over a persistent connection (never one Ray call per request).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..runtime.connection_budget import configured_max_open
from ..runtime.durable_object import DurableObject
from ..runtime.errors import DotdoError, UnknownClassError
from ..runtime.ids import ObjectId, id_from_name, namespace_of
from ..runtime.stub import Stub
from .directory import LEFT, Directory, HostLaunch
from .fencing import NotOwnerError
from .host import REPLICA_POLL_INTERVAL, ClusterHost, class_reference
from .layout import write_probe
from .liveness import HealthChecks
from .nodes import plan_hosts
from .placement import Placement, PlacementError, PlacementView, requirement
from .portable import local_answer, pickled_function, request_parts, response_from_parts
from .ray_instance import LOOPBACK, RayInstance, import_ray
from .websocket_relay import close_with_restart, portable_scope, relay_websocket
from .wire import HostUnavailableError, WireClient

log = logging.getLogger("dotdo.cluster")

HEAD_RESOURCE = "node:__internal_head__"
"""The resource Ray gives its head node only."""
NOT_OWNER_RETRIES = 8
"""How often a call refused by a host that does not own the object (yet) is sent again, with backoff."""
REPLACE_ATTEMPTS = 20
"""How many times a dead host is tried again before giving up (a crash at start, a name still taken)."""
REPLACE_PAUSE = 0.5
"""Seconds between attempts to start a dead host again (its Ray actor name frees once Ray buried it)."""


class ClusterNotRunningError(DotdoError):
    """`attach_only` was asked and no cluster of that name runs on the Ray cluster."""


def store_address(store: str | os.PathLike[str]) -> str:
    """A store's address as hosts in other working folders read it: URLs as given, folders made absolute."""
    text = os.fspath(store)
    return text if "://" in text else os.path.abspath(text)


class HostActor:
    """The Ray actor around a `ClusterHost` (one process per host)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.host = ClusterHost(*args, **kwargs)
        self.host.after_removal = self._end

    @staticmethod
    def _end() -> None:
        import ray

        # Removed from the directory (a missed health check): nothing may run here any more.
        ray.kill(ray.get_runtime_context().current_actor, no_restart=True)

    async def start(self, bind_host: str | None) -> Any:
        """Start the host with its node's labels; `bind_host` None means this node's address as Ray knows it."""
        import ray

        from .nodes import node_labels

        if bind_host is None:
            bind_host = str(ray.util.get_node_ip_address())
        node_id = ray.get_runtime_context().get_node_id()
        node = next((n for n in ray.nodes() if n.get("NodeID") == node_id), {})
        return await self.host.start(bind_host, node_labels(node))

    async def open_http(self, version: int, host: str, port: int, drain_timeout: float) -> None:
        """Serve HTTP once the host's view has reached `version` (every host of the start is in it)."""
        await self.host.open_http(version, host, port, drain_timeout)

    async def run(self) -> None:
        """Return when the host stops (a host the directory removed ends its process too)."""
        await self.host.run()

    async def stop(self) -> None:
        """Drain and stop the host."""
        await self.host.stop()


class ClusterStub(Stub):
    """A stub for one object of the cluster: `await stub.method(*args)` runs on the object's owner."""

    _kind = "cluster stub"

    def __init__(self, cluster: Cluster, cls: type[DurableObject], oid: ObjectId) -> None:
        super().__init__(cls, oid)
        self._cluster = cluster

    def _method_caller(self, method: str) -> Callable[..., Awaitable[Any]]:
        cluster, cls, oid = self._cluster, self._cls, self.id

        async def call(*args: Any, **kwargs: Any) -> Any:
            return local_answer(await cluster.send(cls, oid, "call", (method, args, kwargs)), cluster)

        return call

    async def _deliver(self, request: Request) -> Response:
        return await self._cluster.send_request(self._cls, self.id, request)


class Cluster:
    """Durable Objects on `hosts` host processes of a Ray cluster, sharing the data folder `data_dir`.

    `address=None` starts a private Ray instance on this machine (loopback only, stopped at exit);
    `"auto"` or `"host:port"` joins a running Ray cluster; `hosts=None` starts one host per live Ray node
    (`dotdo_hosts` hosts on a node with that custom resource). The data folder must be the same folder
    for every host (a shared filesystem across machines): a probe file checks it at start.

    On a joined Ray, the directory and the hosts are detached actors named after `name`: they outlive
    this process, and a later `Cluster` with the same `name` attaches to them (same hosts, same leases)
    instead of starting new ones; `close()` stops only what this `Cluster` started. `health_checks`
    sets how the directory notices a paused or stuck host (None: only Ray's death reports).
    `resources` gives the node of a local Ray instance custom resources, which label its hosts for
    placement hints (`{"region:eu-west": 1}`). `wrap_app` (picklable) is called in each host with the
    imported `app`; the host serves what it returns, e.g. the app with the inspector attached.

    `replicate_to` (an `s3://bucket/prefix` URL with `replicate_options`, or a folder every host
    reaches) ships every commit of every host to that object store, and the hosts share no folder:
    each keeps its objects under `data_dir` on its own machine, and when a host dies its objects are
    rebuilt by their new owners from the store alone. With `durability="replicated"` a result is
    released only once its commit is in the store, so no acknowledged write is lost with a host.

    A read replica a host keeps (`replicate(cluster, ...)`) reads its log when the object's owner
    says its commits are uploaded, and every `replica_poll_interval` seconds in any case.

    `attach_only` joins only a cluster of that name that is running (`ClusterNotRunningError` if
    there is none) rather than starting one.

    With `replace_dead_hosts`, a host that dies (or that the health checks removed, once it stopped) is
    started again under its id, on its node if it was placed on one (not if that node is gone): its
    objects, which the other hosts took over meanwhile, come back to it. Whichever driver watches the
    cluster (the one that started it or one attached later) does it.
    """

    def __init__(
        self,
        address: str | None = None,
        hosts: int | None = 2,
        data_dir: str | os.PathLike[str] = ".dotdo",
        objects: Iterable[type[DurableObject]] = (),
        durability: str = "process",
        *,
        name: str = "dotdo",
        app: str | None = None,
        http_host: str = "127.0.0.1",
        http_port: int | None = None,
        drain_timeout: float = 30.0,
        log_to_driver: bool = False,
        health_checks: HealthChecks | None = HealthChecks(),
        resources: dict[str, float] | None = None,
        wrap_app: Callable[[Any], Any] | None = None,
        replicate_to: str | os.PathLike[str] | None = None,
        replicate_options: dict[str, str] | None = None,
        replace_dead_hosts: bool = False,
        attach_only: bool = False,
        replica_poll_interval: float = REPLICA_POLL_INTERVAL,
    ) -> None:
        if replica_poll_interval <= 0:
            raise ValueError(f"replica_poll_interval must be positive (seconds), not {replica_poll_interval!r}")
        if hosts is not None and (not isinstance(hosts, int) or hosts < 1):
            raise ValueError(f"A cluster needs at least one host, not {hosts!r}")
        if durability not in ("process", "power", "replicated"):
            raise ValueError(f"durability must be process, power or replicated, not {durability!r}")
        if durability == "replicated" and replicate_to is None:
            raise ValueError(
                'durability="replicated" on a cluster needs replicate_to= (an s3:// URL or a folder every host '
                "reaches): the hosts rebuild each other's objects from it"
            )
        self.ray = RayInstance(address, resources=resources, log_to_driver=log_to_driver)
        self.host_count = hosts
        self.data_dir = os.fspath(data_dir)
        self.durability = durability
        self.replicate_to = store_address(replicate_to) if replicate_to is not None else None
        self.replicate_options = dict(replicate_options or {})
        self.replica_poll_interval = replica_poll_interval
        self.name = name
        self.app = app
        self.wrap_app = wrap_app
        self.http = (http_host, http_port) if http_port is not None else None
        if self.http is not None and app is None:
            raise ValueError("http_port needs app= (the ASGI app the hosts serve, as module:attribute)")
        self.drain_timeout = drain_timeout
        self.health_checks = health_checks
        self.replace_dead_hosts = replace_dead_hosts
        if attach_only and self.ray.local:
            raise ValueError("attach_only needs address= (a Ray cluster where the named cluster runs)")
        self.attach_only = attach_only
        self.attached = False
        """Whether this Cluster found its directory and hosts running (started by another process)."""
        self.classes: dict[str, type[DurableObject]] = {}
        for cls in objects:
            self.classes[namespace_of(cls)] = cls
        self.view = PlacementView()
        self.directory: Any = None
        self.actors: dict[str, Any] = {}
        self.clients: dict[str, WireClient] = {}
        self._watchers: list[asyncio.Task[None]] = []
        self._follower: asyncio.Task[None] | None = None
        self._view_changed = asyncio.Event()
        self._closing: set[asyncio.Task[Any]] = set()
        self._registering: dict[str, asyncio.Task[None]] = {}
        self.started = False
        self.closed = False

    # -- lifecycle ----------------------------------------------------------------------------

    async def __aenter__(self) -> Cluster:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def start(self) -> Cluster:
        """Start (or join) Ray, the directory and the hosts; returns once every host answers."""
        if self.started:
            return self
        # In this thread: Ray installs its signal handlers only from the main thread.
        self.ray.start()
        try:
            await self._start_hosts()
        except BaseException:
            await self._shutdown()
            raise
        self.started = True
        return self

    async def _start_hosts(self) -> None:
        ray = import_ray()
        detached = not self.ray.local
        if detached and await self._attach(ray):
            return
        if self.attach_only:
            raise ClusterNotRunningError(
                f"No cluster named {self.name!r} runs on the Ray cluster at {self.ray.address} (its directory "
                f"actor {self.name}:directory is not there, or lists no host)"
            )
        # None: one host per live node (or as many as its dotdo_hosts resource says), pinned to it.
        nodes: list[str | None]
        if self.host_count is None:
            nodes = [plan.node_id for plan in plan_hosts(ray.nodes()) for _ in range(plan.hosts)]
            if not nodes:
                raise ValueError("No live Ray node runs a host (every node has dotdo_hosts=0): nothing would serve")
            self.host_count = len(nodes)
        else:
            nodes = [None] * self.host_count
        # The hosts of one machine share its budget of open databases, as one process's runtime would
        # have it; hosts spread by Ray (None) are counted evenly over the live nodes.
        sharing = collections.Counter(nodes)
        if None in sharing:
            live_nodes = sum(1 for node in ray.nodes() if node.get("Alive")) or 1
            sharing[None] = -(-sharing[None] // live_nodes)
        budget = configured_max_open()
        probe_token = write_probe(self.data_dir)
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        # On the head node, whose loss ends the Ray cluster anyway: not on a worker node that may die.
        head = next(
            (n["NodeID"] for n in ray.nodes() if n.get("Alive") and HEAD_RESOURCE in (n.get("Resources") or {})),
            None,
        )
        here = NodeAffinitySchedulingStrategy(head, soft=False) if head else "DEFAULT"
        try:
            self.directory = (
                ray.remote(Directory)
                .options(
                    name=f"{self.name}:directory",
                    num_cpus=0,
                    max_concurrency=1000,
                    scheduling_strategy=here,
                    **({"lifetime": "detached"} if detached else {}),
                )
                .remote(self.health_checks)
            )
        except ValueError:
            # Another driver created it between our look and our start: use its hosts.
            if await self._attach(ray):
                return
            raise
        refs = []
        for index, node_id in enumerate(nodes):
            host_id = f"host-{index}"
            launch = HostLaunch(
                node_id,
                (host_id, os.path.abspath(self.data_dir), probe_token, self.directory),
                {
                    "classes": [class_reference(cls) for cls in self.classes.values()],
                    "import_paths": [p for p in sys.path if p],
                    "durability": self.durability,
                    "app_target": self.app,
                    "health_checks": self.health_checks,
                    "machine_databases": budget,
                    "hosts_on_machine": sharing[node_id],
                    "wrap_app": self.wrap_app,
                    "replicate_to": self.replicate_to,
                    "replicate_options": self.replicate_options,
                    "cluster_name": self.name,
                    "replica_poll_interval": self.replica_poll_interval,
                },
            )
            # Kept in the directory: whichever driver watches the cluster can start the host again.
            await self.directory.record_launch.remote(host_id, launch)
            actor = self.actors[host_id] = self._launch(host_id, launch)
            refs.append(actor.start.remote(self._bind_host()))
        try:
            await asyncio.gather(*refs)
        except Exception as exc:
            # A host's own error (an unshared data folder, an app that does not import), not Ray's wrapper.
            cause = getattr(exc, "cause", None)
            if isinstance(cause, Exception):
                raise cause from None
            raise
        view = await self.directory.view.remote()
        if self.http is not None:
            # Only now: a host serving before it knows its peers would take objects that are theirs.
            await asyncio.gather(
                *(
                    actor.open_http.remote(view.version, *self.http, self.drain_timeout)
                    for actor in self.actors.values()
                )
            )
        for host_id, actor in self.actors.items():
            self._watchers.append(asyncio.get_running_loop().create_task(self._watch(host_id, actor)))
        self.apply_view(view)
        self._follower = asyncio.get_running_loop().create_task(self._follow_directory())

    def _bind_host(self) -> str | None:
        """Where hosts listen for their peers: loopback on a local Ray, else their node's address (None)."""
        return LOOPBACK if self.ray.local else None

    def _launch(self, host_id: str, launch: HostLaunch) -> Any:
        """Create the Ray actor of one host (its `start` still to call); `ValueError` if its name is taken."""
        ray = import_ray()
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        node_id = launch.node_id
        strategy = "SPREAD" if node_id is None else NodeAffinitySchedulingStrategy(node_id, soft=False)
        return (
            ray.remote(HostActor)
            .options(
                name=f"{self.name}:{host_id}",
                num_cpus=0,
                max_restarts=0,
                max_concurrency=10_000,
                scheduling_strategy=strategy,
                **({} if self.ray.local else {"lifetime": "detached"}),
            )
            .remote(*launch.args, **launch.options)
        )

    async def _attach(self, ray: Any) -> bool:
        """Use the directory and hosts another driver started under this name, if they run; True if so."""
        try:
            directory = ray.get_actor(f"{self.name}:directory")
        except ValueError:
            return False
        view = await directory.view.remote()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(60):
                # Its driver may still be starting the hosts (none has left yet).
                while not view.hosts and not await directory.departed.remote():
                    view = await directory.wait_change.remote(view.version, 5.0)
        if not view.hosts:
            # Left by a cluster whose hosts all died or left: start afresh under the name.
            log.warning("the directory of cluster %r lists no host: replacing it", self.name)
            ray.kill(directory)
            async with asyncio.timeout(30):
                while True:
                    try:
                        ray.get_actor(f"{self.name}:directory")
                    except ValueError:
                        return False
                    await asyncio.sleep(0.1)
        actors = {}
        for host_id in view.hosts:
            try:
                actors[host_id] = ray.get_actor(f"{self.name}:{host_id}")
            except ValueError:
                # It died since the view was made; the directory removes it on its own.
                continue
        self.directory, self.actors, self.attached = directory, actors, True
        self.host_count = len(actors)
        for host_id, actor in self.actors.items():
            self._watchers.append(asyncio.get_running_loop().create_task(self._watch(host_id, actor)))
        self.apply_view(view)
        self._follower = asyncio.get_running_loop().create_task(self._follow_directory())
        log.info("attached to the running cluster %r: %d hosts", self.name, len(actors))
        return True

    async def _watch(self, host_id: str, actor: Any) -> None:
        """Wait on the host's `run()`: Ray fails it when the host's process or node dies, and it returns
        when the host stopped. A host that died, or stopped because the directory removed it, is
        started again when `replace_dead_hosts` is set.

        "Unavailable" is not dead (a paused or busy host, a slow network): the health checks decide
        about those, so the watch waits on the host again.
        """
        from ray.exceptions import ActorUnavailableError

        while True:
            try:
                await actor.run.remote()
                died = None
                break
            except ActorUnavailableError:
                if self.closed or (host_id not in self.view.hosts and not self.replace_dead_hosts):
                    return
                await asyncio.sleep(0.2)
            except Exception as exc:
                died = type(exc).__name__
                break
        if self.closed:
            return
        if died is not None:
            log.warning("host %s died (%s); its objects move to the other hosts", host_id, died)
            with contextlib.suppress(Exception):
                await self.directory.remove.remote(host_id, f"Ray reported it dead ({died})")
        elif await self.directory.removal_reason.remote(host_id) in (None, LEFT):
            return  # It was stopped on purpose (drained), not lost.
        if self.replace_dead_hosts:
            await self._replace(host_id)

    async def _replace(self, host_id: str) -> None:
        """Start a new host process under the id of one that died: by rendezvous hashing it owns what the
        dead host owned, so those objects come back to it from the hosts that took them over."""
        ray = import_ray()
        launch: HostLaunch | None = await self.directory.launch_of.remote(host_id)
        if launch is None:
            log.warning("host %s is not started again: how it was started is not recorded", host_id)
            return
        name = f"{self.name}:{host_id}"
        dead = self.actors.get(host_id)
        if dead is not None:
            # Ray keeps a dead actor's name taken until its handle is killed.
            with contextlib.suppress(Exception):
                ray.kill(dead, no_restart=True)
        for attempt in range(REPLACE_ATTEMPTS):
            if self.closed:
                return
            if attempt:
                await asyncio.sleep(REPLACE_PAUSE)
            if launch.node_id is not None and not any(
                node.get("NodeID") == launch.node_id and node.get("Alive") for node in ray.nodes()
            ):
                log.warning("host %s is not started again: its Ray node left the cluster", host_id)
                return
            if host_id in self.view.hosts:
                return  # Another driver watching the same cluster started it again first.
            try:
                actor = self._launch(host_id, launch)
            except ValueError:
                continue  # Its name is still the dead actor's, or another driver's new one's: look again.
            try:
                info = await actor.start.remote(self._bind_host())
                if self.http is not None:
                    await actor.open_http.remote(0, *self.http, self.drain_timeout)
            except Exception as exc:
                log.warning("host %s could not be started again: %s", host_id, getattr(exc, "cause", None) or exc)
                with contextlib.suppress(Exception):
                    ray.kill(actor, no_restart=True)
                continue
            self.actors[host_id] = actor
            self._watchers.append(asyncio.get_running_loop().create_task(self._watch(host_id, actor)))
            log.warning(
                "host %s started again (pid %d, actor %s): its objects come back to it", host_id, info.pid, name
            )
            return
        log.warning("host %s was not started again after %d attempts", host_id, REPLACE_ATTEMPTS)

    async def _follow_directory(self) -> None:
        while not self.closed:
            try:
                view = await self.directory.wait_change.remote(self.view.version)
            except Exception:
                if self.closed:
                    return
                await asyncio.sleep(0.5)
                continue
            if view.version > self.view.version:
                self.apply_view(view)

    def apply_view(self, view: PlacementView) -> None:
        """Adopt a newer view of the directory (drops connections to hosts that left)."""
        self.view = view
        for host_id in [h for h in self.clients if h not in view.hosts]:
            client = self.clients.pop(host_id)
            closing = asyncio.get_running_loop().create_task(client.close_when_idle())
            self._closing.add(closing)
            closing.add_done_callback(self._closing.discard)
        self._view_changed.set()
        self._view_changed = asyncio.Event()

    async def pin(self, cls: type[DurableObject] | str, name: str, host_id: str | None) -> None:
        """Move the object called `name` to `host_id` (None: back to where hashing puts it).

        Returns once this process routes to the new owner; the old owner evicts the object when it
        sees the change, and the new one takes its lease at its next call.
        """
        if host_id is not None and host_id not in self.view.hosts:
            raise ValueError(f"No live host {host_id!r}; live hosts: {', '.join(sorted(self.view.hosts))}")
        oid = id_from_name(namespace_of(cls), name)
        await self._until_view(await self.directory.pin.remote(oid.namespace, oid.hex, host_id))

    async def place(self, cls: type[DurableObject] | str, name: str, placement: Placement) -> None:
        """Keep the object called `name` on hosts carrying the labels of `placement` (None: its class's hint).

        `placement` is a label such as "region:eu-west" (a Ray custom resource or node label of the
        hosts' nodes) or several, all required. Returns once this process routes by it; the object
        moves at its next call if its host does not match. `PlacementError` if no live host matches.
        """
        required = requirement(placement)
        if required and not any(info.matches(required) for info in self.view.hosts.values()):
            raise PlacementError(
                f"No live host carries {', '.join(required)} (live hosts: {self.view.describe_hosts()}); "
                "start a Ray node with that custom resource or label"
            )
        oid = id_from_name(namespace_of(cls), name)
        await self._until_view(await self.directory.place.remote(oid.namespace, oid.hex, required))

    async def _until_view(self, version: int) -> None:
        async with asyncio.timeout(10):
            while self.view.version < version:
                await self._view_changed.wait()

    async def wait_for_hosts(self, count: int, timeout: float = 10.0) -> None:
        """Wait until the directory lists exactly `count` live hosts (after a death or a join)."""
        async with asyncio.timeout(timeout):
            while len(self.view.hosts) != count:
                await self._view_changed.wait()

    async def close(self, stop_hosts: bool | None = None) -> None:
        """Drain every host (in-flight calls finish, commits flush, files close), then stop Ray if started here.

        `stop_hosts` None stops the hosts only if this `Cluster` started them; False leaves them
        serving (a detached cluster on a joined Ray); True drains them even if another process started them.
        """
        if self.closed:
            return
        self.closed = True
        await self._shutdown(stop_hosts)

    async def _shutdown(self, stop_hosts: bool | None = None) -> None:
        self.closed = True
        if not (stop_hosts if stop_hosts is not None else not self.attached):
            # The hosts belong to the driver that started them: leave them serving.
            await self._disconnect()
            return
        stops = [actor.stop.remote() for host_id, actor in self.actors.items() if host_id in self.view.hosts]
        if stops:
            await asyncio.gather(*stops, return_exceptions=True)
        if not self.ray.local:
            # Detached actors outlive this process unless killed; a local Ray stops with them all.
            ray = import_ray()
            for actor in [*self.actors.values(), self.directory]:
                if actor is not None:
                    with contextlib.suppress(Exception):
                        ray.kill(actor)
        await self._disconnect()

    async def _disconnect(self) -> None:
        for task in [*self._watchers, *([self._follower] if self._follower else [])]:
            task.cancel()
        for client in self.clients.values():
            await client.close()
        self.clients.clear()
        await asyncio.to_thread(self.ray.stop)

    # -- what hosts run where -----------------------------------------------------------------

    def host_pids(self) -> dict[str, int]:
        """Process id of each live host, by host id."""
        return {host_id: info.pid for host_id, info in self.view.hosts.items()}

    def owner(self, cls: type[DurableObject] | str, name: str) -> str:
        """The id of the host that owns the object called `name` now."""
        oid = id_from_name(namespace_of(cls), name)
        return self.view.owner(oid.namespace, oid.hex)

    async def hosts_follow_view(self, timeout: float = 10.0) -> None:
        """Return once every live host routes by a view at least as new as this process's.

        After `place` or `pin`, a call reaching a host whose view is older is refused with a
        `NotOwnerError` ("retry"); waiting here first avoids that.
        """
        version = self.view.version
        async with asyncio.timeout(timeout):
            for host_id in list(self.view.hosts):
                while host_id in self.view.hosts:
                    try:
                        status = await self.request_host(host_id, "status", None)
                    except HostUnavailableError:
                        break  # a host that died routes nothing
                    if status["view_version"] >= version:
                        break
                    await asyncio.sleep(0.05)

    async def request_host(self, host_id: str, kind: str, payload: Any) -> Any:
        """Send one wire request to host `host_id` itself (about what it keeps, not an object it owns)."""
        if not self.started or self.closed:
            raise HostUnavailableError("The cluster is not running: use `async with Cluster(...) as rt:`")
        return await self._client(host_id).request(kind, payload)

    def _client(self, host_id: str) -> WireClient:
        client = self.clients.get(host_id)
        if client is None:
            info = self.view.hosts.get(host_id)
            if info is None:
                raise HostUnavailableError(f"host {host_id} is not in the cluster any more")
            client = self.clients[host_id] = WireClient(info.wire, f"host {host_id}")
        return client

    # -- the Objects methods ------------------------------------------------------------------

    def _class(self, cls: type[DurableObject] | str) -> type[DurableObject]:
        if isinstance(cls, str):
            found = self.classes.get(cls)
            if found is None:
                registered = ", ".join(sorted(self.classes)) or "none"
                raise UnknownClassError(f"Unknown class {cls!r}; registered: {registered}")
            return found
        return cls

    def _id(self, cls: type[DurableObject], name_or_id: str | ObjectId) -> ObjectId:
        return name_or_id if isinstance(name_or_id, ObjectId) else id_from_name(cls, name_or_id)

    def get(self, cls: type[DurableObject] | str, name_or_id: str | ObjectId) -> ClusterStub:
        """A stub for an object of class `cls` (a class, or the name of one given as objects=), by name or id."""
        resolved = self._class(cls)
        return ClusterStub(self, resolved, self._id(resolved, name_or_id))

    async def call(
        self, cls: type[DurableObject] | str, name_or_id: str | ObjectId, method: str, /, *args: Any, **kwargs: Any
    ) -> Any:
        """Call a public method of the object, as one event on its host; arguments and result are copied."""
        resolved = self._class(cls)
        answer = await self.send(resolved, self._id(resolved, name_or_id), "call", (method, args, kwargs))
        return local_answer(answer, self)

    async def run_in(self, cls: type[DurableObject] | str, name_or_id: str | ObjectId, fn: Callable[[Any], Any]) -> Any:
        """Run `fn(obj)` (sync or async) as an event of that object on its host and return its result.

        `fn` travels to the host by value (cloudpickle), so it may be a lambda or a closure.
        """
        resolved = self._class(cls)
        return await self.send(resolved, self._id(resolved, name_or_id), "run_in", (pickled_function(fn),))

    async def fetch(self, cls: type[DurableObject] | str, name_or_id: str | ObjectId, request: Request) -> Response:
        """Deliver `request` to the object's `fetch` on its host; the Response comes back whole."""
        resolved = self._class(cls)
        return await self.send_request(resolved, self._id(resolved, name_or_id), request)

    async def send_request(self, cls: type[DurableObject], oid: ObjectId, request: Request) -> Response:
        """Send `request` to the object's `fetch` on its host; the Response comes back whole."""
        parts = await request_parts(request)
        return response_from_parts(await self.send(cls, oid, "fetch", parts))

    async def accept_websocket(self, cls: type[DurableObject] | str, name_or_id: str | ObjectId, socket: Any) -> None:
        """Serve a WebSocket (a Starlette `WebSocket` not yet accepted) from the object on its host.

        Every message is relayed to the owning host over its connection; if that host dies or
        drains, the client's WebSocket is closed with 1012 (service restart) so it reconnects.
        """
        resolved = self._class(cls)
        oid = self._id(resolved, name_or_id)
        if not self.started or self.closed:
            raise HostUnavailableError("The cluster is not running: use `async with Cluster(...) as rt:`")
        await self._ensure_registered(resolved)
        try:
            client = self._client(self.view.owner(oid.namespace, oid.hex))
        except (HostUnavailableError, LookupError):
            await close_with_restart(socket.send, reason="no live host owns the object")
            return
        payload = (oid.namespace, oid.hex, oid.name, 0, portable_scope(socket.scope))
        await relay_websocket(client, "websocket", payload, socket.receive, socket.send)

    def spawn(self, cls: type[DurableObject] | str, name_or_id: str | ObjectId, fn: Any, /, *args: Any) -> Any:
        """Start `fn(*args)` as one event of the object on its host, in the background; the task's result is `fn`'s.

        Unlike the embedded runtime's `spawn`, `fn` and its arguments are copied to the host (by
        value, with cloudpickle), and so is the result on its way back.
        """
        resolved = self._class(cls)
        oid = self._id(resolved, name_or_id)
        work = self.send(resolved, oid, "run_event", (pickled_function((fn, args)),))
        return asyncio.get_running_loop().create_task(work)

    def live_storage(self, cls: type[DurableObject] | str, name_or_id: str | ObjectId) -> None:
        """None: the cluster's objects live in its host processes, never in this one."""
        self._id(self._class(cls), name_or_id)  # an unknown class or a bad name is still an error
        return None

    async def send(self, cls: type[DurableObject], oid: ObjectId, kind: str, rest: tuple[Any, ...]) -> Any:
        """Send one request about `oid` to its owner (registering its class with the hosts first if new)."""
        if not self.started or self.closed:
            raise HostUnavailableError("The cluster is not running: use `async with Cluster(...) as rt:`")
        await self._ensure_registered(cls)
        attempt = 0
        while True:
            owner = self.view.owner(oid.namespace, oid.hex)
            try:
                return await self._client(owner).request(kind, (oid.namespace, oid.hex, oid.name, 0, *rest))
            except NotOwnerError:
                # Refused before the object ran anything (the views disagree while a host joins, leaves or
                # an object moves): ask again once the views have had a moment to converge.
                attempt += 1
                if attempt >= NOT_OWNER_RETRIES:
                    raise
                await asyncio.sleep(min(0.05 * 2**attempt, 1.0))

    async def _ensure_registered(self, cls: type[DurableObject]) -> None:
        namespace = namespace_of(cls)
        if self.classes.get(namespace) is cls and namespace not in self._registering:
            return
        task = self._registering.get(namespace)
        if task is None:
            self.classes[namespace] = cls
            reference = class_reference(cls)
            task = asyncio.get_running_loop().create_task(self._register_everywhere(cls, reference))
            self._registering[namespace] = task
        await asyncio.shield(task)

    async def _register_everywhere(self, cls: type[DurableObject], reference: str) -> None:
        await asyncio.gather(*(self._client(h).request("register", reference) for h in self.view.hosts))
        namespace = namespace_of(cls)
        required = requirement(getattr(cls, "placement", None))
        if self.view.class_placements.get(namespace, ()) != required:
            await self._until_view(await self.directory.place.remote(namespace, None, required))
