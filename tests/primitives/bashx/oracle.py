"""Run corpus scripts with real bash on a temp directory and with bashx on fsx, and compare."""

from __future__ import annotations

import atexit
import os
import re
import shutil
import signal
import stat
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from dotdo.primitives.bashx import Bash, BashSyntaxError
from dotdo.primitives.fsx import FileSystem
from dotdo.runtime.storage import Storage

CORPUS = Path(__file__).parent / "corpus"
SEED = CORPUS / "seed"
FIXED_MTIME = 1_704_067_200.0  # 2024-01-01T00:00:00Z: both sides start from the same times
CASE_RE = re.compile(r"^#### (\S+)[ \t]*$", re.M)


@dataclass
class Case:
    """One corpus script with its directives (``#! stderr: ignore``, ``#! differs: reason``)."""

    name: str
    script: str
    ignore_stderr: bool = False
    differs: str | None = None
    directives: dict[str, str] = field(default_factory=dict)


@dataclass
class Outcome:
    """What one side produced."""

    stdout: bytes
    stderr: bytes
    status: int
    files: dict[str, tuple[str, bytes]]


def load_cases() -> list[Case]:
    """Every case of every ``corpus/*.sh`` file, named ``file:case``."""
    cases: list[Case] = []
    for path in sorted(CORPUS.glob("*.sh")):
        text = path.read_text()
        chunks = CASE_RE.split(text)
        for name, body in zip(chunks[1::2], chunks[2::2], strict=True):
            directives = dict(re.findall(r"^#! (\S+): ?(.*)$", body, re.M))
            script = re.sub(r"^#! .*\n", "", body, flags=re.M).strip("\n") + "\n"
            cases.append(
                Case(
                    f"{path.stem}:{name}",
                    script,
                    ignore_stderr=directives.get("stderr") == "ignore",
                    differs=directives.get("differs"),
                    directives=directives,
                )
            )
    return cases


def seed_host(root: Path) -> None:
    """Copy the seed files into ``root`` with fixed modification times."""
    shutil.copytree(SEED, root, dirs_exist_ok=True)
    for path in sorted(root.rglob("*"), reverse=True):
        os.utime(path, (FIXED_MTIME, FIXED_MTIME), follow_symlinks=False)
    os.utime(root, (FIXED_MTIME, FIXED_MTIME))


def seed_fsx(fs: FileSystem) -> None:
    """Copy the seed files into fsx with the same times."""
    sync = fs.sync
    for path in sorted(SEED.rglob("*")):
        rel = "/" + path.relative_to(SEED).as_posix()
        if path.is_dir():
            sync.mkdir(rel, parents=True, exist_ok=True)
        else:
            sync.write(rel, path.read_bytes())
    for path in sorted(SEED.rglob("*"), reverse=True):
        rel = "/" + path.relative_to(SEED).as_posix()
        sync.utime(rel, (FIXED_MTIME, FIXED_MTIME))


def host_tree(root: Path) -> dict[str, tuple[str, bytes]]:
    """Every path under ``root`` with its kind and contents (link target for symlinks)."""
    tree: dict[str, tuple[str, bytes]] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode):
            tree[rel] = ("link", os.readlink(path).encode())
        elif stat.S_ISDIR(st.st_mode):
            tree[rel] = ("dir", b"")
        else:
            tree[rel] = ("file", path.read_bytes())
    return tree


def fsx_tree(fs: FileSystem) -> dict[str, tuple[str, bytes]]:
    """The same listing for fsx."""
    sync = fs.sync
    tree: dict[str, tuple[str, bytes]] = {}
    stack = ["/"]
    while stack:
        directory = stack.pop()
        for name in sync.listdir(directory):
            path = directory.rstrip("/") + "/" + name
            st = sync.lstat(path)
            rel = path.lstrip("/")
            if stat.S_ISLNK(st.st_mode):
                tree[rel] = ("link", sync.readlink(path).encode())
            elif stat.S_ISDIR(st.st_mode):
                tree[rel] = ("dir", b"")
                stack.append(path)
            else:
                tree[rel] = ("file", sync.read(path))
    return dict(sorted(tree.items()))


def with_default_signals() -> None:
    """In the child, before bash starts: SIGPIPE at its default and unblocked, as under a terminal.

    A long test process may have SIGPIPE blocked (threads of libraries loaded by earlier tests),
    and a child inherits the mask: `yes | head -1` would then see EPIPE (status 1) instead of dying
    of SIGPIPE (141), and `while true; do echo; done | head` would never end.
    """
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGPIPE})


def real_bash_output(script: str) -> tuple[str, int]:
    """Real bash's stdout and status for `script` (no folder of its own, SIGPIPE at its default)."""
    proc = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        preexec_fn=with_default_signals,
    )
    return proc.stdout, proc.returncode


def run_bash(script: str, root: Path) -> Outcome:
    """Real bash, in ``root``, with a fixed locale and no profile."""
    env = {"LC_ALL": "C", "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/", "TZ": "UTC"}
    proc = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", script],
        cwd=root,
        env=env,
        capture_output=True,
        timeout=30,
        check=False,
        preexec_fn=with_default_signals,
    )
    return Outcome(proc.stdout, proc.stderr, proc.returncode, host_tree(root))


_TEMPLATE: dict[str, Path] = {}


def seeded_database(db: Path) -> None:
    """Write a seeded fsx database to ``db`` (seeded once per process, then copied)."""
    template = _TEMPLATE.get("path")
    if template is None:
        import tempfile

        folder = tempfile.mkdtemp(prefix="bashx-seed-")
        atexit.register(shutil.rmtree, folder, True)
        template = Path(folder) / "seed.sqlite"
        storage = Storage(template)
        seed_fsx(FileSystem(storage))
        storage.commit()
        storage.close()
        _TEMPLATE["path"] = template
    shutil.copyfile(template, db)


def run_bashx(script: str, db: Path) -> Outcome:
    """bashx on a fresh fsx seeded with the same files."""
    seeded_database(db)
    fs = FileSystem(Storage(db))
    bash = Bash(fs, sandbox=False)
    try:
        result = bash.run_sync(script, confirm=True, timeout=30)
    except BashSyntaxError as exc:
        return Outcome(b"", f"bash: {exc}\n".encode(), 2, fsx_tree(fs))
    return Outcome(
        result.stdout.encode("utf-8", "surrogateescape"),
        result.stderr.encode("utf-8", "surrogateescape"),
        result.exit_code,
        fsx_tree(fs),
    )


def compare(case: Case, tmp: Path) -> list[str]:
    """Differences between bash and bashx for ``case`` (empty when they agree)."""
    host = tmp / "host"
    host.mkdir()
    seed_host(host)
    expected = run_bash(case.script, host)
    actual = run_bashx(case.script, tmp / "object.sqlite")
    problems: list[str] = []
    if expected.stdout != actual.stdout:
        problems.append(f"stdout: bash {expected.stdout!r} != bashx {actual.stdout!r}")
    if not case.ignore_stderr and expected.stderr != actual.stderr:
        problems.append(f"stderr: bash {expected.stderr!r} != bashx {actual.stderr!r}")
    if expected.status != actual.status:
        problems.append(f"exit code: bash {expected.status} != bashx {actual.status}")
    if expected.files != actual.files:
        only_host = sorted(set(expected.files) - set(actual.files))
        only_fsx = sorted(set(actual.files) - set(expected.files))
        changed = sorted(k for k in set(expected.files) & set(actual.files) if expected.files[k] != actual.files[k])
        problems.append(f"files: only in bash {only_host}, only in bashx {only_fsx}, different {changed}")
    return problems
