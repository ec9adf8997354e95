"""Trimming a document keeps the chosen operations and exactly the components they reach."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from dotdo.compat.openapi.trim import main, trim
from tests.compat.openapi.test_document import DOCUMENT


def test_trim_keeps_what_the_operations_reach() -> None:
    trimmed = trim(DOCUMENT, {"GetPet"})
    assert list(trimmed["paths"]) == ["/pets/{pet_id}"]
    assert set(trimmed["paths"]["/pets/{pet_id}"]) == {"get", "parameters"}
    assert trimmed["components"] == {
        "parameters": DOCUMENT["components"]["parameters"],
        "responses": {"Pet": {"content": DOCUMENT["components"]["responses"]["Pet"]["content"]}},
        "schemas": DOCUMENT["components"]["schemas"],
    }


def test_unknown_operations_are_named(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="NoSuchOperation"):
        trim(DOCUMENT, {"GetPet", "NoSuchOperation"})
    source = tmp_path / "doc.json"
    source.write_text(json.dumps(DOCUMENT))
    (tmp_path / "ops.txt").write_text("# served\nGetPet\n")
    assert (
        main([str(source), "--operations", str(tmp_path / "ops.txt"), "--output", str(tmp_path / "out.json.gz")]) == 0
    )
    first = (tmp_path / "out.json.gz").read_bytes()
    assert json.loads(gzip.decompress(first))["info"]["title"] == "Pets"
    main([str(source), "--operations", str(tmp_path / "ops.txt"), "--output", str(tmp_path / "out.json.gz")])
    assert (tmp_path / "out.json.gz").read_bytes() == first
