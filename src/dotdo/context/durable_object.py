"""`dotdo.DO`: the runtime's Durable Object plus its `ctx`."""

from __future__ import annotations

from functools import cached_property
from typing import ClassVar

from ..runtime.durable_object import DurableObject
from ..runtime.extensions import Extensions
from .actions import ACTION_TIMER_KIND, fire_action
from .context import Context
from .dispatch import DISPATCH_TIMER_KIND, fire_dispatch_backstop
from .schedule_builder import class_schedules
from .schedules import SCHEDULE_TIMER_KIND, SCHEDULES_TABLE, fire_schedule
from .stubs import StubPolicy
from .subscriptions import OUTBOX_TIMER_KIND, fire_outbox


class DO(DurableObject):
    """Subclass this: a Durable Object with storage, identity and `self.ctx`.

    ```python
    class Shop(DO):
        @on("Customer.signup")
        async def welcome(self, event): ...

        @every.monday.at("9am")
        async def weekly_report(self): ...
    ```
    """

    extensions = Extensions(
        timer_kinds={
            DISPATCH_TIMER_KIND: fire_dispatch_backstop,
            ACTION_TIMER_KIND: fire_action,
            OUTBOX_TIMER_KIND: fire_outbox,
            SCHEDULE_TIMER_KIND: fire_schedule,
        },
    )

    stub_policy: ClassVar[StubPolicy | None] = None
    """Circuit breaker, retry and cache settings for this class's `ctx.<Class>(name)` stubs."""

    @cached_property
    def ctx(self) -> Context:
        """This object's context (the original's `$`)."""
        return Context(self)

    async def _on_activate(self) -> None:
        # `@every` methods become persisted schedules before any timer of this activation fires. A
        # class without any, whose objects never had schedules, skips it (and builds no ctx for it).
        if class_schedules(type(self)) or self.storage.table_exists(SCHEDULES_TABLE):
            self.ctx.schedules.sync_class_schedules()
