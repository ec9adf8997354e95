"""`WorkflowInstance`: the handle `Workflow.create` returns — status and lifecycle calls by id."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..runtime.runtime import Runtime
    from ..runtime.stub import ObjectStub
    from .workflow import Workflow


class WorkflowInstance:
    """One instance of a workflow, reached through the runtime (each call is an event of the instance)."""

    __slots__ = ("id", "runtime", "workflow")

    def __init__(self, runtime: Runtime, workflow: type[Workflow], instance_id: str) -> None:
        self.runtime = runtime
        self.workflow = workflow
        self.id = instance_id

    @property
    def stub(self) -> ObjectStub:
        """The runtime's stub of the instance's object."""
        return self.runtime.get(self.workflow, self.id)

    async def status(self) -> dict[str, Any]:
        """`{"status", "output", "error", "steps", ...}`; `InstanceNotFoundError` if it was never created."""
        return await self.stub.status()

    async def settle(self) -> dict[str, Any]:
        """Wait until no execution of the instance is in progress in this process (it waits, is paused
        or has ended), then return its status. For tests and scripts; nothing needs it to progress."""
        await self.runtime.run_in(self.workflow, self.id, lambda obj: obj.ctx.settle())
        return await self.status()

    async def send_event(self, type: str, payload: Any = None) -> None:
        """Send an event: the `step.wait_for_event` of that type gets it (kept until one asks)."""
        await self.stub.send_event(type, payload)

    async def pause(self) -> None:
        """Stop at the next step boundary until `resume()`."""
        await self.stub.pause()

    async def resume(self) -> None:
        """Go on from where the paused instance stopped."""
        await self.stub.resume()

    async def terminate(self) -> None:
        """End the instance now (status `terminated`)."""
        await self.stub.terminate()

    async def restart(self) -> None:
        """Run the instance again from the top with the same params."""
        await self.stub.restart()

    def __repr__(self) -> str:
        return f"<{self.workflow.__name__} instance {self.id!r}>"
