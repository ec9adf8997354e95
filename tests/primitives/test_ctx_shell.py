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
