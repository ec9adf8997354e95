"""A cluster host's share of its machine's open databases follows the hosts of its view on that machine."""

from pathlib import Path

from dotdo import Runtime
from dotdo.cluster.host import MIN_OPEN_DATABASES, ClusterHost
from dotdo.cluster.placement import HostInfo, PlacementView


def view_of(*hosts: tuple[str, str]) -> PlacementView:
    return PlacementView(1, {host_id: HostInfo(host_id, (address, 7000 + i), i) for i, (host_id, address) in
                             enumerate(hosts)})  # fmt: skip


async def test_the_hosts_of_one_machine_share_its_open_databases_and_a_survivor_takes_the_share_of_the_dead(
    tmp_path: Path,
) -> None:
    host = ClusterHost("host-0", str(tmp_path), "probe", None, classes=[], import_paths=[], machine_databases=1000)
    async with Runtime(tmp_path / "host-0") as runtime:
        host.runtime = runtime
        host.info = HostInfo("host-0", ("10.0.0.1", 7000), 1)
        host.view = view_of(("host-0", "10.0.0.1"), ("host-1", "10.0.0.1"), ("host-2", "10.0.0.2"))
        host.share_databases()
        assert runtime.max_open_databases == 500  # host-2 runs on another machine
        host.view = view_of(("host-0", "10.0.0.1"), ("host-2", "10.0.0.2"))
        host.share_databases()
        assert runtime.max_open_databases == 1000
        host.view = view_of(*((f"host-{i}", "10.0.0.1") for i in range(40)))
        host.share_databases()
        assert runtime.max_open_databases == MIN_OPEN_DATABASES
