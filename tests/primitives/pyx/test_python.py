"""ctx.py: values, output, errors with tracebacks, limits, no network, write-back only on success."""

from __future__ import annotations

import socket
import threading

import pytest

from dotdo.primitives.bashx import SandboxConfig, SandboxExecutor, SandboxLimits
from dotdo.primitives.fsx import FileSystem
from dotdo.primitives.pyx import (
    PyBlockedError,
    PyConfig,
    PyError,
    PyLimitError,
    PySandboxUnavailableError,
    Python,
    SandboxPool,
    parse_memory,
)
from dotdo.primitives.pyx.pool import PoolKey


async def test_last_expression_is_the_value(py: Python) -> None:
    assert (await py("1 + 1")).value == 2
    assert (await py("{'a': [1, 2.5, None, True], 'b': 'x'}")).value == {"a": [1, 2.5, None, True], "b": "x"}
    assert (await py("x = 3")).value is None


async def test_a_value_json_cannot_carry_comes_back_as_its_repr(py: Python) -> None:
    result = await py("class Point:\n    def __repr__(self):\n        return 'Point(1, 2)'\nPoint()")
    assert result.value_is_repr
    assert result.value == "Point(1, 2)"
    assert (await py("{1, 2}")).value == "{1, 2}"


async def test_stdout_stderr_and_duration(py: Python) -> None:
    result = await py("import sys\nprint('out')\nprint('err', file=sys.stderr)\n'done'")
    assert (result.stdout, result.stderr, result.value) == ("out\n", "err\n", "done")
    assert result.duration > 0


async def test_reads_the_objects_files(py: Python, fs: FileSystem) -> None:
    await fs.mkdir("/reports")
    await fs.write("/reports/data.csv", "name,total\na,2\nb,5\n")
    code = "import csv\nrows = list(csv.DictReader(open('data.csv')))\nsum(int(r['total']) for r in rows)"
    assert (await py(code, cwd="/reports")).value == 7


async def test_writes_come_back_on_success(py: Python, fs: FileSystem) -> None:
    await fs.write("/old.txt", "old")
    code = "import os, pathlib\npathlib.Path('new.txt').write_text('new')\nos.remove('old.txt')\nos.makedirs('d/e')"
    result = await py(code)
    assert await fs.read("/new.txt") == b"new"
    assert not await fs.exists("/old.txt")
    assert await fs.is_dir("/d/e")
    assert set(result.changed) >= {"/new.txt", "/old.txt", "/d"}


async def test_error_has_the_sandbox_traceback_and_writes_nothing(py: Python, fs: FileSystem) -> None:
    await fs.write("/keep.txt", "keep")
    code = "open('partial.txt', 'w').write('x')\nopen('keep.txt', 'w').write('lost')\ndef f():\n    1 / 0\nf()"
    with pytest.raises(PyError) as caught:
        await py(code)
    error = caught.value
    assert error.type_name == "ZeroDivisionError"
    assert 'File "<py>", line 5, in <module>' in error.traceback
    assert 'File "<py>", line 4, in f' in error.traceback
    assert "1 / 0" in error.traceback
    assert "sandbox_main" not in error.traceback
    assert not await fs.exists("/partial.txt")
    assert await fs.read("/keep.txt") == b"keep"


async def test_syntax_error_is_reported_without_running(py: Python) -> None:
    with pytest.raises(PyError, match="SyntaxError") as caught:
        await py("def broken(:\n  pass")
    assert caught.value.type_name == "SyntaxError"


async def test_nonzero_exit_is_an_error_and_zero_is_not(py: Python) -> None:
    with pytest.raises(PyError, match="SystemExit: 3"):
        await py("import sys; sys.exit(3)")
    assert (await py("import sys; sys.exit(0)")).value is None


async def test_time_limit_stops_the_code_and_writes_nothing(py: Python, fs: FileSystem) -> None:
    with pytest.raises(PyLimitError) as caught:
        await py("open('half.txt', 'w').write('x')\nwhile True:\n    pass", timeout=1)
    assert caught.value.limit == "timeout"
    assert "timeout=" in str(caught.value)
    assert not await fs.exists("/half.txt")


async def test_memory_limit_stops_the_code_and_writes_nothing(py: Python, fs: FileSystem) -> None:
    with pytest.raises(PyLimitError) as caught:
        await py("open('half.txt', 'w').write('x')\nblock = bytearray(400 * 1024 * 1024)", memory="128MB")
    assert caught.value.limit == "memory"
    assert not await fs.exists("/half.txt")
    assert (await py("len(bytearray(40 * 1024 * 1024))", memory="256MB")).value == 40 * 1024 * 1024


async def test_output_past_the_file_size_limit_stops_the_code(fs: FileSystem) -> None:
    limits = SandboxLimits(file_size_bytes=1024 * 1024, wall_clock_seconds=60.0)
    pool = SandboxPool(SandboxExecutor(SandboxConfig(limits=limits)), size=0)
    try:
        py = Python(fs, pool=pool, config=PyConfig(limits=limits))
        with pytest.raises(PyLimitError) as caught:
            await py("import sys\nwhile True:\n    sys.stdout.write('x' * 65536)", timeout=30)
        assert caught.value.limit == "file_size_bytes"
    finally:
        pool.close()


async def test_a_machine_without_bubblewrap_is_told_what_to_install(fs: FileSystem) -> None:
    pool = SandboxPool(SandboxExecutor(SandboxConfig(bwrap="/nonexistent/bwrap")), size=0)
    with pytest.raises(PySandboxUnavailableError, match="apt-get install -y bubblewrap"):
        await Python(fs, pool=pool)("1 + 1")


def _listener() -> tuple[socket.socket, int, threading.Event]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    reached = threading.Event()

    def accept() -> None:
        try:
            conn, _ = server.accept()
        except OSError:
            return
        reached.set()
        conn.close()

    threading.Thread(target=accept, daemon=True).start()
    return server, server.getsockname()[1], reached


async def test_no_network_unless_granted(py: Python) -> None:
    server, port, reached = _listener()
    code = f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2).close()\n'connected'"
    try:
        with pytest.raises(PyError) as caught:
            await py(code, confirm=True)
        assert caught.value.type_name in ("ConnectionRefusedError", "OSError")
        assert not reached.is_set()
        assert (await py(code, confirm=True, network=True)).value == "connected"
        assert reached.wait(5)
    finally:
        server.close()


async def test_host_files_are_out_of_reach(py: Python, tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("host secret")
    code = f"import os\n[os.path.exists({str(secret)!r}), os.path.exists('/root'), sorted(os.listdir('/'))]"
    exists, root, listing = (await py(code)).value
    assert not exists
    assert not root
    assert "object.sqlite" not in listing


async def test_code_that_needs_confirmation_is_refused_and_nothing_runs(py: Python, fs: FileSystem) -> None:
    code = "import os\nopen('ran.txt', 'w').write('x')\nos.system('true')"
    with pytest.raises(PyBlockedError, match="needs_confirm") as caught:
        await py(code)
    assert caught.value.analysis.verdict == "needs_confirm"
    assert not await fs.exists("/ran.txt")
    await py(code, confirm=True)
    assert await fs.exists("/ran.txt")


async def test_blocked_code_never_runs_even_confirmed(py: Python) -> None:
    with pytest.raises(PyBlockedError, match="blocked"):
        await py("import ctypes\nctypes.string_at(0)", confirm=True)


async def test_the_pool_keeps_sandboxes_warm(py: Python) -> None:
    await py("1")
    assert py.pool.ready_count(PoolKey(py.config.python, None, False)) == 1


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"timeout": -1}, ValueError, "timeout"),
        ({"timeout": 10_000}, ValueError, "wall_clock_seconds"),
        ({"memory": "lots"}, ValueError, "256MB"),
        ({"memory": 10**15}, ValueError, "memory_bytes"),
        ({"cwd": "relative"}, ValueError, "absolute"),
        ({"cwd": "/missing"}, FileNotFoundError, "not a folder"),
        ({"cwd": "/etc"}, ValueError, "belongs to the sandbox"),
        ({"packages": "pandas"}, TypeError, "list of requirements"),
    ],
)
async def test_bad_arguments_are_refused_clearly(py: Python, kwargs, error, match) -> None:
    with pytest.raises(error, match=match):
        await py("1", **kwargs)


def test_memory_sizes() -> None:
    assert parse_memory("256MB") == 256_000_000
    assert parse_memory("1GiB") == 1024**3
    assert parse_memory("512k") == 512_000
    assert parse_memory(4096) == 4096
    with pytest.raises(ValueError):
        parse_memory("-1MB")
