"""gitx in one object: commit on the object's filesystem, branch, merge, and serve it to `git clone`.

python examples/gitx_repository.py            # build a repository and show log and diff
python examples/gitx_repository.py --serve    # then serve it: git clone http://127.0.0.1:8765/ demo
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

import uvicorn

from dotdo.primitives.fsx import FileSystem
from dotdo.primitives.gitx import Git, git_http_app
from dotdo.runtime.storage import Storage


async def build(folder: Path) -> Git:
    storage = Storage(folder / "object.sqlite")
    fs = FileSystem(storage)
    git = Git(fs, emit=lambda kind, data: print(f"  event {kind}: {data['ref']} -> {data['new'][:7]}"))
    await git.init()

    await fs.write("/README.md", b"# Demo\n")
    await fs.mkdir("/src", exist_ok=True)
    await fs.write("/src/app.py", b"print('hello')\n")
    await git.add(".")
    await git.commit("Initial commit", author="Ada <ada@example.com>")

    await git.checkout("feature", create=True)
    await fs.write("/src/app.py", b"print('hello, world')\n")
    await git.add("src/app.py")
    await git.commit("Greet the world", author="Ada <ada@example.com>")

    await git.checkout("main")
    await fs.write("/NOTES.md", b"notes\n")
    await git.add("NOTES.md")
    await git.commit("Add notes", author="Grace <grace@example.com>")
    result = await git.merge("feature")
    print(f"merged feature: {result}")

    for commit in await git.log():
        print(f"{commit.sha[:7]} {commit.author:<28} {commit.message.splitlines()[0]}")
    print((await git.diff("HEAD~1", "HEAD")).text)
    print(await git.status())
    return git


async def serve(git: Git, port: int) -> None:
    print(f"serving: git clone http://127.0.0.1:{port}/ demo   (Ctrl-C to stop)")
    config = uvicorn.Config(git_http_app(git), host="127.0.0.1", port=port, log_level="warning")
    await uvicorn.Server(config).serve()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", action="store_true", help="serve the repository over smart HTTP")
    parser.add_argument("--port", type=int, default=8765)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:

        async def run() -> None:
            git = await build(Path(folder))
            if options.serve:
                await serve(git, options.port)

        asyncio.run(run())


if __name__ == "__main__":
    main()
