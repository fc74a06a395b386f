"""Small helpers shared by core tests: import a file and read back what was stored."""

from __future__ import annotations

from pathlib import Path

from steward import store
from steward.importer import ImportOptions, ImportResult, import_file
from steward.project import Project


def import_and_read(project: Project, path: Path, **options: object) -> tuple[ImportResult, list[str], list[list[str]]]:
    """Import ``path`` and return (result, header texts, stored rows of values)."""
    result = import_file(project, path, ImportOptions(**options))
    headers = [c.header for c in store.columns(project, result.source_id)]
    rows = [r.values for r in store.records(project, result.source_id, 0, 10**9)]
    return result, headers, rows


def project_state(project: Project) -> list[tuple]:
    """Everything the import tables hold, to compare before and after a failed action."""
    conn = project.conn
    return [
        tuple(conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall())
        for table in ("sources", "columns", "records", "rejected_rows", "meta")
    ]
