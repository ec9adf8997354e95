import asyncio
import json

import pytest
import websockets
from starlette.websockets import WebSocket

from dotdo import API, DO
from tests.conftest import serving


class ChatRoom(DO):
    async def on_start(self) -> None:
        self.set_websocket_auto_response("ping", "pong")

    async def fetch(self, request):
        if not isinstance(request, WebSocket):
            return {"sockets": len(self.get_websockets())}
        user = request.query_params.get("user", "anon")
        if user == "banned":
            return None
        ws = self.accept_websocket(request, tags=[user, "everyone"])
        ws.serialize_attachment({"user": user})
        ws.send(f"welcome {user}")
        return None

    async def websocket_message(self, ws, message):
        seen = self.storage.get("seen") or 0
        self.storage.put("seen", seen + 1)
        user = ws.deserialize_attachment()["user"]
        if message == "who":
            ws.send(json.dumps(sorted(c.deserialize_attachment()["user"] for c in self.get_websockets())))
        elif message.startswith("@"):
            target, _, text = message[1:].partition(" ")
            for other in self.get_websockets(tag=target):
                other.send(f"{user} whispers {text}")
        elif message == "boom":
            raise RuntimeError("handler failed")
        else:
            for other in self.get_websockets():
                other.send(f"{user}: {message}")

    async def websocket_close(self, ws, code, reason):
        self.storage.put("closed", (self.storage.get("closed") or []) + [code])

    async def websocket_error(self, ws, error):
        ws.send(f"error: {error}")

    async def counts(self) -> dict:
        return {"seen": self.storage.get("seen") or 0, "closed": self.storage.get("closed") or []}


@pytest.fixture
def app(tmp_path):
    return API(ChatRoom, ns="/:room", data_dir=tmp_path)


async def test_accept_broadcast_tags_and_attachments(app):
    async with (
        serving(app) as address,
        websockets.connect(f"ws://{address}/lobby/ws?user=ann") as ann,
        websockets.connect(f"ws://{address}/lobby/ws?user=bob") as bob,
    ):
        assert await ann.recv() == "welcome ann"
        assert await bob.recv() == "welcome bob"
        await ann.send("hello")
        assert await ann.recv() == "ann: hello"
        assert await bob.recv() == "ann: hello"
        await bob.send("@ann psst")
        assert await ann.recv() == "bob whispers psst"
        await bob.send("who")
        assert json.loads(await bob.recv()) == ["ann", "bob"]


async def test_sockets_survive_eviction_and_the_next_message_reactivates(app):
    async with (
        serving(app) as address,
        websockets.connect(f"ws://{address}/lobby/ws?user=ann") as ann,
        websockets.connect(f"ws://{address}/lobby/ws?user=bob") as bob,
    ):
        await ann.recv(), await bob.recv()
        host = app.runtime.host
        assert host.evict(("ChatRoom", app.runtime.id_from_name(ChatRoom, "lobby").hex))
        assert host.live_count == 0
        activations = host.activations
        await ann.send("still here?")
        assert await bob.recv() == "ann: still here?"
        assert host.activations == activations + 1
        await bob.send("who")
        assert json.loads(await bob.recv()) == ["ann", "bob"]


async def test_auto_response_does_not_wake_the_object(app):
    async with serving(app) as address:
        async with websockets.connect(f"ws://{address}/lobby/ws?user=ann") as ann:
            await ann.recv()
            host = app.runtime.host
            host.evict(("ChatRoom", app.runtime.id_from_name(ChatRoom, "lobby").hex))
            for _ in range(3):
                await ann.send("ping")
                assert await ann.recv() == "pong"
            assert host.live_count == 0
        assert (await app.runtime.get(ChatRoom, "lobby").counts())["seen"] == 0


async def test_handler_errors_go_to_websocket_error_and_close_is_delivered(app):
    async with serving(app) as address:
        async with websockets.connect(f"ws://{address}/lobby/ws?user=ann") as ann:
            await ann.recv()
            await ann.send("boom")
            assert await ann.recv() == "error: handler failed"
            await ann.send("after")
            assert await ann.recv() == "ann: after"
        stub = app.runtime.get(ChatRoom, "lobby")
        for _ in range(100):
            if (await stub.counts())["closed"]:
                break
            await asyncio.sleep(0.01)
        assert (await stub.counts())["closed"] == [1000]


async def test_a_socket_the_object_does_not_accept_is_refused(app):
    async with serving(app) as address:
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with websockets.connect(f"ws://{address}/lobby/ws?user=banned"):
                pass
        assert refused.value.response.status_code == 403


def test_attachments_are_bounded():
    from dotdo.runtime.websockets import HibernatableWebSocket

    connection = HibernatableWebSocket(socket=None, key=("R", "0" * 64), tags=[])
    with pytest.raises(ValueError, match="limited"):
        connection.serialize_attachment("x" * 20_000)
    with pytest.raises(TypeError):
        connection.send(123)
