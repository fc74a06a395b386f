"""Rule kinds one by one over a page of values, rule definitions that must be refused, and the default set."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import example, given, settings, strategies as st

from steward import checks, rule_store, standardize, store
from steward.checks import Cache, Page, compile_rule, email_problem, parse_date, phone_verdict, unique_key
from steward.exports import failure_rows, record_columns
from steward.importer import ImportOptions, import_file
from steward.mapping import FIELDS
from steward.project import Project
from steward.rules import KINDS, Rule, RuleError, check_rule, check_rule_set, default_rules, rule_from_dict
from steward.validation import validate

TODAY = date(2025, 6, 15)
Found = dict[int, tuple[str, "str | None"]]


def make_rule(kind: str, field: str, **params: Any) -> Rule:
    """A checked rule, defaults filled in, as the validator would get it from the store."""
    return check_rule(Rule(f"{kind}_rule", kind, field, params=params))


def run(rule: Rule, values: list[str], *, country: list[str] | None = None, region: str | None = None,
        today: date = TODAY, extra: dict[str, list[str]] | None = None) -> Found:
    """Evaluate one rule over one page: {position: (detail, suggestion)} of the failing values."""
    columns: dict[str, list[str]] = {rule.field: values, **(extra or {})}
    if country is not None:
        columns["country"] = country
    page = Page(columns, len(values), region, Cache())
    return {f.index: (f.detail, f.suggestion) for f in compile_rule(rule, today)(page)}


def failing(rule: Rule, values: list[str], **kwargs: Any) -> list[int]:
    return sorted(run(rule, values, **kwargs))


# -- email -------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    "anna@example.com", "anna@bücher.de", "anna.maria+news@mail.example.co.uk", "o'neil@example.ie",
    "li_wei-2@example.cn", "anna@xn--bcher-kva.de",
])
def test_email_valid_addresses_pass(value: str) -> None:
    assert run(make_rule("email", "email"), [value]) == {}


@pytest.mark.parametrize("value", [
    "a@b", "anna@@example.com", "anna.example.com", "a..b@example.com", "anna@example.local", "anna@localhost",
    "anna@example.com ", "anna @example.com", "@example.com", "anna@", "anna@-example.com",
])
def test_email_invalid_addresses_fail(value: str) -> None:
    found = run(make_rule("email", "email"), [value])
    assert list(found) == [0] and found[0][0]  # the detail says what is wrong


def test_email_suggestion_is_the_standard_form_and_only_when_there_is_one() -> None:
    found = run(make_rule("email", "email"), [" Anna@Example.COM", "anna@example.com", "not an email"])
    assert sorted(found) == [0, 2]
    assert found[0][1] == "anna@example.com"
    assert found[2][1] is None


def test_email_problem_agrees_with_email_validator_on_idn_and_special_use_domains() -> None:
    assert email_problem("anna@bücher.de") is None
    assert email_problem("anna@example.test") is not None  # special-use top-level domain
    assert email_problem("anna@example.com") is None


# The fast path must never accept what the library refuses. The explicit
# examples are labels the plain regex allows but IDNA forbids.
@settings(deadline=None, max_examples=200)
@given(st.from_regex(standardize.PLAIN_EMAIL, fullmatch=True).filter(
    lambda v: len(v) <= 254 and len(v.split("@")[0]) <= 64))
@example("anna@ab--cd.com")
@example("anna@xn--zz.de")
def test_plain_email_fast_path_accepts_only_what_email_validator_accepts(value: str) -> None:
    if email_problem(value) is not None:
        return  # refused: nothing to hold against the library
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        pytest.fail(f"email_problem accepted {value!r}, email-validator refuses it: {exc}")


# -- phone -------------------------------------------------------------------------------------

GB_FORMS = ["+44 20 7946 0958", "0044 20 7946 0958", "020 7946 0958"]


def test_phone_valid_with_the_record_country() -> None:
    assert run(make_rule("phone", "phone"), GB_FORMS, country=["GB", "United Kingdom", "UK"]) == {}


def test_phone_valid_with_the_default_region_for_blank_countries() -> None:
    assert run(make_rule("phone", "phone"), GB_FORMS, country=["", " ", ""], region="GB") == {}
    assert run(make_rule("phone", "phone"), GB_FORMS, region="GB") == {}


def test_phone_without_any_region_only_national_numbers_fail() -> None:
    found = run(make_rule("phone", "phone"), GB_FORMS)
    assert list(found) == [2]
    assert found[2] == ("no country code, and no known country to read it in", None)


def test_phone_record_country_wins_over_the_default_region() -> None:
    found = run(make_rule("phone", "phone"), GB_FORMS, country=["DE", "DE", "DE"], region="GB")
    assert list(found) == [2]  # numbers with +44/0044 carry their own country
    assert found[2][0] == "not a valid number for DE"


def test_phone_unreadable_country_is_not_read_in_the_default_region() -> None:
    found = run(make_rule("phone", "phone"), GB_FORMS, country=["Atlantis"] * 3, region="GB")
    assert list(found) == [2]


def test_phone_invalid_numbers_fail() -> None:
    found = run(make_rule("phone", "phone"), ["+44 20 7946", "12", "call me", "+999 1234"], region="GB")
    assert sorted(found) == [0, 1, 2, 3]


def test_phone_full_width_digits_read_in_the_record_country() -> None:
    values = ["１３８-1234-5678", "１３８１２３４５６７８"]
    assert run(make_rule("phone", "phone"), values, country=["CN", "中国"]) == {}


def test_phone_international_form_suggests_the_international_form() -> None:
    rule = make_rule("phone", "phone", require="international_form")
    found = run(rule, GB_FORMS + ["+442079460958", "１３８-1234-5678"], country=["GB"] * 4 + ["CN"])
    assert found == {
        1: ("not written as +44 20 7946 0958", "+44 20 7946 0958"),
        2: ("not written as +44 20 7946 0958", "+44 20 7946 0958"),
        4: ("not written as +86 138 1234 5678", "+86 138 1234 5678"),
    }


def test_phone_international_form_leaves_invalid_numbers_to_the_validity_rule() -> None:
    rule = make_rule("phone", "phone", require="international_form")
    assert run(rule, ["12", "call me", "020 7946 0958"]) == {}  # the last has no region to be read in


def test_phone_verdict_gives_the_problem_the_e164_form_and_the_number_region() -> None:
    for value, region, e164, number_region in [("0044 20 7946 0958", None, "+442079460958", "GB"),
                                               ("１３８-1234-5678", "CN", "+8613812345678", "CN"),
                                               ("+44 20 7946 0958", "DE", "+442079460958", "GB")]:
        verdict = phone_verdict(value, region)
        assert (verdict[0], verdict[-1]) == (None, number_region) and e164 in verdict
    assert phone_verdict("020 7946 0958", None)[0] == "no country code, and no known country to read it in"
    assert phone_verdict("+44 20 7946", None)[0] == "not a valid number for +44"


# -- phone_country -----------------------------------------------------------------------------

def test_phone_country_a_foreign_number_on_a_record_fails() -> None:
    found = run(make_rule("phone_country", "phone"), ["+44 20 7946 0958", "0044 20 7946 0958", "+44 20 7946 0958"],
                country=["DE", "Deutschland", "GB"])
    assert found == {0: ("the number is from GB, the record's country is DE", None),
                     1: ("the number is from GB, the record's country is DE", None)}


def test_phone_country_full_width_plus_and_zeros_carry_the_country_code_too() -> None:
    # As the phone rule reads them: ＋ and ０ are + and 0 written full-width, common in CJK input.
    found = run(make_rule("phone_country", "phone"), ["＋44 20 7946 0958", "００44 20 7946 0958"],
                country=["DE", "DE"])
    assert sorted(found) == [0, 1]


def test_phone_country_shared_calling_codes_do_not_disagree() -> None:
    # +1 650 … is a US number, +1 416 … a Canadian one: both dial +1.
    assert run(make_rule("phone_country", "phone"), ["+1 650 253 0000", "+1 416 555 0199"],
               country=["CA", "United States"]) == {}


def test_phone_country_skips_national_invalid_and_countryless_numbers() -> None:
    values = ["020 7946 0958", "+44 12", "+44 20 7946 0958", "+44 20 7946 0958"]
    assert run(make_rule("phone_country", "phone"), values, country=["DE", "DE", "Atlantis", ""], region="DE") == {}


def test_phone_country_reads_the_configured_country_field() -> None:
    rule = make_rule("phone_country", "phone", country_field="region")
    assert list(run(rule, ["+44 20 7946 0958"], extra={"region": ["FR"]})) == [0]
    assert run(rule, ["+44 20 7946 0958"], country=["FR"]) == {}  # no 'region' column on this page


# -- postcode ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value,country,finding", [
    ("SW1A 1AA", "GB", None),
    ("sw1a1aa", "GB", ("not written as SW1A 1AA", "SW1A 1AA")),
    ("XYZ", "GB", ("not a GB postcode", None)),
    ("10115", "DE", None),
    ("10115", "Deutschland", None),
    ("1011", "DE", ("not a DE postcode", None)),
    ("123456789", "US", ("not written as 12345-6789", "12345-6789")),
    ("1234ab", "NL", ("not written as 1234 AB", "1234 AB")),
    ("１０００００１", "JP", ("not written as 100-0001", "100-0001")),
    ("8001", "CH", None),             # no known format: passes
    ("anything at all", "CH", None),
    ("sw1a1aa", "Atlantis", None),    # unreadable country: no region, not judged
])
def test_postcode_per_country(value: str, country: str, finding: tuple[str, str | None] | None) -> None:
    found = run(make_rule("postcode", "postcode"), [value], country=[country], region="GB")
    assert found == ({} if finding is None else {0: finding})


def test_postcode_blank_country_uses_the_default_region() -> None:
    rule = make_rule("postcode", "postcode")
    assert run(rule, ["sw1a1aa"], country=[""], region="GB") == {0: ("not written as SW1A 1AA", "SW1A 1AA")}
    assert run(rule, ["sw1a1aa"], country=[""]) == {}
    assert run(rule, ["sw1a1aa"]) == {}  # no country column and no default region


def test_regions_of_a_page() -> None:
    page = Page({"country": ["GB", "", "  ", "Atlantis", "中国"]}, 5, "DE", Cache())
    assert page.regions() == ["GB", "DE", "DE", None, "CN"]
    assert Page({}, 2, "FR", Cache()).regions() == ["FR", "FR"]


# -- date --------------------------------------------------------------------------------------

@pytest.mark.parametrize("value,valid", [
    ("2024-02-29", True), ("2023-02-29", False), ("2024-02-30", False), ("2024-13-01", False),
    ("29.02.2024", True), ("29.02.2023", False), ("29/02/2024", True), ("2024/02/29", True),
    ("02/29/2024", False), ("２０２４-02-29", True), (" 2024-02-29 ", True), ("2024-02-29T10:30:00", True),
    ("yesterday", False), ("0", False),
])
def test_date_real_dates_only(value: str, valid: bool) -> None:
    found = run(make_rule("date", "date_of_birth"), [value])
    assert (found == {}) is valid
    if not valid:
        assert found[0] == (f"{value!r} is not a date in an accepted format (e.g. 2024-02-29)", None)


def test_date_formats_setting_adds_formats_and_iso_always_counts() -> None:
    rule = make_rule("date", "date_of_birth", formats=["%m/%d/%Y"])
    assert failing(rule, ["02/29/2024", "2024-02-29", "29.02.2024"]) == [2]


def test_date_not_future() -> None:
    values = ["2025-06-15", "2025-06-16", "2099-01-01"]
    found = run(make_rule("date", "updated_at"), values)
    assert found == {1: ("2025-06-16 is in the future", None), 2: ("2099-01-01 is in the future", None)}
    assert run(make_rule("date", "updated_at", not_future=False), values) == {}


def test_date_min_age_counts_whole_years() -> None:
    rule = make_rule("date", "date_of_birth", min_age=18)
    found = run(rule, ["2007-06-15", "2007-06-16"])
    assert found == {1: ("2007-06-16 gives an age of 17, under 18", None)}


def test_date_max_age_counts_whole_years() -> None:
    rule = make_rule("date", "date_of_birth", min_age=0, max_age=120)
    found = run(rule, ["1905-06-15", "1904-06-16", "1904-06-15"])
    assert found == {2: ("1904-06-15 gives an age of 121, over 120", None)}


def test_date_age_of_someone_born_on_feb_29() -> None:
    rule = make_rule("date", "date_of_birth", min_age=18)
    assert failing(rule, ["2000-02-29"], today=date(2018, 2, 28)) == [0]
    assert failing(rule, ["2000-02-29"], today=date(2018, 3, 1)) == []


def test_parse_date() -> None:
    assert parse_date("2024-02-29", []) == date(2024, 2, 29)
    assert parse_date("2024-02-29 23:59", []) == date(2024, 2, 29)
    assert parse_date("29.02.2024", []) is None
    assert parse_date("29.02.2024", ["%d.%m.%Y"]) == date(2024, 2, 29)


# -- freshness ---------------------------------------------------------------------------------

def test_freshness_exactly_the_limit_passes_a_day_more_fails() -> None:
    rule = make_rule("freshness", "updated_at", months=24)
    found = run(rule, ["2023-06-15", "2023-06-14", "2023-05-16", "2023-05-15", "2025-06-15", "2026-01-01"])
    assert sorted(found) == [1, 2, 3]


def test_freshness_counts_calendar_months_into_a_shorter_month() -> None:
    # One month before 28 February is 28 January; 31 January + one month ends on 28 February too.
    rule = make_rule("freshness", "updated_at", months=1)
    assert failing(rule, ["2025-01-31", "2025-01-28", "2025-01-27"], today=date(2025, 2, 28)) == [2]


def test_freshness_message_and_non_dates_left_to_date_rules() -> None:
    rule = make_rule("freshness", "updated_at", months=24)
    found = run(rule, ["2020-01-10", "not a date", "2023-02-30"])
    assert found == {0: ("last updated 2020-01-10, 65 months ago", None)}


# -- regex, allowed, length, required ----------------------------------------------------------

def test_regex_must_match_the_whole_value_as_written() -> None:
    rule = make_rule("regex", "customer_id", pattern=r"C\d{4}")
    found = run(rule, ["C1234", "C12345", "XC1234", " C1234", "c1234"])
    assert sorted(found) == [1, 2, 3, 4]
    assert found[1] == ("'C12345' does not match C\\d{4}", None)


def test_allowed_case_sensitive_suggests_the_listed_spelling() -> None:
    found = run(make_rule("allowed", "country", values=["DE", "FR"]), ["DE", "de", "Fr", "XX", " DE"])
    assert found == {1: ("'de' is not one of DE, FR", "DE"), 2: ("'Fr' is not one of DE, FR", "FR"),
                     3: ("'XX' is not one of DE, FR", None), 4: ("' DE' is not one of DE, FR", "DE")}


def test_allowed_ignore_case_including_non_ascii() -> None:
    rule = make_rule("allowed", "country", values=["Österreich", "中国", "DE"], ignore_case=True)
    assert failing(rule, ["österreich", "ÖSTERREICH", "中国", "de", "Osterreich", "中國"]) == [4, 5]


def test_allowed_long_lists_are_shortened_in_the_message() -> None:
    values = [f"V{i}" for i in range(10)]
    found = run(make_rule("allowed", "region", values=values), ["nope"])
    assert found[0][0] == "'nope' is not one of V0, V1, V2, V3, V4, V5, V6, V7 …"


def test_length_counts_code_points_not_bytes() -> None:
    rule = make_rule("length", "full_name", min=2, max=3)
    found = run(rule, ["张三", "张三丰", "张", "张三丰李", "😀😀", "e\u0301"])
    assert found == {2: ("1 characters, fewer than 2", None), 3: ("4 characters, more than 3", None)}


def test_length_with_one_bound_only() -> None:
    assert failing(make_rule("length", "customer_id", max=3), ["1", "1234", "123"]) == [1]
    assert failing(make_rule("length", "customer_id", min=3), ["1", "1234", "123"]) == [0]


def test_required_fails_empty_and_whitespace_only() -> None:
    found = run(make_rule("required", "full_name"), ["", " ", "\t", "\u3000", "Anna", " x "])
    assert sorted(found) == [0, 1, 2, 3]


BLANKS = ["", " ", "\t", "\u3000", "  \u00a0 "]


@pytest.mark.parametrize("rule", [
    make_rule("email", "email"), make_rule("phone", "phone"),
    make_rule("phone", "phone", require="international_form"), make_rule("postcode", "postcode"),
    make_rule("date", "date_of_birth"), make_rule("freshness", "date_of_birth"),
    make_rule("regex", "customer_id", pattern=r"\d+"), make_rule("allowed", "region", values=["DE"]),
    make_rule("length", "full_name", min=1), make_rule("phone_country", "phone"),
], ids=lambda r: f"{r.kind}-{r.params.get('require', '')}")
def test_other_kinds_skip_empty_and_whitespace(rule: Rule) -> None:
    assert run(rule, BLANKS, country=["GB"] * len(BLANKS), region="GB") == {}


def test_every_kind_but_unique_compiles_to_a_checker() -> None:
    needed = {"regex": {"pattern": "x"}, "allowed": {"values": ["x"]}}
    for kind in KINDS:
        rule = make_rule(kind, "customer_id", **needed.get(kind, {}))
        if kind == "unique":
            with pytest.raises(ValueError):
                compile_rule(rule, TODAY)
        else:
            assert callable(compile_rule(rule, TODAY))


# -- unique ------------------------------------------------------------------------------------

def test_unique_key_trims_and_normalises_and_ignores_blanks() -> None:
    assert unique_key(" A1 ") == unique_key("Ａ1") == unique_key("A\u200b1") == "A1"
    assert unique_key("a1") != unique_key("A1")
    assert unique_key("") is None and unique_key("  ") is None


def test_unique_via_validation(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "ids.csv"
    path.write_text('customer_id\nA1\n" A1"\nＡ1\na1\n\n""\nB2\n""\n', encoding="utf-8")
    import_file(project, path, ImportOptions(header_row=1))
    rule_store.save_rules(project, [Rule("id_unique", "unique", "customer_id", message="Id is used twice")])
    validate(project, today=TODAY)
    sources = store.sources(project)
    header, placement = record_columns(project, sources)
    rows = list(failure_rows(project, sources, placement, len(header) - 2))
    assert [(row[2], row[5], row[7]) for row in rows] == [
        ("id_unique", "Id is used twice: 'A1' is shared by 3 records", value) for value in ("A1", " A1", "Ａ1")]


# -- rule definitions --------------------------------------------------------------------------

def definition(**changes: Any) -> dict[str, Any]:
    return {"name": "a_rule", "kind": "length", "field": "full_name", **changes}


@pytest.mark.parametrize("data,key,words", [
    (definition(kind="emial"), "kind", "unknown kind 'emial'"),
    (definition(maximum=3), "maximum", "'maximum' is not a setting of kind 'length' (its settings: min, max)"),
    (definition(min=True), "min", "'min' must be a whole number, not True"),
    (definition(max="3"), "max", "'max' must be a whole number"),
    (definition(min=5, max=3), "min", "'min' (5) is larger than 'max' (3)"),
    (definition(min=-1), "min", "cannot be negative"),
    (definition(severity="fatal"), "severity", "severity must be 'error' or 'warning', not 'fatal'"),
    (definition(field="e_mail"), "field", "'e_mail' is not a canonical field"),
    (definition(name="has space"), "name", "rule name 'has space' must be"),
    (definition(name=""), "name", "must be 1-64"),
    (definition(name="x" * 65), "name", "must be 1-64"),
    ({"kind": "required", "field": "email"}, "name", "'name' is missing"),
    (definition(field=3), "field", "'field' must be text"),
    (definition(message=7), "message", "'message' must be text"),
    (definition(kind="regex"), "pattern", "kind 'regex' needs 'pattern'"),
    (definition(kind="regex", pattern="(ab"), "pattern", "the regular expression '(ab' is invalid"),
    (definition(kind="regex", pattern=5), "pattern", "'pattern' must be text"),
    (definition(kind="allowed", values="DE"), "values", "'values' must be a list of texts"),
    (definition(kind="allowed", values=["DE", 1]), "values", "'values' must be a list of texts"),
    (definition(kind="allowed", values=[]), "values", "at least one value"),
    (definition(kind="allowed", values=["DE"], ignore_case="yes"), "ignore_case", "must be true or false"),
    (definition(kind="date", not_future=1), "not_future", "must be true or false"),
    (definition(kind="date", min_age=30, max_age=20), "min_age", "'min_age' (30) is larger than 'max_age' (20)"),
    (definition(kind="date", formats="%Y"), "formats", "must be a list of texts"),
    (definition(kind="freshness", months=0), "months", "at least 1"),
    (definition(kind="freshness", months=1.5), "months", "must be a whole number"),
    (definition(kind="phone", require="strict"), "require", "'valid' or 'international_form'"),
    (definition(kind="phone_country", country_field="land"), "country_field", "must be a canonical field"),
    (definition(kind="required", min=1), "min", "'min' is not a setting of kind 'required'"),
])
def test_rule_definitions_that_cannot_run_are_refused(data: dict[str, Any], key: str, words: str) -> None:
    with pytest.raises(RuleError) as caught:
        rule_from_dict(data, 4)
    assert caught.value.key == key
    assert caught.value.rule_index == 4
    assert words in str(caught.value)


def test_check_rule_refuses_an_invalid_regex_built_in_code() -> None:
    with pytest.raises(RuleError, match=r"rule 'id_shape': the regular expression '\[0-9' is invalid") as caught:
        check_rule(Rule("id_shape", "regex", "customer_id", params={"pattern": "[0-9"}))
    assert caught.value.key == "pattern"


def test_check_rule_refuses_unknown_settings_built_in_code() -> None:
    with pytest.raises(RuleError) as caught:
        check_rule(Rule("x", "email", "email", params={"strict": True}))
    assert caught.value.key == "strict"


def test_duplicate_names_are_refused_naming_the_second() -> None:
    rules = [Rule("dup", "required", "email"), Rule("other", "required", "phone"), Rule("dup", "email", "email")]
    with pytest.raises(RuleError, match="two rules are named 'dup'") as caught:
        check_rule_set(rules)
    assert (caught.value.rule_index, caught.value.key) == (2, "name")


def test_defaults_are_filled_in() -> None:
    rule = rule_from_dict({"name": "dob", "kind": "date", "field": "date_of_birth"})
    assert rule.severity == "error"
    assert rule.message == KINDS["date"].message
    assert rule.params == {"formats": ["%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%Y/%m/%d"], "not_future": True}
    assert rule_from_dict(rule.to_dict()) == rule


def test_to_dict_is_flat() -> None:
    rule = make_rule("allowed", "country", values=["DE"])
    assert rule.to_dict() == {"name": "allowed_rule", "kind": "allowed", "field": "country", "severity": "error",
                              "message": KINDS["allowed"].message, "values": ["DE"], "ignore_case": False}


# -- the default set ---------------------------------------------------------------------------

def test_default_rules_only_for_mapped_fields() -> None:
    assert default_rules(set()) == []
    assert [r.name for r in default_rules({"email"})] == ["email_valid"]
    for mapped in ({"email", "phone"}, {"customer_id", "postcode"}, {"updated_at", "last_name"}, set(FIELDS)):
        rules = default_rules(mapped)
        assert rules and {r.field for r in rules} <= mapped


def test_default_rules_phone_country_needs_a_country() -> None:
    assert [r.name for r in default_rules({"phone"})] == ["phone_valid", "phone_format"]
    assert [r.name for r in default_rules({"phone", "country"})] == ["phone_valid", "phone_format", "phone_country"]


def test_default_rules_name_required_on_full_name_else_last_name() -> None:
    assert [(r.name, r.field) for r in default_rules({"last_name"})] == [("name_required", "last_name")]
    assert [(r.name, r.field) for r in default_rules({"full_name", "last_name"})] == [("name_required", "full_name")]
    assert default_rules({"first_name"}) == []


def test_default_rules_for_every_field_are_valid_and_uniquely_named() -> None:
    rules = default_rules(set(FIELDS))
    assert check_rule_set(rules) == rules
    assert len({r.name for r in rules}) == len(rules) == 11
    dob = next(r for r in rules if r.name == "date_of_birth_plausible")
    assert (dob.params["min_age"], dob.params["max_age"], dob.params["not_future"]) == (0, 120, True)
    assert {r.name: r.severity for r in rules if r.severity == "warning"}.keys() == {
        "phone_format", "phone_country", "postcode_format", "updated_at_fresh"}
