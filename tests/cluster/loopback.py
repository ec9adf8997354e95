"""`ss` as the oracle that a Ray instance and its hosts keep every TCP socket on 127.0.0.1."""

import re
import subprocess

LOOPBACK = {"127.0.0.1", "::ffff:127.0.0.1"}


def _host(endpoint: str) -> str:
    return endpoint.rsplit(":", 1)[0].strip("[]")


def tcp_sockets_of(pids: set[int]) -> tuple[int, list[str]]:
    """How many TCP sockets (listening or connected) the processes `pids` hold, and the lines of those
    that are not on loopback at both ends."""
    lines = subprocess.run(["ss", "-Htanp"], capture_output=True, text=True, check=True).stdout.splitlines()
    seen, off_loopback = 0, []
    for line in lines:
        if not {int(pid) for pid in re.findall(r"pid=(\d+)", line)} & pids:
            continue
        seen += 1
        _state, _recv, _send, local, peer, *_ = line.split()
        listening = peer.endswith(":*")
        if _host(local) not in LOOPBACK or not (listening or _host(peer) in LOOPBACK):
            off_loopback.append(line)
    return seen, off_loopback
