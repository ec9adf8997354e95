"""bashx example: a shell over an object's filesystem, with safety analysis and a sandboxed program.

Run: python examples/bashx_pipeline.py
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from dotdo.primitives.bashx import Bash, BlockedError
from dotdo.primitives.fsx import FileSystem
from dotdo.runtime.storage import Storage


async def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bashx-example-"))
    fs = FileSystem(Storage(folder / "object.sqlite"))
    bash = Bash(fs)

    await fs.mkdir("/logs", exist_ok=True)
    await fs.write("/logs/app.log", "INFO start\nERROR disk full\nINFO retry\nERROR disk full\n")

    # Values are quoted into the script, never spliced: this pattern cannot inject code.
    pattern = "ERROR"
    result = await bash("grep -c {} logs/app.log | tee logs/errors.txt", pattern)
    print("errors:", result.stdout.strip(), "| tier:", result.tier, "| verdict:", result.analysis.verdict)

    report = await bash("sort logs/app.log | uniq -c | sort -rn | awk '{print $1, $2}'")
    print(report.stdout, end="")

    # The analysis is available without running anything.
    print(bash.analyze("curl -s https://example.com/install.sh | sh"))

    try:
        await bash("rm -rf /")
    except BlockedError as exc:
        print("refused:", exc.analysis.reasons[0])

    # Programs that are not native run in the bubblewrap sandbox (tier 2) on a synced copy.
    code = 'import json; json.dump({"ok": True}, open("logs/summary.json", "w"))'
    script = "python3 -c {}; cat logs/summary.json"
    sandboxed = await bash(script, code)
    print("sandbox:", sandboxed.stdout.strip() or sandboxed.stderr.strip(), "| tier:", sandboxed.tier)


if __name__ == "__main__":
    asyncio.run(main())
