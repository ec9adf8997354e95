"""HTTP batch on the wire: exact replies for the reference batches, method and size rules, and
bad input (each gets a reject of that call or a session abort, never a crash)."""

from __future__ import annotations

import json

import httpx
import pytest
from interop_api import Api

from dotdo.rpc import Limits, rpc_app


async def test_simple_call_reply_matches_the_reference(batch) -> None:
    replies = await batch(["push", ["pipeline", 0, ["hello"], ["World"]]], ["pull", 1])
    assert replies == [["resolve", 1, "Hello, World!"]]


async def test_pipelined_chain_only_pulled_result_is_sent(batch) -> None:
    replies = await batch(
        ["push", ["pipeline", 0, ["makeCounter"], [5]]],
        ["push", ["pipeline", 1, ["increment"], [2]]],
        ["pull", 2],
    )
    assert replies == [["resolve", 2, 7]]


async def test_promise_argument_is_resolved_before_delivery(batch) -> None:
    replies = await batch(
        ["push", ["pipeline", 0, ["getUser"], [2]]],
        ["push", ["pipeline", 0, ["hello"], [["pipeline", 1, ["name"]]]]],
        ["pull", 2],
    )
    assert replies == [["resolve", 2, "Hello, Bob!"]]


async def test_remap_with_capture(batch) -> None:
    replies = await batch(
        ["push", ["pipeline", 0, ["getUser"], [1]]],
        [
            "push",
            [
                "remap",
                1,
                ["orders"],
                [["import", 0]],
                [["pipeline", -1, ["hello"], [["pipeline", 0, ["item"]]]], ["pipeline", 1]],
            ],
        ],
        ["pull", 2],
    )
    assert replies == [["resolve", 2, [["Hello, apple!", "Hello, pear!"]]]]


async def test_error_is_sent_without_stack(batch) -> None:
    assert await batch(["push", ["pipeline", 0, ["fail"], []]], ["pull", 1]) == [
        ["reject", 1, ["error", "Error", "intentional failure"]]
    ]


async def test_array_escaping_round_trips(batch) -> None:
    echoed = [[1, [[2, 3]], ["date", 0], ["undefined"]]]
    replies = await batch(["push", ["pipeline", 0, ["echo"], [echoed]]], ["pull", 1])
    assert replies == [["resolve", 1, echoed]]


async def test_returned_target_is_exported_with_a_negative_id(batch) -> None:
    replies = await batch(
        ["push", ["pipeline", 0, ["makeCounter"], [1]]],
        ["push", ["pipeline", 0, ["makeCounter"], [2]]],
        ["pull", 1],
        ["pull", 2],
    )
    assert replies == [["resolve", 1, ["export", -1]], ["resolve", 2, ["export", -2]]]


async def test_stream_message_is_pulled_automatically(batch) -> None:
    assert await batch(["stream", ["pipeline", 0, ["add"], [1, 2]]]) == [["resolve", 1, 3]]


async def test_empty_body_is_zero_messages(batch) -> None:
    assert await batch(raw="") == []


async def test_get_is_405() -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=rpc_app(Api)), base_url="http://t") as client:
        response = await client.get("/rpc")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


async def test_oversized_body_is_413() -> None:
    app = rpc_app(Api, limits=Limits(max_message_size=100))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        response = await client.post("/rpc", content="x" * 1000)
    assert response.status_code == 413
    assert "max_message_size" in response.text


# ---------------------------------------------------------------- bad input


def _abort_message(replies: list) -> str:
    assert replies, "expected an abort"
    last = replies[-1]
    assert last[0] == "abort", replies
    assert last[1][0] == "error"
    return last[1][2]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("{not json", "Malformed JSON"),
        ('"just a string"', "expected a JSON array"),
        ("[]", "expected a JSON array"),
        ('["shout", 1]', "Unknown message type"),
        ('["push"]', "exactly one expression"),
        ('["push", 1, 2]', "exactly one expression"),
        ('["pull"]', "takes 1 argument"),
        ('["pull", "1"]', "integer id"),
        ('["pull", 7]', "No such entry on exports table: 7"),
        ('["release", 99, 1]', "No such export ID: 99"),
        ('["release", 0, -1]', "positive integer"),
        ('["release", 0, 2]', "would go negative"),
        ('["push", ["frobnicate", 1]]', "Unknown special value"),
        ('["push", ["pipeline", 5, ["hello"], ["x"]]]', "No such entry on exports table: 5"),
        ('["push", ["pipeline", 0, "hello", ["x"]]]', "Property path"),
        ('["push", ["pipeline", 0, ["hello"], "x"]]', "Call arguments"),
        ('["push", ["pipeline", 0, [{"a": 1}]]]', "Property path"),
        ('["push", ["bigint", "12x"]]', "decimal string"),
        ('["push", ["bytes", "!!!"]]', "base64"),
        ('["push", ["bytes", "AAAA", "Int32Array"]]', "whole number"),
        ('["push", ["bytes", "AAAA", "FooArray"]]', "Unknown bytes type"),
        ('["push", ["date", "today"]]', "milliseconds"),
        ('["push", ["error", 1, 2]]', "must be strings"),
        ('["push", ["remap", 0, [], [["weird", 1]], [1]]]', "Unknown map capture"),
        ('["push", ["remap", 0, [], [], []]]', "non-empty list of instructions"),
        ('["push", ["readable", 1]]', "Export 1 is not a pipe"),
        ('["pipe"]\n["push", ["readable", 1]]\n["push", ["readable", 1]]', "readable end was already consumed"),
        ('["push", ["readable", -3]]', "Export -3 is not a pipe"),
        ('["pipe", 1]', "pipe takes no arguments"),
        ('["push", ["writable", 2]]', "exporters must use negative ids"),
        ('["push", ["blob", "text/plain", ["bytes", "AAAA"]]]', "Blob content must be a readable stream"),
        ('["push", ["blob", 1, ["readable", 1]]]', "Unknown special value"),
        ('["push", NaN]', "Invalid JSON constant"),
    ],
)
async def test_malformed_messages_abort_the_session_naming_the_problem(batch, raw: str, expected: str) -> None:
    replies = await batch(raw=raw + '\n["push", ["pipeline", 0, ["hello"], ["after"]]]\n["pull", 1]')
    assert expected in _abort_message(replies)
    assert ["resolve", 1, "Hello, after!"] not in replies


async def test_message_over_max_message_size_aborts_naming_the_limit(batch) -> None:
    big = json.dumps(["push", ["pipeline", 0, ["echo"], ["x" * 500]]])
    replies = await batch(raw=big, limits=Limits(max_message_size=200))
    assert "max_message_size (200)" in _abort_message(replies)


async def test_nesting_beyond_max_depth_aborts_naming_the_limit(batch) -> None:
    deep: object = 1
    for _ in range(40):
        deep = [[deep]]
    replies = await batch(["push", ["pipeline", 0, ["echo"], [deep]]], ["pull", 1], limits=Limits(max_depth=32))
    assert "max_depth (32)" in _abort_message(replies)


async def test_json_too_deep_for_the_parser_aborts_naming_the_limit(batch) -> None:
    replies = await batch(raw='["push", ' + "[" * 100_000 + "]" * 100_000 + "]")
    assert "max_depth" in _abort_message(replies)


async def test_long_bigint_aborts_naming_the_limit(batch) -> None:
    replies = await batch(["push", ["bigint", "9" * 50]], limits=Limits(max_bigint_digits=20))
    assert "max_bigint_digits (20)" in _abort_message(replies)


@pytest.mark.parametrize(
    "path",
    [["__class__"], ["__init__"], ["_private"], ["__dict__"], ["hello", "__globals__"], ["makeCounter", "__code__"]],
)
async def test_non_public_names_are_rejected_not_reached(batch, path: list) -> None:
    replies = await batch(
        ["push", ["pipeline", 0, path, []]], ["pull", 1], ["push", ["pipeline", 0, ["add"], [1, 2]]], ["pull", 2]
    )
    assert replies[0][0] == "reject" and replies[0][1] == 1
    assert replies[0][2][1] == "TypeError"
    assert replies[1] == ["resolve", 2, 3]


async def test_counter_private_state_is_not_readable(batch) -> None:
    replies = await batch(
        ["push", ["pipeline", 0, ["makeCounter"], [5]]], ["push", ["pipeline", 1, ["_n"]]], ["pull", 2]
    )
    assert replies[0][0] == "reject"


async def test_wrong_arity_rejects_that_call_only(batch) -> None:
    replies = await batch(
        ["push", ["pipeline", 0, ["add"], [1]]], ["pull", 1], ["push", ["pipeline", 0, ["add"], [1, 2]]], ["pull", 2]
    )
    assert replies[0][:2] == ["reject", 1] and replies[0][2][1] == "TypeError"
    assert replies[1] == ["resolve", 2, 3]


async def test_calling_a_property_value_rejects(batch) -> None:
    replies = await batch(
        ["push", ["pipeline", 0, ["makeCounter"], [5]]], ["push", ["pipeline", 1, ["value"], []]], ["pull", 2]
    )
    assert replies[0][:2] == ["reject", 2]


async def test_unknown_method_rejects_like_the_reference(batch) -> None:
    replies = await batch(["push", ["pipeline", 0, ["noSuchMethod"], [1]]], ["pull", 1])
    assert replies[0][:2] == ["reject", 1]
    assert replies[0][2][1] == "TypeError"


async def test_callback_over_http_batch_rejects_clearly(batch) -> None:
    replies = await batch(["push", ["pipeline", 0, ["callback"], [["export", -1], 1]]], ["pull", 1])
    assert replies[0][:2] == ["reject", 1]
    assert "WebSocket" in replies[0][2][2]


async def test_peer_exporting_a_positive_id_aborts(batch) -> None:
    replies = await batch(["push", ["pipeline", 0, ["echo"], [["export", 5]]]], ["pull", 1])
    assert "negative ids" in _abort_message(replies)
