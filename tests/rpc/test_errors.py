"""Errors across the wire keep their meaning in Python."""

from __future__ import annotations

from dotdo.rpc import RpcError, RpcRangeError, RpcReferenceError, RpcTypeError
from dotdo.rpc.errors import error_from_wire, error_wire_name


def test_wire_names_of_python_exceptions() -> None:
    assert error_wire_name(TypeError()) == "TypeError"
    assert error_wire_name(AttributeError()) == "TypeError"
    assert error_wire_name(RecursionError()) == "RangeError"
    assert error_wire_name(NameError()) == "ReferenceError"
    assert error_wire_name(Exception()) == "Error"
    assert error_wire_name(RuntimeError()) == "Error"
    assert error_wire_name(LookupError()) == "LookupError"
    assert error_wire_name(RpcError("x", name="CustomError")) == "CustomError"


def test_received_errors_subclass_the_matching_python_builtin() -> None:
    assert isinstance(error_from_wire("TypeError", "m", None, {}), RpcTypeError | TypeError)
    assert isinstance(error_from_wire("RangeError", "m", None, {}), RpcRangeError)
    assert isinstance(error_from_wire("RangeError", "m", None, {}), ValueError)
    assert isinstance(error_from_wire("ReferenceError", "m", None, {}), RpcReferenceError)
    other = error_from_wire("SyntaxError", "bad", "at line 1", {"code": 1})
    assert type(other) is RpcError
    assert (other.name, other.message, other.remote_stack, other.props) == (
        "SyntaxError",
        "bad",
        "at line 1",
        {"code": 1},
    )
    assert str(other) == "bad"
