"""`Workflow`: a durable multi-step program; each instance is an object with its own SQLite, by id.

```python
class Onboarding(Workflow):
    async def run(self, event, step):
        user = await step.do("create user", create_user, event.params["email"], retries=5, timeout="30 s")
        await step.sleep("let them explore", "3 days")
        answer = await step.wait_for_event("approval", type="approved", timeout="7 days")
        await step.do("send welcome", send_welcome, user, answer.payload)
        return {"user": user["id"]}

inst = await Onboarding.create(rt, id="alice", params={"email": "a@example.com"})
```

The instance API (`start`, `status`, `send_event`, `pause`, `resume`, `terminate`, `restart`,
`receive`) is put on each subclass itself, so stubs and `/rpc` reach it like any method the user
wrote; `run` is the program and is not served over RPC.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..context.durable_object import DO
from ..runtime.extensions import Extensions
from ..runtime.ids import namespace_of
from ..runtime.timer_table import TIMER_TABLE_SCHEMA
from .directory import MAX_PAGE, WorkflowDirectory
from .instance import WorkflowInstance
from .runner import TIMER_KIND, Runner
from .step import Step, WorkflowEvent
from .store import INSTANCE_SCHEMA, STATUSES

if TYPE_CHECKING:
    from ..context.events import Event
    from ..runtime.runtime import Runtime
    from ..runtime.stub import ObjectStub
    from ..runtime.timer_table import Timer

MAX_INSTANCE_ID = 100
BATCH_CONCURRENCY = 256
"""How many instances `create_batch` starts at once."""


class _Program:
    """Holds a subclass's `run`: callable on an instance in-process, but not a plain function, so the
    RPC gateway (which serves only functions and properties the user's class defines) never serves it."""

    def __init__(self, fn: Any) -> None:
        self.fn = fn
        self.__doc__ = fn.__doc__

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        return self.fn if obj is None else self.fn.__get__(obj, owner)


class _InstanceApi:
    """The methods each Workflow subclass answers (copied onto the subclass; see the module docstring)."""

    def start(self: Any, params: Any = None) -> dict[str, Any]:
        """Create this instance with `params` and begin running it; `InstanceExistsError` if it exists."""
        return self._runner.start(params)

    def status(self: Any) -> dict[str, Any]:
        """`{"status", "output", "error", "steps", ...}`: where the instance is and how it ended."""
        return self._runner.status()

    def send_event(self: Any, type: str, payload: Any = None) -> None:
        """Send an event to the instance: the `wait_for_event` of that type gets it (it is kept until then)."""
        self._runner.send_event(type, payload)

    def receive(self: Any, event: Event) -> None:
        """Take a ctx event (from `ctx.subscribe(source, "Payment.*", "receive")`) as an event of its type."""
        self._runner.send_event(event.type, event.data)

    def pause(self: Any) -> None:
        """Stop at the next step boundary until `resume()`."""
        self._runner.pause()

    def resume(self: Any) -> None:
        """Go on from where the paused instance stopped."""
        self._runner.resume()

    def terminate(self: Any) -> None:
        """End the instance now (status `terminated`)."""
        self._runner.terminate()

    def restart(self: Any) -> None:
        """Run the instance again from the top with the same params (its step history is forgotten)."""
        self._runner.restart()


INSTANCE_API = ("start", "status", "send_event", "receive", "pause", "resume", "terminate", "restart")


class Workflow(DO):
    """Subclass it and define `async def run(self, event, step)`; see the module docstring."""

    async def _fire_timer(self, timer: Timer) -> None:
        """Timer kind of workflows: wake the instance (a sleep ended, a retry is due, an event wait timed out)."""
        await self._runner.on_timer()

    # Every instance writes its row, its steps and its timer: a new instance's database starts with them.
    extensions = Extensions(timer_kinds={TIMER_KIND: _fire_timer}, tables=(*TIMER_TABLE_SCHEMA, *INSTANCE_SCHEMA))

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in INSTANCE_API:
            if name in cls.__dict__ and cls.__dict__[name] is not vars(_InstanceApi)[name]:
                raise TypeError(
                    f"{cls.__name__} defines {name}(), which belongs to the workflow instance API "
                    f"({', '.join(INSTANCE_API)}); give the method another name"
                )
            setattr(cls, name, vars(_InstanceApi)[name])
        program = cls.__dict__.get("run")
        if program is not None and not isinstance(program, _Program):
            if not callable(program):
                raise TypeError(f"{cls.__name__}.run must be `async def run(self, event, step)`")
            cls.run = _Program(program)  # type: ignore[method-assign]

    async def run(self, event: WorkflowEvent, step: Step) -> Any:
        """The program of the workflow: define it in your subclass."""
        raise NotImplementedError(f"{type(self).__name__} must define `async def run(self, event, step)`")

    @cached_property
    def _runner(self) -> Runner:
        return Runner(self)

    # -- class-side API -----------------------------------------------------------------------------

    @classmethod
    async def create(cls, runtime: Runtime, *, id: str | None = None, params: Any = None) -> WorkflowInstance:
        """Create an instance (a random id unless `id` is given) and start it; returns its handle."""
        instance_id = _instance_id(id)
        started = await runtime.get(cls, instance_id).start(params)
        await cls.directory(runtime).register([(instance_id, started["created_at"])])
        return WorkflowInstance(runtime, cls, instance_id)

    @classmethod
    async def create_batch(cls, runtime: Runtime, instances: Iterable[Mapping[str, Any]]) -> list[WorkflowInstance]:
        """Create many instances: each item is `{"id": ..., "params": ...}` (both optional)."""
        wanted = []
        for item in instances:
            if not isinstance(item, Mapping) or set(item) - {"id", "params"}:
                raise TypeError(f"create_batch takes dicts with 'id' and 'params', not {item!r}")
            wanted.append((_instance_id(item.get("id")), item.get("params")))
        ids = [instance_id for instance_id, _ in wanted]
        if len(set(ids)) != len(ids):
            raise ValueError("create_batch was given the same id twice")
        # A fixed set of workers taking the next instance in turn: waiters on a semaphore would be
        # one task per instance, and releasing it scans the waiters that woke, quadratic in a batch.
        created: list[tuple[str, float] | Exception | None] = [None] * len(wanted)
        work = iter(enumerate(wanted))

        async def worker() -> None:
            for index, (instance_id, params) in work:
                try:
                    started = await runtime.get(cls, instance_id).start(params)
                except Exception as exc:
                    created[index] = exc
                else:
                    created[index] = (instance_id, started["created_at"])

        await asyncio.gather(*(worker() for _ in range(min(BATCH_CONCURRENCY, len(wanted)))))
        registered = [c for c in created if isinstance(c, tuple)]
        if registered:
            await cls.directory(runtime).register(registered)
        failed = [c for c in created if isinstance(c, Exception)]
        if failed:
            raise failed[0]
        return [WorkflowInstance(runtime, cls, instance_id) for instance_id in ids]

    @classmethod
    async def get(cls, runtime: Runtime, id: str) -> WorkflowInstance:
        """The handle of an existing instance; `InstanceNotFoundError` if it was never created."""
        handle = WorkflowInstance(runtime, cls, _instance_id(id))
        await handle.status()
        return handle

    @classmethod
    async def instances(
        cls, runtime: Runtime, *, status: str | None = None, limit: int = 100, after: str | None = None
    ) -> list[dict[str, Any]]:
        """Instances in creation order: `{"id", "status", "created_at", "updated_at"}`, `status` filters,
        `after` (an id) pages. The status is the one each instance last reported."""
        if status is not None and status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
            raise ValueError(f"limit must be an int from 1 to {MAX_PAGE}, not {limit!r}")
        return await cls.directory(runtime).page(status, limit, after)

    @classmethod
    async def wait_for(cls, runtime: Runtime, *, status: str = "complete", count: int) -> None:
        """Return once at least `count` instances have reported `status` (e.g. after `create_batch`),
        without touching the instances themselves."""
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
        await cls.directory(runtime).wait_for(status, count)

    @classmethod
    def directory(cls, runtime: Runtime) -> ObjectStub:
        """The stub of the object that lists this workflow's instances and sends their lifecycle events
        (`<Workflow>.completed`, `.errored`, `.terminated`): `ctx.subscribe(Onboarding.directory(rt),
        "Onboarding.*", "handler")` hears about every instance."""
        return runtime.get(WorkflowDirectory, _workflow_name(cls))

    @classmethod
    async def counts(cls, runtime: Runtime) -> dict[str, int]:
        """How many instances are in each status (as last reported)."""
        return await cls.directory(runtime).counts()


def _workflow_name(cls: type[Workflow]) -> str:
    return namespace_of(cls)


def _instance_id(value: Any) -> str:
    if value is None:
        return uuid.uuid4().hex
    if not isinstance(value, str) or not value or len(value) > MAX_INSTANCE_ID:
        raise ValueError(f"An instance id is a non-empty str of at most {MAX_INSTANCE_ID} characters, not {value!r}")
    return value
