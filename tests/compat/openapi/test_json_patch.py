"""A layer's corrections to a publisher's document: JSON Patch operations applied before trimming."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from dotdo.compat.openapi.json_patch import PatchError, apply_patches
from dotdo.compat.openapi.trim import main
from tests.compat.openapi.test_document import DOCUMENT


def test_add_remove_replace_and_move_apply_in_order_to_a_copy() -> None:
    document = {"a": {"items": {"anyOf": [1, 2]}, "list": [1, 3]}, "b": "old"}
    patched = apply_patches(
        document,
        [
            {"op": "move", "from": "/a/items/anyOf", "path": "/a/anyOf", "why": "alternatives"},
            {"op": "remove", "path": "/a/items"},
            {"op": "add", "path": "/a/list/1", "value": 2},
            {"op": "add", "path": "/a/list/-", "value": 4},
            {"op": "replace", "path": "/b", "value": "new"},
            {"op": "add", "path": "/c~1d", "value": {"x": 1}},
        ],
    )
    assert patched == {"a": {"anyOf": [1, 2], "list": [1, 2, 3, 4]}, "b": "new", "c/d": {"x": 1}}
    assert document == {"a": {"items": {"anyOf": [1, 2]}, "list": [1, 3]}, "b": "old"}


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "remove", "path": "/missing"},
        {"op": "replace", "path": "/missing", "value": 1},
        {"op": "add", "path": "/missing/deeper", "value": 1},
        {"op": "move", "from": "/missing", "path": "/b"},
        {"op": "copy", "from": "/a", "path": "/b"},
        {"op": "add", "path": "no-slash", "value": 1},
        {"op": "replace", "path": "", "value": {}},
    ],
)
def test_an_operation_that_does_not_apply_is_refused(operation: dict[str, object]) -> None:
    with pytest.raises(PatchError):
        apply_patches({"a": 1}, [operation])


def test_trim_applies_patches_first_and_names_one_that_does_not_apply(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "doc.json"
    source.write_text(json.dumps(DOCUMENT))
    (tmp_path / "ops.txt").write_text("GetPet\n")
    patches = tmp_path / "patches.json"
    patches.write_text(json.dumps([{"op": "replace", "path": "/info/title", "value": "Pets, corrected"}]))
    output = tmp_path / "out.json.gz"
    arguments = [str(source), "--operations", str(tmp_path / "ops.txt"), "--output", str(output)]
    assert main([*arguments, "--patches", str(patches)]) == 0
    assert json.loads(gzip.decompress(output.read_bytes()))["info"]["title"] == "Pets, corrected"
    patches.write_text(json.dumps([{"op": "remove", "path": "/info/nothing"}]))
    assert main([*arguments, "--patches", str(patches)]) == 2
    assert "/info/nothing" in capsys.readouterr().err
