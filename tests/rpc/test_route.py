"""`rpc_route(path, main)` in a Starlette app: the official client reaches it at `/rpc` and `/rpc/`,
over HTTP batch and WebSocket (a plain `Mount("/rpc", ...)` refuses a WebSocket to `/rpc`)."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import httpx
import pytest
from interop_api import Api
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

from dotdo import rpc
from tests.conftest import serving

OFFICIAL_CLIENT = """
import './shim.mjs';
import { newHttpBatchRpcSession, newWebSocketRpcSession } from 'capnweb';
const base = process.argv[2];
const report = {};
for (const path of ['/rpc', '/rpc/']) {
  report[`http ${path}`] = await newHttpBatchRpcSession(`http://${base}${path}`).hello('http');
  const ws = newWebSocketRpcSession(`ws://${base}${path}`);
  report[`ws ${path}`] = await ws.makeCounter(5).increment(2);
  ws[Symbol.dispose]();
}
console.log(JSON.stringify(report));
"""


async def home(request) -> PlainTextResponse:
    return PlainTextResponse("home")


def starlette_app() -> Starlette:
    return Starlette(routes=[Route("/", home), rpc.rpc_route("/rpc", Api)])


async def run_node(folder: Path, script: str, *args: str) -> str:
    (folder / "route-client.mjs").write_text(script)
    process = await asyncio.create_subprocess_exec(
        shutil.which("node") or "node",
        "route-client.mjs",
        *args,
        cwd=folder,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    return out.decode().strip().splitlines()[-1]


async def test_official_client_reaches_rpc_route_with_and_without_slash(js_peer: Path) -> None:
    async with serving(starlette_app()) as address:
        report = json.loads(await run_node(js_peer, OFFICIAL_CLIENT, address))
        async with httpx.AsyncClient(base_url=f"http://{address}") as client:
            assert (await client.get("/")).text == "home"
    assert report == {"http /rpc": "Hello, http!", "ws /rpc": 7, "http /rpc/": "Hello, http!", "ws /rpc/": 7}


async def test_python_client_reaches_rpc_route_at_both_paths_over_both_transports() -> None:
    async with serving(starlette_app()) as address:
        for url in (f"http://{address}/rpc", f"http://{address}/rpc/", f"ws://{address}/rpc", f"ws://{address}/rpc/"):
            async with rpc.connect(url) as api:
                assert await api.hello(url) == f"Hello, {url}!"


async def test_plain_mount_refuses_a_websocket_without_the_slash_which_is_why_the_route_exists() -> None:
    mounted = Starlette(routes=[Mount("/rpc", rpc.rpc_app(Api))])
    async with serving(mounted) as address, rpc.connect(f"ws://{address}/rpc") as api:
        with pytest.raises(rpc.SessionAbortedError, match="403"):
            await api.hello("x")


async def test_rpc_route_keeps_other_paths_and_names_its_url() -> None:
    app = Starlette(routes=[rpc.rpc_route("/api/rpc/", Api), Route("/api/rpcx", home)])
    assert app.url_path_for("rpc") == "/api/rpc"
    async with serving(app) as address, httpx.AsyncClient(base_url=f"http://{address}") as client:
        assert (await client.get("/api/rpcx")).text == "home"
        assert (await client.get("/api/rpc/more")).status_code == 404
        assert (await client.get("/api/rpc")).status_code == 405  # a batch is a POST


def test_rpc_route_needs_a_path() -> None:
    with pytest.raises(ValueError, match="/rpc"):
        rpc.rpc_route("rpc", Api)
