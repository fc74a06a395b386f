"""The audit trail as rows for an export, exactly as stored.

The JSON fields are written as the text that was hashed, not re-encoded, so
anyone holding the exported file can recompute every entry's hash with
``audit.entry_hash`` and compare the last one with the head hash printed by
Steward.
"""

from __future__ import annotations

from typing import Iterator

from .project import Project

AUDIT_COLUMNS: list[str] = ["id", "at", "actor", "action", "targets", "before", "after", "comment", "previous",
                            "hash"]
PAGE = 5_000


def audit_rows(project: Project, *, page: int = PAGE) -> Iterator[list[str]]:
    """Every entry oldest first, read ``page`` entries at a time so a long trail is never held whole."""
    query = f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit WHERE id > ? ORDER BY id LIMIT ?"
    last = 0
    while rows := project.conn.execute(query, (last, page)).fetchall():
        for row in rows:
            yield [str(row[0]), *row[1:]]
        last = rows[-1][0]
