"""A host's alarm index copied into the change log's store, and adopted from there when its folder is gone."""

import shutil
from pathlib import Path

from dotdo import DO, AlarmInfo, Runtime
from dotdo.cluster.host import ClusterHost
from dotdo.cluster.placement import HostInfo, PlacementView
from dotdo.cluster.published_alarms import AlarmPublisher, published_name, read_published_alarms
from dotdo.runtime.log_store import LogStore
from dotdo.testing import ManualClock

T0 = 1_700_000_000.0


class Reminder(DO):
    async def arm(self, when: float) -> None:
        self.storage.set_alarm(when)

    async def disarm(self) -> None:
        self.storage.delete_alarm()

    async def alarm(self, info: AlarmInfo) -> None:
        self.storage.put("fired", (self.storage.get("fired") or 0) + 1)

    async def fired(self) -> int:
        return self.storage.get("fired") or 0


async def test_a_survivor_fires_the_alarms_of_a_host_whose_folder_died_with_it(tmp_path: Path) -> None:
    log, clock = tmp_path / "log", ManualClock(T0)
    folder = tmp_path / "hosts" / "host-1"
    async with Runtime(folder, objects=[Reminder], replicate_to=log, clock=clock) as departed:
        assert departed.alarms is not None and departed.change_log is not None
        copy = AlarmPublisher(departed.alarms, departed.change_log.store, published_name("web", "host-1"))
        copy.start()
        for i in range(5):
            await departed.get(Reminder, f"r{i}").arm(T0 + 60)
        await departed.get(Reminder, "r4").disarm()
        await copy.close()
    shutil.rmtree(folder)  # the host's disk is gone with it: only the store remains

    survivor = ClusterHost("host-0", str(tmp_path), "probe", None, classes=[], import_paths=[], cluster_name="web")
    survivor.view = PlacementView(1, {"host-0": HostInfo("host-0", ("127.0.0.1", 7000), 1)})
    async with Runtime(tmp_path / "hosts" / "host-0", objects=[Reminder], replicate_to=log, clock=clock) as runtime:
        survivor.runtime = runtime
        assert await survivor.adopt_alarms("host-1") == 4
        await clock.advance(60)  # nothing called the objects: their alarms fire from the adopted index
        assert [await runtime.get(Reminder, f"r{i}").fired() for i in range(5)] == [1, 1, 1, 1, 0]


async def test_a_missing_or_unreadable_copy_adopts_nothing(tmp_path: Path) -> None:
    store = LogStore.open(tmp_path / "log")
    assert await read_published_alarms(store, published_name("web", "host-9")) == []
    await store.put(published_name("web", "host-9"), b"{not json")
    assert await read_published_alarms(store, published_name("web", "host-9")) == []
    await store.put(published_name("web", "host-9"), b'[["Reminder", "ab", null]]')
    assert await read_published_alarms(store, published_name("web", "host-9")) == [("Reminder", "ab", None)]
