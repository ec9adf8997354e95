"""The session on its own: two sessions wired to each other in memory (no transport), checking
the tables, pipelining, releases and aborts as a user of stubs sees them."""

from __future__ import annotations

import asyncio
import gc
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from session_pair import Pair, settle

from dotdo import rpc
from dotdo.rpc.session import Session


class Counter(rpc.RpcTarget):
    def __init__(self, start: int):
        self._n = start

    def increment(self, by: int = 1) -> int:
        self._n += by
        return self._n

    @property
    def value(self) -> int:
        return self._n


class Api(rpc.RpcTarget):
    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.shared = Counter(0)
        self.seen: list[Any] = []

    def make_counter(self, start: int) -> Counter:
        return Counter(start)

    async def slow_counter(self, start: int) -> Counter:
        await self.gate.wait()
        return Counter(start)

    def same_twice(self) -> list[Counter]:
        return [self.shared, self.shared]

    def add(self, a: int, b: int) -> int:
        return a + b

    def record(self, value: Any) -> str:
        self.seen.append(value)
        return type(value).__name__

    async def call_back(self, fn: Any, arg: Any) -> Any:
        return await fn(arg)

    def nothing(self) -> None:
        return None

    def user(self) -> dict:
        return {"name": "Ann", "tags": ["a", "b"]}

    def broken(self) -> None:
        raise TypeError("wrong type here")


@pytest.fixture
async def pair() -> Pair:
    return Pair(Api())


async def test_pipelined_chain_is_pushed_and_only_the_last_pulled(pair: Pair) -> None:
    assert await pair.api.make_counter(5).increment(2) == 7
    assert pair.sent("push") == [
        ["push", ["pipeline", 0, ["make_counter"], [5]]],
        ["push", ["pipeline", 1, ["increment"], [2]]],
    ]
    assert pair.sent("pull") == [["pull", 2]]


async def test_calls_on_an_unresolved_result_wait_for_it_in_order(pair: Pair) -> None:
    api: Any = pair.api
    counter = api.slow_counter(10)
    first = asyncio.ensure_future(counter.increment(1))
    second = counter.increment(2)
    assert await api.add(1, 2) == 3
    await settle()
    assert not first.done()
    pair.server.export_value(0).gate.set()
    assert await asyncio.gather(first, second, counter.value) == [11, 13, 13]


async def test_promise_arguments_are_resolved_before_delivery(pair: Pair) -> None:
    api: Any = pair.api
    assert await api.record(api.user().name) == "str"
    assert await api.record(api.user()) == "dict"
    assert pair.server.export_value(0).seen == ["Ann", {"name": "Ann", "tags": ["a", "b"]}]


async def test_stub_argument_is_delivered_as_a_stub(pair: Pair) -> None:
    api: Any = pair.api
    counter = await api.make_counter(1)
    assert await api.record(counter) == "Counter"
    assert await api.record(lambda: 1) == "RpcStub"


async def test_results_are_released_after_resolution(pair: Pair) -> None:
    api: Any = pair.api
    for i in range(5):
        assert await api.add(i, 1) == i + 1
    await settle()
    assert pair.server.export_count == 1  # only the main object
    assert pair.client.import_count == 1  # only the peer's main
    assert [m[2] for m in pair.sent("release")] == [1] * 5


async def test_exported_target_uses_negative_ids_and_is_released_on_dispose(pair: Pair) -> None:
    api: Any = pair.api
    counter = await api.make_counter(3)
    assert ["resolve", 1, ["export", -1]] in [m for d, m in pair.wire if d == "<"]
    assert await counter.increment() == 4
    rpc.dispose(counter)
    await settle()
    assert ["release", -1, 1] in pair.sent("release")
    assert pair.server.export_count == 1
    with pytest.raises(rpc.StubDisposedError, match="disposed"):
        await counter.increment()


async def test_stub_is_released_when_garbage_collected(pair: Pair) -> None:
    api: Any = pair.api
    counter = await api.make_counter(3)
    assert await counter.value == 3
    del counter
    gc.collect()
    await settle()
    assert pair.server.export_count == 1


async def test_results_nobody_awaits_are_released_when_dropped(pair: Pair) -> None:
    api: Any = pair.api
    for _ in range(3):
        assert await api.add(api.add(1, 2), 3) == 6
    gc.collect()
    await settle()
    assert pair.server.export_count == 1
    assert pair.client.import_count == 1


async def test_same_target_twice_keeps_one_id_and_releases_with_the_total_refcount(pair: Pair) -> None:
    api: Any = pair.api
    first, second = await api.same_twice()
    assert await first.increment() == 1 and await second.increment() == 2
    rpc.dispose(first)
    await settle()
    assert ["release", -1, 2] in pair.sent("release")
    assert pair.server.export_count == 1


async def test_server_calls_a_client_callback(pair: Pair) -> None:
    api: Any = pair.api
    calls = []

    async def shout(text: str) -> str:
        calls.append(text)
        return text.upper()

    assert await api.call_back(shout, "hi") == "HI"
    assert calls == ["hi"]
    gc.collect()
    await settle()
    assert pair.client.export_count == 0


async def test_errors_keep_their_python_type(pair: Pair) -> None:
    api: Any = pair.api
    with pytest.raises(TypeError, match="wrong type here") as raised:
        await api.broken()
    assert isinstance(raised.value, rpc.RpcTypeError)


async def test_map_over_none_and_over_a_single_value(pair: Pair) -> None:
    api: Any = pair.api
    assert await api.nothing().map(lambda x: x.name) is None
    assert await api.user().map(lambda u: u.tags) == ["a", "b"]
    assert await api.user().tags.map(lambda t: api.add(t, "!")) == ["a!", "b!"]


async def test_map_refuses_awaiting_and_async_functions(pair: Pair) -> None:
    api: Any = pair.api

    async def mapper(x: Any) -> Any:
        return x

    with pytest.raises(TypeError, match="not async"):
        api.user().tags.map(mapper)
    with pytest.raises(TypeError, match="not an awaitable"):
        api.user().tags.map(lambda x: mapper(x))


async def test_keyword_arguments_are_refused_with_advice(pair: Pair) -> None:
    with pytest.raises(TypeError, match="positional"):
        pair.api.add(a=1, b=2)


async def test_abort_fails_pending_calls_on_the_other_side(pair: Pair) -> None:
    api: Any = pair.api
    pending = api.slow_counter(1).value
    task = asyncio.ensure_future(pending)
    await settle()
    pair.server.abort(RuntimeError("server going away"))
    with pytest.raises(rpc.SessionAbortedError, match="server going away"):
        await task
    with pytest.raises(rpc.SessionAbortedError):
        await api.add(1, 2)


# ---------------------------------------------------------------- fuzzing the whole session

_ids = st.integers(min_value=-3, max_value=4)
_leaf = st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=4)
_expression = st.recursive(
    _leaf
    | st.builds(
        lambda i, p, a: ["pipeline", i, p, a],
        _ids,
        st.lists(st.sampled_from(["add", "user", "name", "_n", 0]), max_size=2),
        st.lists(_leaf, max_size=2),
    )
    | st.builds(lambda i: ["import", i], _ids)
    | st.builds(lambda i: ["export", i], _ids)
    | st.builds(lambda i: ["promise", i], _ids)
    | st.builds(lambda i: ["readable", i], _ids)
    | st.builds(lambda i: ["writable", i], _ids)
    | st.builds(lambda t, i: ["blob", t, ["readable", i]], st.text(max_size=3), _ids)
    | st.builds(
        lambda i: ["remap", i, [], [["import", 0]], [["remap", 0, [], [["import", -1]], [["pipeline", -1]]]]], _ids
    )
    | st.builds(lambda t: [t], st.sampled_from(["undefined", "inf", "nan", "bogus"])),
    lambda children: (
        st.lists(children, max_size=3).map(lambda xs: [xs]) | st.dictionaries(st.text(max_size=3), children, max_size=2)
    ),
    max_leaves=8,
)
_message = st.one_of(
    st.builds(lambda e: ["push", e], _expression),
    st.builds(lambda e: ["stream", e], _expression),
    st.builds(lambda i: ["pull", i], _ids),
    st.builds(lambda i, e: ["resolve", i, e], _ids, _expression),
    st.builds(lambda i, e: ["reject", i, e], _ids, _expression),
    st.builds(lambda i, n: ["release", i, n], _ids, st.integers(-1, 3)),
    st.builds(lambda e: ["abort", e], _expression),
    st.just(["pipe"]),
    st.builds(
        lambda i, m, a: ["stream", ["pipeline", i, [m], a]],
        _ids,
        st.sampled_from(["write", "close", "abort"]),
        st.lists(_leaf, max_size=1),
    ),
    st.lists(_leaf, max_size=3),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_message, max_size=8))
def test_random_message_sequences_never_escape_the_session(messages) -> None:
    async def run() -> None:
        sent: list[str] = []
        session = Session(Api(), send=sent.append)
        for message in messages:
            session.receive(json.dumps(message))
        for _ in range(10):
            await asyncio.sleep(0)
        for text in sent:
            parsed = json.loads(text)
            assert parsed[0] in ("resolve", "reject", "abort", "release", "push", "pull", "stream", "pipe")
        session.abort(RuntimeError("test over"), send=False)

    asyncio.run(run())
