"""The cluster's directory: live hosts, pinned objects and placement hints, kept in a named Ray actor.

Hosts register when they start and are removed when they leave, die (the cluster's watcher asks
Ray) or miss their health checks (the directory pings them: `liveness.py`); every change makes a
new version. Hosts and drivers follow the versions by long-polling `wait_change`, so a change
reaches them in one actor call, and per-request placement is computed locally from the view they
hold. When the cluster joins a running Ray, the directory is a detached actor: it outlives the
driver that started it, and the next driver finds it (and the hosts it lists) by name.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
from typing import Any

from .liveness import HealthChecks, LivenessMonitor
from .placement import HostInfo, PlacementView

LEFT = "it left"
"""The removal reason of a host that stopped on purpose (drained), as opposed to one that was lost."""


@dataclasses.dataclass(frozen=True)
class HostLaunch:
    """How a host was started: its Ray node (None: wherever Ray spreads it) and the arguments of its
    actor, kept so that a host that died can be started again, with the same id, by any driver."""

    node_id: str | None
    args: tuple[Any, ...]
    options: dict[str, Any]


class Directory:
    """The directory's state and operations; run as a Ray actor (`ray.remote(Directory)`)."""

    def __init__(self, health_checks: HealthChecks | None = None) -> None:
        self._view = PlacementView()
        self._changed: asyncio.Event | None = None
        self._monitor = LivenessMonitor(health_checks, self._remove_unhealthy) if health_checks else None
        self.removed: dict[str, str] = {}
        """Why each host that left was removed, by host id."""
        self.launches: dict[str, HostLaunch] = {}
        """How each host of the cluster was started, by host id."""

    def _publish(self, view: PlacementView) -> int:
        self._view = view
        if self._changed is not None:
            self._changed.set()
            self._changed = None
        return view.version

    def _with(self, **changes: Any) -> PlacementView:
        return dataclasses.replace(self._view, version=self._view.version + 1, **changes)

    async def register(self, info: HostInfo) -> int:
        """Add (or update) a live host and start checking its health; returns the new version."""
        self.removed.pop(info.host_id, None)
        if self._monitor is not None and info.liveness is not None:
            self._monitor.watch(info.host_id, info.liveness)
        return self._publish(self._with(hosts={**self._view.hosts, info.host_id: info}))

    async def remove(self, host_id: str, reason: str = LEFT) -> int:
        """Remove a host that left, died or stopped answering (its objects move to the others)."""
        if self._monitor is not None:
            self._monitor.forget(host_id)
        if host_id not in self._view.hosts:
            return self._view.version
        self.removed[host_id] = reason
        hosts = {k: v for k, v in self._view.hosts.items() if k != host_id}
        return self._publish(self._with(hosts=hosts))

    async def _remove_unhealthy(self, host_id: str, reason: str) -> None:
        await self.remove(host_id, reason)

    async def record_launch(self, host_id: str, launch: HostLaunch) -> None:
        """Remember how `host_id` was started (for `launch_of`)."""
        self.launches[host_id] = launch

    async def launch_of(self, host_id: str) -> HostLaunch | None:
        """How `host_id` was started (None if it was not recorded)."""
        return self.launches.get(host_id)

    async def confirm(self, host_id: str) -> bool:
        """Whether `host_id` is still a live, checked member; asking proves it alive (its missed checks reset)."""
        if host_id not in self._view.hosts:
            return False
        return self._monitor is None or self._monitor.vouch(host_id)

    async def pid(self) -> int:
        """The directory's process id."""
        return os.getpid()

    async def departed(self) -> dict[str, str]:
        """The hosts that left or were removed, with why."""
        return dict(self.removed)

    async def removal_reason(self, host_id: str) -> str | None:
        """Why `host_id` was removed (None if it is live or unknown)."""
        return self.removed.get(host_id)

    async def pin(self, namespace: str, hex_id: str, host_id: str | None) -> int:
        """Place one object on `host_id` whatever the hashing says (None: unpin it)."""
        pins = dict(self._view.pins)
        if host_id is None:
            pins.pop((namespace, hex_id), None)
        else:
            pins[(namespace, hex_id)] = host_id
        return self._publish(self._with(pins=pins))

    async def place(self, namespace: str, hex_id: str | None, required: tuple[str, ...]) -> int:
        """Set the placement hint of a class (`hex_id` None) or of one object; `()` clears it."""
        if hex_id is None:
            if self._view.class_placements.get(namespace, ()) == required:
                return self._view.version
            classes = {k: v for k, v in self._view.class_placements.items() if k != namespace}
            if required:
                classes[namespace] = required
            return self._publish(self._with(class_placements=classes))
        objects = {k: v for k, v in self._view.object_placements.items() if k != (namespace, hex_id)}
        if required:
            objects[(namespace, hex_id)] = required
        return self._publish(self._with(object_placements=objects))

    async def view(self) -> PlacementView:
        """The current view."""
        return self._view

    async def wait_change(self, seen: int, timeout: float = 30.0) -> PlacementView:
        """The view once its version is past `seen` (or the current one after `timeout` seconds)."""
        if self._view.version > seen:
            return self._view
        if self._changed is None:
            self._changed = asyncio.Event()
        event = self._changed
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            pass
        return self._view
