"""`rpc_app()`: a shared main object or one per session."""

from __future__ import annotations

import httpx
import pytest

from dotdo.rpc import RpcTarget, connect, rpc_app


class Tally(RpcTarget):
    def __init__(self) -> None:
        self._n = 0

    def bump(self) -> int:
        self._n += 1
        return self._n


async def _bump_twice(app) -> list[int]:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
    results = []
    async with connect("http://t/rpc", http_client=client) as api:
        results.append(await api.bump())
        results.append(await api.bump())
    await client.aclose()
    return results


async def test_shared_instance_keeps_state_across_sessions() -> None:
    assert await _bump_twice(rpc_app(Tally())) == [1, 2]


async def test_factory_gives_each_session_a_fresh_object() -> None:
    assert await _bump_twice(rpc_app(Tally)) == [1, 1]


def test_main_must_be_a_target_or_factory() -> None:
    with pytest.raises(TypeError, match="RpcTarget or a factory"):
        rpc_app(42)  # type: ignore[arg-type]
