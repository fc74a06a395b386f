"""Merging, splitting and unmerging: decisions about which records are one customer.

Every such decision is planned as a change of *membership state* — golden
records (rule, picks, edits), which golden record each record belongs to,
proposal membership and status, pairs marked not duplicates — and applied by
``SetState``, which first checks that the state it is about to change is
still what it expects. Its inverse swaps the two states, so any decision can
be reverted later, also after a restart, or refused with a message saying
what changed since. Source records are never touched (the unmerge contract,
U1–U7 in the project's bad-inputs catalogue):

* merge: the records, with every golden record they already belong to, become
  one golden record (the oldest involved keeps its id); all records joining by
  one decision share a *batch*;
* split (single unmerge): one record leaves; it is remembered as not the same
  customer as the rest, picks of its values are dropped, edits on the golden
  record stay there (and are flagged when only that record had the value);
* tree split: the record leaves together with its batch, which stays merged
  as a new golden record;
* unmerge: the golden record is taken apart; every member is on its own again
  and may be proposed again by the next match run.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, Iterable, Sequence

from .errors import Conflict, StewardError
from .golden import candidates
from .project import Project, utc_now
from .survivorship import DEFAULT_RULE, check_rule

GoldenRow = dict[str, Any]          # rule, picks, edits, cluster_id, score, created_at
Membership = tuple[int, int, str]   # golden id, batch, sha256 of the record's imported values


@dataclass(frozen=True)
class State:
    """The part of the decision tables one operation touches; None means 'absent'."""

    goldens: dict[int, GoldenRow | None] = field(default_factory=dict)
    members: dict[int, Membership | None] = field(default_factory=dict)          # record → golden membership
    proposals: dict[int, int | None] = field(default_factory=dict)               # record → cluster
    statuses: dict[int, str] = field(default_factory=dict)                       # cluster → status
    rejected: dict[tuple[int, int], str | None] = field(default_factory=dict)    # (a < b) → when marked not duplicates

    def to_dict(self) -> dict[str, Any]:
        return {"goldens": [[k, v] for k, v in sorted(self.goldens.items())],
                "members": [[k, v and list(v)] for k, v in sorted(self.members.items())],
                "proposals": [[k, v] for k, v in sorted(self.proposals.items())],
                "statuses": [[k, v] for k, v in sorted(self.statuses.items())],
                "rejected": [[a, b, v] for (a, b), v in sorted(self.rejected.items())]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "State":
        return cls({int(k): v for k, v in data["goldens"]},
                   {int(k): v and (int(v[0]), int(v[1]), str(v[2])) for k, v in data["members"]},
                   {int(k): v for k, v in data["proposals"]},
                   {int(k): v for k, v in data["statuses"]},
                   {(int(a), int(b)): v for a, b, v in data["rejected"]})


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
    proposals = {r: _one(conn.execute("SELECT cluster_id FROM cluster_members WHERE record_id = ?", (r,)))
                 for r in keys.proposals}
    statuses = {c: s for c in keys.statuses
                if (s := _one(conn.execute("SELECT status FROM clusters WHERE id = ?", (c,)))) is not None}
    rejected = {pair: _one(conn.execute("SELECT decided_at FROM not_duplicates WHERE a = ? AND b = ?", pair))
                for pair in keys.rejected}
    return State(goldens, members, proposals, statuses, rejected)


def _one(cursor: Any) -> Any:
    row = cursor.fetchone()
    return None if row is None else row[0]


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
        if want != current.rejected.get(pair):
            return f"records {pair[0]} and {pair[1]} were {'un' if want else ''}marked as not duplicates since"
    for record_id, want in expected.proposals.items():
        if want != current.proposals.get(record_id) and current.proposals.get(record_id) is not None:
            return f"record {record_id} is now proposed in cluster {current.proposals[record_id]}"
    return None


@dataclass(frozen=True)
class SetState:
    """Change the decision tables from ``expected`` to ``target`` (the same keys), or refuse if they moved."""

    expected: State
    target: State
    notes: tuple[str, ...] = ()   # on an inverse: what to check about the change it undoes (not stored with it)
    action: str = "set_state"

    def apply(self, project: Project) -> "SetState":
        current = read_state(project, self.expected)
        problem = _differences(self.expected, current)
        if problem:
            raise Conflict(f"This no longer applies cleanly: {problem}. Revert the later decisions first "
                           "(steward audit PROJECT lists them).")
        conn = project.conn
        for golden_id, row in self.target.goldens.items():
            if row is not None:
                conn.execute("INSERT INTO golden (id, created_at, rule, picks, edits, cluster_id, score) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET created_at = excluded.created_at, "
                             "rule = excluded.rule, picks = excluded.picks, edits = excluded.edits, "
                             "cluster_id = excluded.cluster_id, score = excluded.score",
                             (golden_id, row["created_at"], row["rule"], json.dumps(row["picks"], sort_keys=True),
                              json.dumps(row["edits"], sort_keys=True, ensure_ascii=False), row["cluster_id"],
                              row["score"]))
        conn.executemany("DELETE FROM golden_members WHERE record_id = ?",
                         [(r,) for r, m in self.target.members.items() if m is None])
        conn.executemany("INSERT OR REPLACE INTO golden_members (record_id, golden_id, batch, sha256) "
                         "VALUES (?, ?, ?, ?)", [(r, *m) for r, m in self.target.members.items() if m is not None])
        conn.executemany("DELETE FROM golden WHERE id = ?",
                         [(g,) for g, row in self.target.goldens.items() if row is None])
        conn.executemany("DELETE FROM cluster_members WHERE record_id = ?",
                         [(r,) for r, c in self.target.proposals.items() if c is None])
        conn.executemany("INSERT OR REPLACE INTO cluster_members (record_id, cluster_id) SELECT ?, id FROM clusters "
                         "WHERE id = ?", [(r, c) for r, c in self.target.proposals.items() if c is not None])
        conn.executemany("UPDATE clusters SET status = ? WHERE id = ?",
                         [(s, c) for c, s in self.target.statuses.items()])
        conn.executemany("DELETE FROM not_duplicates WHERE a = ? AND b = ?",
                         [pair for pair, marked in self.target.rejected.items() if marked is None])
        conn.executemany("INSERT OR REPLACE INTO not_duplicates (a, b, decided_at) VALUES (?, ?, ?)",
                         [(a, b, marked) for (a, b), marked in self.target.rejected.items() if marked is not None])
        return SetState(self.target, current)

    def targets(self) -> Any:
        return {"golden": sorted(self.target.goldens), "records": sorted(self.target.members)}

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "expected": self.expected.to_dict(), "target": self.target.to_dict()}


# -- planning --------------------------------------------------------------------------------------------


class _Plan:
    """The state before and after a decision, built up key by key from the database."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.before = State()
        self.after = State()
        self.flags: list[str] = []
        self._next_id: int | None = None

    def golden(self, golden_id: int) -> GoldenRow | None:
        if golden_id not in self.after.goldens:
            row = read_state(self.project, State(goldens={golden_id: None})).goldens[golden_id]
            self.before.goldens[golden_id] = row
            self.after.goldens[golden_id] = None if row is None else json.loads(json.dumps(row))
        return self.after.goldens[golden_id]

    def membership(self, record_id: int) -> Membership | None:
        if record_id not in self.after.members:
            value = read_state(self.project, State(members={record_id: None})).members[record_id]
            self.before.members[record_id] = self.after.members[record_id] = value
        return self.after.members[record_id]

    def golden_members(self, golden_id: int) -> list[int]:
        ids = [r for (r,) in self.project.conn.execute(
            "SELECT record_id FROM golden_members WHERE golden_id = ? ORDER BY record_id", (golden_id,))]
        ids += [r for r, m in self.after.members.items() if m and m[0] == golden_id and r not in ids]
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
        return SetState(inverse.expected, inverse.target, tuple(self.flags))


def record_hash(project: Project, record_id: int) -> str:
    """SHA-256 of a record's imported values as stored: what unmerge checks the record against."""
    row = project.conn.execute("SELECT vals FROM records WHERE id = ?", (record_id,)).fetchone()
    if row is None:
        raise StewardError(f"The project has no record {record_id}.")
    return hashlib.sha256(row[0].encode("utf-8")).hexdigest()


def plan_merge(plan: _Plan, records: Sequence[int], rule: str, picks: dict[str, int],
               cluster_id: int | None = None, score: float | None = None) -> int:
    """Add to ``plan`` the merge of ``records`` (and the golden records they are in); return the golden id."""
    check_rule(rule)
    goldens = sorted({m[0] for r in records if (m := plan.membership(r)) is not None})
    loose = sorted({r for r in records if plan.membership(r) is None})
    if len(goldens) + len(loose) < 2:
        raise StewardError("These records are already one golden record: there is nothing to merge.")
    joining = list(loose)
    if goldens:
        target = goldens[0]
        row = plan.golden(target)
        batch = max(plan.membership(r)[1] for r in plan.golden_members(target)) + 1
        for other in goldens[1:]:
            absorbed = plan.golden(other)
            clash = {f for f in set(row["edits"]) & set(absorbed["edits"]) if row["edits"][f] != absorbed["edits"][f]}
            if clash:
                raise Conflict(f"Golden records G{target} and G{other} both have an edited {sorted(clash)[0]} "
                               "with different values; edit one of them first so they agree.")
            row["edits"] = absorbed["edits"] | row["edits"]
            row["picks"] = absorbed["picks"] | row["picks"]
            joining += plan.golden_members(other)
            plan.after.goldens[other] = None
        row["rule"] = rule
        row["picks"] = row["picks"] | {f: r for f, r in picks.items()}
    else:
        target, batch = plan.new_golden_id(), 1
        plan.before.goldens[target] = None
        plan.after.goldens[target] = {"rule": rule, "picks": dict(picks), "edits": {}, "cluster_id": cluster_id,
                                      "score": score, "created_at": utc_now()}
    everyone = sorted(set(plan.golden_members(target) + joining)) if goldens else joining
    for a, b in combinations(everyone, 2):
        if plan.after.rejected.get((a, b)) or plan.project.conn.execute(
                "SELECT 1 FROM not_duplicates WHERE a = ? AND b = ?", (a, b)).fetchone():
            raise Conflict(f"Records {a} and {b} were marked as not duplicates; revert that decision first "
                           "(steward audit PROJECT --action reject_cluster lists them).")
    for record_id in joining:
        plan.membership(record_id)
        plan.after.members[record_id] = (target, batch, record_hash(plan.project, record_id))
    missing = {f: r for f, r in picks.items() if r not in everyone}
    if missing:
        field_name, record_id = next(iter(missing.items()))
        raise StewardError(f"The pick for {field_name} names record {record_id}, which is not being merged.")
    return target


def plan_leave(plan: _Plan, record_id: int, *, tree: bool) -> int:
    """Add to ``plan`` a record (with its batch when ``tree``) leaving its golden record; return the golden id."""
    membership = plan.membership(record_id)
    if membership is None:
        raise StewardError(f"Record {record_id} is not part of a golden record, so it cannot be split out of one.")
    golden_id, batch, sha = membership
    if record_hash(plan.project, record_id) != sha:
        raise Conflict(f"Record {record_id} no longer matches what was merged (its SHA-256 differs); "
                       "run steward check PROJECT.")
    everyone = plan.golden_members(golden_id)
    leaving = [r for r in everyone if plan.membership(r)[1] == batch] if tree else [record_id]
    staying = [r for r in everyone if r not in leaving]
    if not staying:
        raise StewardError(f"Records {', '.join(map(str, leaving))} are all of golden record G{golden_id}; "
                           f"take it apart with unmerge instead.")
    row = plan.golden(golden_id)
    for name in sorted(f for f, r in row["picks"].items() if r in leaving):
        plan.flags.append(f"the pick of {name} from record {row['picks'].pop(name)} was dropped")
    _flag_edits(plan, golden_id, row, leaving, staying)
    for a in leaving:
        for b in staying:
            plan.reject(a, b)
    if tree and len(leaving) > 1:
        new_id = plan.new_golden_id()
        plan.before.goldens[new_id] = None
        plan.after.goldens[new_id] = {"rule": row["rule"], "picks": {}, "edits": {}, "cluster_id": None,
                                      "score": None, "created_at": utc_now()}
        for r in leaving:
            plan.after.members[r] = (new_id, 1, plan.membership(r)[2])
    else:
        for r in leaving:
            plan.after.members[r] = None
    if len(staying) == 1 and not row["edits"]:
        plan.after.members[staying[0]] = None
        plan.after.goldens[golden_id] = None
    return golden_id


def plan_unmerge(plan: _Plan, golden_id: int) -> list[int]:
    """Add to ``plan`` taking golden record ``golden_id`` apart; return its former members."""
    row = plan.golden(golden_id)
    if row is None:
        raise StewardError(f"There is no golden record G{golden_id} (any more).")
    everyone = plan.golden_members(golden_id)
    for record_id in everyone:
        if record_hash(plan.project, record_id) != plan.membership(record_id)[2]:
            raise Conflict(f"Record {record_id} no longer matches what was merged (its SHA-256 differs); "
                           "run steward check PROJECT.")
        plan.after.members[record_id] = None
    for name, value in sorted(row["edits"].items()):
        plan.flags.append(f"the edit of {name} to {value!r} on G{golden_id} has no record to stay with; "
                          "undo brings it back")
    plan.after.goldens[golden_id] = None
    return everyone


def _flag_edits(plan: _Plan, golden_id: int, row: GoldenRow, leaving: Iterable[int], staying: Iterable[int]) -> None:
    """U4: edits stay with the golden record; flag one whose value only a leaving record had."""
    keys = list(row["edits"])
    if not keys:
        return
    leaving, staying = list(leaving), list(staying)
    found = candidates(plan.project, leaving + staying, keys)
    for name, value in sorted(row["edits"].items()):
        if any(found[r].values.get(name) == value for r in leaving) and \
                not any(found[r].values.get(name) == value for r in staying):
            plan.flags.append(f"G{golden_id} keeps its edited {name} {value!r}, which only a record that left had; "
                              "check it")


# -- the decisions -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """Base for decisions planned as a state change and applied by SetState."""

    def plan(self, project: Project) -> _Plan:
        raise NotImplementedError

    def apply(self, project: Project) -> SetState:
        return self.plan(project).apply()


@dataclass(frozen=True)
class MergeRecords(Decision):
    """Merge records (or a chosen subset of a cluster) into one golden record."""

    records: tuple[int, ...]
    rule: str = DEFAULT_RULE
    picks: tuple[tuple[str, int], ...] = ()
    action: str = "merge"

    def plan(self, project: Project) -> _Plan:
        plan = _Plan(project)
        plan_merge(plan, self.records, self.rule, dict(self.picks))
        return plan

    def targets(self) -> Any:
        return {"records": sorted(self.records)}

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "records": list(self.records), "rule": self.rule,
                "picks": [list(p) for p in self.picks]}


@dataclass(frozen=True)
class MergeClusters(Decision):
    """Merge proposed clusters, each into its golden record (merge-auto: one decision, one audit entry)."""

    cluster_ids: tuple[int, ...]
    rule: str = DEFAULT_RULE
    picks: tuple[tuple[str, int], ...] = ()       # only with a single cluster
    action: str = "merge_clusters"

    def plan(self, project: Project) -> _Plan:
        plan = _Plan(project)
        for cluster_id in self.cluster_ids:
            found = project.conn.execute("SELECT confidence FROM clusters WHERE id = ?", (cluster_id,)).fetchone()
            members = [r for (r,) in project.conn.execute(
                "SELECT record_id FROM cluster_members WHERE cluster_id = ? ORDER BY record_id", (cluster_id,))]
            if found is None or len(members) < 2:
                raise Conflict(f"Cluster {cluster_id} is not a proposed cluster (any more). "
                               "List the current ones with: steward export PROJECT --clusters FILE")
            plan_merge(plan, members, self.rule, dict(self.picks), cluster_id, found[0])
            plan.status(cluster_id, "merged")
        return plan

    def targets(self) -> Any:
        return {"clusters": list(self.cluster_ids)}

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "cluster_ids": list(self.cluster_ids), "rule": self.rule,
                "picks": [list(p) for p in self.picks]}


@dataclass(frozen=True)
class SplitRecord(Decision):
    """Take a record out of its golden record (with its batch when ``tree``) or out of a proposed cluster;
    it is remembered as not the same customer as those it leaves."""

    record_id: int
    tree: bool = False
    action: str = "split"

    def plan(self, project: Project) -> _Plan:
        plan = _Plan(project)
        if plan.membership(self.record_id) is not None:
            plan_leave(plan, self.record_id, tree=self.tree)
            return plan
        cluster_id = _one(project.conn.execute("SELECT cluster_id FROM cluster_members WHERE record_id = ?",
                                               (self.record_id,)))
        if cluster_id is None:
            raise StewardError(f"Record {self.record_id} is neither in a golden record nor in a proposed cluster.")
        others = [r for (r,) in project.conn.execute(
            "SELECT record_id FROM cluster_members WHERE cluster_id = ? AND record_id != ?",
            (cluster_id, self.record_id))]
        plan.proposal(self.record_id, None)
        for other in others:
            plan.reject(self.record_id, other)
        if len(others) == 1:
            plan.proposal(others[0], None)
        return plan

    def targets(self) -> Any:
        return {"record": self.record_id}

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "record_id": self.record_id, "tree": self.tree}


@dataclass(frozen=True)
class Unmerge(Decision):
    """Take a golden record apart: every member is on its own again, exactly as imported."""

    golden_id: int
    action: str = "unmerge"

    def plan(self, project: Project) -> _Plan:
        plan = _Plan(project)
        plan_unmerge(plan, self.golden_id)
        return plan

    def targets(self) -> Any:
        return {"golden": self.golden_id}

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "golden_id": self.golden_id}


@dataclass(frozen=True)
class EditGolden(Decision):
    """Set (or with None, clear) a value on the golden record itself; it beats picks and the rule."""

    golden_id: int
    field_name: str
    value: str | None
    action: str = "edit_golden"

    def plan(self, project: Project) -> _Plan:
        plan = _Plan(project)
        row = plan.golden(self.golden_id)
        if row is None:
            raise StewardError(f"There is no golden record G{self.golden_id} (any more).")
        if self.value is None:
            row["edits"].pop(self.field_name, None)
        else:
            row["edits"][self.field_name] = self.value
        return plan

    def targets(self) -> Any:
        return {"golden": self.golden_id, "field": self.field_name}

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "golden_id": self.golden_id, "field": self.field_name, "value": self.value}


@dataclass(frozen=True)
class PickValue(Decision):
    """Choose whose value a golden record shows for a field (None: back to the rule)."""

    golden_id: int
    field_name: str
    record_id: int | None
    action: str = "pick_value"

    def plan(self, project: Project) -> _Plan:
        plan = _Plan(project)
        row = plan.golden(self.golden_id)
        if row is None:
            raise StewardError(f"There is no golden record G{self.golden_id} (any more).")
        if self.record_id is None:
            row["picks"].pop(self.field_name, None)
        elif self.record_id not in plan.golden_members(self.golden_id):
            raise StewardError(f"Record {self.record_id} is not part of golden record G{self.golden_id}.")
        else:
            row["picks"][self.field_name] = self.record_id
        return plan

    def targets(self) -> Any:
        return {"golden": self.golden_id, "field": self.field_name}

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "golden_id": self.golden_id, "field": self.field_name,
                "record_id": self.record_id}


def auto_clusters(project: Project) -> tuple[int, ...]:
    """The proposals above the auto-match threshold that are still waiting for a decision."""
    return tuple(c for (c,) in project.conn.execute("SELECT id FROM clusters WHERE status = 'auto' ORDER BY id"))


def from_dict(data: dict[str, Any]) -> Decision | SetState:
    """Rebuild a stored decision (operations.from_dict hands these over)."""
    action = data.get("action")
    if action == "set_state":
        return SetState(State.from_dict(data["expected"]), State.from_dict(data["target"]))
    if action == "merge":
        return MergeRecords(tuple(data["records"]), data["rule"], tuple((f, int(r)) for f, r in data["picks"]))
    if action == "merge_clusters":
        return MergeClusters(tuple(data["cluster_ids"]), data["rule"], tuple((f, int(r)) for f, r in data["picks"]))
    if action == "split":
        return SplitRecord(int(data["record_id"]), bool(data["tree"]))
    if action == "unmerge":
        return Unmerge(int(data["golden_id"]))
    if action == "edit_golden":
        return EditGolden(int(data["golden_id"]), data["field"], data["value"])
    if action == "pick_value":
        return PickValue(int(data["golden_id"]), data["field"], data["record_id"])
    raise StewardError(f"Unknown operation {action!r} in the audit trail.")
