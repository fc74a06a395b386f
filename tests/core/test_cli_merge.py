"""The merge commands and the golden exports, end to end through the CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from steward import golden
from steward.cli import main
from steward.project import Project


@pytest.fixture
def matched(tmp_path: Path, build_sample) -> Path:
    return build_sample(tmp_path / "p.steward", validate=False)


def first_cluster(path: Path) -> tuple[int, list[str]]:
    with Project.open(path, read_only=True) as project:
        cluster_id, = project.conn.execute("SELECT id FROM clusters WHERE size = 3 ORDER BY id LIMIT 1").fetchone()
        rows = project.conn.execute("SELECT s.name, r.row_no FROM cluster_members m JOIN records r ON r.id = "
                                    "m.record_id JOIN sources s ON s.id = r.source_id WHERE m.cluster_id = ? "
                                    "ORDER BY r.id", (cluster_id,)).fetchall()
    return cluster_id, [f"{name}:{row}" for name, row in rows]


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_merge_show_fix_split_unmerge_and_undo(matched: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cluster_id, members = first_cluster(matched)
    assert main(["merge", str(matched), str(cluster_id), "--rule", "longest", "--pick", f"email={members[0]}"]) == 0
    out = capsys.readouterr().out
    assert f"Cluster {cluster_id} merged by rule longest." in out and "Golden record: G1" in out
    assert main(["golden", str(matched), "G1", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["members"] == members and shown["rule"] == "longest"
    email = next(f for f in shown["fields"] if f["field"] == "email")
    assert (email["from"], email["reason"]) == (members[0], "picked")
    assert main(["fix", str(matched), "G1", "city", "Springfield"]) == 0
    assert "G1, city: 'Springfield'" in capsys.readouterr().out
    assert main(["split", str(matched), members[0]]) == 0
    out = capsys.readouterr().out
    assert "the pick of email" in out and "split out" in out
    assert main(["unmerge", str(matched), "G1"]) == 0
    out = capsys.readouterr().out
    assert "its 2 records are on their own again" in out and "edit of city" in out
    assert main(["unmerge", str(matched), "G1"]) == 1
    assert "no golden record G1" in capsys.readouterr().err
    assert main(["undo", str(matched)]) == 0
    with Project.open(matched, read_only=True) as project:
        assert golden.golden_record(project, 1).edits == {"city": "Springfield"}


def test_merge_only_some_records_and_refuse_outsiders(matched: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cluster_id, members = first_cluster(matched)
    assert main(["merge", str(matched), str(cluster_id), "--only", members[0], "--only", "customers:1"]) == 1
    assert "customers:1 is not in cluster" in capsys.readouterr().err
    assert main(["merge", str(matched), str(cluster_id), "--only", members[0], "--only", members[1]]) == 0
    capsys.readouterr()
    with Project.open(matched, read_only=True) as project:
        assert len(golden.golden_record(project, 1).members) == 2
    assert main(["merge", str(matched), str(cluster_id), "--pick", "email"]) == 2
    assert main(["unmerge", str(matched), "R5"]) == 1
    assert "is a single record" in capsys.readouterr().err


def test_merge_auto_is_one_decision_and_exports_follow(matched: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    with Project.open(matched, read_only=True) as project:
        auto = project.conn.execute("SELECT COUNT(*), SUM(size) FROM clusters WHERE status = 'auto'").fetchone()
        records = project.conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]
    assert main(["merge-auto", str(matched)]) == 0
    assert f"Merged {auto[0]} auto-match clusters" in capsys.readouterr().out
    assert main(["merge-auto", str(matched)]) == 1
    assert "No auto-match proposals" in capsys.readouterr().err
    out_golden, out_cross, out_audit = tmp_path / "golden.csv", tmp_path / "cross.csv", tmp_path / "audit.csv"
    assert main(["export", str(matched), "--golden", str(out_golden), "--crosswalk", str(out_cross),
                 "--audit", str(out_audit), "--column", "company"]) == 0
    out = capsys.readouterr().out
    golden_rows, cross = read_csv(out_golden), read_csv(out_cross)
    assert golden_rows[0][:3] == ["golden_id", "records", "customer_id"] and golden_rows[0][-1] == "company"
    assert len(golden_rows) - 1 == records - auto[1] + auto[0]
    assert sum(int(row[1]) for row in golden_rows[1:]) == records
    assert f"Wrote {len(golden_rows) - 1} customers" in out and f"{auto[0]} golden records merged" in out
    assert cross[0] == ["source", "row", "golden_id"] and len(cross) - 1 == records
    assert {row[2] for row in cross[1:]} == {row[0] for row in golden_rows[1:]}
    assert read_csv(out_audit)[-1][3] == "merge_clusters"
    assert main(["undo", str(matched)]) == 0
    assert main(["export", str(matched), "--golden", str(out_golden)]) == 0
    assert len(read_csv(out_golden)) - 1 == records


def test_export_golden_refuses_an_unknown_column_and_keeps_the_old_file(matched: Path, tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "golden.csv"
    target.write_text("previous", encoding="utf-8")
    assert main(["export", str(matched), "--golden", str(target), "--column", "no such header"]) == 1
    assert "No source has a column headed 'no such header'" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "previous"
    assert main(["export", str(matched), "--column", "company", "--records", str(target)]) == 2


def test_export_golden_as_xlsx_keeps_text(matched: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook
    target = tmp_path / "golden.xlsx"
    assert main(["export", str(matched), "--golden", str(target)]) == 0
    sheet = load_workbook(target, read_only=True).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    with Project.open(matched, read_only=True) as project:
        expected = project.conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]
    assert rows[0][:3] == ["golden_id", "records", "customer_id"] and len(rows) - 1 == expected
    assert any(isinstance(v, str) and v.startswith("0") and v.isdigit() for row in rows[1:] for v in row)


def test_the_audit_export_is_exact_so_it_re_hashes(matched: Path, tmp_path: Path) -> None:
    from steward import audit
    cluster_id, _ = first_cluster(matched)
    assert main(["reject", str(matched), str(cluster_id), "--comment", "=not the same"]) == 0
    target = tmp_path / "audit.csv"
    assert main(["export", str(matched), "--audit", str(target)]) == 0
    rows = read_csv(target)[1:]
    assert rows[-1][7] == "=not the same"
    previous = audit.GENESIS
    for row in rows:
        assert audit.entry_hash(previous, *row[1:8]) == row[9]
        previous = row[9]
    with Project.open(matched, read_only=True) as project:
        assert previous == audit.head_hash(project)
