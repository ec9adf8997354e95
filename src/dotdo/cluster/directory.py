"""The cluster's directory: live hosts and pinned objects, kept in a named Ray actor.

Hosts register when they start and are removed when they leave or die (the cluster's watcher
asks Ray); every change makes a new version. Hosts and drivers follow the versions by long-polling
`wait_change`, so a change reaches them in one actor call, and per-request placement is computed
locally from the view they hold.
"""

from __future__ import annotations

import asyncio

from .placement import HostInfo, PlacementView


class Directory:
    """The directory's state and operations; run as a Ray actor (`ray.remote(Directory)`)."""

    def __init__(self) -> None:
        self._view = PlacementView()
        self._changed: asyncio.Event | None = None

    def _publish(self, view: PlacementView) -> int:
        self._view = view
        if self._changed is not None:
            self._changed.set()
            self._changed = None
        return view.version

    async def register(self, info: HostInfo) -> int:
        """Add (or update) a live host; returns the new version."""
        hosts = {**self._view.hosts, info.host_id: info}
        return self._publish(PlacementView(self._view.version + 1, hosts, self._view.pins))

    async def remove(self, host_id: str) -> int:
        """Remove a host that left or died (its objects move to the others); returns the version."""
        if host_id not in self._view.hosts:
            return self._view.version
        hosts = {k: v for k, v in self._view.hosts.items() if k != host_id}
        return self._publish(PlacementView(self._view.version + 1, hosts, self._view.pins))

    async def pin(self, namespace: str, hex_id: str, host_id: str | None) -> int:
        """Place one object on `host_id` whatever the hashing says (None: unpin it)."""
        pins = dict(self._view.pins)
        if host_id is None:
            pins.pop((namespace, hex_id), None)
        else:
            pins[(namespace, hex_id)] = host_id
        return self._publish(PlacementView(self._view.version + 1, self._view.hosts, pins))

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
