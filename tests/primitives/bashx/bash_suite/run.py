"""Run GNU bash's test suite under real bash and under bashx and print the per-file table.

    python tests/primitives/bashx/bash_suite/run.py              # every file that applies
    python tests/primitives/bashx/bash_suite/run.py arith.tests  # some files
    python tests/primitives/bashx/bash_suite/run.py --show-failures --update-baseline

``--update-baseline`` raises the recorded floor in baseline.json (it never lowers it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from suite import EXCLUDED, applicable_files, run_file, save_baseline, table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", help="test files to run (default: all that apply)")
    parser.add_argument("--show-failures", action="store_true", help="print each different case")
    parser.add_argument("--update-baseline", action="store_true", help="raise baseline.json to this run's counts")
    args = parser.parse_args()
    names = args.files or applicable_files()
    unknown = [n for n in names if n not in applicable_files()]
    if unknown:
        parser.error(f"not an applicable test file: {', '.join(unknown)} (excluded: {', '.join(EXCLUDED)})")
    from rich.progress import track

    reports = [run_file(name) for name in track(names, description="bash test suite", transient=True)]
    print(table(reports))
    for report in reports:
        if report.crash:
            print(f"{report.name}: {report.crash}")
        if args.show_failures:
            for failure in report.failures:
                print(f"  {report.name} {failure}")
    print("excluded:")
    for name, reason in EXCLUDED.items():
        print(f"  {name}: {reason}")
    if args.update_baseline:
        save_baseline(reports)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
