"""Fixtures of the tier tests: a runtime with a warehouse in a temporary data folder."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from dotdo.tiers import Runtime, TierConfig
from tests.tiers.dataset import Shop


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    async with Runtime(tmp_path / "data", objects=[Shop], tiers=TierConfig(ship_interval=None)) as rt:
        yield rt
