"""The host-to-host wire over real loopback sockets: multiplexed requests, errors, a peer that dies."""

import asyncio

import pytest

from dotdo.cluster.wire import HostUnavailableError, WireClient, WireServer, WireStream


async def test_many_requests_share_one_connection_and_are_answered_out_of_order() -> None:
    async def handler(kind: str, payload: float) -> tuple[str, float]:
        await asyncio.sleep(payload)
        return kind, payload

    server = WireServer(handler)
    address = await server.start("127.0.0.1")
    client = WireClient(address, "peer")
    try:
        delays = [0.05, 0.0, 0.03, 0.01]
        answers = await asyncio.gather(*(client.request(f"k{i}", d) for i, d in enumerate(delays)))
        assert answers == [(f"k{i}", d) for i, d in enumerate(delays)]
        assert server.connections == 1
    finally:
        await client.close()
        await server.close()


async def test_an_exception_raised_by_the_peer_reaches_the_caller() -> None:
    async def handler(kind: str, payload: object) -> None:
        raise KeyError(payload)

    server = WireServer(handler)
    client = WireClient(await server.start("127.0.0.1"), "peer")
    try:
        with pytest.raises(KeyError, match="missing"):
            await client.request("get", "missing")
    finally:
        await client.close()
        await server.close()


async def test_requests_in_flight_fail_when_the_peer_goes_away() -> None:
    async def dies_after_a_request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1)
        writer.transport.abort()

    peer = await asyncio.start_server(dies_after_a_request, "127.0.0.1", 0)
    client = WireClient(peer.sockets[0].getsockname()[:2], "host-9")
    try:
        with pytest.raises(HostUnavailableError, match="connection to host-9 broke"):
            await client.request("call", None)
    finally:
        await client.close()
        peer.close()


async def test_an_unreachable_peer_is_a_clear_error() -> None:
    server = WireServer(lambda kind, payload: asyncio.sleep(0))
    address = await server.start("127.0.0.1")
    await server.close()
    client = WireClient(address, "host-3")
    with pytest.raises(HostUnavailableError, match="Cannot reach host-3"):
        await client.request("call", None)


async def test_a_stream_carries_messages_both_ways_in_order_beside_requests() -> None:
    async def echo_until_done(kind: str, payload: str, stream: WireStream) -> None:
        stream.send(f"{kind} {payload}")
        while (message := await stream.receive()) is not None:
            stream.send(message * 2)

    server = WireServer(lambda kind, payload: asyncio.sleep(0, payload), echo_until_done)
    client = WireClient(await server.start("127.0.0.1"), "peer")
    try:
        stream = await client.open_stream("echo", "hello")
        assert await stream.receive() == "echo hello"
        for number in range(5):
            stream.send(number)
        assert await client.request("ping", "pong") == "pong"
        assert [await stream.receive() for _ in range(5)] == [0, 2, 4, 6, 8]
        assert server.open_streams == 1
        stream.close()
        async with asyncio.timeout(5):
            while server.open_streams:
                await asyncio.sleep(0.01)
    finally:
        await client.close()
        await server.close()


async def test_a_stream_breaks_when_the_connection_does() -> None:
    async def hold(kind: str, payload: object, stream: WireStream) -> None:
        await stream.receive()

    server = WireServer(lambda kind, payload: asyncio.sleep(0), hold)
    client = WireClient(await server.start("127.0.0.1"), "host-7")
    stream = await client.open_stream("hold", None)
    await server.close()
    with pytest.raises(HostUnavailableError, match="connection to host-7 broke"):
        await stream.receive()
    await client.close()
