"""The command line: counts, JSON, clear errors with exit codes, never a traceback."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

from steward.cli import main


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "steward", *args], capture_output=True, text=True)


def test_import_info_export(tmp_path, capsys):
    source = tmp_path / "kunden.csv"
    source.write_bytes("Kundennummer;Name;E-Mail;Telefon\r\n00017;Jörg Müller;j@example.de;+49 30 1\r\n".encode("cp1252"))
    project = tmp_path / "p.steward"
    assert main(["import", str(project), str(source), "--map", "Name=last_name", "--map", "#4="]) == 0
    out = capsys.readouterr().out
    assert "Imported 1 rows from kunden.csv as source 'kunden'; rejected 0 (rows in file besides the header: 1)." in out
    assert "Header: row 1 (detected; --no-header if it is data)." in out
    assert "Encoding: cp1252" in out and "delimiter: semicolon" in out
    assert "Name → last_name" in out and "Kundennummer → customer_id" in out and "Telefon →" not in out
    assert main(["info", str(project), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    (src,) = info["sources"]
    assert src["record_count"] == 1 and src["encoding"] == "cp1252" and src["delimiter"] == ";"
    assert [c["field"] for c in src["columns"]] == ["customer_id", "last_name", "email", None]
    out_csv = tmp_path / "out.csv"
    assert main(["export", str(project), "--records", str(out_csv)]) == 0
    raw = out_csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows == [["source", "row", "Kundennummer", "Name", "E-Mail", "Telefon"],
                    ["kunden", "1", "00017", "Jörg Müller", "j@example.de", "'+49 30 1"]]


def test_a_data_row_taken_as_header_is_pointed_out(tmp_path, capsys):
    source = tmp_path / "names.csv"
    source.write_text("Anna,Berlin\nBob,Paris\nCarl,Rome\n", encoding="utf-8")
    assert main(["import", str(tmp_path / "p.steward"), str(source)]) == 0
    out = capsys.readouterr().out
    assert "row 1 was taken as the header, but none of its names is a known column name" in out


def test_import_json_counts_add_up(tmp_path, capsys):
    source = tmp_path / "r.csv"
    source.write_text("a,b\n1,2\n3,4,5\n\n6,7\n", encoding="utf-8")
    assert main(["import", str(tmp_path / "p.steward"), str(source), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["imported"], result["rejected"], result["rows_in_file"]) == (2, 2, 4)
    assert main(["rejected", str(tmp_path / "p.steward"), "--json"]) == 0
    rejected = json.loads(capsys.readouterr().out)
    assert [(r["line"], r["reason"]) for r in rejected] == [(3, "3 fields where the header has 2"), (4, "blank line")]


def test_errors_are_messages_with_exit_codes_not_tracebacks(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    project = tmp_path / "p.steward"
    result = _run("import", str(project), str(empty))
    assert result.returncode == 1
    assert result.stderr.strip() == "Error: empty.csv: the file is empty (0 bytes). Nothing was imported."
    assert "Traceback" not in result.stderr
    assert not project.exists()  # a project created for a failed import is removed again
    not_project = tmp_path / "list.steward"
    not_project.write_text("id,name\n1,Anna\n")
    result = _run("info", str(not_project))
    assert result.returncode == 1 and "not a Steward project: it looks like a text file" in result.stderr
    result = _run("import", str(project), str(empty), "--map", "nonsense")
    assert result.returncode == 2 and "COLUMN=FIELD" in result.stderr and "Traceback" not in result.stderr


def test_unknown_field_and_column_are_explained(tmp_path, capsys):
    source = tmp_path / "a.csv"
    source.write_text("name,mail\nAnna,a@x.org\n", encoding="utf-8")
    assert main(["import", str(tmp_path / "p.steward"), str(source), "--map", "mail=e_mail"]) == 1
    assert "'e_mail' is not a canonical field" in capsys.readouterr().err
    assert main(["import", str(tmp_path / "p.steward"), str(source), "--map", "nope=email"]) == 1
    assert "No single column is called 'nope'" in capsys.readouterr().err


def test_copy_and_check(tmp_path, capsys):
    source = tmp_path / "a.csv"
    source.write_text("name\nAnna\n", encoding="utf-8")
    project = tmp_path / "p.steward"
    assert main(["import", str(project), str(source)]) == 0
    assert main(["copy", str(project), str(tmp_path / "c.steward")]) == 0
    assert main(["check", str(tmp_path / "c.steward")]) == 0
    assert capsys.readouterr().out.strip().endswith(": ok")


def test_version():
    result = _run("--version")
    assert result.returncode == 0 and result.stdout.startswith("steward, version ")


def test_several_sheets_point_to_the_sheet_option(tmp_path, capsys):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["id"])
    book.active.append(["1"])
    second = book.create_sheet("Other")
    second.append(["id"])
    second.append(["2"])
    book.save(tmp_path / "two.xlsx")
    assert main(["import", str(tmp_path / "p.steward"), str(tmp_path / "two.xlsx")]) == 1
    err = capsys.readouterr().err
    assert "has several sheets" in err and err.rstrip().endswith("(add --sheet NAME)")
    assert not (tmp_path / "p.steward").exists()


def test_export_refuses_to_overwrite_the_project_or_write_before_checking_columns(tmp_path, capsys):
    source = tmp_path / "people.csv"
    source.write_text("id,email\n1,a@example.com\n", encoding="utf-8")
    project = tmp_path / "p.steward"
    assert main(["import", str(project), str(source)]) == 0
    before = project.read_bytes()
    assert main(["export", str(project), "--records", str(project)]) == 1
    assert "is the project itself" in capsys.readouterr().err and project.read_bytes() == before
    records = tmp_path / "records.csv"
    assert main(["export", str(project), "--records", str(records), "--golden", str(tmp_path / "g.csv"),
                 "--column", "no such header"]) == 1
    assert "No source has a column headed 'no such header'" in capsys.readouterr().err and not records.exists()
