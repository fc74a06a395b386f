"""What the audit trail screen reads: entry ids newest first under a filter, and short rows for a page of them.

A trail may hold 100,000 entries and one entry's JSON may name 500,000
records, so the filter returns ids only, rows are read for the few ids on
screen, and targets are summed up in a line ("151 records: customers:3, …").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Sequence

from . import golden
from .errors import StewardError
from .project import Project

_SHOWN_ITEMS = 3          # items of a list named in a targets line before "…"
# Targets are stored with sorted keys; a line names what was changed before where in it.
_KEY_ORDER = {key: n for n, key in enumerate(("record", "records", "golden", "cluster", "clusters", "column", "field"))}


@dataclass(frozen=True)
class AuditQuery:
    """Which entries to list; each part left as None does not filter."""

    action: str | None = None
    actor: str | None = None
    record_id: int | None = None       # entries whose targets name this record
    start: datetime | None = None      # from this instant on (naive: local time)
    end: datetime | None = None        # before this instant


@dataclass(frozen=True)
class EntryRow:
    id: int
    at: str                # UTC ISO 8601, as stored
    actor: str
    action: str
    targets: str           # in a line
    comment: str
    revertible: bool       # the entry stores an inverse to apply


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def entry_ids(project: Project, query: AuditQuery | None = None) -> list[int]:
    """The ids of the entries the query keeps (all without one), newest first."""
    query = query or AuditQuery()
    where: list[str] = ["1"]
    parameters: list[Any] = []
    if query.action is not None:
        where.append("action = ?")
        parameters.append(query.action)
    if query.actor is not None:
        where.append("actor = ?")
        parameters.append(query.actor)
    if query.record_id is not None:
        where.append("(json_extract(targets, '$.record') = ? OR EXISTS "
                     "(SELECT 1 FROM json_each(targets, '$.records') WHERE value = ?))")
        parameters += [query.record_id, query.record_id]
    if query.start is not None:
        where.append("at >= ?")
        parameters.append(_utc(query.start))
    if query.end is not None:
        where.append("at < ?")
        parameters.append(_utc(query.end))
    return [i for (i,) in project.conn.execute(f"SELECT id FROM audit WHERE {' AND '.join(where)} ORDER BY id DESC",
                                               parameters)]


def entry_rows(project: Project, ids: Sequence[int]) -> list[EntryRow]:
    """Rows for these entries, in the given order (ids no longer in the trail are left out)."""
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    found = {row[0]: row for row in project.conn.execute(
        f"SELECT id, at, actor, action, targets, comment, json_type(before, '$.inverse') IS NOT NULL "
        f"FROM audit WHERE id IN ({marks})", list(ids))}
    targets = {i: json.loads(row[4]) for i, row in found.items()}
    named = [r for t in targets.values() for r in _records_named(t)]
    labels = golden.record_labels(project, named) if named else {}
    return [EntryRow(i, row[1], row[2], row[3], describe_targets(targets[i], labels), row[5], bool(row[6]))
            for i in ids if (row := found.get(i)) is not None]


def _records_named(targets: Any) -> list[int]:
    """The record ids a targets line will show by SOURCE:ROW."""
    if not isinstance(targets, dict):
        return []
    single = [targets["record"]] if isinstance(targets.get("record"), int) else []
    many = targets.get("records")
    listed = many[:_SHOWN_ITEMS] if isinstance(many, list) else []
    return single + [r for r in listed if isinstance(r, int)]


def describe_targets(targets: Any, labels: dict[int, str]) -> str:
    """Targets in a line: records by SOURCE:ROW (``labels``), long lists counted, the rest as key and value."""
    if targets is None:
        return ""
    if not isinstance(targets, dict):
        return _short(targets)
    parts = []
    for key, value in sorted(targets.items(), key=lambda item: (_KEY_ORDER.get(item[0], len(_KEY_ORDER)), item[0])):
        if key == "record" and isinstance(value, int):
            parts.append(f"record {labels.get(value, value)}")
        elif key == "column" and isinstance(value, int):
            parts.append(f"column {value + 1}")
        elif key == "golden" and isinstance(value, int):
            parts.append(f"golden G{value}")
        elif isinstance(value, list):
            shown = [_item(key, v, labels) for v in value[:_SHOWN_ITEMS]]
            text = ", ".join(_short(v) for v in shown) + (", …" if len(value) > _SHOWN_ITEMS else "")
            one = key[:-1] if key.endswith("s") else key
            parts.append(f"{len(value)} {key}: {text}" if len(value) > 1 else f"{one} {text}" if value
                         else f"no {key}")
        else:
            parts.append(f"{key} {_short(value)}")
    return "; ".join(parts)


def _item(key: str, value: Any, labels: dict[int, str]) -> Any:
    if key == "records" and isinstance(value, int):
        return labels.get(value, value)
    return f"G{value}" if key == "golden" and isinstance(value, int) else value


def _short(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def actions(project: Project) -> list[str]:
    """The actions the trail holds, alphabetically (for the filter's choices)."""
    return [a for (a,) in project.conn.execute("SELECT DISTINCT action FROM audit ORDER BY action")]


def actors(project: Project) -> list[str]:
    """Who made the trail's entries, alphabetically."""
    return [a for (a,) in project.conn.execute("SELECT DISTINCT actor FROM audit ORDER BY actor")]


def find_record(project: Project, text: str) -> int:
    """The record id named by SOURCE:ROW (as exports write it) or by a bare record id."""
    cleaned = text.strip()
    if cleaned.isdecimal():
        found = project.conn.execute("SELECT id FROM records WHERE id = ?", (int(cleaned),)).fetchone()
        if found is None:
            raise StewardError(f"There is no record with id {cleaned}.")
        return found[0]
    name, sep, row = cleaned.rpartition(":")
    if not sep or not row.strip().isdecimal():
        raise StewardError(f"'{cleaned}' names no record: give SOURCE:ROW (e.g. customers:17) or a record id.")
    found = project.conn.execute(
        "SELECT r.id FROM records r JOIN sources s ON s.id = r.source_id WHERE s.name = ? AND r.row_no = ?",
        (name.strip(), int(row))).fetchone()
    if found is None:
        raise StewardError(f"There is no record {name.strip()}:{int(row)} (no such source, or no such row).")
    return found[0]
