import asyncio
import os
from pathlib import Path

import httpx
import pytest

from dotdo import API, DO
from dotdo.http.bearer_token import BearerTokenMiddleware
from tests.conftest import serving


class Hello(DO):
    async def fetch(self, request):
        return "hi"


async def test_requests_need_the_bearer_token(tmp_path):
    app = BearerTokenMiddleware(API(Hello, ns="main", data_dir=tmp_path), "s3cret")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        missing = await http.get("/")
        assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
        assert (await http.get("/", headers={"authorization": "Bearer wrong"})).status_code == 401
        assert (await http.get("/", headers={"authorization": "Bearer s3cret"})).text == "hi"


def test_empty_tokens_are_refused():
    with pytest.raises(ValueError):
        BearerTokenMiddleware(lambda *a: None, "")


class Project(DO):
    async def fetch(self, request):
        await self.ctx.git.init()
        await self.ctx.fs.write("/README.md", b"# acme\n")
        await self.ctx.git.add("README.md")
        return {"sha": await self.ctx.git.commit("Initial commit", author="Ada <ada@example.com>")}


async def _git(*args: str, home: Path) -> tuple[int, str]:
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"}
    proc = await asyncio.create_subprocess_exec(
        "git", *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await proc.communicate()
    return proc.returncode or 0, out.decode()


async def test_the_real_git_clones_with_the_token_as_an_extra_header(tmp_path):
    app = BearerTokenMiddleware(API(Project, ns="/:name", data_dir=tmp_path / "data"), "s3cret")
    async with serving(app, lifespan="off") as address:
        base = f"http://{address}"
        async with httpx.AsyncClient() as http:
            assert (await http.post(f"{base}/acme/init", headers={"authorization": "Bearer s3cret"})).is_success
        refused, _ = await _git("clone", f"{base}/acme/repo.git", str(tmp_path / "refused"), home=tmp_path)
        assert refused != 0 and not (tmp_path / "refused" / "README.md").exists()
        header = "http.extraHeader=Authorization: Bearer s3cret"
        code, output = await _git("-c", header, "clone", f"{base}/acme/repo.git", str(tmp_path / "c"), home=tmp_path)
        assert code == 0, output
    assert (tmp_path / "c" / "README.md").read_text() == "# acme\n"
