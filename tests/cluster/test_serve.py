"""`dotdo serve` refuses bad input before starting anything, with what to do (its Ray runs are in ray_scenarios.py)."""

import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dotdo.cli import cli
from tests.conftest import free_port

HERE = Path(__file__).parent
runner = CliRunner()


@pytest.fixture(autouse=True)
def in_the_app_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE)


def test_zero_workers_is_refused() -> None:
    result = runner.invoke(cli, ["serve", "cluster_app:app", "--workers", "0", "--port", str(free_port())])
    assert result.exit_code == 1
    assert "--workers must be at least 1" in result.output


def test_an_unknown_ray_address_is_refused_at_once(tmp_path: Path) -> None:
    port = free_port()
    args = ["serve", "cluster_app:app", "--ray", f"127.0.0.1:{port}", "--port", str(free_port())]
    result = runner.invoke(cli, [*args, "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert f"No Ray cluster answers at 127.0.0.1:{port}" in result.output
    assert "ray start --head" in result.output


def test_a_malformed_ray_address_is_refused(tmp_path: Path) -> None:
    args = ["serve", "cluster_app:app", "--ray", "nowhere", "--port", str(free_port()), "--data-dir", str(tmp_path)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert "'nowhere' is not a Ray address" in result.output


def test_a_missing_app_is_refused() -> None:
    result = runner.invoke(cli, ["serve", "no_such_module:app", "--port", str(free_port())])
    assert result.exit_code == 1
    assert "Could not import module 'no_such_module'" in result.output


def test_cluster_status_explains_an_address_where_nothing_serves() -> None:
    result = runner.invoke(cli, ["cluster", "status", "--url", f"http://127.0.0.1:{free_port()}"])
    assert result.exit_code == 1
    assert "Is `dotdo serve` running there?" in " ".join(result.output.split())


def test_a_cluster_name_that_is_not_one_is_refused() -> None:
    for bad in ("", "two words", "a:b", "x" * 65):
        result = runner.invoke(cli, ["serve", "cluster_app:app", "--name", bad, "--port", str(free_port())])
        assert result.exit_code == 1, bad
        assert "is not a cluster name" in " ".join(result.output.split()), bad


def test_a_busy_port_is_refused_before_ray_starts_without_ray_address() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(cli, ["serve", "cluster_app:app", "--port", str(port)])
    assert result.exit_code == 1
    assert f"Port {port} on 127.0.0.1 is busy" in " ".join(result.output.split())


def test_replicated_durability_without_a_change_log_is_refused() -> None:
    result = runner.invoke(cli, ["serve", "cluster_app:app", "--durability", "replicated", "--port", str(free_port())])
    assert result.exit_code == 1 and "needs --replicate-to" in " ".join(result.output.split())


def test_a_bad_change_log_option_is_refused() -> None:
    args = ["serve", "cluster_app:app", "--replicate-to", "s3://b/p", "--replicate-option", "endpoint"]
    result = runner.invoke(cli, [*args, "--port", str(free_port())])
    assert result.exit_code == 1 and "is not a store option" in " ".join(result.output.split())
