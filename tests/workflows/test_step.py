"""Steps: results replayed from history, retries and NonRetryableError, timeouts, names and history checks."""

from __future__ import annotations

import asyncio
import threading

import pytest

import dotdo
from dotdo import Runtime
from dotdo.testing import ManualClock
from dotdo.workflows import NonRetryableError, StepTimeoutError, Workflow, idempotency_key

attempts: dict[str, int] = {}


def flaky(name: str, failures: int) -> str:
    attempts[name] = attempts.get(name, 0) + 1
    if attempts[name] <= failures:
        raise ConnectionError(f"{name} attempt {attempts[name]} failed")
    return f"{name} ok after {attempts[name]}"


def declined() -> None:
    attempts["declined"] = attempts.get("declined", 0) + 1
    raise NonRetryableError("card declined")


async def slow() -> str:
    attempts["slow"] = attempts.get("slow", 0) + 1
    await asyncio.Event().wait()
    return "never"


class Retrying(Workflow):
    async def run(self, event, step):
        return await step.do("flaky", flaky, event.params["name"], event.params["failures"], retries=3, delay="10 s")


class Declining(Workflow):
    async def run(self, event, step):
        try:
            await step.do("charge", declined, retries=5)
        except NonRetryableError as exc:
            return {"declined": str(exc)}


class Failing(Workflow):
    async def run(self, event, step):
        return await step.do("flaky", flaky, "failing", 99, retries=2, delay="1 minute", backoff="constant")


class TimingOut(Workflow):
    async def run(self, event, step):
        return await step.do("slow", slow, retries=0, timeout="50 ms")


stuck = threading.Event()


def blocking(seconds_to_block: float) -> str:
    attempts["blocking"] = attempts.get("blocking", 0) + 1
    stuck.wait(seconds_to_block)
    return "finished late"


def keyed() -> dict:
    try:
        dotdo.ctx.storage  # noqa: B018 (the object's context is not reachable from the worker thread)
    except RuntimeError:
        reachable = False
    else:
        reachable = True
    return {"key": idempotency_key(), "thread": threading.current_thread().name, "ctx": reachable}


class SyncTimeouts(Workflow):
    async def run(self, event, step):
        keyed_result = await step.do("keyed", keyed, timeout="10 s")
        try:
            await step.do("blocking", blocking, 60, retries=0, timeout="50 ms")
        except StepTimeoutError as exc:
            return {"keyed": keyed_result, "timed out": str(exc)}


class Approval(Workflow):
    async def run(self, event, step):
        try:
            answer = await step.wait_for_event("approval", type="approved", timeout="1 hour")
        except TimeoutError:
            return "timed out"
        return answer.payload


class Sleeper(Workflow):
    async def run(self, event, step):
        await step.sleep("nap", "5 minutes")
        await step.sleep_until("alarm", event.params["until"])
        return "awake"


class Twice(Workflow):
    async def run(self, event, step):
        await step.do("same", len, "a")
        await step.do("same", len, "b")


class Changing(Workflow):
    order = ("first", "second")

    async def run(self, event, step):
        for name in type(self).order:
            await step.do(name, len, name)
        await step.sleep("wait", "1 hour")


@pytest.fixture(autouse=True)
def fresh_attempts():
    attempts.clear()


async def advance_until(clock: ManualClock, inst, status: str, step: float = 60, rounds: int = 100) -> dict:
    for _ in range(rounds):
        current = await inst.settle()
        if current["status"] == status:
            return current
        await clock.advance(step)
    raise AssertionError(f"never reached {status}: {current}")


async def test_a_failing_step_is_retried_with_durable_timers_until_it_succeeds(runtime, clock):
    inst = await Retrying.create(runtime, id="r", params={"name": "r", "failures": 2})
    status = await inst.settle()
    assert status["status"] == "running"
    assert status["steps"][0]["status"] == "retrying" and status["steps"][0]["attempts"] == 1
    assert status["steps"][0]["wake_at"] == clock.now() + 10
    await clock.advance(9)
    assert attempts["r"] == 1
    await clock.advance(1)
    assert attempts["r"] == 2  # exponential: the next retry is 20 s later
    await clock.advance(20)
    status = await inst.settle()
    assert status["status"] == "complete" and status["output"] == "r ok after 3"
    assert status["steps"][0]["attempts"] == 3


async def test_non_retryable_error_stops_retries_and_reaches_run(runtime):
    inst = await Declining.create(runtime, id="d")
    status = await inst.settle()
    assert status["output"] == {"declined": "card declined"}
    assert attempts["declined"] == 1
    assert status["steps"][0]["error"] == {"name": "NonRetryableError", "message": "card declined"}


async def test_a_step_that_keeps_failing_errors_the_instance_after_its_retries(runtime, clock):
    inst = await Failing.create(runtime, id="f")
    status = await advance_until(clock, inst, "errored")
    assert attempts["failing"] == 3  # the first attempt and 2 retries
    assert status["error"] == {"name": "ConnectionError", "message": "failing attempt 3 failed"}


async def test_an_attempt_longer_than_its_timeout_fails(tmp_path):
    async with Runtime(tmp_path / "d", clock=ManualClock()) as rt:
        inst = await TimingOut.create(rt, id="t")
        status = await inst.settle()
    assert status["status"] == "errored"
    assert status["error"]["name"] == "StepTimeoutError"


async def test_a_sync_step_with_a_timeout_runs_in_a_worker_thread_and_times_out(tmp_path):
    stuck.clear()
    try:
        async with Runtime(tmp_path / "d", clock=ManualClock()) as rt:
            inst = await SyncTimeouts.create(rt, id="t")
            status = await inst.settle()
    finally:
        stuck.set()
    assert status["status"] == "complete", status
    keyed_result = status["output"]["keyed"]
    assert keyed_result["key"] == "SyncTimeouts/t/1/keyed"
    assert keyed_result["thread"] != threading.current_thread().name
    assert keyed_result["ctx"] is False
    assert "'blocking' attempt 1 ran longer than 0.05 s" in status["output"]["timed out"]
    assert attempts["blocking"] == 1
    assert [s["status"] for s in status["steps"]] == ["complete", "errored"]


async def test_wait_for_event_times_out(runtime, clock):
    inst = await Approval.create(runtime, id="late")
    assert (await inst.settle())["status"] == "waiting"
    await clock.advance(3599)
    assert (await inst.settle())["status"] == "waiting"
    await clock.advance(1)
    status = await inst.settle()
    assert (status["status"], status["output"]) == ("complete", "timed out")
    assert status["steps"][0]["error"]["name"] == "EventTimeoutError"


async def test_an_event_sent_before_the_wait_is_kept_for_it(runtime):
    inst = await Approval.create(runtime, id="early")
    await inst.settle()
    await inst.send_event("other", 1)
    await inst.send_event("approved", {"by": "bob"})
    status = await inst.settle()
    assert status["output"] == {"by": "bob"}
    assert [e["type"] for e in status["pending_events"]] == ["other"]


async def test_sleeps_wake_on_time_by_the_runtime_clock(runtime, clock):
    inst = await Sleeper.create(runtime, id="s", params={"until": clock.now() + 3600})
    assert (await inst.settle())["steps"][0]["wake_at"] == clock.now() + 300
    await clock.advance(299)
    assert len((await inst.settle())["steps"]) == 1
    await clock.advance(1)
    status = await inst.settle()
    assert status["steps"][1]["wake_at"] == clock.now() + 3300
    await clock.advance(3300)
    assert (await inst.settle())["output"] == "awake"


async def test_step_names_must_be_unique_within_a_run(runtime):
    status = await (await Twice.create(runtime, id="t")).settle()
    assert status["status"] == "errored"
    assert status["error"]["name"] == "DuplicateStepError"
    assert "'same'" in status["error"]["message"]


async def test_a_non_deterministic_change_is_reported(runtime, clock):
    inst = await Changing.create(runtime, id="c")
    assert (await inst.settle())["status"] == "waiting"
    Changing.order = ("first", "renamed")
    try:
        await clock.advance(3600)
        status = await inst.settle()
    finally:
        Changing.order = ("first", "second")
    assert status["status"] == "errored"
    assert status["error"]["name"] == "NonDeterminismError"
    assert "'renamed'" in status["error"]["message"] and "'second'" in status["error"]["message"]


async def test_bad_step_arguments_are_clear_errors():
    from dotdo.workflows.step import Retries

    with pytest.raises(ValueError, match="backoff"):
        Retries(backoff="sometimes")
    with pytest.raises(ValueError, match="limit"):
        Retries(limit=-1)
    assert [Retries(delay="10 s", backoff=b).wait_after(3) for b in ("constant", "linear", "exponential")] == [
        10,
        30,
        40,
    ]


class Gate:
    """An external call the test opens by hand."""

    opened: asyncio.Event | None = None


async def external() -> str:
    attempts["external"] = attempts.get("external", 0) + 1
    assert Gate.opened is not None
    await Gate.opened.wait()
    return "done"


class PausedMidStep(Workflow):
    async def run(self, event, step):
        first = await step.do("external", external)
        second = await step.do("after", len, "xy")
        return [first, second]


async def test_a_step_running_when_the_instance_is_paused_keeps_its_result(runtime):
    Gate.opened = asyncio.Event()
    inst = await PausedMidStep.create(runtime, id="m")
    while attempts.get("external") != 1:
        await asyncio.sleep(0)
    await inst.pause()
    Gate.opened.set()
    status = await inst.settle()
    assert status["status"] == "paused"
    assert [(s["name"], s["status"]) for s in status["steps"]] == [("external", "complete")]
    await inst.resume()
    assert (await inst.settle())["output"] == ["done", 2]
    assert attempts["external"] == 1
