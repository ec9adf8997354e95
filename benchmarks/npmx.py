"""Benchmark: a 100-package install from a local registry, npmx vs the real npm, cold and warm cache.

Run: python benchmarks/npmx.py [--packages 100] [--repeat 1]
Starts verdaccio (the tests' local registry) on 127.0.0.1, publishes a generated set of packages
(a dependency graph with shared and conflicting ranges, so some packages nest), then installs the
same project with `npm install` (its own cache folder) and with `Npm.install` (its own tarball
cache): cold (empty caches) and warm (caches filled by the cold run, a fresh project folder).
Prints the times, the ratios (npmx / npm: < 1 means npmx is faster) against the targets
(<= 1.5x npm cold, faster than npm warm), and whether both left the same node_modules tree.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the local registry lives with the tests

from dotdo.primitives.blob_store import BlobStore  # noqa: E402
from dotdo.primitives.fsx import FileSystem  # noqa: E402
from dotdo.primitives.npmx import Npm, TarballCache  # noqa: E402
from dotdo.runtime.storage import Storage  # noqa: E402
from tests.primitives.npmx.local_registry import LocalRegistry, local_registry  # noqa: E402
from tests.primitives.npmx.oracle import differences, disk_tree, fsx_tree, npm_install  # noqa: E402


def generate(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """Manifests of `count` packages; each depends on a few later ones, some on an older major."""
    rng = random.Random(seed)
    manifests = []
    for i in range(count):
        name = f"bench-{i:03d}"
        later = list(range(i + 1, count))
        deps = {
            f"bench-{j:03d}": rng.choice(["^1.0.0", "^1.0.0", "^1.1.0", "^2.0.0"])
            for j in rng.sample(later, min(3, len(later)))
        }
        for version in ("1.0.0", "1.1.0", "2.0.0"):
            manifests.append({"name": name, "version": version, "license": "MIT", "dependencies": deps})
    return manifests


def publish(registry: LocalRegistry, manifests: list[dict[str, Any]]) -> None:
    body = "// generated\n" + "module.exports = " + json.dumps(list(range(200))) + "\n"
    for manifest in manifests:
        files = {"index.js": body, "lib/util.js": body, "README.md": "# " + manifest["name"] + "\n" * 40}
        registry.publish(manifest, files)


async def npmx_install(
    work: Path, name: str, project: dict[str, Any], url: str, cache: TarballCache
) -> tuple[float, Any]:
    fs = FileSystem(Storage(work / f"{name}.sqlite"))
    await fs.write("/package.json", json.dumps(project))
    started = time.perf_counter()
    await Npm(fs, cache=cache, registry=url).install()
    return time.perf_counter() - started, fs


def npm_timed(folder: Path, project: dict[str, Any], url: str, cache: Path) -> float:
    started = time.perf_counter()
    npm_install(folder, project, url, cache, lock_only=False)
    return time.perf_counter() - started


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--packages", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7, help="which generated dependency graph")
    args = parser.parse_args()
    if shutil.which("npm") is None:
        sys.exit("the baseline is the real npm: install Node.js and npm")
    with tempfile.TemporaryDirectory(prefix="npmx-bench-") as tmp:
        work = Path(tmp)
        with local_registry(work / "registry") as registry:
            publish(registry, generate(args.packages, args.seed))
            roots = {f"bench-{i:03d}": "^1.0.0" for i in range(0, args.packages, 5)}
            project = {"name": "bench-app", "version": "1.0.0", "dependencies": roots}
            times: dict[str, list[float]] = {"npm cold": [], "npm warm": [], "npmx cold": [], "npmx warm": []}
            agree = True
            installed = 0
            for run in range(args.repeat):
                npm_cache = work / f"npm-cache-{run}"
                times["npm cold"].append(npm_timed(work / f"npm-cold-{run}", project, registry.url, npm_cache))
                times["npm warm"].append(npm_timed(work / f"npm-warm-{run}", project, registry.url, npm_cache))
                cache = TarballCache(BlobStore(work / f"npmx-cache-{run}"))
                seconds, cold_fs = await npmx_install(work, f"cold-{run}", project, registry.url, cache)
                times["npmx cold"].append(seconds)
                seconds, _ = await npmx_install(work, f"warm-{run}", project, registry.url, cache)
                times["npmx warm"].append(seconds)
                npm_tree, our_tree = disk_tree(work / f"npm-cold-{run}"), fsx_tree(cold_fs.sync)
                diff = differences(npm_tree, our_tree)
                agree = agree and not diff
                for line in diff[:20]:
                    print("  tree difference:", line)
                installed = len(our_tree)
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"{installed} packages installed from a local verdaccio; median of {args.repeat} run(s)")
    print(f"{'':<12}{'npm s':>8}{'npmx s':>8}{'npmx/npm':>10}  target")
    for phase, target, ok in (
        ("cold", "<= 1.5x", median["npmx cold"] <= 1.5 * median["npm cold"]),
        ("warm", "< 1.0x", median["npmx warm"] < median["npm warm"]),
    ):
        ratio = median[f"npmx {phase}"] / median[f"npm {phase}"]
        print(
            f"{phase:<12}{median[f'npm {phase}']:>8.2f}{median[f'npmx {phase}']:>8.2f}{ratio:>10.2f}  "
            f"{target} {'met' if ok else 'NOT met'}"
        )
    print(f"node_modules trees: {'the same' if agree else 'DIFFERENT'}")


if __name__ == "__main__":
    asyncio.run(main())
