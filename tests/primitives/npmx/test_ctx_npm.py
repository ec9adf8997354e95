"""ctx.npm inside an object: packages land in the object's own files; scripts run through ctx.bash."""

from __future__ import annotations

import json

from dotdo import DO
from dotdo.primitives.npmx import Npm
from tests.primitives.npmx.local_registry import LocalRegistry


class Site(DO):
    async def setup(self, registry: str) -> dict:
        await self.ctx.fs.write("/.npmrc", f"registry={registry}\n")
        await self.ctx.npm.install("@fixture/core", "shtool")
        package_json = json.loads(await self.ctx.fs.read("/package.json"))
        package_json["scripts"] = {"hello": "shtool world"}
        await self.ctx.fs.write("/package.json", json.dumps(package_json))
        result = await self.ctx.npm.run("hello")
        return {"listed": sorted((await self.ctx.npm.ls())["dependencies"]), "said": result.stdout}


async def test_ctx_npm_installs_into_the_objects_files_and_runs_scripts(runtime, registry: LocalRegistry) -> None:
    site = runtime.get(Site, "s")
    assert await site.setup(registry.url) == {"listed": ["@fixture/core", "shtool"], "said": "shtool says world\n"}

    async def attached(obj):
        return isinstance(obj.ctx.npm, Npm) and await obj.ctx.fs.exists("/node_modules/@fixture/util/package.json")

    assert await runtime.run_in(Site, "s", attached)
