"""Fixtures shared by every test folder."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from dotdo import Runtime
from dotdo.testing import ManualClock

# CI replays the same examples every run (a red CI should mean a change broke something); a local run
# explores new ones. HYPOTHESIS_PROFILE=explore in CI, or =ci locally, switches.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "explore"))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def clock() -> ManualClock:
    """A manual clock starting at a fixed instant (2023-11-14T22:13:20Z)."""
    return ManualClock(1_700_000_000.0)


@pytest.fixture
async def runtime(tmp_path: Path, clock: ManualClock) -> AsyncIterator[Runtime]:
    """A started runtime on a temporary data folder, driven by the manual clock."""
    async with Runtime(data_dir=tmp_path / "data", clock=clock) as rt:
        yield rt


@contextlib.asynccontextmanager
async def serving(app: Any, *, lifespan: str = "on") -> AsyncIterator[str]:
    """Serve an ASGI app with uvicorn on a free 127.0.0.1 port in this event loop; yields `host:port`."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan=lifespan)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@pytest.fixture(scope="session")
def js_peer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the Cap'n Web interop peer's scripts (`tests/rpc/js/*.mjs`) and its npm packages installed."""
    from tests.rpc.js_peer import PeerUnavailable, prepare_peer

    try:
        return prepare_peer(tmp_path_factory.mktemp("capnweb") / "peer")
    except PeerUnavailable as error:
        pytest.fail(str(error))
