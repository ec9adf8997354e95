"""Point-in-time restore from the change log: any recorded instant, exactly; damage detected and reported."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from dotdo import DO, Runtime
from dotdo.runtime.ids import id_from_name
from dotdo.runtime.log_format import BookmarkError, CorruptLogError, object_key, parse_bookmark
from dotdo.runtime.log_reader import LogReader, connect_image
from dotdo.runtime.runtime import Runtime as AnyRuntime

State = dict[str, int]


class Notes(DO):
    async def apply(self, ops: list[tuple[str, int | None]]) -> None:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS notes (k TEXT PRIMARY KEY, v INTEGER)")
        for key, value in ops:
            if value is None:
                self.storage.sql.exec("DELETE FROM notes WHERE k = ?", key)
            else:
                self.storage.sql.exec("INSERT OR REPLACE INTO notes VALUES (?, ?)", key, value)

    async def state(self) -> State:
        if not self.storage.table_exists("notes"):
            return {}
        return {r["k"]: r["v"] for r in self.storage.sql.exec("SELECT k, v FROM notes ORDER BY k")}

    async def bookmark_for(self, when: float) -> str:
        return await self.storage.get_bookmark_for_time(when)

    async def current(self) -> str:
        return await self.storage.get_current_bookmark()

    async def restore(self, bookmark: str) -> str:
        return await self.storage.on_next_session_restore_bookmark(bookmark)


def image_state(image: bytes) -> State:
    conn = connect_image(image)
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'notes'").fetchone():
            return {}
        return dict(conn.execute("SELECT k, v FROM notes ORDER BY k").fetchall())
    finally:
        conn.close()


async def record_history(
    rt: AnyRuntime, name: str, writes: int, rng: random.Random, *, file_each: bool = False
) -> list[tuple[float, float, State]]:
    """Random writes; for each, (acknowledged at, next write sent at, the state in between) per an oracle.

    `file_each`: file every write into the object's own log at once (one segment per write).
    """
    oracle: State = {}
    history: list[tuple[float, float, State]] = []
    stub = rt.get(Notes, name)
    acknowledged = time.time()
    for _ in range(writes):
        ops = [(f"k{rng.randrange(30)}", None if rng.random() < 0.25 else rng.randrange(1000)) for _ in range(3)]
        sent = time.time()
        history.append((acknowledged, sent, dict(oracle)))
        await stub.apply(ops)
        acknowledged = time.time()
        if file_each:
            assert rt.change_log is not None
            await rt.change_log.drain()
            await rt.change_log.file_all()
        for key, value in ops:
            if value is None:
                oracle.pop(key, None)
            else:
                oracle[key] = value
    history.append((acknowledged, acknowledged + 3600, dict(oracle)))
    return history


def reader_for(rt: AnyRuntime, name: str) -> LogReader:
    assert rt.change_log is not None
    oid = id_from_name(Notes, name)
    return LogReader(rt.change_log.store, object_key(oid.namespace, oid.hex))


async def test_restore_to_100_random_instants_equals_the_oracle(tmp_path: Path) -> None:
    rng = random.Random(14)
    async with Runtime(tmp_path / "data", objects=[Notes], replicate_to=tmp_path / "log") as rt:
        assert rt.change_log is not None
        rt.change_log.snapshot_every = 40  # several snapshots inside the history
        history = await record_history(rt, "n", 150, rng)
        await rt.change_log.drain()
        assert rt.change_log.stats().snapshots >= 1
        reader = await reader_for(rt, "n").scan()
        for _ in range(100):
            start, end, expected = rng.choice(history)
            instant = rng.uniform(start, end) if end > start else start
            bookmark = await rt.run_in(Notes, "n", lambda obj, t=instant: obj.bookmark_for(t))
            assert image_state(await reader.image_at(parse_bookmark(reader.key, bookmark))) == expected


async def test_a_bookmark_is_restored_at_the_next_activation_and_can_be_undone(tmp_path: Path) -> None:
    log = tmp_path / "log"
    async with Runtime(tmp_path / "data", objects=[Notes], replicate_to=log) as rt:
        notes = rt.get(Notes, "n")
        await notes.apply([("a", 1)])
        first = await notes.current()
        await notes.apply([("a", 2), ("b", 3)])
        undo = await notes.restore(first)
        assert await notes.state() == {"a": 2, "b": 3}  # this session keeps running on the current state
        rt.host.evict(("Notes", id_from_name(Notes, "n").hex))
        assert await notes.state() == {"a": 1}
        await notes.apply([("c", 4)])
        await notes.restore(undo)
    async with Runtime(tmp_path / "elsewhere", objects=[Notes], replicate_to=log) as rt:
        # The next session is on another data folder: the restore comes from the log alone.
        assert await rt.get(Notes, "n").state() == {"a": 2, "b": 3}


async def test_bad_bookmarks_are_refused(tmp_path: Path) -> None:
    async with Runtime(tmp_path / "data", objects=[Notes], replicate_to=tmp_path / "log") as rt:
        await rt.get(Notes, "other").apply([("x", 1)])
        foreign = await rt.get(Notes, "other").current()
        await rt.get(Notes, "n").apply([("a", 1)])
        with pytest.raises(BookmarkError, match="belongs to another object"):
            await rt.get(Notes, "n").restore(foreign)
        with pytest.raises(BookmarkError, match="Malformed bookmark"):
            await rt.get(Notes, "n").restore("yesterday")
        assert await rt.get(Notes, "n").state() == {"a": 1}


async def test_a_corrupt_or_truncated_segment_stops_the_restore_before_it(tmp_path: Path) -> None:
    async with Runtime(tmp_path / "data", objects=[Notes], replicate_to=tmp_path / "log") as rt:
        assert rt.change_log is not None
        history = await record_history(rt, "n", 12, random.Random(3), file_each=True)
        reader = reader_for(rt, "n")
    await reader.scan()
    segments = sorted((tmp_path / "log" / reader.key / "log").iterdir())
    damaged = segments[6]
    first_damaged = (await reader.header(int(damaged.name))).first
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))

    with pytest.raises(CorruptLogError, match=r"checksum.*readable up to commit") as caught:
        await reader.image_at(12)
    good = parse_bookmark(reader.key, caught.value.last_good_bookmark or "")
    assert good == first_damaged - 1
    # Everything before the damage still restores exactly.
    assert image_state(await reader.image_at(good)) == history[good][2]
    damaged.write_bytes(bytes(data[: len(data) // 2]))
    with pytest.raises(CorruptLogError, match=r"truncated|checksum"):
        await reader.image_at(12)


async def test_retention_deletes_only_what_no_retained_instant_needs(tmp_path: Path) -> None:
    async with Runtime(tmp_path / "data", objects=[Notes], replicate_to=tmp_path / "log") as rt:
        assert rt.change_log is not None
        history = await record_history(rt, "n", 45, random.Random(5), file_each=True)
        reader = reader_for(rt, "n")
        await rt.change_log.compact(reader.key, 25)  # a snapshot at commit 25
        await reader.scan()
        assert 25 in reader.snapshots
        cutoff = history[30][1]
        assert await rt.change_log.prune(reader, cutoff) > 0
        reader = await reader.scan()
        for start, end, expected in history[30:]:
            bookmark = await rt.run_in(Notes, "n", lambda obj, t=(start + end) / 2: obj.bookmark_for(t))
            assert image_state(await reader.image_at(parse_bookmark(reader.key, bookmark))) == expected
        with pytest.raises(BookmarkError, match="older than the retained log"):
            await reader.image_at(1)
