"""Exports as results for the window: the same files as the CLI writes, progress, cancel and refusals."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import steward
from steward import audit, store
from steward.cli import cli
from steward.errors import Cancelled, StewardError
from steward.export_jobs import EXPORTERS, ExportOptions, export_audit, export_golden, export_records
from steward.golden_ops import MergeClusters, auto_clusters
from steward.operations import perform
from steward.project import Project

CLI_FLAGS = {"golden": "--golden", "crosswalk": "--crosswalk", "audit": "--audit", "failures": "--failures",
             "records": "--records", "clusters": "--clusters"}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory, build_sample) -> Path:
    path = build_sample(tmp_path_factory.mktemp("jobs") / "p.steward")
    with Project.open(path) as project:
        perform(project, MergeClusters(auto_clusters(project)[:3]))
    return path


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


@pytest.mark.parametrize("kind", sorted(CLI_FLAGS))
@pytest.mark.parametrize("safe,bom", [(True, True), (False, False)])
def test_each_kind_writes_what_the_cli_writes(sample: Path, tmp_path: Path, kind: str, safe: bool, bom: bool) -> None:
    cli_out = tmp_path / f"cli-{kind}.csv"
    flags = [] if safe else ["--exact"]
    flags += [] if bom else ["--no-bom"]
    result = CliRunner().invoke(cli, ["export", str(sample), CLI_FLAGS[kind], str(cli_out), *flags])
    assert result.exit_code == 0, result.output
    with Project.open(sample, read_only=True) as project:
        written = EXPORTERS[kind](project, tmp_path / f"{kind}.csv", ExportOptions(safe=safe, bom=bom),
                                  lambda done, total: None)
        head = audit.head_hash(project)
    assert (tmp_path / f"{kind}.csv").read_bytes() == cli_out.read_bytes()
    assert written.rows == len(read_csv(cli_out)) - 1 > 0
    assert written.audit_head == head and written.sheets == 1


def test_progress_counts_up_to_the_rows_written(sample: Path, tmp_path: Path) -> None:
    for kind in ("golden", "crosswalk", "records", "failures", "audit", "clusters"):
        calls: list[tuple[int, int]] = []
        with Project.open(sample, read_only=True) as project:
            written = EXPORTERS[kind](project, tmp_path / f"{kind}.csv", ExportOptions(),
                                      lambda done, total: calls.append((done, total)))
        assert calls[0][0] == 0 and calls[-1] == (written.rows, written.rows), kind
        assert all(0 <= done <= total for done, total in calls)


def test_golden_as_xlsx_and_one_source_only(sample: Path, tmp_path: Path) -> None:
    with Project.open(sample, read_only=True) as project:
        golden = export_golden(project, tmp_path / "golden.xlsx")
        records = export_records(project, tmp_path / "records.csv", ExportOptions(source="customers"))
        imported = store.sources(project)[0].record_count
        with pytest.raises(StewardError, match="no source named 'elsewhere'"):
            export_records(project, tmp_path / "none.csv", ExportOptions(source="elsewhere"))
    sheet = openpyxl.load_workbook(tmp_path / "golden.xlsx", read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("golden_id", "records") and len(rows) - 1 == golden.rows
    assert sum(1 for row in rows[1:] if str(row[0]).startswith("G")) == 3 == int(golden.notes[0].split()[0])
    assert records.rows == imported == len(read_csv(tmp_path / "records.csv")) - 1
    assert not (tmp_path / "none.csv").exists()


def test_cancel_and_refusals_leave_previous_files_alone(sample: Path, tmp_path: Path) -> None:
    target = tmp_path / "audit.csv"
    target.write_text("previous")

    def cancel(done: int, total: int) -> None:
        raise Cancelled()
    with Project.open(sample, read_only=True) as project:
        with pytest.raises(Cancelled):
            export_audit(project, target, progress=cancel)
        with pytest.raises(StewardError, match="does not exist"):
            export_records(project, tmp_path / "missing" / "records.csv")
        with pytest.raises(StewardError, match="the project itself"):
            export_records(project, sample)
    assert target.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.csv"]
    with Project.open(sample, read_only=True) as project:
        assert project.integrity_check() == ["ok"]


def test_the_report_is_written_with_its_head(sample: Path, tmp_path: Path) -> None:
    with Project.open(sample, read_only=True) as project:
        written = EXPORTERS["report"](project, tmp_path / "report.html", ExportOptions(), lambda d, t: None)
        head = audit.head_hash(project)
        imported = store.sources(project)[0].record_count
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert written.rows == imported and written.audit_head == head and head in page


def test_the_exporters_do_not_load_the_command_line() -> None:
    """The window exports through these functions; the click commands stay out of its process."""
    script = "import sys, steward.export_jobs; print(sorted(m for m in sys.modules if m.startswith('steward.cli')))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                            cwd=Path(steward.__file__).parent.parent)
    assert result.stdout.strip() == "[]"
