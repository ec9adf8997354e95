"""Expressions: every form encodes and decodes to the natural Python type; limits; a fuzzed
decoder only ever raises ProtocolError."""

from __future__ import annotations

import array
import datetime as dt
import json
import math

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dotdo.rpc import UNDEFINED, BigInt, Limits, ProtocolError, RpcError, RpcRangeError, RpcTypeError, TypedArray
from dotdo.rpc.errors import LimitExceededError
from dotdo.rpc.wire import Decoder, Encoder, dump_message, parse_message

LIMITS = Limits()


def encode(value):
    return Encoder(None, LIMITS).encode(value)


def decode(expression):
    return Decoder(None, LIMITS).decode(json.loads(json.dumps(expression)))


@pytest.mark.parametrize(
    ("value", "expression"),
    [
        (None, None),
        (True, True),
        ("text", "text"),
        (42, 42),
        (0.75, 0.75),
        ([1, [2, 3]], [[1, [[2, 3]]]]),
        ((1, 2), [[1, 2]]),
        ({"a": [1]}, {"a": [[1]]}),
        (UNDEFINED, ["undefined"]),
        (math.inf, ["inf"]),
        (-math.inf, ["-inf"]),
        (2**53 - 1, 2**53 - 1),
        (2**53, ["bigint", str(2**53)]),
        (-(2**70), ["bigint", str(-(2**70))]),
        (BigInt(5), ["bigint", "5"]),
        (dt.datetime(2025, 6, 8, 0, 22, 50, 815000, tzinfo=dt.UTC), ["date", 1749342170815]),
        (b"\x00\x01\x02\xfd\xfe\xff", ["bytes", "AAEC/f7/"]),
        (TypedArray("Int32Array", b"\x01\x00\x00\x00"), ["bytes", "AQAAAA==", "Int32Array"]),
        (httpx.URL("https://example.com/path?q=1"), ["url", "https://example.com/path?q=1"]),
    ],
)
def test_value_encodes_and_decodes(value, expression) -> None:
    assert encode(value) == expression
    decoded = decode(expression)
    assert decoded == (list(value) if isinstance(value, tuple) else value)


def test_nan_round_trips() -> None:
    assert encode(math.nan) == ["nan"]
    assert math.isnan(decode(["nan"]))


def test_decoded_bigint_stays_a_bigint() -> None:
    value = decode(["bigint", "7"])
    assert isinstance(value, BigInt) and value == 7
    assert encode(value) == ["bigint", "7"]


def test_naive_datetime_is_taken_as_utc() -> None:
    assert encode(dt.datetime(1970, 1, 1, 0, 0, 1)) == ["date", 1000]


def test_invalid_date_decodes_to_none() -> None:
    assert decode(["date", None]) is None


def test_array_array_travels_as_typed_array() -> None:
    expression = encode(array.array("d", [1.5, -2.0]))
    assert expression[0] == "bytes" and expression[2] == "Float64Array"
    assert decode(expression).to_array().tolist() == [1.5, -2.0]


def test_uint8array_marker_decodes_to_bytes() -> None:
    assert decode(["bytes", "AAE=", "Uint8Array"]) == b"\x00\x01"


def test_headers_request_and_response() -> None:
    headers = decode(["headers", [["content-type", "text/plain"], ["x-a", "1"]]])
    assert isinstance(headers, httpx.Headers) and headers["x-a"] == "1"
    assert encode(headers) == ["headers", [["content-type", "text/plain"], ["x-a", "1"]]]
    request = decode(["request", "https://e.com/x", {"method": "POST", "headers": [["a", "b"]], "body": "hi"}])
    assert (request.method, str(request.url), request.content) == ("POST", "https://e.com/x", b"hi")
    assert encode(request) == [
        "request",
        "https://e.com/x",
        {
            "method": "POST",
            "headers": [["host", "e.com"], ["a", "b"], ["content-length", "2"]],
            "body": ["bytes", "aGk="],
        },
    ]
    response = decode(["response", "ok", {"status": 201}])
    assert (response.status_code, response.text) == (201, "ok")


def test_errors_map_to_python_exceptions() -> None:
    error = decode(["error", "TypeError", "bad"])
    assert isinstance(error, RpcTypeError) and isinstance(error, TypeError) and error.message == "bad"
    assert isinstance(decode(["error", "RangeError", "r"]), RpcRangeError)
    with_props = decode(["error", "Error", "m", None, {"code": 7, "when": ["date", 0]}])
    assert with_props.props == {"code": 7, "when": dt.datetime(1970, 1, 1, tzinfo=dt.UTC)}
    assert with_props.remote_stack is None


def test_python_exceptions_encode_without_stack() -> None:
    assert encode(TypeError("t")) == ["error", "TypeError", "t"]
    assert encode(AttributeError("a")) == ["error", "TypeError", "a"]
    assert encode(Exception("e")) == ["error", "Error", "e"]
    assert encode(KeyError("k")) == ["error", "KeyError", "Key not found: 'k'"]
    assert encode(RpcError("m", name="RangeError", props={"code": 7})) == [
        "error",
        "RangeError",
        "m",
        None,
        {"code": 7},
    ]


def test_stack_is_sent_only_when_exposed() -> None:
    try:
        raise ValueError("boom")
    except ValueError as error:
        expression = Encoder(None, LIMITS, expose_stacks=True).encode(error)
    assert expression[:3] == ["error", "ValueError", "boom"]
    assert "raise ValueError" in expression[3]


@pytest.mark.parametrize("value", [object(), {1: "int key"}, {1, 2}, lambda: 1])
def test_unsendable_values_raise_type_error(value) -> None:
    with pytest.raises(TypeError):
        encode(value)


def test_cyclic_value_is_refused() -> None:
    cyclic: list = []
    cyclic.append(cyclic)
    with pytest.raises(ValueError, match="max_depth"):
        encode(cyclic)


def test_references_need_a_session() -> None:
    with pytest.raises(ProtocolError, match="not allowed"):
        decode(["export", -1])


def test_parse_message_limits() -> None:
    with pytest.raises(LimitExceededError, match="max_message_size"):
        parse_message('["pull", 1]', Limits(max_message_size=5))
    with pytest.raises(ProtocolError, match="Invalid JSON constant"):
        parse_message('["push", Infinity]', LIMITS)
    assert parse_message(dump_message(["push", "h\u00e9"]), LIMITS) == ["push", "h\u00e9"]


# ---------------------------------------------------------------- fuzzing

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=20,
)
tags = st.sampled_from(
    [
        "undefined",
        "inf",
        "-inf",
        "nan",
        "bigint",
        "date",
        "bytes",
        "error",
        "url",
        "headers",
        "request",
        "response",
        "import",
        "pipeline",
        "remap",
        "export",
        "promise",
        "writable",
        "readable",
        "blob",
        "zzz",
    ]
)
tagged = st.builds(lambda tag, rest: [tag, *rest], tags, st.lists(json_values, max_size=5))
expressions = st.recursive(
    json_values | tagged,
    lambda children: st.lists(children, max_size=4) | st.builds(lambda xs: [xs], st.lists(children, max_size=4)),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(expressions)
def test_fuzzed_expressions_decode_or_raise_protocol_error(expression) -> None:
    try:
        Decoder(None, Limits(max_depth=16, max_bigint_digits=50)).decode(expression)
    except ProtocolError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_fuzzed_text_parses_or_raises_protocol_error(text) -> None:
    try:
        parse_message(text, LIMITS)
    except ProtocolError:
        pass


sendable = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | st.binary(max_size=8)
    | st.just(UNDEFINED)
    | st.datetimes(timezones=st.just(dt.UTC), min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1)).map(
        lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000)
    ),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(sendable)
def test_python_values_round_trip_through_json(value) -> None:
    assert decode(encode(value)) == value


def test_unpadded_base64_from_javascript_is_accepted() -> None:
    from dotdo.rpc.wire import Decoder, Limits

    # capnweb strips the trailing `=` of its base64.
    assert Decoder(None, Limits()).decode(["bytes", "aGk"]) == b"hi"
    assert Decoder(None, Limits()).decode(["bytes", "aGkh"]) == b"hi!"
