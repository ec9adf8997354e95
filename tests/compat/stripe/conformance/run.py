"""Run every vendored stripe-python test against the Stripe layer and print the table.

    python -m tests.compat.stripe.conformance.run                      # from the repository's root
    python -m tests.compat.stripe.conformance.run --update-baseline

``--update-baseline`` adds the tests that now pass to baseline.json (it never removes one); a
baseline test that fails makes the run exit 1.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from collections import Counter
from pathlib import Path

from .conftest import BASELINE, HERE, RUN_ALL
from .exclusions import NO_SERVER, NOT_SERVED, UPSTREAM_TESTS, reason_of

ROOT = HERE.parents[3]


def run_suite() -> dict[str, tuple[bool, str]]:
    """Every vendored test's id → (passed, failure message), from one pytest run."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.xml"
        env = {**os.environ, RUN_ALL: "1", "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
        command = [sys.executable, "-m", "pytest", str(HERE / "upstream"), "-q", "--tb=no", "-p", "no:cacheprovider"]
        subprocess.run([*command, f"--junitxml={report}"], cwd=ROOT, env=env, check=False, capture_output=True)
        results = {}
        for case in ElementTree.parse(report).iter("testcase"):
            module = case.get("classname", "").removeprefix("tests.compat.stripe.conformance.upstream.")
            parts = module.split(".")
            classes = [p for p in parts if p[:1].isupper()]
            path = "/".join(p for p in parts if not p[:1].isupper()) + ".py"
            test_id = "::".join([path, *classes, case.get("name", "")])
            failure = case.find("failure")
            if failure is None:
                failure = case.find("error")
            results[test_id] = (failure is None, "" if failure is None else failure.get("message", ""))
        return results


def table(results: dict[str, tuple[bool, str]]) -> str:
    """The conformance table: passed, failed with reasons, excluded with reasons."""
    passed = sum(ok for ok, _ in results.values())
    failed = Counter(reason_of(test_id, message) for test_id, (ok, message) in results.items() if not ok)
    rows = [
        f"stripe-python tests: {UPSTREAM_TESTS}; vendored and run: {len(results)}",
        f"  passed                                   {passed:5d}",
    ]
    rows += [f"  failed  {count:5d}  {reason}" for reason, count in failed.most_common()]
    rows.append(f"  excluded {NO_SERVER[0]:4d}  {NO_SERVER[1]}")
    rows.append(f"  excluded {sum(NOT_SERVED.values()):4d}  call operations the layer does not serve; not vendored:")
    rows += [f"             {count:4d}  {resource}" for resource, count in NOT_SERVED.items()]
    return "\n".join(rows)


def main() -> int:
    """Run, print, and check (or raise) the baseline."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--update-baseline", action="store_true", help="add the tests that now pass to baseline.json")
    args = parser.parse_args()
    results = run_suite()
    print(table(results))
    recorded = json.loads(BASELINE.read_text())
    lost = sorted(test_id for test_id in recorded["passed"] if not results.get(test_id, (False, ""))[0])
    for test_id in lost:
        print(f"baseline test no longer passes: {test_id}")
    if args.update_baseline:
        recorded["passed"] = sorted(set(recorded["passed"]) | {t for t, (ok, _) in results.items() if ok})
        BASELINE.write_text(json.dumps(recorded, indent=1) + "\n")
        print(f"baseline: {len(recorded['passed'])} tests")
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
