"""The public Bash object: results, cwd/env/timeout, registration, attach."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from dotdo.primitives.bashx import (
    Analysis,
    Bash,
    BashResult,
    BashSyntaxError,
    BashTimeoutError,
    CommandCall,
    CommandResult,
)
from dotdo.primitives.ctx_shell import attach_bash


async def test_result_fields(bash: Bash, fs) -> None:
    await fs.write("/data.txt", "x1\ny\nx2\n")
    result = await bash("grep -c {} data.txt | tee count.txt", "x")
    assert isinstance(result, BashResult)
    assert (result.stdout, result.stderr, result.exit_code, result.tier) == ("2\n", "", 0, "native")
    assert isinstance(result.analysis, Analysis) and result.analysis.verdict == "safe"
    assert await fs.read("/count.txt") == b"2\n"


async def test_stderr_and_exit_code(bash: Bash) -> None:
    result = await bash("echo out; echo err >&2; exit 3")
    assert (result.stdout, result.stderr, result.exit_code, result.ok) == ("out\n", "err\n", 3, False)


async def test_cwd_and_env(bash: Bash, fs) -> None:
    await fs.mkdir("/project/sub", parents=True)
    result = await bash("pwd; echo $GREETING; touch here.txt", cwd="/project/sub", env={"GREETING": "hi"})
    assert result.stdout == "/project/sub\nhi\n"
    assert await fs.exists("/project/sub/here.txt")


async def test_cwd_must_exist(bash: Bash) -> None:
    with pytest.raises(FileNotFoundError, match="create it first"):
        await bash("ls", cwd="/missing")
    with pytest.raises(ValueError, match="absolute"):
        await bash("ls", cwd="relative")


async def test_state_does_not_leak_between_calls(bash: Bash) -> None:
    await bash("x=1; cd /; f() { :; }")
    result = await bash('echo "[$x]"; type f')
    assert result.stdout.startswith("[]\n")
    assert result.exit_code == 1


async def test_timeout_stops_an_endless_loop(bash: Bash) -> None:
    with pytest.raises(BashTimeoutError, match="timeout"):
        await bash("while true; do :; done", timeout=0.2)


async def test_timeout_cuts_sleep_short(bash: Bash) -> None:
    import time

    start = time.monotonic()
    with pytest.raises(BashTimeoutError):
        await bash("sleep 30; echo never", timeout=0.3)
    assert time.monotonic() - start < 5


async def test_syntax_error_raises(bash: Bash) -> None:
    with pytest.raises(BashSyntaxError) as info:
        await bash("if then fi")
    assert info.value.line == 1


async def test_stdin_is_passed(bash: Bash) -> None:
    result = await bash("tr a-z A-Z", stdin="shout\n")
    assert result.stdout == "SHOUT\n"


async def test_register_command_gets_argv_stdin_cwd_env_fs(bash: Bash, fs) -> None:
    seen: dict[str, object] = {}

    def handler(call: CommandCall) -> CommandResult:
        seen.update(argv=call.argv, stdin=call.stdin, cwd=call.cwd, env=call.env.get("TOKEN"))
        call.fs.write(call.path("made-by-handler.txt"), b"ok")
        return CommandResult(stdout=b"handled\n", stderr=b"note\n", exit_code=4)

    bash.register_command("mytool", handler)
    await fs.mkdir("/w")
    result = await bash("echo input | TOKEN=t mytool --flag 'a b'; echo status=$?", cwd="/w")
    assert seen == {"argv": ["mytool", "--flag", "a b"], "stdin": b"input\n", "cwd": "/w", "env": "t"}
    assert result.stdout == "handled\nstatus=4\n"
    assert result.stderr == "note\n"
    assert await fs.read("/w/made-by-handler.txt") == b"ok"


async def test_a_command_may_return_text(bash: Bash) -> None:
    bash.register_command("greet", lambda call: CommandResult(f"héllo {call.argv[1]}\n", "warn\n", 2))
    result = await bash("greet ada; echo status=$?")
    assert (result.stdout, result.stderr) == ("héllo ada\nstatus=2\n", "warn\n")
    with pytest.raises(TypeError, match="str or bytes"):
        CommandResult(42)


async def test_register_command_can_run_other_commands(bash: Bash) -> None:
    def twice(call: CommandCall) -> CommandResult:
        assert call.run is not None
        first = call.run(["echo", *call.argv[1:]], b"")
        return CommandResult(first.stdout * 2)

    bash.register_command("twice", twice)
    assert (await bash("twice hey")).stdout == "hey\nhey\n"


def test_register_command_rejects_bad_names(bash: Bash) -> None:
    with pytest.raises(ValueError, match="valid command name"):
        bash.register_command("rm -rf", lambda call: CommandResult())
    with pytest.raises(TypeError):
        bash.register_command("tool", "not callable")  # type: ignore[arg-type]


async def test_unknown_command_without_sandbox(fs) -> None:
    bash = Bash(fs, sandbox=False)
    result = await bash("not_a_real_program_xyz", confirm=True)
    assert result.exit_code == 127
    assert "command not found" in result.stderr


async def test_output_limit(fs) -> None:
    bash = Bash(fs, output_limit=1000)
    result = await bash("seq 100000")
    assert result.exit_code == 1
    assert "output passed 1000 bytes" in result.stderr


async def test_runaway_recursion_is_stopped(bash: Bash) -> None:
    result = await bash("f() { f; }; f")
    assert result.exit_code == 1
    assert "maximum function nesting level" in result.stderr


async def test_attach_uses_ctx_fs(fs) -> None:
    ctx = SimpleNamespace(fs=fs, storage=fs.storage)
    shell = attach_bash(ctx)
    assert isinstance(shell, Bash)
    await shell("echo attached > a.txt")
    assert await fs.read("/a.txt") == b"attached\n"


async def test_accepts_sync_core_too(fs) -> None:
    shell = Bash(fs.sync)
    assert (await shell("echo ok")).stdout == "ok\n"


async def test_wrong_types_are_refused(bash: Bash) -> None:
    with pytest.raises(TypeError):
        await bash(b"echo hi")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        await bash("echo", env={"A": 1})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="timeout"):
        await bash("echo", timeout=-1)


async def test_oversized_input_gets_a_clear_error(bash: Bash) -> None:
    with pytest.raises(BashSyntaxError, match="limit"):
        await bash("#" * 2_000_000)
    result = await bash("echo {1..100000000}")
    assert result.exit_code == 1 and "brace expansion" in result.stderr
    # seq streams its numbers: the script's output limit is what stops it.
    result = await bash("seq 1000000000")
    assert result.exit_code == 1 and "output passed" in result.stderr


async def test_a_failing_script_keeps_what_it_wrote(bash: Bash, fs) -> None:
    result = await bash("set -e; echo one > a.txt; false; echo two > b.txt")
    assert result.exit_code == 1
    assert await fs.read("/a.txt") == b"one\n"
    assert not await fs.exists("/b.txt")


async def test_a_runaway_script_stops_at_the_default_timeout(tmp_path):
    from dotdo.primitives.bashx import Bash, BashTimeoutError
    from dotdo.primitives.fsx import FileSystem
    from dotdo.runtime.storage import Storage

    bash = Bash(FileSystem(Storage(tmp_path / "obj.sqlite")), default_timeout=0.5)
    with pytest.raises(BashTimeoutError):
        await bash("while true; do echo x; done | wc -l")


async def test_a_cancelled_caller_still_waits_for_the_script_to_end(bash: Bash, fs) -> None:
    import asyncio
    import threading

    started = threading.Event()

    def mark(call: CommandCall) -> CommandResult:
        started.set()
        return CommandResult()

    bash.register_command("mark", mark)
    running = asyncio.create_task(bash("mark; sleep 1; echo done > after.txt"))
    for _ in range(500):
        if started.is_set():
            break
        await asyncio.sleep(0.01)
    assert started.is_set()
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    # The script's thread cannot be stopped, so the caller's turn lasted until it ended.
    assert await fs.read("/after.txt") == b"done\n"


async def test_a_script_that_times_out_keeps_what_it_wrote_durably(tmp_path) -> None:
    from dotdo.primitives.fsx import FileSystem
    from dotdo.runtime.storage import Storage

    storage = Storage(tmp_path / "kept.sqlite", durability="power")
    bash = Bash(FileSystem(storage))
    with pytest.raises(BashTimeoutError):
        await bash("for i in 1 2 3; do echo $i > f$i; done; while true; do :; done", timeout=0.5)
    await storage.settled()
    storage.close()
    reopened = FileSystem(Storage(tmp_path / "kept.sqlite"))
    assert [reopened.sync.read(f"/f{i}") for i in (1, 2, 3)] == [b"1\n", b"2\n", b"3\n"]


async def test_commands_before_a_syntax_error_run_then_it_ends_the_script(bash: Bash) -> None:
    result = await bash("echo a\nif then fi\necho b")
    assert (result.stdout, result.exit_code) == ("a\n", 2)  # as real bash prints and exits
    assert "line 2" in result.stderr


async def test_a_single_line_tree_sitter_rejects_fails_alone(bash: Bash) -> None:
    # bash rejects `x=(first & second)` as it runs and goes on; bashx fails that line alone.
    result = await bash("echo a\nx=(first & second)\necho b")
    assert result.stdout == "a\nb\n"
    assert "line 2" in result.stderr and "cannot parse" in result.stderr
