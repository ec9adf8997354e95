"""Thing ids, types and generated ids."""

from __future__ import annotations

import pytest

from dotdo.graph.names import check_thing_id, check_type, new_id


def test_new_ids_are_unique_sortable_ulids() -> None:
    ids = [new_id() for _ in range(2000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert all(len(i) == 26 for i in ids)


@pytest.mark.parametrize("bad", ["", "  ", "a/b", "a#b", "a\nb", "x" * 257])
def test_bad_thing_ids(bad: str) -> None:
    with pytest.raises(ValueError):
        check_thing_id(bad)


@pytest.mark.parametrize("bad", ["", "1abc", "has space", "a;b", "x" * 200])
def test_bad_types(bad: str) -> None:
    with pytest.raises(ValueError, match="not valid"):
        check_type(bad)


def test_good_types() -> None:
    for good in ["Customer", "line_item", "crm.Customer", "a:b-c"]:
        assert check_type(good) == good
