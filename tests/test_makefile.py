"""The Makefile's two commands: `make dev PORT=...` and `make test`'s system packages."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_make_dev_takes_a_port() -> None:
    planned = subprocess.run(["make", "-n", "dev", "PORT=9000"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "dotdo dev app:app --data-dir .dotdo --port 9000" in planned.stdout


def test_make_test_says_what_it_installs_before_apt_get(tmp_path: Path) -> None:
    # A user who is not root: `id -u` answers 1000.
    (tmp_path / "id").write_text("#!/bin/sh\necho 1000\n")
    (tmp_path / "id").chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"}
    done = subprocess.run(
        ["make", "--no-print-directory", "apt-install", "TOOLS=no-such-tool", "PACKAGES=some-package"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert done.stdout.splitlines() == [
        "make test needs no-such-tool: running 'apt-get install -y some-package' (Debian packages)",
        "not root: run 'sudo apt-get install -y some-package' yourself, then make test again",
    ]
