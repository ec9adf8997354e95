"""The manual clock: one jump is a server that was down (missed ticks follow `missed=`), `step=`
moves time as if it had been up, firing every tick."""

from datetime import UTC, datetime

import pytest

from dotdo import Runtime
from dotdo.context import DO, every
from dotdo.testing import ManualClock


class Hourly(DO):
    @every.hour
    def tick(self) -> None:
        self.storage.put("ticks", (self.storage.get("ticks") or 0) + 1)

    def ticks(self) -> int:
        return self.storage.get("ticks") or 0


@pytest.mark.parametrize(("step", "ticks"), [(None, 1), (60, 2), (3600, 2)])
async def test_an_hourly_schedule_over_two_hours(tmp_path, step, ticks) -> None:
    clock = ManualClock(datetime(2026, 3, 2, 8, 0, 30, tzinfo=UTC))
    async with Runtime(tmp_path / "d", objects=[Hourly], clock=clock) as rt:
        assert await rt.get(Hourly, "h").ticks() == 0
        await clock.advance(7201, step=step)
        assert await rt.get(Hourly, "h").ticks() == ticks
        assert clock.now() == datetime(2026, 3, 2, 10, 0, 31, tzinfo=UTC).timestamp()


async def test_step_must_be_positive() -> None:
    with pytest.raises(ValueError, match="step must be a positive number"):
        await ManualClock().advance(10, step=0)
