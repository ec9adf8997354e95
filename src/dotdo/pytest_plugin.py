"""dotdo's pytest plugin (entry point `pytest11`): fixtures for testing your objects.

- `manual_clock`: a `ManualClock`; `await manual_clock.advance(seconds)` fires what comes due.
- `dotdo_runtime`: a started `Runtime` on a fresh temporary data folder, driven by `manual_clock`,
  closed after the test.
- `dotdo_client`: an `httpx.AsyncClient` over your app, no sockets. It serves the app your
  `dotdo_app` fixture returns, built on `dotdo_runtime`:

      @pytest.fixture
      def dotdo_app(dotdo_runtime):
          return API(Counter, ns="/:name", runtime=dotdo_runtime)

The async fixtures run under pytest-asyncio (`pip install "dotdo[test]"`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from .primitives.attachments import CTX_ATTACHMENTS
from .runtime.clock import ManualClock
from .runtime.runtime import Runtime

BASE_URL = "http://dotdo.test"


@pytest.fixture
def manual_clock() -> ManualClock:
    """A clock that moves only when the test advances it."""
    return ManualClock()


@pytest_asyncio.fixture
async def dotdo_runtime(tmp_path: Path, manual_clock: ManualClock) -> AsyncIterator[Runtime]:
    """A started runtime on a temporary data folder, on `manual_clock`; closed after the test."""
    runtime = Runtime(data_dir=tmp_path / "dotdo-data", clock=manual_clock)
    runtime.add_defaults(CTX_ATTACHMENTS)
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.close()


@pytest.fixture
def dotdo_app() -> Any:
    """Override this fixture: return your app (`API(MyObject, ..., runtime=dotdo_runtime)`)."""
    raise pytest.UsageError(
        "dotdo_client serves the app your dotdo_app fixture returns: define one, e.g.\n"
        "@pytest.fixture\ndef dotdo_app(dotdo_runtime):\n    return API(MyObject, ns='/:name', runtime=dotdo_runtime)"
    )


@pytest_asyncio.fixture
async def dotdo_client(dotdo_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client that calls `dotdo_app` in process (no sockets)."""
    transport = httpx.ASGITransport(app=dotdo_app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield client
