"""GNU bash's own test suite as the oracle for bashx.

Each ``upstream/*.tests`` file (bash 5.2's ``tests/`` folder, GPLv3, kept apart from our MIT code)
is cut into cases at its top-level blank-line boundaries: a marker line that prints the case number
and ``$?`` goes in front of each part, and the whole file runs once under real bash (in a copy of
the folder) and once under bashx (on fsx seeded with the same files at the same absolute path).
Both outputs are split at the markers and each case's stdout, including the status the marker
printed, is compared byte for byte. A case bashx never reached because it raised a Python error or
ran past its timeout counts as crashed.

Run the whole suite and print the table: ``python tests/primitives/bashx/bash_suite/run.py``.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

UPSTREAM = Path(__file__).parent / "upstream"
BASELINE = Path(__file__).parent / "baseline.json"
MARKER = "@@bashx-suite-case"
MARKER_RE = re.compile(rb"\n?" + MARKER.encode() + rb" (\d+) status=(\d+)\n")
FILE_TIMEOUT = 60.0
"""Seconds each side may spend on one test file: a hang ends here. Some files start thousands of
subshells (read.tests runs 2,000 of them), which take bash itself close to 20 s on a busy machine."""

EXCLUDED: dict[str, str] = {
    "complete.tests": "programmable completion (complete/compgen) serves an interactive terminal",
    "histexp.tests": "history expansion works only in an interactive shell with history",
    "history.tests": "the history list belongs to an interactive shell",
    "jobs.tests": "job control (set -m, fg, bg, suspend) needs a controlling terminal",
    "dbg-support.tests": "debugger support (extdebug, DEBUG traps over bash's own line table) is a bash internal",
    "dbg-support2.tests": "debugger support (extdebug) is a bash internal",
    "rsh.tests": "the restricted shell is a property of how bash is started, not of a script",
    "exportfunc.tests": "exported functions travel through a real process environment (BASH_FUNC_* variables)",
    "intl.tests": "needs a UTF-8 locale; the suite runs both shells under LC_ALL=C",
}
"""Test files that cannot apply to a shell inside an object, each with its reason."""

STANDARD_FOLDERS = ("/bin", "/etc", "/tmp", "/usr")
"""Top-level folders every system has: bashx's filesystem gets them empty."""
ENV = {"LC_ALL": "C", "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/", "TZ": "UTC", "THIS_SH": "bash"}


@dataclass
class FileReport:
    """How one test file fared: its cases and how many bashx got identical."""

    name: str
    cases: int = 0
    identical: int = 0
    different: int = 0
    crashed: int = 0
    failures: list[str] = field(default_factory=list)
    crash: str | None = None


def applicable_files() -> list[str]:
    """Every upstream test file that applies, by name."""
    return sorted(p.name for p in UPSTREAM.glob("*.tests") if p.name not in EXCLUDED)


def cut_points(source: str) -> list[int]:
    """0-based line numbers where a new case starts: a line at column 0 after a blank line, where
    real bash (``bash -n``) finds the text before it complete (no open compound, quote or here-doc)."""
    lines = source.split("\n")
    points: list[int] = []
    for number in range(1, len(lines)):
        line = lines[number]
        if lines[number - 1].strip() or not line.strip() or line[0].isspace() or line.startswith(("}", ")")):
            continue
        prefix = "\n".join(lines[:number]) + "\n"
        check = subprocess.run(
            ["bash", "--norc", "--noprofile", "-n", "-c", prefix],
            capture_output=True,
            env=ENV,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        if b"unexpected end of file" not in check.stderr and b"here-document" not in check.stderr:
            points.append(number)
    return points


def marked(source: str) -> tuple[str, int]:
    """``source`` with a case marker before each case; returns (script, number of markers)."""
    lines = source.split("\n")
    points = set(cut_points(source))
    out: list[str] = []
    count = 0
    for number, line in enumerate(lines):
        if number in points:
            count += 1
            out.append(f"printf '\\n{MARKER} %d status=%d\\n' {count} \"$?\"")
        out.append(line)
    count += 1
    out.append(f"printf '\\n{MARKER} %d status=%d\\n' {count} \"$?\"")
    return "\n".join(out) + "\n", count


def split_cases(stdout: bytes) -> dict[int, bytes]:
    """Case number -> the output that came before its marker, with the status the marker printed."""
    cases: dict[int, bytes] = {}
    pos = 0
    for match in MARKER_RE.finditer(stdout):
        number = int(match.group(1))
        if number not in cases:
            cases[number] = stdout[pos : match.start()] + b" status=" + match.group(2)
        pos = match.end()
    return cases


def prepare_host(root: Path) -> Path:
    """A copy of the upstream folder under ``root`` (bash and bashx both run there)."""
    folder = root / "tests"
    shutil.copytree(UPSTREAM, folder)
    (root / "tmp").mkdir()
    return folder


def _default_signals() -> None:
    """In bash's process before it starts: the signals a script may trap at their defaults.

    A runner started in the background inherits SIGINT and SIGQUIT ignored, and bash then refuses
    to trap them (``trap`` lists them as ``''``): the oracle would depend on how it was started.
    """
    for number in (signal.SIGINT, signal.SIGQUIT, signal.SIGPIPE):
        signal.signal(number, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGQUIT, signal.SIGPIPE})


def run_bash(script: str, cwd: Path) -> bytes:
    """Real bash's stdout for ``script`` run in ``cwd`` (stderr folded away, stdin empty)."""
    try:
        proc = subprocess.run(
            ["bash", "--norc", "--noprofile", "-c", script],
            cwd=cwd,
            env={**ENV, "TMPDIR": str(cwd.parent / "tmp")},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=FILE_TIMEOUT,
            check=False,
            preexec_fn=_default_signals,
        )
    except subprocess.TimeoutExpired as exc:
        return exc.stdout or b""
    return proc.stdout


def _bashx_child(script: str, cwd: str, db: str, conn: multiprocessing.connection.Connection) -> None:
    from dotdo.primitives.bashx import Bash, BashError, BashTimeoutError
    from dotdo.primitives.fsx import FileSystem
    from dotdo.runtime.storage import Storage

    fs = FileSystem(Storage(Path(db)))
    seed(fs, Path(cwd))
    tmp = str(Path(cwd).parent / "tmp")
    fs.sync.mkdir(tmp, parents=True, exist_ok=True)
    for folder in STANDARD_FOLDERS:  # the tests cd into them, as into any system's
        fs.sync.mkdir(folder, parents=True, exist_ok=True)
    bash = Bash(fs, sandbox=False)
    try:
        # Both shells see the same user id (bashx runs as 1000 unless told otherwise).
        ids = {"UID": str(os.getuid()), "EUID": str(os.geteuid())}
        result = bash.run_sync(script, confirm=True, cwd=cwd, env={**ENV, **ids, "TMPDIR": tmp}, timeout=FILE_TIMEOUT)
        conn.send((result.stdout.encode("utf-8", "surrogateescape"), None))
    except BashTimeoutError as exc:
        conn.send((b"", f"timeout: {exc}"))
    except BashError as exc:
        conn.send((b"", None))
        print(f"refused: {exc}", file=sys.stderr)
    except BaseException as exc:
        conn.send((b"", "python exception: " + "".join(traceback.format_exception_only(exc)).strip()))


def seed(fs: object, folder: Path) -> None:
    """Copy ``folder`` into fsx at the same absolute path."""
    sync = fs.sync  # type: ignore[attr-defined]
    sync.mkdir(str(folder), parents=True, exist_ok=True)
    for path in sorted(folder.rglob("*")):
        if path.is_dir():
            sync.mkdir(str(path), parents=True, exist_ok=True)
        else:
            sync.write(str(path), path.read_bytes())


def run_bashx(script: str, cwd: Path) -> tuple[bytes, str | None]:
    """bashx's stdout for ``script`` (in a forked process, so a hang can be ended); and any crash."""
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe(duplex=False)
    db = cwd.parent / "object.sqlite"
    process = context.Process(target=_bashx_child, args=(script, str(cwd), str(db), child), daemon=True)
    process.start()
    child.close()
    outcome: tuple[bytes, str | None] = (b"", f"hang: no answer within {FILE_TIMEOUT + 90:.0f} s")
    if parent.poll(FILE_TIMEOUT + 90):
        try:
            outcome = parent.recv()
        except EOFError:
            outcome = (b"", "the interpreter process died")
    else:
        process.kill()
    process.join(5)
    for leftover in (db, Path(str(db) + "-wal"), Path(str(db) + "-shm")):
        leftover.unlink(missing_ok=True)
    return outcome


def run_file(name: str) -> FileReport:
    """Run one test file under both shells and compare it case by case."""
    source = (UPSTREAM / name).read_text(encoding="utf-8", errors="surrogateescape")
    script, _ = marked(source)
    report = FileReport(name)
    with tempfile.TemporaryDirectory(prefix="bash-suite-") as root:
        folder = prepare_host(Path(root))
        expected = split_cases(run_bash(script, folder))
        shutil.rmtree(folder)
        shutil.rmtree(Path(root) / "tmp")
        folder = prepare_host(Path(root))
        stdout, crash = run_bashx(script, folder)
    actual = split_cases(stdout)
    report.crash = crash
    for number, want in sorted(expected.items()):
        report.cases += 1
        got = actual.get(number)
        if got == want:
            report.identical += 1
        elif got is None and crash is not None:
            report.crashed += 1
        else:
            report.different += 1
            report.failures.append(f"case {number}: bash {want[-300:]!r} != bashx {(got or b'')[-300:]!r}")
    return report


def run_files(names: Iterable[str]) -> list[FileReport]:
    """Reports for ``names`` in order."""
    return [run_file(name) for name in names]


def table(reports: list[FileReport]) -> str:
    """The per-file table with a total line."""
    rows = [f"{'file':<22}{'cases':>7}{'identical':>11}{'different':>11}{'crashed':>9}"]
    for r in reports:
        rows.append(f"{r.name:<22}{r.cases:>7}{r.identical:>11}{r.different:>11}{r.crashed:>9}")
    cases = sum(r.cases for r in reports)
    same = sum(r.identical for r in reports)
    rows.append(
        f"{'total':<22}{cases:>7}{same:>11}{sum(r.different for r in reports):>11}"
        f"{sum(r.crashed for r in reports):>9}   {100 * same / max(cases, 1):.1f}% identical"
    )
    return "\n".join(rows)


def load_baseline() -> dict[str, int]:
    """Identical cases per file as last recorded (the floor a run may not fall below)."""
    if not BASELINE.exists():
        return {}
    return {k: int(v) for k, v in json.loads(BASELINE.read_text())["identical"].items()}


def save_baseline(reports: list[FileReport]) -> None:
    """Record the identical counts, keeping the higher of old and new per file."""
    old = load_baseline()
    merged = dict(old)
    for r in reports:
        merged[r.name] = max(r.identical, old.get(r.name, 0))
    cases = json.loads(BASELINE.read_text())["cases"] if BASELINE.exists() else {}
    cases.update({r.name: r.cases for r in reports})
    data = {
        "bash": "5.2 (tests/ of the bash-5.2 release)",
        "identical": dict(sorted(merged.items())),
        "cases": dict(sorted(cases.items())),
    }
    BASELINE.write_text(json.dumps(data, indent=1) + "\n")
