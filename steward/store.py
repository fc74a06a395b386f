"""Reading what a project holds: sources, their columns, records and rejected rows.

Plain dataclasses out, so the CLI, the GUI and tests share one view of the data.
Records are fetched by page (source, offset, limit) so a million-row source
never has to be loaded at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Mapping

from . import audit
from .errors import StewardError
from .project import Project


@dataclass(frozen=True)
class Source:
    id: int
    name: str
    file_name: str
    file_size: int
    sha256: str
    kind: str
    encoding: str | None
    encoding_confidence: float | None
    encoding_method: str | None
    delimiter: str | None
    sheet: str | None
    header_row: int | None
    imported_at: str
    record_count: int
    rejected_count: int
    superseded_by: int | None = None     # the refreshed source that replaced this one

    @property
    def has_header(self) -> bool:
        return self.header_row is not None


@dataclass(frozen=True)
class Column:
    position: int
    header: str
    label: str
    field: str | None


@dataclass(frozen=True)
class Record:
    id: int
    row_no: int
    line_no: int
    values: list[str]
    flags: list[str]


@dataclass(frozen=True)
class RejectedRow:
    line_no: int
    raw_text: str
    reason: str


_SOURCE_COLUMNS = ("id, name, file_name, file_size, sha256, kind, encoding, encoding_confidence, encoding_method, "
                   "delimiter, sheet, header_row, imported_at, record_count, rejected_count, superseded_by")


def sources(project: Project) -> list[Source]:
    rows = project.conn.execute(f"SELECT {_SOURCE_COLUMNS} FROM sources ORDER BY id").fetchall()
    return [Source(*row) for row in rows]


def current_sources(project: Project) -> list[Source]:
    """The sources the golden view, matching and validation read: all but those a refreshed export replaced."""
    return [s for s in sources(project) if s.superseded_by is None]


def source_named(project: Project, name: str) -> Source:
    for source in sources(project):
        if source.name == name:
            return source
    names = ", ".join(s.name for s in sources(project)) or "none yet"
    raise StewardError(f"The project has no source named '{name}'. Sources: {names}.")


def columns(project: Project, source_id: int) -> list[Column]:
    rows = project.conn.execute(
        "SELECT position, header, label, field FROM columns WHERE source_id = ? ORDER BY position", (source_id,)
    ).fetchall()
    return [Column(*row) for row in rows]


def record_count(project: Project, source_id: int) -> int:
    row = project.conn.execute("SELECT record_count FROM sources WHERE id = ?", (source_id,)).fetchone()
    return row[0] if row else 0


def _page(project: Project, source_id: int, offset: int, limit: int, columns: str) -> list[tuple]:
    """Rows offset … offset+limit-1 of a source's imported records, by their contiguous ids."""
    found = project.conn.execute("SELECT first_record_id FROM sources WHERE id = ?", (source_id,)).fetchone()
    if found is None or found[0] is None:
        return []
    start = found[0] + offset
    return project.conn.execute(
        f"SELECT {columns} FROM records WHERE id >= ? AND id < ? AND source_id = ? ORDER BY id",
        (start, start + limit, source_id),
    ).fetchall()


def records(project: Project, source_id: int, offset: int = 0, limit: int = 500) -> list[Record]:
    """A page of records in file order: the imported records offset+1 … offset+limit.

    Row numbers (``Record.row_no``) may have gaps where rows were rejected.
    """
    rows = _page(project, source_id, offset, limit, "id, row_no, line_no, vals, flags")
    return [Record(i, r, line, json.loads(vals), json.loads(flags) if flags else []) for i, r, line, vals, flags in rows]


def value_rows(project: Project, source_id: int, offset: int = 0, limit: int = 20_000) -> list[list[str]]:
    """Only the values of a page of records, decoded in one go (for whole-source passes)."""
    vals = [row[0] for row in _page(project, source_id, offset, limit, "vals")]
    return json.loads("[" + ",".join(vals) + "]") if vals else []


def effective_rows(project: Project, source_id: int, offset: int = 0, limit: int = 20_000) -> list[list[str]]:
    """Like value_rows, with the steward's fixes laid over the imported values (which stay untouched)."""
    rows = value_rows(project, source_id, offset, limit)
    if not rows:
        return rows
    first = project.conn.execute("SELECT first_record_id FROM sources WHERE id = ?", (source_id,)).fetchone()[0]
    start = first + offset
    for record_id, position, value in project.conn.execute(
            "SELECT record_id, position, value FROM fixes WHERE record_id >= ? AND record_id < ?",
            (start, start + len(rows))):
        row = rows[record_id - start]
        if position < len(row):
            row[position] = value
    return rows


def fix_generation(project: Project, source_id: int) -> int:
    """How many times fixes of this source changed: part of what validation results depend on."""
    row = project.conn.execute("SELECT value FROM meta WHERE key = ?", (f"fixes:{source_id}",)).fetchone()
    return int(row[0]) if row else 0


def rejected_rows(project: Project, source_id: int, limit: int | None = None) -> list[RejectedRow]:
    """Rejected rows in file order; ``limit`` keeps a window from loading a million of them."""
    rows = project.conn.execute(
        "SELECT line_no, raw_text, reason FROM rejected_rows WHERE source_id = ? ORDER BY line_no, id LIMIT ?",
        (source_id, -1 if limit is None else limit),
    ).fetchall()
    return [RejectedRow(*row) for row in rows]


def set_mapping(project: Project, source_id: int, position: int, field: str | None) -> None:
    """Map one column to a canonical field (None to unmap), in one transaction.

    A field maps to at most one column per source, so it is first taken off
    any other column.
    """
    with project.db.atomic():
        before = {position: name for position, name in project.conn.execute(
            "SELECT position, field FROM columns WHERE source_id = ? AND field IS NOT NULL", (source_id,))}
        if field is not None:
            project.conn.execute("UPDATE columns SET field = NULL WHERE source_id = ? AND field = ?",
                                 (source_id, field))
        cursor = project.conn.execute("UPDATE columns SET field = ? WHERE source_id = ? AND position = ?",
                                      (field, source_id, position))
        if cursor.rowcount != 1:
            raise StewardError(f"Source {source_id} has no column {position + 1}.")
        after = {p: name for p, name in project.conn.execute(
            "SELECT position, field FROM columns WHERE source_id = ? AND field IS NOT NULL", (source_id,))}
        audit.append(project, "map_column", {"source_id": source_id, "position": position}, before, after)


def cluster_of_records(project: Project, first_id: int, last_id: int) -> Mapping[int, tuple[int, float]]:
    """record id → (cluster id, confidence) for records first_id … last_id that are in a cluster."""
    rows = project.conn.execute(
        "SELECT m.record_id, c.id, c.confidence FROM cluster_members m JOIN clusters c ON c.id = m.cluster_id "
        "WHERE m.record_id >= ? AND m.record_id <= ?", (first_id, last_id),
    )
    return {record_id: (cluster_id, confidence) for record_id, cluster_id, confidence in rows}
