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
