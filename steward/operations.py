"""Steward decisions as operations: each applies in one transaction with its audit entry and returns its inverse.

The inverse is stored in the entry, so any entry can be reverted later, also
after a restart, as long as it still applies cleanly; reverting appends a new
entry pointing at the one it reverts, history is never rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Any, Protocol

from . import audit, decision_state, golden, golden_ops, refresh, rule_store
from .decision_state import OPEN
from .errors import Conflict, StewardError
from .interrupt import interruptible
from .progress import Progress, no_progress
from .project import Project, utc_now


class Operation(Protocol):
    action: str

    def apply(self, project: Project) -> "Operation":
        """Perform the change (inside the caller's transaction) and return its exact inverse."""

    def targets(self) -> Any: ...

    def to_dict(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class RejectCluster:
    """A steward says a proposed cluster's records are not the same customer: every pair among them is
    remembered as not duplicates (never proposed again) and the proposal is withdrawn."""

    cluster_id: int
    action: str = "reject_cluster"

    def apply(self, project: Project) -> "RestoreCluster":
        conn = project.conn
        members = [r for (r,) in conn.execute(
            "SELECT record_id FROM cluster_members WHERE cluster_id = ? ORDER BY record_id", (self.cluster_id,))]
        status = conn.execute("SELECT status FROM clusters WHERE id = ?", (self.cluster_id,)).fetchone()
        if len(members) < 2 or status is None or status[0] not in OPEN:
            raise Conflict(f"Cluster {self.cluster_id} is not a proposal waiting for a decision"
                           f"{f' (it is {status[0]})' if status and status[0] not in OPEN else ''}. "
                           "List the current ones with: steward export PROJECT --clusters FILE")
        new = [(a, b) for a, b in combinations(members, 2) if conn.execute(
            "SELECT 1 FROM not_duplicates WHERE a = ? AND b = ?", (a, b)).fetchone() is None]
        conn.executemany("INSERT INTO not_duplicates (a, b, decided_at) VALUES (?, ?, ?)",
                         [(a, b, utc_now()) for a, b in new])
        conn.execute("DELETE FROM cluster_members WHERE cluster_id = ?", (self.cluster_id,))
        conn.execute("UPDATE clusters SET status = 'rejected' WHERE id = ?", (self.cluster_id,))
        return RestoreCluster(self.cluster_id, tuple(members), tuple(new), status[0])

    def targets(self) -> Any:
        return {"cluster": self.cluster_id}

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "cluster_id": self.cluster_id}


@dataclass(frozen=True)
class RestoreCluster:
    """The inverse of a rejection: the proposal comes back and the pairs it marked are forgotten."""

    cluster_id: int
    members: tuple[int, ...]
    marked: tuple[tuple[int, int], ...]
    status: str = "review"       # what it was before the rejection
    action: str = "restore_cluster"

    def apply(self, project: Project) -> RejectCluster:
        conn = project.conn
        if conn.execute("SELECT 1 FROM clusters WHERE id = ?", (self.cluster_id,)).fetchone() is None:
            raise Conflict(f"Cluster {self.cluster_id} no longer exists: a later match run replaced the proposals.")
        marks = ",".join("?" * len(self.members))
        taken = conn.execute(f"SELECT record_id, cluster_id FROM cluster_members WHERE record_id IN ({marks})",
                             self.members).fetchall()
        if taken:
            record, cluster = taken[0]
            raise Conflict(f"Record {record} is now in cluster {cluster}; the rejected proposal cannot come back.")
        conn.executemany("DELETE FROM not_duplicates WHERE a = ? AND b = ?", self.marked)
        conn.executemany("INSERT INTO cluster_members (record_id, cluster_id) VALUES (?, ?)",
                         [(m, self.cluster_id) for m in self.members])
        conn.execute("UPDATE clusters SET status = ? WHERE id = ?", (self.status, self.cluster_id))
        return RejectCluster(self.cluster_id)

    def targets(self) -> Any:
        return {"cluster": self.cluster_id}

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "cluster_id": self.cluster_id, "members": list(self.members),
                "marked": [list(p) for p in self.marked], "status": self.status}


@dataclass(frozen=True)
class SetClusterStatus:
    """Defer a proposed cluster with a note (status 'deferred'), or put back its earlier status and note."""

    cluster_id: int
    status: str
    note: str = ""
    action: str = "set_cluster_status"

    def apply(self, project: Project) -> "SetClusterStatus":
        current = project.conn.execute("SELECT status, note FROM clusters WHERE id = ?", (self.cluster_id,)).fetchone()
        if current is None:
            raise Conflict(f"Cluster {self.cluster_id} no longer exists: a later match run replaced the proposals.")
        if self.status == "deferred" and current[0] not in OPEN:
            raise Conflict(f"Cluster {self.cluster_id} is {current[0]}: only a proposal waiting for a decision can "
                           "be deferred.")
        project.conn.execute("UPDATE clusters SET status = ?, note = ? WHERE id = ?",
                             (self.status, self.note, self.cluster_id))
        return SetClusterStatus(self.cluster_id, current[0], current[1])

    def targets(self) -> Any:
        return {"cluster": self.cluster_id}

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "cluster_id": self.cluster_id, "status": self.status, "note": self.note}


def defer(cluster_id: int, note: str) -> SetClusterStatus:
    """Put a cluster aside to decide later, saying why."""
    return SetClusterStatus(cluster_id, "deferred", note)


@dataclass(frozen=True)
class FixValue:
    """A steward's value for one record's column, laid over the imported value (which never changes);
    ``value`` None removes the fix, so the imported value shows again."""

    record_id: int
    position: int
    value: str | None
    fixed_at: str | None = None    # when an undo puts back an earlier fix: the time it was made
    check: bool = False            # an inverse: refuse unless the cell still holds ``expect`` (None: no fix)
    expect: str | None = None
    action: str = "fix_value"

    def apply(self, project: Project) -> "FixValue":
        conn = project.conn
        found = conn.execute("SELECT source_id FROM records WHERE id = ?", (self.record_id,)).fetchone()
        width = found and conn.execute("SELECT COUNT(*) FROM columns WHERE source_id = ?", (found[0],)).fetchone()[0]
        if not found or not 0 <= self.position < width:
            raise Conflict(f"Record {self.record_id} has no column {self.position + 1}.")
        current = conn.execute("SELECT value, fixed_at FROM fixes WHERE record_id = ? AND position = ?",
                               (self.record_id, self.position)).fetchone()
        if self.check and (current[0] if current else None) != self.expect:
            raise Conflict(f"Record {self.record_id}, column {self.position + 1} was fixed again since "
                           f"(it now holds {current[0]!r} rather than {self.expect!r}): revert that later fix first."
                           if current else f"Record {self.record_id}, column {self.position + 1}: the fix was removed "
                           "since.")
        if self.value is None:
            conn.execute("DELETE FROM fixes WHERE record_id = ? AND position = ?", (self.record_id, self.position))
        else:
            conn.execute("INSERT OR REPLACE INTO fixes (record_id, position, value, fixed_at) VALUES (?, ?, ?, ?)",
                         (self.record_id, self.position, self.value, self.fixed_at or utc_now()))
        conn.execute("INSERT OR IGNORE INTO dirty_records (record_id) VALUES (?)", (self.record_id,))
        key = f"fixes:{found[0]}"  # matching (and completeness) re-read a source whose fixes changed
        conn.execute("INSERT INTO meta (key, value) VALUES (?, '1') "
                     "ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1", (key,))
        return FixValue(self.record_id, self.position, *(current or (None, None)), check=True, expect=self.value)

    def targets(self) -> Any:
        return {"record": self.record_id, "column": self.position}

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "record_id": self.record_id, "position": self.position, "value": self.value} \
            | ({"fixed_at": self.fixed_at} if self.fixed_at else {}) \
            | ({"check": True, "expect": self.expect} if self.check else {})


@dataclass(frozen=True)
class FixValues:
    """Several fixes as one decision (accepting all suggestions of a rule): one transaction, one audit entry."""

    fixes: tuple[tuple, ...]   # (record id, column position, value or None[, fixed_at, check, expect]): FixValue's
    action: str = "fix_values"

    def apply(self, project: Project) -> "FixValues":
        fixes = [(*fix, None, False, None)[:6] for fix in self.fixes]     # every fix as its six fields
        if len({fix[:2] for fix in fixes}) < len(fixes):                 # a cell fixed twice: one after another
            inverses = [FixValue(*fix).apply(project) for fix in fixes]
            return FixValues(tuple((i.record_id, i.position, i.value, i.fixed_at, i.check, i.expect)
                                   for i in reversed(inverses)))
        inverse = _apply_fixes(project, fixes)
        inverse.reverse()
        return FixValues(tuple(inverse))

    def targets(self) -> Any:
        return {"records": sorted({fix[0] for fix in self.fixes})}

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "fixes": [list(fix) for fix in self.fixes]}


def _apply_fixes(project: Project, fixes: list[tuple]) -> list[tuple]:
    """What applying each fix in turn does, for fixes of distinct cells, in a few statements over all of them
    (accepting 700,000 suggestions one FixValue at a time takes four million statements). Fixes and their
    inverses are FixValue's six fields: record id, position, value, fixed_at, check, expect."""
    conn = project.conn
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS fix_keys "
                 "(n INTEGER PRIMARY KEY, record_id INTEGER, position INTEGER)")
    conn.execute("DELETE FROM temp.fix_keys")
    try:
        conn.executemany("INSERT INTO temp.fix_keys (n, record_id, position) VALUES (?, ?, ?)",
                         [(n, fix[0], fix[1]) for n, fix in enumerate(fixes)])
        found = conn.execute(
            "SELECT r.source_id, (SELECT COUNT(*) FROM columns c WHERE c.source_id = r.source_id), x.value, "
            "x.fixed_at FROM temp.fix_keys k LEFT JOIN records r ON r.id = k.record_id "
            "LEFT JOIN fixes x ON x.record_id = k.record_id AND x.position = k.position ORDER BY k.n").fetchall()
    finally:
        conn.execute("DELETE FROM temp.fix_keys")
    sources: dict[int, int] = {}
    for (record_id, position, value, _, check, expect), (source, width, current, _) in zip(fixes, found):
        if source is None or not 0 <= position < width:
            raise Conflict(f"Record {record_id} has no column {position + 1}.")
        if check and current != expect:
            raise Conflict(f"Record {record_id}, column {position + 1} was fixed again since (it now holds "
                           f"{current!r} rather than {expect!r}): revert that later fix first." if current is not None
                           else f"Record {record_id}, column {position + 1}: the fix was removed since.")
        sources[source] = sources.get(source, 0) + 1
    now = utc_now()
    conn.executemany("DELETE FROM fixes WHERE record_id = ? AND position = ?",
                     [fix[:2] for fix in fixes if fix[2] is None])
    conn.executemany("INSERT OR REPLACE INTO fixes (record_id, position, value, fixed_at) VALUES (?, ?, ?, ?)",
                     [(r, p, v, at or now) for r, p, v, at, _, _ in fixes if v is not None])
    conn.executemany("INSERT OR IGNORE INTO dirty_records (record_id) VALUES (?)", [fix[:1] for fix in fixes])
    conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
                     "value = CAST(value AS INTEGER) + excluded.value",
                     [(f"fixes:{source}", str(count)) for source, count in sources.items()])
    return [(fix[0], fix[1], row[2], row[3], True, fix[2]) for fix, row in zip(fixes, found)]


def accept_suggestions(project: Project, rule: str, record_id: int | None = None) -> FixValues:
    """The fixes that accept the stored suggestions of ``rule`` (for one record, or all of its failures)."""
    query = ("SELECT f.record_id, c.position, f.suggestion FROM failures f JOIN records r ON r.id = f.record_id "
             "JOIN columns c ON c.source_id = r.source_id AND c.field = f.field "
             "WHERE f.rule = ? AND f.suggestion IS NOT NULL")
    parameters: list[Any] = [rule]
    if record_id is not None:
        query += " AND f.record_id = ?"
        parameters.append(record_id)
    fixes = tuple((r, p, s) for r, p, s in project.conn.execute(query + " ORDER BY f.record_id", parameters))
    if not fixes:
        raise StewardError(f"Rule '{rule}' has no suggested fixes to accept"
                           + (" for that record." if record_id is not None else
                              " (validate again if the data or the rules changed)."))
    return FixValues(fixes)


def from_dict(data: dict[str, Any]) -> Operation:
    """Rebuild an operation stored in an audit entry."""
    if data.get("action") == "reject_cluster":
        return RejectCluster(int(data["cluster_id"]))
    if data.get("action") == "set_cluster_status":
        return SetClusterStatus(int(data["cluster_id"]), data["status"], data.get("note", ""))
    if data.get("action") == "fix_values":
        return FixValues(tuple((int(fix[0]), int(fix[1]), *fix[2:]) for fix in data["fixes"]))
    if data.get("action") == "fix_value":
        return FixValue(int(data["record_id"]), int(data["position"]), data["value"], data.get("fixed_at"),
                        bool(data.get("check")), data.get("expect"))
    if data.get("action") == "restore_cluster":
        return RestoreCluster(int(data["cluster_id"]), tuple(data["members"]),
                              tuple(tuple(p) for p in data["marked"]), data.get("status", "review"))
    if data.get("action") in ("save_rules", "set_default_region"):
        return rule_store.SaveRules.from_dict(data)
    if data.get("action") == "refresh":
        return refresh.Refresh(int(data["old_source"]), int(data["new_source"]), data.get("key"))
    return golden_ops.from_dict(data)


def perform(project: Project, operation: Operation, comment: str = "", reverts: int | None = None,
            kind: str = "revert", progress: Progress = no_progress) -> audit.Entry:
    """Apply ``operation`` and record it, with its inverse, in one transaction.

    ``reverts`` names the entry this one reverts, and ``kind`` says how: an undo, a redo or a revert of an
    older entry (what undo and redo walk back through). ``progress`` may cancel a long decision midway
    (Cancelled; nothing changed); it is called with (0, 0), as the amount of work is not known."""
    with interruptible(project.conn, progress), project.db.atomic():
        inverse = operation.apply(project)
        after = {"operation": operation.to_dict()} | ({"reverts": reverts, "kind": kind} if reverts is not None else {})
        if isinstance(inverse, decision_state.SetState):
            after |= _golden_after(project, inverse)
        return audit.append(project, operation.action, operation.targets(), {"inverse": inverse.to_dict()}, after,
                            comment)


def _golden_after(project: Project, inverse: decision_state.SetState) -> dict[str, Any]:
    """What a membership decision left behind, for the audit entry: the golden records' values and any flags."""
    alive = [g for g, row in inverse.expected.goldens.items() if row is not None]
    values = {record.entity_id: {k: s.value for k, s in record.values.items()}
              for record in golden.golden_records(project, alive).values()}
    return {"golden": values} | ({"flags": list(inverse.notes)} if inverse.notes else {}) | \
        ({"counts": dict(inverse.counts)} if inverse.counts else {})


def revert(project: Project, entry_id: int, comment: str = "", kind: str = "revert",
           progress: Progress = no_progress) -> audit.Entry:
    """Apply the inverse stored in entry ``entry_id`` as a new entry; Conflict if it no longer applies.
    ``progress`` may cancel it midway, as for ``perform``."""
    entry = audit.entry(project, entry_id)
    if entry is None:
        raise StewardError(f"The audit trail has no entry #{entry_id}.")
    if not isinstance(entry.before, dict) or "inverse" not in entry.before:
        raise StewardError(f"Entry #{entry_id} ({entry.action}) records a change that cannot be reverted here.")
    return perform(project, from_dict(entry.before["inverse"]), comment or f"{kind} #{entry_id}", reverts=entry_id,
                   kind=kind, progress=progress)


def _history(project: Project) -> Any:
    """(id, reverted entry or None, kind, revertible) for every entry, newest first, read lazily."""
    return project.conn.execute(
        "SELECT id, json_extract(after, '$.reverts'), json_extract(after, '$.kind'), "
        "json_type(before, '$.inverse') IS NOT NULL FROM audit ORDER BY id DESC")


def undo(project: Project) -> audit.Entry:
    """Undo the newest change still in effect: changes undone since, and the undo entries themselves, are
    passed over, so undoing again goes further back."""
    undone: set[int] = set()
    for entry_id, reverts, kind, revertible in _history(project):
        if entry_id in undone:
            continue
        if reverts is not None and kind != "revert":   # an undo or redo step (or an undo from before kinds)
            undone.add(reverts)
        elif revertible:
            return revert(project, entry_id, kind="undo")
    raise StewardError("There is nothing to undo.")


def redo(project: Project) -> audit.Entry:
    """Redo the newest undo, as long as no new change was made since."""
    redone: set[int] = set()
    for entry_id, reverts, kind, _ in _history(project):
        if entry_id in redone:
            continue
        if kind == "redo":
            redone.add(reverts)
        elif kind == "undo":
            return revert(project, entry_id, kind="redo")
        else:
            break
    raise StewardError("There is nothing to redo: nothing was undone since the last change.")
