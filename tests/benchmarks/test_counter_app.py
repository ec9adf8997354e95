"""The two counters the runtime benchmark loads answer the same values for the same requests."""

import httpx
import pytest
from baseline_starlette import app as baseline_app
from counter_app import Counter

from dotdo import API


async def _get(app, path: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        return await client.get(path)


async def test_dotdo_counter_counts_per_name(tmp_path):
    app = API(Counter, ns="/:name", data_dir=tmp_path)
    try:
        assert [(await _get(app, "/a/incr")).text for _ in range(3)] == ["1", "2", "3"]
        assert (await _get(app, "/b/incr")).text == "1"
        assert (await _get(app, "/a/get")).text == "3"
        assert (await _get(app, "/a/nope")).status_code == 404
    finally:
        await app.runtime.close()


async def test_dotdo_counter_keeps_counts_across_restart(tmp_path):
    first = API(Counter, ns="/:name", data_dir=tmp_path)
    await _get(first, "/a/incr")
    await first.runtime.close()
    second = API(Counter, ns="/:name", data_dir=tmp_path)
    try:
        assert (await _get(second, "/a/incr")).text == "2"
    finally:
        await second.runtime.close()


@pytest.mark.parametrize("synchronous", ["NORMAL", "FULL"])
async def test_baseline_counts_per_name_in_its_own_file(tmp_path, monkeypatch, synchronous):
    monkeypatch.setenv("BENCH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BENCH_SYNCHRONOUS", synchronous)
    name = f"counter{synchronous}"
    assert [(await _get(baseline_app, f"/counter/{name}/incr")).text for _ in range(3)] == ["1", "2", "3"]
    assert (tmp_path / f"{name}.sqlite").exists()


async def test_baseline_refuses_names_that_are_not_alphanumeric(tmp_path, monkeypatch):
    monkeypatch.setenv("BENCH_DATA_DIR", str(tmp_path))
    response = await _get(baseline_app, "/counter/..%2Fescape/incr")
    assert response.status_code in (400, 404)
    assert list(tmp_path.iterdir()) == []
