"""The warm tier's writes: exactly once across kill -9, compaction, and an S3 warehouse on a real S3 API server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from dotdo.tiers import Runtime, TierConfig
from tests.conftest import free_port
from tests.tiers.crash_child import OBJECTS, PER_OBJECT
from tests.tiers.dataset import Shop, hot_rows, write_dataset

ROOT = Path(__file__).resolve().parents[2]
HOT = "SELECT id, version, json_extract(data, '$.amount') FROM things"
WARM = "SELECT id, version, amount FROM things"


def _child(data_dir: Path, mode: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.tiers.crash_child", str(data_dir), mode],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    return process


def _kill(process: subprocess.Popen[str], after: float) -> None:
    time.sleep(after)
    process.send_signal(signal.SIGKILL)
    # The child never stops by itself: it was killed mid-way.
    assert process.wait(timeout=30) == -signal.SIGKILL


async def _assert_exactly_once(rt: Runtime) -> None:
    await rt.ship()
    duplicates = await rt.query(
        "SELECT object_id, sequence, count(*) FROM thing_versions GROUP BY ALL HAVING count(*) > 1"
    )
    assert duplicates.rows == []
    hot = Counter(await hot_rows(rt, Shop, OBJECTS, HOT))
    assert Counter((await rt.query(WARM)).rows) == hot
    versions = await rt.query("SELECT count(*) FROM thing_versions")
    hot_versions = await hot_rows(
        rt, Shop, OBJECTS, "SELECT (SELECT count(*) FROM things) + (SELECT count(*) FROM thing_versions)"
    )
    # Purged things leave no versions anywhere; every other version is in the warm tier once.
    assert versions.rows == [(sum(n for (n,) in hot_versions),)]


@pytest.mark.parametrize("after", [0.4, 1.2])
async def test_kill_9_while_shipping_loses_and_duplicates_nothing(tmp_path: Path, after: float) -> None:
    _kill(_child(tmp_path, "ship"), after)
    async with Runtime(tmp_path, objects=[Shop], tiers=TierConfig(ship_interval=None)) as rt:
        await _assert_exactly_once(rt)


async def test_kill_9_while_compacting_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    async with Runtime(tmp_path, objects=[Shop], tiers=TierConfig(ship_interval=None, batch_rows=40)) as rt:
        await write_dataset(rt, Shop, OBJECTS, PER_OBJECT)
        await rt.ship()
        files_before = (await rt.tiers_status()).tables[0].files
    assert files_before > 1
    _kill(_child(tmp_path, "compact"), 1.5)
    async with Runtime(tmp_path, objects=[Shop], tiers=TierConfig(ship_interval=None)) as rt:
        await _assert_exactly_once(rt)
        assert await rt.compact(force=True)
        assert (await rt.tiers_status()).tables[0].files < files_before
        await _assert_exactly_once(rt)


async def test_s3_warehouse_on_a_real_s3_api_server(tmp_path: Path) -> None:
    pytest.importorskip("moto", reason="the S3 test runs moto's S3 server (dev dependency)")
    boto3 = pytest.importorskip("boto3")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        endpoint = f"http://127.0.0.1:{port}"
        s3 = boto3.client(
            "s3", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                s3.create_bucket(Bucket="lake")
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        config = TierConfig(
            warehouse="s3://lake/warehouse",
            ship_interval=None,
            storage_options={
                "s3.endpoint": endpoint,
                "s3.access-key-id": "test",
                "s3.secret-access-key": "test",
                "s3.region": "us-east-1",
                # A stalled request to the local server is retried after seconds, not obstore's 30 s default.
                "s3.request-timeout": "10",
                "s3.connect-timeout": "5",
            },
        )
        async with Runtime(tmp_path, objects=[Shop], tiers=config) as rt:
            await write_dataset(rt, Shop, 2, 15)
            await rt.ship()
            hot = Counter(await hot_rows(rt, Shop, 2, HOT))
            assert Counter((await rt.query(WARM)).rows) == hot
            await rt.run_in(Shop, "shop0", lambda obj: obj.ctx.things.update("t0", amount=7))
            assert await rt.archive(older_than=0) > 0
            assert (await rt.run_in(Shop, "shop0", lambda obj: obj.ctx.things.get("t0", version=1))).version == 1
            keys = [item["Key"] for item in s3.list_objects_v2(Bucket="lake")["Contents"]]
            assert any(key.startswith("warehouse/dotdo/things/data/") and key.endswith(".parquet") for key in keys)
            assert any(key.startswith("warehouse/cold/Shop/") for key in keys)
            # Erasure on S3: the cold file is rewritten, the warm table rewritten and its old files deleted.
            await rt.ship()
            report = await rt.erase(subject="t0")
            assert report.cold >= 1 and report.warm["things"] >= 2
            assert (await rt.query("SELECT count(*) FROM thing_versions WHERE id = 't0'")).rows == [(0,)]
            assert Counter((await rt.query(WARM)).rows) == Counter(await hot_rows(rt, Shop, 2, HOT))
            referenced = {
                path.removeprefix("s3://lake/")
                for path in rt.tiers.warehouse.existing_table("things")
                .inspect.all_files()
                .column("file_path")
                .to_pylist()
            }
        keys = [item["Key"] for item in s3.list_objects_v2(Bucket="lake")["Contents"]]
        things_files = {key for key in keys if key.startswith("warehouse/dotdo/things/data/")}
        assert things_files == referenced
    finally:
        server.terminate()
        server.wait(timeout=30)


async def test_snapshots_past_retention_are_expired_by_compaction(tmp_path: Path) -> None:
    config = TierConfig(ship_interval=None, snapshot_retention=0)
    async with Runtime(tmp_path, objects=[Shop], tiers=config) as rt:
        for n in range(3):
            await rt.run_in(Shop, "s", lambda obj, n=n: obj.ctx.things.create("Order", id=f"o{n}", amount=n))
            await rt.ship()
        before = (await rt.tiers_status()).tables[0]
        assert before.snapshots == 3
        assert await rt.compact(force=True) == ["things"]
        after = (await rt.tiers_status()).tables[0]
        assert (after.snapshots, after.files, after.rows) == (1, 1, 3)
        assert after.last_compaction is not None
        assert (await rt.query("SELECT sum(amount) FROM things")).rows == [(3,)]
