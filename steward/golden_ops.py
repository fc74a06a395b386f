"""Merging, splitting and unmerging: decisions about which records are one customer.

Every such decision is planned as a change of decision state (golden
records, membership, proposals, pairs marked not duplicates; see
``decision_state``) and applied as a checked ``SetState``, whose inverse can
revert it later. Source records are never touched (the unmerge contract,
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

from dataclasses import dataclass
from itertools import combinations
from typing import Any, Iterable, Sequence

from .decision_state import OPEN, GoldenRow, Plan, SetState, State, record_hash, scalar
from .errors import Conflict, StewardError
from .golden import candidates
from .project import Project, utc_now
from .survivorship import DEFAULT_RULE, check_rule


def plan_merge(plan: Plan, records: Sequence[int], rule: str | None, picks: dict[str, int],
               cluster_id: int | None = None, score: float | None = None) -> int:
    """Add to ``plan`` the merge of ``records`` (and the golden records they are in); return the golden id.

    ``rule`` None keeps an existing golden record's rule (a new one gets the default)."""
    if rule is not None:
        check_rule(rule)
    marks = ",".join("?" * len(records))
    old = plan.project.conn.execute(f"SELECT r.id, s.name FROM records r JOIN sources s ON s.id = r.source_id "
                                    f"WHERE r.id IN ({marks}) AND s.superseded_by IS NOT NULL", tuple(records)).fetchone()
    if old is not None:
        raise StewardError(f"Record {old[0]} belongs to source '{old[1]}', which was replaced by a refreshed export; "
                           "merge its newer version instead.")
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
            clash = {f for f in set(row["picks"]) & set(absorbed["picks"])
                     if row["picks"][f] != absorbed["picks"][f] and f not in picks}
            if clash:
                raise Conflict(f"Golden records G{target} and G{other} pick {sorted(clash)[0]} from different "
                               "records; pick one for the merge (--pick) or clear one of them first.")
            row["edits"] = absorbed["edits"] | row["edits"]
            row["picks"] = absorbed["picks"] | row["picks"]
            joining += plan.golden_members(other)
            plan.after.goldens[other] = None
        row["rule"] = rule or row["rule"]
        row["picks"] = row["picks"] | {f: r for f, r in picks.items()}
    else:
        target, batch = plan.new_golden_id(), 1
        plan.before.goldens[target] = None
        plan.after.goldens[target] = {"rule": rule or DEFAULT_RULE, "picks": dict(picks), "edits": {}, "cluster_id": cluster_id,
                                      "score": score, "created_at": utc_now()}
    everyone = sorted(set(plan.golden_members(target) + joining)) if goldens else joining
    for a, b in combinations(everyone, 2):
        if plan.after.rejected.get((a, b)) or plan.project.conn.execute(
                "SELECT 1 FROM not_duplicates WHERE a = ? AND b = ?", (a, b)).fetchone():
            raise Conflict(f"Records {a} and {b} were marked as not duplicates; revert that decision first "
                           "(steward audit PROJECT --action reject_cluster lists them).")
    for record_id in joining:
        plan.membership(record_id)
        plan.set_member(record_id, (target, batch, record_hash(plan.project, record_id)))
    missing = {f: r for f, r in picks.items() if r not in everyone}
    if missing:
        field_name, record_id = next(iter(missing.items()))
        raise StewardError(f"The pick for {field_name} names record {record_id}, which is not being merged.")
    return target


def plan_leave(plan: Plan, record_id: int, *, tree: bool) -> int:
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
            plan.set_member(r, (new_id, 1, plan.membership(r)[2]))
    else:
        for r in leaving:
            plan.set_member(r, None)
    if len(staying) == 1 and not row["edits"]:
        plan.set_member(staying[0], None)
        plan.after.goldens[golden_id] = None
    return golden_id


def plan_unmerge(plan: Plan, golden_id: int) -> list[int]:
    """Add to ``plan`` taking golden record ``golden_id`` apart; return its former members."""
    row = plan.existing_golden(golden_id)
    everyone = plan.golden_members(golden_id)
    for record_id in everyone:
        if record_hash(plan.project, record_id) != plan.membership(record_id)[2]:
            raise Conflict(f"Record {record_id} no longer matches what was merged (its SHA-256 differs); "
                           "run steward check PROJECT.")
        plan.set_member(record_id, None)
    for name, value in sorted(row["edits"].items()):
        plan.flags.append(f"the edit of {name} to {value!r} on G{golden_id} has no record to stay with; "
                          "undo brings it back")
    plan.after.goldens[golden_id] = None
    return everyone


def _flag_edits(plan: Plan, golden_id: int, row: GoldenRow, leaving: Iterable[int], staying: Iterable[int]) -> None:
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

    def plan(self, project: Project) -> Plan:
        raise NotImplementedError

    def apply(self, project: Project) -> SetState:
        return self.plan(project).apply()


@dataclass(frozen=True)
class MergeRecords(Decision):
    """Merge records (or a chosen subset of proposal ``cluster_id``) into one golden record; a proposal merged
    only in part goes back to review, so merge-auto never merges the records a steward left out."""

    records: tuple[int, ...]
    rule: str | None = None
    picks: tuple[tuple[str, int], ...] = ()
    cluster_id: int | None = None
    action: str = "merge"

    def plan(self, project: Project) -> Plan:
        plan = Plan(project)
        target = plan_merge(plan, self.records, self.rule, dict(self.picks))
        if self.cluster_id is not None:
            members = [r for (r,) in project.conn.execute(
                "SELECT record_id FROM cluster_members WHERE cluster_id = ?", (self.cluster_id,))]
            whole = all((m := plan.membership(r)) is not None and m[0] == target for r in members)
            plan.status(self.cluster_id, "merged" if whole else "review")
        return plan

    def targets(self) -> Any:
        return {"records": sorted(self.records)}

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "records": list(self.records), "rule": self.rule,
                "picks": [list(p) for p in self.picks], "cluster_id": self.cluster_id}


@dataclass(frozen=True)
class MergeClusters(Decision):
    """Merge proposed clusters, each into its golden record (merge-auto: one decision, one audit entry)."""

    cluster_ids: tuple[int, ...]
    rule: str | None = None                       # None: the default, or an existing golden record's own
    picks: tuple[tuple[str, int], ...] = ()       # only with a single cluster
    action: str = "merge_clusters"

    def plan(self, project: Project) -> Plan:
        plan = Plan(project)
        for cluster_id in self.cluster_ids:
            found = project.conn.execute("SELECT confidence, status FROM clusters WHERE id = ?",
                                         (cluster_id,)).fetchone()
            members = [r for (r,) in project.conn.execute(
                "SELECT record_id FROM cluster_members WHERE cluster_id = ? ORDER BY record_id", (cluster_id,))]
            if found is None or len(members) < 2 or found[1] not in OPEN:
                raise Conflict(f"Cluster {cluster_id} is not a proposal waiting for a decision"
                               f"{f' (it is {found[1]})' if found and found[1] not in OPEN else ''}. "
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

    def plan(self, project: Project) -> Plan:
        plan = Plan(project)
        if plan.membership(self.record_id) is not None:
            plan_leave(plan, self.record_id, tree=self.tree)
            return plan
        cluster_id = scalar(project.conn.execute("SELECT cluster_id FROM cluster_members WHERE record_id = ?",
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
            plan.status(cluster_id, "rejected")   # nothing left to propose
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

    def plan(self, project: Project) -> Plan:
        plan = Plan(project)
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

    def plan(self, project: Project) -> Plan:
        plan = Plan(project)
        row = plan.existing_golden(self.golden_id)
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

    def plan(self, project: Project) -> Plan:
        plan = Plan(project)
        row = plan.existing_golden(self.golden_id)
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
        return MergeRecords(tuple(data["records"]), data["rule"], tuple((f, int(r)) for f, r in data["picks"]),
                            data.get("cluster_id"))
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
