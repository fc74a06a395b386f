"""Standard forms: literal cases, and idempotence for any input (property)."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings, strategies as st

from steward import standardize

ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@pytest.mark.parametrize("raw,standard", [
    ("  Anna\u00a0 Müller ", "Anna Müller"), ("１３８－1234", "138-1234"), ("ＡＢＣ", "ABC"),
    ("zero\u200bwidth", "zerowidth"), ("a\t\nb", "a b"), ("", ""),
])
def test_text(raw, standard):
    assert standardize.text(raw) == standard


@pytest.mark.parametrize("raw,standard", [
    (" Anna@Example.COM", "anna@example.com"), ("anna@BÜCHER.de", "anna@bücher.de"), ("ａｎｎａ@example.com", "anna@example.com"),
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
@example("+200000000000", None)  # a national prefix that E.164 formatting would eat twice
def test_phone_is_idempotent(value, region):
    once = standardize.phone(value, region)
    assert once is None or standardize.phone(once, region) == once == standardize.phone(once)


@settings(max_examples=200, deadline=None)
@given(st.one_of(ANY_TEXT, st.sampled_from(["Germany", "de", "中国", "UK", "Namibia", "FRA"])))
def test_country_is_idempotent(value):
    once = standardize.country(value)
    assert once is None or standardize.country(once) == once


@pytest.mark.parametrize("raw,code,standard", [
    ("sw1a1aa", "GB", "SW1A 1AA"), ("SW1A 1AA", "GB", "SW1A 1AA"), ("k1a0b1", "CA", "K1A 0B1"),
    ("1234ab", "NL", "1234 AB"), ("02134", "US", "02134"), ("021341234", "US", "02134-1234"),
    ("10115", "DE", "10115"), ("1011", "DE", None), ("1000001", "JP", "100-0001"), ("１０００００１", "JP", "100-0001"),
    ("100000", "CN", "100000"), ("2000", "AU", "2000"), ("110 001", "IN", "110001"), ("75001", "FR", "75001"),
    ("ABC", "FR", None), ("1010", "AT", "1010"), ("", "DE", None),
])
def test_postcode(raw, code, standard):
    assert standardize.postcode(raw, code) == standard


@pytest.mark.parametrize("raw,standard", [
    ("12 Main Street", "12 Main St"), ("12 Main St.", "12 Main St"), ("5 Abbey road", "5 Abbey Rd"),
    ("Hauptstraße 5", "Hauptstr. 5"), ("Hauptstrasse 5", "Hauptstr. 5"), ("Hauptstr 5", "Hauptstr. 5"),
    ("Straße des 17. Juni 1", "Str. des 17. Juni 1"), ("1 Fifth Avenue", "1 Fifth Ave"), ("Stanley Rd", "Stanley Rd"),
])
def test_street(raw, standard):
    assert standardize.street(raw) == standard


@pytest.mark.parametrize("raw,standard,form", [
    ("Acme Incorporated", "Acme Inc", "Inc"), ("Acme, Inc.", "Acme Inc", "Inc"), ("Globex L.L.C.", "Globex LLC", "LLC"),
    ("Tyrell Limited", "Tyrell Ltd", "Ltd"), ("Müller Gesellschaft mit beschränkter Haftung", "Müller GmbH", "GmbH"),
    ("杭州阿里巴巴网络有限公司", "杭州阿里巴巴网络有限公司", "有限公司"), ("Hooli", "Hooli", None),
])
def test_company(raw, standard, form):
    assert standardize.company(raw) == standard
    assert standardize.legal_form(raw) == form


@settings(max_examples=200, deadline=None)
@given(st.one_of(ANY_TEXT, st.sampled_from(["12 Main Street", "Hauptstraße 5", "Acme, Inc.", "Foo Ltd."])))
def test_street_and_company_are_idempotent(value):
    assert standardize.street(standardize.street(value)) == standardize.street(value)
    assert standardize.company(standardize.company(value)) == standardize.company(value)


@settings(max_examples=200, deadline=None)
@given(ANY_TEXT, st.sampled_from(sorted(standardize.POSTCODE_FORMATS) + ["AT", None]))
def test_postcode_is_idempotent(value, code):
    once = standardize.postcode(value, code)
    assert once is None or standardize.postcode(once, code) == once


@pytest.mark.parametrize("raw,standard,title", [
    ("dr. anna MÜLLER", "Anna Müller", "Dr."), ("MEYER, BRIGITTE", "Brigitte Meyer", None),
    ("Clark, Dick", "Dick Clark", None), ("mary o'brien", "Mary O'Brien", None), ("JOHN MCDONALD", "John McDonald", None),
    ("Ludwig van der Rohe", "Ludwig van der Rohe", None), ("Herr Jörg Koch", "Jörg Koch", "Herr"),
    ("Mr John Smith Jr.", "John Smith Jr.", "Mr"), ("张 伟", "张伟", None), ("  李娜 ", "李娜", None), ("", "", None),
])
def test_person_name(raw, standard, title):
    assert standardize.person_name(raw) == standard
    assert standardize.honorific(raw) == title


@settings(max_examples=300, deadline=None)
@given(st.one_of(ANY_TEXT, st.from_regex(r"(Dr\.? |Mr |Frau )?[A-Za-zÄÖÜäöüß' ,.-]{1,30}", fullmatch=True)))
def test_person_name_is_idempotent(value):
    once = standardize.person_name(value)
    assert standardize.person_name(once) == once


@settings(max_examples=200, deadline=None)
@given(st.from_regex(standardize.PLAIN_EMAIL, fullmatch=True))
@example("Anna.Berg@Example.COM")
def test_plain_addresses_skip_the_library_without_changing_the_result(value):
    from email_validator import EmailNotValidError, validate_email

    if not standardize.is_plain_email(value):
        return
    try:
        library = validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:  # the shortcut may only accept what the library accepts
        raise AssertionError(f"{value!r} passes the shortcut but the library says: {exc}") from None
    assert standardize.email(value) == library
