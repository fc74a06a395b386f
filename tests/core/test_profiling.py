"""Profiling: shapes, kinds, placeholders and column figures, from literals and through the CLI."""

from __future__ import annotations

import json

import pytest

from steward import profiling
from steward.cli import main
from steward.profiling import is_placeholder, kind_of, pattern, profile_column


@pytest.mark.parametrize("value,shape", [
    ("Anna 12", "Aa 99"), ("+44 20 7946 0958", "+99 99 9999 9999"), ("ANNA", "A"), ("McDonald", "AaAa"),
    ("Müller", "Aa"), ("张三", "ℓ"), ("10115", "99999"), ("anna@example.com", "a@a.a"), ("Hello   world", "Aa a"),
    ("１３８", "999"), ("", ""),
])
def test_pattern(value, shape):
    assert pattern(value) == shape


def test_long_patterns_are_cut():
    assert pattern("1" * 40) == "9" * profiling.PATTERN_LENGTH + "…"


@pytest.mark.parametrize("value,kind", [
    ("anna@example.com", "email"), ("+44 20 7946 0958", "phone"), ("(030) 1234-567", "phone"),
    ("07700900123", "phone"), ("00012345", "code"), ("AB-1234", "code"), ("2024-02-01", "date"),
    ("2024-05-06T10:00:00Z", "date"), ("01/02/2024", "date"), ("2024年2月1日", "date"), ("1.234,56", "number"),
    ("42", "number"), ("Anna Smith", "text"), ("info@ firma.de", "text"),
])
def test_kind_of(value, kind):
    assert kind_of(value) == kind


@pytest.mark.parametrize("value", ["n/a", "N/A", " null ", "TEST", "xxx", "0000", "-", "no email"])
def test_placeholders(value):
    assert is_placeholder(value)


@pytest.mark.parametrize("value", ["Anna", "00", "Nathan", "1000", "x1x"])
def test_real_values_are_not_placeholders(value):
    assert not is_placeholder(value)


def test_na_is_namibia_in_a_country_column():
    assert is_placeholder("NA", "company") and not is_placeholder("NA", "country")


def test_profile_column_figures():
    values = ["anna@example.com", "bob@example.com", "", "  ", "anna@example.com", "n/a", "carl@example.org"]
    column = profile_column(values, position=2, label="E-Mail", field_name="email")
    assert (column.rows, column.filled, column.distinct) == (7, 5, 4)
    assert column.filled_share == pytest.approx(5 / 7)
    assert column.top_values[0] == ("anna@example.com", 2)
    assert (column.min_length, column.max_length) == (3, 16)
    assert column.kind == "email" and column.kind_share == pytest.approx(4 / 5)
    assert column.placeholders == [("n/a", 1)]
    assert column.patterns[0] == ("a@a.a", 4) and not column.sampled


def test_empty_column():
    column = profile_column(["", " "])
    assert (column.filled, column.distinct, column.min_length, column.kind_share) == (0, 0, None, 0.0)


def test_many_distinct_values_are_sampled_but_counts_stay_exact(monkeypatch):
    monkeypatch.setattr(profiling, "SAMPLE_DISTINCT", 100)
    values = [f"{i:06d}" for i in range(5000)] + ["AB-1"] * 1000
    column = profile_column(values)
    assert column.sampled and column.distinct == 5001 and column.filled == 6000
    assert column.top_values[0] == ("AB-1", 1000)
    estimated = dict(column.patterns)
    assert estimated["999999"] == pytest.approx(5000, rel=0.2)


def test_profile_of_an_empty_project_says_so(tmp_path, capsys):
    from steward.project import Project

    Project.create(tmp_path / "empty.steward").close()
    assert main(["profile", str(tmp_path / "empty.steward")]) == 0
    assert "no sources yet" in capsys.readouterr().out


def test_profile_command(tmp_path, capsys):
    source = tmp_path / "c.csv"
    source.write_text("id,email,country\n001,a@x.org,NA\n002,n/a,DE\n003,,DE\n", encoding="utf-8")
    project = tmp_path / "p.steward"
    assert main(["import", str(project), str(source)]) == 0
    capsys.readouterr()
    before = project.read_bytes()
    assert main(["profile", str(project)]) == 0
    out = capsys.readouterr().out
    assert "c: 3 records" in out
    assert "2. email → email: 66.7% filled, 2 distinct" in out
    assert "placeholders: 'n/a' 1" in out
    assert main(["profile", str(project), "--json"]) == 0
    (src,) = json.loads(capsys.readouterr().out)
    country = src["columns"][2]
    assert country["field"] == "country" and country["placeholders"] == [] and country["top_values"][0] == ["DE", 2]
    assert project.read_bytes() == before
