"""npm inside an object: install packages into the object's own files, run a script, reinstall with ci.

Run: `python examples/npmx_project.py` (it installs from npm's public registry; set
`DOTDO_EXAMPLE_REGISTRY` to use another, such as a local verdaccio). It installs two small
packages into a throwaway object's filesystem, lists them, runs a package.json script through
bashx, then wipes node_modules and reinstalls exactly the lockfile with ci, from the shared
tarball cache.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from pathlib import Path

from dotdo.primitives.bashx import Bash
from dotdo.primitives.blob_store import BlobStore
from dotdo.primitives.fsx import FileSystem
from dotdo.primitives.npmx import Npm, TarballCache
from dotdo.runtime.storage import Storage


async def main() -> None:
    registry = os.environ.get("DOTDO_EXAMPLE_REGISTRY", "https://registry.npmjs.org/")
    with tempfile.TemporaryDirectory() as folder:
        fs = FileSystem(Storage(Path(folder) / "site.sqlite"))
        await fs.write("/.npmrc", f"registry={registry}\n")
        cache = TarballCache(BlobStore(Path(folder) / "tarballs"))  # shared by every object that uses it
        npm = Npm(fs, bash=Bash(fs), cache=cache)

        installed = await npm.install("is-number@^7.0.0", "left-pad")
        print("installed:", installed.packages)
        print("package.json dependencies:", json.loads(await fs.read("/package.json"))["dependencies"])
        lock = json.loads(await fs.read("/package-lock.json"))
        print(
            "lockfileVersion",
            lock["lockfileVersion"],
            "integrity",
            lock["packages"]["node_modules/left-pad"]["integrity"][:15],
        )

        package_json = json.loads(await fs.read("/package.json"))
        package_json["scripts"] = {"prereport": "echo checking", "report": "ls node_modules | sort | tr '\\n' ' '"}
        await fs.write("/package.json", json.dumps(package_json, indent=2))
        ran = await npm.run("report")
        print("npm run report:", ran.scripts, "->", ran.stdout.split())

        await fs.rm("/node_modules", recursive=True)
        again = await npm.ci()
        print(
            "ci reinstalled", len(again.packages), "packages,", again.downloaded, "downloaded (the rest from the cache)"
        )
        print("ls:", {name: entry["version"] for name, entry in (await npm.ls())["dependencies"].items()})


if __name__ == "__main__":
    asyncio.run(main())
