"""Decision state: the part of the decision tables one decision touches, and a checked change of it.

A decision (merge, split, unmerge, a refreshed source's carry-over …) is
planned as a change from one ``State`` to another over the same keys, and
applied by ``SetState``, which first checks that the tables still hold what
the plan expects. Its inverse swaps the two states, so any decision can be
reverted later, also after a restart, or refused with a message saying what
changed since. ``None`` always means "absent".
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from .errors import Conflict, StewardError
from .project import Project, utc_now

GoldenRow = dict[str, Any]          # rule, picks, edits, cluster_id, score, created_at
Membership = tuple[int, int, str]   # golden id, batch, sha256 of the record's imported values
Fix = tuple[str, str]               # value, fixed_at
Link = tuple[int, str, list]        # previous record, how it was linked (key | content), changed headers

#: Proposal statuses that still wait for a steward's decision.
OPEN = ("auto", "review", "deferred")


@dataclass(frozen=True)
class State:
    goldens: dict[int, GoldenRow | None] = field(default_factory=dict)
    members: dict[int, Membership | None] = field(default_factory=dict)          # record → golden membership
    proposals: dict[int, int | None] = field(default_factory=dict)               # record → cluster
    statuses: dict[int, str] = field(default_factory=dict)                       # cluster → status
    rejected: dict[tuple[int, int], str | None] = field(default_factory=dict)    # (a < b) → when marked not duplicates
    fixes: dict[tuple[int, int], Fix | None] = field(default_factory=dict)       # (record, position) → fix
    superseded: dict[int, int | None] = field(default_factory=dict)              # source → the source replacing it
    links: dict[int, Link | None] = field(default_factory=dict)                  # record → its earlier version

    def to_dict(self) -> dict[str, Any]:
        return {"goldens": [[k, v] for k, v in sorted(self.goldens.items())],
                "members": [[k, v and list(v)] for k, v in sorted(self.members.items())],
                "proposals": [[k, v] for k, v in sorted(self.proposals.items())],
                "statuses": [[k, v] for k, v in sorted(self.statuses.items())],
                "rejected": [[a, b, v] for (a, b), v in sorted(self.rejected.items())],
                "fixes": [[r, p, v and list(v)] for (r, p), v in sorted(self.fixes.items())],
                "superseded": [[k, v] for k, v in sorted(self.superseded.items())],
                "links": [[k, v and list(v)] for k, v in sorted(self.links.items())]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "State":
        return cls({int(k): v for k, v in data["goldens"]},
                   {int(k): v and (int(v[0]), int(v[1]), str(v[2])) for k, v in data["members"]},
                   {int(k): v for k, v in data["proposals"]},
                   {int(k): v for k, v in data["statuses"]},
                   {(int(a), int(b)): v for a, b, v in data["rejected"]},
                   {(int(r), int(p)): v and (v[0], v[1]) for r, p, v in data.get("fixes", [])},
                   {int(k): v for k, v in data.get("superseded", [])},
                   {int(k): v and (int(v[0]), v[1], list(v[2])) for k, v in data.get("links", [])})


def scalar(cursor: Any) -> Any:
    """The first column of the first row, or None."""
    row = cursor.fetchone()
    return None if row is None else row[0]


def read_state(project: Project, keys: State) -> State:
    """The current state of exactly the keys ``keys`` names."""
    conn = project.conn
    goldens = {}
    for golden_id in keys.goldens:
        row = conn.execute("SELECT rule, picks, edits, cluster_id, score, created_at FROM golden WHERE id = ?",
                           (golden_id,)).fetchone()
        goldens[golden_id] = None if row is None else {
            "rule": row[0], "picks": json.loads(row[1]), "edits": json.loads(row[2]), "cluster_id": row[3],
            "score": row[4], "created_at": row[5]}
    members = {}
    for record_id in keys.members:
        row = conn.execute("SELECT golden_id, batch, sha256 FROM golden_members WHERE record_id = ?",
                           (record_id,)).fetchone()
        members[record_id] = None if row is None else (row[0], row[1], row[2])
    proposals = {r: scalar(conn.execute("SELECT cluster_id FROM cluster_members WHERE record_id = ?", (r,)))
                 for r in keys.proposals}
    statuses = {c: s for c in keys.statuses
                if (s := scalar(conn.execute("SELECT status FROM clusters WHERE id = ?", (c,)))) is not None}
    rejected = {pair: scalar(conn.execute("SELECT decided_at FROM not_duplicates WHERE a = ? AND b = ?", pair))
                for pair in keys.rejected}
    fixes = {}
    for key in keys.fixes:
        row = conn.execute("SELECT value, fixed_at FROM fixes WHERE record_id = ? AND position = ?", key).fetchone()
        fixes[key] = None if row is None else (row[0], row[1])
    superseded = {s: scalar(conn.execute("SELECT superseded_by FROM sources WHERE id = ?", (s,)))
                  for s in keys.superseded}
    links = {}
    for record_id in keys.links:
        row = conn.execute("SELECT previous_id, how, changed FROM record_links WHERE record_id = ?",
                           (record_id,)).fetchone()
        links[record_id] = None if row is None else (row[0], row[1], json.loads(row[2]))
    return State(goldens, members, proposals, statuses, rejected, fixes, superseded, links)


def _differences(expected: State, current: State) -> str | None:
    """What stands in the way of a change planned against ``expected``, in words; None if nothing."""
    for record_id, want in expected.members.items():
        have = current.members.get(record_id)
        if want != have:
            now = f"in golden record G{have[0]}" if have else "on its own"
            was = f"in golden record G{want[0]}" if want else "on its own"
            return f"record {record_id} is now {now}, not {was} as then"
    for golden_id, want in expected.goldens.items():
        if want != current.goldens.get(golden_id):
            return f"golden record G{golden_id} was changed since (its rule, picks or edits, or it was taken apart)"
    for pair, want in expected.rejected.items():
        if (want is None) != (current.rejected.get(pair) is None):
            return f"records {pair[0]} and {pair[1]} were {'' if want is None else 'un'}marked as not duplicates since"
    for cluster_id, want in expected.statuses.items():
        have = current.statuses.get(cluster_id)
        if have is not None and have != want:   # a proposal a later match run replaced is no obstacle
            return f"proposal {cluster_id} is now {have}, not {want}"
    for record_id, want in expected.proposals.items():
        if want != current.proposals.get(record_id) and current.proposals.get(record_id) is not None:
            return f"record {record_id} is now proposed in cluster {current.proposals[record_id]}"
    for (record_id, position), want in expected.fixes.items():
        if want != current.fixes.get((record_id, position)):
            return f"the fix of record {record_id}, column {position + 1} was changed since"
    for source_id, want in expected.superseded.items():
        if want != current.superseded.get(source_id):
            return f"source {source_id} was refreshed or restored since"
    for record_id, want in expected.links.items():
        if want != current.links.get(record_id):
            return f"record {record_id} was linked to another earlier version since"
    return None


@dataclass(frozen=True)
class SetState:
    """Change the decision tables from ``expected`` to ``target`` (the same keys), or refuse if they moved."""

    expected: State
    target: State
    notes: tuple[str, ...] = ()   # on an inverse: what to check about the change it undoes (not stored with it)
    counts: tuple[tuple[str, int], ...] = ()   # on an inverse: figures about that change, for its audit entry
    action: str = "set_state"

    def apply(self, project: Project) -> "SetState":
        current = read_state(project, self.expected)
        problem = _differences(self.expected, current)
        if problem:
            raise Conflict(f"This no longer applies cleanly: {problem}. Revert the later decisions first "
                           "(steward audit PROJECT lists them).")
        target, conn = self.target, project.conn
        for golden_id, row in target.goldens.items():
            if row is not None:
                conn.execute("INSERT INTO golden (id, created_at, rule, picks, edits, cluster_id, score) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET created_at = excluded.created_at, "
                             "rule = excluded.rule, picks = excluded.picks, edits = excluded.edits, "
                             "cluster_id = excluded.cluster_id, score = excluded.score",
                             (golden_id, row["created_at"], row["rule"], json.dumps(row["picks"], sort_keys=True),
                              json.dumps(row["edits"], sort_keys=True, ensure_ascii=False), row["cluster_id"],
                              row["score"]))
        conn.executemany("DELETE FROM golden_members WHERE record_id = ?",
                         [(r,) for r, m in target.members.items() if m is None])
        conn.executemany("INSERT OR REPLACE INTO golden_members (record_id, golden_id, batch, sha256) "
                         "VALUES (?, ?, ?, ?)", [(r, *m) for r, m in target.members.items() if m is not None])
        conn.executemany("DELETE FROM golden WHERE id = ?", [(g,) for g, row in target.goldens.items() if row is None])
        conn.executemany("DELETE FROM cluster_members WHERE record_id = ?",
                         [(r,) for r, c in target.proposals.items() if c is None])
        conn.executemany("INSERT OR REPLACE INTO cluster_members (record_id, cluster_id) SELECT ?, id FROM clusters "
                         "WHERE id = ?", [(r, c) for r, c in target.proposals.items() if c is not None])
        conn.executemany("UPDATE clusters SET status = ? WHERE id = ?", [(s, c) for c, s in target.statuses.items()])
        conn.executemany("DELETE FROM not_duplicates WHERE a = ? AND b = ?",
                         [pair for pair, marked in target.rejected.items() if marked is None])
        conn.executemany("INSERT OR REPLACE INTO not_duplicates (a, b, decided_at) VALUES (?, ?, ?)",
                         [(a, b, marked) for (a, b), marked in target.rejected.items() if marked is not None])
        self._reopen_proposals(project)
        self._set_fixes(project)
        conn.executemany("UPDATE sources SET superseded_by = ? WHERE id = ?",
                         [(by, s) for s, by in target.superseded.items()])
        conn.executemany("DELETE FROM record_links WHERE record_id = ?",
                         [(r,) for r, link in target.links.items() if link is None])
        conn.executemany("INSERT OR REPLACE INTO record_links (record_id, previous_id, how, changed) VALUES (?, ?, ?, ?)",
                         [(r, link[0], link[1], json.dumps(link[2], ensure_ascii=False))
                          for r, link in target.links.items() if link is not None])
        return SetState(self.target, current)

    def _reopen_proposals(self, project: Project) -> None:
        """A proposal marked merged (by a match run after the merge) whose records are no longer one golden record
        needs a decision again. (``+c.status``: through the status index SQLite would visit every merged
        proposal for each chunk, 0.6 s each after a merge of 10,000.)"""
        records = list(self.target.members)
        for start in range(0, len(records), 500):
            chunk = records[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for (cluster_id,) in project.conn.execute(
                    f"SELECT DISTINCT m.cluster_id FROM cluster_members m JOIN clusters c ON c.id = m.cluster_id "
                    f"WHERE +c.status = 'merged' AND m.record_id IN ({marks})", chunk).fetchall():
                goldens = {g for (g,) in project.conn.execute(
                    "SELECT g.golden_id FROM cluster_members m LEFT JOIN golden_members g ON g.record_id = m.record_id "
                    "WHERE m.cluster_id = ?", (cluster_id,))}
                if len(goldens) != 1 or None in goldens:
                    project.conn.execute("UPDATE clusters SET status = 'review' WHERE id = ?", (cluster_id,))

    def _set_fixes(self, project: Project) -> None:
        """Fixes as FixValue writes them: validation re-checks the records, matching re-reads their sources."""
        if not self.target.fixes:
            return
        conn = project.conn
        conn.executemany("DELETE FROM fixes WHERE record_id = ? AND position = ?",
                         [key for key, fix in self.target.fixes.items() if fix is None])
        conn.executemany("INSERT OR REPLACE INTO fixes (record_id, position, value, fixed_at) VALUES (?, ?, ?, ?)",
                         [(*key, *fix) for key, fix in self.target.fixes.items() if fix is not None])
        records = sorted({record_id for record_id, _ in self.target.fixes})
        conn.executemany("INSERT OR IGNORE INTO dirty_records (record_id) VALUES (?)", [(r,) for r in records])
        sources = {s for r in records for (s,) in conn.execute("SELECT source_id FROM records WHERE id = ?", (r,))}
        conn.executemany("INSERT INTO meta (key, value) VALUES (?, '1') ON CONFLICT (key) DO UPDATE "
                         "SET value = CAST(value AS INTEGER) + 1", [(f"fixes:{s}",) for s in sorted(sources)])

    def targets(self) -> Any:
        return {"golden": sorted(self.target.goldens), "records": sorted(self.target.members)}

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "expected": self.expected.to_dict(), "target": self.target.to_dict()}


class Plan:
    """The state before and after a decision, built up key by key from the database."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.before = State()
        self.after = State()
        self.flags: list[str] = []
        self.counts: dict[str, int] = {}
        self._next_id: int | None = None
        self._joined: dict[int, set[int]] = {}   # golden id → records this plan puts in it

    def set_member(self, record_id: int, membership: Membership | None) -> None:
        """Plan a record's membership (None: on its own)."""
        self.membership(record_id)
        self.after.members[record_id] = membership
        if membership is not None:
            self._joined.setdefault(membership[0], set()).add(record_id)

    def golden(self, golden_id: int) -> GoldenRow | None:
        if golden_id not in self.after.goldens:
            row = read_state(self.project, State(goldens={golden_id: None})).goldens[golden_id]
            self.before.goldens[golden_id] = row
            self.after.goldens[golden_id] = None if row is None else json.loads(json.dumps(row))
        return self.after.goldens[golden_id]

    def existing_golden(self, golden_id: int) -> GoldenRow:
        """The golden record's row to change, or an error naming it when it is gone."""
        row = self.golden(golden_id)
        if row is None:
            raise StewardError(f"There is no golden record G{golden_id} (any more).")
        return row

    def membership(self, record_id: int) -> Membership | None:
        if record_id not in self.after.members:
            value = read_state(self.project, State(members={record_id: None})).members[record_id]
            self.before.members[record_id] = self.after.members[record_id] = value
        return self.after.members[record_id]

    def golden_members(self, golden_id: int) -> list[int]:
        """The records a golden record will have once the plan is applied."""
        ids = {r for (r,) in self.project.conn.execute(
            "SELECT record_id FROM golden_members WHERE golden_id = ?", (golden_id,))}
        ids |= self._joined.get(golden_id, set())
        return sorted(r for r in ids if (m := self.membership(r)) is not None and m[0] == golden_id)

    def proposal(self, record_id: int, cluster_id: int | None) -> None:
        if record_id not in self.before.proposals:
            self.before.proposals[record_id] = read_state(
                self.project, State(proposals={record_id: None})).proposals[record_id]
        self.after.proposals[record_id] = cluster_id

    def status(self, cluster_id: int, status: str) -> None:
        current = read_state(self.project, State(statuses={cluster_id: ""})).statuses
        if cluster_id in current:
            self.before.statuses.setdefault(cluster_id, current[cluster_id])
            self.after.statuses[cluster_id] = status

    def reject(self, a: int, b: int) -> None:
        pair = (min(a, b), max(a, b))
        if pair not in self.before.rejected:
            self.before.rejected[pair] = read_state(self.project, State(rejected={pair: None})).rejected[pair]
        self.after.rejected[pair] = self.before.rejected[pair] or utc_now()

    def fix(self, record_id: int, position: int, value: str) -> None:
        key = (record_id, position)
        if key not in self.before.fixes:
            self.before.fixes[key] = read_state(self.project, State(fixes={key: None})).fixes[key]
        self.after.fixes[key] = (value, utc_now())

    def supersede(self, source_id: int, by: int | None) -> None:
        if source_id not in self.before.superseded:
            self.before.superseded[source_id] = read_state(
                self.project, State(superseded={source_id: None})).superseded[source_id]
        self.after.superseded[source_id] = by

    def link(self, record_id: int, link: Link | None) -> None:
        if record_id not in self.before.links:
            self.before.links[record_id] = read_state(self.project, State(links={record_id: None})).links[record_id]
        self.after.links[record_id] = link

    def new_golden_id(self) -> int:
        """An id no golden record ever had: golden ids are never reused."""
        if self._next_id is None:
            self._next_id = self.project.conn.execute(
                "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'golden'), 0), "
                "COALESCE((SELECT MAX(id) FROM golden), 0))").fetchone()[0] + 1
        self._next_id += 1
        return self._next_id - 1

    def apply(self) -> SetState:
        """Apply the planned change; the inverse carries the flags raised while planning."""
        inverse = SetState(self.before, self.after).apply(self.project)
        return SetState(inverse.expected, inverse.target, tuple(self.flags), tuple(sorted(self.counts.items())))


def record_hash(project: Project, record_id: int) -> str:
    """SHA-256 of a record's imported values as stored: what unmerge checks the record against."""
    row = project.conn.execute("SELECT vals FROM records WHERE id = ?", (record_id,)).fetchone()
    if row is None:
        raise StewardError(f"The project has no record {record_id}.")
    return hashlib.sha256(row[0].encode("utf-8")).hexdigest()
