"""The trainer's scorecard: a steward's decisions on a demo project compared with its truth, pair by pair.

Only decisions count, never proposals: two records are *merged* when they are in one golden record, *rejected*
when they are marked not duplicates (rejecting a proposal or splitting a record out marks its pairs). Against
the truth (``steward.training_truth``):

* a merged pair of one person is a correct merge; of two people a wrong merge, named by their look-alike group
  (household, colleagues, namesakes) or "unrelated";
* a pair of one person that is not merged is a missed duplicate: rejected, still waiting in one open proposal
  (to review, auto or deferred; an unmerged golden record's proposal is open again), or not proposed (no open
  proposal holds both: never proposed, or withdrawn by a refreshed source);
* a rejected pair of two people is a correct rejection, of one person a wrong rejection;
* a planted defect is fixed when the steward fixed the field it spoils (by hand or by accepting a suggestion)
  and the record's current value passes the default rule the defect breaks, judged on the exercise's date;
  a golden-record edit does not fix a source record.

Merges are scored as precision (correct / merged pairs), recall (correct / true pairs) and F1. The headline
score is ``100 × (0.75 × F1 + 0.25 × defects fixed / defects)``, on 0–100. The merge part counts when the
exercise has duplicates or the steward merged anything (a merge in an exercise without duplicates is wrong),
the defect part when defects were planted; a part that does not count drops out and the other carries the
whole weight, and with neither the score is 100. Records that are not part of
the exercise (imported later by hand) are left out.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from . import golden, store
from .checks import Cache, Page, compile_rule
from .decision_state import OPEN
from .progress import Progress, no_progress
from .project import Project
from .rule_store import default_region, mapped_fields
from .rules import default_rules
from .training_truth import Exercise, Truth, exercise, truth

#: The default rule each planted defect breaks (steward.rules.default_rules names them).
DEFECT_RULES = {"bad_email": "email_valid", "impossible_phone": "phone_valid",
                "future_birth_date": "date_of_birth_plausible", "missing_name": "name_required",
                "stale": "updated_at_fresh"}
MERGE_WEIGHT = 0.75
DEFECT_WEIGHT = 0.25
#: Wrong decisions listed by name, at most this many of each kind (the counts are always complete).
LISTED = 50
UNRELATED = "unrelated"


@dataclass(frozen=True)
class Mistake:
    """A wrong decision, for the trainer to go through with the steward."""

    decision: str                   # "merge" | "rejection"
    records: tuple[str, str]        # SOURCE:ROW of the two records
    detail: str                     # look-alike kind of a wrong merge; "same person" for a wrong rejection


@dataclass(frozen=True)
class Scorecard:
    """Every figure of the trainer's scorecard; see the module docstring for the definitions."""

    exercise: Exercise
    records: int                                # records of the exercise in the project
    true_pairs: int                             # record pairs that are one person: the duplicates to find
    merged_pairs: int                           # record pairs in one golden record
    correct_merges: int
    wrong_merges: int
    wrong_merges_by_kind: dict[str, int]        # household | colleagues | namesakes | unrelated
    missed: int                                 # true pairs not merged = the three below
    missed_rejected: int
    missed_waiting: int
    missed_not_proposed: int
    missed_by_variation: dict[str, int]         # how either record of a missed pair differs from its person
    correct_rejections: int
    wrong_rejections: int
    correct_rejections_by_kind: dict[str, int]
    precision: float | None                     # None before any merge
    recall: float | None                        # None when the exercise has no duplicates
    f1: float
    defects: int                                # planted defects (a record may have two)
    defects_fixed: int
    defects_remaining: int
    defects_by_kind: dict[str, dict[str, int]]  # defect → {"fixed": n, "remaining": n}
    fixes: int                                  # fixed cells on the exercise's records
    fixes_without_defect: int                   # … on records that had no planted defect
    score: float                                # the headline, 0–100
    mistakes: list[Mistake] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["exercise"]["generated_for"] = self.exercise.generated_for.isoformat()
        data["exercise"]["locales"] = list(self.exercise.locales)
        data["mistakes"] = [{"decision": m.decision, "records": list(m.records), "detail": m.detail}
                            for m in self.mistakes]
        return data


def score(project: Project, progress: Progress = no_progress) -> Scorecard:
    """Score the decisions taken on a demo project against its truth (NotADemo for any other project).

    Reads only, so it can run on a read-only connection while the project is open elsewhere, and on a worker
    thread; ``progress`` is called after each of its three steps and may raise ``Cancelled``.
    """
    found = exercise(project)
    known = truth(project)
    progress(1, 3)
    pairs = _Pairs(project, known)
    progress(2, 3)
    defects, fixes, without = _defects(project, found, known)
    progress(3, 3)
    true_pairs, merged = pairs.true_pairs, pairs.merged
    correct = sum(1 for a, b in merged if known[a].entity == known[b].entity)
    wrong = [(a, b) for a, b in merged if known[a].entity != known[b].entity]
    rejected_right = [(a, b) for a, b in pairs.rejected if known[a].entity != known[b].entity]
    rejected_wrong = [(a, b) for a, b in pairs.rejected if known[a].entity == known[b].entity]
    missed, missed_variations = pairs.missed()
    total_defects = sum(d["fixed"] + d["remaining"] for d in defects.values())
    fixed = sum(d["fixed"] for d in defects.values())
    f1 = 2 * correct / (len(merged) + true_pairs) if merged or true_pairs else 0.0
    parts = ([(MERGE_WEIGHT, f1)] if merged or true_pairs else []) + \
        ([(DEFECT_WEIGHT, fixed / total_defects)] if total_defects else [])
    headline = round(100 * sum(w * v for w, v in parts) / sum(w for w, _ in parts), 1) if parts else 100.0
    labels = golden.record_labels(project, sorted({r for pair in wrong[:LISTED] + rejected_wrong[:LISTED]
                                                   for r in pair}))
    mistakes = [Mistake("merge", (labels[a], labels[b]), _kind(known[a], known[b])) for a, b in wrong[:LISTED]] + \
        [Mistake("rejection", (labels[a], labels[b]), "same person") for a, b in rejected_wrong[:LISTED]]
    return Scorecard(
        exercise=found, records=len(known), true_pairs=true_pairs, merged_pairs=len(merged), correct_merges=correct,
        wrong_merges=len(wrong), wrong_merges_by_kind=dict(Counter(_kind(known[a], known[b]) for a, b in wrong)),
        missed=sum(missed.values()), missed_rejected=missed["rejected"], missed_waiting=missed["waiting"],
        missed_not_proposed=missed["not proposed"],
        missed_by_variation=missed_variations, correct_rejections=len(rejected_right),
        wrong_rejections=len(rejected_wrong),
        correct_rejections_by_kind=dict(Counter(_kind(known[a], known[b]) for a, b in rejected_right)),
        precision=correct / len(merged) if merged else None, recall=correct / true_pairs if true_pairs else None,
        f1=f1, defects=total_defects, defects_fixed=fixed, defects_remaining=total_defects - fixed,
        defects_by_kind=defects, fixes=fixes, fixes_without_defect=without, score=headline, mistakes=mistakes)


def _kind(a: Truth, b: Truth) -> str:
    """Why two different people were easy to mistake for one: their look-alike group, else unrelated."""
    return a.lookalike[0] if a.lookalike is not None and a.lookalike == b.lookalike else UNRELATED


class _Pairs:
    """The decisions on record pairs, read once: merged, rejected, and the proposals with their status."""

    def __init__(self, project: Project, known: dict[int, Truth]) -> None:
        conn = project.conn
        self.known = known
        golden_of = {r: g for r, g in conn.execute("SELECT record_id, golden_id FROM golden_members") if r in known}
        groups: dict[int, list[int]] = {}
        for record_id, golden_id in golden_of.items():
            groups.setdefault(golden_id, []).append(record_id)
        self.golden_of = golden_of
        self.merged = [(a, b) for members in groups.values() for a, b in itertools.combinations(sorted(members), 2)]
        self.rejected = [(a, b) for a, b in conn.execute("SELECT a, b FROM not_duplicates ORDER BY a, b")
                         if a in known and b in known]
        self.proposal_of = {r: (c, status) for r, c, status in conn.execute(
            "SELECT m.record_id, m.cluster_id, c.status FROM cluster_members m JOIN clusters c ON c.id = m.cluster_id")}
        people: dict[int, list[int]] = {}
        for record_id in sorted(known):
            people.setdefault(known[record_id].entity, []).append(record_id)
        self.people = people
        self.true_pairs = sum(len(m) * (len(m) - 1) // 2 for m in people.values())

    def missed(self) -> tuple[dict[str, int], dict[str, int]]:
        """Unmerged true pairs counted by why (rejected, waiting, not proposed) and by the variations of either
        record."""
        rejected = set(self.rejected)
        reasons = dict.fromkeys(("rejected", "waiting", "not proposed"), 0)
        variations: Counter[str] = Counter()
        for members in self.people.values():
            for a, b in itertools.combinations(members, 2):
                golden_a = self.golden_of.get(a)
                if golden_a is not None and golden_a == self.golden_of.get(b):
                    continue
                proposal_a, proposal_b = self.proposal_of.get(a), self.proposal_of.get(b)
                if (a, b) in rejected:
                    reasons["rejected"] += 1
                elif proposal_a is not None and proposal_a == proposal_b and proposal_a[1] in OPEN:
                    reasons["waiting"] += 1
                else:
                    reasons["not proposed"] += 1
                variations.update(set(self.known[a].variations) | set(self.known[b].variations))
        return reasons, dict(sorted(variations.items()))


def _defects(project: Project, found: Exercise, known: dict[int, Truth]) -> tuple[dict[str, dict[str, int]],
                                                                                   int, int]:
    """Planted defects fixed and remaining by kind, fixed cells, and fixed cells on records without a defect."""
    fixed_cells = {(r, p) for r, p in project.conn.execute("SELECT record_id, position FROM fixes") if r in known}
    without = sum(1 for r, _ in fixed_cells if not known[r].defects)
    result = {d: {"fixed": 0, "remaining": 0} for d in DEFECT_RULES}
    rules = {r.name: r for r in default_rules(mapped_fields(project)) if r.name in DEFECT_RULES.values()}
    region = default_region(project)
    for source in store.current_sources(project):
        first = project.conn.execute("SELECT first_record_id FROM sources WHERE id = ?", (source.id,)).fetchone()[0]
        spoiled = [] if first is None else \
            [r for r in range(first, first + source.record_count) if r in known and known[r].defects]
        if not spoiled:
            continue
        positions = {c.field: c.position for c in store.columns(project, source.id) if c.field}
        rows = [store.effective_rows(project, source.id, r - first, 1)[0] for r in spoiled]
        page = Page({f: [row[p] for row in rows] for f, p in positions.items()}, len(rows), region, Cache())
        failing = {(rule.name, finding.index) for rule in rules.values() if rule.field in positions
                   for finding in compile_rule(rule, found.generated_for)(page)}
        for index, record_id in enumerate(spoiled):
            for defect in known[record_id].defects:
                rule = rules.get(DEFECT_RULES[defect])
                passes = rule is not None and rule.field in positions and (rule.name, index) not in failing
                fixed = passes and (record_id, positions[rule.field]) in fixed_cells
                result[defect]["fixed" if fixed else "remaining"] += 1
    return result, len(fixed_cells), without


SCORE_FORMULA = f"{MERGE_WEIGHT:.0%} the F1 of merges, {DEFECT_WEIGHT:.0%} the share of defects fixed"


def summary_rows(card: Scorecard) -> list[tuple[str, str, str]]:
    """The scorecard as (figure, count, what it is made of) rows, indented by part; the CLI and the window
    show these."""
    return [
        ("Duplicates: pairs of records of one person", f"{card.true_pairs:,}", ""),
        ("  merged correctly", f"{card.correct_merges:,}", ""),
        ("  merged wrongly (different people)", f"{card.wrong_merges:,}", counts_text(card.wrong_merges_by_kind)),
        ("  missed", f"{card.missed:,}", ""),
        ("    marked not duplicates", f"{card.missed_rejected:,}", ""),
        ("    waiting in the review queue", f"{card.missed_waiting:,}", ""),
        ("    not proposed", f"{card.missed_not_proposed:,}", ""),
        ("  precision / recall / F1 of merges",
         f"{_share(card.precision)} / {_share(card.recall)} / {card.f1:.4f}", ""),
        ("Not-duplicate marks", f"{card.correct_rejections + card.wrong_rejections:,}", ""),
        ("  correct (different people)", f"{card.correct_rejections:,}", counts_text(card.correct_rejections_by_kind)),
        ("  wrong (one person)", f"{card.wrong_rejections:,}", ""),
        ("Defects planted", f"{card.defects:,}", ""),
        ("  fixed", f"{card.defects_fixed:,}", counts_text({k: v["fixed"] for k, v in card.defects_by_kind.items()})),
        ("  remaining", f"{card.defects_remaining:,}",
         counts_text({k: v["remaining"] for k, v in card.defects_by_kind.items()})),
        ("Fixed cells", f"{card.fixes:,}", ""),
        ("  on records without a planted defect", f"{card.fixes_without_defect:,}", ""),
    ]


def counts_text(counts: dict[str, int]) -> str:
    """``{"household": 2, "namesakes": 1}`` as "household 2, namesakes 1" (zeros left out)."""
    return ", ".join(f"{name} {n:,}" for name, n in counts.items() if n)


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"
