"""The project report: the right figures, data escaped, a page that loads nothing, and a CLI that writes it whole."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from steward import audit, operations, rule_store, store, validation
from steward.cli_report import report_command
from steward.errors import StewardError
from steward.importer import ImportOptions, import_file
from steward.match_store import match_project
from steward.profiling import SourceProfile, profile_column
from steward.project import Project
from steward.report import ReportFigures, ScorePoint, SourceFigures, gather, render
from steward.rules import Rule
from steward.sample import sample_csv

HOSTILE = "<script>alert(1)</script>"
MARKUP = '"&<>'


class _Rows(HTMLParser):
    """Every table row of a page as the texts a reader sees in its cells."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def table_rows(page: str) -> list[list[str]]:
    parser = _Rows()
    parser.feed(page)
    return parser.rows


def svgs(page: str) -> list[ET.Element]:
    """Each inline chart parsed as XML: a malformed one raises."""
    return [ET.fromstring(chunk) for chunk in re.findall(r"<svg\b.*?</svg>", page, re.S)]


def report_of(path: Path) -> str:
    with Project.open(path, read_only=True) as project:
        return render(gather(project))


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample imported, validated, fixed and validated again, matched, and a few clusters decided."""
    path = tmp_path_factory.mktemp("reviewed") / "customers.steward"
    with Project.create(path) as project:
        import_file(project, sample_csv(), ImportOptions())
        rule_store.save_rules(project, rule_store.propose_rules(project))
        validation.validate(project)
        only_missing_id = [r for (r,) in project.conn.execute(
            "SELECT record_id FROM failures WHERE severity = 'error' GROUP BY record_id "
            "HAVING COUNT(*) = 1 AND MAX(rule) = 'customer_id_required'")]
        operations.perform(project, operations.FixValues(tuple((r, 0, f"99{r:04}") for r in only_missing_id)))
        validation.validate(project)
        match_project(project)
        first, second, third = [c for (c,) in project.conn.execute(
            "SELECT id FROM clusters WHERE size >= 2 ORDER BY id LIMIT 3")]
        operations.perform(project, operations.RejectCluster(first))
        operations.perform(project, operations.RejectCluster(second))
        operations.undo(project)
        operations.perform(project, operations.defer(third, "ask the branch"))
    return path


def test_an_empty_project_reports_what_is_missing(project: Project) -> None:
    figures = gather(project)
    page = render(figures)
    rows = table_rows(page)
    assert not project.conn.execute("SELECT 1 FROM audit").fetchone() and not project.conn.in_transaction
    assert ["Sources", "0"] in rows and ["Records", "0"] in rows and ["Audit trail entries", "0"] in rows
    assert f"<code>{audit.GENESIS}</code> (the trail is empty)" in page
    assert "no sources yet" in page and "<code>steward import test.steward FILE</code>" in page
    assert "never been validated" in page and "No quality score yet" in page
    assert "never been matched" in page and "<code>steward match test.steward</code>" in page
    assert figures.validation is None and figures.duplicates is None and figures.scores == []
    assert svgs(page) == []


def test_the_report_shows_the_projects_figures(reviewed: Path) -> None:
    page = report_of(reviewed)
    rows = table_rows(page)
    with Project.open(reviewed, read_only=True) as project:
        sql = project.conn.execute
        records = sql("SELECT SUM(record_count) FROM sources").fetchone()[0]
        entries, head = sql("SELECT COUNT(*), (SELECT hash FROM audit ORDER BY id DESC LIMIT 1) FROM audit").fetchone()
        failing = sql("SELECT f.rule, json_extract(r.definition, '$.message'), f.severity, COUNT(*) FROM failures f "
                      "JOIN rules r ON r.name = f.rule GROUP BY f.rule").fetchall()
        scores = sql("SELECT r.finished_at, q.score FROM quality_scores q JOIN validation_runs r ON r.id = q.run_id "
                     "WHERE q.source_id IS NULL ORDER BY r.id").fetchall()
        run = sql("SELECT records, candidates, clusters FROM match_runs ORDER BY id DESC LIMIT 1").fetchone()
        status = dict(sql("SELECT id, status FROM clusters").fetchall())
        members = Counter(status[c] for (c,) in sql("SELECT cluster_id FROM cluster_members"))
        standing = Counter(status[c] for c in {c for (c,) in sql("SELECT cluster_id FROM cluster_members")})
        pairs = sql("SELECT COUNT(*) FROM not_duplicates").fetchone()[0]
        source = store.sources(project)[0]
        columns = store.columns(project, source.id)
        values = [r.values for r in store.records(project, source.id, 0, 10_000)]
    assert ["Records", f"{records:,}"] in rows and ["Audit trail entries", str(entries)] in rows
    assert f"<code>{head}</code>" in page
    assert len(failing) > 3
    for rule, message, severity, count in failing:
        assert [rule, message, severity, f"{count:,}"] in rows
    assert len(scores) == 2 and scores[0][1] != scores[-1][1]
    assert rows[rows.index(["", "Run finished (UTC)", "Score", "Records without an error", "Mapped fields filled"])
                + 1][:3] == ["Before (first run)", scores[0][0], f"{scores[0][1]:.1f}"]
    assert [row[:3] for row in rows if row[0] == "After (latest run)"] == [
        ["After (latest run)", scores[-1][0], f"{scores[-1][1]:.1f}"]]
    assert ["Records compared", f"{run[0]:,}"] in rows and ["Candidate pairs scored", f"{run[1]:,}"] in rows
    assert ["Clusters found", f"{run[2]:,}"] in rows
    assert standing["deferred"] == 1 and standing["auto"] + standing["review"] == run[2] - 2
    for name in ("auto", "review", "deferred", "merged"):
        shown = [[row[0]] + row[2:] for row in rows if row and row[0] == name]
        assert shown == [[name, f"{standing[name]:,}", f"{members[name]:,}"]]
    assert ["Record pairs marked not duplicates", str(pairs)] in rows and pairs >= 1
    assert ["Cluster rejections in the audit trail", "2"] in rows and ["Rejections undone", "1"] in rows
    assert ["Golden records", "0"] in rows
    for column in columns:
        filled = [row[column.position] for row in values if row[column.position].strip()]
        assert [str(column.position + 1), column.header, column.field or "—", f"{len(filled) / len(values):.1%}",
                f"{len(set(filled)):,}"] in [row[:5] for row in rows]


def test_merged_records_and_unknown_statuses_are_counted(tmp_path: Path) -> None:
    path = tmp_path / "merged.steward"
    with Project.create(path) as project:
        import_file(project, sample_csv(), ImportOptions())
        match_project(project)
        with project.db.atomic():
            for _ in range(2):
                project.conn.execute("INSERT INTO golden (created_at, rule, picks, edits) "
                                     "VALUES ('2025-06-15T10:00:00Z', 'newest', '{}', '{}')")
            project.conn.executemany("INSERT INTO golden_members (record_id, golden_id, batch, sha256) "
                                     "VALUES (?, ?, 1, 'x')", [(1, 1), (2, 1), (3, 1), (4, 2), (5, 2)])
            (merged, size), (later, later_size) = project.conn.execute(
                "SELECT id, size FROM clusters ORDER BY id LIMIT 2")
            project.conn.execute("UPDATE clusters SET status = 'merged' WHERE id = ?", (merged,))
            project.conn.execute("UPDATE clusters SET status = 'escalated' WHERE id = ?", (later,))
    rows = table_rows(report_of(path))
    assert ["Golden records", "2"] in rows and ["Records merged into them", "5"] in rows
    statuses = [row for row in rows if row and row[0] in ("auto", "review", "deferred", "merged", "escalated")]
    assert [row[0] for row in statuses] == ["auto", "review", "deferred", "merged", "escalated"]
    assert statuses[3:] == [["merged", "merged into a golden record", "1", str(size)],
                            ["escalated", "", "1", str(later_size)]]


def test_data_and_names_are_escaped_everywhere(tmp_path: Path, write) -> None:
    quoted = '"""&<>"'  # MARKUP as a CSV field
    source = write("hostile.csv", f'"{HOSTILE}",{quoted},email\n{quoted},<b>x</b>,not an address\n'
                                  f"{quoted},<b>x</b>,a@b.org\n")
    path = tmp_path / "a<b> &c.steward"
    with Project.create(path) as project:
        import_file(project, source, ImportOptions(header_row=1, source_name=HOSTILE))
        rule_store.save_rules(project, [Rule("email_check", "email", "email", message="<i>bad</i> & \"odd\"")])
        validation.validate(project)
    page = report_of(path)
    for raw in (HOSTILE, "<b>x</b>", "<i>bad</i>", "a<b>"):
        assert raw not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&quot;&amp;&lt;&gt;" in page
    assert "steward audit &#x27;a&lt;b&gt; &amp;c.steward&#x27; --verify" in page
    rows = table_rows(page)
    assert ["1", HOSTILE, "—", "100.0%", "1", f"{MARKUP} (2)"] in rows
    assert ["2", MARKUP, "—", "100.0%", "1", "<b>x</b> (2)"] in rows
    assert ["email_check", '<i>bad</i> & "odd"', "error", "1"] in rows
    labels = [t.text for chart in svgs(page) for t in chart.iter("text")]
    assert HOSTILE in labels and MARKUP in labels


def test_characters_xml_forbids_do_not_break_the_charts() -> None:
    """Headers come from any file: a control character or a lone surrogate still makes a well-formed chart."""
    odd = ["tab\x01bed", "half \ud800 pair", "fine"]
    columns = [profile_column(["x", ""], position=i, label=label) for i, label in enumerate(odd)]
    figures = ReportFigures("p.steward", "2025-06-15T10:00:00Z", audit.GENESIS, 0,
                            [SourceFigures("s", "s.csv", 0, odd, SourceProfile("s", 2, columns))], None,
                            [ScorePoint("2025-06-14T10:00:00Z", 40.0, 0.5, 0.3),
                             ScorePoint("2025-06-15T10:00:00Z", 70.0, 0.8, None)], None)
    page = render(figures)
    page.encode("utf-8")  # a lone surrogate would raise here
    charts = svgs(page)
    assert [t.text for t in charts[0].iter("text")][0::2] == ["tab\ufffdbed", "half \ufffd pair", "fine"]
    assert len(list(charts[1].iter("circle"))) == 2
    assert ["After (latest run)", "2025-06-15T10:00:00Z", "70.0", "80.0%", "—"] in table_rows(page)
    assert "<p>Change: +30.0 points over 2 validation runs.</p>" in page


def test_the_page_is_self_contained_and_its_charts_well_formed(reviewed: Path) -> None:
    page = report_of(reviewed)
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    for external in ("http:", "https:", "src=", "href=", "<script", "<link", "@import", "url(", "<img", "<iframe"):
        assert external not in page.lower()
    with Project.open(reviewed, read_only=True) as project:
        width = len(store.columns(project, 1))
        rules = project.conn.execute("SELECT COUNT(DISTINCT rule) FROM failures").fetchone()[0]
        runs = project.conn.execute("SELECT COUNT(*) FROM validation_runs").fetchone()[0]
    completeness, failures, history = svgs(page)
    assert len(list(completeness.iter("rect"))) == width and len(list(failures.iter("rect"))) == rules
    assert len(list(history.iter("circle"))) == runs


def test_cli_writes_the_report_while_the_project_is_open_for_writing(reviewed: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    with Project.open(reviewed) as writer:
        head = audit.head_hash(writer)
        entries = writer.conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0]
        before = hashlib.sha256(reviewed.read_bytes()).hexdigest()
        result = CliRunner().invoke(report_command, [str(reviewed), "--out", str(out)])
        assert hashlib.sha256(reviewed.read_bytes()).hexdigest() == before
    assert result.exit_code == 0, result.output
    assert f"Wrote the report to {out} (sources: 1, records: 293)." in result.output
    assert f"Audit trail head: {head} ({entries} entries;" in result.output
    page = out.read_text(encoding="utf-8")
    assert f"<code>{head}</code>" in page and leftovers(tmp_path) == []


@pytest.mark.parametrize("problem", ["missing project", "missing folder", "the project itself"])
def test_cli_failures_leave_the_previous_report_as_it_was(reviewed: Path, tmp_path: Path, problem: str) -> None:
    out = tmp_path / "report.html"
    out.write_text("the previous report", encoding="utf-8")
    project, target = {
        "missing project": (tmp_path / "nowhere.steward", out),
        "missing folder": (reviewed, tmp_path / "absent" / "report.html"),
        "the project itself": (reviewed, reviewed),
    }[problem]
    before = hashlib.sha256(reviewed.read_bytes()).hexdigest()
    result = CliRunner().invoke(report_command, [str(project), "--out", str(target)])
    assert result.exit_code != 0 and isinstance(result.exception, StewardError)
    message = {"missing project": "does not exist", "missing folder": "does not exist",
               "the project itself": "is the project itself"}[problem]
    assert message in str(result.exception)
    assert out.read_text(encoding="utf-8") == "the previous report" and leftovers(tmp_path) == []
    assert not (tmp_path / "absent").exists() and hashlib.sha256(reviewed.read_bytes()).hexdigest() == before


def test_a_write_that_fails_midway_keeps_the_previous_report(reviewed: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "report.html"
    out.write_text("the previous report", encoding="utf-8")

    def full_disk(source: str, target: str) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr("steward.report_file.os.replace", full_disk)
    result = CliRunner().invoke(report_command, [str(reviewed), "--out", str(out)])
    assert isinstance(result.exception, StewardError) and "the disk is full" in str(result.exception)
    assert out.read_text(encoding="utf-8") == "the previous report" and leftovers(tmp_path) == []


def test_figures_follow_the_projects_history(reviewed: Path) -> None:
    """The figures alone (for the GUI or a script) match what the core reports elsewhere."""
    with Project.open(reviewed, read_only=True) as project:
        figures = gather(project)
        history = validation.score_history(project)
    assert figures.records == 293 and [(p.finished_at, p.score) for p in figures.scores] == history
    assert figures.validation is not None and figures.validation.runs == len(history) == 2
