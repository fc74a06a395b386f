"""Refreshed sources: next month's export of a source takes the earlier one's place, and keeps its decisions.

Each new row is linked to the row it is the next version of, by a key column
(``customer_id`` by default) or, without one, by identical content. Where a
row is unchanged, the steward's decisions on the earlier row carry over to
it: fixes, membership of a golden record (and picks of its values), pairs
marked not duplicates. Where a row changed so that a decision no longer
clearly applies — a fixed cell now says something else, a merged or rejected
record has other names, phones or addresses — the decision is not re-applied
and the row is listed for review. The earlier source is kept as history but
is superseded: the golden view, matching and validation read the new one.
All of it is one decision, revertible like any other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from . import store
from .decision_state import Plan, record_hash, scalar
from .errors import StewardError
from .golden_ops import Decision
from .importer import ImportFailed, find_column
from .project import Project

KEY_FIELD = "customer_id"


@dataclass(frozen=True)
class Link:
    new: int
    old: int
    how: str                  # key | content
    changed: list[str]        # headers of the columns whose values differ


@dataclass(frozen=True)
class Linking:
    links: list[Link]
    new_rows: int             # rows of the new source without an earlier version
    gone: list[int]           # earlier records without a successor
    ambiguous: int            # rows whose key is not unique on one side (not linked)
    key: str | None           # the key column's header, None when linked by content
    columns: dict[int, int]   # earlier column position → new position (by header text)


def _key_column(project: Project, source: store.Source, key: str | None) -> int | None:
    columns = store.columns(project, source.id)
    if key is None:
        mapped = [c.position for c in columns if c.field == KEY_FIELD]
        return mapped[0] if mapped else None
    try:
        return find_column([c.header for c in columns], [c.label for c in columns], key)
    except ImportFailed as exc:
        raise StewardError(f"Source '{source.name}': {exc}") from exc


def _rows(project: Project, source: store.Source) -> dict[int, tuple[str, list[str]]]:
    """record id → (values as stored, decoded values) for a whole source."""
    return {record_id: (vals, json.loads(vals)) for record_id, vals in project.conn.execute(
        "SELECT id, vals FROM records WHERE source_id = ? ORDER BY id", (source.id,))}


def link_rows(project: Project, old: store.Source, new: store.Source, key: str | None = None) -> Linking:
    """Link each row of ``new`` to the row of ``old`` it is the next version of."""
    old_columns, new_columns = store.columns(project, old.id), store.columns(project, new.id)
    columns = {old_position: new_by_key[key] for key, old_position in _by_occurrence(old_columns).items()
               if key in (new_by_key := _by_occurrence(new_columns))}
    old_key, new_key = _key_column(project, old, key), _key_column(project, new, key)
    if key is not None and (old_key is None or new_key is None):
        raise StewardError(f"Both sources need the key column '{key}'.")
    old_rows, new_rows = _rows(project, old), _rows(project, new)
    use_key = old_key is not None and new_key is not None

    def index(rows: dict[int, tuple[str, list[str]]], position: int | None) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        for record_id, (vals, values) in rows.items():
            value = (values[position].strip() if position < len(values) else "") if use_key else vals
            if value:
                found.setdefault(value, []).append(record_id)
        return found

    earlier, later = index(old_rows, old_key), index(new_rows, new_key)
    links, ambiguous = [], 0
    for value, new_ids in later.items():
        old_ids = earlier.get(value, [])
        if len(new_ids) > 1 or len(old_ids) > 1:
            ambiguous += len(new_ids)
            continue
        if old_ids:
            before, after = old_rows[old_ids[0]][1], new_rows[new_ids[0]][1]
            changed = [c.header for c in old_columns if c.position in columns and
                       _cell(before, c.position) != _cell(after, columns[c.position])]
            links.append(Link(new_ids[0], old_ids[0], "key" if use_key else "content", changed))
    linked_old = {link.old for link in links}
    header = next(c.header for c in old_columns if c.position == old_key) if use_key else None
    return Linking(sorted(links, key=lambda link: link.new), len(new_rows) - len(links),
                   sorted(set(old_rows) - linked_old), ambiguous, header, columns)


def _by_occurrence(columns: list[store.Column]) -> dict[tuple[str, int], int]:
    """(header, how many times it came before) → position: a file with two 'phone' columns keeps them apart."""
    seen: dict[str, int] = {}
    keyed = {}
    for column in columns:
        keyed[(column.header, seen.get(column.header, 0))] = column.position
        seen[column.header] = seen.get(column.header, 0) + 1
    return keyed


def _cell(values: list[str], position: int) -> str:
    return values[position] if position < len(values) else ""


@dataclass(frozen=True)
class Refresh(Decision):
    """Let source ``new_source`` (just imported) take the place of ``old_source``, carrying decisions over."""

    old_source: int
    new_source: int
    key: str | None = None
    action: str = "refresh"

    def plan(self, project: Project) -> Plan:
        sources = {s.id: s for s in store.sources(project)}
        old, new = sources.get(self.old_source), sources.get(self.new_source)
        if old is None or new is None or old.id == new.id:
            raise StewardError("A refresh needs an earlier source and a different, newly imported one.")
        if old.superseded_by is not None:
            raise StewardError(f"Source '{old.name}' was already replaced by a refreshed export; refresh the newest "
                               "version instead.")
        first = project.conn.execute("SELECT first_record_id FROM sources WHERE id = ?", (new.id,)).fetchone()[0]
        if new.superseded_by is not None or project.conn.execute(
                "SELECT 1 FROM record_links WHERE record_id >= ? AND record_id < ?",
                (first or 0, (first or 0) + new.record_count)).fetchone():
            raise StewardError(f"Source '{new.name}' already refreshes another source, or was replaced itself.")
        plan = Plan(project)
        linking = link_rows(project, old, new, self.key)
        _Carry(project, plan, old, new, linking).run()
        plan.supersede(old.id, new.id)
        plan.counts.update(new=linking.new_rows, gone=len(linking.gone), ambiguous=linking.ambiguous)
        return plan

    def targets(self) -> Any:
        return {"source": self.old_source, "replaced_by": self.new_source}

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "old_source": self.old_source, "new_source": self.new_source, "key": self.key}


def summarise(entry: Any) -> dict[str, int]:
    """Counts of what a refresh's audit entry says it did (its inverse expects the state it left)."""
    after = entry.before["inverse"]["expected"]
    links = [link for _, link in after["links"] if link]
    operation = entry.after["operation"]
    counts = entry.after.get("counts", {})
    return {"linked": len(links), "changed": sum(1 for link in links if link[2]),
            "new": counts.get("new", 0), "gone": counts.get("gone", 0),
            "fixes": sum(1 for *_, fix in after["fixes"] if fix),
            "merged": sum(1 for _, m in after["members"] if m), "rejected": sum(1 for *_, v in after["rejected"] if v),
            "source": operation["new_source"]}


class _Carry:
    """Carries the decisions on each earlier record over to its successor, or lists why not."""

    def __init__(self, project: Project, plan: Plan, old: store.Source, new: store.Source, linking: Linking) -> None:
        self.project, self.plan, self.linking = project, plan, linking
        self.old, self.new = old, new
        self.mapped = {c.header for c in store.columns(project, old.id) if c.field}
        self.headers = {c.position: c.header for c in store.columns(project, old.id)}
        self.successor = {link.old: link.new for link in linking.links}
        names = {old.id: old.name, new.id: new.name}
        self.labels = {r: f"{names[s]}:{n}" for r, s, n in project.conn.execute(
            "SELECT id, source_id, row_no FROM records WHERE source_id IN (?, ?)", (old.id, new.id))}
        self.touched: set[int] = set()
        self.proposals: set[int] = set()       # proposals that lost a superseded record

    def label(self, record_id: int) -> str:
        return self.labels.get(record_id, f"record {record_id}")

    def run(self) -> None:
        unclear = {link.old: [h for h in link.changed if h in self.mapped] for link in self.linking.links}
        self.unclear = {old for old, headers in unclear.items() if headers}
        for link in self.linking.links:
            self.plan.link(link.new, (link.old, link.how, link.changed))
            self.fixes(link)
            self.membership(link, unclear[link.old])
            self.rejections(link, unclear[link.old])
            self.proposal(link, unclear[link.old])
        for record_id in self.linking.gone:
            self.proposal_ends(record_id)
            membership = self.plan.membership(record_id)
            if membership is not None:
                self.leave(record_id, membership[0])
                self.plan.flags.append(f"{self.label(record_id)} is not in the refreshed file; it left golden "
                                       f"record G{membership[0]}")
        for golden_id in sorted(self.touched):
            self.settle(golden_id)
        for cluster_id in sorted(self.proposals):
            remaining = {r for (r,) in self.project.conn.execute(
                "SELECT record_id FROM cluster_members WHERE cluster_id = ?", (cluster_id,))}
            remaining = {r for r in remaining if self.plan.after.proposals.get(r, cluster_id) == cluster_id}
            remaining |= {r for r, c in self.plan.after.proposals.items() if c == cluster_id}
            if len(remaining) < 2:
                for record_id in remaining:
                    self.plan.proposal(record_id, None)
                self.plan.status(cluster_id, "withdrawn")

    def fixes(self, link: Link) -> None:
        found = self.project.conn.execute("SELECT position, value FROM fixes WHERE record_id = ? ORDER BY position",
                                          (link.old,)).fetchall()
        if not found:
            return
        before = json.loads(self.project.conn.execute("SELECT vals FROM records WHERE id = ?", (link.old,)).fetchone()[0])
        after = json.loads(self.project.conn.execute("SELECT vals FROM records WHERE id = ?", (link.new,)).fetchone()[0])
        for position, value in found:
            header = self.headers.get(position, f"column {position + 1}")
            target = self.linking.columns.get(position)
            if target is None:
                self.plan.flags.append(f"{self.label(link.new)}: the fix of {header} ({value!r}) was not re-applied: "
                                       "the refreshed file has no such column")
            elif _cell(after, target) == _cell(before, position):
                self.plan.fix(link.new, target, value)
            elif _cell(after, target) != value:     # the file now holds the fixed value itself: nothing to do
                self.plan.flags.append(f"{self.label(link.new)}: the fix of {header} ({value!r}) was not re-applied: "
                                       f"the file now says {_cell(after, target)!r} (was {_cell(before, position)!r})")

    def membership(self, link: Link, unclear: list[str]) -> None:
        membership = self.plan.membership(link.old)
        if membership is None:
            return
        golden_id = membership[0]
        if unclear:
            self.leave(link.old, golden_id)
            self.plan.flags.append(f"{self.label(link.new)} was merged in G{golden_id} as {self.label(link.old)}; "
                                   f"its {', '.join(unclear)} changed, so it was not merged again: review it")
            return
        row = self.plan.golden(golden_id)
        row["picks"] = {f: (link.new if r == link.old else r) for f, r in row["picks"].items()}
        self.leave(link.old, golden_id)
        self.plan.membership(link.new)
        self.plan.set_member(link.new, (golden_id, membership[1], record_hash(self.project, link.new)))

    def leave(self, record_id: int, golden_id: int) -> None:
        """A superseded record leaves its golden record; picks of its values go with it."""
        self.plan.set_member(record_id, None)
        row = self.plan.golden(golden_id)
        row["picks"] = {f: r for f, r in row["picks"].items() if r != record_id}
        self.touched.add(golden_id)

    def rejections(self, link: Link, unclear: list[str]) -> None:
        pairs = self.project.conn.execute("SELECT a, b FROM not_duplicates WHERE a = ? OR b = ?",
                                          (link.old, link.old)).fetchall()
        for a, b in pairs:
            earlier = b if a == link.old else a
            other = self.successor.get(earlier, earlier)
            if unclear or earlier in self.unclear:
                changed = self.label(link.old) if unclear else f"record {earlier}"
                self.plan.flags.append(f"{self.label(link.new)}: {self.label(link.old)} was marked as not the same "
                                       f"customer as record {other}; {changed} changed, so that was not carried "
                                       "over: review it")
            else:
                self.plan.reject(link.new, other)

    def proposal(self, link: Link, unclear: list[str]) -> None:
        """A waiting proposal keeps an unchanged record's successor in the earlier record's place."""
        cluster_id = self.proposal_ends(link.old)
        if cluster_id is not None and not unclear:
            self.plan.proposal(link.new, cluster_id)

    def proposal_ends(self, record_id: int) -> int | None:
        """Take a superseded record out of its proposal; return the proposal."""
        cluster_id = scalar(self.project.conn.execute("SELECT cluster_id FROM cluster_members WHERE record_id = ?",
                                                      (record_id,)))
        if cluster_id is not None:
            self.plan.proposal(record_id, None)
            self.proposals.add(cluster_id)
        return cluster_id

    def settle(self, golden_id: int) -> None:
        """A golden record left with one record and no edits ends; with none, it ends in any case."""
        row = self.plan.golden(golden_id)
        members = self.plan.golden_members(golden_id)
        if not members or (len(members) == 1 and not row["edits"]):
            for record_id in members:
                self.plan.set_member(record_id, None)
            if row["edits"]:
                self.plan.flags.append(f"G{golden_id} ended with its records; its edited "
                                       f"{', '.join(sorted(row['edits']))} went with it (undo brings it back)")
            self.plan.after.goldens[golden_id] = None
