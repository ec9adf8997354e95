import pytest
from starlette.responses import JSONResponse

from dotdo import Runtime, UnknownClassError
from dotdo.context import DO, CircuitOpenError, StubPolicy, TransientError
from dotdo.context.circuit_breaker import CLOSED, HALF_OPEN, OPEN


class Customer(DO):
    async def on_start(self) -> None:
        self.flaky_failures = 0

    def notify(self, message: str) -> str:
        notes = self.storage.get("notes") or []
        notes.append(message)
        self.storage.put("notes", notes)
        return f"{self.name} got {message}"

    def set_flaky(self, failures: int) -> None:
        self.flaky_failures = failures

    def flaky(self) -> str:
        if self.flaky_failures:
            self.flaky_failures -= 1
            raise TransientError("try again")
        return "ok"

    def broken(self) -> None:
        raise ValueError("bad request")


class Store(DO):
    stub_policy = StubPolicy(retry_initial=0, cache_size=3)

    async def tell(self, name: str, message: str) -> str:
        return await self.ctx.Customer(name).notify(message)

    async def call(self, name: str, method: str) -> str:
        return await getattr(self.ctx.Customer(name), method)()


async def test_a_stub_calls_the_method_on_the_other_object(runtime: Runtime) -> None:
    runtime.register(Customer)
    assert await runtime.get(Store, "s").tell("alice", "hi") == "alice got hi"
    assert await runtime.run_in(Customer, "alice", lambda c: c.storage.get("notes")) == ["hi"]


async def test_an_unknown_class_lists_the_registered_ones(runtime: Runtime) -> None:
    runtime.register(Customer)
    with pytest.raises(UnknownClassError, match="Unknown class 'Custmer'; registered: Customer, Store"):
        await runtime.run_in(Store, "s", lambda s: s.ctx.Custmer("alice"))
    with pytest.raises(AttributeError, match="ctx has no attribute 'nothing'"):
        await runtime.run_in(Store, "s", lambda s: s.ctx.nothing)
    with pytest.raises(TypeError, match="object name is a str"):
        await runtime.run_in(Store, "s", lambda s: s.ctx.Customer(42))


async def test_a_class_of_the_callers_module_is_registered_on_first_use(runtime: Runtime) -> None:
    assert "Customer" not in runtime.host.classes
    assert await runtime.get(Store, "s").tell("carol", "hello") == "carol got hello"
    assert runtime.class_named("Customer") is Customer


async def test_an_unknown_class_says_how_to_register_it(runtime: Runtime) -> None:
    with pytest.raises(UnknownClassError) as caught:
        await runtime.run_in(Store, "s", lambda s: s.ctx.Order("o1"))
    assert str(caught.value) == (
        "Unknown class 'Order'; registered: Store. Register it: Runtime(objects=[Store, Order]) "
        "or API(..., objects=[Order])"
    )


async def test_transient_errors_are_retried_others_are_not(runtime: Runtime) -> None:
    runtime.register(Customer)
    await runtime.get(Customer, "bob").set_flaky(2)
    assert await runtime.get(Store, "s").call("bob", "flaky") == "ok"
    await runtime.get(Customer, "bob").set_flaky(3)
    with pytest.raises(TransientError):
        await runtime.get(Store, "s").call("bob", "flaky")
    with pytest.raises(ValueError, match="bad request"):
        await runtime.get(Store, "s").call("carol", "broken")
    breaker = await runtime.run_in(Store, "s", lambda s: s.ctx.Customer("carol").breaker)
    assert breaker.failures == 1  # a non-transient error is not retried


@pytest.fixture
async def long_lived(tmp_path, clock):
    """A runtime whose objects stay in memory (breaker state is in memory, per calling object)."""
    async with Runtime(tmp_path / "d", objects=[Store, Customer], clock=clock, idle_timeout=3600) as rt:
        yield rt


async def test_circuit_opens_after_five_failures_half_opens_after_30s_and_closes(long_lived: Runtime) -> None:
    runtime = long_lived
    store = runtime.get(Store, "s")
    for _ in range(5):
        with pytest.raises(ValueError):
            await store.call("dave", "broken")
    state = await runtime.run_in(Store, "s", lambda s: s.ctx.Customer("dave").breaker.state)
    assert state == OPEN
    with pytest.raises(CircuitOpenError, match=r"refused for 30\.0 s"):
        await store.call("dave", "notify_nothing")
    assert await store.tell("erin", "other targets are unaffected") == "erin got other targets are unaffected"
    await runtime.clock.advance(30)
    assert await runtime.run_in(Store, "s", lambda s: s.ctx.Customer("dave").breaker.state) == HALF_OPEN
    with pytest.raises(ValueError):
        await store.call("dave", "broken")  # the trial fails: open again
    with pytest.raises(CircuitOpenError):
        await store.tell("dave", "x")
    await runtime.clock.advance(30)
    assert await store.tell("dave", "back") == "dave got back"
    assert await runtime.run_in(Store, "s", lambda s: s.ctx.Customer("dave").breaker.state) == CLOSED


async def test_stubs_are_cached_in_a_bounded_lru(runtime: Runtime) -> None:
    runtime.register(Customer)

    def use(store: Store) -> tuple:
        a = store.ctx.Customer("a")
        same = store.ctx.Customer("a") is a
        store.ctx.Customer("b")
        store.ctx.Customer("c")
        store.ctx.Customer("a")  # most recently used now
        store.ctx.Customer("d")  # evicts b
        cache = store.ctx.stubs
        return same, len(cache), cache.evictions, a in cache, store.ctx.Customer("b") in cache

    same, size, evictions, a_cached, b_cached_again = await runtime.run_in(Store, "s", use)
    assert same and size == 3 and evictions == 1 and a_cached and b_cached_again
    hex_id = runtime.id_from_name(Customer, "a").hex
    assert await runtime.run_in(Store, "s", lambda s: s.ctx.Customer.get_by_id(hex_id) is s.ctx.Customer("a"))


async def test_stub_policy_is_configurable_per_object(long_lived: Runtime) -> None:
    runtime = long_lived

    def configure(store: Store) -> StubPolicy:
        return store.ctx.stubs.configure(failure_threshold=1, reset_timeout=5, cache_size=1)

    policy = await runtime.run_in(Store, "s", configure)
    assert (policy.failure_threshold, policy.reset_timeout, policy.cache_size) == (1, 5, 1)
    with pytest.raises(ValueError):
        await runtime.get(Store, "s").call("frank", "broken")
    with pytest.raises(CircuitOpenError):
        await runtime.get(Store, "s").call("frank", "broken")
    await runtime.clock.advance(5)
    assert await runtime.get(Store, "s").tell("frank", "hello") == "frank got hello"
    with pytest.raises(ValueError, match="cache_size"):
        StubPolicy(cache_size=0)


class Site(DO):
    async def fetch(self, request):
        return JSONResponse({"path": request.url.path, "name": self.name})


class Portal(DO):
    async def visit(self, name: str) -> dict:
        response = await self.ctx.Site(name).fetch("/hello")
        return {"status": response.status_code, "body": response.body.decode()}


async def test_a_stub_forwards_http_requests_to_fetch(runtime: Runtime) -> None:
    runtime.register(Site)
    result = await runtime.get(Portal, "p").visit("docs")
    assert result == {"status": 200, "body": '{"path":"/hello","name":"docs"}'}
