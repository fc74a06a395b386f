"""Exporting the audit trail: a copy that can be checked against the head hash on its own."""

from __future__ import annotations

import csv
from pathlib import Path

from steward import audit
from steward.audit_export import AUDIT_COLUMNS, audit_rows
from steward.io.export import write_csv
from steward.project import Project

HASH, PREVIOUS = AUDIT_COLUMNS.index("hash"), AUDIT_COLUMNS.index("previous")
ODD_COMMENT = 'two\nlines, "quoted" and \'single\'\r\nthen CRLF, a tab\there, 𠮷 and 😀, =1+1'


def add_entries(project: Project, count: int) -> None:
    with project.db.atomic():
        for number in range(count):
            audit.append(project, "fix", {"record": number, "名": "张三"}, {"email": f"old{number}@x"},
                         {"email": f"new{number}@x", "note": "𠮷\n\"x\""}, ODD_COMMENT if number % 2 else "")


def recomputed(rows: list[list[str]]) -> list[str]:
    """Each entry's hash worked out from the exported cells alone, chained from the genesis hash."""
    hashes, previous = [], audit.GENESIS
    for _id, at, who, action, targets, before, after, comment, _previous, _hash in rows:
        previous = audit.entry_hash(previous, at, who, action, targets, before, after, comment)
        hashes.append(previous)
    return hashes


def assert_chain_holds(rows: list[list[str]], head: str) -> None:
    hashes = recomputed(rows)
    assert [row[HASH] for row in rows] == hashes
    assert [row[PREVIOUS] for row in rows] == [audit.GENESIS, *hashes[:-1]]
    assert hashes[-1] == head


def test_rows_are_every_entry_oldest_first_across_pages(project: Project) -> None:
    add_entries(project, 7)
    rows = list(audit_rows(project, page=3))
    assert all(len(row) == len(AUDIT_COLUMNS) and all(isinstance(cell, str) for cell in row) for row in rows)
    newest_first = audit.entries(project)
    assert [row[0] for row in rows] == [str(entry.id) for entry in reversed(newest_first)]
    assert rows[-1][HASH] == audit.head_hash(project)


def test_the_exported_cells_rehash_to_the_head(project: Project) -> None:
    audit.set_actor(project, "Zoë 𠮷")
    add_entries(project, 5)
    assert_chain_holds(list(audit_rows(project, page=2)), audit.head_hash(project))


def test_a_csv_copy_keeps_odd_text_and_still_checks_against_the_head(project: Project, tmp_path: Path) -> None:
    add_entries(project, 4)
    path = tmp_path / "audit.csv"
    write_csv(path, AUDIT_COLUMNS, audit_rows(project), safe=False)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    assert header == AUDIT_COLUMNS
    assert rows == list(audit_rows(project))
    assert [row[AUDIT_COLUMNS.index("comment")] for row in rows] == ["", ODD_COMMENT, "", ODD_COMMENT]
    assert_chain_holds(rows, audit.head_hash(project))


def test_an_edited_copy_no_longer_checks_from_the_edit_on(project: Project) -> None:
    add_entries(project, 3)
    rows = list(audit_rows(project))
    after = AUDIT_COLUMNS.index("after")
    rows[1][after] = rows[1][after].replace("new1", "evil")
    hashes = recomputed(rows)
    assert hashes[0] == rows[0][HASH]
    assert hashes[1] != rows[1][HASH] and hashes[2] != rows[2][HASH]


def test_an_empty_trail_has_no_rows(project: Project) -> None:
    assert list(audit_rows(project)) == []
    assert audit.head_hash(project) == audit.GENESIS
