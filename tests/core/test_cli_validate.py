"""``steward rules``, ``steward validate`` and ``steward export --failures`` as a user runs them."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from steward.cli import main
from steward.exports import FAILURE_COLUMNS
from steward.project import Project
from steward.rules import Rule, check_rule_set, default_rules
from steward.rules_file import read, write

Capture = pytest.CaptureFixture[str]
HEADER = ["customer_id", "full_name", "email", "phone", "country", "postcode"]
ROWS = [
    ["1", "Anna", "anna@example.com", "+44 20 7946 0958", "GB", "SW1A 1AA"],
    ["2", "Bob", "bob@", "020 7946 0958", "DE", "10115"],            # bad email, bad number for DE
    ["3", "", "carl@example.com", "+49 30 901820", "GB", "sw1a1aa"],  # no name, German number, postcode form
]
DEFAULT_NAMES = [r.name for r in default_rules(set(HEADER))]
# Hand-counted from ROWS: three errors, two warnings, none elsewhere.
EXPECTED_COUNTS = {"customer_id_required": 0, "customer_id_unique": 0, "name_required": 1, "email_valid": 1,
                   "phone_valid": 1, "phone_format": 0, "phone_country": 1, "postcode_format": 1}
BAD_REGEX_FILE = ('steward_rules = 1\n\n[[rule]]\nname = "id_shape"\nkind = "regex"\nfield = "customer_id"\n'
                  'pattern = "(ab"\n')  # the pattern is on line 7


@pytest.fixture
def people(tmp_path: Path, capsys: Capture) -> Path:
    """A project with one imported source whose headers map to six canonical fields."""
    source = tmp_path / "people.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADER] + ROWS)
    project = tmp_path / "p.steward"
    assert main(["import", str(project), str(source)]) == 0
    capsys.readouterr()
    return project


def run_json(capsys: Capture, *args: str) -> dict:
    assert main(list(args) + ["--json"]) == 0
    return json.loads(capsys.readouterr().out)


def runs_stored(project: Path) -> int:
    with Project.open(project, read_only=True) as opened:
        return opened.conn.execute("SELECT COUNT(*) FROM validation_runs").fetchone()[0]


# -- steward validate --------------------------------------------------------------------------

def test_validate_without_rules_proposes_the_defaults_and_prints_counts(people: Path, capsys: Capture) -> None:
    assert main(["validate", str(people)]) == 0
    out = capsys.readouterr().out
    assert f"The project had no rules: saved the default set (see them with: steward rules {people})." in out
    assert "Checked 3 records (3 read again) in " in out
    counts = {m[1]: (m[2], int(m[3]), m[4]) for m in
              re.finditer(r"^  (\S+)\s+(error|warning)\s+([\d,]+)\s+\((\w+)\)$", out, re.MULTILINE)}
    assert {name: count for name, (_, count, _) in counts.items()} == EXPECTED_COUNTS
    assert counts["phone_country"] == ("warning", 1, "phone")
    assert "Errors: 3; warnings: 2." in out
    # 1 of 3 records without errors, 17 of 18 mapped values filled.
    assert "Project: quality 63.9/100 (33.3% of 3 records without errors; mapped fields 94.4% filled)" in out
    assert f"Export the failures with: steward export {people} --failures failures.csv" in out
    assert [r["name"] for r in run_json(capsys, "rules", str(people))["rules"]] == DEFAULT_NAMES

    assert main(["validate", str(people)]) == 0
    again = capsys.readouterr().out
    assert "had no rules" not in again and "Checked 3 records (0 read again) in " in again


def test_validate_json(people: Path, capsys: Capture) -> None:
    result = run_json(capsys, "validate", str(people))
    assert result["proposed_default_rules"] is True
    assert {r["name"]: r["failures"] for r in result["rules"]} == EXPECTED_COUNTS
    assert (result["errors"], result["warnings"], result["records"], result["rechecked"]) == (3, 2, 3, 3)
    assert [s["source"] for s in result["scores"]] == [None, "people"]
    assert result["scores"][1] == {"source": "people", "records": 3, "error_free": round(1 / 3, 4),
                                   "completeness": round(17 / 18, 4), "score": round(100 * (1 / 3 + 17 / 18) / 2, 1)}
    again = run_json(capsys, "validate", str(people))
    assert (again["proposed_default_rules"], again["rechecked"], again["errors"]) == (False, 0, 3)
    assert again["run_id"] == result["run_id"] + 1


def test_validate_with_a_rules_file_and_region(people: Path, tmp_path: Path, capsys: Capture) -> None:
    rules_path = tmp_path / "team.toml"
    write(rules_path, [Rule("phone_valid", "phone", "phone")], "GB")
    result = run_json(capsys, "validate", str(people), "--rules", str(rules_path), "--region", "DE")
    assert result["proposed_default_rules"] is False
    assert [(r["name"], r["failures"]) for r in result["rules"]] == [("phone_valid", 1)]
    assert run_json(capsys, "rules", str(people))["default_region"] == "DE"


# -- steward rules -----------------------------------------------------------------------------

def test_rules_propose_save_load_region_json(people: Path, tmp_path: Path, capsys: Capture) -> None:
    assert run_json(capsys, "rules", str(people)) == {"default_region": None, "rules": []}
    assert main(["rules", str(people)]) == 0
    assert f"No rules yet. Propose the defaults with: steward rules {people} --propose" in capsys.readouterr().out

    proposed = run_json(capsys, "rules", str(people), "--propose")
    assert [r["name"] for r in proposed["rules"]] == DEFAULT_NAMES
    assert run_json(capsys, "rules", str(people), "--region", "gb")["default_region"] == "GB"

    saved = tmp_path / "saved.toml"
    assert main(["rules", str(people), "--save", str(saved)]) == 0
    out = capsys.readouterr().out
    assert f"Wrote {len(DEFAULT_NAMES)} rules to {saved}." in out and "Default region: GB" in out
    assert read(saved) == (default_rules(set(HEADER)), "GB")

    team = tmp_path / "team.toml"
    team_rules = check_rule_set([Rule("country_known", "allowed", "country", "warning", "Land unbekannt",
                                      {"values": ["GB", "DE", "中国"]}), Rule("mail", "email", "email")])
    write(team, team_rules, "DE")
    loaded = run_json(capsys, "rules", str(people), "--load", str(team))
    assert loaded == {"default_region": "DE", "rules": [r.to_dict() for r in team_rules]}

    write(team, team_rules[:1])  # a file without a region keeps the project's
    assert run_json(capsys, "rules", str(people), "--load", str(team))["default_region"] == "DE"
    write(team, team_rules, "CN")  # an explicit --region wins over the file's
    assert run_json(capsys, "rules", str(people), "--load", str(team), "--region", "FR")["default_region"] == "FR"
    assert run_json(capsys, "rules", str(people), "--region", "-")["default_region"] is None


def test_rules_propose_and_load_exclude_each_other(people: Path, tmp_path: Path, capsys: Capture) -> None:
    team = tmp_path / "team.toml"
    write(team, [])
    assert main(["rules", str(people), "--propose", "--load", str(team)]) == 2
    assert "--propose and --load exclude each other." in capsys.readouterr().err


def test_rules_unknown_region_is_refused(people: Path, capsys: Capture) -> None:
    run_json(capsys, "rules", str(people), "--region", "GB")
    assert main(["rules", str(people), "--region", "Atlantis"]) == 1
    assert "'Atlantis' is not a country" in capsys.readouterr().err
    assert run_json(capsys, "rules", str(people))["default_region"] == "GB"


# -- a bad rules file changes nothing -----------------------------------------------------------

def test_a_bad_rules_file_is_refused_naming_file_and_line(people: Path, tmp_path: Path, capsys: Capture) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD_REGEX_FILE, encoding="utf-8")
    before = run_json(capsys, "rules", str(people), "--propose", "--region", "GB")
    for command in (["rules", str(people), "--load", str(bad)], ["validate", str(people), "--rules", str(bad)]):
        assert main(command) == 1
        err = capsys.readouterr().err
        assert err.startswith(f"Error: {bad}, line 7: rule 'id_shape': the regular expression '(ab' is invalid")
        assert "Traceback" not in err
        assert run_json(capsys, "rules", str(people)) == before
    assert runs_stored(people) == 0


def test_rules_and_region_change_together_or_not_at_all(people: Path, tmp_path: Path, capsys: Capture) -> None:
    good = tmp_path / "good.toml"
    write(good, [Rule("mail", "email", "email")])
    before = run_json(capsys, "rules", str(people), "--propose")
    for command in (["rules", str(people), "--load", str(good), "--region", "Atlantis"],
                    ["validate", str(people), "--rules", str(good), "--region", "Atlantis"]):
        assert main(command) == 1
        assert "'Atlantis' is not a country" in capsys.readouterr().err
        assert run_json(capsys, "rules", str(people)) == before
    assert runs_stored(people) == 0


# -- steward export --failures -----------------------------------------------------------------

def test_export_failures_with_the_original_values(people: Path, tmp_path: Path, capsys: Capture) -> None:
    result = run_json(capsys, "validate", str(people))
    out_csv = tmp_path / "failures.csv"
    assert main(["export", str(people), "--failures", str(out_csv), "--exact"]) == 0
    assert f"Wrote {result['errors'] + result['warnings']} failures to {out_csv}." in capsys.readouterr().out
    raw = out_csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header, *rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert header == FAILURE_COLUMNS + HEADER
    assert header[:7] == ["source", "row", "rule", "field", "severity", "message", "suggestion"]
    assert len(rows) == 5
    assert [(r[1], r[2]) for r in rows] == [("2", "email_valid"), ("2", "phone_valid"), ("3", "name_required"),
                                            ("3", "phone_country"), ("3", "postcode_format")]
    for row in rows:
        assert row[0] == "people" and row[7:] == ROWS[int(row[1]) - 1]
    assert rows[4][:7] == ["people", "3", "postcode_format", "postcode", "warning",
                           "Postcode does not fit the country's format: not written as SW1A 1AA", "SW1A 1AA"]
    assert rows[2][5:7] == ["Name is missing", ""]


def test_export_failures_neutralises_formulas_by_default(people: Path, tmp_path: Path, capsys: Capture) -> None:
    run_json(capsys, "validate", str(people))
    out_csv = tmp_path / "failures.csv"
    assert main(["export", str(people), "--failures", str(out_csv), "--no-bom"]) == 0
    rows = list(csv.reader(out_csv.read_text(encoding="utf-8").splitlines()))[1:]
    assert {r[10] for r in rows} == {"020 7946 0958", "'+49 30 901820"}


def test_export_failures_before_validating_says_so(people: Path, tmp_path: Path, capsys: Capture) -> None:
    out_csv = tmp_path / "failures.csv"
    assert main(["export", str(people), "--failures", str(out_csv)]) == 0
    out = capsys.readouterr().out
    assert "Wrote 0 failures" in out and f"run 'steward validate {people}' first" in out
    assert list(csv.reader(out_csv.read_text(encoding="utf-8-sig").splitlines())) == [FAILURE_COLUMNS + HEADER]


def test_export_needs_something_to_export(people: Path, capsys: Capture) -> None:
    assert main(["export", str(people)]) == 2
    err = capsys.readouterr().err
    assert "Usage: " in err and "Say what to export: --records, --failures, --clusters, --golden, --crosswalk" in err


def test_a_project_with_nothing_mapped_is_told_to_map_columns_first(tmp_path: Path, capsys: Capture) -> None:
    source = tmp_path / "odd.csv"
    source.write_text("Spalte A,Spalte B\n1,2\n", encoding="utf-8")
    project = tmp_path / "odd.steward"
    assert main(["import", str(project), str(source)]) == 0
    capsys.readouterr()
    assert main(["validate", str(project)]) == 1
    assert "Map columns first" in capsys.readouterr().err
    assert main(["rules", str(project), "--propose"]) == 0
    assert "Map columns first" in capsys.readouterr().out
    assert runs_stored(project) == 0
