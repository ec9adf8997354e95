"""`.map()` replay on the callee: the remap import table and its errors."""

from __future__ import annotations


async def test_instructions_may_only_refer_to_earlier_results(batch) -> None:
    replies = await batch(
        ["push", ["pipeline", 0, ["getUser"], [1]]],
        ["push", ["remap", 1, ["orders"], [], [["pipeline", 2, ["item"]], ["pipeline", 1]]]],
        ["pull", 2],
    )
    assert replies[0][:2] == ["reject", 2]
    assert "not an earlier instruction" in replies[0][2][2]


async def test_capture_out_of_range_rejects(batch) -> None:
    replies = await batch(
        ["push", ["pipeline", 0, ["getUser"], [1]]],
        ["push", ["remap", 1, ["orders"], [], [["pipeline", -1, ["hello"], ["x"]]]]],
        ["pull", 2],
    )
    assert "capture -1" in replies[0][2][2]


async def test_mapper_cannot_refer_to_exports(batch) -> None:
    replies = await batch(
        ["push", ["pipeline", 0, ["getUser"], [1]]],
        ["push", ["remap", 1, ["orders"], [], [["export", -1]]]],
        ["pull", 2],
    )
    assert "cannot refer to exports" in replies[0][2][2]


async def test_map_builds_objects_per_element(batch) -> None:
    replies = await batch(
        ["push", ["pipeline", 0, ["getUser"], [1]]],
        [
            "push",
            [
                "remap",
                1,
                ["orders"],
                [["import", 0]],
                [
                    ["pipeline", -1, ["add"], [["pipeline", 0, ["qty"]], 10]],
                    {"item": ["pipeline", 0, ["item"]], "total": ["pipeline", 1]},
                ],
            ],
        ],
        ["pull", 2],
    )
    assert replies == [["resolve", 2, [[{"item": "apple", "total": 13}, {"item": "pear", "total": 11}]]]]


async def test_map_over_null_is_null(batch) -> None:
    replies = await batch(
        ["push", ["pipeline", 0, ["echo"], [None]]],
        ["push", ["remap", 1, [], [], [["pipeline", 0, ["x"]]]]],
        ["pull", 2],
    )
    assert replies == [["resolve", 2, None]]


async def test_nested_remap_replays_with_its_own_table(batch) -> None:
    # Outer element 0 is captured by the inner mapper as its -2; the main stub (outer -1) as -1.
    inner = [["pipeline", -1, ["add"], [["pipeline", 0], ["pipeline", -2, ["id"]]]]]
    replies = await batch(
        ["push", ["pipeline", 0, ["echo"], [[[{"id": 1, "xs": [[1, 2]]}, {"id": 5, "xs": [[7]]}]]]]],
        ["push", ["remap", 1, [], [["import", 0]], [["remap", 0, ["xs"], [["import", -1], ["import", 0]], inner]]]],
        ["pull", 2],
    )
    assert replies == [["resolve", 2, [[[[2, 3]], [[12]]]]]]


async def test_nested_remap_cannot_capture_exports(batch) -> None:
    replies = await batch(
        ["push", ["pipeline", 0, ["echo"], [[[[[1]]]]]]],
        ["push", ["remap", 1, [], [], [["remap", 0, [], [["export", -1]], [["pipeline", 0]]]]]],
        ["pull", 2],
    )
    assert replies[0][:2] == ["reject", 2]
    assert "cannot refer to exports" in replies[0][2][2]


async def test_nested_remap_capture_must_be_an_earlier_id(batch) -> None:
    replies = await batch(
        ["push", ["pipeline", 0, ["echo"], [[[[[1]]]]]]],
        ["push", ["remap", 1, [], [], [["remap", 0, [], [["import", 3]], [["pipeline", -1]]]]]],
        ["pull", 2],
    )
    assert "not an earlier instruction" in replies[0][2][2]


async def test_deeply_nested_remap_instructions_count_towards_max_depth(batch) -> None:
    from dotdo.rpc import Limits

    instruction: list = ["pipeline", 0]
    for _ in range(20):
        instruction = ["remap", 0, [], [], [instruction]]
    replies = await batch(
        ["push", ["pipeline", 0, ["echo"], [1]]],
        ["push", ["remap", 1, [], [], [instruction]]],
        limits=Limits(max_depth=40),
    )
    assert replies[0][0] == "abort"
    assert "max_depth" in replies[0][1][2]
