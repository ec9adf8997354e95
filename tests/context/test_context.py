import pytest

import dotdo.context
from dotdo import Runtime
from dotdo.context import DO, Event, on


def free_function_sends(kind: str) -> str | None:
    return dotdo.context.ctx.send(f"{kind}.happened", {"via": "dotdo.ctx"})


class Journal(DO):
    async def on_start(self) -> None:
        self.got: list[str] = []

    @on("*.happened")
    def collect(self, event: Event) -> None:
        self.got.append(event.data["via"])

    def rolled_back_send(self) -> None:
        def block() -> None:
            self.ctx.send("Thing.happened", {"via": "rolled back"})
            raise RuntimeError("abort the block")

        try:
            self.storage.transaction_sync(block)
        except RuntimeError:
            pass


async def test_dotdo_ctx_is_the_running_objects_ctx(runtime: Runtime) -> None:
    assert await runtime.run_in(Journal, "j", lambda j: free_function_sends("Thing")) is not None
    await runtime.run_in(Journal, "j", lambda j: j.ctx.settle())
    assert await runtime.run_in(Journal, "j", lambda j: j.got) == ["dotdo.ctx"]
    with pytest.raises(RuntimeError, match="only available while an object's event runs"):
        dotdo.context.ctx.send("Thing.happened", {})


async def test_identity_clock_and_repr(runtime: Runtime) -> None:
    def look(j: Journal) -> tuple:
        return j.ctx.source, j.ctx.now(), j.ctx.name, repr(j.ctx)

    assert await runtime.run_in(Journal, "j", look) == ("Journal/j", runtime.clock.now(), "j", "<ctx of Journal 'j'>")


async def test_a_send_inside_a_rolled_back_block_dispatches_nothing(runtime: Runtime) -> None:
    await runtime.get(Journal, "j").rolled_back_send()
    await runtime.run_in(Journal, "j", lambda j: j.ctx.settle())
    assert await runtime.run_in(Journal, "j", lambda j: (j.got, j.ctx.event_log())) == ([], [])
    await runtime.run_in(Journal, "j", lambda j: j.ctx.emit("Thing.happened", {"via": "emit"}))
    assert await runtime.run_in(Journal, "j", lambda j: j.got) == ["emit"]
