import importlib.metadata
import os
import re
import signal
import subprocess
import sys
import time

import httpx
import pytest
from typer.testing import CliRunner

from dotdo import __version__
from dotdo.cli import cli
from tests.conftest import free_port

runner = CliRunner()


def test_version():
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"dotdo {__version__}"


@pytest.mark.parametrize(
    "args", [["--help"], ["dev", "--help"], ["init", "--help"], ["serve", "--help"], ["cluster", "status", "--help"]]
)
def test_every_command_has_help(args):
    result = runner.invoke(cli, args)
    assert result.exit_code == 0 and "Usage" in result.output


def plugin_option():
    """`-p dotdo.pytest_plugin` when this environment's dotdo was installed before its pytest11 entry point."""
    installed = {entry.value for entry in importlib.metadata.entry_points(group="pytest11")}
    return [] if "dotdo.pytest_plugin" in installed else ["-p", "dotdo.pytest_plugin"]


def _dev(cwd, *args):
    return subprocess.Popen(
        [sys.executable, "-m", "dotdo", "dev", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait(port, process, headers=None):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read()
        try:
            return httpx.post(f"http://127.0.0.1:{port}/acme", headers=headers or {}, timeout=2)
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError("dotdo dev did not answer")


def _printed_url(process):
    for _ in range(20):
        found = re.search(r"http://[0-9.]+:[0-9]+", process.stdout.readline())
        if found:
            return found[0]
    raise AssertionError("dotdo dev printed no URL")


def _stop(process):
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def test_init_then_dev_answers_http(tmp_path):
    result = runner.invoke(cli, ["init", str(tmp_path / "shop")])
    assert result.exit_code == 0, result.output
    assert sorted(os.listdir(tmp_path / "shop")) == ["README.md", "app.py", "test_app.py"]
    assert "cd " in result.output and "dotdo dev" in result.output and "dotdo[test]" in result.output
    assert 'pip install "dotdo[test]"\n    pytest' in (tmp_path / "shop" / "README.md").read_text()
    port = free_port()
    server = _dev(tmp_path / "shop", "--port", str(port))
    try:
        assert _wait(port, server).json() == {"name": "acme", "value": 1}
        assert httpx.get(f"http://127.0.0.1:{port}/acme").json() == {"name": "acme", "value": 1}
        printed = _printed_url(server)
        assert printed == f"http://127.0.0.1:{port}"
        home = httpx.get(printed)  # the printed URL answers, and says what a request looks like
        assert home.status_code == 404 and "requests look like /acme/" in home.json()["message"]
    finally:
        _stop(server)
    assert (tmp_path / "shop" / ".dotdo" / "objects" / "Counter").is_dir()
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *plugin_option()],
        cwd=tmp_path / "shop",
        capture_output=True,
        text=True,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr


def test_init_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "file").write_text("x")
    result = runner.invoke(cli, ["init", str(tmp_path / "taken")])
    assert result.exit_code == 1 and "not empty" in result.output


def test_dev_with_token_requires_bearer(tmp_path):
    runner.invoke(cli, ["init", str(tmp_path / "app")])
    port = free_port()
    server = _dev(tmp_path / "app", "--port", str(port), "--token", "T0K", "--data-dir", str(tmp_path / "d"))
    try:
        assert _wait(port, server).status_code == 401
        assert httpx.post(f"http://127.0.0.1:{port}/acme", headers={"authorization": "Bearer T0K"}).status_code == 200
    finally:
        _stop(server)


@pytest.mark.parametrize(
    ("app", "message"),
    [("missing:app", "Could not import module 'missing'"), ("app:nothing", "has no attribute 'nothing'")],
)
def test_dev_explains_a_bad_app(tmp_path, app, message):
    runner.invoke(cli, ["init", str(tmp_path / "x")])
    result = subprocess.run(
        [sys.executable, "-m", "dotdo", "dev", app, "--port", str(free_port())],
        cwd=tmp_path / "x",
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1 and message in " ".join(result.stderr.split())
    assert not (tmp_path / "x" / ".dotdo").exists(), "a failed start leaves no data folder"


def test_dev_explains_a_busy_port(tmp_path):
    import socket

    runner.invoke(cli, ["init", str(tmp_path / "x")])
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "dotdo", "dev", "--port", str(port)],
            cwd=tmp_path / "x",
            capture_output=True,
            text=True,
        )
    assert result.returncode == 1 and f"Port {port}" in result.stderr and "busy" in result.stderr
    assert not (tmp_path / "x" / ".dotdo").exists(), "a failed start leaves no data folder"


def test_dev_explains_an_unwritable_data_folder(tmp_path):
    runner.invoke(cli, ["init", str(tmp_path / "x")])
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("")
    result = subprocess.run(
        [sys.executable, "-m", "dotdo", "dev", "--data-dir", str(blocker / "data"), "--port", str(free_port())],
        cwd=tmp_path / "x",
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1 and "data folder" in " ".join(result.stderr.split())


def test_a_second_dev_on_the_same_data_folder_names_the_first_and_takes_over_when_it_dies(tmp_path):
    runner.invoke(cli, ["init", str(tmp_path / "app")])
    data = tmp_path / "data"
    first_port, second_port, third_port = free_port(), free_port(), free_port()
    first = _dev(tmp_path / "app", "--port", str(first_port), "--data-dir", str(data))
    try:
        assert _wait(first_port, first).json() == {"name": "acme", "value": 1}
        second = subprocess.run(
            [sys.executable, "-m", "dotdo", "dev", "--port", str(second_port), "--data-dir", str(data)],
            cwd=tmp_path / "app",
            capture_output=True,
            text=True,
            timeout=60,
        )
        message = " ".join(second.stderr.split())
        assert second.returncode == 1, second.stderr
        assert f"in use by process {first.pid}" in message and str(data.resolve()) in message
        assert httpx.post(f"http://127.0.0.1:{first_port}/acme").json() == {"name": "acme", "value": 2}
    finally:
        first.kill()
        first.wait()
    third = _dev(tmp_path / "app", "--port", str(third_port), "--data-dir", str(data))
    try:
        assert _wait(third_port, third).json() == {"name": "acme", "value": 3}
    finally:
        _stop(third)


def test_dev_ships_every_commit_to_the_change_log_and_restore_rebuilds_from_it(tmp_path):
    runner.invoke(cli, ["init", str(tmp_path / "app")])
    log, port = tmp_path / "log", free_port()
    args = ["--port", str(port), "--data-dir", str(tmp_path / "data"), "--durability", "replicated"]
    server = _dev(tmp_path / "app", *args, "--replicate-to", str(log))
    try:
        assert _wait(port, server).json() == {"name": "acme", "value": 1}
        assert httpx.post(f"http://127.0.0.1:{port}/acme").json() == {"name": "acme", "value": 2}
    finally:
        _stop(server)
    # Another machine: an empty data folder and the change log alone (a fork of acme into it, too).
    fresh = tmp_path / "fresh"
    restore = ["restore", "Counter", "acme", "--at", "2999-01-01T00:00:00Z", "--to", "copy"]
    result = runner.invoke(cli, [*restore, "--log", str(log), "--data-dir", str(fresh)])
    assert result.exit_code == 0, result.output
    port = free_port()
    server = _dev(tmp_path / "app", "--port", str(port), "--data-dir", str(fresh), "--replicate-to", str(log))
    try:
        assert _wait(port, server).json() == {"name": "acme", "value": 3}
        assert httpx.get(f"http://127.0.0.1:{port}/copy").json() == {"name": "copy", "value": 2}
    finally:
        _stop(server)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--replicate-to", "ftp://host/x"], "Unsupported log store"),
        (["--replicate-to", "s3://"], "names no bucket"),
        (["--replicate-to", "s3://b/p", "--replicate-option", "password=x"], "is not a store option"),
        (["--replicate-option", "region=eu-west-1"], "goes with --replicate-to"),
    ],
)
def test_dev_explains_a_bad_change_log(tmp_path, options, message):
    runner.invoke(cli, ["init", str(tmp_path / "x")])
    result = subprocess.run(
        [sys.executable, "-m", "dotdo", "dev", "--port", str(free_port()), *options],
        cwd=tmp_path / "x",
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1 and message in " ".join(result.stderr.split())
