"""Python inside an object: run code against the object's files in a sandbox, with a verdict first.

Run: `python examples/pyx_notebook.py` (needs bubblewrap: `apt-get install -y bubblewrap`). It
writes a CSV into a throwaway object's filesystem, sums it in the sandbox (the last expression is
the value), writes a report back, shows that a failing call leaves the files as they were, that a
runaway loop is stopped by its timeout, and what the safety analysis says about riskier code.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from dotdo.primitives.fsx import FileSystem
from dotdo.primitives.pyx import PyBlockedError, PyError, PyLimitError, Python
from dotdo.runtime.storage import Storage

SUM = """
import csv
rows = list(csv.DictReader(open("sales.csv")))
total = sum(float(r["amount"]) for r in rows)
open("report.txt", "w").write(f"{len(rows)} sales, {total:.2f} in all\\n")
print("summed", len(rows), "rows")
{"rows": len(rows), "total": total}
"""


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        fs = FileSystem(Storage(Path(folder) / "shop.sqlite"))
        await fs.write("/sales.csv", "item,amount\ntea,3.50\ncake,4.25\ntea,3.50\n")
        py = Python(fs)

        result = await py(SUM, timeout=10, memory="256MB")
        print("value:", result.value, "| stdout:", result.stdout.strip(), f"| {result.duration * 1000:.0f} ms")
        print("report:", (await fs.read_text("/report.txt")).strip())

        try:
            await py("open('report.txt', 'w').write('oops')\nraise ValueError('bad data')")
        except PyError as error:
            print("failed:", error.type_name, "- report kept:", (await fs.read_text("/report.txt")).strip())

        try:
            await py("while True:\n    pass", timeout=1)
        except PyLimitError as error:
            print("stopped by the", error.limit, "limit")

        for code in ("import json; json.dumps([1])", "import subprocess; subprocess.run(['ls'])", "import ctypes"):
            print(f"{code!r}: {py.analyze(code).verdict}")
        try:
            await py("import os; os.system('ls')")
        except PyBlockedError as error:
            print("refused:", error.analysis.reasons[0])


if __name__ == "__main__":
    asyncio.run(main())
