"""dotdo's pytest plugin, used the way a user's project uses it: a test file run by pytest in its own folder."""

import subprocess
import sys
import tomllib
from pathlib import Path

from tests.test_cli import plugin_option

USER_TESTS = """
import pytest
from starlette.responses import JSONResponse

from dotdo import API, DO

pytestmark = pytest.mark.asyncio


class Reminder(DO):
    async def fetch(self, request):
        self.storage.set_alarm(self.ctx.now() + 60)
        return JSONResponse({"name": self.name})

    async def alarm(self, info=None):
        self.storage.put("reminded", True)


@pytest.fixture
def dotdo_app(dotdo_runtime):
    return API(Reminder, ns="/:name", runtime=dotdo_runtime)


async def test_the_client_reaches_the_app_without_sockets(dotdo_client):
    assert (await dotdo_client.post("/ada")).json() == {"name": "ada"}


async def test_the_manual_clock_fires_alarms(dotdo_client, dotdo_runtime, manual_clock):
    await dotdo_client.post("/ada")
    await manual_clock.advance(59)
    assert await dotdo_runtime.run_in(Reminder, "ada", lambda r: r.storage.get("reminded")) is None
    await manual_clock.advance(2)
    assert await dotdo_runtime.run_in(Reminder, "ada", lambda r: r.storage.get("reminded")) is True


async def test_each_test_gets_a_fresh_folder(dotdo_runtime, tmp_path):
    assert dotdo_runtime.data_folder.root.is_relative_to(tmp_path)
    assert list((dotdo_runtime.data_folder.root / "objects").iterdir()) == []
"""

WITHOUT_APP = """
import pytest

pytestmark = pytest.mark.asyncio


async def test_needs_an_app(dotdo_client):
    pass
"""


def run_pytest(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *plugin_option()],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_fixtures_work_in_a_users_project(tmp_path):
    (tmp_path / "test_reminders.py").write_text(USER_TESTS)
    result = run_pytest(tmp_path)
    assert result.returncode == 0 and "3 passed" in result.stdout, result.stdout + result.stderr


def test_dotdo_client_without_an_app_says_what_to_define(tmp_path):
    (tmp_path / "test_missing.py").write_text(WITHOUT_APP)
    result = run_pytest(tmp_path)
    assert result.returncode != 0 and "define one" in result.stdout and "def dotdo_app" in result.stdout


def test_the_plugin_is_declared_as_a_pytest11_entry_point():
    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert project["project"]["entry-points"]["pytest11"] == {"dotdo": "dotdo.pytest_plugin"}
