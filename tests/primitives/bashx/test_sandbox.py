"""Tier 2: programs that are not native run under bubblewrap over a synced copy of the workspace."""

from __future__ import annotations

import shutil
import socket
import threading
from pathlib import Path

import pytest

from dotdo.primitives.bashx import Bash, SandboxConfig, SandboxLimits

PYTHON = "python3"


def test_bubblewrap_is_installed() -> None:
    assert shutil.which("bwrap"), "tier 2 needs bubblewrap: run `apt-get install -y bubblewrap`"


def limited(fs, **limits) -> Bash:
    return Bash(fs, sandbox=SandboxConfig(limits=SandboxLimits(**limits)))


async def test_program_reads_and_writes_the_workspace(bash: Bash, fs) -> None:
    await fs.mkdir("/proj")
    await fs.write("/proj/in.txt", "hello\n")
    code = 'from pathlib import Path; Path("out.txt").write_text(Path("in.txt").read_text().upper())'
    result = await bash("python3 -c {}; cat out.txt", code, cwd="/proj")
    assert result.tier == "sandbox"
    assert result.stdout == "HELLO\n"
    assert await fs.read("/proj/out.txt") == b"HELLO\n"


async def test_deleted_and_renamed_files_sync_back(bash: Bash, fs) -> None:
    await fs.write("/a.txt", "a")
    await fs.write("/b.txt", "b")
    await bash('python3 -c \'import os; os.remove("a.txt"); os.rename("b.txt", "c.txt"); os.makedirs("d/e")\'')
    assert not await fs.exists("/a.txt")
    assert await fs.read("/c.txt") == b"b"
    assert await fs.is_dir("/d/e")


async def test_stdin_env_and_exit_code(bash: Bash) -> None:
    code = 'import os, sys; print(sys.stdin.read().strip(), os.environ["FOO"]); sys.exit(3)'
    result = await bash("echo piped | FOO=bar python3 -c {}", code)
    assert result.stdout == "piped bar\n"
    assert result.exit_code == 3


async def test_environment_is_clean(bash: Bash) -> None:
    result = await bash("python3 -c 'import os; print(sorted(k for k in os.environ if k not in (\"LC_CTYPE\",)))'")
    names = eval(result.stdout)  # a list literal printed by the sandboxed program
    assert set(names) <= {"PATH", "HOME", "LANG", "TMPDIR", "PWD"}


async def test_cannot_write_outside_its_directory(bash: Bash, tmp_path: Path) -> None:
    marker = tmp_path / "host-marker.txt"
    code = (
        "import sys\n"
        "for path in sys.argv[1:]:\n"
        "    try:\n"
        "        open(path, 'w').write('x')\n"
        "        print('wrote', path)\n"
        "    except OSError as exc:\n"
        "        print('denied', path, exc.errno)\n"
    )
    await bash("printf '%s' {} > probe.py", code)
    result = await bash("python3 probe.py {} /usr/bashx-probe /etc/bashx-probe", str(marker))
    assert not marker.exists()
    assert not Path("/usr/bashx-probe").exists()
    assert "denied /usr/bashx-probe" in result.stdout


async def test_host_files_are_not_visible(bash: Bash, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("host only")
    result = await bash("python3 -c 'import sys; print(open(sys.argv[1]).read())' {}", str(secret))
    assert "host only" not in result.stdout
    assert result.exit_code != 0


def serve_once() -> tuple[int, threading.Event]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(5)
    reached = threading.Event()

    def accept() -> None:
        try:
            conn, _ = server.accept()
            reached.set()
            conn.close()
        except OSError:
            pass
        finally:
            server.close()

    threading.Thread(target=accept, daemon=True).start()
    return server.getsockname()[1], reached


async def test_no_network_by_default(bash: Bash) -> None:
    port, reached = serve_once()
    code = f"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=2); print('connected')"
    result = await bash("python3 -c {}", code)
    assert "connected" not in result.stdout
    assert result.exit_code != 0
    assert not reached.wait(0.2)


async def test_network_when_allowed(fs) -> None:
    bash = Bash(fs, sandbox=SandboxConfig(network=True))
    port, reached = serve_once()
    code = f"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=2); print('connected')"
    result = await bash("python3 -c {}", code)
    assert result.stdout == "connected\n", result.stderr
    assert reached.wait(2)


async def test_cpu_limit_is_named(fs) -> None:
    result = await limited(fs, cpu_seconds=1)("python3 -c 'while True: pass'")
    assert result.exit_code != 0
    assert "cpu_seconds limit" in result.stderr


async def test_memory_limit_is_named(fs) -> None:
    result = await limited(fs, memory_bytes=200 * 1024 * 1024)("python3 -c 'x = bytearray(600 * 1024 * 1024)'")
    assert result.exit_code != 0
    assert "memory_bytes limit" in result.stderr


async def test_file_size_limit_is_named(fs) -> None:
    result = await limited(fs, file_size_bytes=1024 * 1024)(
        'python3 -c \'open("big.bin", "wb").write(b"x" * (4 * 1024 * 1024))\''
    )
    assert result.exit_code != 0
    assert "file_size_bytes limit" in result.stderr


async def test_endless_output_is_bounded(fs) -> None:
    result = await limited(fs, file_size_bytes=1024 * 1024)("yes | head -c 10 > /dev/null; yes")
    assert result.exit_code != 0
    assert "file_size_bytes limit" in result.stderr
    assert len(result.stdout) <= 1024 * 1024


async def test_wall_clock_limit_is_named(fs) -> None:
    result = await limited(fs, wall_clock_seconds=0.5)("python3 -c 'import time; time.sleep(30)'")
    assert result.exit_code == 124
    assert "wall_clock_seconds limit" in result.stderr


async def test_script_timeout_bounds_sandboxed_programs(bash: Bash) -> None:
    from dotdo.primitives.bashx import BashTimeoutError

    with pytest.raises(BashTimeoutError):
        await bash("python3 -c 'import time; time.sleep(30)'; echo never", timeout=0.5)


async def test_sandboxed_program_inside_a_pipeline(bash: Bash, fs) -> None:
    await fs.write("/nums.txt", "3\n1\n2\n")
    code = "import sys; print(sum(int(x) for x in sys.stdin))"
    result = await bash("sort -n nums.txt | python3 -c {} | tr 6 X", code)
    assert (result.stdout, result.tier) == ("X\n", "sandbox")


async def test_symlinks_made_in_the_sandbox_are_not_followed_on_sync(bash: Bash, fs) -> None:
    result = await bash('python3 -c \'import os; os.symlink("/etc/passwd", "pw")\'; cat pw; echo status=$?')
    assert "root:" not in result.stdout
    assert await fs.readlink("/pw") == "/etc/passwd"


async def test_missing_bubblewrap_is_a_clear_error(fs) -> None:
    bash = Bash(fs, sandbox=SandboxConfig(bwrap="/nonexistent/bwrap"))
    result = await bash("python3 -c 'print(1)'")
    assert result.exit_code == 126
    assert "apt-get install -y bubblewrap" in result.stderr


async def test_unknown_program_is_not_found(bash: Bash) -> None:
    result = await bash("definitely_not_a_program_xyz --help", confirm=True)
    assert result.exit_code == 127
    assert "command not found" in result.stderr


async def test_programs_off_the_allow_list_need_confirm(fs) -> None:
    bash = Bash(fs, sandbox=SandboxConfig(allow=frozenset()))
    from dotdo.primitives.bashx import BlockedError

    with pytest.raises(BlockedError):
        await bash("python3 -c 'print(1)'")
    result = await bash("python3 -c 'print(1)'", confirm=True)
    assert (result.stdout, result.tier) == ("1\n", "sandbox")
