"""Tier 1 never touches the host: every path, symlink and redirect stays inside the object's fsx."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dotdo.primitives.bashx import Bash

HOST_SECRETS = ["/etc/passwd", "/etc/hostname", "/proc/self/status"]


@pytest.fixture
def host_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "host"
    folder.mkdir()
    (folder / "secret.txt").write_text("host secret\n")
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


async def test_absolute_host_paths_resolve_inside_fsx(bash: Bash, fs, host_dir: Path) -> None:
    before = snapshot(host_dir)
    script = f"""
    cat /etc/passwd; echo "status=$?"
    echo owned > {host_dir}/secret.txt
    mkdir -p {host_dir}/made && echo x > {host_dir}/made/f
    rm -f {host_dir}/secret.txt
    cp {host_dir}/secret.txt /copied 2>/dev/null; echo "cp=$?"
    """
    result = await bash(script)
    assert "No such file or directory" in result.stderr
    assert "root:" not in result.stdout
    assert snapshot(host_dir) == before
    assert (host_dir / "secret.txt").read_text() == "host secret\n"
    assert await fs.exists(f"{host_dir}/made/f")


async def test_dotdot_cannot_climb_out(bash: Bash, fs) -> None:
    await fs.mkdir("/a/b", parents=True)
    result = await bash(
        "cd a/b; cd ../../../../..; pwd; ls ../../../etc 2>&1; echo x > ../../../../escape.txt", cwd="/"
    )
    assert result.stdout.splitlines()[0] == "/"
    assert await fs.exists("/escape.txt")


async def test_symlinks_point_inside_fsx(bash: Bash, fs) -> None:
    result = await bash("ln -s /etc/passwd p; cat p; echo status=$?; ln -s /etc e; ls e")
    assert "root:" not in result.stdout
    assert "status=1" in result.stdout


@pytest.mark.parametrize("path", HOST_SECRETS)
async def test_reading_host_files_fails(bash: Bash, path: str) -> None:
    for script in (f"cat {path}", f"head -1 {path}", f"grep root {path}", f"awk 1 {path}", f"wc -l < {path}"):
        result = await bash(script)
        assert result.exit_code != 0, script
        assert "root:" not in result.stdout


async def test_find_and_glob_only_see_fsx(bash: Bash, fs) -> None:
    await fs.write("/only.txt", "x")
    result = await bash("echo /*; find / -maxdepth 1 | sort")
    assert result.stdout == "/only.txt\n/\n/only.txt\n"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00/"), min_size=1, max_size=20))
def test_hostile_file_names_stay_inside(bash: Bash, fs, name: str) -> None:
    if name in (".", "..", "-"):  # "-" is stdin to cat, as in GNU cat
        return
    result = bash.run_sync("echo data > {}; cat -- {}", name, name)
    assert result.stdout == "data\n", result
    assert fs.sync.read("/" + name) == b"data\n"
