"""What an RpcTarget exposes: public methods and properties its subclasses define, nothing else."""

from __future__ import annotations

import copy
import functools

import pytest

from dotdo.rpc import RpcTarget


class Base(RpcTarget):
    greeting = "hi"

    def inherited(self) -> str:
        return "from base"


class Service(Base):
    def __init__(self) -> None:
        self.instance_attribute = "data"
        self._private = 1

    def method(self) -> str:
        return "m"

    async def async_method(self) -> str:
        return "a"

    @property
    def prop(self) -> int:
        return 7

    @functools.cached_property
    def cached(self) -> int:
        return 8

    @staticmethod
    def static() -> str:
        return "s"

    def _hidden(self) -> str:
        return "no"


@pytest.mark.parametrize(("name", "expected"), [("method", "m"), ("inherited", "from base"), ("static", "s")])
def test_public_methods_are_reachable(name: str, expected: str) -> None:
    assert Service()._rpc_member(name)() == expected


def test_properties_are_read() -> None:
    service = Service()
    assert service._rpc_member("prop") == 7
    assert service._rpc_member("cached") == 8


@pytest.mark.parametrize(
    "name",
    [
        "_hidden",
        "_private",
        "__class__",
        "__init__",
        "__dict__",
        "instance_attribute",
        "greeting",
        "_rpc_member",
        "missing",
        "",
        "__deepcopy__",
    ],
)
def test_everything_else_is_refused(name: str) -> None:
    with pytest.raises(TypeError, match="not a public method or property"):
        Service()._rpc_member(name)


def test_targets_are_passed_by_reference_when_copied() -> None:
    service = Service()
    assert copy.deepcopy({"s": service})["s"] is service
    assert copy.copy(service) is service
