"""The directory's state, run in-process (the Ray scenarios run it as an actor)."""

import asyncio

from dotdo.cluster.directory import Directory
from dotdo.cluster.placement import HostInfo


async def test_register_and_remove_make_new_versions_that_waiters_see() -> None:
    directory = Directory()
    waiter = asyncio.create_task(directory.wait_change(0))
    await asyncio.sleep(0)
    assert not waiter.done()
    assert await directory.register(HostInfo("host-0", ("127.0.0.1", 1), 10)) == 1
    assert list((await waiter).hosts) == ["host-0"]
    await directory.register(HostInfo("host-1", ("127.0.0.1", 2), 11))
    assert await directory.remove("host-0") == 3
    assert await directory.remove("host-0") == 3
    view = await directory.view()
    assert view.version == 3 and list(view.hosts) == ["host-1"]


async def test_a_waiter_gets_the_current_view_after_its_timeout() -> None:
    directory = Directory()
    assert (await directory.wait_change(0, timeout=0.01)).version == 0


async def test_pins_are_set_and_cleared() -> None:
    directory = Directory()
    await directory.register(HostInfo("host-0", ("127.0.0.1", 1), 10))
    await directory.pin("Counter", "ab" * 32, "host-0")
    assert (await directory.view()).pins == {("Counter", "ab" * 32): "host-0"}
    await directory.pin("Counter", "ab" * 32, None)
    assert (await directory.view()).pins == {}


async def test_placement_hints_of_classes_and_objects_make_new_versions() -> None:
    directory = Directory()
    version = await directory.place("Counter", None, ("region:eu-west",))
    assert await directory.place("Counter", None, ("region:eu-west",)) == version  # unchanged
    await directory.place("Counter", "ab" * 32, ("region:us-east",))
    view = await directory.view()
    assert view.class_placements == {"Counter": ("region:eu-west",)}
    assert view.object_placements == {("Counter", "ab" * 32): ("region:us-east",)}
    await directory.place("Counter", None, ())
    await directory.place("Counter", "ab" * 32, ())
    view = await directory.view()
    assert view.class_placements == {} and view.object_placements == {}


async def test_a_removed_host_keeps_the_reason() -> None:
    directory = Directory()
    await directory.register(HostInfo("host-0", ("127.0.0.1", 1), 10))
    await directory.remove("host-0", "Ray reported it dead")
    assert await directory.removal_reason("host-0") == "Ray reported it dead"
    assert await directory.departed() == {"host-0": "Ray reported it dead"}
    await directory.register(HostInfo("host-0", ("127.0.0.1", 1), 10))
    assert await directory.removal_reason("host-0") is None
