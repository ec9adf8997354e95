"""Tier 2: programs that are not native run under bubblewrap over a synced copy of the workspace."""

from __future__ import annotations

import shutil
import socket
import tempfile
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
    endless = "import sys\nwhile True: sys.stdout.write('y' * 4096)"
    result = await limited(fs, file_size_bytes=1024 * 1024)("python3 -c {}", endless)
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


# -- Isolation as root: the attacks of the security review, each failing safely -------------------

ATTACKS = r"""
import ctypes, json, os, socket, stat, subprocess, sys

results = {}


def attempt(name, fn):
    try:
        fn()
        results[name] = "succeeded"
    except Exception as exc:  # every failure counts as refused
        results[name] = f"refused: {type(exc).__name__}"


def run(*argv):
    proc = subprocess.run(argv, capture_output=True)
    if proc.returncode != 0:
        raise PermissionError(proc.stderr.decode(errors="replace").strip()[:80])


def mount_syscall(source, target, fstype, flags):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.mount(source, target, fstype, flags, None) != 0:
        raise OSError(ctypes.get_errno(), "mount")


status = dict(line.split(":\t", 1) for line in open("/proc/self/status").read().splitlines() if ":\t" in line)
results["uid"] = os.getuid()
results["CapEff"] = status["CapEff"].strip()
results["CapBnd"] = status["CapBnd"].strip()
attempt("remount /usr rw", lambda: run("mount", "-o", "remount,rw", "/usr"))
attempt("remount syscall", lambda: mount_syscall(b"none", b"/usr", None, 32 | 4096))  # MS_REMOUNT|MS_BIND
attempt("mount tmpfs", lambda: run("mount", "-t", "tmpfs", "none", "/project"))
attempt("mknod", lambda: os.mknod("/project/null", stat.S_IFCHR | 0o666, os.makedev(1, 3)))
attempt("chroot", lambda: os.chroot("/project"))
attempt("raw socket", lambda: socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP))
attempt("packet socket", lambda: socket.socket(socket.AF_PACKET, socket.SOCK_RAW))
attempt("new user namespace", lambda: run("unshare", "--user", "--map-root-user", "true"))
attempt("setuid 0", lambda: os.setuid(0))
attempt("chown a host file", lambda: os.chown("/etc/hosts", os.getuid(), os.getgid()))

# Every mount the sandbox sees other than the workspace and its own scratch space refuses writes.
writable_mounts = {"/", "/tmp", "/dev/shm"}
for line in open("/proc/self/mountinfo"):
    point = line.split()[4].replace("\\040", " ")
    if point in writable_mounts or point.startswith("/proc"):
        continue
    target = point if os.path.isdir(point) else os.path.dirname(point)
    attempt(f"create in {target}", lambda t=target: open(os.path.join(t, "bashx-probe"), "x").close())
    if os.path.isfile(point):
        attempt(f"write {point}", lambda p=point: open(p, "r+b").close())
for path in ("/usr/bin/python3", "/etc/ld.so.cache", "/proc/sys/kernel/hostname", "/proc/sysrq-trigger"):
    attempt(f"write {path}", lambda p=path: open(p, "r+b").close())
print(json.dumps(results))
"""


@pytest.mark.parametrize("network", [False, True])
async def test_a_safe_script_gets_no_privilege_even_when_the_server_is_root(fs, network: bool) -> None:
    import json

    bash = Bash(fs, sandbox=SandboxConfig(network=network))
    await fs.mkdir("/project")
    await fs.write("/project/attack.py", ATTACKS)
    result = await bash("python3 attack.py", cwd="/project")
    assert bash.analyze("python3 attack.py").verdict == "safe"
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report.pop("uid") != 0
    assert report.pop("CapEff") == "0000000000000000"
    assert report.pop("CapBnd") == "0000000000000000"
    succeeded = [name for name, outcome in report.items() if outcome == "succeeded"]
    assert succeeded == [], report
    assert any(name.startswith("create in /usr") for name in report)
    assert not Path("/usr/bashx-probe").exists()
    assert not Path("/etc/bashx-probe").exists()


@pytest.mark.parametrize(
    "links",
    [
        {"/etc": "/oldroot{host}"},
        {"/etc/hosts": "/oldroot{host}/hosts"},
        {"/etc/ssl": "/oldroot{host}/ssl"},
        {"/usr": "/oldroot{host}"},
        {"/tmp": "/oldroot{host}"},
        {"/dev": "/oldroot{host}"},
        {"/proc": "/oldroot{host}"},
        {"/bin": "/oldroot{host}/bin"},
        {"/lib64": "{host}/lib64"},
    ],
)
async def test_object_symlinks_never_become_host_writes(bash: Bash, fs, tmp_path: Path, links: dict) -> None:
    host = tmp_path / "host"
    host.mkdir()
    for link, target in links.items():
        await fs.mkdir(str(Path(link).parent), parents=True, exist_ok=True)
        await fs.symlink(target.format(host=host), link)
    await fs.write("/data.txt", "x")
    for _ in range(2):
        result = await bash("python3 -c 'print(open(\"data.txt\").read())'")
        assert result.stdout == "x\n", result.stderr
    assert list(host.iterdir()) == []
    for link, target in links.items():
        assert await fs.readlink(link) == target.format(host=host)


async def test_a_workspace_link_to_the_host_reaches_nothing(bash: Bash, fs, tmp_path: Path) -> None:
    host = tmp_path / "host"
    host.mkdir()
    (host / "secret.txt").write_text("host secret")
    await fs.symlink(f"/oldroot{host}", "/data")
    await fs.symlink(str(host), "/direct")
    code = (
        "import sys\n"
        "for path in sys.argv[1:]:\n"
        "    try:\n"
        "        print(open(path).read())\n"
        "    except OSError as exc:\n"
        "        print('denied', exc.errno)\n"
        "    try:\n"
        "        open(path + '.new', 'w').write('x')\n"
        "    except OSError as exc:\n"
        "        print('denied', exc.errno)\n"
    )
    result = await bash("python3 -c {} /data/secret.txt /direct/secret.txt", code)
    assert "host secret" not in result.stdout
    assert sorted(p.name for p in host.iterdir()) == ["secret.txt"]


async def test_no_sandbox_scaffolding_reaches_fsx(bash: Bash, fs) -> None:
    await fs.write("/keep.txt", "k")
    for _ in range(3):
        result = await bash("python3 -c 'print(1)'")
        assert (result.stdout, result.exit_code) == ("1\n", 0), result.stderr
    assert sorted(await fs.listdir("/")) == ["keep.txt"]


async def test_the_objects_own_files_at_sandbox_names_are_kept(bash: Bash, fs) -> None:
    await fs.mkdir("/etc")
    await fs.write("/etc/app.conf", "mine")
    await fs.mkdir("/tmp")
    await fs.write("/tmp/scratch", "mine too")
    result = await bash("python3 -c 'import os; print(os.path.exists(\"/etc/app.conf\"))'")
    assert result.stdout == "False\n"
    assert await fs.read("/etc/app.conf") == b"mine"
    assert await fs.read("/tmp/scratch") == b"mine too"
    blocked = await bash("python3 -c 'print(1)'", cwd="/etc")
    assert blocked.exit_code == 126
    assert "belongs to the sandbox" in blocked.stderr


FILL = (
    "import sys\n"
    "written = 0\n"
    "try:\n"
    "    with open(sys.argv[1], 'wb') as f:\n"
    "        for _ in range(300):\n"
    "            f.write(b'x' * 1024 * 1024)\n"
    "            written += 1024 * 1024\n"
    "except OSError as exc:\n"
    "    print('stopped', exc.errno)\n"
    "print(written)\n"
)


@pytest.mark.parametrize("path", ["/tmp/fill", "/dev/shm/fill"])
async def test_scratch_space_is_bounded_by_the_memory_limit(fs, path: str) -> None:
    bash = limited(fs, memory_bytes=64 * 1024 * 1024, file_size_bytes=1024 * 1024 * 1024)
    result = await bash("python3 -c {} {}", FILL, path)
    lines = result.stdout.split()
    assert lines[0] == "stopped", result
    assert int(lines[-1]) <= 64 * 1024 * 1024


async def test_workspace_limit_is_kept_when_syncing_back(fs) -> None:
    await fs.write("/before.txt", "unchanged")
    bash = limited(fs, workspace_bytes=1024 * 1024)
    code = "[open(f'f{i}.bin', 'wb').write(b'x' * 512 * 1024) for i in range(80)]"
    result = await bash("python3 -c {}; echo status=$?", code)
    assert "workspace_bytes limit" in result.stderr
    assert "nothing was synced back" in result.stderr
    assert sorted(await fs.listdir("/")) == ["before.txt"]


async def test_a_growing_workspace_is_stopped_while_running(fs) -> None:
    bash = limited(fs, workspace_bytes=1024 * 1024, file_size_bytes=1024 * 1024)
    code = "import itertools\nfor i in itertools.count():\n    open(f'f{i}', 'wb').write(b'x' * 1000000)\n"
    before = set(Path(tempfile.gettempdir()).glob("bashx-*"))
    result = await bash("python3 -c {}", code)
    assert result.exit_code == 124
    assert "stopped by the workspace_bytes limit" in result.stderr
    assert await fs.listdir("/") == []
    # Every process of the sandbox was gone before its directory was removed: nothing is left.
    assert set(Path(tempfile.gettempdir()).glob("bashx-*")) <= before


async def test_the_scripts_timeout_is_named_as_such(fs) -> None:
    bash = limited(fs, wall_clock_seconds=60)
    result = await bash("python3 -c 'import time; time.sleep(30)'", timeout=1)
    assert result.exit_code == 124
    assert "script's timeout" in result.stderr
    assert "wall_clock_seconds" not in result.stderr


def test_the_sandbox_never_runs_as_host_root() -> None:
    with pytest.raises(ValueError, match="unprivileged"):
        SandboxConfig(host_user=(0, 0))
