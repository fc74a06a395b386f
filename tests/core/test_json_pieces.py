"""Audit entries encoded and hashed in pieces are byte for byte what one json.dumps call gives."""

from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import given, settings, strategies as st

from steward import json_pieces

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)))   # lone surrogates are not UTF-8 at all
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=12)
                      | st.dictionaries(st.text(max_size=6), inner, max_size=6), max_leaves=60)


@settings(max_examples=300)
@given(values, st.integers(1, 5))
def test_dumps_in_pieces_is_json_dumps(value, slice_size) -> None:
    json_pieces.SLICE = slice_size          # tiny slices, so every list is cut
    try:
        assert json_pieces.dumps(value) == json.dumps(value, ensure_ascii=False, sort_keys=True)
    finally:
        json_pieces.SLICE = 2_000


@settings(max_examples=300)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40), max_size=8),
       st.integers(1, 7))
def test_hash_in_pieces_is_the_hash_of_the_whole(items, piece) -> None:
    json_pieces.STRING_PIECE = piece        # strings cut anywhere, escapes and non-ASCII included
    try:
        whole = json.dumps(items, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        assert json_pieces.compact_array_sha256(items) == hashlib.sha256(whole).hexdigest()
    finally:
        json_pieces.STRING_PIECE = 1 << 20


def test_a_dictionary_with_keys_that_are_not_text_is_left_to_json() -> None:
    value = {"outer": {2: list(range(5_000)), 10: None}}          # json sorts these as numbers, not as text
    assert json_pieces.dumps(value) == json.dumps(value, ensure_ascii=False, sort_keys=True)


@settings(max_examples=300)
@given(values, st.sampled_from([(", ", ": "), (",", ":")]), st.sampled_from([None, 1]))
def test_loads_in_pieces_is_json_loads(value, separators, indent) -> None:
    text = json.dumps(value, ensure_ascii=False, separators=separators, indent=indent)
    json_pieces.DECODE_FROM = 0             # decode everything in pieces
    try:
        assert json_pieces.loads(text) == json.loads(text)
    finally:
        json_pieces.DECODE_FROM = 1 << 20


def test_malformed_text_in_pieces_is_refused_as_json_refuses_it() -> None:
    json_pieces.DECODE_FROM = 0
    try:
        for text in ('{"a": 1,}', '[1 2]', '{"a" 1}', '{1: 2}', '[1] x', '{"a": [1, 2}'):
            with pytest.raises(json.JSONDecodeError):
                json.loads(text)
            with pytest.raises(json.JSONDecodeError):
                json_pieces.loads(text)
    finally:
        json_pieces.DECODE_FROM = 1 << 20
