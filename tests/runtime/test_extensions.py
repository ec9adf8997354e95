"""One registry extends the runtime: timer kinds and ctx attachments declared on a class (added to
its bases') or given to the runtime, fired and built without any registration by import."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dotdo import DO, Runtime
from dotdo.primitives.attachments import CTX_ATTACHMENTS
from dotdo.runtime.extensions import Extensions, declared_extensions
from dotdo.runtime.runtime import Runtime as BaseRuntime
from dotdo.testing import ManualClock

T0 = 1_700_000_000.0
RING = "tests.ring"
CHIME = "tests.chime"


async def _ring(obj: Bell, timer) -> None:
    obj.storage.put("heard", [*(obj.storage.get("heard") or []), f"ring:{timer.payload}"])


async def _chime(obj: Bell, timer) -> None:
    obj.storage.put("heard", [*(obj.storage.get("heard") or []), f"chime:{timer.payload}"])


class Bell(DO):
    extensions = Extensions(timer_kinds={RING: _ring}, attachments={"greeter": lambda ctx: f"hello from {ctx.name}"})

    async def plan(self, kind: str, when: float, payload: str) -> None:
        self.storage.timers.set(f"{kind}:{payload}", when, kind=kind, payload=payload)

    def heard(self) -> list[str]:
        return self.storage.get("heard") or []

    def greeting(self) -> str:
        return self.ctx.greeter


class ChimingBell(Bell):
    extensions = Extensions(timer_kinds={CHIME: _chime})


def test_a_class_adds_to_what_its_bases_declare() -> None:
    kinds = declared_extensions(ChimingBell).timer_kinds
    assert {"alarm", "dotdo.schedule", RING, CHIME} <= set(kinds)
    assert kinds[CHIME] is _chime
    assert CHIME not in declared_extensions(Bell).timer_kinds
    assert "greeter" in declared_extensions(ChimingBell).attachments


NOTES_DDL = "CREATE TABLE IF NOT EXISTS notes (text TEXT)"
PAGES_DDL = "CREATE TABLE IF NOT EXISTS pages (n INTEGER)"


class Notebook(DO):
    extensions = Extensions(tables=[NOTES_DDL])

    def add(self, text: str) -> list[str]:
        # Written without creating the table: every new Notebook's database starts with it.
        self.storage.sql.exec("INSERT INTO notes VALUES (?)", text)
        return [row["text"] for row in self.storage.sql.exec("SELECT text FROM notes")]


class PagedNotebook(Notebook):
    extensions = Extensions(tables=[NOTES_DDL, PAGES_DDL])

    def pages(self) -> int:
        return self.storage.sql.exec("SELECT count(*) AS n FROM pages").one()["n"]


def test_tables_are_added_to_the_bases_each_once() -> None:
    assert declared_extensions(PagedNotebook).tables == (NOTES_DDL, PAGES_DDL)
    assert declared_extensions(Notebook).tables == (NOTES_DDL,)
    assert declared_extensions(Bell).tables == ()


async def test_a_new_object_of_a_class_with_tables_starts_with_them(tmp_path) -> None:
    async with Runtime(tmp_path, objects=[Notebook, PagedNotebook]) as rt:
        assert await rt.get(Notebook, "a").add("first") == ["first"]
        assert await rt.get(Notebook, "a").add("second") == ["first", "second"]
        assert await rt.get(PagedNotebook, "b").add("only") == ["only"]
        assert await rt.get(PagedNotebook, "b").pages() == 0
    async with Runtime(tmp_path, objects=[Notebook]) as rt:
        assert await rt.get(Notebook, "a").add("after a restart") == ["first", "second", "after a restart"]


async def test_timer_kinds_declared_on_classes_fire_in_their_objects(tmp_path) -> None:
    clock = ManualClock(T0)
    async with Runtime(tmp_path, objects=[Bell, ChimingBell], clock=clock) as rt:
        await rt.get(ChimingBell, "c").plan(RING, T0 + 5, "one")
        await rt.get(ChimingBell, "c").plan(CHIME, T0 + 10, "two")
        await rt.get(Bell, "b").plan(RING, T0 + 5, "three")
        await clock.advance(20)
        assert await rt.get(ChimingBell, "c").heard() == ["ring:one", "chime:two"]
        assert await rt.get(Bell, "b").heard() == ["ring:three"]


async def test_a_kind_the_class_does_not_declare_waits_for_the_runtime_to_know_it(tmp_path) -> None:
    clock = ManualClock(T0)
    async with Runtime(tmp_path, objects=[Bell], clock=clock) as rt:
        await rt.get(Bell, "b").plan(CHIME, T0 + 5, "late")
        await clock.advance(20)
        assert await rt.get(Bell, "b").heard() == []
    chimes = Extensions(timer_kinds={CHIME: _chime})
    async with Runtime(tmp_path, objects=[Bell], clock=ManualClock(T0 + 3600), extensions=chimes) as rt:
        assert await rt.get(Bell, "b").heard() == ["chime:late"]
        assert rt.extensions_for(Bell).timer_kinds[CHIME] is _chime


async def test_ctx_attachments_come_from_the_registry(tmp_path) -> None:
    shout = Extensions(attachments={"greeter": lambda ctx: f"HELLO FROM {ctx.name.upper()}"})
    async with Runtime(tmp_path / "a", objects=[Bell]) as rt:
        assert await rt.get(Bell, "b").greeting() == "hello from b"
    async with Runtime(tmp_path / "b", objects=[Bell], extensions=shout) as rt:
        assert await rt.get(Bell, "b").greeting() == "HELLO FROM B"


class OwnFiles(DO):
    extensions = Extensions(attachments={"fs": lambda ctx: f"files of {ctx.name}"})

    def files(self) -> str:
        return self.ctx.fs


async def test_a_class_replaces_a_default_attachment_and_a_bare_runtime_has_none(tmp_path) -> None:
    async with Runtime(tmp_path / "a", objects=[OwnFiles, Bell]) as rt:
        assert await rt.get(OwnFiles, "o").files() == "files of o"
        assert await rt.run_in(Bell, "b", lambda obj: type(obj.ctx.things).__name__) == "Things"
    async with BaseRuntime(tmp_path / "b", objects=[Bell]) as rt:
        with pytest.raises(AttributeError, match=r"ctx has no attribute 'fs'; attachments: greeter"):
            await rt.run_in(Bell, "b", lambda obj: obj.ctx.fs)
        rt.add_defaults(CTX_ATTACHMENTS)
        assert await rt.run_in(Bell, "b", lambda obj: type(obj.ctx.fs).__name__) == "FileSystem"


def test_importing_dotdo_loads_no_primitive() -> None:
    code = (
        "import sys, dotdo, dotdo.primitives.attachments; "
        "print(sorted(m for m in sys.modules if m.split('.')[:3] in (['dotdo', 'primitives', 'fsx'], "
        "['dotdo', 'primitives', 'gitx'], ['dotdo', 'primitives', 'bashx'])))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"
