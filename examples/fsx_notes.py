"""A notes app on fsx: each object keeps its notes as files in its own SQLite-backed filesystem.

Run: `python examples/fsx_notes.py`. It creates a throwaway object storage, writes notes and an
index, searches them with glob, moves one to an archive atomically, writes a CSV report that
pandas reads back through the `dotdo://` fsspec protocol, and shows the tiers at work.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path

from dotdo.primitives.fsx import FileSystem
from dotdo.runtime.storage import Storage


class Notebook:
    """Notes as Markdown files under /notes, an index as JSON, an archive folder."""

    def __init__(self, fs: FileSystem) -> None:
        self.fs = fs

    async def add(self, slug: str, title: str, body: str, *, tags: list[str]) -> None:
        await self.fs.mkdir("/notes", parents=True, exist_ok=True)
        await self.fs.write(f"/notes/{slug}.md", f"# {title}\n\n{body}\n")
        index = await self.fs.read_json("/index.json") if await self.fs.exists("/index.json") else {}
        index[slug] = {"title": title, "tags": tags}
        await self.fs.write("/index.json", index)

    async def archive(self, slug: str) -> None:
        await self.fs.mkdir("/archive", exist_ok=True)
        await self.fs.rename(f"/notes/{slug}.md", f"/archive/{slug}.md")

    async def search(self, word: str) -> list[str]:
        hits = []
        for path in await self.fs.glob("**/*.md"):
            if word.lower() in (await self.fs.read_text(path)).lower():
                hits.append(path)
        return hits


async def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="fsx-notes-"))
    storage = Storage(folder / "notebook.sqlite")
    fs = FileSystem(storage, warm_threshold=64 * 1024, cold_after=30 * 24 * 3600)
    notes = Notebook(fs)

    await notes.add("groceries", "Groceries", "Milk, eggs, coffee.", tags=["home"])
    await notes.add("ideas", "Ideas", "A filesystem in SQLite, with coffee.", tags=["work"])
    await notes.add("trip", "Trip", "Pack the camera.", tags=["travel"])
    await notes.archive("groceries")

    print("notes:", await fs.listdir("/notes"), "archive:", await fs.listdir("/archive"))
    print("mentions of coffee:", await notes.search("coffee"))
    print("index:", await fs.read_json("/index.json"))

    async with fs.open("/notes/ideas.md", "ab") as handle:
        await handle.awrite(b"\n- tier big files to an object store\n")
    print((await fs.read_text("/notes/ideas.md")).strip().splitlines()[-1])

    await fs.mkdir("/photos")
    await fs.write("/photos/camera.raw", bytes(200_000))
    print("usage:", await fs.usage())

    import pandas as pd

    import dotdo.primitives.fsx.fsspec_adapter  # noqa: F401  (registers dotdo://)

    index = await fs.read_json("/index.json")
    report = pd.DataFrame([{"slug": slug, **meta} for slug, meta in index.items()])
    report.to_csv("dotdo://reports/index.csv", index=False, storage_options={"fs": fs})
    print(pd.read_csv("dotdo://reports/index.csv", storage_options={"fs": fs}))

    async for top, dirs, files in fs.walk("/"):
        print(f"{top:<10} dirs={dirs} files={files}")
    storage.close()
    shutil.rmtree(folder)


if __name__ == "__main__":
    asyncio.run(main())
