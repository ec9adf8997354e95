"""Instances: create, lifecycle (pause, resume, terminate, restart), listing, batches, the RPC surface."""

from __future__ import annotations

import json

import pytest

from dotdo import DO, Runtime
from dotdo.rpc.gateway import exposed_member
from dotdo.testing import ManualClock
from dotdo.workflows import (
    InstanceExistsError,
    InstanceNotFoundError,
    InvalidInstanceStateError,
    Workflow,
)
from dotdo.workflows.directory import WorkflowDirectory


def add_row(storage_holder, label: str) -> str:
    storage_holder.storage.sql.exec("CREATE TABLE IF NOT EXISTS done (label TEXT)")
    storage_holder.storage.sql.exec("INSERT INTO done VALUES (?)", label)
    return label


class Steps(Workflow):
    async def run(self, event, step):
        await step.do("one", add_row, self, "one")
        await step.sleep("pause point", "1 hour")
        await step.do("two", add_row, self, "two")
        return event.params

    def done(self) -> list[str]:
        return [r["label"] for r in self.storage.sql.exec("SELECT label FROM done ORDER BY rowid")]


class ThreeSteps(Workflow):
    async def run(self, event, step):
        a = await step.do("a", int, event.params)
        b = await step.do("b", int, a + 1)
        return await step.do("c", int, b + 1)


async def test_status_through_a_run(runtime, clock):
    inst = await Steps.create(runtime, id="x", params={"n": 1})
    status = await inst.settle()
    assert status["status"] == "waiting"
    assert [(s["name"], s["status"]) for s in status["steps"]] == [("one", "complete"), ("pause point", "waiting")]
    await clock.advance(3600)
    status = await inst.settle()
    assert (status["status"], status["output"], status["error"]) == ("complete", {"n": 1}, None)
    assert await runtime.get(Steps, "x").done() == ["one", "two"]


class Watcher(DO):
    async def watch(self, workflow: str) -> None:
        source = {"Steps": Steps, "Failing": Failing}[workflow]
        await self.ctx.subscribe(source.directory(self.runtime), "*.*", "seen")

    def seen(self, event) -> None:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS seen (type TEXT, data TEXT)")
        self.storage.sql.exec("INSERT INTO seen VALUES (?, ?)", event.type, json.dumps(event.data, sort_keys=True))

    def events(self) -> list[tuple[str, dict]]:
        if not self.storage.table_exists("seen"):
            return []
        return [(r["type"], json.loads(r["data"])) for r in self.storage.sql.exec("SELECT * FROM seen ORDER BY rowid")]


class Failing(Workflow):
    async def run(self, event, step):
        raise LookupError(f"no such customer: {event.params}")


async def test_lifecycle_events_of_every_instance_come_from_the_workflow(runtime, clock):
    watcher = runtime.get(Watcher, "w")
    await watcher.watch("Steps")
    await watcher.watch("Failing")
    done, stopped = await Steps.create(runtime, id="done", params=1), await Steps.create(runtime, id="stopped")
    await stopped.settle()
    await stopped.terminate()
    await clock.advance(3600)
    await done.settle()
    await (await Failing.create(runtime, id="bad", params="c1")).settle()
    for workflow in ("Steps", "Failing"):
        await runtime.run_in(WorkflowDirectory, workflow, lambda directory: directory.ctx.settle())
    assert sorted(await watcher.events()) == [
        ("Failing.errored", {"error": {"message": "no such customer: c1", "name": "LookupError"}, "id": "bad"}),
        ("Steps.completed", {"id": "done"}),
        ("Steps.terminated", {"id": "stopped"}),
    ]


async def test_an_existing_id_and_an_unknown_one_are_clear_errors(runtime):
    await Steps.create(runtime, id="x")
    with pytest.raises(InstanceExistsError, match="'x' already exists"):
        await Steps.create(runtime, id="x")
    with pytest.raises(InstanceNotFoundError, match="'nobody'"):
        await Steps.get(runtime, "nobody")
    with pytest.raises(ValueError, match="instance id"):
        await Steps.create(runtime, id="")
    with pytest.raises(TypeError, match="JSON-compatible"):
        await Steps.create(runtime, id="bad", params={"when": object()})


async def test_pause_stops_at_the_next_step_and_resume_goes_on(runtime, clock):
    inst = await Steps.create(runtime, id="p")
    await inst.settle()
    await inst.pause()
    assert (await inst.settle())["status"] == "paused"
    await clock.advance(7200)
    assert (await inst.settle())["status"] == "paused"
    assert await runtime.get(Steps, "p").done() == ["one"]
    with pytest.raises(InvalidInstanceStateError, match="not paused"):
        await (await Steps.create(runtime, id="q")).resume()
    await inst.resume()
    status = await inst.settle()
    assert status["status"] == "complete"  # the sleep's hour had passed meanwhile
    assert await runtime.get(Steps, "p").done() == ["one", "two"]


async def test_terminate_ends_the_instance_and_restart_runs_it_from_the_top(runtime, clock):
    inst = await Steps.create(runtime, id="t", params=7)
    await inst.settle()
    await inst.terminate()
    await clock.advance(7200)
    status = await inst.settle()
    assert status["status"] == "terminated"
    assert await runtime.get(Steps, "t").done() == ["one"]
    with pytest.raises(InvalidInstanceStateError, match="terminated"):
        await inst.send_event("x")
    await inst.restart()
    status = await inst.settle()
    assert (status["status"], status["run"]) == ("waiting", 2)
    await clock.advance(3600)
    assert (await inst.settle())["output"] == 7
    assert await runtime.get(Steps, "t").done() == ["one", "one", "two"]


async def test_instances_are_listed_and_filtered_by_status(runtime, clock):
    for name in ("a", "b", "c"):
        await (await Steps.create(runtime, id=name)).settle()
    await (await Steps.get(runtime, "b")).terminate()
    await (await Steps.get(runtime, "b")).settle()
    assert [i["id"] for i in await Steps.instances(runtime)] == ["a", "b", "c"]
    assert [i["id"] for i in await Steps.instances(runtime, status="waiting")] == ["a", "c"]
    assert [i["id"] for i in await Steps.instances(runtime, limit=1, after="a")] == ["b"]
    assert await Steps.counts(runtime) == {"waiting": 2, "terminated": 1}
    with pytest.raises(ValueError, match="status must be one of"):
        await Steps.instances(runtime, status="sleeping")


async def test_a_fan_out_of_more_instances_than_open_databases_completes(tmp_path):
    # 500 instances with room for 50 open databases: the connection budget closes and reopens
    # instance databases while they run. The 10,000-instance run is in benchmarks/workflows.py.
    n = 500
    async with Runtime(tmp_path / "d", clock=ManualClock(), max_open_databases=50) as rt:
        handles = await ThreeSteps.create_batch(rt, [{"id": f"i{i:04}", "params": i} for i in range(n)])
        assert [h.id for h in handles] == [f"i{i:04}" for i in range(n)]
        await ThreeSteps.wait_for(rt, status="complete", count=n)
        assert await ThreeSteps.counts(rt) == {"complete": n}
        listed = await ThreeSteps.instances(rt, limit=n)
        assert [(i["id"], i["status"]) for i in listed] == [(f"i{i:04}", "complete") for i in range(n)]
        for handle in handles[::47]:
            status = await handle.status()
            assert status["output"] == int(handle.id[1:]) + 2
            assert [s["output"] for s in status["steps"]] == [int(handle.id[1:]) + k for k in range(3)]


async def test_a_batch_with_an_existing_instance_creates_the_others_and_raises(tmp_path):
    async with Runtime(tmp_path / "d", clock=ManualClock()) as rt:
        await ThreeSteps.create(rt, id="taken", params=1)
        with pytest.raises(InstanceExistsError, match="taken"):
            await ThreeSteps.create_batch(rt, [{"id": f"n{i}", "params": i} for i in range(300)] + [{"id": "taken"}])
        await ThreeSteps.wait_for(rt, status="complete", count=301)
        assert await ThreeSteps.counts(rt) == {"complete": 301}
        assert (await (await ThreeSteps.get(rt, "taken")).status())["params"] == 1
        assert await ThreeSteps.create_batch(rt, []) == []


def test_the_instance_api_is_served_over_rpc_and_run_is_not():
    for name in ("start", "status", "send_event", "pause", "resume", "terminate", "restart", "receive"):
        assert exposed_member(Steps, name)
    assert exposed_member(Steps, "done")
    with pytest.raises(TypeError):
        exposed_member(Steps, "run")
    with pytest.raises(TypeError, match="belongs to the workflow instance API"):

        class Clash(Workflow):
            def status(self):
                return "mine"


class Approval(Workflow):
    async def run(self, event, step):
        answer = await step.wait_for_event("approval", type="approved", timeout="1 day")
        return {"params": event.params, "by": answer.payload["by"]}


async def test_create_status_and_send_event_over_rpc(runtime):
    import httpx

    import dotdo
    from dotdo import rpc

    app = dotdo.API(Approval, runtime=runtime)
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client,
        rpc.connect("http://app.test/rpc", http_client=client) as api,
    ):
        await api.Approval("r1").start({"n": 1})
    await (await Approval.get(runtime, "r1")).settle()
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client,
        rpc.connect("http://app.test/rpc", http_client=client) as api,
    ):
        assert (await api.Approval("r1").status())["status"] == "waiting"
        await api.Approval("r1").send_event("approved", {"by": "carol"})
    status = await (await Approval.get(runtime, "r1")).settle()
    assert status["output"] == {"params": {"n": 1}, "by": "carol"}
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client,
        rpc.connect("http://app.test/rpc", http_client=client) as api,
    ):
        with pytest.raises(Exception, match="not a public method"):
            await api.Approval("r1").run({}, {})


class PaymentService(DO):
    async def succeed(self, order: str) -> None:
        self.ctx.send("Payment.succeeded", {"order": order})


class AwaitPayment(Workflow):
    async def run(self, event, step):
        paid = await step.wait_for_event("payment", type="Payment.succeeded", timeout="1 day")
        return paid.payload


async def test_ctx_events_of_another_object_reach_a_waiting_instance(runtime):
    runtime.register(PaymentService)
    inst = await AwaitPayment.create(runtime, id="w")
    await inst.settle()
    await runtime.run_in(
        AwaitPayment, "w", lambda w: w.ctx.subscribe(w.ctx.PaymentService("psp"), "Payment.*", "receive")
    )
    await runtime.get(PaymentService, "psp").succeed("w")
    await runtime.run_in(PaymentService, "psp", lambda p: p.ctx.settle())
    status = await inst.settle()
    assert (status["status"], status["output"]) == ("complete", {"order": "w"})
