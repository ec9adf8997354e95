"""An order flow as a durable workflow and as a state machine: payment, shipping with a timeout,
cancellation.

    python examples/workflow_orders.py

Time comes from a manual clock, so two days of waiting pass in a blink; omit `clock=` to run in
real time. Kill the process at any point and start it again on the same folder: every order goes
on from where it was, and no payment is taken twice.
"""

from __future__ import annotations

import asyncio
import tempfile

from dotdo import NonRetryableError, Runtime, StateMachine, Workflow, state, transition
from dotdo.testing import ManualClock
from dotdo.workflows import EventTimeoutError, idempotency_key


async def take_payment(order: dict) -> dict:
    """An external call: the idempotency key lets the payment service recognise a repeated attempt."""
    if order["card"] == "declined":
        raise NonRetryableError("card declined")
    return {"payment_id": f"pay-{order['id']}", "key": idempotency_key()}


def refund(payment: dict) -> str:
    return f"refunded {payment['payment_id']}"


class OrderFlow(Workflow):
    """Pay, wait up to two days for the warehouse to ship, cancel and refund otherwise."""

    async def run(self, event, step):
        order = event.params
        try:
            payment = await step.do("take payment", take_payment, order, retries=3, delay="30 s", timeout="10 s")
        except NonRetryableError as exc:
            return {"status": "cancelled", "reason": str(exc)}
        try:
            shipped = await step.wait_for_event("shipping", type="shipped", timeout="2 days")
        except EventTimeoutError:
            refunded = await step.do("refund", refund, payment)
            return {"status": "cancelled", "reason": "not shipped within 2 days", "refund": refunded}
        return {"status": "shipped", "tracking": shipped.payload["tracking"], "payment": payment["payment_id"]}


class Order(StateMachine):
    """The same order as explicit states: each transition is a method, 'paid' times out to 'cancelled'."""

    pending = state(initial=True)
    paid = state()
    shipped = state(final=True)
    cancelled = state(final=True)

    pay = transition(pending, paid, guard="amount_positive")
    ship = transition(paid, shipped, timeout="2 days", on_timeout="cancel")
    cancel = transition([pending, paid], cancelled)

    def amount_positive(self, amount: int = 0) -> bool:
        return amount > 0


async def main() -> None:
    clock = ManualClock()
    with tempfile.TemporaryDirectory() as folder:
        async with Runtime(folder, objects=[OrderFlow, Order], clock=clock) as rt:
            quick = await OrderFlow.create(rt, id="order-1", params={"id": 1, "card": "ok"})
            slow = await OrderFlow.create(rt, id="order-2", params={"id": 2, "card": "ok"})
            declined = await OrderFlow.create(rt, id="order-3", params={"id": 3, "card": "declined"})
            await quick.send_event("shipped", {"tracking": "TRK-1"})
            await clock.advance(2 * 86400)
            for inst in (quick, slow, declined):
                print(inst.id, (await inst.settle())["output"])
            print("listed:", await OrderFlow.instances(rt))

            machine = rt.get(Order, "order-4")
            await machine.pay(amount=30)
            await clock.advance(2 * 86400)
            print("order-4 is", await machine.current_state())
            print(Order.diagram())


if __name__ == "__main__":
    asyncio.run(main())
