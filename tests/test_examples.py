"""Every example under examples/ runs as its docstring says, in an empty folder.

The Cap'n Web example (examples/rpc/) is run against the official client in tests/rpc/test_example.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
# What each script's output must show: the point the example makes.
SHOWS = {
    "bashx_pipeline.py": "refused: recursive delete of /, ~ or the workspace root",
    "bashx_streams_jobs.py": "killed job: status 143",
    "compat_elasticsearch.py": "globex sees indices: []",
    "compat_index_shards.py": "4 shards answer as one index: same hits, facets and scores",
    "compat_reshard.py": "messages left to process: 19",
    "compat_search.py": "globex sees indexes: []",
    "compat_storage.py": "globex sees buckets: []",
    "compat_github.py": "every webhook signature verified",
    "compat_slack.py": "signature verified",
    "compat_stripe.py": "signature verified",
    "compat_stripe_shards.py": "every product found after the move",
    "compat_weaviate.py": "globex sees collections: []",
    "context_app.py": "actions journal: [('record_order', 'completed', 1), ('charge', 'completed', 2)]",
    "crm.py": "refused: Unknown product 'spoon'; add it first - orders kept: 2",
    "extensions.py": "['ding-dong from front (in-process)']",
    "fsx_notes.py": "/archive   dirs=[] files=['groceries.md']",
    "inspector_tour.py": "acme's orders: ['anvil', 'rocket']",
    "gitx_repository.py": "merged feature",
    "replication.py": "restored on another host: 100",
    "lifecycle_shop.py": "demoted back as thing alice",
    "pyx_notebook.py": "refused: line 1: calls os.system (exec)",
    "tiers_analytics.py": "erased user:alice",
    "workflow_orders.py": "stateDiagram-v2",
}


# Run by the test named: the cluster example in a loopback-only network namespace (it starts Ray),
# the npmx example against the tests' local registry rather than npm's public one.
RUN_ELSEWHERE = {
    "cluster_counters.py": "tests/cluster/test_cluster.py",
    "cluster_placement.py": "tests/cluster/test_cluster.py",
    "cluster_replication.py": "tests/cluster/test_cluster.py",
    "npmx_project.py": "tests/primitives/npmx/test_example.py",
}


def test_every_script_is_listed() -> None:
    scripts = sorted(path.name for path in EXAMPLES.glob("*.py") if path.name != "app.py")
    assert scripts == sorted([*SHOWS, *RUN_ELSEWHERE])


@pytest.mark.parametrize("script", sorted(SHOWS))
def test_the_example_runs(script: str, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert SHOWS[script] in done.stdout


async def test_the_app_make_dev_serves_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOTDO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.syspath_prepend(str(EXAMPLES))
    from app import app

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        assert (await http.post("/acme")).json() == {"name": "acme", "value": 1}
        assert (await http.get("/acme")).json() == {"name": "acme", "value": 1}
    await app.runtime.close()
