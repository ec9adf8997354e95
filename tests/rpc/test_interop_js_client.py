"""The official JavaScript client (`js/interop_client.mjs`, capnweb from npm) against our Python
server: every check, value round trips included, over HTTP batch and WebSocket."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

CHECK_COUNT = 34


@pytest.fixture(scope="module")
def js_client_report(js_peer: Path, py_server: str) -> dict[int, str]:
    result = subprocess.run(
        ["node", "interop_client.mjs", py_server, "--timeout", "10000"],
        cwd=js_peer,
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = {}
    for line in result.stdout.splitlines():
        match = re.match(r"^(ok|FAIL) (\d+) (.*)$", line)
        if match:
            lines[int(match.group(2))] = line
    assert lines, f"interop_client.mjs printed no checks:\n{result.stdout}\n{result.stderr}"
    lines[0] = result.stdout.strip().splitlines()[-1]
    return lines


def test_js_client_reports_all_passed(js_client_report: dict[int, str]) -> None:
    assert js_client_report[0] == f"{CHECK_COUNT} passed, 0 failed"


@pytest.mark.parametrize("number", range(1, CHECK_COUNT + 1))
def test_js_client_check_passes(js_client_report: dict[int, str], number: int) -> None:
    assert js_client_report.get(number, "").startswith(f"ok {number} "), js_client_report.get(number)
