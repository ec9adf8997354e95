"""The `aws` command line (AWS CLI v1 from PyPI) in an environment of its own, built once and reused.

awscli pins its own botocore, which is not the one boto3 in the project's environment needs, so the
CLI lives in a separate virtualenv under the user cache (`$DOTDO_AWSCLI_CACHE`, else
`$XDG_CACHE_HOME/dotdo/awscli-<version>`, else `~/.cache/dotdo/awscli-<version>`). It is built with
uv when uv is there (pip otherwise), under a file lock, and counts as built only once a marker file
is written, so two runs building at once never use a half-made environment. `python -m tests.compat.aws_cli` builds it
ahead of the tests (`make test` does).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

AWSCLI_VERSION = "1.46.2"


class AwsCliUnavailable(RuntimeError):
    """The CLI's environment could not be built; the message says why and what to run."""


def cache_dir() -> Path:
    """Where the CLI's environment lives (one folder per pinned version)."""
    configured = os.environ.get("DOTDO_AWSCLI_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dotdo" / f"awscli-{AWSCLI_VERSION}"


def aws_cli() -> Path:
    """The `aws` executable of the pinned AWS CLI, building its environment on first use."""
    target = cache_dir()
    executable = target / "bin" / "aws"
    complete = target / ".complete"
    if complete.is_file():
        return executable
    target.parent.mkdir(parents=True, exist_ok=True)
    # A venv's scripts name their interpreter by absolute path, so it is built where it stays,
    # under a lock that makes a second run wait for the first one's build.
    with open(target.parent / f".{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if complete.is_file():
            return executable
        shutil.rmtree(target, ignore_errors=True)
        for command in _build_commands(target):
            done = subprocess.run(command, capture_output=True, text=True, timeout=600)
            if done.returncode != 0:
                raise AwsCliUnavailable(
                    f"could not build the AWS CLI environment in {target} ({' '.join(command[:3])} …):\n"
                    f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}\n"
                    f"it installs awscli=={AWSCLI_VERSION} from PyPI; run `python -m tests.compat.aws_cli` to retry"
                )
        complete.write_text(AWSCLI_VERSION + "\n")
    return executable


def _build_commands(folder: Path) -> list[list[str]]:
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if Path(uv).is_file():
        return [
            [uv, "venv", "--quiet", "--python", sys.executable, str(folder)],
            [
                uv,
                "pip",
                "install",
                "--quiet",
                "--compile-bytecode",
                "--python",
                str(folder / "bin" / "python"),
                f"awscli=={AWSCLI_VERSION}",
            ],
        ]
    return [
        [sys.executable, "-m", "venv", str(folder)],
        [str(folder / "bin" / "python"), "-m", "pip", "install", "--quiet", f"awscli=={AWSCLI_VERSION}"],
    ]


if __name__ == "__main__":
    print(aws_cli())
