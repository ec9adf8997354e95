import asyncio

import pytest
from context_crash_objects import T0, Ledger
from handler_shapes import SHAPES, Onboarding

from dotdo import Runtime
from dotdo.context import DO, ActionFailedError, RetryPolicy
from dotdo.context.action_journal import COMPLETED, FAILED, RETRYING
from dotdo.testing import ManualClock

NO_JITTER = RetryPolicy(max_attempts=3, initial=1.0, backoff=2.0, jitter=False)


class Payments(DO):
    async def on_start(self) -> None:
        self.attempt_times: list[float] = []
        self.failures_left = 0
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS charges (amount INTEGER)")

    def charge(self, amount: int) -> dict:
        self.attempt_times.append(self.ctx.now())
        self.storage.sql.exec("INSERT INTO charges VALUES (?)", amount)
        if self.failures_left:
            self.failures_left -= 1
            raise ConnectionError("gateway timeout")
        return {"charged": amount, "key": self.ctx.idempotency_key}

    async def lookup(self, what: str) -> str:
        await asyncio.sleep(0)
        return f"found {what}"

    async def hang(self) -> None:
        await asyncio.Event().wait()

    def reject(self) -> None:
        raise ValueError("card declined")

    def charges(self) -> list[int]:
        return [r["amount"] for r in self.storage.sql.exec("SELECT amount FROM charges ORDER BY rowid")]


async def test_try_runs_once_and_records_the_outcome(runtime: Runtime) -> None:
    assert await runtime.run_in(Payments, "p", lambda p: p.ctx.try_(p.lookup, "x")) == "found x"
    assert await runtime.run_in(Payments, "p", lambda p: p.ctx.try_("lookup", "y")) == "found y"
    with pytest.raises(ValueError, match="card declined"):
        await runtime.run_in(Payments, "p", lambda p: p.ctx.try_("reject"))
    with pytest.raises(TimeoutError):
        await runtime.run_in(Payments, "p", lambda p: p.ctx.try_(p.hang, timeout=0))
    rows = await runtime.run_in(Payments, "p", lambda p: p.ctx.actions.journal.list())
    assert [(r.kind, r.action, r.status, r.attempts) for r in rows] == [
        ("try", "lookup", COMPLETED, 1),
        ("try", "lookup", COMPLETED, 1),
        ("try", "reject", FAILED, 1),
        ("try", "hang", FAILED, 1),
    ]
    assert rows[0].args == ["x"] and rows[0].result == "found x"
    failed = await runtime.run_in(Payments, "p", lambda p: p.ctx.actions.journal.list(status=FAILED))
    assert [r.action for r in failed] == ["reject", "hang"]
    assert rows[2].error == "ValueError: card declined"


async def test_a_completed_step_is_never_run_again(runtime: Runtime) -> None:
    first = await runtime.run_in(Payments, "p", lambda p: p.ctx.do("charge", 5))
    second = await runtime.run_in(Payments, "p", lambda p: p.ctx.do("charge", 5))
    other = await runtime.run_in(Payments, "p", lambda p: p.ctx.do(p.charge, 7))
    named = await runtime.run_in(Payments, "p", lambda p: p.ctx.do("charge", 9, step_id="order-1"))
    again = await runtime.run_in(Payments, "p", lambda p: p.ctx.do("charge", 1000, step_id="order-1"))
    assert first == second and first["charged"] == 5 and other["charged"] == 7
    assert named == again == {"charged": 9, "key": named["key"]}
    assert named["key"].endswith(":order-1")
    assert await runtime.get(Payments, "p").charges() == [5, 7, 9]
    types = [e.type for e in await runtime.run_in(Payments, "p", lambda p: p.ctx.event_log())]
    assert types.count("charge.completed") == 3


async def test_retries_follow_the_backoff_driven_by_the_clock(runtime: Runtime) -> None:
    clock = runtime.clock
    start = clock.now()
    await runtime.run_in(Payments, "p", lambda p: setattr(p, "failures_left", 2))
    task = asyncio.create_task(runtime.run_in(Payments, "p", lambda p: p.ctx.do("charge", 3, retry=NO_JITTER)))
    await asyncio.sleep(0)
    for _ in range(5):
        await asyncio.sleep(0)
    record = await runtime.run_in(Payments, "p", lambda p: p.ctx.actions.journal.list()[0])
    assert (record.status, record.attempts, record.next_attempt_at) == (RETRYING, 1, start + 1.0)
    await clock.advance(0.999)
    assert not task.done()
    await clock.advance(0.001)
    await clock.advance(1.999)
    assert not task.done()
    await clock.advance(0.001)
    result = await task
    assert result["charged"] == 3
    times = await runtime.run_in(Payments, "p", lambda p: p.attempt_times)
    assert [t - start for t in times] == [0.0, 1.0, 3.0]
    assert await runtime.get(Payments, "p").charges() == [3]  # failed attempts' writes rolled back


async def test_an_exhausted_step_is_dead_lettered_and_replayable(runtime: Runtime) -> None:
    await runtime.run_in(Payments, "p", lambda p: setattr(p, "failures_left", 5))
    policy = RetryPolicy(max_attempts=2, initial=1.0, jitter=False)
    task = asyncio.create_task(runtime.run_in(Payments, "p", lambda p: p.ctx.do("charge", 4, retry=policy)))
    for _ in range(5):
        await asyncio.sleep(0)
    await runtime.clock.advance(1.0)
    with pytest.raises(ConnectionError):
        await task
    [letter] = await runtime.run_in(Payments, "p", lambda p: p.ctx.dead_letters())
    assert (letter.kind, letter.name, letter.attempts) == ("action", "charge", 2)
    with pytest.raises(ActionFailedError, match="failed after 2 attempts"):
        await runtime.run_in(Payments, "p", lambda p: p.ctx.do("charge", 4, retry=policy))
    await runtime.run_in(Payments, "p", lambda p: p.ctx.settle())
    types = [e.type for e in await runtime.run_in(Payments, "p", lambda p: p.ctx.event_log())]
    assert "charge.failed" in types
    await runtime.run_in(Payments, "p", lambda p: setattr(p, "failures_left", 0))
    result = await runtime.run_in(Payments, "p", lambda p: p.ctx.replay(letter.id))
    assert result["charged"] == 4
    assert await runtime.run_in(Payments, "p", lambda p: p.ctx.do("charge", 4)) == result
    assert await runtime.run_in(Payments, "p", lambda p: p.ctx.dead_letters()) == []


async def test_non_retryable_errors_fail_at_once(runtime: Runtime) -> None:
    policy = RetryPolicy(max_attempts=5, non_retryable=(ValueError,))
    with pytest.raises(ValueError, match="card declined"):
        await runtime.run_in(Payments, "p", lambda p: p.ctx.do("reject", retry=policy))
    [row] = await runtime.run_in(Payments, "p", lambda p: p.ctx.actions.journal.list())
    assert (row.status, row.attempts) == (FAILED, 1)


async def test_idempotency_key_only_exists_inside_a_step(runtime: Runtime) -> None:
    with pytest.raises(RuntimeError, match=r"only set while a ctx\.do step runs"):
        await runtime.run_in(Payments, "p", lambda p: p.ctx.idempotency_key)


async def test_bad_arguments_are_refused_before_anything_is_journaled(runtime: Runtime) -> None:
    with pytest.raises(TypeError, match="JSON-compatible"):
        await runtime.run_in(Payments, "p", lambda p: p.ctx.do("charge", object()))
    with pytest.raises(AttributeError, match="no method 'nope'"):
        await runtime.run_in(Payments, "p", lambda p: p.ctx.do("nope"))
    with pytest.raises(ValueError, match="not a method name"):
        await runtime.run_in(Payments, "p", lambda p: p.ctx.do("__class__"))
    with pytest.raises(TypeError, match="RetryPolicy"):
        await runtime.run_in(Payments, "p", lambda p: p.ctx.do("charge", 1, retry={"max_attempts": 2}))
    with pytest.raises(ValueError, match="step_id"):
        await runtime.run_in(Payments, "p", lambda p: p.ctx.do("charge", 1, step_id="x" * 500))
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    assert await runtime.run_in(Payments, "p", lambda p: p.ctx.actions.journal.list()) == []


async def test_a_step_result_survives_a_restart(tmp_path, clock) -> None:
    async with Runtime(tmp_path / "d", objects=[Payments], clock=clock) as rt:
        first = await rt.run_in(Payments, "p", lambda p: p.ctx.do("charge", 8, step_id="s1"))
    async with Runtime(tmp_path / "d", objects=[Payments], clock=clock) as rt:
        assert await rt.run_in(Payments, "p", lambda p: p.ctx.do("charge", 8, step_id="s1")) == first
        assert await rt.get(Payments, "p").charges() == [8]


async def test_a_step_resumes_after_the_process_is_killed(tmp_path, child, monkeypatch) -> None:
    data = tmp_path / "data"
    script = f"""
import asyncio
from dotdo import Runtime
from dotdo.testing import ManualClock
from context_crash_objects import Ledger, T0, crash_now

async def main():
    rt = await Runtime({str(data)!r}, objects=[Ledger], clock=ManualClock(T0)).start()
    asyncio.create_task(rt.get(Ledger, "l").send_notice("bob"))
    while True:
        record = await rt.run_in(Ledger, "l", lambda l: l.ctx.actions.journal.get("notify-bob"))
        if record is not None and record.status == "retrying":
            break
        await asyncio.sleep(0)
    await rt.run_in(Ledger, "l", lambda l: None)
    print(record.attempts, flush=True)
    crash_now()

asyncio.run(main())
"""
    assert child(script, data, expect_kill=True).strip() == "1"
    monkeypatch.setenv("DOTDO_TEST_DATA", str(data))
    clock = ManualClock(T0)
    async with Runtime(data, objects=[Ledger], clock=clock) as rt:
        await clock.advance(60)
        record = await rt.run_in(Ledger, "l", lambda ledger: ledger.ctx.actions.journal.get("notify-bob"))
        assert (record.status, record.attempts, record.result) == (COMPLETED, 2, "notified bob")
        assert await rt.get(Ledger, "l").send_notice("bob") == "notified bob"
    calls = (data / "notify-calls").read_text().splitlines()
    assert len(calls) == 2
    assert calls[0] == calls[1]  # both attempts carried the same idempotency key


async def test_a_local_step_runs_exactly_once_despite_a_crash_before_commit(tmp_path, child, monkeypatch) -> None:
    data = tmp_path / "data"
    script = f"""
import asyncio, os
from dotdo import Runtime
from dotdo.testing import ManualClock
from context_crash_objects import Ledger, T0

async def main():
    rt = await Runtime({str(data)!r}, objects=[Ledger], clock=ManualClock(T0)).start()
    await rt.get(Ledger, "l").pay("alice", 10)
    print("not reached", flush=True)

os.environ["DOTDO_CRASH"] = "after-write"
asyncio.run(main())
"""
    assert child(script, data, expect_kill=True) == ""
    assert (data / "crashed-in-credit").exists()
    monkeypatch.setenv("DOTDO_TEST_DATA", str(data))
    clock = ManualClock(T0)
    async with Runtime(data, objects=[Ledger], clock=clock) as rt:
        assert await rt.get(Ledger, "l").entries() == []  # the write died with its transaction
        record = await rt.run_in(Ledger, "l", lambda ledger: ledger.ctx.actions.journal.get("credit-alice"))
        assert record.status == "running"  # journaled before it ran
        await clock.advance(60)
        assert await rt.get(Ledger, "l").entries() == [("alice", 10)]
        assert await rt.get(Ledger, "l").pay("alice", 10) == {"account": "alice", "balance": 10}
        assert await rt.get(Ledger, "l").entries() == [("alice", 10)]


async def test_a_committed_step_is_not_rerun_after_a_crash(tmp_path, child, monkeypatch) -> None:
    data = tmp_path / "data"
    script = f"""
import asyncio
from dotdo import Runtime
from dotdo.testing import ManualClock
from context_crash_objects import Ledger, T0, crash_now

async def main():
    rt = await Runtime({str(data)!r}, objects=[Ledger], clock=ManualClock(T0)).start()
    print((await rt.get(Ledger, "l").pay("carol", 3))["balance"], flush=True)
    crash_now()

asyncio.run(main())
"""
    assert child(script, data, expect_kill=True).strip() == "3"
    monkeypatch.setenv("DOTDO_TEST_DATA", str(data))
    async with Runtime(data, objects=[Ledger], clock=ManualClock(T0)) as rt:
        assert await rt.get(Ledger, "l").pay("carol", 3) == {"account": "carol", "balance": 3}
        assert await rt.get(Ledger, "l").entries() == [("carol", 3)]


async def test_a_lambda_step_needs_an_explicit_step_id(runtime: Runtime) -> None:
    with pytest.raises(ValueError, match="pass step_id"):
        await runtime.run_in(Payments, "p", lambda p: p.ctx.do(lambda: 1))
    assert await runtime.run_in(Payments, "p", lambda p: p.ctx.do(lambda: 1, step_id="one")) == 1
    assert await runtime.run_in(Payments, "p", lambda p: p.ctx.do(lambda: 2, step_id="one")) == 1


@pytest.mark.parametrize("shape", SHAPES)
async def test_every_action_shape_runs_under_do_and_try(runtime: Runtime, shape: str) -> None:
    done = await runtime.run_in(Onboarding, "o", lambda obj: obj.ctx.do(SHAPES[shape](obj), "x", step_id="step"))
    tried = await runtime.run_in(Onboarding, "o", lambda obj: obj.ctx.try_(SHAPES[shape](obj), "y"))
    assert done == tried == f"onboarded by {shape}"
    assert await runtime.get(Onboarding, "o").ran() == [shape, shape]
    rows = await runtime.run_in(Onboarding, "o", lambda obj: obj.ctx.actions.journal.list())
    assert [(r.kind, r.status, r.result) for r in rows] == [("do", COMPLETED, done), ("try", COMPLETED, done)]


async def test_a_closure_step_is_retried_while_the_object_lives(runtime: Runtime) -> None:
    attempts: list[float] = []

    async def run(p: Payments) -> str:
        async def flaky() -> str:
            attempts.append(p.ctx.now())
            if len(attempts) < 3:
                raise ConnectionError("gateway timeout")
            return "paid"

        return await p.ctx.do(lambda: flaky(), step_id="pay", retry=NO_JITTER)

    start = runtime.clock.now()
    task = asyncio.create_task(runtime.run_in(Payments, "p", run))
    for _ in range(5):
        await asyncio.sleep(0)
    await runtime.clock.advance(1.0)
    await runtime.clock.advance(2.0)
    assert await task == "paid"
    assert [t - start for t in attempts] == [0.0, 1.0, 3.0]
    [row] = await runtime.run_in(Payments, "p", lambda p: p.ctx.actions.journal.list())
    assert (row.status, row.attempts, row.result) == (COMPLETED, 3, "paid")


async def test_a_closure_step_cannot_resume_after_a_restart_and_says_why(tmp_path, clock) -> None:
    async def start_failing(p: Payments) -> None:
        def flaky() -> None:
            raise ConnectionError("gateway timeout")

        task = asyncio.ensure_future(p.ctx.do(flaky, step_id="pay", retry=NO_JITTER))
        for _ in range(5):
            await asyncio.sleep(0)
        task.cancel()

    async with Runtime(tmp_path / "d", objects=[Payments], clock=clock) as rt:
        await rt.run_in(Payments, "p", start_failing)
    async with Runtime(tmp_path / "d", objects=[Payments], clock=clock) as rt:
        await clock.advance(1.0)
        [row] = await rt.run_in(Payments, "p", lambda p: p.ctx.actions.journal.list())
        [letter] = await rt.run_in(Payments, "p", lambda p: p.ctx.dead_letters())
    assert row.status == FAILED
    assert "flaky" in row.action and "is a lambda, nested function, partial or callable object" in row.error
    assert "pass ctx.do a method of Payments" in row.error
    assert letter.error == row.error
