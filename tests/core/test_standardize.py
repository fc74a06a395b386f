"""Standard forms: literal cases, and idempotence for any input (property)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from steward import standardize

ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@pytest.mark.parametrize("raw,standard", [
    ("  Anna\u00a0 Müller ", "Anna Müller"), ("１３８－1234", "138-1234"), ("ＡＢＣ", "ABC"),
    ("zero\u200bwidth", "zerowidth"), ("a\t\nb", "a b"), ("", ""),
])
def test_text(raw, standard):
    assert standardize.text(raw) == standard


@pytest.mark.parametrize("raw,standard", [
    (" Anna@Example.COM", "Anna@example.com"), ("anna@BÜCHER.de", "anna@bücher.de"), ("ａｎｎａ@example.com", "anna@example.com"),
    ("a@b", None), ("no email", None), ("mary@@gmail.com", None), ("", None),
])
def test_email(raw, standard):
    assert standardize.email(raw) == standard


@pytest.mark.parametrize("raw,region,standard", [
    ("+86 138 1234 5678", None, "+8613812345678"), ("１３８-1234-5678", "CN", "+8613812345678"),
    ("0044 20 7946 0958", None, "+442079460958"), ("020 7946 0958", "GB", "+442079460958"),
    ("+44 20 7946 0958", "DE", "+442079460958"), ("030 1234567", "DE", "+49301234567"),
    ("030 1234567", None, None), ("12", "DE", None), ("call me", "DE", None),
])
def test_phone(raw, region, standard):
    assert standardize.phone(raw, region) == standard


@pytest.mark.parametrize("raw,standard", [
    ("Germany", "DE"), ("DEU", "DE"), ("de", "DE"), ("Deutschland", "DE"), ("中国", "CN"), ("UK", "GB"),
    ("United States", "US"), ("NA", "NA"), ("Namibia", "NA"), ("Atlantis", None), (" ", None),
])
def test_country(raw, standard):
    assert standardize.country(raw) == standard


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_text_is_idempotent(value):
    once = standardize.text(value)
    assert standardize.text(once) == once


@settings(max_examples=200, deadline=None)
@given(st.one_of(ANY_TEXT, st.from_regex(r"[A-Za-z0-9.]{1,8}@[A-Za-z]{1,8}\.[A-Za-z]{2,3}", fullmatch=True)))
def test_email_is_idempotent(value):
    once = standardize.email(value)
    assert once is None or standardize.email(once) == once


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"(\+|00)?[0-9 ()\-]{4,18}", fullmatch=True), st.sampled_from([None, "DE", "GB", "CN", "US"]))
def test_phone_is_idempotent(value, region):
    once = standardize.phone(value, region)
    assert once is None or standardize.phone(once, region) == once == standardize.phone(once)


@settings(max_examples=200, deadline=None)
@given(st.one_of(ANY_TEXT, st.sampled_from(["Germany", "de", "中国", "UK", "Namibia", "FRA"])))
def test_country_is_idempotent(value):
    once = standardize.country(value)
    assert once is None or standardize.country(once) == once
