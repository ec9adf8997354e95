"""Leases with epochs: a host whose lease was taken over cannot commit, and nothing of it lands."""

from pathlib import Path

import pytest

from dotdo import DO, Runtime
from dotdo.cluster.fencing import LeaseLostError, NotOwnerError, install_fencing, stored_epoch
from dotdo.cluster.layout import host_folder


class Tally(DO):
    def add(self, n: int) -> int:
        total = (self.storage.get("total") or 0) + n
        self.storage.put("total", total)
        return total

    def release_file(self) -> None:
        self.storage.release_connection()


def fenced_runtime(data_dir: Path, host_id: str, **options: object) -> Runtime:
    runtime = Runtime(host_folder(data_dir, host_id), objects=[Tally], **options)
    install_fencing(runtime, host_id)
    return runtime


async def test_a_host_that_lost_its_lease_cannot_commit(tmp_path: Path) -> None:
    async with fenced_runtime(tmp_path, "host-a") as a, fenced_runtime(tmp_path, "host-b") as b:
        assert await a.get(Tally, "acme").add(1) == 1
        path = a.host.data_folder.object_path("Tally", a.id_from_name(Tally, "acme").hex)
        # Host A keeps the object live but lets go of the file, as its connection budget does.
        await a.get(Tally, "acme").release_file()
        assert stored_epoch(path) == 1

        assert await b.get(Tally, "acme").add(10) == 11
        await b.get(Tally, "acme").release_file()
        assert stored_epoch(path) == 2

        with pytest.raises(LeaseLostError, match=r"host-a holds epoch 1 .* epoch 2 held by host-b"):
            await a.get(Tally, "acme").add(100)

        assert await b.get(Tally, "acme").add(0) == 11


async def test_the_lease_survives_a_restart_of_its_holder(tmp_path: Path) -> None:
    async with fenced_runtime(tmp_path, "host-a", durability="power") as a:
        await a.get(Tally, "acme").add(2)
    async with fenced_runtime(tmp_path, "host-a", durability="power") as a:
        assert await a.get(Tally, "acme").add(3) == 5
        path = a.host.data_folder.object_path("Tally", a.id_from_name(Tally, "acme").hex)
    assert stored_epoch(path) == 2


async def test_a_host_refuses_to_activate_an_object_it_does_not_own(tmp_path: Path) -> None:
    runtime = Runtime(host_folder(tmp_path, "host-a"), objects=[Tally])
    install_fencing(runtime, "host-a", owns=lambda oid: oid.name != "elsewhere")
    async with runtime:
        assert await runtime.get(Tally, "here").add(1) == 1
        with pytest.raises(NotOwnerError, match="host-a does not own Tally elsewhere"):
            await runtime.get(Tally, "elsewhere").add(1)
