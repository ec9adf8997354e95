"""Starting or joining Ray with the settings that keep a one-machine cluster on loopback and quiet.

A local instance gets: its node address forced to 127.0.0.1 (`RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0`;
without it Ray rewrites 127.0.0.1 to the machine's outward address), usage stats off, the dashboard
off, a scratch HOME holding `ray_bootstrap_config.yaml` with `{}` while Ray's processes start (else
its API server probes cloud metadata addresses), a scratch `RAY_TMPDIR` and auth token path (Ray
never deletes its session folders), and health checks at 200 ms x 3 (a dead host is noticed in about
0.5 s instead of 15 s). Everything scratch is removed at `stop()`.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..extras import require_extra
from ..runtime.errors import DotdoError

NAMESPACE = "dotdo"
HEALTH_CHECKS = {
    "health_check_initial_delay_ms": 0,
    "health_check_period_ms": 200,
    "health_check_timeout_ms": 200,
    "health_check_failure_threshold": 3,
}
LOOPBACK = "127.0.0.1"


class RayUnavailableError(DotdoError):
    """Ray is not installed, or the Ray cluster named by an address cannot be reached."""


def import_ray() -> Any:
    """The `ray` module, or `MissingExtraError` naming the `cluster` extra."""
    require_extra("cluster", "dotdo serve and dotdo.cluster (hosts on Ray)")
    import ray

    return ray


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _import_path() -> str:
    """This process's import path, for Ray's workers (the hosts) to import the same code."""
    return os.pathsep.join(dict.fromkeys(p for p in sys.path if p))


def check_reachable(address: str, timeout: float = 2.0) -> None:
    """Fail at once, with what to do, when nothing listens at a `host:port` Ray address."""
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        raise RayUnavailableError(
            f"{address!r} is not a Ray address: pass host:port of a Ray head (`ray start --head` prints it) or auto"
        )
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            pass
    except OSError as exc:
        raise RayUnavailableError(
            f"No Ray cluster answers at {address} ({exc.strerror or exc}): start one with `ray start --head`, "
            "check the address, or leave --ray out to start a local one"
        ) from None


class RayInstance:
    """Ray for a cluster: a private local instance (`address=None`) or an existing one (`"auto"`, `host:port`)."""

    def __init__(
        self,
        address: str | None = None,
        *,
        num_cpus: int | None = None,
        resources: dict[str, float] | None = None,
        log_to_driver: bool = False,
    ) -> None:
        if resources and address is not None:
            raise ValueError(
                "resources= labels the node of a local Ray instance; a joined cluster's nodes have their own "
                "(ray start --resources '{\"region:eu-west\": 1}')"
            )
        self.address = address
        self.num_cpus = num_cpus
        self.resources = resources
        self.log_to_driver = log_to_driver
        self.scratch: Path | None = None
        self.started_here = False

    @property
    def local(self) -> bool:
        """Whether this instance starts its own Ray (rather than joining one)."""
        return self.address is None

    def start(self) -> None:
        """Start or join Ray in this process (`ray.init`)."""
        ray = import_ray()
        if ray.is_initialized():
            return
        if self.address is not None:
            if self.address != "auto":
                check_reachable(self.address)
            # Workers import the app and dotdo from the paths this process uses (install them at the
            # same paths on every node).
            runtime_env = {"env_vars": {"PYTHONPATH": _import_path()}}
            try:
                ray.init(
                    address=self.address,
                    namespace=NAMESPACE,
                    log_to_driver=self.log_to_driver,
                    runtime_env=runtime_env,
                )
            except ConnectionError as exc:
                raise RayUnavailableError(f"Cannot join the Ray cluster at {self.address}: {exc}") from None
            self.started_here = True
            return
        # Short: Ray's socket paths under RAY_TMPDIR must fit in 107 bytes.
        self.scratch = Path(tempfile.mkdtemp(prefix="dotdo-ray-", dir="/tmp" if os.path.isdir("/tmp") else None))
        home = self.scratch / "home"
        home.mkdir()
        (home / "ray_bootstrap_config.yaml").write_text("{}\n")
        token = home / ".ray" / "auth_token"
        token.parent.mkdir(mode=0o700)
        token.write_text(secrets.token_hex(32))
        token.chmod(0o600)
        (self.scratch / "tmp").mkdir()
        os.environ.update(
            {
                "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
                "RAY_USAGE_STATS_ENABLED": "0",
                "RAY_TMPDIR": str(self.scratch / "tmp"),
                "RAY_AUTH_TOKEN_PATH": str(token),
            }
        )
        try:
            # Ray's workers (the hosts) then import the same code as this process.
            with _environment({"HOME": str(home), "PYTHONPATH": _import_path()}):
                ray.init(
                    address="local",
                    namespace=NAMESPACE,
                    num_cpus=self.num_cpus,
                    resources=self.resources,
                    include_dashboard=False,
                    _node_ip_address=LOOPBACK,
                    _temp_dir=str(self.scratch / "tmp"),
                    _system_config=HEALTH_CHECKS,
                    object_store_memory=100 * 1024 * 1024,
                    log_to_driver=self.log_to_driver,
                )
        except BaseException:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None
            raise
        self.started_here = True

    def node_address(self) -> str:
        """The address hosts on this node listen on for their peers."""
        if self.local:
            return LOOPBACK
        return import_ray().util.get_node_ip_address()

    def stop(self) -> None:
        """Disconnect (a local instance stops with every process it started) and remove the scratch folders."""
        if self.started_here:
            import_ray().shutdown()
            self.started_here = False
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None
