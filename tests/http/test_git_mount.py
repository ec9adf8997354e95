"""An object's gitx repository at `<object>/repo.git`: the real git clones it and pushes to it."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from starlette.requests import HTTPConnection
from starlette.responses import PlainTextResponse

from dotdo import API, DO
from tests.conftest import serving


class Repo(DO):
    async def fetch(self, request):
        if request.url.path == "/init":
            git = self.ctx.git
            await git.init()
            await self.ctx.fs.write("/README.md", f"# {self.name}\n".encode())
            await git.add("README.md")
            return {"sha": await git.commit("Initial commit", author="Ada <ada@example.com>")}
        if request.url.path == "/readme":
            return PlainTextResponse((await self.ctx.git.show("main:README.md")).decode())
        return PlainTextResponse(f"fetch {request.url.path}")


@contextlib.asynccontextmanager
async def served(app: object) -> AsyncIterator[str]:
    async with serving(app, lifespan="off") as address:
        yield f"http://{address}"


async def git(*args: str, cwd: Path | None = None, home: Path) -> tuple[int, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_AUTHOR_NAME": "T",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "T",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    proc = await asyncio.create_subprocess_exec(
        "git", *args, cwd=cwd, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await proc.communicate()
    return proc.returncode or 0, out.decode()


async def test_clone_and_push_through_the_object_route(tmp_path: Path) -> None:
    def auth(connection: HTTPConnection, name: str | None) -> bool:
        pushing = "git-receive-pack" in connection.url.path or "git-receive-pack" in connection.url.query
        return not pushing or connection.headers.get("authorization") == "Basic dTpw"  # u:p

    app = API(Repo, ns="/:name", data_dir=tmp_path / "data", auth=auth)
    async with served(app) as base:
        async with httpx.AsyncClient(base_url=base) as http:
            # Without a repository the path falls through to the object's fetch.
            assert (await http.get("/acme/repo.git/info/refs")).text == "fetch /repo.git/info/refs"
            await http.post("/acme/init")
        clone = tmp_path / "clone"
        code, out = await git("clone", f"{base}/acme/repo.git", str(clone), home=tmp_path)
        assert code == 0, out
        assert (clone / "README.md").read_text() == "# acme\n"
        (clone / "README.md").write_text("# acme, edited\n")
        await git("commit", "-qam", "edit", cwd=clone, home=tmp_path)
        code, out = await git("push", "origin", "main", cwd=clone, home=tmp_path)
        assert code != 0  # the app's auth hook refuses anonymous pushes
        # The 401 carries a Basic challenge, so git sends the credentials of the URL.
        authenticated = base.replace("http://", "http://u:p@") + "/acme/repo.git"
        code, out = await git("push", authenticated, "main", cwd=clone, home=tmp_path)
        assert code == 0, out
        async with httpx.AsyncClient(base_url=base) as http:
            assert (await http.get("/acme/readme")).text == "# acme, edited\n"
            assert (await http.get("/other/repo.git/info/refs")).text == "fetch /repo.git/info/refs"
