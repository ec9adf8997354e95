"""Bracketed form bodies: decoded to nested values, encoded back, converted to the schema's types."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dotdo.compat.openapi.form_encoding import FormError, coerce, decode_form, encode_form


def test_brackets_make_dicts_and_numbered_lists() -> None:
    pairs = [
        ("metadata[plan]", "pro"),
        ("items[1][price]", "p2"),
        ("items[0][price]", "p1"),
        ("expand[]", "a"),
        ("expand[]", "b"),
    ]
    assert decode_form(pairs) == {
        "metadata": {"plan": "pro"},
        "items": [{"price": "p1"}, {"price": "p2"}],
        "expand": ["a", "b"],
    }


@pytest.mark.parametrize("key", ["a[b", "a]b[", "[a]", "a[b]c", ""])
def test_malformed_keys_are_refused_with_the_key(key: str) -> None:
    with pytest.raises(FormError) as refused:
        decode_form([(key, "x")])
    assert refused.value.param == key


def test_a_value_and_sub_keys_at_one_key_are_refused() -> None:
    with pytest.raises(FormError):
        decode_form([("a", "1"), ("a[b]", "2")])


def test_nesting_is_bounded() -> None:
    with pytest.raises(FormError):
        decode_form([("a" + "[x]" * 40, "1")])


leaves = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8)
names = st.text(alphabet="abcdefghij_", min_size=1, max_size=6)
values = st.recursive(leaves, lambda inner: st.dictionaries(names, inner, min_size=1, max_size=3), max_leaves=8)


@given(st.dictionaries(names, values, min_size=1, max_size=4))
def test_encoding_then_decoding_gives_the_value_back(value: dict) -> None:
    assert decode_form(encode_form(value)) == value


def test_coerce_follows_the_schema() -> None:
    schema = {
        "type": "object",
        "properties": {
            "amount": {"type": "integer"},
            "rate": {"type": "number"},
            "confirm": {"type": "boolean"},
            "limit": {"anyOf": [{"type": "string", "enum": [""]}, {"type": "integer"}]},
            "tags": {"type": "array", "items": {"type": "integer"}},
        },
    }
    got = coerce(
        {"amount": "12", "rate": "1.5", "confirm": "true", "limit": "", "tags": ["1", "2"], "x": "7"},
        schema,
        lambda s: s,
    )
    assert got == {"amount": 12, "rate": 1.5, "confirm": True, "limit": "", "tags": [1, 2], "x": "7"}
    assert coerce({"amount": "twelve"}, schema, lambda s: s) == {"amount": "twelve"}
