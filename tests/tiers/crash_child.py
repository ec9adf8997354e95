"""A process that ships (or compacts) in a loop until the test kills it with SIGKILL.

Usage: python crash_child.py DATA_DIR ship|compact
"""

from __future__ import annotations

import asyncio
import sys

from dotdo.tiers import Runtime, TierConfig
from tests.tiers.dataset import Shop, write_dataset

OBJECTS = 3
PER_OBJECT = 60


async def main(data_dir: str, mode: str) -> None:
    config = TierConfig(ship_interval=None, batch_rows=25, compact_min_files=1)
    async with Runtime(data_dir, objects=[Shop], tiers=config) as rt:
        if mode == "ship":
            await write_dataset(rt, Shop, OBJECTS, PER_OBJECT)
            print("ready", flush=True)
            # Ship in small batches, then keep writing and shipping, until killed.
            for round_number in range(1_000_000):
                await rt.ship()
                await rt.run_in(
                    Shop,
                    f"shop{round_number % OBJECTS}",
                    lambda obj, n=round_number: obj.ctx.things.update("t0", amount=n),
                )
        else:
            print("ready", flush=True)
            while True:
                await rt.compact(force=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
