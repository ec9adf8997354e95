"""Health checks of hosts: a paused or stuck host is noticed and removed, and fences itself first.

Ray notices a host whose process or node died, but not one that is paused (SIGSTOP, a VM frozen, a
long stall): its process is alive and its sockets are open. So the directory pings every host every
`period` seconds over a socket the host answers from a thread of its own (an event that holds the
event loop does not make a host look dead, a stopped process does), and removes a host that missed
`failures` checks in a row.

Each ping also renews the host's membership for `grace` seconds, measured on the host from the
moment the ping arrived. That is never longer than the time the directory needs to remove a host,
so a host that was paused stops taking work before (or when) its objects can move: when it
resumes, it refuses every request until a new ping arrives, which never comes once it is removed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import struct
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

log = logging.getLogger("dotdo.cluster")

_PING = struct.Struct(">I")
"""A ping carries the membership grace in milliseconds; the answer is one byte."""


@dataclass(frozen=True)
class HealthChecks:
    """How often the directory pings each host, how long it waits for an answer, and after how many
    missed checks in a row it removes the host: a paused host is removed `(failures - 1) * period +
    timeout` seconds or more after its last answer (Ray itself notices dead processes sooner). The
    defaults (3.5 s or more) leave room for a loaded machine: a removed host does not come back."""

    period: float = 0.5
    timeout: float = 2.0
    failures: int = 4

    def __post_init__(self) -> None:
        if self.period <= 0 or self.timeout <= 0 or self.failures < 2:
            raise ValueError(
                f"Health checks need a positive period and timeout and at least two failures, not {self!r}"
            )

    @property
    def grace(self) -> float:
        """Seconds a ping keeps a host a member, counted from its arrival.

        A ping arrives after its check starts; the check it belongs to may itself be the first of
        the `failures` missed ones (answered too late), and the last of them starts at least
        `(failures - 1) * period` after it and waits `timeout`: so the host stops before it is removed.
        A ping the directory stopped waiting for (its connection closed) renews nothing.
        """
        return (self.failures - 1) * self.period


class LivenessResponder:
    """The host's side: answers pings from a thread and knows until when its membership holds."""

    def __init__(self) -> None:
        self.address: tuple[str, int] | None = None
        self._listener: socket.socket | None = None
        self._valid_until = 0.0
        self._grace = 0.0
        self._renewed = threading.Event()
        self._closed = False

    def start(self, bind_host: str) -> tuple[str, int]:
        """Listen on a free port of `bind_host` and answer from a daemon thread; returns the address."""
        listener = socket.socket(socket.AF_INET6 if ":" in bind_host else socket.AF_INET, socket.SOCK_STREAM)
        listener.bind((bind_host, 0))
        listener.listen(16)
        self._listener = listener
        host, port = listener.getsockname()[:2]
        self.address = (host, port)
        threading.Thread(target=self._accept, name="dotdo-liveness", daemon=True).start()
        return host, port

    def _accept(self) -> None:
        listener = self._listener
        assert listener is not None
        while not self._closed:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), name="dotdo-liveness-peer", daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            while not self._closed:
                try:
                    data = conn.recv(_PING.size, socket.MSG_WAITALL)
                except OSError:
                    return
                if len(data) < _PING.size:
                    return
                if _closed_by_peer(conn):
                    # The directory gave up waiting for this ping's answer (it was queued while this
                    # process was paused): it vouches for nothing now.
                    return
                (grace_ms,) = _PING.unpack(data)
                self._grace = grace_ms / 1000
                self._valid_until = time.monotonic() + self._grace
                self._renewed.set()
                try:
                    conn.sendall(b"\x01")
                except OSError:
                    return

    def member(self) -> bool:
        """Whether the last ping still vouches for this host (False before the first one)."""
        return time.monotonic() < self._valid_until

    def renew(self, asked_at: float) -> None:
        """The directory confirmed this host (`LivenessMonitor.vouch`) in answer to a question sent at
        `asked_at` (`time.monotonic()`): as good as a ping that arrived then."""
        if not self._closed:
            self._valid_until = max(self._valid_until, asked_at + self._grace)

    async def first_ping(self, timeout: float) -> None:
        """Wait for the directory's first ping (`TimeoutError` after `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        while not self._renewed.is_set():
            if time.monotonic() > deadline:
                raise TimeoutError(f"no health check reached this host within {timeout:g} s")
            await asyncio.sleep(0.01)

    def close(self) -> None:
        """Stop answering (the directory then counts missed checks, unless the host left it first)."""
        self._closed = True
        self._valid_until = 0.0
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()


def _closed_by_peer(conn: socket.socket) -> bool:
    """Whether the peer already closed its end (the data read so far was its last)."""
    try:
        return conn.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


class LivenessMonitor:
    """The directory's side: pings each watched host and reports the ones that stop answering."""

    def __init__(self, checks: HealthChecks, on_dead: Callable[[str, str], Awaitable[object]]) -> None:
        self.checks = checks
        self.on_dead = on_dead
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._missed: dict[str, int] = {}

    def watch(self, host_id: str, address: tuple[str, int]) -> None:
        """Start checking `host_id` at `address` (again, if it registered anew)."""
        self.forget(host_id)
        self._tasks[host_id] = asyncio.get_running_loop().create_task(self._check(host_id, address))

    def vouch(self, host_id: str) -> bool:
        """The host asked whether it is still a member (its pings were late): it is alive, so its
        missed checks start again from zero. False if it is not checked (removed, or never was)."""
        if host_id not in self._tasks:
            return False
        self._missed[host_id] = 0
        return True

    def forget(self, host_id: str) -> None:
        """Stop checking `host_id` (it left or was removed)."""
        self._missed.pop(host_id, None)
        task = self._tasks.pop(host_id, None)
        if task is not None:
            task.cancel()

    async def _check(self, host_id: str, address: tuple[str, int]) -> None:
        checks = self.checks
        ping = _PING.pack(int(checks.grace * 1000))
        self._missed[host_id] = 0
        reader: asyncio.StreamReader | None = None
        writer: asyncio.StreamWriter | None = None
        last_error = ""
        try:
            while True:
                started = time.monotonic()
                try:
                    async with asyncio.timeout(checks.timeout):
                        if writer is None:
                            reader, writer = await asyncio.open_connection(*address)
                        assert reader is not None
                        writer.write(ping)
                        await reader.readexactly(1)
                    self._missed[host_id] = 0
                except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
                    missed = self._missed[host_id] = self._missed.get(host_id, 0) + 1
                    last_error = type(exc).__name__ if isinstance(exc, TimeoutError) else str(exc) or type(exc).__name__
                    if writer is not None:
                        writer.close()
                    reader = writer = None
                    if missed >= checks.failures:
                        reason = f"missed {missed} health checks in a row (last: {last_error})"
                        log.warning("host %s %s: removing it from the cluster", host_id, reason)
                        self._tasks.pop(host_id, None)
                        self._missed.pop(host_id, None)
                        await self.on_dead(host_id, reason)
                        return
                await asyncio.sleep(max(0.0, checks.period - (time.monotonic() - started)))
        finally:
            if writer is not None:
                writer.close()
