"""The golden view: every entity as it stands now, and which source records it comes from.

A merged entity's values are computed, never stored: its members' imported
values with their fixes, chosen by its survivorship rule, manual picks and
edits. An untouched record is an entity of its own. Entity ids are ``G<n>``
for golden records and ``R<n>`` for a record on its own (its record id), so a
record split out of a golden record gets its own id back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

from . import store
from .errors import StewardError
from .mapping import FIELDS
from .project import Project
from .survivorship import Candidate, Choice, Survivor, survive

_PAGE = 20_000
_CHUNK = 500   # ids per IN (…) query, well under SQLite's parameter limit
COLUMN_PREFIX = "column:"   # a key naming an unmapped column by its header text


@dataclass(frozen=True)
class GoldenRecord:
    id: int
    rule: str
    members: tuple[int, ...]                 # record ids, oldest first
    picks: dict[str, int]
    edits: dict[str, str]
    values: dict[str, Survivor]

    @property
    def entity_id(self) -> str:
        return f"G{self.id}"


@dataclass(frozen=True)
class Entity:
    id: str                                  # G<n> or R<record id>
    members: int
    values: list[str]                        # in the order of the keys asked for


def entity_id_of(text: str) -> tuple[str, int]:
    """('G', n) or ('R', n) from an entity id as exports print it; a bare number means a golden record."""
    cleaned = text.strip().upper()
    kind, number = (cleaned[0], cleaned[1:]) if cleaned[:1] in ("G", "R") else ("G", cleaned)
    if not (number.isascii() and number.isdecimal()):
        raise StewardError(f"'{text}' is not an entity id such as G12 (a golden record) or R345 (a single record), "
                           "as steward export --golden and --crosswalk print them.")
    return kind, int(number)


class _Sources:
    """Per source: its name and where each key (canonical field or unmapped column) is."""

    def __init__(self, project: Project, keys: Sequence[str]) -> None:
        self.names: dict[int, str] = {}
        self.positions: dict[int, dict[str, int]] = {}
        for source in store.sources(project):
            columns = store.columns(project, source.id)
            self.names[source.id] = source.name
            placed: dict[str, int] = {}
            for key in keys:
                if key.startswith(COLUMN_PREFIX):
                    header = key[len(COLUMN_PREFIX):]
                    found = [c.position for c in columns if c.header == header]
                else:
                    found = [c.position for c in columns if c.field == key]
                if found:
                    placed[key] = found[0]
            self.positions[source.id] = placed
        self.order = source_order(project)

    def values(self, source_id: int, row: Sequence[str]) -> dict[str, str]:
        return {key: row[p] for key, p in self.positions[source_id].items() if p < len(row)}


def source_order(project: Project) -> list[str]:
    """Source names in import order, the priority the source_priority rule follows; a refreshed export takes
    the rank of the source it replaced."""
    rows = project.conn.execute("SELECT id, name, superseded_by FROM sources ORDER BY id").fetchall()
    replaced_by = {source_id: by for source_id, _, by in rows if by is not None}
    rank = {source_id: source_id for source_id, _, _ in rows}
    for source_id, _, _ in rows:          # ids grow, so an earlier source's rank is final before its successor's
        if source_id in replaced_by:
            rank[replaced_by[source_id]] = min(rank[replaced_by[source_id]], rank[source_id])
    return [name for source_id, name, _ in sorted(rows, key=lambda row: (rank[row[0]], row[0]))]


def golden_keys(project: Project) -> list[str]:
    """The canonical fields some source maps, in canonical order: what a golden record has values for."""
    mapped = {f for (f,) in project.conn.execute("SELECT DISTINCT field FROM columns WHERE field IS NOT NULL")}
    return [f for f in FIELDS if f in mapped]


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start:start + _CHUNK]


def candidates(project: Project, record_ids: Sequence[int], keys: Sequence[str],
               sources: _Sources | None = None) -> dict[int, Candidate]:
    """The records as survivorship sees them: current values (fixes applied) and the fields failing a rule."""
    sources = sources or _Sources(project, list(keys) + ["updated_at"])
    conn = project.conn
    rows: dict[int, tuple[int, list[str]]] = {}
    invalid: dict[int, set[str]] = {}
    for chunk in _chunks(list(record_ids)):
        marks = ",".join("?" * len(chunk))
        for record_id, source_id, vals in conn.execute(
                f"SELECT id, source_id, vals FROM records WHERE id IN ({marks})", chunk):
            rows[record_id] = (source_id, json.loads(vals))
        for record_id, position, value in conn.execute(
                f"SELECT record_id, position, value FROM fixes WHERE record_id IN ({marks})", chunk):
            row = rows[record_id][1]
            if position < len(row):
                row[position] = value
        for record_id, name in conn.execute(f"SELECT record_id, field FROM failures WHERE record_id IN ({marks})",
                                            chunk):
            invalid.setdefault(record_id, set()).add(name)
    result = {}
    for record_id, (source_id, row) in rows.items():
        values = sources.values(source_id, row)
        result[record_id] = Candidate(record_id, sources.names[source_id], values,
                                      frozenset(invalid.get(record_id, ())), values.get("updated_at", ""))
    return result


def golden_records(project: Project, golden_ids: Iterable[int], keys: Sequence[str] | None = None,
                   sources: _Sources | None = None) -> dict[int, GoldenRecord]:
    """Golden records by id, their values computed now."""
    keys = golden_keys(project) if keys is None else list(keys)
    sources = sources or _Sources(project, list(keys) + ["updated_at"])
    wanted = sorted(set(golden_ids))
    conn = project.conn
    rows, members = {}, {}
    for chunk in _chunks(wanted):
        marks = ",".join("?" * len(chunk))
        for golden_id, rule, picks, edits in conn.execute(
                f"SELECT id, rule, picks, edits FROM golden WHERE id IN ({marks})", chunk):
            rows[golden_id] = (rule, json.loads(picks), json.loads(edits))
        for record_id, golden_id in conn.execute(
                f"SELECT record_id, golden_id FROM golden_members WHERE golden_id IN ({marks}) ORDER BY record_id",
                chunk):
            members.setdefault(golden_id, []).append(record_id)
    everyone = candidates(project, [r for ids in members.values() for r in ids], keys, sources)
    result = {}
    for golden_id, (rule, picks, edits) in rows.items():
        ids = members.get(golden_id, [])
        picks = {name: int(record) for name, record in picks.items()}
        choice = Choice(rule, picks, edits, sources.order)
        values = survive([everyone[r] for r in ids], keys, choice)
        result[golden_id] = GoldenRecord(golden_id, rule, tuple(ids), picks, edits, values)
    return result


def golden_record(project: Project, golden_id: int) -> GoldenRecord:
    found = golden_records(project, [golden_id]).get(golden_id)
    if found is None:
        raise StewardError(f"There is no golden record G{golden_id} (any more).")
    return found


def record_labels(project: Project, record_ids: Sequence[int]) -> dict[int, str]:
    """SOURCE:ROW for each record id, as exports and the CLI name records."""
    labels = {}
    for chunk in _chunks(list(record_ids)):
        marks = ",".join("?" * len(chunk))
        for record_id, name, row_no in project.conn.execute(
                f"SELECT r.id, s.name, r.row_no FROM records r JOIN sources s ON s.id = r.source_id "
                f"WHERE r.id IN ({marks})", chunk):
            labels[record_id] = f"{name}:{row_no}"
    return labels


def entities(project: Project, keys: Sequence[str]) -> Iterator[Entity]:
    """Every entity once, in the order of its first record: golden records and records on their own."""
    sources = _Sources(project, list(keys) + ["updated_at"])
    emitted: set[int] = set()
    for source in store.current_sources(project):
        first = project.conn.execute("SELECT first_record_id FROM sources WHERE id = ?", (source.id,)).fetchone()[0]
        for offset in range(0, source.record_count, _PAGE):
            page = store.effective_rows(project, source.id, offset, _PAGE)
            start = first + offset
            golden_of = dict(project.conn.execute(
                "SELECT record_id, golden_id FROM golden_members WHERE record_id >= ? AND record_id < ?",
                (start, start + len(page))))
            fresh = {g for g in golden_of.values() if g not in emitted}
            computed = golden_records(project, fresh, keys, sources) if fresh else {}
            for index, row in enumerate(page):
                golden_id = golden_of.get(start + index)
                if golden_id is None:
                    values = sources.values(source.id, row)
                    yield Entity(f"R{start + index}", 1, [values.get(k, "") for k in keys])
                elif golden_id not in emitted:
                    emitted.add(golden_id)
                    record = computed[golden_id]
                    yield Entity(record.entity_id, len(record.members), [record.values[k].value for k in keys])


def crosswalk(project: Project) -> Iterator[tuple[str, int, str]]:
    """(source, row, entity id) for every imported record, in file order."""
    for source in store.current_sources(project):
        first = project.conn.execute("SELECT first_record_id FROM sources WHERE id = ?", (source.id,)).fetchone()[0]
        for offset in range(0, source.record_count, _PAGE):
            start = first + offset
            rows = project.conn.execute(
                "SELECT r.id, r.row_no, m.golden_id FROM records r LEFT JOIN golden_members m ON m.record_id = r.id "
                "WHERE r.id >= ? AND r.id < ? AND r.source_id = ? ORDER BY r.id", (start, start + _PAGE, source.id))
            for record_id, row_no, golden_id in rows:
                yield source.name, row_no, f"R{record_id}" if golden_id is None else f"G{golden_id}"
