import asyncio
import threading

import pytest

from dotdo import DO


class Workspace(DO):
    async def run(self, script: str, *args: str) -> dict:
        result = await self.ctx.bash(script, *args)
        return {"stdout": result.stdout, "stderr": result.stderr, "exit_code": result.exit_code, "tier": result.tier}


async def test_ctx_bash_runs_git_natively_against_the_objects_repository(runtime):
    ws = runtime.get(Workspace, "ws")
    script = (
        "export GIT_AUTHOR_NAME=A GIT_AUTHOR_EMAIL=a@x && git init -q . && printf 'hello\\n' > hello.txt && "
        "git add hello.txt && git commit -q -m {} && git log --oneline | cut -d' ' -f2- && git status --short"
    )
    result = await ws.run(script, "first commit")
    assert result["exit_code"] == 0, result["stderr"]
    assert result["stdout"] == "first commit\n"
    assert result["tier"] == "native"


async def test_ctx_bash_and_ctx_git_see_the_same_repository(runtime):
    ws = runtime.get(Workspace, "ws")
    assert (await ws.run("printf 'x\\n' > a.txt && git init -q . && git add a.txt"))["exit_code"] == 0

    async def commit(obj):
        return await obj.ctx.git.commit("from the API", author="A <a@x>")

    sha = await runtime.run_in(Workspace, "ws", commit)
    result = await ws.run("git log --oneline")
    assert result["stdout"] == f"{sha[:7]} from the API\n"


NAPPING = threading.Event()


class Sleeper(DO):
    async def on_start(self) -> None:
        self.log: list[str] = []

    async def nap(self, seconds: str) -> str:
        NAPPING.set()
        result = await self.ctx.bash("sleep {}; echo rested", seconds)
        self.log.append("rested")
        return result.stdout

    async def spin(self) -> str:
        NAPPING.set()
        result = await self.ctx.bash("i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; echo $i")
        self.log.append("spun")
        return result.stdout

    async def ping(self) -> list[str]:
        self.log.append("ping")
        return list(self.log)


@pytest.mark.parametrize("work", [("nap", "2"), ("spin",)])
async def test_a_long_script_holds_its_own_object_but_not_the_others(runtime, work) -> None:
    busy, other = runtime.get(Sleeper, "busy"), runtime.get(Sleeper, "other")
    await busy.ping()
    await other.ping()
    NAPPING.clear()
    running = asyncio.create_task(getattr(busy, work[0])(*work[1:]))
    for _ in range(500):
        if NAPPING.is_set():
            break
        await asyncio.sleep(0.01)
    assert NAPPING.is_set()
    # Another object answers while the script still runs...
    assert await other.ping() == ["ping", "ping"]
    assert not running.done()
    # ...while the busy object's own next event waits for the script's turn to end.
    log = await busy.ping()
    assert running.done()
    assert log == ["ping", "rested" if work[0] == "nap" else "spun", "ping"]
    assert (await running).endswith("\n")


@pytest.mark.parametrize("command", ["git push origin main", "git fetch", "git pull origin main", "git clone x"])
async def test_git_network_commands_say_what_to_call_without_asking_for_confirmation(runtime, command):
    result = await runtime.get(Workspace, "ws").run(f"git init -q . && {command}")
    sub = command.split()[1]
    assert result["exit_code"] == 1
    assert result["stderr"] == f"git {sub}: not available inside the shell; use `await ctx.git.{sub}(...)`\n"
