"""State machines: transitions by call and by ctx event, guards, actions, durable timeouts, history."""

from __future__ import annotations

import pytest

from dotdo import DO, InvalidTransitionError, StateMachine, state, transition


class Order(StateMachine):
    pending = state(initial=True)
    paid = state(on_enter="note_entry")
    shipped = state(on_exit="note_exit")
    delivered = state(final=True)
    cancelled = state(final=True)

    pay = transition(pending, paid, guard="has_funds", on="Payment.succeeded")
    ship = transition(paid, shipped, timeout="2 days", on_timeout="cancel")
    deliver = transition(shipped, delivered)
    cancel = transition([pending, paid], cancelled)

    def has_funds(self, amount: int = 0, **_: object) -> bool:
        return amount > 0

    def note_entry(self, **data: object) -> None:
        self.storage.put("entered_paid", data)

    def note_exit(self, **data: object) -> None:
        self.storage.put("left_shipped", True)

    def notes(self) -> dict:
        return self.storage.get(["entered_paid", "left_shipped"])


class Payments(DO):
    async def succeed(self, amount: int) -> None:
        self.ctx.send("Payment.succeeded", {"amount": amount})


async def test_transitions_by_method_call_with_guards_and_actions(runtime):
    order = runtime.get(Order, "o1")
    assert await order.current_state() == "pending"
    with pytest.raises(InvalidTransitionError, match="guard has_funds said no"):
        await order.pay(amount=0)
    assert await order.pay(amount=5) == "paid"
    assert await order.notes() == {"entered_paid": {"amount": 5}}
    assert await order.allowed_transitions() == ["ship", "cancel"]
    assert await order.ship() == "shipped"
    assert await order.deliver() == "delivered"
    assert await order.notes() == {"entered_paid": {"amount": 5}, "left_shipped": True}
    history = await order.history()
    assert [(h["transition"], h["source"], h["target"]) for h in history] == [
        (None, None, "pending"),
        ("pay", "pending", "paid"),
        ("ship", "paid", "shipped"),
        ("deliver", "shipped", "delivered"),
    ]


async def test_an_invalid_transition_names_the_state_and_the_allowed_ones(runtime):
    order = runtime.get(Order, "o2")
    with pytest.raises(
        InvalidTransitionError, match=r"cannot 'ship' from state 'pending'; allowed from 'pending': pay, cancel"
    ):
        await order.ship()
    await order.cancel()
    with pytest.raises(InvalidTransitionError, match=r"'cancelled' is final"):
        await order.pay(amount=1)


async def test_a_state_timeout_fires_its_transition_durably(tmp_path, clock):
    from dotdo import Runtime

    async with Runtime(tmp_path / "d", objects=[Order], clock=clock) as rt:
        await rt.get(Order, "o3").pay(amount=1)
        await rt.get(Order, "o4").pay(amount=1)
        await rt.get(Order, "o4").ship()
    async with Runtime(tmp_path / "d", objects=[Order], clock=clock) as rt:
        await clock.advance(2 * 86400 - 1)
        assert await rt.get(Order, "o3").current_state() == "paid"
        await clock.advance(1)
        assert await rt.get(Order, "o3").current_state() == "cancelled"
        assert (await rt.get(Order, "o3").history())[-1]["cause"] == "timeout"
        assert await rt.get(Order, "o4").current_state() == "shipped"  # it left 'paid' in time


async def test_a_ctx_event_fires_the_transition_that_listens_for_it(runtime):
    await runtime.get(Payments, "p").succeed(0)
    await runtime.run_in(Order, "o5", lambda o: o.ctx.subscribe(o.ctx.Payments("p"), "Payment.*", "receive"))
    await runtime.get(Payments, "p").succeed(9)
    await runtime.run_in(Payments, "p", lambda p: p.ctx.settle())
    for _ in range(3):
        await runtime.run_in(Order, "o5", lambda o: o.ctx.settle())
    order = runtime.get(Order, "o5")
    assert await order.current_state() == "paid"
    assert (await order.history())[-1]["cause"] == "event Payment.succeeded"


def test_a_machine_is_checked_when_its_class_is_made():
    with pytest.raises(TypeError, match="exactly one state"):

        class NoStart(StateMachine):
            a = state()

    with pytest.raises(TypeError, match="not a transition"):

        class BadTimeout(StateMachine):
            a = state(initial=True, timeout="1 hour", on_timeout="nope")


PARCEL_CHILD = """
import asyncio
from dotdo import Runtime
from dotdo.testing import ManualClock
from workflow_crash_objects import Parcel, T0, crash_point

async def main():
    rt = await Runtime({data!r}, objects=[Parcel], clock=ManualClock(T0)).start()
    await rt.get(Parcel, "p").pay()
    crash_point("after:pay")

asyncio.run(main())
"""


@pytest.mark.parametrize("point", ["inside:receipt", "after:pay"])
async def test_a_machine_killed_during_or_after_a_transition_keeps_a_consistent_state(
    tmp_path, child, monkeypatch, point
):
    from workflow_crash_objects import T0, Parcel

    from dotdo import Runtime
    from dotdo.testing import ManualClock

    data = tmp_path / "data"
    assert child(PARCEL_CHILD.format(data=str(data)), data, env={"DOTDO_CRASH": point}) == -9
    monkeypatch.setenv("DOTDO_TEST_DATA", str(data))
    clock = ManualClock(T0)
    async with Runtime(data, objects=[Parcel], clock=clock) as rt:
        parcel = rt.get(Parcel, "p")
        if point == "inside:receipt":  # the transition and its entry action died together
            assert (await parcel.current_state(), await parcel.receipts()) == ("pending", 0)
            await parcel.pay()
        assert (await parcel.current_state(), await parcel.receipts()) == ("paid", 1)
        await clock.advance(86400)
        assert await parcel.current_state() == "cancelled"
        assert [h["cause"] for h in await parcel.history()] == ["start", "call", "timeout"]
