"""Run the search and vector clients' own test suites against dotdo's compat layers and print the table.

    python tests/compat/upstream/run.py                      # every suite, every vendored file
    python tests/compat/upstream/run.py meilisearch --fast   # one suite, the subset `make test` runs
    python tests/compat/upstream/run.py --show-failures --update-baseline

``--update-baseline`` adds this run's passing tests to baseline.json (it never removes one).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from suites import SUITES, run_suite, save_baseline, table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("suites", nargs="*", choices=[[], *SUITES], help="suites to run (default: all)")
    parser.add_argument("--fast", action="store_true", help="run only the subset `make test` runs")
    parser.add_argument("--show-failures", action="store_true", help="list each test that did not pass")
    parser.add_argument("--update-baseline", action="store_true", help="add this run's passing tests to the baseline")
    args = parser.parse_args()
    from rich.progress import track

    chosen = [SUITES[name] for name in args.suites or SUITES]
    reports = [
        run_suite(suite, suite.fast if args.fast else None)
        for suite in track(chosen, description="client test suites", transient=True)
    ]
    print(table(reports))
    for report in reports:
        if report.crash:
            print(f"{report.suite.name}: the run broke:\n{report.crash}")
        if args.show_failures:
            for test, outcome in sorted(report.outcomes.items()):
                if outcome != "passed":
                    print(f"  {report.suite.name} {outcome}: {test}")
        print(f"{report.suite.name} excluded:")
        for what, reason in report.suite.excluded.items():
            print(f"  {what}: {reason}")
    if args.update_baseline:
        save_baseline(reports)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
