"""One read replica brought forward from the log: the whole database once, then only the pages commits change."""

from __future__ import annotations

from pathlib import Path

from dotdo import DO, Runtime
from dotdo.cluster.location import normalize_location
from dotdo.cluster.replica import ObjectReplica
from dotdo.runtime.ids import id_from_name
from dotdo.runtime.log_format import object_key
from dotdo.runtime.log_reader import LogReader


class Notes(DO):
    async def write(self, first: int, count: int) -> None:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT)")
        for i in range(first, first + count):
            self.storage.sql.exec("INSERT OR REPLACE INTO notes VALUES (?, ?)", i, f"note {i} " * 200)

    async def forget(self, below: int) -> None:
        self.storage.sql.exec("DELETE FROM notes WHERE id < ?", below)


SUMMARY = "SELECT count(*), coalesce(sum(length(body)), 0), min(id), max(id) FROM notes"


async def test_a_replica_applies_only_new_commits_to_its_file_and_matches_the_log_at_each_step(
    tmp_path: Path,
) -> None:
    async with Runtime(tmp_path / "primary", objects=[Notes], durability="replicated") as rt:
        assert rt.change_log is not None
        replica = ObjectReplica(rt.change_log.store, "Notes", "n", normalize_location("eu-west"), tmp_path / "replicas")
        notes = rt.get(Notes, "n")
        await notes.write(0, 300)
        assert await replica.catch_up() == replica.head
        assert replica.query(SUMMARY)[0][0] == 300
        built = replica.path.stat().st_ino
        for step in range(3):
            await notes.write(300 + step * 50, 50)  # grows the file
            await replica.catch_up()
            assert replica.query(SUMMARY)[0][0] == 350 + step * 50
        await notes.forget(200)
        await replica.catch_up()
        count, _size, first, last = replica.query(SUMMARY)[0]
        assert (count, first, last) == (250, 200, 449)
        assert replica.path.stat().st_ino == built, "brought forward in place, not rewritten"
        samples = replica.lag_samples()  # one per catch-up that applied commits
        assert len(samples) == 5 and all(sample >= 0 for sample in samples)
        # Byte for byte the database the log rebuilds at that commit (its journal mode as the log has it).
        reader = await LogReader(rt.change_log.store, object_key("Notes", id_from_name("Notes", "n").hex)).scan()
        assert replica.image == await reader.image_at(replica.applied)
        replica.close()
