"""Validating real projects: stored failures, counts, quality scores, runs, incremental re-checks, cancelling."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from steward import checks, fsinfo, rule_store, store, validation
from steward.errors import Cancelled, StewardError
from steward.exports import failure_rows, record_columns
from steward.importer import ImportOptions, ImportResult, import_file
from steward.page_checks import worker_count
from steward.mapping import FIELDS
from steward.project import Project
from steward.rules import Rule, default_rules
from steward.validation import RuleCount, Score, score_history, validate

TODAY = date(2025, 6, 15)
VALIDATION_TABLES = ("failures", "validation_state", "completeness", "validation_runs", "quality_scores", "rules",
                     "meta")


def import_csv(project: Project, folder: Path, name: str, rows: list[list[str]]) -> ImportResult:
    """Import rows (the first is the header, canonical field names map themselves) as source ``name``."""
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    path = folder / f"{name}.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return import_file(project, path, ImportOptions(header_row=1, delimiter=",", encoding="utf-8"))


def failures(project: Project) -> list[tuple[str, ...]]:
    """(source, row, rule, field, severity, message, suggestion) of every stored failure, as a steward sees it."""
    sources = store.sources(project)
    header, placement = record_columns(project, sources)
    return [tuple(row[:7]) for row in failure_rows(project, sources, placement, len(header) - 2)]


def failed(project: Project, rule: str) -> list[tuple[str, str]]:
    """(source, row) of the records failing one rule."""
    return [(source, row) for source, row, name, *_ in failures(project) if name == rule]


def tables(project: Project) -> dict[str, list[tuple]]:
    """Everything validation writes, to compare before and after a run that must change nothing."""
    return {name: sorted(project.conn.execute(f"SELECT * FROM {name}").fetchall(), key=repr)
            for name in VALIDATION_TABLES}


def record_ids(project: Project, source: str) -> list[int]:
    source_id = store.source_named(project, source).id
    return [r.id for r in store.records(project, source_id, 0, 10_000)]


def rule(name: str, kind: str, field: str, severity: str = "error", message: str = "", **params: object) -> Rule:
    return Rule(name, kind, field, severity, message, params)


NAME_REQUIRED = rule("name_required", "required", "full_name", message="Name is missing")
EMAIL_VALID = rule("email_valid", "email", "email", message="Email address is not valid")
ID_UNIQUE = rule("id_unique", "unique", "customer_id", message="Customer id is used twice")


# -- what a run stores -------------------------------------------------------------------------

PEOPLE = [
    ["customer_id", "full_name", "email", "postcode", "country"],
    ["1", "Anna", " Anna@Example.COM", "sw1a1aa", "GB"],
    ["2", "", "bob@example.com", "SW1A 1AA", "GB"],
    ["3", "Carl", "carl@example.com", "10115", "DE"],
    ["4", " ", "not an email", "1011", "Deutschland"],
]
PEOPLE_RULES = [NAME_REQUIRED, EMAIL_VALID, rule("postcode_format", "postcode", "postcode", "warning",
                                                 "Postcode does not fit the country's format")]


def test_failures_are_stored_with_record_ids_messages_and_suggestions(project: Project, tmp_path: Path) -> None:
    import_csv(project, tmp_path, "people", PEOPLE)
    rule_store.save_rules(project, PEOPLE_RULES)
    validate(project, today=TODAY)
    email = "Email address is not valid: "
    postcode = "Postcode does not fit the country's format: "
    assert failures(project) == [
        ("people", "1", "email_valid", "email", "error", email + checks.email_problem(" Anna@Example.COM"),
         "anna@example.com"),
        ("people", "1", "postcode_format", "postcode", "warning", postcode + "not written as SW1A 1AA", "SW1A 1AA"),
        ("people", "2", "name_required", "full_name", "error", "Name is missing", ""),
        ("people", "4", "name_required", "full_name", "error", "Name is missing", ""),
        ("people", "4", "email_valid", "email", "error", email + checks.email_problem("not an email"), ""),
        ("people", "4", "postcode_format", "postcode", "warning", postcode + "not a DE postcode", ""),
    ]
    ids = record_ids(project, "people")
    stored = set(project.conn.execute("SELECT rule, record_id FROM failures"))
    assert stored == {("email_valid", ids[0]), ("postcode_format", ids[0]), ("name_required", ids[1]),
                      ("name_required", ids[3]), ("email_valid", ids[3]), ("postcode_format", ids[3])}


def test_counts_per_rule_and_severity(project: Project, tmp_path: Path) -> None:
    import_csv(project, tmp_path, "people", PEOPLE)
    rule_store.save_rules(project, PEOPLE_RULES + [rule("id_digits", "regex", "customer_id", pattern=r"\d+")])
    result = validate(project, today=TODAY)
    assert result.rules == [RuleCount("name_required", "full_name", "error", 2),
                            RuleCount("email_valid", "email", "error", 2),
                            RuleCount("postcode_format", "postcode", "warning", 2),
                            RuleCount("id_digits", "customer_id", "error", 0)]
    assert (result.errors, result.warnings) == (4, 2)
    assert (result.records, result.rechecked) == (4, 4)
    assert result.errors + result.warnings == len(failures(project))


def test_validating_without_rules_is_refused(project: Project, tmp_path: Path) -> None:
    import_csv(project, tmp_path, "people", PEOPLE)
    with pytest.raises(StewardError, match="no rules yet"):
        validate(project, today=TODAY)
    assert project.conn.execute("SELECT COUNT(*) FROM validation_runs").fetchone()[0] == 0


# -- quality scores ----------------------------------------------------------------------------

# Source a: 4 records x 3 mapped fields, 9 of 12 values filled; records 2 and 4
# have errors (2 has two), so 2 of 4 are error-free. Every record also fails a
# warning, which does not count. Score = 100 * (2/4 + 9/12) / 2 = 62.5.
SOURCE_A = [["customer_id", "full_name", "email"],
            ["1", "Anna", "anna@example.com"], ["2", "", "bad@"], ["3", "Carl", ""], ["4", "", "dora@example.com"]]
# Source b: 12 of 12 filled, one record with an error: 100 * (3/4 + 12/12) / 2 = 87.5.
SOURCE_B = [["customer_id", "full_name", "email"],
            ["5", "Eve", "eve@example.com"], ["6", "Finn", "finn@example.com"], ["7", "Gus", "not-an-email"],
            ["8", "Hal", "hal@example.com"]]
SCORE_RULES = [NAME_REQUIRED, EMAIL_VALID, rule("id_long", "length", "customer_id", "warning", min=2)]


def test_quality_score_of_one_source(project: Project, tmp_path: Path) -> None:
    import_csv(project, tmp_path, "a", SOURCE_A)
    rule_store.save_rules(project, SCORE_RULES)
    result = validate(project, today=TODAY)
    assert result.warnings == 4
    assert result.scores == [Score(None, 4, 0.5, 0.75, 62.5), Score("a", 4, 0.5, 0.75, 62.5)]


def test_quality_score_of_a_project_weighs_its_sources_by_records(project: Project, tmp_path: Path) -> None:
    import_csv(project, tmp_path, "a", SOURCE_A)
    import_csv(project, tmp_path, "b", SOURCE_B)
    rule_store.save_rules(project, SCORE_RULES)
    result = validate(project, today=TODAY)
    # Project: 5 of 8 records error-free, 21 of 24 values filled: 100 * (0.625 + 0.875) / 2 = 75.
    assert result.scores == [Score(None, 8, 0.625, 0.875, 75.0), Score("a", 4, 0.5, 0.75, 62.5),
                             Score("b", 4, 0.75, 1.0, 87.5)]


def test_a_source_without_mapped_fields_is_scored_on_errors_alone(project: Project, tmp_path: Path) -> None:
    import_csv(project, tmp_path, "a", SOURCE_A)
    import_csv(project, tmp_path, "x", [["foo", "bar"], ["1", ""], ["", ""]])
    rule_store.save_rules(project, SCORE_RULES)
    result = validate(project, today=TODAY)
    project_score, a_score, x_score = result.scores
    assert x_score == Score("x", 2, 1.0, None, 100.0)
    assert a_score == Score("a", 4, 0.5, 0.75, 62.5)
    # 4 of 6 records error-free; completeness only from the source that maps fields.
    assert project_score == Score(None, 6, round(4 / 6, 4), 0.75, round(100 * (4 / 6 + 0.75) / 2, 1))
    assert "name_required: not applied to 'x' (no column mapped to full_name)" in result.notes


def test_runs_are_stored_with_scores_and_their_history(project: Project, tmp_path: Path) -> None:
    import_csv(project, tmp_path, "a", SOURCE_A)
    import_csv(project, tmp_path, "b", SOURCE_B)
    rule_store.save_rules(project, [NAME_REQUIRED])
    first = validate(project, today=TODAY)
    rule_store.save_rules(project, SCORE_RULES)
    second = validate(project, today=TODAY)
    assert first.scores[0].score != second.scores[0].score

    runs = project.conn.execute("SELECT id, finished_at, rules, records, rechecked, errors, warnings "
                                "FROM validation_runs ORDER BY id").fetchall()
    assert runs == [(first.run_id, first.finished_at, 1, 8, 8, first.errors, 0),
                    (second.run_id, second.finished_at, 3, 8, 8, second.errors, second.warnings)]
    ids = {s.name: s.id for s in store.sources(project)}
    for result in (first, second):
        rows = project.conn.execute("SELECT source_id, records, error_free, completeness, score FROM quality_scores "
                                    "WHERE run_id = ?", (result.run_id,)).fetchall()
        assert sorted(rows, key=lambda r: (r[0] is not None, r[0] or 0)) == [
            (None if s.source is None else ids[s.source], s.records, s.error_free, s.completeness, s.score)
            for s in result.scores]
        assert [r[0] for r in rows].count(None) == 1

    assert score_history(project) == [(first.finished_at, first.scores[0].score),
                                      (second.finished_at, second.scores[0].score)]
    assert score_history(project, "b") == [(first.finished_at, first.scores[2].score),
                                           (second.finished_at, second.scores[2].score)]
    with pytest.raises(StewardError, match="no source named 'c'"):
        score_history(project, "c")


# -- incremental runs --------------------------------------------------------------------------

def test_nothing_changed_rechecks_nothing(project: Project, tmp_path: Path) -> None:
    import_csv(project, tmp_path, "people", PEOPLE)
    rule_store.save_rules(project, PEOPLE_RULES + [ID_UNIQUE])
    first = validate(project, today=TODAY)
    before = failures(project)
    second = validate(project, today=TODAY)
    assert second.rechecked == 0
    assert failures(project) == before
    assert (second.rules, second.errors, second.warnings, second.scores) == \
        (first.rules, first.errors, first.warnings, first.scores)


@pytest.mark.parametrize("with_unique", [False, True])
def test_a_new_source_rechecks_only_itself_unless_a_unique_rule_needs_all(
        project: Project, tmp_path: Path, with_unique: bool) -> None:
    import_csv(project, tmp_path, "a", SOURCE_A)
    rule_store.save_rules(project, SCORE_RULES + ([ID_UNIQUE] if with_unique else []))
    validate(project, today=TODAY)
    a_failures = failures(project)
    import_csv(project, tmp_path, "b", [["customer_id", "full_name", "email"], ["1", "", "x@example.com"],
                                        ["9", "Ivy", "ivy@example"]])
    result = validate(project, today=TODAY)
    assert result.rechecked == (4 + 2 if with_unique else 2)
    assert failed(project, "name_required") == [("a", "2"), ("a", "4"), ("b", "1")]
    assert failed(project, "email_valid") == [("a", "2"), ("b", "2")]
    assert failed(project, "id_unique") == ([("a", "1"), ("b", "1")] if with_unique else [])
    assert [f for f in failures(project) if f[0] == "a" and f[2] != "id_unique"] == a_failures


def test_changing_one_rule_rechecks_it(project: Project, tmp_path: Path) -> None:
    import_csv(project, tmp_path, "people", PEOPLE)
    countries = rule("country_known", "allowed", "country", values=["GB", "DE"])
    rule_store.save_rules(project, PEOPLE_RULES + [countries])
    validate(project, today=TODAY)
    assert failed(project, "country_known") == [("people", "4")]
    rule_store.save_rules(project, PEOPLE_RULES + [rule("country_known", "allowed", "country", values=["GB"])])
    result = validate(project, today=TODAY)
    assert result.rechecked == 4
    assert failed(project, "country_known") == [("people", "3"), ("people", "4")]
    assert failed(project, "name_required") == [("people", "2"), ("people", "4")]


def test_a_new_day_rechecks_only_date_rules(project: Project, tmp_path: Path) -> None:
    import_csv(project, tmp_path, "people", [["customer_id", "email", "updated_at"],
                                             ["1", "bad@", "2023-07-01"], ["2", "b@example.com", "2025-07-01"]])
    rule_store.save_rules(project, [EMAIL_VALID, rule("updated_real", "date", "updated_at"),
                                    rule("updated_fresh", "freshness", "updated_at", "warning", months=24)])
    validate(project, today=TODAY)
    assert [f[:3] for f in failures(project)] == [("people", "1", "email_valid"), ("people", "2", "updated_real")]
    # Removed by hand: a rule that is re-checked would find this failure again.
    project.conn.execute("DELETE FROM failures WHERE rule = 'email_valid'")
    result = validate(project, today=date(2025, 8, 15))
    assert result.rechecked == 2
    assert [f[:3] for f in failures(project)] == [("people", "1", "updated_fresh")]


def test_a_new_default_region_rechecks_regional_rules(project: Project, tmp_path: Path) -> None:
    import_csv(project, tmp_path, "people", [["customer_id", "phone", "country"],
                                             ["1", "020 7946 0958", ""], ["2", "030 1234567", "DE"]])
    rule_store.save_rules(project, [rule("phone_valid", "phone", "phone")])
    validate(project, today=TODAY)
    assert failed(project, "phone_valid") == [("people", "1")]
    rule_store.set_default_region(project, "United Kingdom")
    result = validate(project, today=TODAY)
    assert result.rechecked == 2
    assert failed(project, "phone_valid") == []


def test_remapping_a_column_rechecks(project: Project, tmp_path: Path) -> None:
    source = import_csv(project, tmp_path, "people", PEOPLE)
    rule_store.save_rules(project, PEOPLE_RULES)
    validate(project, today=TODAY)
    assert failed(project, "email_valid") == [("people", "1"), ("people", "4")]
    store.set_mapping(project, source.source_id, 2, None)
    result = validate(project, today=TODAY)
    assert result.rechecked == 4
    assert failed(project, "email_valid") == []
    assert "email_valid: not applied to 'people' (no column mapped to email)" in result.notes


def test_removing_a_rule_deletes_its_failures(project: Project, tmp_path: Path) -> None:
    import_csv(project, tmp_path, "people", PEOPLE)
    rule_store.save_rules(project, PEOPLE_RULES)
    first = validate(project, today=TODAY)
    rule_store.save_rules(project, [PEOPLE_RULES[0], PEOPLE_RULES[2]])
    assert failed(project, "email_valid") == []
    assert project.conn.execute("SELECT COUNT(*) FROM failures WHERE rule = 'email_valid'").fetchone()[0] == 0
    second = validate(project, today=TODAY)
    assert [c.name for c in second.rules] == ["name_required", "postcode_format"]
    assert second.errors == first.errors - 2
    rule_store.save_rules(project, PEOPLE_RULES)  # back again: checked afresh
    third = validate(project, today=TODAY)
    assert third.rechecked == 4
    assert failed(project, "email_valid") == [("people", "1"), ("people", "4")]


@pytest.mark.parametrize("validated_before", [False, True])
def test_cancelling_midway_leaves_everything_as_before(project: Project, tmp_path: Path,
                                                       validated_before: bool) -> None:
    import_csv(project, tmp_path, "a", SOURCE_A)
    import_csv(project, tmp_path, "b", SOURCE_B)
    rule_store.save_rules(project, SCORE_RULES + [ID_UNIQUE])
    if validated_before:
        validate(project, today=TODAY)
        rule_store.save_rules(project, [NAME_REQUIRED, rule("email_valid", "email", "email", "warning"), ID_UNIQUE])
    before = tables(project)
    calls: list[tuple[int, int]] = []

    def cancel_after_some(done: int, total: int) -> None:
        calls.append((done, total))
        if 0 < done:
            raise Cancelled()

    with pytest.raises(Cancelled):
        validate(project, today=TODAY, progress=cancel_after_some)
    assert calls and calls[-1][0] < 8  # it stopped before the end
    assert tables(project) == before
    result = validate(project, today=TODAY)  # the project is usable afterwards
    assert result.rechecked == 8


# -- raw values are never touched ---------------------------------------------------------------

VALUE = st.one_of(
    st.sampled_from(["", " ", "\t", "\u3000", "  \u00a0", "１３８-1234-5678", "😀", "📞 +44 20 7946 0958",
                     " Anna@Example.COM", "sw1a1aa", "2024-02-29", "2023-02-29", "+44 20 7946 0958", "Ａ1",
                     "GB", "中国", "Atlantis", "=1+1"]),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
)
ALL_FIELDS_HEADER = ["customer_id", "full_name", "email", "phone", "postcode", "country", "date_of_birth", "updated_at"]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(VALUE, min_size=8, max_size=8), min_size=1, max_size=5))
def test_validating_never_changes_a_raw_value(rows: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        with Project.create(Path(folder) / "p.steward") as project:
            import_csv(project, Path(folder), "any", [ALL_FIELDS_HEADER] + rows)
            extra = [rule("id_shape", "regex", "customer_id", pattern=r"\d+"),
                     rule("country_known", "allowed", "country", values=["GB", "中国"], ignore_case=True),
                     rule("name_length", "length", "full_name", min=2, max=5)]
            rule_store.save_rules(project, default_rules(set(FIELDS)) + extra)
            rule_store.set_default_region(project, "GB")
            before = project.conn.execute("SELECT * FROM records ORDER BY id").fetchall()
            result = validate(project, today=TODAY)
            assert result.records == len(before) > 0
            assert project.conn.execute("SELECT * FROM records ORDER BY id").fetchall() == before


# -- rules that look across records and fields ----------------------------------------------------

def test_phone_country_and_unique_across_two_sources(project: Project, tmp_path: Path) -> None:
    import_csv(project, tmp_path, "crm", [["customer_id", "full_name", "phone", "country"],
                                          ["1", "Anna", "+44 20 7946 0958", "DE"],
                                          ["2", "Bob", "+1 650 253 0000", "CA"],
                                          ["3", "Carl", "020 7946 0958", "DE"]])
    import_csv(project, tmp_path, "shop", [["Kundennummer", "Telefon", "Land"],
                                           ["１", "+49 30 901820", "Deutschland"],
                                           ["4", "+44 20 7946 0958", "United Kingdom"],
                                           [" 2 ", "0044 20 7946 0958", "Frankreich"]])
    assert [c.field for c in store.columns(project, store.source_named(project, "shop").id)] == \
        ["customer_id", "phone", "country"]
    rule_store.save_rules(project, [ID_UNIQUE, rule("phone_country", "phone_country", "phone", "warning",
                                                    "Phone number belongs to another country")])
    result = validate(project, today=TODAY)
    assert failed(project, "id_unique") == [("crm", "1"), ("crm", "2"), ("shop", "1"), ("shop", "3")]
    assert [f[5] for f in failures(project) if f[:2] == ("shop", "1")] == [
        "Customer id is used twice: '1' is shared by 2 records"]
    assert [f[:2] + (f[5],) for f in failures(project) if f[2] == "phone_country"] == [
        ("crm", "1", "Phone number belongs to another country: the number is from GB, the record's country is DE"),
        ("shop", "3", "Phone number belongs to another country: the number is from GB, the record's country is FR"),
    ]
    assert result.rules == [RuleCount("id_unique", "customer_id", "error", 4),
                            RuleCount("phone_country", "phone", "warning", 2)]


# -- findings of the code review -----------------------------------------------------------------

def test_freshness_reads_the_same_formats_as_date_rules(project: Project, tmp_path: Path) -> None:
    import_csv(project, tmp_path, "dated", [["customer_id", "updated_at"], ["1", "01.01.2020"], ["2", "14/06/2025"],
                                            ["3", "2020-01-01"]])
    rule_store.save_rules(project, [rule("fresh", "freshness", "updated_at", "warning", months=24)])
    validate(project, today=TODAY)
    assert failed(project, "fresh") == [("dated", "1"), ("dated", "3")]


def test_a_rule_whose_second_field_is_unmapped_is_noted(project: Project, tmp_path: Path) -> None:
    import_csv(project, tmp_path, "phones", [["customer_id", "phone"], ["1", "+44 20 7946 0958"]])
    rule_store.save_rules(project, [rule("phone_country", "phone_country", "phone", "warning")])
    result = validate(project, today=TODAY)
    assert result.notes == ["phone_country: not applied to 'phones' (no column mapped to country)"]


def test_each_run_keeps_the_rules_it_checked(project: Project, tmp_path: Path) -> None:
    import_csv(project, tmp_path, "people", PEOPLE)
    rule_store.save_rules(project, [NAME_REQUIRED])
    validate(project, today=TODAY)
    rule_store.save_rules(project, [NAME_REQUIRED, EMAIL_VALID])
    validate(project, today=TODAY)
    stored = [json.loads(r) for (r,) in project.conn.execute("SELECT rule_set FROM validation_runs ORDER BY id")]
    assert [[r["name"] for r in rules] for rules in stored] == [["name_required"], ["name_required", "email_valid"]]


def test_a_new_phone_or_email_library_rechecks(project: Project, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import_csv(project, tmp_path, "people", PEOPLE)
    rule_store.save_rules(project, [NAME_REQUIRED])
    validate(project, today=TODAY)
    assert validate(project, today=TODAY).rechecked == 0
    monkeypatch.setattr(validation, "_LIBRARIES", ["99.0", "99.0"])
    assert validate(project, today=TODAY).rechecked == 4


def test_no_worker_processes_in_a_network_or_sync_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fsinfo, "network_filesystem", lambda path, mounts_file="/proc/mounts": "Dropbox sync")
    monkeypatch.setenv("STEWARD_WORKERS", "2")
    with Project.create(tmp_path / "synced.steward") as synced:
        assert synced.conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert worker_count(synced) == 0
    monkeypatch.setattr(fsinfo, "network_filesystem", lambda path, mounts_file="/proc/mounts": None)
    with Project.create(tmp_path / "local.steward") as local:
        assert worker_count(local) == 2
