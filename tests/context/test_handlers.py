import functools

import pytest

from dotdo.context.events import Event
from dotdo.context.handlers import HandlerOptions, HandlerRegistry, OnSelector, callable_name, class_handlers, on


def names(registry: HandlerRegistry, event_type: str) -> list[str]:
    noun, verb = event_type.split(".")
    return [h.name for h in registry.matching(noun, verb)]


def handler(name: str):
    def fn(event: Event) -> None:
        return None

    fn.__qualname__ = name
    return fn


def test_exact_before_wildcard_then_registration_order() -> None:
    registry = HandlerRegistry()
    selector = OnSelector(registry)
    selector["*"]["*"](handler("any"), name="any")
    selector["*"].created(handler("star-created"), name="star-created")
    selector.Customer["*"](handler("customer-star"), name="customer-star")
    selector.Customer.created(handler("exact-1"), name="exact-1")
    selector.Customer.created(handler("exact-2"), name="exact-2")
    assert names(registry, "Customer.created") == ["exact-1", "exact-2", "star-created", "customer-star", "any"]
    assert names(registry, "Order.created") == ["star-created", "any"]
    assert names(registry, "Customer.deleted") == ["customer-star", "any"]
    assert names(registry, "Order.shipped") == ["any"]


def test_priority_comes_first() -> None:
    registry = HandlerRegistry()
    selector = OnSelector(registry)
    selector.Customer.created(handler("low"), name="low")
    selector["*"]["*"](handler("urgent"), name="urgent", priority=10)
    selector.Customer.created(handler("high"), name="high", priority=5)
    assert names(registry, "Customer.created") == ["urgent", "high", "low"]


def test_a_handler_under_several_matching_keys_runs_once_at_its_best_position() -> None:
    registry = HandlerRegistry()
    selector = OnSelector(registry)
    shared = handler("shared")
    selector["*"].created(shared, name="shared")
    selector.Customer.created(handler("other"), name="other")
    selector.Customer.created(shared, name="shared")
    assert names(registry, "Customer.created") == ["other", "shared"]


def test_registration_returns_an_unsubscribe_callable() -> None:
    registry = HandlerRegistry()
    unsubscribe = OnSelector(registry).Customer.signup(handler("h"), name="h")
    assert names(registry, "Customer.signup") == ["h"]
    unsubscribe()
    unsubscribe()
    assert names(registry, "Customer.signup") == []


def test_on_called_with_a_pattern_string() -> None:
    registry = HandlerRegistry()
    OnSelector(registry)("Customer.signup", handler("h"), name="h")
    assert registry.named("h") is not None


@pytest.mark.parametrize("pattern", ["Customer", "Customer.", ".signup", "a.b.c", "Cust omer.x", "Customer.sign'up"])
def test_bad_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(ValueError, match=r"expected Noun\.verb"):
        OnSelector(HandlerRegistry())(pattern, handler("h"))


def test_bad_handlers_and_options_are_refused() -> None:
    registry = HandlerRegistry()
    with pytest.raises(TypeError, match="callable"):
        OnSelector(registry).Customer.signup("not a function")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_retries"):
        HandlerOptions(max_retries=-1)
    with pytest.raises(TypeError, match="priority"):
        HandlerOptions(priority="high")  # type: ignore[arg-type]


def test_on_marks_methods_for_every_instance() -> None:
    class Shop:
        @on("Customer.signup", priority=2)
        @on("*.created")
        def welcome(self, event: Event) -> None:
            return None

        def plain(self) -> None:
            return None

    found = class_handlers(Shop)
    assert [(method, pattern) for method, pattern, _ in found] == [
        ("welcome", "*.created"),
        ("welcome", "Customer.signup"),
    ]
    assert found[1][2].priority == 2
    with pytest.raises(ValueError):
        on("nope")


def test_handler_names_are_the_same_in_every_activation() -> None:
    class Greeter:
        async def greet(self, tag: str, event: Event) -> None:
            return None

        async def __call__(self, event: Event) -> None:
            return None

    first, second = Greeter(), Greeter()
    assert callable_name(functools.partial(first.greet, "a")) == "partial(greet)"
    assert callable_name(first) == callable_name(second) == f"{__name__}:<{Greeter.__qualname__} instance>"
    assert callable_name(first.greet) == "greet"
