"""The operator commands (objects, sql, kv, alarms, tail, export, import, bash): against a server, then its folder."""

import json
import select
import subprocess
import sys
import tarfile

import httpx
import pytest
from typer.testing import CliRunner

from dotdo.cli import cli

runner = CliRunner()


def run(*args):
    return runner.invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def stopped_folder(dev_server, tmp_path_factory):
    """The server's data folder once the server has stopped (after the server-side tests of this module)."""
    dev_server.stop()
    return dev_server.data_dir


def test_objects_sql_kv_and_alarms_against_a_running_server(dev_server):
    url = ("--url", dev_server.url)
    listed = run("objects", *url)
    assert listed.exit_code == 0 and "acme" in listed.output and "globex" in listed.output and "live" in listed.output
    only = run("objects", "Shop", "--search", "glob", *url)
    assert "globex" in only.output and "acme" not in only.output
    rows = run("sql", "Shop", "acme", "SELECT item FROM orders ORDER BY item", *url)
    assert rows.exit_code == 0 and rows.output.index("anvil") < rows.output.index("magnet") < rows.output.index(
        "rocket"
    )
    refused = run("sql", "Shop", "acme", "DELETE FROM orders", *url)
    assert refused.exit_code == 1 and "read-only" in said(refused)
    assert run("kv", "Shop", "acme", "get", "last_item", *url).output.strip() == '"magnet"'
    assert "last_item" in run("kv", "Shop", "acme", "list", *url).output
    assert run("kv", "Shop", "acme", "get", "nope", *url).exit_code == 1
    alarms = run("alarms", "Shop", "acme", *url)
    assert alarms.exit_code == 0 and "│ alarm " in alarms.output


def test_folder_commands_refuse_to_race_a_running_server(dev_server):
    folder = ("--data-dir", str(dev_server.data_dir))
    httpx.get(f"{dev_server.url}/acme").raise_for_status()  # live, its database held by the server
    busy = run("sql", "Shop", "acme", "SELECT 1", *folder)
    assert busy.exit_code == 1 and "--url" in said(busy)
    write = run("sql", "Shop", "acme", "DELETE FROM orders", "--write", *folder)
    assert write.exit_code == 1 and "in use" in said(write).lower()
    assert httpx.get(f"{dev_server.url}/acme").json()["orders"] == 3


def test_sql_write_export_and_tail_against_a_running_server(dev_server, tmp_path):
    url = ("--url", dev_server.url)
    written = run("sql", "Shop", "globex", "INSERT INTO orders (item) VALUES ('spring')", "--write", *url)
    assert written.exit_code == 0 and "1 row written" in written.output
    assert httpx.get(f"{dev_server.url}/globex").json()["orders"] == 2
    archive = tmp_path / "acme.tar.gz"
    assert run("export", "Shop", "acme", "-o", str(archive), *url).exit_code == 0
    with tarfile.open(archive) as tar:
        assert {"manifest.json", "object.sqlite"} <= set(tar.getnames())
        assert json.load(tar.extractfile("manifest.json"))["name"] == "acme"
    tail = subprocess.Popen(
        [sys.executable, "-m", "dotdo", "tail", "--url", dev_server.url], stdout=subprocess.PIPE, text=True
    )
    try:
        line = ""
        for _ in range(100):  # until tail follows: requests made before it connected are not printed
            httpx.get(f"{dev_server.url}/initech")
            if select.select([tail.stdout], [], [], 0.2)[0]:
                line = tail.stdout.readline()
                if "request" in line:
                    break
        assert "Shop initech request GET /initech → 200" in line
    finally:
        tail.kill()
        tail.wait()
        tail.stdout.close()


def test_every_command_on_the_folder_once_the_server_stopped(stopped_folder, tmp_path):
    folder = ("--data-dir", str(stopped_folder))
    listed = run("objects", *folder)
    assert listed.exit_code == 0 and "acme" in listed.output and "evicted" in listed.output
    assert "rocket" in run("sql", "Shop", "acme", "SELECT item FROM orders", *folder).output
    assert run("kv", "Shop", "acme", "get", "last_item", *folder).output.strip() == '"magnet"'
    assert "alarm" in run("alarms", "Shop", "acme", *folder).output
    written = run("sql", "Shop", "acme", "DELETE FROM orders WHERE item = 'rocket'", "--write", *folder)
    assert written.exit_code == 0 and "1 row written" in written.output
    archive = tmp_path / "acme.tar.gz"
    assert run("export", "Shop", "acme", "-o", str(archive), *folder).exit_code == 0
    other = tmp_path / "other"
    imported = run("import", str(archive), "--name", "acme-copy", "--data-dir", str(other))
    assert imported.exit_code == 0, imported.output
    copy = run("sql", "Shop", "acme-copy", "SELECT item FROM orders ORDER BY id", "--data-dir", str(other))
    assert "anvil" in copy.output and "magnet" in copy.output and "rocket" not in copy.output
    assert "acme-copy" in run("objects", "--data-dir", str(other)).output
    again = run("import", str(archive), "--name", "acme-copy", "--data-dir", str(other))
    assert again.exit_code == 1 and "--force" in said(again)
    shell = run("bash", "Shop", "acme", "-c", "echo hello > note.txt && cat note.txt", *folder)
    assert shell.exit_code == 0 and shell.output.strip() == "hello"


def said(result):
    """What a command printed, with Rich's line wrapping undone."""
    return " ".join(result.output.split())


def test_commands_explain_bad_input(tmp_path):
    assert "not a dotdo data folder" in said(run("objects", "--data-dir", str(tmp_path)))
    unreachable = run("objects", "--url", "http://127.0.0.1:9")
    assert unreachable.exit_code == 1 and "Cannot reach" in said(unreachable)
    not_archive = tmp_path / "x.tar.gz"
    not_archive.write_text("nope")
    assert "Cannot read" in said(run("import", str(not_archive), "--data-dir", str(tmp_path / "d")))
    both = run("objects", "--url", "http://127.0.0.1:9", "--data-dir", str(tmp_path))
    assert both.exit_code == 1 and "not both" in said(both)
