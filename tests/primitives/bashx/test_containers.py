"""Tier 3: the container executor keeps the tier 2 contract and fails clearly without an engine."""

from __future__ import annotations

import pytest

from dotdo.primitives.bashx import Bash, CommandCall, ContainerExecutor, ExecutorUnavailableError


def test_missing_engine_is_explained(fs) -> None:
    executor = ContainerExecutor("alpine", engine="no-such-container-engine")
    reason = executor.unavailable_reason()
    assert reason is not None and "not installed" in reason and "tier 2" in reason
    with pytest.raises(ExecutorUnavailableError, match="container engine"):
        executor.run(CommandCall(["ls"], "/", {}, fs.sync))


async def test_command_routed_to_unavailable_container_fails_clearly(fs) -> None:
    bash = Bash(fs, executors={"ffmpeg": ContainerExecutor("jrottenberg/ffmpeg", engine="no-such-container-engine")})
    assert bash.analyze("ffmpeg -version").verdict == "safe"
    result = await bash("ffmpeg -version; echo after=$?")
    assert "container engine" in result.stderr
    assert result.stdout == "after=126\n"
    assert result.tier == "native"
